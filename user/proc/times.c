/*
 * CPU time of processes for times(): the kernel counts each thread's time;
 * proc keeps what outlives a thread. A process's own figure gathers the
 * threads of the programs it ran (exec replaces the thread) once each is
 * replaced or the process ends; a parent's children figure gathers what its
 * waited-for children and their own waited-for children used, as POSIX
 * has tms_cutime and tms_cstime.
 */
#include "user/proc/proc.h"

#include "lib/error.h"
#include "lib/user/syscall.h"

void times_add_thread(struct process *p)
{
	struct thread_info ti = {0};

	if (p->thread && sys_thread_info(p->thread, &ti) == ERR_OK) {
		p->user_ns += ti.user_ns;
		p->kernel_ns += ti.kernel_ns;
	}
}

void times_reaped(int32_t parent, const struct process *c)
{
	struct process *p = parent ? proc_running(parent) : NULL;

	if (!p)
		return; /* root keeps no figures */
	p->child_user_ns += c->user_ns + c->child_user_ns;
	p->child_kernel_ns += c->kernel_ns + c->child_kernel_ns;
}

/* -> w0, w1 = user and kernel nanoseconds of the caller's waited-for children. */
int do_times(int32_t caller, struct msg *m)
{
	const struct process *p = caller ? proc_running(caller) : NULL;

	*m = (struct msg){.tag = msg_tag(PROC_TIMES, 2, 0),
			  .w = {p ? p->child_user_ns : 0, p ? p->child_kernel_ns : 0}};
	return ERR_OK;
}
