#include "kernel/thread.h"

#include "kernel/arch.h"
#include "kernel/frames.h"
#include "kernel/hart.h"
#include "kernel/ipc.h"
#include "kernel/notify.h"
#include "kernel/panic.h"
#include "kernel/sched.h"
#include "kernel/syscall.h"
#include "kernel/space.h"
#include "lib/error.h"
#include "lib/str.h"
#include "mm/physmap.h"

static uint64_t next_id = 1;

void thread_first_run(void);

struct thread *thread_current(void)
{
	return this_hart()->current;
}

int thread_create(struct space *s, uint64_t entry, uint64_t sp, uint64_t arg, unsigned prio,
		  struct thread **out)
{
	struct quota *q = s->obj.quota;
	int err;

	if (q && quota_charge(q, KSTACK_SIZE) != ERR_OK)
		return ERR_QUOTA;
	paddr_t stack;
	if (frame_alloc(KSTACK_ORDER, false, &stack) != ERR_OK) {
		if (q)
			quota_uncharge(q, KSTACK_SIZE);
		return ERR_NOMEM;
	}
	struct thread *t = object_alloc(OBJ_THREAD, sizeof(*t), q, &err);
	if (!t) {
		frame_free(stack, KSTACK_ORDER);
		if (q)
			quota_uncharge(q, KSTACK_SIZE);
		return err;
	}
	t->id = next_id++;
	t->space = s;
	object_get(&s->obj);
	t->state = TS_NEW;
	t->priority = prio;
	t->running_on = -1;
	t->kstack = (uint64_t)(uintptr_t)pa_to_kva(stack);
	t->utf = (struct utrapframe *)(t->kstack + KSTACK_SIZE - sizeof(struct utrapframe));
	memset(t->utf, 0, sizeof(*t->utf));
	memset(&t->fpu, 0, sizeof(t->fpu)); /* f0-f31 = 0, fcsr = 0 (RNE, no flags) */
	t->fpu_used = false;
	t->utf->tf.sepc = entry;
	t->utf->tf.x[2] = sp;
	t->utf->tf.x[10] = arg;
	t->ctx.ra = (uint64_t)(uintptr_t)thread_first_run;
	t->ctx.sp = (uint64_t)(uintptr_t)t->utf;
	*out = t;
	return ERR_OK;
}

static void release_message(struct kmsg *m)
{
	for (unsigned i = 0; i < MSG_MAX_HANDLES; i++) {
		if (m->objs[i]) {
			object_put(m->objs[i]);
			m->objs[i] = NULL;
		}
	}
}

void thread_hold(struct thread *t, struct object *o)
{
	for (unsigned i = 0; i < THREAD_HELD_MAX; i++) {
		if (!t->held[i]) {
			object_get(o);
			t->held[i] = o;
			return;
		}
	}
	panic("thread_hold: thread %lu holds %u objects already", t->id, THREAD_HELD_MAX);
}

void thread_release_held(struct thread *t)
{
	for (unsigned i = 0; i < THREAD_HELD_MAX; i++) {
		struct object *o = t->held[i];
		if (o) {
			t->held[i] = NULL;
			object_put(o);
		}
	}
}

void thread_destroy(struct thread *t)
{
	struct quota *q = t->obj.quota;

	thread_release_held(t);

	release_message(&t->out);
	release_message(&t->in);
	if (t->exc_ep)
		object_put(&t->exc_ep->obj);
	if (t->death_note)
		object_put(&t->death_note->obj);
	frame_free(kva_to_pa((void *)(uintptr_t)t->kstack), KSTACK_ORDER);
	if (q)
		quota_uncharge(q, KSTACK_SIZE);
	object_put(&t->space->obj);
}

int thread_start(struct thread *t)
{
	if (t->state == TS_NEW) {
		t->started = true;
		t->holds_self = true;
		object_get(&t->obj); /* a live thread holds itself until it dies */
		t->space->live_threads++;
		sched_ready(t);
		return ERR_OK;
	}
	if (t->state == TS_SUSPENDED) {
		t->suspend_pending = false;
		sched_ready(t);
		return ERR_OK;
	}
	if (t->suspend_pending) {
		t->suspend_pending = false;
		return ERR_OK;
	}
	return ERR_STATE;
}

/*
 * Take t out of whatever wait it is in and make it runnable with status.
 * IPC queues, sleep list and notification waits are all undone here.
 */
void thread_cancel_wait(struct thread *t)
{
	switch (t->wait) {
	case WAIT_SEND:
	case WAIT_RECV:
	case WAIT_NOTIFY:
		ipc_cancel(t);
		break;
	case WAIT_SLEEP:
		sched_cancel_sleep(t);
		break;
	case WAIT_REPLY:
		t->replier = NULL;
		break;
	default:
		break;
	}
}

void thread_unblock(struct thread *t, int status)
{
	if (t->state != TS_BLOCKED)
		return;
	thread_cancel_wait(t);
	t->wake_status = status;
	sched_ready(t);
}

int thread_suspend(struct thread *t)
{
	if (t->kill_pending)
		return ERR_STATE; /* a kill always wins: a dying thread is not stopped */
	switch (t->state) {
	case TS_NEW:
	case TS_DEAD:
	case TS_SUSPENDED:
		return ERR_STATE;
	case TS_READY:
		sched_unready(t);
		t->state = TS_SUSPENDED;
		return ERR_OK;
	default:
		/* Running or blocked: it stops on its way back to user mode. */
		t->suspend_pending = true;
		if (t->state == TS_RUNNING && t->running_on >= 0)
			smp_kick(&harts[t->running_on]);
		/*
		 * A wait for "something to happen" would keep it from stopping
		 * (a process stopped in a console read would take the next
		 * line): end it, and the call is made again once resumed.
		 */
		if (t->state == TS_BLOCKED && (t->wait == WAIT_NOTIFY || t->wait == WAIT_SLEEP))
			thread_unblock(t, ERR_RESTART);
		return ERR_OK;
	}
}

/* t is dead now: tell whoever watches (SYS_THREAD_WATCH). */
static void thread_died(struct thread *t)
{
	if (t->death_note)
		notify_signal(t->death_note, t->death_bits);
}

void thread_kill(struct thread *t, int status)
{
	if (t->state == TS_DEAD)
		return;
	if (!t->kill_pending) {
		t->kill_pending = true;
		t->exit_status = status; /* the first kill's status is the one reported */
	}
	/* Whatever else was asked of t, it must get to run (and so die) now. */
	switch (t->state) {
	case TS_NEW:
		t->state = TS_DEAD;
		thread_died(t);
		break;
	case TS_SUSPENDED:
		sched_ready(t);
		break;
	case TS_BLOCKED:
		thread_unblock(t, ERR_PEER);
		break;
	case TS_RUNNING:
		if (t->running_on >= 0)
			smp_kick(&harts[t->running_on]);
		break;
	default:
		break;
	}
}

void thread_exit(int status)
{
	struct thread *t = thread_current();

	t->exit_status = status;
	t->state = TS_DEAD;
	thread_died(t);
	thread_release_held(t);
	ipc_thread_exit(t);
	struct space *s = t->space;
	if (t->started && --s->live_threads == 0)
		space_process_exit(s);
	sched_leave();
	panic("thread_exit: a dead thread was scheduled");
}
