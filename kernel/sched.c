#include "kernel/sched.h"

#include "kernel/arch.h"
#include "kernel/cputime.h"
#include "kernel/hart.h"
#include "kernel/kvm.h"
#include "kernel/object.h"
#include "kernel/panic.h"
#include "kernel/space.h"
#include "kernel/timer.h"
#include "lib/error.h"

struct spinlock big_lock = {.holder = -1, .name = "big kernel lock", .track_hold = true};

struct runq {
	struct thread *head, *tail;
};

static struct runq runqs[SCHED_PRIOS];
static uint32_t nonempty; /* bit p: runqs[p] has threads */
static unsigned nready;
static struct thread *sleepers; /* sorted by deadline */

static void runq_push(struct thread *t)
{
	struct runq *q = &runqs[t->priority];

	t->next = NULL;
	if (q->tail)
		q->tail->next = t;
	else
		q->head = t;
	q->tail = t;
	nonempty |= 1u << t->priority;
	nready++;
}

static struct thread *runq_pop(void)
{
	if (!nonempty)
		return NULL;
	unsigned p = SCHED_PRIOS - 1;
	while (!(nonempty & (1u << p)))
		p--; /* no libgcc in the kernel: a short scan instead of clz */
	struct runq *q = &runqs[p];
	struct thread *t = q->head;
	q->head = t->next;
	if (!q->head) {
		q->tail = NULL;
		nonempty &= ~(1u << p);
	}
	t->next = NULL;
	nready--;
	return t;
}

/* Remove t from its run queue (it is READY). */
static void runq_remove(struct thread *t)
{
	struct runq *q = &runqs[t->priority];
	struct thread **pp = &q->head, *prev = NULL;

	while (*pp && *pp != t) {
		prev = *pp;
		pp = &(*pp)->next;
	}
	if (!*pp)
		return;
	*pp = t->next;
	if (q->tail == t)
		q->tail = prev;
	if (!q->head)
		nonempty &= ~(1u << t->priority);
	t->next = NULL;
	nready--;
}

unsigned sched_ready_count(void)
{
	return nready;
}

static void kick_idle_hart(void)
{
	for (unsigned i = 0; i < nharts; i++) {
		if (harts[i].online && harts[i].idle && &harts[i] != this_hart()) {
			smp_kick(&harts[i]);
			return;
		}
	}
}

void sched_ready(struct thread *t)
{
	t->state = TS_READY;
	t->wait = WAIT_NONE;
	runq_push(t);
	kick_idle_hart();
}

/* Switch from the current thread to the scheduler loop of this hart. */
static void to_scheduler(void)
{
	struct hart *h = this_hart();
	struct thread *t = h->current;

	switch_context(&t->ctx, &h->sched_ctx);
	/* Back on (possibly) another hart: tp was restored by the scheduler's switch. */
}

void sched_leave(void)
{
	to_scheduler();
}

int sched_block(enum thread_wait w)
{
	struct thread *t = thread_current();

	t->state = TS_BLOCKED;
	t->wait = w;
	/*
	 * Killed on its way here (the kill came while it waited for the kernel
	 * lock on another hart): it must not go to sleep, it has to die.
	 */
	if (t->kill_pending) {
		thread_cancel_wait(t);
		t->state = TS_RUNNING;
		t->wait = WAIT_NONE;
		return ERR_PEER;
	}
	to_scheduler();
	return t->wake_status;
}

void sched_yield(void)
{
	struct thread *t = thread_current();

	runq_push(t);
	t->state = TS_READY;
	to_scheduler();
}

bool sched_preempt_point(void)
{
	struct hart *h = this_hart();
	uint64_t ticks = h->ticks;

	/* Let a waiting hart in, and take what interrupts are pending. */
	spin_yield_to_waiters(&big_lock, true);
	if (h->ticks != ticks)
		sched_tick(); /* the tick the window took: the time slice may be over */
	return !thread_current()->kill_pending;
}

int sched_sleep_until(uint64_t deadline)
{
	struct thread *t = thread_current();
	struct thread **pp = &sleepers;

	t->deadline = deadline;
	while (*pp && (*pp)->deadline <= deadline)
		pp = &(*pp)->next;
	t->next = *pp;
	*pp = t;
	return sched_block(WAIT_SLEEP);
}

/* Take t off the sleep list (woken early). */
void sched_cancel_sleep(struct thread *t)
{
	for (struct thread **pp = &sleepers; *pp; pp = &(*pp)->next) {
		if (*pp == t) {
			*pp = t->next;
			t->next = NULL;
			return;
		}
	}
}

/* Cancel whatever queue t sits on when it is READY (used by kill/suspend). */
void sched_unready(struct thread *t)
{
	if (t->state == TS_READY)
		runq_remove(t);
}

static void wake_sleepers(void)
{
	uint64_t now = arch_time();

	while (sleepers && sleepers->deadline <= now) {
		struct thread *t = sleepers;
		sleepers = t->next;
		t->next = NULL;
		t->wake_status = 0;
		sched_ready(t);
	}
}

void sched_tick(void)
{
	struct hart *h = this_hart();

	wake_sleepers();
	if (!h->current)
		return;
	if (h->slice_left)
		h->slice_left--;
	/* Round-robin: give way to a thread of the same or higher priority. */
	if (h->slice_left == 0 && nonempty >> h->current->priority)
		sched_yield();
}

/* Run t on this hart until it gives the hart back. */
static void run(struct thread *t)
{
	struct hart *h = this_hart();

	t->state = TS_RUNNING;
	t->running_on = (int)h->index;
	t->utf->kernel_tp = (uint64_t)(uintptr_t)h;
	h->current = t;
	h->slice_left = SCHED_SLICE_TICKS;
	space_activate(t->space);
	cputime_switch_in(t);
	switch_context(&h->sched_ctx, &t->ctx);
	cputime_switch_out(t);
	/* t may run elsewhere next; this hart's f registers are nobody's now. */
	h->fpu_owner = NULL;
	h->current = NULL;
	t->running_on = -1;
	if (t->state == TS_DEAD && t->holds_self) {
		t->holds_self = false;
		object_put(&t->obj); /* the reference a live thread holds on itself */
	}
}

void scheduler_loop(void)
{
	struct hart *h = this_hart();

	for (;;) {
		wake_sleepers();
		struct thread *t = runq_pop();
		if (t) {
			run(t);
			continue;
		}
		/*
		 * Idle: leave the last thread's address space first. It may be
		 * destroyed while we wait, and an interrupt taken with its freed
		 * root table in satp would walk whatever the page holds by then.
		 */
		if (h->space) {
			kvm_switch_hart();
			h->space = NULL;
		}
		/* wfi wakes on a pending enabled interrupt even with SIE clear. */
		h->idle = true;
		bkl_unlock();
		uint64_t t0 = arch_time();
		arch_wfi();
		h->idle_time += arch_time() - t0; /* this hart's alone: no lock needed */
		arch_intr_on();
		arch_intr_off();
		bkl_lock();
		h->idle = false;
	}
}
