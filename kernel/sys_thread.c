/* System calls on threads and time. */
#include "kernel/arch.h"
#include "kernel/cputime.h"
#include "kernel/memlayout.h"
#include "kernel/notify.h"
#include "kernel/rtc.h"
#include "kernel/sched.h"
#include "kernel/syscall.h"
#include "kernel/timer.h"
#include "kernel/upcall.h"
#include "kernel/uaccess.h"
#include "lib/error.h"

int sys_thread_create(struct thread *t, struct trapframe *tf)
{
	struct space *s;
	struct thread *n;
	uint64_t prio = ARG(4);
	int e = get(t, ARG(0), OBJ_SPACE, RIGHT_MANAGE, &s);

	if (e == ERR_OK && prio >= SCHED_PRIOS)
		e = ERR_INVALID;
	if (e == ERR_OK && prio > t->priority)
		e = ERR_PERM; /* no thread may create one above itself */
	if (e == ERR_OK && s->exited)
		e = ERR_STATE;
	if (e == ERR_OK)
		e = thread_create(s, ARG(1), ARG(2), ARG(3), (unsigned)prio, &n);
	if (e != ERR_OK)
		return e;
	memwatch_check();
	return return_handle(t, tf, &n->obj, RIGHTS_ALL & ~RIGHT_DEVICE);
}

int sys_thread_start(struct thread *t, struct trapframe *tf)
{
	struct thread *th;
	int e = get(t, ARG(0), OBJ_THREAD, RIGHT_MANAGE, &th);

	if (e != ERR_OK)
		return e;
	if (th->kill_pending || th->state == TS_DEAD || th->space->exited)
		return ERR_STATE;
	return thread_start(th);
}

int sys_thread_suspend(struct thread *t, struct trapframe *tf)
{
	struct thread *th;
	int e = get(t, ARG(0), OBJ_THREAD, RIGHT_MANAGE, &th);

	if (e != ERR_OK)
		return e;
	return thread_suspend(th);
}

int sys_thread_kill(struct thread *t, struct trapframe *tf)
{
	struct thread *th;
	int e = get(t, ARG(0), OBJ_THREAD, RIGHT_MANAGE, &th);

	if (e != ERR_OK)
		return e;
	if (th == t)
		thread_exit((int)ARG(1));
	if (th->state == TS_DEAD)
		return ERR_STATE;
	thread_kill(th, (int)ARG(1));
	return ERR_OK;
}

int sys_thread_upcall(struct thread *t, struct trapframe *tf)
{
	struct thread *th;
	uint64_t n = ARG(1), entry = ARG(2);
	int e = get(t, ARG(0), OBJ_THREAD, RIGHT_MANAGE, &th);

	if (e != ERR_OK)
		return e;
	if (n < 1 || n > UPCALL_MAX)
		return ERR_INVALID;
	if (entry == 0 || entry >= USER_TOP || entry % 2)
		return ERR_RANGE;
	if (th->state == TS_DEAD || th->kill_pending)
		return ERR_STATE;
	upcall_post(th, (unsigned)n, entry);
	return ERR_OK;
}

int sys_upcall_return(struct thread *t, struct trapframe *tf)
{
	return upcall_return(t, ARG(0));
}

int sys_upcall_save(struct thread *t, struct trapframe *tf)
{
	return upcall_save(t, ARG(0));
}

int sys_thread_exit(struct thread *t, struct trapframe *tf)
{
	(void)t;
	thread_exit((int)ARG(0));
}

int sys_thread_set_exception(struct thread *t, struct trapframe *tf)
{
	struct thread *th;
	struct endpoint *ep = NULL;
	int e = get(t, ARG(0), OBJ_THREAD, RIGHT_MANAGE, &th);

	if (e == ERR_OK && ARG(1) != 0)
		e = get(t, ARG(1), OBJ_ENDPOINT, RIGHT_WRITE, &ep);
	if (e != ERR_OK)
		return e;
	if (ep)
		object_get(&ep->obj);
	if (th->exc_ep)
		object_put(&th->exc_ep->obj);
	th->exc_ep = ep;
	th->exc_badge = ARG(2);
	return ERR_OK;
}

/*
 * Signal a notification with bits when the thread dies (at once if it is
 * dead already); notification 0 stops the watch. A waiter for a child's
 * end sleeps on it instead of polling SYS_THREAD_INFO.
 */
int sys_thread_watch(struct thread *t, struct trapframe *tf)
{
	struct thread *th;
	struct notify *n = NULL;
	int e = get(t, ARG(0), OBJ_THREAD, RIGHT_READ, &th);

	if (e == ERR_OK && ARG(1) != 0)
		e = get(t, ARG(1), OBJ_NOTIFY, RIGHT_WRITE, &n);
	if (e == ERR_OK && n && ARG(2) == 0)
		e = ERR_INVALID;
	if (e != ERR_OK)
		return e;
	if (n)
		object_get(&n->obj);
	if (th->death_note)
		object_put(&th->death_note->obj);
	th->death_note = n;
	th->death_bits = ARG(2);
	if (n && th->state == TS_DEAD)
		notify_signal(n, th->death_bits);
	return ERR_OK;
}

int sys_thread_set_ipcbuf(struct thread *t, struct trapframe *tf)
{
	struct thread *th;
	uint64_t va = ARG(1);
	int e = get(t, ARG(0), OBJ_THREAD, RIGHT_MANAGE, &th);

	if (e == ERR_OK && va && !IS_ALIGNED(va, 4096ull))
		e = ERR_ALIGN;
	if (e == ERR_OK && va && !user_range_ok(va, sizeof(struct ipc_buffer)))
		e = ERR_RANGE;
	if (e != ERR_OK)
		return e;
	th->ipcbuf = va;
	return ERR_OK;
}

int sys_thread_info(struct thread *t, struct trapframe *tf)
{
	struct thread *th;
	int e = get(t, ARG(0), OBJ_THREAD, RIGHT_READ, &th);

	if (e != ERR_OK)
		return e;
	RET(1, th->id);
	RET(2, th->state);
	RET(3, (int64_t)th->exit_status);
	RET(4, th->faults);
	struct cputime c = cputime_of(th);
	RET(5, c.user_ns);
	RET(6, c.kernel_ns);
	return ERR_OK;
}

int sys_yield(struct thread *t, struct trapframe *tf)
{
	(void)t;
	(void)tf;
	sched_yield();
	return ERR_OK;
}

/* Nanoseconds to timer ticks, rounded up, without overflowing for long sleeps. */
static uint64_t ns_to_time(uint64_t ns)
{
	uint64_t hz = timer_timebase_hz();

	return (ns / NS_PER_S) * hz + ((ns % NS_PER_S) * hz + NS_PER_S - 1) / NS_PER_S;
}

int sys_sleep(struct thread *t, struct trapframe *tf)
{
	(void)t;
	uint64_t now = arch_time(), d = ns_to_time(ARG(0));
	uint64_t deadline = d > UINT64_MAX - now ? UINT64_MAX : now + d;
	int e = sched_sleep_until(deadline);

	/* Made again after a suspension: only for what is left. */
	if (e == ERR_RESTART)
		ARG(0) = deadline > arch_time() ? timer_ticks_to_ns(deadline - arch_time()) : 0;
	return e;
}

int sys_clock(struct thread *t, struct trapframe *tf)
{
	struct cputime c = cputime_of(t);

	RET(1, timer_ticks_to_ns(arch_time()));
	RET(2, rtc_boot_ns());
	RET(3, c.user_ns);
	RET(4, c.kernel_ns);
	return ERR_OK;
}
