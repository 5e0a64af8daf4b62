/*
 * Which pool page backs each virtual page of a memory space: a three-level
 * table indexed like Sv39 (9 bits per level above the page offset), its
 * nodes being pool pages of 512 entries. A node is freed when its last
 * entry goes, so a space's table costs what it maps.
 */
#include "user/mem/mem.h"

#define FANOUT 512u

static unsigned idx(uint64_t va, unsigned level)
{
	return (va >> (12 + 9 * level)) & (FANOUT - 1);
}

int radix_init(struct radix *r)
{
	r->top = pool_alloc_meta();
	return r->top ? ERR_OK : ERR_NOMEM;
}

static bool node_empty(const uint64_t *n)
{
	for (unsigned i = 0; i < FANOUT; i++)
		if (n[i])
			return false;
	return true;
}

void radix_destroy(struct radix *r)
{
	for (unsigned i = 0; r->top && i < FANOUT; i++) {
		uint64_t *mid = (uint64_t *)r->top[i];
		for (unsigned j = 0; mid && j < FANOUT; j++)
			if (mid[j])
				pool_free_meta((void *)mid[j]);
		if (mid)
			pool_free_meta(mid);
	}
	if (r->top)
		pool_free_meta(r->top);
	r->top = 0;
}

pageid_t radix_get(const struct radix *r, uint64_t va)
{
	const uint64_t *mid = (const uint64_t *)r->top[idx(va, 2)];
	const uint64_t *leaf = mid ? (const uint64_t *)mid[idx(va, 1)] : 0;

	return leaf ? (pageid_t)leaf[idx(va, 0)] : 0;
}

/* The node at slot, made if absent and make is set. */
static uint64_t *child(uint64_t *slot, bool make)
{
	if (!*slot && make)
		*slot = (uint64_t)pool_alloc_meta();
	return (uint64_t *)*slot;
}

int radix_set(struct radix *r, uint64_t va, pageid_t p)
{
	uint64_t *mslot = &r->top[idx(va, 2)];
	uint64_t *mid = child(mslot, p != 0);
	if (!mid)
		return p ? ERR_NOMEM : ERR_OK;
	uint64_t *lslot = &mid[idx(va, 1)];
	uint64_t *leaf = child(lslot, p != 0);
	if (!leaf) {
		if (p && node_empty(mid)) { /* the mid node was made for nothing */
			pool_free_meta(mid);
			*mslot = 0;
		}
		return p ? ERR_NOMEM : ERR_OK;
	}
	leaf[idx(va, 0)] = p;
	if (p)
		return ERR_OK;
	if (node_empty(leaf)) {
		pool_free_meta(leaf);
		*lslot = 0;
		if (node_empty(mid)) {
			pool_free_meta(mid);
			*mslot = 0;
		}
	}
	return ERR_OK;
}

void radix_each(const struct radix *r, uint64_t lo, uint64_t hi,
		void (*fn)(void *arg, uint64_t va, pageid_t p), void *arg)
{
	const uint64_t span1 = 1ull << 21, span2 = 1ull << 30;

	for (uint64_t va = PAGE_DOWN(lo); va < hi;) {
		const uint64_t *mid = (const uint64_t *)r->top[idx(va, 2)];
		if (!mid) {
			va = (va & ~(span2 - 1)) + span2;
			continue;
		}
		const uint64_t *leaf = (const uint64_t *)mid[idx(va, 1)];
		if (!leaf) {
			va = (va & ~(span1 - 1)) + span1;
			continue;
		}
		/* The callback may clear the entry and free the leaf: look it up anew each step. */
		pageid_t p = (pageid_t)leaf[idx(va, 0)];
		if (p)
			fn(arg, va, p);
		va += PAGE;
	}
}
