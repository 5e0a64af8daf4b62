/*
 * Host tests for lib/alloc (the allocator behind malloc). The page
 * provider simulates Strata's memory server on reserved host address
 * space: the heap grows and shrinks page by page (pages given back are
 * discarded, so they read as zero when taken again, and are inaccessible
 * meanwhile), and mappings are placed at the lowest free address or at
 * the hint if it is free, as mem places them. It counts the pages it has
 * handed out, can refuse mappings or cap the heap, and turns the
 * allocator's reports of bad pointers into a longjmp the tests catch.
 */
#include "tests/host/check.h"

#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>

#include "lib/alloc/alloc.h"

#define PAGE	   ALLOC_PAGE
#define HEAP_SPACE (1ull << 30)
#define MAP_SPACE  (1ull << 30)
#define MAP_PAGES  (MAP_SPACE / PAGE)

struct prov {
	char *heap;	 /* reserved; the heap starts a little way into it */
	uintptr_t brk;	 /* the break */
	size_t heap_max; /* the break never goes beyond heap + heap_max */
	char *maps;	 /* reserved space for mappings */
	uint8_t *used;	 /* per page of it: mapped */
	size_t map_pages;
	bool no_map;
	/* bad pointers */
	jmp_buf *catch;
	const char *why;
};

static struct prov P;
static struct alloc A;

static uintptr_t pround(uintptr_t x)
{
	return (x + PAGE - 1) & ~(PAGE - 1);
}

static void *p_grow(void *ctx, intptr_t incr)
{
	struct prov *p = ctx;
	uintptr_t old = p->brk, now = old + (uintptr_t)incr, lo = (uintptr_t)p->heap;

	if ((incr > 0 && now - lo > p->heap_max) || (incr < 0 && now < lo))
		return NULL;
	if (pround(now) > pround(old))
		mprotect((void *)pround(old), pround(now) - pround(old), PROT_READ | PROT_WRITE);
	else if (pround(now) < pround(old)) /* discard: zero when taken again */
		mmap((void *)pround(now), pround(old) - pround(now), PROT_NONE,
		     MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED | MAP_NORESERVE, -1, 0);
	p->brk = now;
	return (void *)old;
}

static bool p_free_at(struct prov *p, size_t first, size_t n)
{
	if (first + n > MAP_PAGES)
		return false;
	for (size_t i = 0; i < n; i++)
		if (p->used[first + i])
			return false;
	return true;
}

static void *p_map(void *ctx, void *hint, size_t len)
{
	struct prov *p = ctx;
	size_t n = len / PAGE, at = MAP_PAGES;

	if (p->no_map || len % PAGE)
		return NULL;
	uintptr_t h = (uintptr_t)hint, lo = (uintptr_t)p->maps;
	if (hint && h >= lo && h < lo + MAP_SPACE && !(h % PAGE) &&
	    p_free_at(p, (h - lo) / PAGE, n))
		at = (h - lo) / PAGE;
	for (size_t i = 0; at == MAP_PAGES && i + n <= MAP_PAGES; i++) {
		if (p->used[i])
			continue;
		size_t j = i;
		while (j < i + n && !p->used[j])
			j++;
		if (j == i + n)
			at = i;
		else
			i = j;
	}
	if (at == MAP_PAGES)
		return NULL;
	char *va = p->maps + at * PAGE;
	memset(p->used + at, 1, n);
	p->map_pages += n;
	mprotect(va, len, PROT_READ | PROT_WRITE);
	return va;
}

static void p_unmap(void *ctx, void *va, size_t len)
{
	struct prov *p = ctx;
	size_t at = (size_t)((char *)va - p->maps) / PAGE, n = pround(len) / PAGE;

	for (size_t i = 0; i < n; i++) {
		if (!p->used[at + i]) {
			printf("    unmap of a page not mapped: %p\n",
			       (void *)(p->maps + (at + i) * PAGE));
			abort();
		}
		p->used[at + i] = 0;
	}
	p->map_pages -= n;
	mmap(va, n * PAGE, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED | MAP_NORESERVE, -1,
	     0);
}

static void p_fail(void *ctx, const char *op, const char *why, const void *ptr)
{
	struct prov *p = ctx;

	if (p->catch) {
		p->why = why;
		longjmp(*p->catch, 1);
	}
	printf("    unexpected: %s(%p): %s\n", op, ptr, why);
	abort();
}

/* Heap pages in use (those the break covers beyond the first) plus mapped pages. */
static size_t heap_pages(void)
{
	return (pround(P.brk) - pround((uintptr_t)P.heap + 24)) / PAGE;
}

static size_t live_pages(void)
{
	return heap_pages() + P.map_pages;
}

/* A fresh allocator over a fresh provider. */
static void setup(void)
{
	static bool reserved;

	if (!reserved) {
		int fl = MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE;
		P.heap = mmap(NULL, HEAP_SPACE, PROT_NONE, fl, -1, 0);
		P.maps = mmap(NULL, MAP_SPACE, PROT_NONE, fl, -1, 0);
		P.used = calloc(MAP_PAGES, 1);
		if (P.heap == MAP_FAILED || P.maps == MAP_FAILED || !P.used)
			abort();
		reserved = true;
	}
	/* Discard everything the last test left. */
	int fl = MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_FIXED;
	mmap(P.heap, HEAP_SPACE, PROT_NONE, fl, -1, 0);
	mmap(P.maps, MAP_SPACE, PROT_NONE, fl, -1, 0);
	memset(P.used, 0, MAP_PAGES);
	P.brk = (uintptr_t)P.heap + 24; /* an unaligned break: the allocator pads */
	P.heap_max = HEAP_SPACE;
	P.map_pages = 0;
	P.no_map = false;
	P.catch = NULL;
	P.why = NULL;
	struct alloc_pages pg = {
	    .ctx = &P, .grow = p_grow, .map = p_map, .unmap = p_unmap, .fail = p_fail};
	alloc_init(&A, &pg);
}

/* Run f(p) expecting the allocator to report a bad pointer: the reason, or NULL if it did not. */
static const char *expect_bad(void (*f)(void *), void *p)
{
	jmp_buf jb;

	P.why = NULL;
	P.catch = &jb;
	if (setjmp(jb) == 0)
		f(p);
	P.catch = NULL;
	return P.why;
}

static void do_free(void *p)
{
	alloc_free(&A, p);
}

static void do_realloc(void *p)
{
	alloc_realloc(&A, p, 100);
}

static uint8_t pat(unsigned id, size_t i)
{
	return (uint8_t)(id * 131 + i * 7 + (i >> 8) + 1);
}

static void fill(void *p, size_t n, unsigned id)
{
	for (size_t i = 0; i < n; i++)
		((uint8_t *)p)[i] = pat(id, i);
}

static bool intact(const void *p, size_t n, unsigned id)
{
	for (size_t i = 0; i < n; i++)
		if (((const uint8_t *)p)[i] != pat(id, i))
			return false;
	return true;
}

static bool all_zero(const void *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (((const uint8_t *)p)[i])
			return false;
	return true;
}

/* ---------------------------------------------------------------- tests */

static void zero_bytes(void)
{
	setup();
	void *a = alloc_malloc(&A, 0), *b = alloc_malloc(&A, 0);
	CHECK(a && b && a != b);
	CHECK(alloc_usable(&A, a) >= 0 && alloc_usable(&A, NULL) == 0);
	alloc_free(&A, a);
	alloc_free(&A, b);
	alloc_free(&A, NULL);
	void *c = alloc_calloc(&A, 0, 10), *d = alloc_calloc(&A, 10, 0);
	CHECK(c && d);
	alloc_free(&A, c);
	alloc_free(&A, d);
}

static void huge_sizes(void)
{
	setup();
	CHECK(alloc_malloc(&A, SIZE_MAX) == NULL);
	CHECK(alloc_malloc(&A, SIZE_MAX - 4096) == NULL);
	CHECK(alloc_malloc(&A, ALLOC_MAX + 1) == NULL);
	CHECK(alloc_malloc(&A, (size_t)1 << 40) == NULL); /* more than the provider has */
	CHECK(alloc_calloc(&A, SIZE_MAX / 2 + 1, 2) == NULL);
	CHECK(alloc_calloc(&A, (size_t)1 << 32, (size_t)1 << 32) == NULL);
	CHECK(alloc_calloc(&A, SIZE_MAX, SIZE_MAX) == NULL);
	CHECK(alloc_memalign(&A, 1 << 20, SIZE_MAX - 100) == NULL);
	CHECK(alloc_memalign(&A, 3, 10) == NULL && alloc_memalign(&A, 0, 10) == NULL);
	CHECK(alloc_memalign(&A, (size_t)1 << 63, 10) == NULL);
	char *p = alloc_malloc(&A, 100);
	CHECK(p);
	fill(p, 100, 7);
	CHECK(alloc_realloc(&A, p, SIZE_MAX) == NULL);
	CHECK(alloc_realloc(&A, p, (size_t)1 << 40) == NULL);
	CHECK(intact(p, 100, 7)); /* a failed realloc leaves the block alone */
	alloc_free(&A, p);
	/* Nothing was kept from the failures. */
	alloc_trim(&A);
	CHECK(live_pages() == 0);
}

static void alignment(void)
{
	setup();
	for (size_t n = 0; n < 300000; n = n < 600 ? n + 1 : n * 9 / 8) {
		char *p = alloc_malloc(&A, n);
		CHECKF(p && (uintptr_t)p % 16 == 0, "size %zu: %p", n, (void *)p);
		CHECK(alloc_usable(&A, p) >= n);
		memset(p, 0xa5, n);
		alloc_free(&A, p);
	}
	static const size_t sizes[] = {0, 1, 100, 5000, 40000, 200000};
	for (size_t al = 1; al <= ((size_t)1 << 22); al <<= 1) {
		for (unsigned i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
			size_t n = sizes[i];
			char *p = alloc_memalign(&A, al, n);
			CHECKF(p && (uintptr_t)p % al == 0 && (uintptr_t)p % 16 == 0,
			       "memalign(%zu, %zu) = %p", al, n, (void *)p);
			CHECK(alloc_usable(&A, p) >= n);
			fill(p, n, (unsigned)al);
			char *q = alloc_realloc(&A, p, n + 10);
			CHECK(q && intact(q, n, (unsigned)al));
			alloc_free(&A, q);
		}
	}
	alloc_trim(&A);
	CHECK(live_pages() == 0);
}

static void realloc_cases(void)
{
	setup();
	char *p = alloc_realloc(&A, NULL, 40); /* realloc(NULL) is malloc */
	CHECK(p);
	fill(p, 40, 1);
	CHECK(alloc_realloc(&A, p, 44) == p); /* same class: in place */
	char *q = alloc_realloc(&A, p, 20);   /* shrink */
	CHECK(q && intact(q, 20, 1));
	fill(q, 20, 2);
	p = alloc_realloc(&A, q, 3000); /* grow: moves, keeps the old bytes */
	CHECK(p && intact(p, 20, 2));
	CHECK(alloc_realloc(&A, p, 0) == NULL); /* frees */
	CHECK(expect_bad(do_free, p) != NULL);	/* so it is gone */

	/* A heap run at the top grows where it is, and shrinks where it is. */
	p = alloc_malloc(&A, 20000);
	fill(p, 20000, 3);
	CHECK(alloc_realloc(&A, p, 60000) == p && intact(p, 20000, 3));
	CHECK(alloc_realloc(&A, p, 100000) == p && intact(p, 20000, 3));
	CHECK(alloc_realloc(&A, p, 30000) == p && intact(p, 20000, 3));
	/* ... also into a free run that follows it. */
	char *r = alloc_malloc(&A, 40000), *s = alloc_malloc(&A, 40000);
	alloc_free(&A, r);
	fill(p, 30000, 4);
	CHECK(alloc_realloc(&A, p, 60000) == p && intact(p, 30000, 4));
	alloc_free(&A, s);
	/* Past the large threshold it moves into a mapping of its own. */
	fill(p, 60000, 5);
	q = alloc_realloc(&A, p, 300000);
	CHECK(q && q != p && intact(q, 60000, 5) && P.map_pages > 0);
	/* A mapping grows in place when what follows it is free. */
	fill(q, 300000, 6);
	p = alloc_realloc(&A, q, 1 << 20);
	CHECK(p == q && intact(p, 300000, 6));
	p = alloc_realloc(&A, q, 3 << 20);
	CHECK(p == q && intact(p, 300000, 6));
	/* Shrinking it a lot gives pages back; shrinking it small moves it to the heap. */
	size_t before = P.map_pages;
	CHECK(alloc_realloc(&A, p, 200000) == p && P.map_pages < before && intact(p, 200000, 6));
	q = alloc_realloc(&A, p, 1000);
	CHECK(q && q != p && intact(q, 1000, 6) && P.map_pages == 0);
	alloc_free(&A, q);
	/* A mapping with something after it moves, with room to grow again. */
	p = alloc_malloc(&A, 200000);
	q = alloc_malloc(&A, 200000);
	fill(p, 200000, 8);
	r = alloc_realloc(&A, p, 210000);
	CHECK(r && r != p && intact(r, 200000, 8) && alloc_usable(&A, r) >= 300000);
	alloc_free(&A, q);
	alloc_free(&A, r);
	alloc_trim(&A);
	CHECK(live_pages() == 0);
}

static void usable_size(void)
{
	setup();
	for (size_t n = 1; n < 200000; n = n * 5 / 4 + 1) {
		char *a = alloc_malloc(&A, n), *b = alloc_malloc(&A, n);
		size_t ua = alloc_usable(&A, a);
		CHECK(ua >= n && alloc_usable(&A, b) >= n);
		fill(b, n, 9);
		memset(a, 0xee, ua); /* every usable byte is the block's own */
		CHECK(intact(b, n, 9));
		CHECK(alloc_realloc(&A, a, ua) == a); /* realloc within the usable size stays */
		alloc_free(&A, a);
		alloc_free(&A, b);
	}
}

static void calloc_zero(void)
{
	setup();
	static const size_t sizes[] = {1,     16,    100,    1000,   5000,
				       16384, 20000, 100000, 130000, 600000};
	void *p[10];
	for (int round = 0; round < 3; round++) {
		for (int i = 0; i < 10; i++) {
			p[i] = alloc_malloc(&A, sizes[i]);
			CHECK(p[i]);
			memset(p[i], 0xff, sizes[i]);
		}
		for (int i = 0; i < 10; i++)
			alloc_free(&A, p[i]);
		for (int i = 0; i < 10; i++) {
			p[i] = alloc_calloc(&A, 1, sizes[i]);
			CHECKF(p[i] && all_zero(p[i], sizes[i]), "size %zu", sizes[i]);
			memset(p[i], 0xff, sizes[i]);
		}
		for (int i = 0; i < 10; i++)
			alloc_free(&A, p[i]);
	}
	/* Zero runs merged in the heap stay zero where their headers were. */
	P.no_map = true;
	char *a = alloc_malloc(&A, 300000);
	alloc_free(&A, a);
	for (int i = 0; i < 20; i++)
		p[i % 10] = alloc_calloc(&A, 1, 24000), alloc_free(&A, p[i % 10]);
	a = alloc_calloc(&A, 1, 290000);
	CHECK(a && all_zero(a, 290000));
	alloc_free(&A, a);
}

static void bad_pointers(void)
{
	setup();
	char stack[64];
	char *small = alloc_malloc(&A, 40), *run = alloc_malloc(&A, 50000),
	     *large = alloc_malloc(&A, 500000), *al = alloc_memalign(&A, 4096, 300);
	fill(small, 40, 1);
	fill(run, 50000, 2);
	fill(large, 500000, 3);
	CHECK(expect_bad(do_free, stack + 16 - ((uintptr_t)stack & 15)) != NULL);
	CHECK(expect_bad(do_free, small + 1) != NULL);	  /* misaligned */
	CHECK(expect_bad(do_free, small + 16) != NULL);	  /* inside a block */
	CHECK(expect_bad(do_free, run + 4096) != NULL);	  /* inside a run */
	CHECK(expect_bad(do_free, large + 4096) != NULL); /* inside a mapping */
	CHECK(expect_bad(do_realloc, small + 32) != NULL);
	CHECK(intact(small, 40, 1) && intact(run, 50000, 2) && intact(large, 500000, 3));
	alloc_free(&A, small);
	alloc_free(&A, run);
	alloc_free(&A, large);
	alloc_free(&A, al);
	const char *why;
	CHECKF((why = expect_bad(do_free, small)) && strstr(why, "double"), "%s", why);
	CHECKF((why = expect_bad(do_free, run)) && strstr(why, "double"), "%s", why);
	CHECK(expect_bad(do_free, large) != NULL); /* unmapped: found in no table */
	CHECK(expect_bad(do_realloc, large) != NULL);
	CHECK(expect_bad(do_free, al) != NULL);
	alloc_trim(&A);
	CHECK(live_pages() == 0);
	/* With no heap left, a pointer into nothing is refused without being read. */
	CHECK(expect_bad(do_free, P.maps + 4096 + 16) != NULL);
	setup();
	CHECK(expect_bad(do_free, P.maps + 16) != NULL);
}

/* 100,000 small blocks freed (in an order unlike their addresses): fast, and the memory goes back.
 */
static void many_small(void)
{
	enum { N = 100000 };
	static void *p[N];
	setup();
	for (int i = 0; i < N; i++)
		CHECK((p[i] = alloc_malloc(&A, 16 + (size_t)(i % 7) * 24)));
	CHECK(live_pages() > 1000);
	for (int i = 0; i < N; i++)
		alloc_free(&A, p[(size_t)i * 7919 % N]);
	/* What is left is less than the 256 KiB that make the top worth cutting, and a span per
	 * class. */
	CHECKF(live_pages() <= 64 + 7 * 16, "%zu pages", live_pages());
	alloc_trim(&A);
	CHECK(live_pages() == 0);
}

static void large_unmapped(void)
{
	setup();
	char *p = alloc_malloc(&A, 1 << 20);
	CHECK(p && P.map_pages >= 256 && heap_pages() <= 16);
	CHECK(all_zero(p, 1 << 20));
	alloc_free(&A, p);
	CHECK(P.map_pages == 0);
	p = alloc_memalign(&A, 65536, 300000);
	CHECK(p && (uintptr_t)p % 65536 == 0 && P.map_pages > 0);
	alloc_free(&A, p);
	CHECK(P.map_pages == 0);
	/* Many at once: the table of large blocks grows and shrinks. */
	static void *q[700];
	for (int i = 0; i < 700; i++) {
		CHECK((q[i] = alloc_malloc(&A, 131072 + (size_t)i)));
		fill(q[i], 64, (unsigned)i);
	}
	for (int i = 0; i < 700; i += 2)
		alloc_free(&A, q[i]);
	for (int i = 1; i < 700; i += 2) {
		CHECK(intact(q[i], 64, (unsigned)i));
		alloc_free(&A, q[i]);
	}
	CHECK(P.map_pages == 0);
	alloc_trim(&A);
	CHECK(live_pages() == 0);
}

/* Without mappings (or when they fail) large blocks come from the heap, and go back to it. */
static void no_mappings(void)
{
	setup();
	P.no_map = true;
	char *p = alloc_malloc(&A, 1 << 20), *q = alloc_malloc(&A, 300000);
	CHECK(p && q && heap_pages() >= 256 + 70);
	fill(p, 1 << 20, 1);
	p = alloc_realloc(&A, p, 2 << 20);
	CHECK(p && intact(p, 1 << 20, 1));
	alloc_free(&A, p);
	alloc_free(&A, q);
	CHECKF(heap_pages() <= 32, "%zu", heap_pages()); /* the free top was cut to 128 KiB */
	/* Mapping is tried again after a while (or once something was unmapped). */
	P.no_map = false;
	int tries = 0;
	bool mapped;
	do {
		CHECK(tries++ < 20 && (p = alloc_malloc(&A, 1 << 20)));
		mapped = P.map_pages > 0;
		alloc_free(&A, p);
	} while (!mapped);
	CHECK(P.map_pages == 0 && heap_pages() <= 32);
}

/* The heap runs out: NULL, and everything still works after. */
static void heap_exhausted(void)
{
	static void *p[1000];
	int n = 0;

	setup();
	P.no_map = true;
	P.heap_max = 1 << 20;
	while (n < 1000 && (p[n] = alloc_malloc(&A, 3000)))
		fill(p[n], 3000, (unsigned)n), n++;
	CHECK(n > 200 && n < 1000);
	CHECK(alloc_malloc(&A, 50000) == NULL && alloc_calloc(&A, 1, 100000) == NULL);
	for (int i = 0; i < n; i++) {
		CHECK(intact(p[i], 3000, (unsigned)i));
		alloc_free(&A, p[i]);
	}
	CHECK((p[0] = alloc_malloc(&A, 500000)));
	alloc_free(&A, p[0]);
}

/*
 * A program started without servers has a 256 KiB heap and no mappings
 * (lib/libc/memory.c): user/c/hello's workload, 64 blocks live of up to
 * 256 bytes mostly and up to 8 KiB now and then, must fit in it.
 */
static void small_fixed_heap(void)
{
	static struct mblk {
		char *p;
		size_t n;
		unsigned id;
	} b[64];
	uint64_t r = 0x9e3779b97f4a7c15ull;

	setup();
	P.no_map = true;
	P.heap_max = 256 << 10;
	memset(b, 0, sizeof(b));
	for (unsigned i = 0; i < 20000; i++) {
		r ^= r << 13, r ^= r >> 7, r ^= r << 17;
		struct mblk *m = &b[r % 64];
		size_t n = 1 + (r >> 8) % ((r >> 40) & 7 ? 256 : 8192);
		if (!m->p) {
			CHECKF((m->p = alloc_malloc(&A, n)), "round %u: malloc(%zu)", i, n);
		} else if ((r >> 20) & 1) {
			CHECK(intact(m->p, m->n, m->id));
			alloc_free(&A, m->p);
			m->p = NULL;
			continue;
		} else {
			CHECK(intact(m->p, m->n, m->id));
			char *q = alloc_realloc(&A, m->p, n);
			CHECKF(q, "round %u: realloc(%zu)", i, n);
			CHECK(intact(q, m->n < n ? m->n : n, m->id));
			m->p = q;
		}
		m->n = n;
		m->id = i;
		fill(m->p, n, i);
	}
}

/* Someone else moves the break between our growths: the heap goes on in a new segment. */
static void foreign_break(void)
{
	setup();
	char *a = alloc_malloc(&A, 100);
	char *theirs = p_grow(&P, 5000);
	CHECK(theirs);
	memset(theirs, 0x11, 5000);
	char *b = alloc_malloc(&A, 90000); /* does not fit the first segment's 64 KiB */
	char *c = alloc_malloc(&A, 100000);
	CHECK(a && b && c && b > theirs && c > theirs);
	fill(b, 90000, 1);
	fill(c, 100000, 2);
	CHECK(expect_bad(do_free, theirs + 32) != NULL);
	alloc_free(&A, a);
	alloc_free(&A, b);
	CHECK(intact(c, 100000, 2));
	alloc_free(&A, c);
	for (int i = 0; i < 5000; i++)
		CHECK(theirs[i] == 0x11);
	alloc_trim(&A); /* the top segment goes; the first stays below their bytes */
	CHECK(P.brk == pround((uintptr_t)theirs + 5000));
}

/* ---------------------------------------------------------------- the model */

#define SLOTS 700

struct mblock {
	char *p;
	size_t n, align;
	unsigned id;
	bool zero; /* calloc'd and not yet written */
};

static uint64_t rng_state;

static uint64_t rnd(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

static size_t rnd_size(void)
{
	unsigned r = (unsigned)(rnd() % 1000);

	if (r < 700)
		return rnd() % 257;
	if (r < 900)
		return 257 + rnd() % 16128;
	if (r < 985)
		return 16385 + rnd() % 120000;
	return 131072 + rnd() % 400000;
}

static bool block_ok(const struct mblock *b)
{
	if (b->zero ? !all_zero(b->p, b->n) : !intact(b->p, b->n, b->id))
		return false;
	return (uintptr_t)b->p % (b->align > 16 ? b->align : 16) == 0 &&
	       alloc_usable(&A, b->p) >= b->n;
}

static void model_run(uint64_t seed, int ops, bool no_map)
{
	static struct mblock m[SLOTS];
	unsigned next_id = 1;

	setup();
	P.no_map = no_map;
	rng_state = seed;
	memset(m, 0, sizeof(m));
	for (int op = 0; op < ops; op++) {
		const char *broken = op % 64 ? NULL : alloc_verify(&A);
		CHECKF(!broken, "op %d: %s", op, broken);
		struct mblock *b = &m[rnd() % SLOTS];
		unsigned what = (unsigned)(rnd() % 10);
		if (!b->p) {
			size_t n = rnd_size();
			b->align = 0;
			b->zero = false;
			if (what < 5) {
				b->p = alloc_malloc(&A, n);
			} else if (what < 7) {
				b->p = alloc_calloc(&A, 1 + n % 7, n / (1 + n % 7));
				n = (1 + n % 7) * (n / (1 + n % 7));
				b->zero = true;
			} else if (what < 9) {
				b->align = (size_t)1 << (rnd() % 17);
				b->p = alloc_memalign(&A, b->align, n);
			} else {
				b->p = alloc_realloc(&A, NULL, n);
			}
			CHECKF(b->p, "op %d: allocation of %zu failed", op, n);
			b->n = n;
			b->id = next_id++;
			if (!b->zero)
				fill(b->p, n, b->id);
			CHECKF(block_ok(b), "op %d: new block %u (%zu bytes)", op, b->id, n);
			if (b->zero && rnd() % 2)
				fill(b->p, n, b->id), b->zero = false;
		} else if (what < 5) {
			CHECKF(block_ok(b), "op %d: block %u (%zu bytes) before free", op, b->id,
			       b->n);
			alloc_free(&A, b->p);
			b->p = NULL;
		} else {
			size_t n = rnd() % 4 ? rnd_size() : b->n + rnd() % 300;
			CHECKF(block_ok(b), "op %d: block %u before realloc", op, b->id);
			char *q = alloc_realloc(&A, b->p, n);
			if (n == 0) {
				CHECK(q == NULL);
				b->p = NULL;
				continue;
			}
			CHECKF(q, "op %d: realloc to %zu failed", op, n);
			size_t keep = n < b->n ? n : b->n;
			CHECKF(b->zero ? all_zero(q, keep) : intact(q, keep, b->id),
			       "op %d: realloc of block %u from %zu to %zu lost bytes", op, b->id,
			       b->n, n);
			b->p = q;
			b->n = n;
			b->id = next_id++;
			b->zero = false;
			b->align = 0;
			fill(q, n, b->id);
		}
	}
	for (int i = 0; i < SLOTS; i++) {
		if (!m[i].p)
			continue;
		CHECKF(block_ok(&m[i]), "block %u at the end", m[i].id);
		alloc_free(&A, m[i].p);
		m[i].p = NULL;
	}
	const char *broken = alloc_verify(&A);
	CHECKF(!broken, "at the end: %s", broken);
	/* Everything free: what stays is less than the 256 KiB that make the top worth cutting. */
	CHECKF(P.map_pages == 0 && heap_pages() < 64, "%zu heap, %zu mapped", heap_pages(),
	       P.map_pages);
	alloc_trim(&A);
	CHECKF(live_pages() == 0, "%zu pages after trim", live_pages());
}

static void model(void)
{
	for (uint64_t seed = 1; seed <= 4; seed++) {
		model_run(seed * 0x9e3779b97f4a7c15ull, 20000, false);
		if (check_test_failed) {
			printf("    seed %llu\n", (unsigned long long)seed);
			return;
		}
	}
}

static void model_without_mappings(void)
{
	model_run(0x1234567887654321ull, 20000, true);
}

int main(void)
{
	check_suite = "host/alloc";
	RUN(zero_bytes);
	RUN(huge_sizes);
	RUN(alignment);
	RUN(realloc_cases);
	RUN(usable_size);
	RUN(calloc_zero);
	RUN(bad_pointers);
	RUN(many_small);
	RUN(large_unmapped);
	RUN(no_mappings);
	RUN(heap_exhausted);
	RUN(small_fixed_heap);
	RUN(foreign_break);
	RUN(model);
	RUN(model_without_mappings);
	return check_done();
}
