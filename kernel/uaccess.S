/*
 * int uaccess_copy(void *dst, const void *src, size_t n)
 * Byte copy with sstatus.SUM set so S-mode may touch U pages. The loads and
 * stores are in the exception table: a fault resumes at 9f with
 * a0 = ERR_FAULT (kernel_trap records stval for the caller).
 */
#define ERR_OK 0
#define SSTATUS_SUM (1 << 18)

	.text
	.globl uaccess_copy
uaccess_copy:
	li t1, SSTATUS_SUM
	csrs sstatus, t1
	beqz a2, 2f
1:
10:	lbu t0, 0(a1)
11:	sb t0, 0(a0)
	addi a0, a0, 1
	addi a1, a1, 1
	addi a2, a2, -1
	bnez a2, 1b
2:	li a0, ERR_OK
9:	li t1, SSTATUS_SUM
	csrc sstatus, t1
	ret

	.pushsection __ex_table, "a"
	.balign 8
	.dword 10b, 9b
	.dword 11b, 9b
	.popsection
