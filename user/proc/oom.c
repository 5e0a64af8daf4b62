/*
 * The OOM killer. With `overcommit=1`, mem promises more than it can give,
 * and a fault may find neither a free page nor free swap: mem answers it
 * ERR_NOMEM, and the exception comes here. proc then ends the process whose
 * death gives back the most (resident + swapped pages), weighed by its
 * adjustment (PROC_OOM_ADJ), and the faulting thread tries again.
 *
 * Who may be chosen: any running process of proc's but those that serve
 * others (a name under /srv: a pager, a ring's end) and those set to
 * PROC_OOM_ADJ_MIN. Root and the servers root starts are no processes of
 * proc's at all.
 *
 * Another thread's fault may have failed before the last kill freed
 * memory (its exception was queued behind the first): so if mem has
 * memory again, the thread just retries, once; a second failure without a
 * kill in between means that memory is not for it, and a victim goes.
 */
#include "user/proc/proc.h"

#include "lib/error.h"
#include "lib/user/syscall.h"

/* Free pages (pool and swap) above which a failed fault is retried rather than a process killed. */
#define RETRY_AVAILABLE 128

/* What a process's death would give back, in pages, and its weighed badness. */
struct oom_score {
	uint64_t resident, swapped;
	int64_t badness;
};

/* p's score; false if p may not be chosen. */
static bool score(const struct process *p, uint64_t total, struct oom_score *s)
{
	struct mem_vs_stats st;

	if (p->state != SLOT_RUNNING || !p->vs || p->oom_adj == PROC_OOM_ADJ_MIN ||
	    srv_published(p->pid) || /* serves others */ mem_vs_stats(p->vs, &st) != ERR_OK)
		return false;
	s->resident = st.resident;
	s->swapped = st.swapped;
	s->badness = (int64_t)(st.resident + st.swapped) + p->oom_adj * (int64_t)total / 1000;
	if (s->badness < 1) /* weighed down to nothing, yet still a candidate */
		s->badness = 1;
	return true;
}

/* The process to end: the highest badness, the latest started among equals; NULL if none. */
static struct process *choose(uint64_t total, struct oom_score *best)
{
	struct process *victim = NULL;

	for (unsigned i = 0; i < NPROC; i++) {
		struct oom_score s = {0};
		struct process *p = &procs[i];

		if (!score(p, total, &s))
			continue;
		if (!victim || s.badness > best->badness ||
		    (s.badness == best->badness && p->serial > victim->serial)) {
			victim = p;
			*best = s;
		}
	}
	return victim;
}

static void forget_retries(void)
{
	for (unsigned i = 0; i < NPROC; i++)
		procs[i].oom_retried = false;
}

enum oom_verdict oom_fault(struct process *faulter)
{
	struct mem_stats st;
	struct oom_score s = {0};

	if (mem_stats(&st) != ERR_OK || !st.overcommit)
		return OOM_NOT_OVERCOMMITTED;
	if (st.available >= RETRY_AVAILABLE && !faulter->oom_retried) {
		faulter->oom_retried = true;
		return OOM_RETRY;
	}
	struct process *victim = choose(st.commit_limit, &s);
	forget_retries();
	if (!victim) {
		con_printf(&env.out,
			   "Out of memory: no process may be killed; %s[%d] ends, its fault "
			   "unanswered\n",
			   faulter->name, faulter->pid);
		return OOM_FAULTER_DIES;
	}
	con_printf(&env.out, "Out of memory: killed %s[%d] (resident %lu KiB, swap %lu KiB)\n",
		   victim->name, victim->pid, (uint64_t)(s.resident * (PAGE / 1024)),
		   (uint64_t)(s.swapped * (PAGE / 1024)));
	if (victim == faulter)
		return OOM_FAULTER_DIES;
	process_end(victim, PROC_STATUS_SIGNALED(PROC_SIGKILL));
	return OOM_RETRY;
}

/* w0 = pid (0: the caller), w1 = 1 to set to w2, 0 to read -> w0 = the value before. */
int do_oom_adj(int32_t caller, struct msg *m)
{
	int64_t pid = (int64_t)m->w[0], value = (int64_t)m->w[2];
	uint64_t set = m->w[1];

	if (pid < 0 || pid > INT32_MAX || set > 1 || (pid == 0 && caller == 0))
		return ERR_INVALID;
	if (set && (value < PROC_OOM_ADJ_MIN || value > PROC_OOM_ADJ_MAX))
		return ERR_INVALID;
	struct process *p = proc_running(pid ? (int32_t)pid : caller);
	if (!p)
		return ERR_NOENT;
	int32_t before = p->oom_adj;
	if (set)
		p->oom_adj = (int32_t)value;
	*m = (struct msg){.tag = msg_tag(PROC_OOM_ADJ, 1, 0), .w = {(uint64_t)(int64_t)before}};
	return ERR_OK;
}
