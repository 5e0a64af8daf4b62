/* Upcalls: see upcall.h. */
#include "kernel/upcall.h"

#include "kernel/arch.h"
#include "kernel/hart.h"
#include "kernel/sched.h"
#include "lib/error.h"

void upcall_post(struct thread *t, unsigned n, uint64_t entry)
{
	t->upcall_pending |= 1ull << n;
	t->upcall_entry = entry;
	if (t->upcall_active)
		return; /* it runs when the one running returns */
	switch (t->state) {
	case TS_BLOCKED:
		/* Only waits that mean "until something happens" are cut short. */
		if (t->wait == WAIT_NOTIFY || t->wait == WAIT_SLEEP)
			thread_unblock(t, ERR_INTERRUPTED);
		break;
	case TS_RUNNING:
		if (t->running_on >= 0)
			smp_kick(
			    &harts[t->running_on]); /* into the kernel, and back through delivery */
		break;
	default:
		break; /* ready: passes delivery on its way out; new or suspended: when started */
	}
}

void upcall_deliver(struct thread *t)
{
	if (!t->upcall_pending || t->upcall_active)
		return;
	unsigned n = 1;
	while (!(t->upcall_pending & (1ull << n)))
		n++; /* the lowest first (bit 0 is never posted) */
	struct trapframe *tf = &t->utf->tf;

	t->upcall_pending &= ~(1ull << n);
	/* t->fpu is current: a trap from user mode saved dirty FP registers. */
	t->upcall_tf = *tf;
	t->upcall_fpu = t->fpu;
	t->upcall_fpu_used = t->fpu_used;
	t->upcall_active = true;
	tf->sepc = t->upcall_entry;
	tf->x[10] = n;	    /* a0 */
	tf->x[2] &= ~15ull; /* sp: the psABI's 16-byte alignment at a call */
	tf->x[1] = 0;	    /* ra: the function must not return, only SYS_UPCALL_RETURN */
}

int upcall_return(struct thread *t)
{
	if (!t->upcall_active)
		return ERR_STATE;
	t->utf->tf = t->upcall_tf;
	t->fpu = t->upcall_fpu;
	t->fpu_used = t->upcall_fpu_used;
	t->upcall_active = false;
	t->upcall_returned = true;
	/* The FP registers this hart holds are the upcall's: load the kept ones. */
	if (this_hart()->fpu_owner == t)
		this_hart()->fpu_owner = NULL;
	return ERR_OK;
}
