/* Upcalls: see upcall.h. */
#include "kernel/upcall.h"

#include "kernel/arch.h"
#include "kernel/hart.h"
#include "kernel/sched.h"
#include "kernel/syscall.h"
#include "kernel/uaccess.h"
#include "lib/abi.h"
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

/*
 * t's registers were replaced: the FP registers this hart holds are stale,
 * and the system call must write no results over the rest.
 */
static int resume_with(struct thread *t)
{
	if (this_hart()->fpu_owner == t)
		this_hart()->fpu_owner = NULL;
	return ERR_NO_RESULT;
}

int upcall_save(struct thread *t, uint64_t ctx)
{
	struct upcall_context c = {0};

	if (!t->upcall_active)
		return ERR_STATE;
	for (int i = 1; i < 32; i++)
		c.x[i] = t->upcall_tf.x[i];
	c.pc = t->upcall_tf.sepc;
	for (int i = 0; i < 32; i++)
		c.f[i] = t->upcall_fpu.f[i];
	c.fcsr = t->upcall_fpu.fcsr;
	c.fpu_used = t->upcall_fpu_used;
	/* The copy may fault into a pager and block: only t's own state is involved. */
	int e = copyout((void __user *)ctx, &c, sizeof(c));
	if (e == ERR_OK)
		t->upcall_active = false;
	return e;
}

int upcall_return(struct thread *t, uint64_t ctx)
{
	struct upcall_context c;

	if (ctx == 0) {
		if (!t->upcall_active)
			return ERR_STATE;
		t->utf->tf = t->upcall_tf;
		t->fpu = t->upcall_fpu;
		t->fpu_used = t->upcall_fpu_used;
		t->upcall_active = false;
		return resume_with(t);
	}
	if (t->upcall_active)
		return ERR_STATE; /* the kept registers were not saved: they are what to go back to
				   */
	int e = copyin(&c, (const void __user *)ctx, sizeof(c));
	if (e != ERR_OK)
		return e;
	/* Only what user mode could set itself: registers, pc, FP; sstatus stays the kernel's. */
	for (int i = 1; i < 32; i++)
		t->utf->tf.x[i] = c.x[i];
	t->utf->tf.sepc = c.pc;
	for (int i = 0; i < 32; i++)
		t->fpu.f[i] = c.f[i];
	t->fpu.fcsr = c.fcsr & 0xff;
	t->fpu_used = c.fpu_used != 0;
	return resume_with(t);
}
