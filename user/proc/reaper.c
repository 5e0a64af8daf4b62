/*
 * Noticing processes that ended on their own. A process whose thread calls
 * SYS_THREAD_EXIT (or dies any other way proc is not told about) leaves no
 * message behind, so a second thread calls proc's endpoint every
 * REAP_PERIOD_NS; the main thread answers by checking every running
 * process's thread. The reaper only sleeps and calls: all process state
 * stays with the main thread.
 */
#include "user/proc/proc.h"

#include "lib/error.h"
#include "lib/user/syscall.h"
#include "lib/user/ulib.h"

#define REAP_PERIOD_NS 50000000ull /* 50 ms */

static void reaper_main(void *arg)
{
	handle_t ep = (handle_t)(uintptr_t)arg;

	for (;;) {
		struct msg m = {.tag = msg_tag(0, 0, 0)};

		sys_sleep(REAP_PERIOD_NS);
		ipc_call(ep, &m);
	}
}

/*
 * The priority proc's main thread runs at: the highest one the kernel lets
 * it create a thread with (the probe thread is never started). Root decides
 * proc's priority, and the reaper must not fall behind the processes.
 */
static unsigned own_priority(void)
{
	for (unsigned prio = 31; prio > 0; prio--) {
		handle_t t;

		int e = sys_thread_create(env.space, 0, 0, 0, prio, &t);

		if (e == ERR_OK)
			sys_handle_close(t);
		if (e != ERR_PERM)
			return prio;
	}
	return 0;
}

/* Start the reaper thread with its own handle to proc's endpoint, badged REAPER_BADGE. */
int reaper_start(void)
{
	handle_t ep, t;
	int e = sys_handle_mint(env.serve, RIGHT_WRITE, REAPER_BADGE, &ep);

	if (e == ERR_OK)
		e = uthread_spawn(reaper_main, (void *)(uintptr_t)ep, own_priority(), 0, &t);
	return e;
}

/* End every running process whose thread is dead, with its exit status as wait status. */
void reaper_scan(void)
{
	for (unsigned i = 0; i < NPROC; i++) {
		struct process *p = &procs[i];
		struct thread_info ti = {0};

		if (p->state != SLOT_RUNNING || !p->thread)
			continue;
		if (sys_thread_info(p->thread, &ti) == ERR_OK && ti.state == THREAD_DEAD)
			process_end(p, PROC_STATUS_EXITED((int32_t)(ti.exit_status & 0xff)));
	}
}
