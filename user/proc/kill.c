/* PROC_KILL and PROC_EXIT: ending a process on request. */
#include "user/proc/proc.h"

#include "lib/error.h"

/*
 * w0 = pid, w1 = signal 1..31: send that running process the signal
 * (signal.c: its handler, ignored, or its default action, mostly the end
 * of the process with the signal as its wait status). Any process (and
 * root) may signal any process, itself included (if that ends it, its
 * reply is dropped, as its thread is gone).
 */
int do_kill(struct msg *m)
{
	uint64_t pid = m->w[0], sig = m->w[1];

	if (sig < 1 || sig > 31)
		return ERR_INVALID;
	struct process *p = pid <= INT32_MAX ? proc_running((int32_t)pid) : NULL;
	if (!p || pid == 0)
		return ERR_NOENT;
	signal_send(p, (int)sig);
	*m = (struct msg){.tag = msg_tag(PROC_KILL, 0, 0)};
	return ERR_OK;
}

/* w0 = status: the caller ends with exit status (status & 0xff). No reply reaches it. */
void do_exit(struct process *p, struct msg *m)
{
	process_end(p, PROC_STATUS_EXITED((int32_t)(m->w[0] & 0xff)));
}
