/*
 * Statistics anyone may ask for: the system's (STATS) and one memory
 * space's (VS_STATS). Both travel as bytes in the reply (msgbytes).
 */
#include "user/mem/mem.h"

#include "lib/user/msgbytes.h"
#include "lib/user/syscall.h"

static void system_stats(struct mem_stats *s)
{
	*s = (struct mem_stats){0};
	sys_mem_info_orders(env.system, &s->free_pages, &s->total_pages, s->free_blocks,
			    &s->slab_pages);
	s->resident = pool_resident();
	s->committed = total_committed;
	s->commit_limit = pool_capacity();
	s->pool_pages = pool_pages();
	s->faults = total.faults;
	s->zero_fills = total.zero_fills;
	s->file_fills = total.file_fills;
	s->cow_copies = total.cow_copies;
	s->cow_shared = total.cow_shared;
	s->around = total.around;
	s->spaces = vs_count();
	pressure_stats(s);
}

static void space_stats(const struct vs *v, struct mem_vs_stats *s)
{
	*s = (struct mem_vs_stats){
	    .resident = v->resident,
	    .committed = v->committed,
	    .limit = v->limit,
	    .faults = v->c.faults,
	    .zero_fills = v->c.zero_fills,
	    .file_fills = v->c.file_fills,
	    .cow_copies = v->c.cow_copies,
	    .cow_shared = v->c.cow_shared,
	};
}

int stats_request(uint64_t badge, struct msg *m)
{
	unsigned label = msg_label(m->tag);

	if (label == MEM_STATS) {
		struct mem_stats s;
		if (msg_words(m->tag) != 0)
			return ERR_INVALID;
		system_stats(&s);
		*m = (struct msg){0};
		m->tag = msg_tag(label, msgbytes_put(m, IPCBUF, 0, &s, sizeof(s)), 0);
		return ERR_OK;
	}
	struct mem_vs_stats s;
	const struct vs *v = vs_find(m->w[0] ? m->w[0] : badge);
	if (msg_words(m->tag) != 1)
		return ERR_INVALID;
	if (!v)
		return ERR_NOENT;
	space_stats(v, &s);
	*m = (struct msg){0};
	m->tag = msg_tag(label, msgbytes_put(m, IPCBUF, 0, &s, sizeof(s)), 0);
	return ERR_OK;
}
