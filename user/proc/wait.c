/*
 * PROC_WAIT: reap an ended child. It never blocks in proc: a parent with
 * nothing to reap yet gets ERR_WOULDBLOCK and waits on its child_event
 * notification.
 */
#include "user/proc/proc.h"

#include "lib/error.h"

/* The pid asked for: -1 (any child), as a 64-bit or a 32-bit value, or a positive pid. */
static int wanted_pid(uint64_t w, int64_t *pid)
{
	if (w == UINT64_MAX || w == UINT32_MAX) {
		*pid = -1;
		return ERR_OK;
	}
	if (w == 0 || w > INT32_MAX)
		return ERR_INVALID;
	*pid = (int64_t)w;
	return ERR_OK;
}

/*
 * w0 = pid or -1, w1 = flags (PROC_WAIT_STOPPED). A matching zombie child
 * of caller is reaped: m gets w0 = its pid, w1 = its wait status. With
 * PROC_WAIT_STOPPED a child stopped since it was last reported is
 * reported (not reaped) with a stopped wait status. ERR_WOULDBLOCK if
 * matching children exist but all still run; ERR_NOENT if there is none.
 */
int do_wait(int32_t caller, struct msg *m)
{
	int64_t want;
	int live = 0;
	uint64_t flags = msg_words(m->tag) >= 2 ? m->w[1] : 0;
	int e = wanted_pid(m->w[0], &want);

	if (e == ERR_OK && (flags & ~(uint64_t)PROC_WAIT_STOPPED))
		e = ERR_INVALID;
	if (e != ERR_OK)
		return e;
	for (unsigned i = 0; i < NPROC; i++) {
		struct process *c = &procs[i];

		if (c->ppid != caller || (want != -1 && c->pid != want))
			continue;
		if (c->state == SLOT_ZOMBIE) {
			*m = (struct msg){.tag = msg_tag(PROC_WAIT, 2, 0),
					  .w = {(uint64_t)c->pid, (uint64_t)(int64_t)c->status}};
			times_reaped(caller, c);
			process_reap(c);
			return ERR_OK;
		}
		if (c->state == SLOT_RUNNING && c->stopped_by && !c->stop_reported &&
		    (flags & PROC_WAIT_STOPPED)) {
			c->stop_reported = true;
			*m = (struct msg){
			    .tag = msg_tag(PROC_WAIT, 2, 0),
			    .w = {(uint64_t)c->pid,
				  (uint64_t)(int64_t)PROC_STATUS_STOPPED(c->stopped_by)}};
			return ERR_OK;
		}
		if (c->state == SLOT_RUNNING)
			live = 1;
	}
	return live ? ERR_WOULDBLOCK : ERR_NOENT;
}
