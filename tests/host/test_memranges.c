/* Host tests for mm/memranges.c: adding, merging, removing, aligning. */
#include "mm/memranges.h"

#include "lib/error.h"
#include "lib/str.h"
#include "tests/host/check.h"

static int same(const struct memranges *m, unsigned n, const paddr_t *expect)
{
	if (m->n != n)
		return 0;
	for (unsigned i = 0; i < n; i++) {
		if (m->r[i].base != expect[2 * i] || m->r[i].end != expect[2 * i + 1])
			return 0;
	}
	return 1;
}

static void add_merges_and_sorts(void)
{
	struct memranges m = {0};

	CHECK(memranges_add(&m, 0x3000, 0x4000) == ERR_OK);
	CHECK(memranges_add(&m, 0x1000, 0x2000) == ERR_OK);
	CHECK(same(&m, 2, (paddr_t[]){0x1000, 0x2000, 0x3000, 0x4000}));
	CHECK(memranges_add(&m, 0x2000, 0x3000) == ERR_OK); /* touching: one range */
	CHECK(same(&m, 1, (paddr_t[]){0x1000, 0x4000}));
	CHECK(memranges_add(&m, 0x0, 0x10000) == ERR_OK); /* covering */
	CHECK(same(&m, 1, (paddr_t[]){0x0, 0x10000}));
	CHECK(memranges_add(&m, 0x5000, 0x5000) == ERR_OK); /* empty: no change */
	CHECK(same(&m, 1, (paddr_t[]){0x0, 0x10000}));
	CHECK(memranges_add(&m, 0x5000, 0x4000) == ERR_INVALID);
}

static void remove_splits_and_trims(void)
{
	struct memranges m = {0};

	CHECK(memranges_add(&m, 0x1000, 0x9000) == ERR_OK);
	CHECK(memranges_remove(&m, 0x3000, 0x4000) == ERR_OK);
	CHECK(same(&m, 2, (paddr_t[]){0x1000, 0x3000, 0x4000, 0x9000}));
	CHECK(memranges_remove(&m, 0x0, 0x2000) == ERR_OK);
	CHECK(same(&m, 2, (paddr_t[]){0x2000, 0x3000, 0x4000, 0x9000}));
	CHECK(memranges_remove(&m, 0x8000, 0xa000) == ERR_OK);
	CHECK(same(&m, 2, (paddr_t[]){0x2000, 0x3000, 0x4000, 0x8000}));
	CHECK(memranges_remove(&m, 0x2800, 0x5000) == ERR_OK); /* spans a gap */
	CHECK(same(&m, 2, (paddr_t[]){0x2000, 0x2800, 0x5000, 0x8000}));
	CHECK(memranges_remove(&m, 0x0, 0x100000) == ERR_OK);
	CHECK(m.n == 0);
	CHECK(memranges_remove(&m, 2, 1) == ERR_INVALID);
}

static void full_table_is_refused_unchanged(void)
{
	struct memranges m = {0};

	for (paddr_t i = 0; i < MEMRANGES_MAX; i++)
		CHECK(memranges_add(&m, i * 0x10000, i * 0x10000 + 0x1000) == ERR_OK);
	CHECK(m.n == MEMRANGES_MAX);
	struct memranges before = m;
	CHECK(memranges_add(&m, 0x8000, 0x9000) == ERR_FULL);
	CHECK(memranges_remove(&m, 0x10400, 0x10800) == ERR_FULL); /* would split */
	CHECK(memcmp(&m, &before, sizeof(m)) == 0);
	CHECK(memranges_remove(&m, 0x10000, 0x10800) == ERR_OK); /* trims: fine */
}

static void align_and_total(void)
{
	struct memranges m = {0};

	CHECK(memranges_add(&m, 0x1001, 0x3fff) == ERR_OK);
	CHECK(memranges_add(&m, 0x5100, 0x5200) == ERR_OK);
	CHECK(memranges_total(&m) == 0x2ffe + 0x100);
	memranges_align(&m, 0x1000);
	CHECK(same(&m, 1, (paddr_t[]){0x2000, 0x3000}));
	CHECK(memranges_total(&m) == 0x1000);
}

int main(void)
{
	check_suite = "memranges";
	RUN(add_merges_and_sorts);
	RUN(remove_splits_and_trims);
	RUN(full_table_is_refused_unchanged);
	RUN(align_and_total);
	return check_done();
}
