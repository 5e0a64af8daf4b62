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

int main(void)
{
	check_suite = "region";
	RUN(add_find_remove);
	RUN(bad_regions_refused_unchanged);
	RUN(random_against_model);
	RUN(grow_storage);
	return check_done();
}
