/*
 * Load control. When mem finds paging thrashing (user/mem/load.c: in the
 * last period, the pages evicted came back in at least half as fast, from
 * two processes or more), the working sets of the processes that page do
 * not fit in memory together, and every one of them runs at the speed of
 * the disk. proc then *holds* one of them: its thread is suspended and mem
 * writes its pages out, so that the others fit and finish; once there is
 * room for it again, it goes on.
 *
 * Whom: among the processes that paged in during the last period (never
 * the last of them), the one holding the most memory (resident + swapped:
 * its departure frees the most), the latest started among equals; never
 * one set to PROC_OOM_ADJ_MIN, nor one that serves others (/srv).
 *
 * When it goes on (the longest held first): when mem has as many free
 * pages as it had resident when it was held (its working set, roughly), or
 * when every other process with memory has been blocked for a while (they
 * may be waiting for it: a pipe, a wait). After a hold or a release, the
 * next hold waits a few ticks, for the effect to show in mem's periods.
 *
 * All of it runs on the reaper's tick (every 50 ms), on proc's main thread:
 * every tick while a process is held, every fourth otherwise (each look
 * is a call to mem).
 */
#include "user/proc/proc.h"

#include "lib/error.h"
#include "lib/user/syscall.h"

#define SETTLE_TICKS  20   /* ticks after a hold or release before the next hold */
#define BLOCKED_TICKS 10   /* ticks every other process must be blocked to release */
#define OUT_PER_TICK  1024 /* pages mem writes out of a held process per tick */
#define QUIET_TICKS   4	   /* with nobody held, mem is asked every 4th tick only */

static struct {
	uint64_t verdicts; /* mem's thrash_periods when last looked at */
	unsigned settle;   /* ticks until another hold may come */
	unsigned blocked;  /* ticks every unheld process with memory has been blocked */
	unsigned quiet;	   /* ticks since mem was last asked, nobody held */
	uint64_t holds;	   /* since boot */
} lc;

static bool may_hold(const struct process *p)
{
	return p->state == SLOT_RUNNING && p->vs && p->thread && !p->held && !p->stopped_by &&
	       p->oom_adj != PROC_OOM_ADJ_MIN && !srv_published(p->pid);
}

/* The process to hold, or NULL: fewer than two paged in the last period. */
static struct process *choose(void)
{
	struct process *best = NULL;
	uint64_t most = 0;
	unsigned paging = 0;

	for (unsigned i = 0; i < NPROC; i++) {
		struct process *p = &procs[i];
		struct mem_vs_stats st;
		if (p->state != SLOT_RUNNING || !p->vs || mem_vs_stats(p->vs, &st) != ERR_OK ||
		    st.recent_page_ins == 0)
			continue;
		paging++;
		uint64_t size = st.resident + st.swapped;
		if (may_hold(p) &&
		    (!best || size > most || (size == most && p->serial > best->serial))) {
			best = p;
			most = size;
		}
	}
	return paging >= 2 ? best : NULL;
}

static void hold(struct process *p)
{
	struct mem_vs_stats st;

	if (mem_vs_stats(p->vs, &st) != ERR_OK || sys_thread_suspend(p->thread) != ERR_OK)
		return;
	p->held = true;
	p->held_pages = st.resident;
	p->swapping_out = true;
	p->hold_serial = ++lc.holds;
	lc.settle = SETTLE_TICKS;
	con_printf(&env.out, "proc: paging thrashes: %s[%d] held (resident %lu KiB)\n", p->name,
		   p->pid, (uint64_t)(st.resident * (PAGE / 1024)));
}

void load_release(struct process *p)
{
	if (!p->held)
		return;
	p->held = false;
	p->swapping_out = false;
	if (!p->stopped_by && p->thread)
		sys_thread_start(p->thread);
	lc.settle = SETTLE_TICKS;
	con_printf(&env.out, "proc: %s[%d] goes on\n", p->name, p->pid);
}

/* Is every process with memory that is not held blocked (waiting, perhaps for a held one)? */
static bool others_blocked(void)
{
	for (unsigned i = 0; i < NPROC; i++) {
		const struct process *p = &procs[i];
		struct thread_info ti = {0};
		if (p->state != SLOT_RUNNING || !p->vs || !p->thread || p->held || p->stopped_by)
			continue;
		if (sys_thread_info(p->thread, &ti) == ERR_OK && ti.state != THREAD_BLOCKED &&
		    ti.state != THREAD_SUSPENDED)
			return false;
	}
	return true;
}

/* The process held longest (the lowest serial among held ones), or NULL. */
static struct process *first_held(void)
{
	struct process *first = NULL;

	for (unsigned i = 0; i < NPROC; i++) {
		struct process *p = &procs[i];
		if (p->state == SLOT_RUNNING && p->held &&
		    (!first || p->hold_serial < first->hold_serial))
			first = p;
	}
	return first;
}

/* mem writes held processes' pages out, a bounded amount per tick (proc waits for it). */
static void write_out_held(void)
{
	for (unsigned i = 0; i < NPROC; i++) {
		struct process *p = &procs[i];
		if (p->state == SLOT_RUNNING && p->held && p->swapping_out)
			p->swapping_out = mem_vs_swapout(p->vs, OUT_PER_TICK) == OUT_PER_TICK;
	}
}

void load_tick(void)
{
	struct mem_stats st;
	struct process *first = first_held();

	if (lc.settle > 0)
		lc.settle--;
	if (!first && ++lc.quiet < QUIET_TICKS) /* a call to mem each tick would cost mem too */
		return;
	lc.quiet = 0;
	if (mem_stats(&st) != ERR_OK || !st.load_control)
		return;
	lc.blocked = first && others_blocked() ? lc.blocked + 1 : 0;
	if (first && (st.pool_free >= first->held_pages || lc.blocked >= BLOCKED_TICKS)) {
		load_release(first);
		lc.blocked = 0;
	}
	write_out_held();
	/* A period found thrashing since the last look (not only the last one). */
	bool thrashed = st.thrash_periods != lc.verdicts;
	lc.verdicts = st.thrash_periods;
	if (thrashed && lc.settle == 0) {
		struct process *p = choose();
		if (p)
			hold(p);
	}
}
