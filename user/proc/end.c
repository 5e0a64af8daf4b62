/*
 * The end of a process, however it comes (exit, kill, a crash, or its
 * thread found dead): its resources are released at once and only the slot
 * stays, as a zombie holding the wait status until the parent reaps it.
 */
#include "user/proc/proc.h"

#include "lib/error.h"
#include "lib/user/syscall.h"

static void close_handle(handle_t *h)
{
	if (*h)
		sys_handle_close(*h);
	*h = 0;
}

/* Tell p's parent (root for ppid 0) that a child of theirs ended. */
void notify_parent(const struct process *p)
{
	if (p->ppid == 0) {
		if (env.root_event)
			sys_notify_signal(env.root_event, CHILD_EVENT_BITS);
		return;
	}
	struct process *parent = proc_running(p->ppid);
	if (parent && parent->event)
		sys_notify_signal(parent->event, CHILD_EVENT_BITS);
	if (parent)
		signal_send(parent, PROC_SIGCHLD);
}

/* p is gone: its zombie children are reaped now, its live ones become orphans. */
static void release_children(const struct process *p)
{
	for (unsigned i = 0; i < NPROC; i++) {
		struct process *c = &procs[i];

		if (c->state == SLOT_FREE || c->ppid != p->pid)
			continue;
		if (c->state == SLOT_ZOMBIE)
			process_reap(c);
		else
			c->ppid = -1;
	}
}

/*
 * End running process p with wait status: kill its thread (if it is not
 * dead yet), have mem free its memory, close proc's handles to its objects
 * (they go once the thread is dead), make it a zombie and tell its parent.
 * An orphan has nobody to tell and is reaped at once.
 */
void process_end(struct process *p, int32_t status)
{
	if (p->thread)
		sys_thread_kill(p->thread, -1); /* ERR_STATE if it is dead already: fine */
	times_add_thread(p);
	if (p->vs)
		mem_vs_destroy(p->vs);
	p->vs = 0;
	fs_detach(p);
	srv_forget_pid(p->pid);
	close_handle(&p->thread);
	close_handle(&p->space);
	close_handle(&p->quota);
	close_handle(&p->event);
	p->status = status;
	p->state = SLOT_ZOMBIE;
	release_children(p);
	if (p->ppid == -1) {
		process_reap(p);
		return;
	}
	notify_parent(p);
}

/* Forget zombie p: its slot (and, later, its pid) becomes free. */
void process_reap(struct process *p)
{
	proc_free(p);
}
