/*
 * Program entry for Strata user programs without libc. The kernel (or the
 * loader that started us) sets pc, sp and a0 (an argument for main). Code
 * is linked with --no-relax, so gp is not needed; bss is zeroed here in
 * case the loader did not.
 */
	.section .text.start, "ax"
	.globl _start
_start:
	mv s0, a0
	lla t0, __bss_start
	lla t1, __bss_end
1:	bgeu t0, t1, 2f
	sb zero, 0(t0)
	addi t0, t0, 1
	j 1b
2:	mv a0, s0
	call main
	call uexit
3:	j 3b
