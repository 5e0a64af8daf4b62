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

static int check(const struct region *r, vaddr_t limit)
{
	if (!IS_ALIGNED(r->base, PAGE_SIZE) || !IS_ALIGNED(r->end, PAGE_SIZE))
		return ERR_ALIGN;
	if (r->end <= r->base || !r->pager || (r->maxrights & ~RIGHTS_MASK))
		return ERR_INVALID;
	if (r->end > limit)
		return ERR_RANGE;
	return ERR_OK;
}

int region_add(struct region_table *t, const struct region *r, vaddr_t limit)
{
	int e = check(r, limit);

	if (e != ERR_OK)
		return e;
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

/* Can b, which starts where a ends, be one region with a? */
static bool same_pager(const struct region *a, const struct region *b)
{
	return a->pager == b->pager && a->badge == b->badge && a->maxrights == b->maxrights &&
	       a->offset + (a->end - a->base) == b->offset;
}

int region_replace(struct region_table *t, const struct region *r, vaddr_t limit,
		   region_ref_fn *ref)
{
	int e = check(r, limit);

	if (e != ERR_OK)
		return e;
	if (t->cap - t->n < 2)
		return ERR_FULL;
	/* Entries [i, j) overlap r; mid[] is what takes their place, r at mid[at]. */
	unsigned i = first_ending_after(t, r->base), j = i, k = 0, at;
	while (j < t->n && t->r[j].base < r->end)
		j++;
	struct region mid[3];
	if (i < j && t->r[i].base < r->base) {
		mid[k] = t->r[i];
		mid[k++].end = r->base;
	}
	at = k;
	mid[k++] = *r;
	if (i < j && t->r[j - 1].end > r->end) {
		mid[k] = t->r[j - 1];
		mid[k].offset += r->end - mid[k].base;
		mid[k++].base = r->end;
	}
	for (unsigned m = 0; m < k; m++)
		ref(mid[m].pager, +1);
	for (unsigned m = i; m < j; m++)
		ref(t->r[m].pager, -1);
	/* Merge r with what touches it: a kept piece, else the entry beyond. */
	if (at > 0 && same_pager(&mid[at - 1], &mid[at])) {
		mid[at - 1].end = mid[at].end;
		ref(mid[at].pager, -1);
		if (at + 1 < k)
			mid[at] = mid[at + 1]; /* the piece after r, if any */
		k--;
		at--;
	} else if (at == 0 && i > 0 && t->r[i - 1].end == r->base && same_pager(&t->r[i - 1], r)) {
		i--;
		mid[0].base = t->r[i].base;
		mid[0].offset = t->r[i].offset;
		ref(t->r[i].pager, -1);
	}
	if (at + 1 < k && same_pager(&mid[at], &mid[at + 1])) {
		mid[at].end = mid[at + 1].end;
		ref(mid[at + 1].pager, -1);
		k--;
	} else if (at + 1 == k && j < t->n && t->r[j].base == mid[at].end &&
		   same_pager(&mid[at], &t->r[j])) {
		mid[at].end = t->r[j].end;
		ref(t->r[j++].pager, -1);
	}
	memmove(&t->r[i + k], &t->r[j], (t->n - j) * sizeof(t->r[0]));
	memcpy(&t->r[i], mid, k * sizeof(mid[0]));
	t->n = t->n - (j - i) + k;
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
