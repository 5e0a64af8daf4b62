/*
 * Where a signal's upcall starts (proc registers it with PROC_SIGNALS):
 * the kernel has kept the interrupted registers and set a0 = the signal
 * number and an aligned sp. They are moved to this stack first
 * (SYS_UPCALL_SAVE), so that another signal may interrupt the handler and
 * a handler may leave with longjmp; then the handler runs, and
 * SYS_UPCALL_RETURN puts the registers back. If the save fails (no room
 * on the stack), the kernel keeps them and the handler runs unnested.
 */
#define CTX_SIZE 544 /* sizeof(struct upcall_context), rounded up to 16 */

	.text
	.globl __strata_sigtramp
__strata_sigtramp:
	addi	sp, sp, -CTX_SIZE
	mv	s1, a0		/* the interrupted s1, s2 are kept: free to use */
	mv	a0, sp
	li	a7, 52		/* SYS_UPCALL_SAVE(sp) */
	ecall
	mv	s2, a0		/* 0: the registers are on our stack */
	mv	a0, s1
	call	__strata_signal
	li	a0, 0
	bnez	s2, 1f		/* kept by the kernel: SYS_UPCALL_RETURN(0) */
	mv	a0, sp
1:	li	a7, 51		/* SYS_UPCALL_RETURN */
	ecall
	unimp
