#include "mm/region.h"

#include "lib/error.h"
#include "lib/str.h"

#define RIGHTS_MASK 7u

void region_table_init(struct region_table *t, struct region *storage, unsigned cap)
{
	*t = (struct region_table){.r = storage, .n = 0, .cap = cap};
}

/* Index of the first region whose end is above va (n if none). */
static unsigned first_ending_after(const struct region_table *t, vaddr_t va)
{
	unsigned lo = 0, hi = t->n;

	while (lo < hi) {
		unsigned mid = lo + (hi - lo) / 2;
		if (t->r[mid].end <= va)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

int region_add(struct region_table *t, const struct region *r, vaddr_t limit)
{
	if (!IS_ALIGNED(r->base, PAGE_SIZE) || !IS_ALIGNED(r->end, PAGE_SIZE))
		return ERR_ALIGN;
	if (r->end <= r->base || !r->pager || (r->maxrights & ~RIGHTS_MASK))
		return ERR_INVALID;
	if (r->end > limit)
		return ERR_RANGE;
	unsigned i = first_ending_after(t, r->base);
	if (i < t->n && t->r[i].base < r->end)
		return ERR_EXISTS;
	if (t->n == t->cap)
		return ERR_FULL;
	memmove(&t->r[i + 1], &t->r[i], (t->n - i) * sizeof(t->r[0]));
	t->r[i] = *r;
	t->n++;
	return ERR_OK;
}

int region_remove(struct region_table *t, vaddr_t base, struct region *out)
{
	unsigned i = first_ending_after(t, base);

	if (i == t->n || t->r[i].base != base)
		return ERR_NOENT;
	if (out)
		*out = t->r[i];
	memmove(&t->r[i], &t->r[i + 1], (t->n - i - 1) * sizeof(t->r[0]));
	t->n--;
	return ERR_OK;
}

const struct region *region_find(const struct region_table *t, vaddr_t va)
{
	unsigned i = first_ending_after(t, va);

	if (i < t->n && t->r[i].base <= va)
		return &t->r[i];
	return NULL;
}

void region_table_move(struct region_table *t, struct region *storage, unsigned cap)
{
	memcpy(storage, t->r, t->n * sizeof(t->r[0]));
	t->r = storage;
	t->cap = cap;
}
