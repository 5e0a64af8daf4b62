/* Host tests for mm/region.c, checked against a brute-force model. */
#include "mm/region.h"

#include <stdlib.h>

#include "lib/error.h"
#include "tests/host/check.h"

#define LIMIT (1ull << 38)
static int pager_a, pager_b;

static struct region mk(vaddr_t base, vaddr_t end)
{
	return (struct region){
	    .base = base, .end = end, .pager = &pager_a, .badge = base, .maxrights = 3};
}

static void add_find_remove(void)
{
	struct region st[8];
	struct region_table t;
	region_table_init(&t, st, 8);

	struct region a = mk(0x10000, 0x20000), b = mk(0x30000, 0x31000);
	CHECK(region_add(&t, &b, LIMIT) == ERR_OK);
	CHECK(region_add(&t, &a, LIMIT) == ERR_OK);
	CHECK(t.n == 2 && t.r[0].base == 0x10000); /* sorted */
	CHECK(region_find(&t, 0x10000)->badge == 0x10000);
	CHECK(region_find(&t, 0x1ffff)->badge == 0x10000);
	CHECK(region_find(&t, 0x20000) == NULL); /* end is exclusive */
	CHECK(region_find(&t, 0x30fff)->badge == 0x30000);
	CHECK(region_find(&t, 0xffff) == NULL);
	struct region out;
	CHECK(region_remove(&t, 0x10000, &out) == ERR_OK && out.end == 0x20000);
	CHECK(region_remove(&t, 0x10000, NULL) == ERR_NOENT);
	CHECK(region_remove(&t, 0x30001, NULL) == ERR_NOENT); /* not a start */
	CHECK(region_find(&t, 0x15000) == NULL);
	CHECK(t.n == 1);
}

static void bad_regions_refused_unchanged(void)
{
	struct region st[2];
	struct region_table t;
	region_table_init(&t, st, 2);
	struct region a = mk(0x10000, 0x20000);
	CHECK(region_add(&t, &a, LIMIT) == ERR_OK);

	struct region r = mk(0x1001, 0x3000);
	CHECK(region_add(&t, &r, LIMIT) == ERR_ALIGN);
	r = mk(0x1000, 0x2001);
	CHECK(region_add(&t, &r, LIMIT) == ERR_ALIGN);
	r = mk(0x2000, 0x2000);
	CHECK(region_add(&t, &r, LIMIT) == ERR_INVALID);
	r = mk(0x3000, 0x2000);
	CHECK(region_add(&t, &r, LIMIT) == ERR_INVALID);
	r = mk(0x2000, 0x3000);
	r.pager = NULL;
	CHECK(region_add(&t, &r, LIMIT) == ERR_INVALID);
	r = mk(0x2000, 0x3000);
	r.maxrights = 8;
	CHECK(region_add(&t, &r, LIMIT) == ERR_INVALID);
	r = mk(LIMIT - 0x1000, LIMIT + 0x1000);
	CHECK(region_add(&t, &r, LIMIT) == ERR_RANGE);
	r = mk(0xf000, 0x11000); /* overlaps the start */
	CHECK(region_add(&t, &r, LIMIT) == ERR_EXISTS);
	r = mk(0x1f000, 0x21000); /* overlaps the end */
	CHECK(region_add(&t, &r, LIMIT) == ERR_EXISTS);
	r = mk(0x11000, 0x12000); /* inside */
	CHECK(region_add(&t, &r, LIMIT) == ERR_EXISTS);
	r = mk(0x0, 0x100000); /* covering */
	CHECK(region_add(&t, &r, LIMIT) == ERR_EXISTS);
	CHECK(t.n == 1);
	r = mk(0x20000, 0x21000); /* touching is fine */
	CHECK(region_add(&t, &r, LIMIT) == ERR_OK);
	r = mk(0x0, 0x10000);
	CHECK(region_add(&t, &r, LIMIT) == ERR_FULL);
	CHECK(t.n == 2);
}

static void random_against_model(void)
{
	enum { PAGES = 256, CAP = 64 };
	struct region st[CAP];
	struct region_table t;
	unsigned char owner[PAGES]; /* 0 = free, else 1 + index into bases */
	region_table_init(&t, st, CAP);
	srand(7);
	for (int i = 0; i < PAGES; i++)
		owner[i] = 0;
	for (int step = 0; step < 20000; step++) {
		unsigned b = (unsigned)rand() % PAGES, len = 1 + (unsigned)rand() % 8;
		if (b + len > PAGES)
			len = PAGES - b;
		if (rand() % 3) {
			struct region r = mk((vaddr_t)b << 12, (vaddr_t)(b + len) << 12);
			r.pager = (rand() & 1) ? &pager_a : &pager_b;
			int free = 1;
			for (unsigned p = b; p < b + len; p++)
				free &= owner[p] == 0;
			int e = region_add(&t, &r, (vaddr_t)PAGES << 12);
			if (!free) {
				CHECK(e == ERR_EXISTS);
			} else if (t.n == CAP && e == ERR_FULL) {
				continue;
			} else {
				CHECK(e == ERR_OK);
				for (unsigned p = b; p < b + len; p++)
					owner[p] = (unsigned char)(1 + b % 250);
			}
		} else {
			const struct region *f = region_find(&t, (vaddr_t)b << 12);
			int starts = f && f->base == (vaddr_t)b << 12;
			CHECK((f != NULL) == (owner[b] != 0));
			struct region out;
			int e = region_remove(&t, (vaddr_t)b << 12, &out);
			CHECK(e == (starts ? ERR_OK : ERR_NOENT));
			if (e == ERR_OK) {
				for (vaddr_t p = out.base >> 12; p < out.end >> 12; p++)
					owner[p] = 0;
			}
		}
		for (unsigned p = 0; p < PAGES; p++)
			CHECK((region_find(&t, (vaddr_t)p << 12) != NULL) == (owner[p] != 0));
		for (unsigned i = 1; i < t.n; i++)
			CHECK(t.r[i - 1].end <= t.r[i].base);
	}
}

static void grow_storage(void)
{
	struct region small[1], big[4];
	struct region_table t;
	region_table_init(&t, small, 1);
	struct region a = mk(0x1000, 0x2000), b = mk(0x3000, 0x4000);
	CHECK(region_add(&t, &a, LIMIT) == ERR_OK);
	CHECK(region_add(&t, &b, LIMIT) == ERR_FULL);
	region_table_move(&t, big, 4);
	CHECK(region_add(&t, &b, LIMIT) == ERR_OK);
	CHECK(t.n == 2 && region_find(&t, 0x1800)->base == 0x1000);
}

/* References per pager, as region_replace reports them. */
static int refs_a, refs_b;

static void count_ref(void *pager, int delta)
{
	if (pager == &pager_a)
		refs_a += delta;
	else
		refs_b += delta;
}

static int entries_of(const struct region_table *t, const void *pager)
{
	int n = 0;
	for (unsigned i = 0; i < t->n; i++)
		n += t->r[i].pager == pager;
	return n;
}

static struct region of(const void *pager, vaddr_t base, vaddr_t end, uint64_t badge)
{
	return (struct region){.base = base,
			       .end = end,
			       .pager = (void *)pager,
			       .badge = badge,
			       .offset = base, /* offsets that run on: neighbours may merge */
			       .maxrights = 7};
}

/* mem's whole-range region, a range given to another pager, and the range given back. */
static void replace_splits_and_merges_back(void)
{
	struct region st[8];
	struct region_table t;
	region_table_init(&t, st, 8);
	refs_a = refs_b = 0;

	struct region whole = of(&pager_a, 0x10000, 0x100000, 1);
	CHECK(region_replace(&t, &whole, LIMIT, count_ref) == ERR_OK);
	CHECK(t.n == 1 && refs_a == 1);
	struct region foreign = of(&pager_b, 0x40000, 0x50000, 9);
	CHECK(region_replace(&t, &foreign, LIMIT, count_ref) == ERR_OK);
	CHECK(t.n == 3 && refs_a == 2 && refs_b == 1);
	CHECK(t.r[0].end == 0x40000 && t.r[1].pager == &pager_b && t.r[2].base == 0x50000);
	CHECK(region_find(&t, 0x4ffff)->badge == 9 && region_find(&t, 0x50000)->badge == 1);
	/* The same pager with another badge does not merge. */
	struct region other = of(&pager_a, 0x40000, 0x48000, 2);
	CHECK(region_replace(&t, &other, LIMIT, count_ref) == ERR_OK);
	CHECK(t.n == 4 && refs_a == 3 && refs_b == 1);
	/* Giving the range back merges the three pieces into one again. */
	struct region back = of(&pager_a, 0x40000, 0x50000, 1);
	CHECK(region_replace(&t, &back, LIMIT, count_ref) == ERR_OK);
	CHECK(t.n == 1 && refs_a == 1 && refs_b == 0);
	CHECK(t.r[0].base == 0x10000 && t.r[0].end == 0x100000);
	/* Covering everything and more; then an exact replacement. */
	struct region big = of(&pager_b, 0x0, 0x200000, 3);
	CHECK(region_replace(&t, &big, LIMIT, count_ref) == ERR_OK);
	CHECK(t.n == 1 && refs_a == 0 && refs_b == 1 && t.r[0].end == 0x200000);
	CHECK(region_replace(&t, &big, LIMIT, count_ref) == ERR_OK);
	CHECK(t.n == 1 && refs_b == 1);
}

/* A piece that loses its start keeps its offsets; offsets that do not run on never merge. */
static void replace_keeps_offsets(void)
{
	struct region st[8];
	struct region_table t;
	region_table_init(&t, st, 8);
	refs_a = refs_b = 0;
	struct region obj = of(&pager_b, 0x40000, 0x50000, 9);
	obj.offset = 0x100000;
	CHECK(region_replace(&t, &obj, LIMIT, count_ref) == ERR_OK);
	struct region hole = of(&pager_a, 0x44000, 0x46000, 1);
	CHECK(region_replace(&t, &hole, LIMIT, count_ref) == ERR_OK);
	CHECK(t.n == 3 && t.r[2].base == 0x46000 && t.r[2].offset == 0x106000);
	CHECK(t.r[0].offset == 0x100000 && t.r[0].end == 0x44000);
	/* The same object at another offset in the hole stays a region of its own. */
	struct region shifted = of(&pager_b, 0x44000, 0x46000, 9);
	shifted.offset = 0;
	CHECK(region_replace(&t, &shifted, LIMIT, count_ref) == ERR_OK);
	CHECK(t.n == 3 && refs_a == 0 && refs_b == 3);
	/* At the offsets that run on, the three become one again. */
	shifted.offset = 0x104000;
	CHECK(region_replace(&t, &shifted, LIMIT, count_ref) == ERR_OK);
	CHECK(t.n == 1 && refs_b == 1 && t.r[0].offset == 0x100000 && t.r[0].end == 0x50000);
}

static void replace_refuses_unchanged(void)
{
	struct region st[3];
	struct region_table t;
	region_table_init(&t, st, 3);
	refs_a = refs_b = 0;
	struct region r = of(&pager_a, 0x1000, 0x9000, 1);
	CHECK(region_replace(&t, &r, LIMIT, count_ref) == ERR_OK);
	r = of(&pager_b, 0x1800, 0x3000, 1);
	CHECK(region_replace(&t, &r, LIMIT, count_ref) == ERR_ALIGN);
	r = of(&pager_b, 0x3000, 0x3000, 1);
	CHECK(region_replace(&t, &r, LIMIT, count_ref) == ERR_INVALID);
	r = of(NULL, 0x2000, 0x3000, 1);
	CHECK(region_replace(&t, &r, LIMIT, count_ref) == ERR_INVALID);
	r = of(&pager_b, 0x2000, 0x3000, 1);
	r.maxrights = 9;
	CHECK(region_replace(&t, &r, LIMIT, count_ref) == ERR_INVALID);
	r = of(&pager_b, 0x2000, LIMIT + 0x1000, 1);
	CHECK(region_replace(&t, &r, LIMIT, count_ref) == ERR_RANGE);
	r = of(&pager_b, 0x2000, 0x3000, 1); /* a split: two more entries, and there is room */
	CHECK(region_replace(&t, &r, LIMIT, count_ref) == ERR_OK);
	CHECK(t.n == 3);
	r = of(&pager_b, 0x5000, 0x6000, 1); /* the table is full: no room for a split */
	CHECK(region_replace(&t, &r, LIMIT, count_ref) == ERR_FULL);
	CHECK(t.n == 3 && refs_a == 2 && refs_b == 1);
}

/* Random replacements against a page-by-page model of who serves what. */
static void replace_random_against_model(void)
{
	enum { PAGES = 128, CAP = 2 * PAGES + 2 };
	static struct region st[CAP];
	struct region_table t;
	struct {
		const void *pager;
		uint64_t badge;
	} page[PAGES] = {{0}};
	region_table_init(&t, st, CAP);
	refs_a = refs_b = 0;
	srand(11);
	for (int step = 0; step < 20000; step++) {
		unsigned b = (unsigned)rand() % PAGES, len = 1 + (unsigned)rand() % 24;
		if (b + len > PAGES)
			len = PAGES - b;
		const void *pg = (rand() & 1) ? &pager_a : &pager_b;
		uint64_t badge = (uint64_t)(rand() % 3);
		struct region r = of(pg, (vaddr_t)b << 12, (vaddr_t)(b + len) << 12, badge);
		CHECK(region_replace(&t, &r, (vaddr_t)PAGES << 12, count_ref) == ERR_OK);
		for (unsigned p = b; p < b + len; p++) {
			page[p].pager = pg;
			page[p].badge = badge;
		}
		for (unsigned p = 0; p < PAGES; p++) {
			const struct region *f = region_find(&t, (vaddr_t)p << 12);
			CHECK((f != NULL) == (page[p].pager != NULL));
			CHECK(!f || (f->pager == page[p].pager && f->badge == page[p].badge));
		}
		for (unsigned i = 1; i < t.n; i++) { /* sorted, and nothing left to merge */
			CHECK(t.r[i - 1].end <= t.r[i].base);
			CHECK(t.r[i - 1].end != t.r[i].base || t.r[i - 1].pager != t.r[i].pager ||
			      t.r[i - 1].badge != t.r[i].badge);
		}
		CHECK(refs_a == entries_of(&t, &pager_a) && refs_b == entries_of(&t, &pager_b));
	}
}

int main(void)
{
	check_suite = "region";
	RUN(add_find_remove);
	RUN(bad_regions_refused_unchanged);
	RUN(random_against_model);
	RUN(grow_storage);
	RUN(replace_splits_and_merges_back);
	RUN(replace_refuses_unchanged);
	RUN(replace_keeps_offsets);
	RUN(replace_random_against_model);
	return check_done();
}
