/*
 * Which pool page backs each virtual page of a memory space: a three-level
 * table indexed like Sv39 (9 bits per level above the page offset), its
 * nodes being pool pages of 512 entries. An entry of an upper node is the
 * child's address (page aligned) with the child's number of used entries
 * in its low 12 bits, so a node is freed the moment its last entry goes
 * without scanning it, and a space's table costs what it maps. A leaf
 * entry is the page id, plus MAPPED once the page may be mapped in the
 * space: pages never mapped there (most of a forked child's) need no unmap.
 */
#include "user/mem/mem.h"

#define FANOUT	512u
#define COUNT	0xfffull
#define NODE(e) ((uint64_t *)((e) & ~COUNT))
#define MAPPED	(1ull << 32)

static unsigned idx(uint64_t va, unsigned level)
{
	return (va >> (12 + 9 * level)) & (FANOUT - 1);
}

int radix_init(struct radix *r)
{
	r->top = pool_alloc_meta();
	return r->top ? ERR_OK : ERR_NOMEM;
}

void radix_destroy(struct radix *r)
{
	for (unsigned i = 0; r->top && i < FANOUT; i++) {
		uint64_t *mid = NODE(r->top[i]);
		for (unsigned j = 0; mid && j < FANOUT; j++)
			if (mid[j])
				pool_free_meta(NODE(mid[j]));
		if (mid)
			pool_free_meta(mid);
	}
	if (r->top)
		pool_free_meta(r->top);
	r->top = 0;
}

/* va's leaf entry, or NULL if it has no leaf. */
static uint64_t *entry(const struct radix *r, uint64_t va)
{
	const uint64_t *mid = NODE(r->top[idx(va, 2)]);
	uint64_t *leaf = mid ? NODE(mid[idx(va, 1)]) : 0;

	return leaf ? &leaf[idx(va, 0)] : 0;
}

pageid_t radix_get(const struct radix *r, uint64_t va)
{
	const uint64_t *e = entry(r, va);

	return e ? (pageid_t)*e : 0;
}

bool radix_mapped(const struct radix *r, uint64_t va)
{
	const uint64_t *e = entry(r, va);

	return e && (*e & MAPPED);
}

void radix_mark_mapped(struct radix *r, uint64_t va)
{
	uint64_t *e = entry(r, va);

	if (e && *e)
		*e |= MAPPED;
}

/* The node below *slot, made (and counted in the parent) if absent. */
static uint64_t *child_made(uint64_t *slot, uint64_t *parent_slot)
{
	if (!*slot) {
		uint64_t *n = pool_alloc_meta();
		if (!n)
			return 0;
		*slot = (uint64_t)n;
		if (parent_slot)
			(*parent_slot)++;
	}
	return NODE(*slot);
}

/* One entry fewer under *slot: free the child node when it has none left. */
static bool child_shrinks(uint64_t *slot)
{
	if (--*slot & COUNT)
		return false;
	pool_free_meta(NODE(*slot));
	*slot = 0;
	return true;
}

static int radix_add(struct radix *r, uint64_t va, pageid_t p)
{
	uint64_t *mslot = &r->top[idx(va, 2)];
	uint64_t *mid = child_made(mslot, 0);
	if (!mid)
		return ERR_NOMEM;
	uint64_t *lslot = &mid[idx(va, 1)];
	uint64_t *leaf = child_made(lslot, mslot);
	if (!leaf) {
		if (!(*mslot & COUNT)) { /* the mid node was made for nothing */
			pool_free_meta(mid);
			*mslot = 0;
		}
		return ERR_NOMEM;
	}
	if (!leaf[idx(va, 0)])
		(*lslot)++;
	leaf[idx(va, 0)] = p;
	return ERR_OK;
}

static void radix_remove(struct radix *r, uint64_t va)
{
	uint64_t *mslot = &r->top[idx(va, 2)];
	uint64_t *mid = NODE(*mslot);
	uint64_t *lslot = mid ? &mid[idx(va, 1)] : 0;
	uint64_t *leaf = lslot ? NODE(*lslot) : 0;

	if (!leaf || !leaf[idx(va, 0)])
		return;
	leaf[idx(va, 0)] = 0;
	if (child_shrinks(lslot))
		child_shrinks(mslot);
}

int radix_set(struct radix *r, uint64_t va, pageid_t p)
{
	if (!p) {
		radix_remove(r, va);
		return ERR_OK;
	}
	return radix_add(r, va, p);
}

void radix_each(const struct radix *r, uint64_t lo, uint64_t hi,
		void (*fn)(void *arg, uint64_t va, pageid_t p, bool mapped), void *arg)
{
	const uint64_t span1 = 1ull << 21, span2 = 1ull << 30;

	for (uint64_t va = PAGE_DOWN(lo); va < hi;) {
		const uint64_t *mid = NODE(r->top[idx(va, 2)]);
		if (!mid) {
			va = (va & ~(span2 - 1)) + span2;
			continue;
		}
		const uint64_t *leaf = NODE(mid[idx(va, 1)]);
		if (!leaf) {
			va = (va & ~(span1 - 1)) + span1;
			continue;
		}
		/* The callback may clear the entry and free the leaf: look it up anew each step. */
		uint64_t e = leaf[idx(va, 0)];
		if (e)
			fn(arg, va, (pageid_t)e, (e & MAPPED) != 0);
		va += PAGE;
	}
}
