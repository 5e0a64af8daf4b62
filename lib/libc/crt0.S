/*
 * Program entry for Strata C programs linked with picolibc (lib/libc/strata.ld).
 *
 * Contract: the kernel or the loader that started us has set pc = _start,
 * sp = the top of a mapped stack, and a0 = a start-up argument (the bootinfo
 * address for the root task, the loader's arg otherwise). We set gp (for
 * linker relaxation) and tp (picolibc's errno and other thread-local data live
 * at tp = __tls_base) and zero .tbss, then hand over to __strata_main
 * (lib/libc/start.c) with the start-up argument, which runs the
 * constructors and calls exit(main(argc, argv, envp)).
 * picolibc's own crt0 is not used: its F/D variants touch mstatus, which
 * traps in U-mode.
 *
 * .bss is not zeroed here: as ELF requires, every loader gives a segment
 * zeros beyond its file bytes (mem fills such pages with zeros on demand,
 * root's and the tests' loader maps zeroed frames). Zeroing it again would
 * touch, and so fault in, every page of it — the libc's 256 KiB fallback
 * heap included — and cost a million instructions at every exec.
 */
	.section .text.start, "ax"
	.globl _start
_start:
	.option push
	.option norelax
	lla	gp, __global_pointer$
	.option pop
	andi	sp, sp, -16
	lla	tp, __tls_base
	mv	s0, a0

	lla	t0, __tbss_start
	lla	t1, __tbss_end
1:	bgeu	t0, t1, 2f
	sb	zero, 0(t0)
	addi	t0, t0, 1
	j	1b
2:	mv	a0, s0
	call	__strata_main
3:	j	3b
