/*
 * The process table: a fixed array of slots. A pid names one process for as
 * long as its slot holds it (running or zombie); pids increase from 1 and are
 * only handed out again after wrapping around, and never while in use.
 */
#include "user/proc/proc.h"

#include "lib/str.h"

struct process procs[NPROC];
static int32_t next_pid = 1;

/* A pid is not handed out while a process or a process group has it. */
static int pid_in_use(int32_t pid)
{
	for (unsigned i = 0; i < NPROC; i++)
		if (procs[i].state != SLOT_FREE && (procs[i].pid == pid || procs[i].pgid == pid))
			return 1;
	return 0;
}

/* The next pid not held by any slot (there are always some: NPROC is small). */
static int32_t pid_next(void)
{
	for (;;) {
		int32_t pid = next_pid;

		next_pid = next_pid == INT32_MAX ? 1 : next_pid + 1;
		if (!pid_in_use(pid))
			return pid;
	}
}

/*
 * Take a free slot for a new child of ppid, in state SLOT_NEW (requests do
 * not see it until it is made SLOT_RUNNING), in its parent's process group
 * (root's children: in one of their own). NULL if the table is full.
 */
struct process *proc_alloc(int32_t ppid)
{
	static uint64_t serial;
	const struct process *parent = ppid > 0 ? proc_find(ppid) : NULL;
	int32_t pgid = parent ? parent->pgid : 0;

	for (unsigned i = 0; i < NPROC; i++) {
		struct process *p = &procs[i];

		if (p->state != SLOT_FREE)
			continue;
		memset(p, 0, sizeof(*p));
		p->state = SLOT_NEW;
		p->pid = pid_next();
		p->ppid = ppid;
		p->pgid = pgid ? pgid : p->pid;
		p->serial = ++serial;
		p->oom_adj = parent ? parent->oom_adj : 0;
		return p;
	}
	return NULL;
}

/* Give the slot back; the caller has closed every handle in it. */
void proc_free(struct process *p)
{
	memset(p, 0, sizeof(*p));
}

struct process *proc_find(int32_t pid)
{
	for (unsigned i = 0; i < NPROC; i++) {
		struct process *p = &procs[i];

		if ((p->state == SLOT_RUNNING || p->state == SLOT_ZOMBIE) && p->pid == pid)
			return p;
	}
	return NULL;
}

struct process *proc_running(int32_t pid)
{
	struct process *p = proc_find(pid);

	return p && p->state == SLOT_RUNNING ? p : NULL;
}
