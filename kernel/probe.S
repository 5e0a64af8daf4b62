/*
 * Accesses that are allowed to fault. Each faulting instruction is listed
 * in __ex_table with the label to resume at; kernel_trap puts ERR_FAULT in
 * a0 and resumes there. The same mechanism guards copies to and from user
 * memory.
 */
#define ERR_OK 0
#define ERR_FAULT (-18)

#define EXTABLE(insn, fixup)   \
	.pushsection __ex_table, "a"; \
	.balign 8;             \
	.dword insn, fixup;    \
	.popsection

	.text
/* int probe_load64(uintptr_t addr, uint64_t *out) */
	.globl probe_load64
probe_load64:
1:	ld t0, 0(a0)
	sd t0, 0(a1)
	li a0, ERR_OK
2:	ret
	EXTABLE(1b, 2b)

/* int probe_store64(uintptr_t addr, uint64_t val) */
	.globl probe_store64
probe_store64:
1:	sd a1, 0(a0)
	li a0, ERR_OK
2:	ret
	EXTABLE(1b, 2b)

/* int probe_stimecmp(void): does reading stimecmp trap? */
	.globl probe_stimecmp
probe_stimecmp:
1:	csrr t0, 0x14d
	li a0, ERR_OK
2:	ret
	EXTABLE(1b, 2b)

/*
 * int probe_semihost(uint64_t op, uint64_t arg, uint64_t *ret)
 * The semihosting sequence must be exactly slli/ebreak/srai, uncompressed.
 * Without -semihosting the ebreak is a breakpoint exception: fixed up.
 */
	.globl probe_semihost
probe_semihost:
	mv t1, a2
	.option push
	.option norvc
	.align 4
	slli zero, zero, 0x1f
1:	ebreak
	srai zero, zero, 7
	.option pop
	sd a0, 0(t1)
	li a0, ERR_OK
2:	ret
	EXTABLE(1b, 2b)
