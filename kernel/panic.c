#include "kernel/panic.h"

#include <stdarg.h>
#include <stdint.h>

#include "kernel/arch.h"
#include "kernel/boot.h"
#include "kernel/console.h"
#include "kernel/hart.h"
#include "kernel/shutdown.h"
#include "kernel/trap.h"

static volatile int panicking;

static const char *const reg_names[32] = {
    "zero", "ra", "sp", "gp", "tp",  "t0",  "t1", "t2", "s0", "s1", "a0",
    "a1",   "a2", "a3", "a4", "a5",  "a6",  "a7", "s2", "s3", "s4", "s5",
    "s6",   "s7", "s8", "s9", "s10", "s11", "t3", "t4", "t5", "t6",
};

/*
 * Walk saved frame records: with frame pointers, s0 points just above the
 * record {previous s0 at -16, return address at -8}. Stop when the pointer
 * leaves the hart's stack, so a corrupt chain cannot fault or loop.
 */
static void backtrace(uint64_t fp)
{
	struct hart *h = this_hart();
	uint64_t lo = h->stack_base, hi = h->stack_top;

	kprintf("backtrace:\n");
	for (int depth = 0; depth < 32; depth++) {
		if (fp < lo + 16 || fp > hi || (fp & 7))
			break;
		uint64_t ra = ((uint64_t *)fp)[-1];
		uint64_t prev = ((uint64_t *)fp)[-2];
		if (ra == 0)
			break;
		kprintf("  #%d %p\n", depth, (void *)ra);
		if (prev <= fp)
			break;
		fp = prev;
	}
}

static void dump_regs(const uint64_t *x)
{
	for (int i = 1; i < 32; i++)
		kprintf("%4s=%016lx%s", reg_names[i], x[i], (i % 4 == 3) ? "\n" : "  ");
	kprintf("\n");
}

/* First hart to panic wins; the others stop quietly. */
static void panic_enter(void)
{
	arch_intr_off();
	if (__atomic_exchange_n(&panicking, 1, __ATOMIC_ACQ_REL)) {
		for (;;)
			arch_wfi();
	}
	console_force_unlock();
	smp_stop_others();
}

static void __attribute__((noreturn)) panic_finish(void)
{
	if (boot_arg_present("panic=shutdown"))
		machine_exit(EXIT_PANIC);
	kprintf("strata: halted\n");
	for (;;)
		arch_wfi();
}

void panic(const char *fmt, ...)
{
	va_list ap;

	panic_enter();
	kprintf("\nstrata: panic on hart %u: ", this_hart()->hartid);
	va_start(ap, fmt);
	kvprintf(fmt, ap);
	va_end(ap);
	kprintf("\n");
	backtrace((uint64_t)arch_frame_pointer());
	panic_finish();
}

void panic_trap(const struct trapframe *tf)
{
	panic_enter();
	kprintf("\nstrata: panic on hart %u: unexpected trap in kernel: %s (scause %lx)\n",
		this_hart()->hartid, trap_cause_name(tf->scause), tf->scause);
	kprintf("sepc=%016lx stval=%016lx sstatus=%016lx\n", tf->sepc, tf->stval, tf->sstatus);
	dump_regs(tf->x);
	kprintf("  #- %p (sepc)\n", (void *)tf->sepc);
	backtrace(tf->x[8]);
	panic_finish();
}
