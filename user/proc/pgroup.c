/*
 * Process groups: a job of a shell — the processes of a pipeline, and
 * whatever they start — is one group, so that Ctrl-C (con's foreground
 * group) and kill(-pgid, sig) reach all of it, children of children too.
 * A group is named by the pid of the process that started it and lives
 * while a process is in it, running or a zombie not yet waited for (so a
 * shell can add a pipeline's next command after the first has ended);
 * pid_next never hands out its number then.
 */
#include "user/proc/proc.h"

#include "lib/error.h"

bool pgroup_exists(int32_t pgid)
{
	for (unsigned i = 0; i < NPROC; i++)
		if ((procs[i].state == SLOT_RUNNING || procs[i].state == SLOT_ZOMBIE) &&
		    procs[i].pgid == pgid)
			return true;
	return false;
}

unsigned pgroup_members(int32_t pgid, struct process **out)
{
	unsigned n = 0;

	for (unsigned i = 0; i < NPROC; i++) {
		struct process *p = &procs[i];
		if (p->state != SLOT_RUNNING || p->pgid != pgid)
			continue;
		/* Insertion by serial, newest first: the table is small. */
		unsigned j = n++;
		for (; j > 0 && out[j - 1]->serial < p->serial; j--)
			out[j] = out[j - 1];
		out[j] = p;
	}
	return n;
}

/* A pid word (0: the caller) as a running process the caller may name, or NULL. */
static struct process *self_or_child(int32_t caller, uint64_t w)
{
	if (w > INT32_MAX)
		return NULL;
	if (w == 0)
		return caller ? proc_running(caller) : NULL;
	struct process *p = proc_running((int32_t)w);
	return p && (p->pid == caller || (caller && p->ppid == caller)) ? p : NULL;
}

/* PROC_SETPGID: w0 = pid (0: the caller), w1 = group (0: that pid). */
int do_setpgid(int32_t caller, struct msg *m)
{
	if (m->w[0] > INT32_MAX || m->w[1] > INT32_MAX)
		return ERR_INVALID;
	struct process *p = self_or_child(caller, m->w[0]);
	if (!p)
		return ERR_NOENT;
	int32_t pgid = m->w[1] ? (int32_t)m->w[1] : p->pid;
	if (pgid != p->pid && !pgroup_exists(pgid))
		return ERR_PERM;
	p->pgid = pgid;
	*m = (struct msg){.tag = msg_tag(PROC_SETPGID, 0, 0)};
	return ERR_OK;
}

/* PROC_GETPGID: w0 = pid (0: the caller) -> w0 = its group. Any process may ask of any. */
int do_getpgid(int32_t caller, struct msg *m)
{
	uint64_t pid = m->w[0] ? m->w[0] : (uint64_t)caller;
	struct process *p = pid && pid <= INT32_MAX ? proc_running((int32_t)pid) : NULL;

	if (!p)
		return ERR_NOENT;
	*m = (struct msg){.tag = msg_tag(PROC_GETPGID, 1, 0), .w = {(uint64_t)p->pgid}};
	return ERR_OK;
}
