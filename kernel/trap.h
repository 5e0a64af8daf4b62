/* Trap frames and the trap dispatcher. */
#ifndef STRATA_KERNEL_TRAP_H
#define STRATA_KERNEL_TRAP_H

#define TF_SEPC	   32
#define TF_SSTATUS 33
#define TF_SCAUSE  34
#define TF_STVAL   35
#define TF_WORDS   36
#define TF_SIZE	   (TF_WORDS * 8)

#ifndef __ASSEMBLY__
#include <stdint.h>

/* Saved by kernel/trapvec.S: x[i] is register xi (x[0] unused), then CSRs. */
struct trapframe {
	uint64_t x[32];
	uint64_t sepc, sstatus, scause, stval;
};

_Static_assert(sizeof(struct trapframe) == TF_SIZE, "trapframe layout matches trapvec.S");
_Static_assert(TF_SIZE % 16 == 0, "trap frames keep the stack 16-byte aligned");

void trap_init_hart(void);
void kernel_trap(struct trapframe *tf);
/* Name of an exception or interrupt cause ("load page fault"). */
const char *trap_cause_name(uint64_t scause);

/*
 * Exception table: an instruction that may fault on purpose (a probe, a
 * copy from user memory, an optional CSR) is listed with the address to
 * resume at. kernel_trap sets a0 = ERR_FAULT and jumps there.
 */
struct extable_entry {
	uint64_t insn, fixup;
};
const struct extable_entry *extable_find(uint64_t pc);

/* Cause of the last fault recovered through the exception table on this hart. */
uint64_t trap_last_fixup_cause(void);

/* Probes (kernel/probe.S): ERR_OK or ERR_FAULT if the access trapped. */
int probe_load64(uintptr_t addr, uint64_t *out);
int probe_store64(uintptr_t addr, uint64_t val);
/* Reads stimecmp: ERR_OK if Sstc is usable from S-mode, else ERR_FAULT. */
int probe_stimecmp(void);
/* Semihosting call (op, arg) -> *ret; ERR_FAULT if semihosting is off. */
int probe_semihost(uint64_t op, uint64_t arg, uint64_t *ret);
#endif

#endif
