/*
 * Host tests for mm/slab.c. Physical memory is simulated by a host buffer
 * at SIM_BASE reached through physmap_offset. The page source hands out
 * naturally aligned 2^order blocks from it, counts live pages, refuses frees
 * that do not match an allocation, and can fail after N allocations or above
 * a page limit. Fresh pages are filled with junk so nothing relies on zeroed
 * memory; freed pages are junk-filled too (switchable, to test stale frees).
 */
#include "tests/host/check.h"

#include <stdint.h>
#include <string.h>

#include "lib/error.h"
#include "mm/physmap.h"
#include "mm/slab.h"

#define SIM_BASE      0x80000000ull
#define SIM_SIZE      (16ull << 20)
#define SIM_PAGES     (SIM_SIZE / PAGE_SIZE)
#define SRC_MAX_ORDER 10

static uint8_t *sim_mem;

struct tsrc {
	uint8_t used[SIM_PAGES];  /* 0 free, 1 head of a block, 2 inside a block */
	uint8_t order[SIM_PAGES]; /* order of the block a head starts */
	size_t live_pages;
	size_t limit_pages; /* allocations beyond this many live pages fail */
	long fail_after;    /* allocations left before ERR_NOMEM; -1: never */
	size_t bad_frees;
	bool junk_on_free;
};

static struct tsrc ts;

static int ts_alloc(void *ctx, unsigned order, paddr_t *pa)
{
	struct tsrc *s = ctx;
	size_t n = (size_t)1 << order;

	if (order > SRC_MAX_ORDER || s->fail_after == 0 || s->live_pages + n > s->limit_pages)
		return ERR_NOMEM;
	for (size_t i = 0; i + n <= SIM_PAGES; i += n) {
		size_t j = 0;

		while (j < n && s->used[i + j] == 0)
			j++;
		if (j < n)
			continue;
		for (j = 0; j < n; j++)
			s->used[i + j] = j ? 2 : 1;
		s->order[i] = (uint8_t)order;
		s->live_pages += n;
		if (s->fail_after > 0)
			s->fail_after--;
		*pa = SIM_BASE + i * PAGE_SIZE;
		memset(pa_to_kva(*pa), 0x6b, n * PAGE_SIZE);
		return ERR_OK;
	}
	return ERR_NOMEM;
}

static void ts_free(void *ctx, paddr_t pa, unsigned order)
{
	struct tsrc *s = ctx;
	size_t i = (pa - SIM_BASE) / PAGE_SIZE;
	size_t n = (size_t)1 << order;

	if (pa < SIM_BASE || pa >= SIM_BASE + SIM_SIZE || (pa & PAGE_MASK) || s->used[i] != 1 ||
	    s->order[i] != order) {
		s->bad_frees++;
		return;
	}
	for (size_t j = 0; j < n; j++)
		s->used[i + j] = 0;
	s->live_pages -= n;
	if (s->junk_on_free)
		memset(pa_to_kva(pa), 0xdb, n * PAGE_SIZE);
}

static const struct slab_page_source tsource = {ts_alloc, ts_free, &ts};

static void src_reset(void)
{
	memset(&ts, 0, sizeof(ts));
	ts.limit_pages = SIZE_MAX;
	ts.fail_after = -1;
	ts.junk_on_free = true;
}

static bool in_sim(const void *p)
{
	return (uintptr_t)p >= (uintptr_t)sim_mem && (uintptr_t)p < (uintptr_t)sim_mem + SIM_SIZE;
}

static uint64_t rng_state;

static uint64_t rnd(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

static uint8_t pattern_byte(size_t tag, size_t i)
{
	return (uint8_t)(tag * 131 + i * 7 + (tag >> 8));
}

static void fill(void *p, size_t len, size_t tag)
{
	for (size_t i = 0; i < len; i++)
		((uint8_t *)p)[i] = pattern_byte(tag, i);
}

static bool intact(const void *p, size_t len, size_t tag)
{
	for (size_t i = 0; i < len; i++)
		if (((const uint8_t *)p)[i] != pattern_byte(tag, i))
			return false;
	return true;
}

static char why[128];

#define CHECK_CACHE(c) CHECKF(slab_check((c), why, sizeof(why)) == ERR_OK, "slab_check: %s", why)

/* ------------------------------------------------------------------ slab caches */

static void test_cache_init(void)
{
	struct slab_cache c;
	const struct slab_page_source nosrc = {NULL, ts_free, &ts};

	src_reset();
	CHECK(slab_cache_init(&c, "x", 0, 8, &tsource) == ERR_INVALID);
	CHECK(slab_cache_init(&c, "x", SLAB_MAX_OBJ + 1, 8, &tsource) == ERR_INVALID);
	CHECK(slab_cache_init(&c, "x", 32, 0, &tsource) == ERR_INVALID);
	CHECK(slab_cache_init(&c, "x", 32, 3, &tsource) == ERR_INVALID);
	CHECK(slab_cache_init(&c, "x", 32, 128, &tsource) == ERR_INVALID);
	CHECK(slab_cache_init(&c, "x", 32, 8, NULL) == ERR_INVALID);
	CHECK(slab_cache_init(&c, "x", 32, 8, &nosrc) == ERR_INVALID);

	CHECK(slab_cache_init(&c, "tiny", 1, 1, &tsource) == ERR_OK);
	CHECK(c.objsize == 16 && c.per_slab == (4096 - c.first_off) / 16 && c.per_slab <= 256);
	CHECK_CACHE(&c);
	CHECK(slab_cache_init(&c, "odd", 100, 32, &tsource) == ERR_OK);
	CHECK(c.objsize == 128 && c.first_off % 32 == 0);
	CHECK(c.first_off + c.per_slab * c.objsize <= 4096);
	CHECK(c.first_off + (c.per_slab + 1) * c.objsize > 4096);
	CHECK(slab_cache_init(&c, "max", 1024, 64, &tsource) == ERR_OK);
	CHECK(c.objsize == 1024 && c.per_slab == 3 && c.first_off % 64 == 0);
	CHECK(c.nslabs == 0 && c.inuse == 0 && !c.partial && !c.full && !c.empty);
	CHECK(ts.live_pages == 0);
}

static const struct {
	size_t size, align;
} shapes[] = {
    {1, 1}, {16, 8}, {24, 8}, {40, 16}, {100, 32}, {200, 64}, {512, 16}, {1000, 4}, {1024, 64},
};

static void test_alloc_free_many(void)
{
	enum { N = 1500 };
	static void *objs[N];
	struct slab_cache cs[sizeof(shapes) / sizeof(shapes[0])];
	const size_t ncs = sizeof(shapes) / sizeof(shapes[0]);

	src_reset();
	rng_state = 12345;
	for (size_t k = 0; k < ncs; k++)
		CHECK(slab_cache_init(&cs[k], "t", shapes[k].size, shapes[k].align, &tsource) ==
		      ERR_OK);

	/* Interleave caches so their slabs mix in memory. */
	for (size_t i = 0; i < N; i++) {
		size_t k = i % ncs;
		uintptr_t a;

		objs[i] = slab_alloc(&cs[k]);
		CHECK(objs[i] != NULL && in_sim(objs[i]));
		a = (uintptr_t)objs[i];
		CHECK(a % shapes[k].align == 0);
		CHECK((a & PAGE_MASK) >= cs[k].first_off);
		CHECK((a & PAGE_MASK) + shapes[k].size <= PAGE_SIZE);
		fill(objs[i], shapes[k].size, i);
	}
	for (size_t i = 0; i < N; i++)
		CHECKF(intact(objs[i], shapes[i % ncs].size, i), "object %zu overwritten", i);
	for (size_t k = 0; k < ncs; k++) {
		CHECK(cs[k].inuse == (N + ncs - 1 - k) / ncs);
		CHECK_CACHE(&cs[k]);
	}

	/* Free a random half, check, refill, check again. */
	for (size_t i = 0; i < N; i++) {
		if (rnd() & 1) {
			CHECK(slab_free(&cs[i % ncs], objs[i]) == ERR_OK);
			objs[i] = NULL;
		}
	}
	for (size_t k = 0; k < ncs; k++)
		CHECK_CACHE(&cs[k]);
	for (size_t i = 0; i < N; i++) {
		if (objs[i]) {
			CHECKF(intact(objs[i], shapes[i % ncs].size, i), "object %zu overwritten",
			       i);
		} else {
			objs[i] = slab_alloc(&cs[i % ncs]);
			CHECK(objs[i] != NULL);
			fill(objs[i], shapes[i % ncs].size, i);
		}
	}
	for (size_t i = 0; i < N; i++)
		CHECKF(intact(objs[i], shapes[i % ncs].size, i), "object %zu overwritten", i);

	size_t pages = 0;
	for (size_t k = 0; k < ncs; k++)
		pages += cs[k].nslabs;
	CHECK(pages == ts.live_pages);

	/* Free all in reverse, shrink: every page goes back. */
	for (size_t i = N; i-- > 0;)
		CHECK(slab_free(&cs[i % ncs], objs[i]) == ERR_OK);
	size_t freed = 0;
	for (size_t k = 0; k < ncs; k++) {
		CHECK(cs[k].inuse == 0 && !cs[k].partial && !cs[k].full);
		CHECK_CACHE(&cs[k]);
		freed += slab_shrink(&cs[k]);
		CHECK(cs[k].nslabs == 0 && !cs[k].empty);
		CHECK_CACHE(&cs[k]);
	}
	CHECK(freed == pages);
	CHECK(ts.live_pages == 0 && ts.bad_frees == 0);
}

static void test_lists(void)
{
	struct slab_cache c;
	void *objs[8];

	src_reset();
	CHECK(slab_cache_init(&c, "k", 1024, 64, &tsource) == ERR_OK);
	CHECK(c.per_slab == 3);
	for (int i = 0; i < 3; i++)
		CHECK((objs[i] = slab_alloc(&c)) != NULL);
	CHECK(c.full && !c.partial && !c.empty && c.nslabs == 1);
	/* All from one page. */
	CHECK(((uintptr_t)objs[0] & ~(uintptr_t)PAGE_MASK) ==
	      ((uintptr_t)objs[2] & ~(uintptr_t)PAGE_MASK));
	CHECK(slab_free(&c, objs[1]) == ERR_OK);
	CHECK(!c.full && c.partial && !c.empty);
	CHECK_CACHE(&c);
	/* The freed slot is handed out again before a new page is taken. */
	CHECK(slab_alloc(&c) == objs[1]);
	CHECK(c.nslabs == 1 && ts.live_pages == 1);
	CHECK((objs[3] = slab_alloc(&c)) != NULL);
	CHECK(c.nslabs == 2 && c.full && c.partial);
	for (int i = 0; i < 4; i++)
		CHECK(slab_free(&c, objs[i]) == ERR_OK);
	CHECK(!c.full && !c.partial && c.empty && c.nslabs == 2);
	CHECK_CACHE(&c);
	/* An empty slab is reused before the source is asked. */
	CHECK((objs[0] = slab_alloc(&c)) != NULL);
	CHECK(c.nslabs == 2 && ts.live_pages == 2);
	/* A partial slab is filled before an empty one is started. */
	CHECK(c.partial && c.empty);
	void *page0 = (void *)((uintptr_t)objs[0] & ~(uintptr_t)PAGE_MASK);
	CHECK((objs[1] = slab_alloc(&c)) != NULL);
	CHECK((void *)((uintptr_t)objs[1] & ~(uintptr_t)PAGE_MASK) == page0);
	CHECK(c.partial && c.empty);
	CHECK(slab_shrink(&c) == 1);
	CHECK(c.nslabs == 1 && ts.live_pages == 1);
	CHECK(slab_free(&c, objs[0]) == ERR_OK);
	CHECK(slab_free(&c, objs[1]) == ERR_OK);
	CHECK(slab_shrink(&c) == 1 && ts.live_pages == 0);
	CHECK(slab_shrink(&c) == 0);
	CHECK_CACHE(&c);
}

/* Remember a cache's counters to show a refused free changed nothing. */
struct snap {
	size_t inuse, nslabs;
	void *partial, *full, *empty;
};

static struct snap snap_of(const struct slab_cache *c)
{
	struct snap s = {c->inuse, c->nslabs, c->partial, c->full, c->empty};
	return s;
}

static bool snap_same(const struct slab_cache *c, struct snap s)
{
	return c->inuse == s.inuse && c->nslabs == s.nslabs && (void *)c->partial == s.partial &&
	       (void *)c->full == s.full && (void *)c->empty == s.empty;
}

static void test_double_free(void)
{
	struct slab_cache c;
	void *a, *b;
	struct snap s;

	src_reset();
	CHECK(slab_cache_init(&c, "d", 64, 16, &tsource) == ERR_OK);
	a = slab_alloc(&c);
	b = slab_alloc(&c);
	CHECK(a && b);
	fill(b, 64, 2);
	CHECK(slab_free(&c, a) == ERR_OK);
	s = snap_of(&c);
	CHECK(slab_free(&c, a) == ERR_STATE);
	CHECK(snap_same(&c, s));
	CHECK_CACHE(&c);
	CHECK(intact(b, 64, 2));
	/* Never-allocated slots in the same slab are "free" too. */
	CHECK(slab_free(&c, (char *)b + 64) == ERR_STATE);
	CHECK(snap_same(&c, s));
	CHECK(slab_free(&c, b) == ERR_OK);
	CHECK(slab_free(&c, b) == ERR_STATE);
	CHECK_CACHE(&c);

	/* A stale pointer into a slab already returned to the source. */
	ts.junk_on_free = false;
	uint32_t *head = (uint32_t *)((uintptr_t)b & ~(uintptr_t)PAGE_MASK);
	uint32_t live_magic = *head;
	CHECK(slab_shrink(&c) == 1);
	CHECK(*head != live_magic); /* a released page must not look like a live slab */
	CHECK(slab_free(&c, b) == ERR_STATE);
	CHECK(c.nslabs == 0 && c.inuse == 0 && ts.live_pages == 0);
	CHECK_CACHE(&c);
	CHECK(ts.bad_frees == 0);
}

static void test_invalid_pointers(void)
{
	struct slab_cache c, other, same;
	void *a, *o, *m;
	paddr_t foreign;
	struct snap s;
	char *page;

	src_reset();
	CHECK(slab_cache_init(&c, "c", 1000, 4, &tsource) == ERR_OK);
	CHECK(slab_cache_init(&other, "o", 48, 16, &tsource) == ERR_OK);
	CHECK(slab_cache_init(&same, "s", 1000, 4, &tsource) == ERR_OK);
	a = slab_alloc(&c);
	o = slab_alloc(&other);
	m = slab_alloc(&same);
	CHECK(a && o && m);
	fill(a, 1000, 1);
	fill(o, 48, 2);
	fill(m, 1000, 3);
	page = (char *)((uintptr_t)a & ~(uintptr_t)PAGE_MASK);
	s = snap_of(&c);

	/* Interior pointers, the header, the slack after the last object. */
	CHECK(slab_free(&c, (char *)a + 1) == ERR_INVALID);
	CHECK(slab_free(&c, (char *)a + 8) == ERR_INVALID);
	CHECK(slab_free(&c, (char *)a + 999) == ERR_INVALID);
	CHECK(slab_free(&c, page) == ERR_INVALID);
	CHECK(slab_free(&c, page + 8) == ERR_INVALID);
	CHECK(slab_free(&c, page + c.first_off - 4) == ERR_INVALID);
	CHECK(c.first_off + c.per_slab * c.objsize < PAGE_SIZE);
	CHECK(slab_free(&c, page + c.first_off + c.per_slab * c.objsize) == ERR_INVALID);
	CHECK(slab_free(&c, page + PAGE_SIZE - 4) == ERR_INVALID);
	/* Objects of other caches, even of the same size. */
	CHECK(slab_free(&c, o) == ERR_INVALID);
	CHECK(slab_free(&c, m) == ERR_INVALID);
	CHECK(slab_free(&other, a) == ERR_INVALID);
	/* A page no cache owns: junk, then zeroes. */
	CHECK(ts_alloc(&ts, 0, &foreign) == ERR_OK);
	CHECK(slab_free(&c, (char *)pa_to_kva(foreign) + 64) == ERR_INVALID);
	memset(pa_to_kva(foreign), 0, PAGE_SIZE);
	CHECK(slab_free(&c, (char *)pa_to_kva(foreign) + 64) == ERR_INVALID);
	CHECK(slab_free(&c, NULL) == ERR_INVALID);

	CHECK(snap_same(&c, s));
	CHECK_CACHE(&c);
	CHECK_CACHE(&other);
	CHECK_CACHE(&same);
	CHECK(intact(a, 1000, 1) && intact(o, 48, 2) && intact(m, 1000, 3));

	/* Everything still frees normally. */
	CHECK(slab_free(&c, a) == ERR_OK);
	CHECK(slab_free(&other, o) == ERR_OK);
	CHECK(slab_free(&same, m) == ERR_OK);
	ts_free(&ts, foreign, 0);
	CHECK(slab_shrink(&c) + slab_shrink(&other) + slab_shrink(&same) == 3);
	CHECK(ts.live_pages == 0 && ts.bad_frees == 0);
}

static void test_exhaustion(void)
{
	struct slab_cache c;
	static void *objs[4096];
	size_t n = 0;

	src_reset();
	ts.limit_pages = 5;
	CHECK(slab_cache_init(&c, "e", 200, 8, &tsource) == ERR_OK);
	while (n < 4096 && (objs[n] = slab_alloc(&c)) != NULL) {
		fill(objs[n], 200, n);
		n++;
	}
	CHECK(n == 5 * c.per_slab);
	CHECK(c.nslabs == 5 && c.inuse == n && ts.live_pages == 5);
	CHECK(slab_alloc(&c) == NULL);
	CHECK(c.nslabs == 5 && c.inuse == n);
	CHECK_CACHE(&c);

	/* Freed slots serve again without the source; then fail-after mode. */
	CHECK(slab_free(&c, objs[7]) == ERR_OK);
	CHECK((objs[7] = slab_alloc(&c)) != NULL);
	fill(objs[7], 200, 7);
	ts.limit_pages = SIZE_MAX;
	ts.fail_after = 1;
	for (size_t i = 0; i < c.per_slab; i++) {
		CHECK((objs[n] = slab_alloc(&c)) != NULL);
		fill(objs[n], 200, n);
		n++;
	}
	CHECK(slab_alloc(&c) == NULL);
	CHECK(c.nslabs == 6);
	CHECK_CACHE(&c);
	for (size_t i = 0; i < n; i++) {
		CHECKF(intact(objs[i], 200, i), "object %zu", i);
		CHECK(slab_free(&c, objs[i]) == ERR_OK);
	}
	CHECK(slab_shrink(&c) == 6 && ts.live_pages == 0 && ts.bad_frees == 0);
}

static void test_check_detects_corruption(void)
{
	struct slab_cache c;
	void *a, *b, *d;
	struct slab *tmp;

	src_reset();
	CHECK(slab_cache_init(&c, "x", 1024, 64, &tsource) == ERR_OK);
	a = slab_alloc(&c);
	b = slab_alloc(&c);
	d = slab_alloc(&c);
	CHECK(a && b && d && c.full);
	CHECK(slab_free(&c, b) == ERR_OK);
	CHECK_CACHE(&c);

	c.inuse++;
	CHECK(slab_check(&c, why, sizeof(why)) == ERR_CORRUPT && why[0] != '\0');
	c.inuse--;
	c.nslabs++;
	CHECK(slab_check(&c, why, sizeof(why)) == ERR_CORRUPT);
	c.nslabs--;
	tmp = c.partial;
	c.partial = NULL;
	c.full = tmp; /* a partial slab on the full list */
	CHECK(slab_check(&c, why, sizeof(why)) == ERR_CORRUPT);
	c.full = NULL;
	c.partial = tmp;
	/* Corrupt the slab's magic in memory. */
	uint32_t *magic = (uint32_t *)((uintptr_t)a & ~(uintptr_t)PAGE_MASK);
	uint32_t saved = *magic;
	*magic ^= 1;
	CHECK(slab_check(&c, why, sizeof(why)) == ERR_CORRUPT);
	CHECK(slab_free(&c, a) == ERR_INVALID);
	*magic = saved;
	CHECK_CACHE(&c);
	/* A tiny why buffer is still terminated. */
	c.inuse++;
	char small[4] = {'x', 'x', 'x', 'x'};
	CHECK(slab_check(&c, small, sizeof(small)) == ERR_CORRUPT && small[3] == '\0');
	c.inuse--;
	CHECK(slab_free(&c, a) == ERR_OK && slab_free(&c, d) == ERR_OK);
	CHECK(slab_shrink(&c) == 1 && ts.live_pages == 0);
}

/* ------------------------------------------------------------------ kmalloc */

static bool kmalloc_consistent(void)
{
	struct kmalloc_stats st;

	kmalloc_get_stats(&st);
	return st.slab_pages + st.large_pages == ts.live_pages;
}

static void test_kmalloc_before_init(void)
{
	/* Runs first: kmalloc has no page source yet. */
	CHECK(kmalloc(16) == NULL);
	CHECK(kmalloc(5000) == NULL);
	CHECK(kfree(NULL) == ERR_OK);
}

static void test_kmalloc_random(void)
{
	enum { SLOTS = 600, ROUNDS = 20000 };
	static void *ptr[SLOTS];
	static size_t len[SLOTS];
	struct kmalloc_stats st;
	size_t small = 0;

	src_reset();
	kmalloc_init(&tsource);
	rng_state = 0xfeedface;
	memset(ptr, 0, sizeof(ptr));
	for (int r = 0; r < ROUNDS; r++) {
		size_t i = rnd() % SLOTS;

		if (ptr[i]) {
			CHECKF(intact(ptr[i], len[i], i), "slot %zu size %zu", i, len[i]);
			CHECK(kfree(ptr[i]) == ERR_OK);
			if (len[i] <= KMALLOC_MAX_SLAB)
				small--;
			ptr[i] = NULL;
		} else {
			len[i] = 1 + rnd() % 8192;
			ptr[i] = kmalloc(len[i]);
			CHECK(ptr[i] != NULL && in_sim(ptr[i]));
			CHECKF((uintptr_t)ptr[i] % 16 == 0, "size %zu at %p", len[i], ptr[i]);
			fill(ptr[i], len[i], i);
			if (len[i] <= KMALLOC_MAX_SLAB)
				small++;
		}
		if (r % 1000 == 0) {
			kmalloc_get_stats(&st);
			CHECK(st.objects == small);
			CHECK(kmalloc_consistent());
		}
	}
	for (size_t i = 0; i < SLOTS; i++) {
		if (ptr[i]) {
			CHECKF(intact(ptr[i], len[i], i), "slot %zu size %zu", i, len[i]);
			CHECK(kfree(ptr[i]) == ERR_OK);
		}
	}
	kmalloc_get_stats(&st);
	CHECK(st.objects == 0 && st.large_pages == 0);
	CHECK(kmalloc_consistent());
	CHECK(kmalloc_shrink() == st.slab_pages);
	kmalloc_get_stats(&st);
	CHECK(st.slab_pages == 0);
	CHECK(ts.live_pages == 0 && ts.bad_frees == 0);
}

static void test_kmalloc_sizes(void)
{
	struct kmalloc_stats st;
	void *p;

	src_reset();
	kmalloc_init(&tsource);
	CHECK(kmalloc(0) == NULL);
	CHECK(kzalloc(0) == NULL);
	CHECK(ts.live_pages == 0);

	/* Small sizes land in power-of-two slots: consecutive objects step by the class. */
	static const struct {
		size_t size, cls;
	} classes[] = {{1, 16},	   {16, 16},   {17, 32},   {32, 32},	{33, 64},
		       {100, 128}, {129, 256}, {300, 512}, {513, 1024}, {1024, 1024}};
	for (size_t i = 0; i < sizeof(classes) / sizeof(classes[0]); i++) {
		char *x = kmalloc(classes[i].size), *y = kmalloc(classes[i].size);

		CHECK(x && y);
		CHECKF((size_t)(x > y ? x - y : y - x) == classes[i].cls, "size %zu",
		       classes[i].size);
		CHECK(kfree(x) == ERR_OK && kfree(y) == ERR_OK);
	}

	/* Large: order from size + 16-byte header; data starts 16 bytes into the block. */
	static const struct {
		size_t size;
		size_t pages;
	} large[] = {{1025, 1}, {4080, 1}, {4081, 2}, {8176, 2}, {8177, 4}, {100000, 32}};
	for (size_t i = 0; i < sizeof(large) / sizeof(large[0]); i++) {
		size_t before;

		kmalloc_get_stats(&st);
		before = st.large_pages;
		p = kmalloc(large[i].size);
		CHECK(p != NULL && ((uintptr_t)p & PAGE_MASK) == 16);
		kmalloc_get_stats(&st);
		CHECKF(st.large_pages == before + large[i].pages, "size %zu: %zu pages",
		       large[i].size, st.large_pages - before);
		fill(p, large[i].size, i);
		CHECK(intact(p, large[i].size, i));
		CHECK(kmalloc_consistent());
		CHECK(kfree(p) == ERR_OK);
		kmalloc_get_stats(&st);
		CHECK(st.large_pages == before);
	}
	/* Too big for any source, or for size arithmetic. */
	CHECK(kmalloc((size_t)1 << 40) == NULL);
	CHECK(kmalloc(SIZE_MAX) == NULL);
	CHECK(kmalloc(SIZE_MAX - 8) == NULL);
	CHECK(kzalloc(SIZE_MAX) == NULL);
	kmalloc_shrink();
	CHECK(ts.live_pages == 0 && ts.bad_frees == 0);
}

static void test_kzalloc(void)
{
	static const size_t sizes[] = {1, 24, 200, 1024, 3000, 9000};

	src_reset();
	kmalloc_init(&tsource);
	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		uint8_t *p = kmalloc(sizes[i]);

		CHECK(p);
		memset(p, 0xff, sizes[i]);
		CHECK(kfree(p) == ERR_OK);
		/* Fresh source pages are junk-filled, reused slots hold 0xff: both must be cleared.
		 */
		for (int round = 0; round < 2; round++) {
			uint8_t *z = kzalloc(sizes[i]);
			uint8_t *z2 = kzalloc(sizes[i]);

			CHECK(z && z2);
			for (size_t j = 0; j < sizes[i]; j++)
				CHECKF(z[j] == 0 && z2[j] == 0, "size %zu byte %zu", sizes[i], j);
			memset(z, 0xee, sizes[i]);
			CHECK(kfree(z2) == ERR_OK && kfree(z) == ERR_OK);
		}
	}
	kmalloc_shrink();
	CHECK(ts.live_pages == 0 && ts.bad_frees == 0);
}

static void test_kfree_misuse(void)
{
	struct kmalloc_stats before, after;
	struct slab_cache own;
	char *s, *l, *l2, *o;
	paddr_t junk;

	src_reset();
	kmalloc_init(&tsource);
	CHECK(kfree(NULL) == ERR_OK);
	s = kmalloc(100);
	l = kmalloc(6000);
	CHECK(s && l);
	fill(s, 100, 1);
	fill(l, 6000, 2);
	CHECK(slab_cache_init(&own, "own", 100, 16, &tsource) == ERR_OK);
	o = slab_alloc(&own);
	CHECK(o);
	CHECK(ts_alloc(&ts, 0, &junk) == ERR_OK);
	kmalloc_get_stats(&before);

	CHECK(kfree(s + 1) == ERR_INVALID);
	CHECK(kfree(s + 16) == ERR_INVALID);
	CHECK(kfree(l + 16) == ERR_INVALID);
	CHECK(kfree(l - 16) == ERR_INVALID);   /* the block's header itself */
	CHECK(kfree(l + 4096) == ERR_INVALID); /* second page: user data, no header */
	CHECK(kfree(o) == ERR_INVALID);	       /* a slab, but not one of kmalloc's */
	CHECK(kfree((char *)pa_to_kva(junk) + 16) == ERR_INVALID);
	CHECK(kfree((char *)pa_to_kva(junk) + 100) == ERR_INVALID);
	memset(pa_to_kva(junk), 0, PAGE_SIZE);
	CHECK(kfree((char *)pa_to_kva(junk) + 64) == ERR_INVALID);
	/* Forged large header with an order that does not match its size. */
	memcpy(pa_to_kva(junk), l - 16, 16);
	((uint32_t *)pa_to_kva(junk))[1] = 5;
	CHECK(kfree((char *)pa_to_kva(junk) + 16) == ERR_INVALID);
	CHECK(ts.live_pages == before.slab_pages + before.large_pages + 2);

	kmalloc_get_stats(&after);
	CHECK(memcmp(&before, &after, sizeof(before)) == 0);
	CHECK(intact(s, 100, 1) && intact(l, 6000, 2));
	CHECK(slab_free(&own, o) == ERR_OK);

	/* Double frees. */
	CHECK(kfree(s) == ERR_OK);
	CHECK(kfree(s) == ERR_STATE);
	ts.junk_on_free = false;
	CHECK(kfree(l) == ERR_OK);
	CHECK(kfree(l) == ERR_STATE); /* the header still says "freed" */
	ts.junk_on_free = true;
	l2 = kmalloc(6000);
	CHECK(l2 && kfree(l2) == ERR_OK);
	CHECK(kfree(l2) == ERR_INVALID); /* the page was junk-filled: nothing to recognise */
	kmalloc_get_stats(&after);
	CHECK(after.objects == 0 && after.large_pages == 0);

	ts_free(&ts, junk, 0);
	slab_shrink(&own);
	kmalloc_shrink();
	CHECK(ts.live_pages == 0 && ts.bad_frees == 0);
}

static void test_kmalloc_exhaustion(void)
{
	struct kmalloc_stats st;
	static void *p[4096];
	size_t n = 0;

	src_reset();
	kmalloc_init(&tsource);
	ts.limit_pages = 8;
	while (n < 4096 && (p[n] = kmalloc(512)) != NULL)
		n++;
	CHECK(n == 8 * ((4096 - 64) / 512));
	CHECK(kmalloc(512) == NULL);
	CHECK(kmalloc(5000) == NULL);
	CHECK(kzalloc(20) == NULL);
	kmalloc_get_stats(&st);
	CHECK(st.objects == n && st.slab_pages == 8 && st.large_pages == 0);
	CHECK(kfree(p[0]) == ERR_OK);
	CHECK(kmalloc(300) == p[0]);
	ts.fail_after = 0;
	ts.limit_pages = SIZE_MAX;
	CHECK(kmalloc(2000) == NULL && kmalloc(1) == NULL);
	ts.fail_after = -1;
	for (size_t i = 0; i < n; i++)
		CHECK(kfree(p[i]) == ERR_OK);
	CHECK(kmalloc_shrink() == 8);
	CHECK(ts.live_pages == 0 && ts.bad_frees == 0);
}

int main(void)
{
	check_suite = "slab";
	sim_mem = aligned_alloc(PAGE_SIZE, SIM_SIZE);
	if (!sim_mem)
		return 2;
	physmap_offset = (uintptr_t)sim_mem - SIM_BASE;

	RUN(test_kmalloc_before_init);
	RUN(test_cache_init);
	RUN(test_alloc_free_many);
	RUN(test_lists);
	RUN(test_double_free);
	RUN(test_invalid_pointers);
	RUN(test_exhaustion);
	RUN(test_check_detects_corruption);
	RUN(test_kmalloc_random);
	RUN(test_kmalloc_sizes);
	RUN(test_kzalloc);
	RUN(test_kfree_misuse);
	RUN(test_kmalloc_exhaustion);

	free(sim_mem);
	return check_done();
}
