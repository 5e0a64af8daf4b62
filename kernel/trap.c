/*
 * Trap dispatch for traps taken in S-mode: interrupts go to their
 * handlers, exceptions listed in the exception table are fixed up, and
 * anything else is a kernel bug reported by panic_trap.
 */
#include "kernel/trap.h"

#include <stddef.h>

#include "kernel/arch.h"
#include "kernel/hart.h"
#include "kernel/irq.h"
#include "kernel/sched.h"
#include "kernel/panic.h"
#include "kernel/timer.h"
#include "lib/error.h"

extern char trap_entry[];
extern const struct extable_entry __ex_table_start[], __ex_table_end[];

static const char *const exception_names[] = {
    [EXC_INST_MISALIGNED] = "instruction address misaligned",
    [EXC_INST_ACCESS] = "instruction access fault",
    [EXC_ILLEGAL] = "illegal instruction",
    [EXC_BREAKPOINT] = "breakpoint",
    [EXC_LOAD_MISALIGNED] = "load address misaligned",
    [EXC_LOAD_ACCESS] = "load access fault",
    [EXC_STORE_MISALIGNED] = "store/AMO address misaligned",
    [EXC_STORE_ACCESS] = "store/AMO access fault",
    [EXC_ECALL_U] = "environment call from U-mode",
    [EXC_ECALL_S] = "environment call from S-mode",
    [EXC_INST_PAGE] = "instruction page fault",
    [EXC_LOAD_PAGE] = "load page fault",
    [EXC_STORE_PAGE] = "store/AMO page fault",
};

static const char *const interrupt_names[] = {
    [IRQ_S_SOFT] = "supervisor software interrupt",
    [IRQ_S_TIMER] = "supervisor timer interrupt",
    [IRQ_S_EXT] = "supervisor external interrupt",
};

const char *trap_cause_name(uint64_t scause)
{
	uint64_t code = scause & ~SCAUSE_INTR;
	const char *name = NULL;

	if (scause & SCAUSE_INTR) {
		if (code < sizeof(interrupt_names) / sizeof(interrupt_names[0]))
			name = interrupt_names[code];
	} else if (code < sizeof(exception_names) / sizeof(exception_names[0])) {
		name = exception_names[code];
	}
	return name ? name : "unknown cause";
}

void trap_init_hart(void)
{
	csr_write(stvec, (unsigned long)trap_entry);
	csr_write(sscratch, 0);
	/* The kernel never uses FP (the firmware may have left FS on). */
	csr_clear(sstatus, SSTATUS_FS);
	/* User programs may read cycle, time and instret (benchmarks, clocks). */
	csr_write(scounteren, 7);
}

const struct extable_entry *extable_find(uint64_t pc)
{
	for (const struct extable_entry *e = __ex_table_start; e < __ex_table_end; e++) {
		if (e->insn == pc)
			return e;
	}
	return NULL;
}

uint64_t trap_last_fixup_cause(void)
{
	return this_hart()->fixup_cause;
}

static void handle_interrupt(struct trapframe *tf)
{
	switch (tf->scause & ~SCAUSE_INTR) {
	case IRQ_S_TIMER:
		timer_interrupt();
		return;
	case IRQ_S_SOFT:
		csr_clear(sip, 1ul << IRQ_S_SOFT);
		smp_handle_ipi();
		return;
	case IRQ_S_EXT:
		/* Only the idle loop runs with interrupts on, without the lock. */
		bkl_lock();
		plic_handle();
		bkl_unlock();
		return;
	default:
		panic_trap(tf);
	}
}

void kernel_trap(struct trapframe *tf)
{
	if (tf->scause & SCAUSE_INTR) {
		handle_interrupt(tf);
		return;
	}
	const struct extable_entry *fix = extable_find(tf->sepc);
	if (fix) {
		this_hart()->fixup_cause = tf->scause;
		this_hart()->fixup_addr = tf->stval;
		tf->sepc = fix->fixup;
		tf->x[10] = (uint64_t)(int64_t)ERR_FAULT;
		return;
	}
	panic_trap(tf);
}
