#include "lib/radix.h"

#include <stddef.h>

#include "lib/error.h"

#define FANOUT	512u
#define COUNT	0xfffull /* used entries of the child, in an upper entry */
#define NODE(e) ((uint64_t *)(uintptr_t)((e) & ~COUNT))
#define MAPPED	(1ull << 32)
#define SPAN0	(1ull << 12) /* bytes under a leaf entry */
#define SPAN1	(1ull << 21) /* under a mid entry */
#define SPAN2	(1ull << 30) /* under a top entry */

static unsigned idx(uint64_t va, unsigned level)
{
	return (va >> (12 + 9 * level)) & (FANOUT - 1);
}

static void *node_alloc(const struct radix *r)
{
	return r->nodes->alloc(r->nodes->ctx);
}

static void node_free(const struct radix *r, uint64_t *node)
{
	r->nodes->free(r->nodes->ctx, node);
}

int radix_init(struct radix *r, const struct radix_alloc *nodes)
{
	r->nodes = nodes;
	r->top = node_alloc(r);
	return r->top ? ERR_OK : ERR_NOMEM;
}

void radix_destroy(struct radix *r)
{
	for (unsigned i = 0; r->top && i < FANOUT; i++) {
		uint64_t *mid = NODE(r->top[i]);
		for (unsigned j = 0; mid && j < FANOUT; j++)
			if (mid[j])
				node_free(r, NODE(mid[j]));
		if (mid)
			node_free(r, mid);
	}
	if (r->top)
		node_free(r, r->top);
	r->top = NULL;
}

/* va's leaf entry, or NULL if it has no leaf. */
static uint64_t *entry(const struct radix *r, uint64_t va)
{
	if (va >= RADIX_VA_LIMIT)
		return NULL;
	const uint64_t *mid = NODE(r->top[idx(va, 2)]);
	uint64_t *leaf = mid ? NODE(mid[idx(va, 1)]) : NULL;

	return leaf ? &leaf[idx(va, 0)] : NULL;
}

uint32_t radix_get(const struct radix *r, uint64_t va)
{
	const uint64_t *e = entry(r, va);

	return e ? (uint32_t)*e : 0;
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

/* The node below *slot, made (and counted in *parent_slot) if absent; NULL if out of nodes. */
static uint64_t *child_made(const struct radix *r, uint64_t *slot, uint64_t *parent_slot)
{
	if (!*slot) {
		uint64_t *n = node_alloc(r);
		if (!n)
			return NULL;
		*slot = (uint64_t)(uintptr_t)n;
		if (parent_slot)
			(*parent_slot)++;
	}
	return NODE(*slot);
}

/* One entry fewer under *slot: free the child node when it has none left. */
static bool child_shrinks(const struct radix *r, uint64_t *slot)
{
	if (--*slot & COUNT)
		return false;
	node_free(r, NODE(*slot));
	*slot = 0;
	return true;
}

static int add_entry(struct radix *r, uint64_t va, uint32_t value)
{
	uint64_t *mslot = &r->top[idx(va, 2)];
	uint64_t *mid = child_made(r, mslot, NULL);
	if (!mid)
		return ERR_NOMEM;
	uint64_t *lslot = &mid[idx(va, 1)];
	uint64_t *leaf = child_made(r, lslot, mslot);
	if (!leaf) {
		if (!(*mslot & COUNT)) { /* the mid node was made for nothing */
			node_free(r, mid);
			*mslot = 0;
		}
		return ERR_NOMEM;
	}
	if (!leaf[idx(va, 0)])
		(*lslot)++;
	leaf[idx(va, 0)] = value;
	return ERR_OK;
}

static void remove_entry(struct radix *r, uint64_t va)
{
	uint64_t *mslot = &r->top[idx(va, 2)];
	uint64_t *mid = NODE(*mslot);
	uint64_t *lslot = mid ? &mid[idx(va, 1)] : NULL;
	uint64_t *leaf = lslot ? NODE(*lslot) : NULL;

	if (!leaf || !leaf[idx(va, 0)])
		return;
	leaf[idx(va, 0)] = 0;
	if (child_shrinks(r, lslot))
		child_shrinks(r, mslot);
}

int radix_set(struct radix *r, uint64_t va, uint32_t value)
{
	if (va >= RADIX_VA_LIMIT)
		return ERR_RANGE;
	if (!value) {
		remove_entry(r, va);
		return ERR_OK;
	}
	return add_entry(r, va, value);
}

/* The start of the next span (SPAN1, SPAN2) after the one holding va. */
static uint64_t next_span(uint64_t va, uint64_t span)
{
	return (va & ~(span - 1)) + span;
}

void radix_each(const struct radix *r, uint64_t lo, uint64_t hi,
		void (*fn)(void *arg, uint64_t va, uint32_t value, bool mapped), void *arg)
{
	if (hi > RADIX_VA_LIMIT)
		hi = RADIX_VA_LIMIT;
	for (uint64_t va = lo & ~(SPAN0 - 1); va < hi;) {
		const uint64_t *mid = NODE(r->top[idx(va, 2)]);
		if (!mid) {
			va = next_span(va, SPAN2);
			continue;
		}
		const uint64_t *leaf = NODE(mid[idx(va, 1)]);
		if (!leaf) {
			va = next_span(va, SPAN1);
			continue;
		}
		/* fn may clear the entry and free the leaf: look it up anew each step. */
		uint64_t e = leaf[idx(va, 0)];
		if (e)
			fn(arg, va, (uint32_t)e, (e & MAPPED) != 0);
		va += SPAN0;
	}
}
