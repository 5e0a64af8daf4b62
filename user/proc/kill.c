/* PROC_KILL and PROC_EXIT: ending a process on request. */
#include "user/proc/proc.h"

#include "lib/error.h"

/*
 * w0 = who, w1 = signal 0..31: send a running process (who > 0), every
 * process of group -who (who < -1) or of the caller's group (who = 0) the
 * signal (signal.c: its handler, ignored, or its default action, mostly
 * the end of the process with the signal as its wait status); signal 0
 * only checks. Any process (and root) may signal any process, itself
 * included (if that ends it, its reply is dropped, as its thread is gone).
 * A group's members are signalled last started first: a pipeline's status
 * is its last command's, which must be the signal's, not an exit at the
 * end of its input because an earlier command died first.
 */
int do_kill(int32_t caller, struct msg *m)
{
	static struct process *members[NPROC];
	int64_t who = (int64_t)m->w[0];
	uint64_t sig = m->w[1];
	unsigned n = 0;

	if (sig > 31 || who == -1 || who < -(int64_t)INT32_MAX || who > INT32_MAX)
		return ERR_INVALID;
	if (who > 0) {
		members[0] = proc_running((int32_t)who);
		n = members[0] ? 1 : 0;
	} else {
		struct process *self = caller ? proc_running(caller) : NULL;
		if (who == 0 && !self)
			return ERR_INVALID;
		n = pgroup_members(who == 0 ? self->pgid : (int32_t)-who, members);
	}
	if (n == 0)
		return ERR_NOENT;
	*m = (struct msg){.tag = msg_tag(PROC_KILL, 0, 0)};
	for (unsigned i = 0; i < n && sig; i++)
		if (members[i]->state == SLOT_RUNNING) /* an earlier end may have reaped it */
			signal_send(members[i], (int)sig);
	return ERR_OK;
}

/* w0 = status: the caller ends with exit status (status & 0xff). No reply reaches it. */
void do_exit(struct process *p, struct msg *m)
{
	process_end(p, PROC_STATUS_EXITED((int32_t)(m->w[0] & 0xff)));
}
