/*
 * Where a forked child starts (lib/libc/process.c): proc creates the
 * child's thread here with sp = the parent's sp at the fork and a0 = the
 * jmp_buf fork() filled in just before asking. The child's memory is a
 * copy of the parent's, so that jmp_buf is there too. Set gp and tp as
 * crt0 does (same program, same addresses), then longjmp(buf, 1): fork()
 * returns 0 in the child.
 */
	.section .text
	.globl __strata_fork_child
__strata_fork_child:
	.option push
	.option norelax
	lla	gp, __global_pointer$
	.option pop
	lla	tp, __tls_base
	li	a1, 1
	tail	longjmp
