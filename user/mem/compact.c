/*
 * Compaction. mem holds memory in chunks of up to 4,096 pages and gives a
 * chunk back only when it is empty: after a big process ends, a chunk may
 * keep a few pages of a long-lived one, and the kernel's large blocks are
 * gone though most of the memory is free. Compaction moves the pages of
 * mostly empty chunks (a quarter used or less) into free pages of lower
 * chunks, highest chunk first (pages are taken from the lowest chunk with
 * room, so long-lived pages gather low), and the emptied chunks go back
 * (pool_trim): whole blocks again, which `free` shows per order.
 *
 * Only private pages move (swap_migrate finds every space holding them at
 * their address); a chunk holding one of mem's own table pages or a page
 * of a shared object stays. It runs when mem's own request for a chunk
 * came back smaller than asked (the kernel had no block of that order
 * though mem had room to grow: pool_fragmented), after the reply, and on
 * request (MEM_COMPACT, `free -c`).
 */
#include "user/mem/mem.h"

#include "lib/error.h"

/* Move every page of chunk c below it; false if one could not move (c is left as it is now). */
static bool empty_chunk(unsigned c)
{
	unsigned i = 0;
	pageid_t p;

	while ((p = pool_used_page(c, &i)) != 0) {
		pageid_t q = pool_alloc_below(c);
		if (!q)
			return false;
		if (!swap_migrate(p, q)) {
			pool_unref(q);
			return false;
		}
	}
	return true;
}

static uint64_t runs, given_back;

static unsigned compact(void)
{
	unsigned emptied = 0;

	for (unsigned c = pool_chunks(); c-- > 1;) {
		unsigned used, npages;
		if (!pool_chunk(c, &used, &npages) || used == 0 || used > npages / 4 ||
		    pool_free_below(c) < used)
			continue;
		emptied += empty_chunk(c);
	}
	pool_trim();
	return emptied;
}

unsigned compact_counted(void)
{
	unsigned n = compact();

	runs++;
	given_back += n;
	return n;
}

int compact_request(struct msg *m)
{
	if (msg_words(m->tag) != 0)
		return ERR_INVALID;
	unsigned n = compact_counted();
	*m = (struct msg){.tag = msg_tag(MEM_COMPACT, 2, 0), .w = {n, pool_pages()}};
	return ERR_OK;
}

void compact_stats(struct mem_stats *s)
{
	s->compactions = runs;
	s->compacted = given_back;
}
