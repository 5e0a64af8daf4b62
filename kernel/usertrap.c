/*
 * Traps from user mode: system calls, page faults, other exceptions and
 * interrupts that arrive while a thread runs in U-mode. The hart takes the
 * big kernel lock on entry and drops it just before sret.
 */
#include "kernel/arch.h"
#include "kernel/cputime.h"
#include "kernel/fault.h"
#include "kernel/fpu.h"
#include "kernel/hart.h"
#include "kernel/irq.h"
#include "kernel/sched.h"
#include "kernel/syscall.h"
#include "kernel/timer.h"
#include "kernel/upcall.h"

void user_trap(struct utrapframe *utf);
void user_return(void) __attribute__((noreturn));
void thread_first_run(void) __attribute__((noreturn));
void user_return_to(struct utrapframe *utf) __attribute__((noreturn));

static void user_interrupt(uint64_t code)
{
	switch (code) {
	case IRQ_S_TIMER:
		timer_interrupt();
		sched_tick();
		break;
	case IRQ_S_SOFT:
		csr_clear(sip, 1ul << IRQ_S_SOFT);
		smp_handle_ipi();
		break;
	case IRQ_S_EXT:
		plic_handle();
		break;
	default:
		break;
	}
}

void user_trap(struct utrapframe *utf)
{
	struct thread *t = thread_current();
	struct trapframe *tf = &utf->tf;
	uint64_t now = arch_time(); /* user time ends here, not after the wait for the lock */

	/*
	 * The trap left sstatus.FS as user mode had it (tf->sstatus holds the
	 * same). Save dirty FP registers now, before this thread can block or
	 * be preempted and another thread, here or on another hart, loads its
	 * own; then turn FP off for the kernel. The big lock taken below
	 * publishes t->fpu to whichever hart runs t next.
	 */
	if ((tf->sstatus & SSTATUS_FS) == SSTATUS_FS_DIRTY) {
		fpu_save(&t->fpu);
		t->fpu_used = true;
	}
	csr_clear(sstatus, SSTATUS_FS);

	bkl_lock();
	cputime_trap(t, now);
	uint64_t cause = tf->scause;
	unsigned access;

	if (cause & SCAUSE_INTR) {
		user_interrupt(cause & ~SCAUSE_INTR);
	} else if (cause == EXC_ECALL_U) {
		tf->sepc += 4;
		t->syscalls++;
		syscall_dispatch(t, tf);
	} else if ((access = fault_access(cause)) != 0) {
		int e = fault_resolve(t, tf->stval, access, tf->sepc);
		if (e != 0)
			exception_raise(t, cause, tf->stval, e);
	} else {
		exception_raise(t, cause, tf->stval, 0);
	}
	user_return();
}

/* The one way back to U-mode: honour kill and suspend requests first. */
void user_return(void)
{
	struct thread *t = thread_current();

	for (;;) {
		if (t->kill_pending)
			thread_exit(t->exit_status);
		if (!t->suspend_pending)
			break;
		t->suspend_pending = false;
		t->state = TS_SUSPENDED;
		sched_leave();
	}
	upcall_deliver(t);
	unsigned long ss = csr_read(sstatus);
	ss &= ~(SSTATUS_SPP | SSTATUS_SUM | SSTATUS_FS);
	ss |= SSTATUS_SPIE;
	/*
	 * Load t's FP registers unless this hart still holds them (t has not
	 * left it since it last loaded them, so nothing else touched them).
	 * Interrupts are off until sret, so nothing can switch threads here.
	 */
	struct hart *h = this_hart();
	if (h->fpu_owner != t) {
		csr_write(sstatus, ss | SSTATUS_FS_CLEAN);
		fpu_restore(&t->fpu);
		h->fpu_owner = t;
	}
	/* U-mode sees Clean (Initial if never used): a write makes it Dirty. */
	ss |= t->fpu_used ? SSTATUS_FS_CLEAN : SSTATUS_FS_INITIAL;
	csr_write(sstatus, ss);
	cputime_return(t);
	bkl_unlock();
	user_return_to(t->utf);
}

/* A new thread's first switch lands here (see thread_create). */
void thread_first_run(void)
{
	user_return();
}
