/*
 * Thrashing, as mem sees it. Paging is measured in *periods*: a period
 * ends each time a quarter of what mem holds (at least 512 pages) has gone
 * out to swap. A period in which at least half as many pages came back in
 * as went out, from two processes or more, is *thrashing*: the pages the
 * policy evicts are wanted again at once, because the working sets of
 * the processes that page do not fit together. One process alone paging
 * beyond RAM is not thrashing in this sense: holding it would not help.
 *
 * mem only tells: the verdicts (struct mem_stats's thrash_periods,
 * thrashing) and each space's page-ins of the last period that thrashed
 * (struct mem_vs_stats's recent_page_ins). proc decides whom to hold and when to
 * let it go (user/proc/load.c), and asks mem to write a held process's
 * pages out at once (MEM_VS_SWAPOUT, swap_out_space).
 */
#include "user/mem/mem.h"

#define MIN_PERIOD 512 /* pages paged out */

static struct {
	uint64_t outs0, ins0; /* the counters when the period began */
	uint64_t periods, thrash_periods;
	bool thrashing; /* the last period's verdict */
} ld;

static uint64_t period_length(void)
{
	uint64_t quarter = pool_capacity() / 4;

	return quarter > MIN_PERIOD ? quarter : MIN_PERIOD;
}

/* How many spaces paged in during the period just ended. */
static unsigned active_spaces(void)
{
	unsigned active = 0;

	for (unsigned i = 0; i < NVS; i++)
		active += vs_at(i) && vs_at(i)->c.page_ins != vs_at(i)->ins_mark;
	return active;
}

/*
 * Each space's page-ins of the period just ended become its recent ones if
 * the period thrashed (proc chooses among them, maybe a few periods later);
 * a calm period leaves those of the last one that thrashed.
 */
static void close_spaces(bool thrashed)
{
	for (unsigned i = 0; i < NVS; i++) {
		struct vs *v = vs_at(i);
		if (!v)
			continue;
		if (thrashed)
			v->recent_ins = v->c.page_ins - v->ins_mark;
		v->ins_mark = v->c.page_ins;
	}
}

void load_paged(uint64_t page_outs, uint64_t page_ins)
{
	uint64_t outs = page_outs - ld.outs0, ins = page_ins - ld.ins0;

	if (outs < period_length())
		return;
	ld.thrashing = 2 * ins >= outs && active_spaces() >= 2;
	close_spaces(ld.thrashing);
	ld.periods++;
	ld.thrash_periods += ld.thrashing;
	ld.outs0 = page_outs;
	ld.ins0 = page_ins;
}

void load_stats(struct mem_stats *s)
{
	s->thrash_periods = ld.thrash_periods;
	s->paging_periods = ld.periods;
	s->thrashing = ld.thrashing;
}
