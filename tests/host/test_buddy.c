/*
 * Host tests for the buddy frame allocator (mm/buddy.c).
 *
 * Physical memory is simulated: descriptors come from calloc and the span
 * base is a made-up physical address. The allocator must never touch the
 * memory it manages; test_never_touches_memory maps the span PROT_NONE
 * behind the direct map to prove it. Every test runs buddy_check after each
 * change, and the random tests compare against a byte-per-page model.
 */
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>

#include "lib/error.h"
#include "mm/buddy.h"
#include "mm/physmap.h"
#include "tests/host/check.h"

#define PG	     ((paddr_t)PAGE_SIZE)
#define BASE_ALIGNED 0x80000000ull
#define BASE_ODD     0x80201000ull /* pfn 0x80201: aligned to order 0 only */

/* ---------------------------------------------------------------- helpers */

struct sim {
	struct buddy b;
	struct frame *frames;
};

static void sim_init(struct sim *s, paddr_t base, size_t npages)
{
	s->frames = calloc(npages ? npages : 1, sizeof(struct frame));
	if (!s->frames)
		abort();
	buddy_init(&s->b, base, npages, s->frames);
}

static void sim_fini(struct sim *s)
{
	free(s->frames);
	s->frames = NULL;
}

static paddr_t page_pa(const struct sim *s, size_t idx)
{
	return s->b.base + idx * PG;
}

#define CHECK_BUDDY(bp)                                                                            \
	do {                                                                                       \
		char why_[128];                                                                    \
		int rc_ = buddy_check((bp), why_, sizeof(why_));                                   \
		CHECKF(rc_ == ERR_OK, "buddy_check: %s (%s)", err_name(rc_), why_);                \
	} while (0)

#define CHECK_RC(expr, want)                                                                       \
	do {                                                                                       \
		int got_ = (expr);                                                                 \
		CHECKF(got_ == (want), "got %s, want %s", err_name(got_), err_name(want));         \
	} while (0)

/* A byte-exact copy of the allocator, to prove a failed call changed nothing. */
struct snap {
	struct buddy b;
	struct frame *frames;
};

static void snap_take(struct snap *sn, const struct buddy *b)
{
	memcpy(&sn->b, b, sizeof(*b));
	sn->frames = malloc(buddy_desc_bytes(b->npages) + 1);
	if (!sn->frames)
		abort();
	memcpy(sn->frames, b->frames, buddy_desc_bytes(b->npages));
}

static bool snap_same(const struct snap *sn, const struct buddy *b)
{
	return memcmp(&sn->b, b, sizeof(*b)) == 0 &&
	       memcmp(sn->frames, b->frames, buddy_desc_bytes(b->npages)) == 0;
}

static void snap_drop(struct snap *sn)
{
	free(sn->frames);
}

/* The call `expr` must return `want` and leave the allocator byte-identical. */
#define CHECK_FAILS_CLEANLY(bp, expr, want)                                                        \
	do {                                                                                       \
		struct snap sn_;                                                                   \
		int got_;                                                                          \
		snap_take(&sn_, (bp));                                                             \
		got_ = (expr);                                                                     \
		bool same_ = snap_same(&sn_, (bp));                                                \
		snap_drop(&sn_);                                                                   \
		CHECKF(got_ == (want), "%s: got %s, want %s", #expr, err_name(got_),               \
		       err_name(want));                                                            \
		CHECKF(same_, "%s changed the allocator", #expr);                                  \
		CHECK_BUDDY(bp);                                                                   \
	} while (0)

static uint64_t rng_state;

static void rng_seed(uint64_t seed)
{
	rng_state = seed * 0x9e3779b97f4a7c15ull + 1;
}

static uint64_t rng(void)
{
	/* xorshift64* */
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545f4914f6cdd1dull;
}

static unsigned rng_below(unsigned n)
{
	return (unsigned)(rng() % n);
}

/* Number of blocks of `order` the free lists can yield (larger blocks split). */
static size_t blocks_available(const struct buddy *b, unsigned order)
{
	size_t n = 0;

	for (unsigned k = order; k < BUDDY_NORDERS; k++)
		n += b->free_blocks[k] << (k - order);
	return n;
}

/* ---------------------------------------------------------------- basics */

static void test_init_all_reserved(void)
{
	struct sim s;
	struct buddy_stats st;

	sim_init(&s, BASE_ALIGNED, 64);
	CHECK_BUDDY(&s.b);
	buddy_get_stats(&s.b, &st);
	CHECK(st.free_pages == 0 && st.total_pages == 0);
	CHECK(st.largest_order == -1 && st.frag_permille == 0);
	for (size_t i = 0; i < 64; i++)
		CHECK(s.frames[i].state == FRAME_RESERVED);
	CHECK(buddy_alloc(&s.b, 0) == NULL);
	CHECK_RC(buddy_free(&s.b, BASE_ALIGNED, 0), ERR_STATE);
	CHECK(buddy_desc_bytes(64) == 64 * sizeof(struct frame));
	CHECK(sizeof(struct frame) == 24);
	sim_fini(&s);
}

static void test_add_range_aligned_one_block(void)
{
	struct sim s;

	sim_init(&s, BASE_ALIGNED, 1024);
	CHECK_RC(buddy_add_range(&s.b, BASE_ALIGNED, 1024), ERR_OK);
	CHECK_BUDDY(&s.b);
	CHECK(s.b.free_blocks[10] == 1 && s.b.free_pages == 1024 && s.b.total_pages == 1024);
	for (unsigned k = 0; k < BUDDY_NORDERS; k++)
		CHECK(k == 10 || s.b.free_blocks[k] == 0);
	CHECK(s.frames[0].state == FRAME_FREE && s.frames[0].order == 10);
	for (size_t i = 1; i < 1024; i++)
		CHECK(s.frames[i].state == FRAME_FREE_TAIL);
	sim_fini(&s);
}

/* pfn 0x80201..0x80207: blocks of order 0 (0x80201), 1 (0x80202), 2 (0x80204). */
static void test_add_range_odd_base_maximal_blocks(void)
{
	struct sim s;

	sim_init(&s, BASE_ODD, 7);
	CHECK_RC(buddy_add_range(&s.b, BASE_ODD, 7), ERR_OK);
	CHECK_BUDDY(&s.b);
	CHECK(s.b.free_blocks[0] == 1 && s.b.free_blocks[1] == 1 && s.b.free_blocks[2] == 1);
	CHECK(s.b.free_pages == 7);
	CHECK(s.frames[0].state == FRAME_FREE && s.frames[0].order == 0);
	CHECK(s.frames[1].state == FRAME_FREE && s.frames[1].order == 1);
	CHECK(s.frames[3].state == FRAME_FREE && s.frames[3].order == 2);
	/* The order-3 block at pfn 0x80200 sticks out of the span below, so no order 3. */
	CHECK(buddy_alloc(&s.b, 3) == NULL);
	sim_fini(&s);

	/*
	 * 0x80201000 + 0x3ff pages ends at pfn 0x80600: blocks 0,1,2,...,8 climbing
	 * to pfn 0x80400, then one order-9 block (0x80400..0x80600).
	 */
	sim_init(&s, BASE_ODD, 0x3ff);
	CHECK_RC(buddy_add_range(&s.b, BASE_ODD, 0x3ff), ERR_OK);
	CHECK_BUDDY(&s.b);
	for (unsigned k = 0; k <= 8; k++)
		CHECKF(s.b.free_blocks[k] == 1, "order %u: %zu", k, s.b.free_blocks[k]);
	CHECK(s.b.free_blocks[9] == 1 && s.b.free_blocks[10] == 0);
	sim_fini(&s);
}

/* Adding pages one at a time in a random order must coalesce to the same blocks. */
static void test_add_range_piecewise_coalesces(void)
{
	enum { N = 1500 };
	static size_t perm[N];
	struct sim whole, piece;

	sim_init(&whole, BASE_ODD, N);
	sim_init(&piece, BASE_ODD, N);
	CHECK_RC(buddy_add_range(&whole.b, BASE_ODD, N), ERR_OK);
	rng_seed(7);
	for (size_t i = 0; i < N; i++)
		perm[i] = i;
	for (size_t i = N - 1; i > 0; i--) {
		size_t j = rng() % (i + 1), t = perm[i];
		perm[i] = perm[j];
		perm[j] = t;
	}
	for (size_t i = 0; i < N; i++) {
		CHECK_RC(buddy_add_range(&piece.b, page_pa(&piece, perm[i]), 1), ERR_OK);
		if (i % 97 == 0)
			CHECK_BUDDY(&piece.b);
	}
	CHECK_BUDDY(&piece.b);
	CHECK(memcmp(whole.b.free_blocks, piece.b.free_blocks, sizeof(whole.b.free_blocks)) == 0);
	CHECK(piece.b.free_pages == N && piece.b.total_pages == N);
	for (size_t i = 0; i < N; i++) {
		CHECK(whole.frames[i].state == piece.frames[i].state);
		CHECK(whole.frames[i].state != FRAME_FREE ||
		      whole.frames[i].order == piece.frames[i].order);
	}
	sim_fini(&whole);
	sim_fini(&piece);
}

/* Holes split the blocks; filling a hole later merges across it. */
static void test_add_range_holes(void)
{
	struct sim s;

	sim_init(&s, BASE_ALIGNED, 64);
	CHECK_RC(buddy_add_range(&s.b, BASE_ALIGNED, 16), ERR_OK);
	CHECK_RC(buddy_add_range(&s.b, BASE_ALIGNED + 17 * PG, 47), ERR_OK);
	CHECK_BUDDY(&s.b);
	CHECK(s.b.free_pages == 63 && s.b.total_pages == 63);
	CHECK(s.frames[16].state == FRAME_RESERVED);
	/* Page 16 reserved: 0..15 (o4), 17 (o0), 18..19 (o1), 20..23 (o2), 24..31 (o3), 32..63 (o5)
	 */
	CHECK(s.b.free_blocks[4] == 1 && s.b.free_blocks[0] == 1 && s.b.free_blocks[1] == 1);
	CHECK(s.b.free_blocks[2] == 1 && s.b.free_blocks[3] == 1 && s.b.free_blocks[5] == 1);
	CHECK(s.b.free_blocks[6] == 0);
	CHECK_RC(buddy_add_range(&s.b, BASE_ALIGNED + 16 * PG, 1), ERR_OK);
	CHECK_BUDDY(&s.b);
	CHECK(s.b.free_blocks[6] == 1 && s.b.free_pages == 64);
	for (unsigned k = 0; k < 6; k++)
		CHECK(s.b.free_blocks[k] == 0);
	sim_fini(&s);
}

static void test_add_range_zero_pages(void)
{
	struct sim s;

	sim_init(&s, BASE_ALIGNED, 16);
	CHECK_FAILS_CLEANLY(&s.b, buddy_add_range(&s.b, BASE_ALIGNED + 3 * PG, 0), ERR_OK);
	sim_fini(&s);
}

/* ---------------------------------------------------------------- alloc / free */

static void test_alloc_sets_fields(void)
{
	struct sim s;
	struct frame *f;
	paddr_t pa;

	sim_init(&s, BASE_ALIGNED, 16);
	CHECK_RC(buddy_add_range(&s.b, BASE_ALIGNED, 16), ERR_OK);
	f = buddy_alloc(&s.b, 2);
	CHECK(f != NULL);
	pa = buddy_frame_pa(&s.b, f);
	CHECK(IS_ALIGNED(pa, 4 * PG));
	CHECK(f->state == FRAME_ALLOCATED && f->order == 2);
	CHECK(f->refcount == 1 && f->owner == 0 && f->flags == 0);
	for (size_t i = 1; i < 4; i++)
		CHECK(f[i].state == FRAME_ALLOC_TAIL);
	CHECK_BUDDY(&s.b);
	/* The owner scribbles on its fields; the next alloc must reset them. */
	f->refcount = 7;
	f->owner = 0xdead;
	f->flags = 0xbeef;
	CHECK_RC(buddy_free(&s.b, pa, 2), ERR_OK);
	CHECK_BUDDY(&s.b);
	f = buddy_alloc(&s.b, 2);
	CHECK(f != NULL && buddy_frame_pa(&s.b, f) == pa);
	CHECK(f->refcount == 1 && f->owner == 0 && f->flags == 0);
	CHECK_BUDDY(&s.b);
	sim_fini(&s);
}

/* Allocate every page one by one, free them in a random order: back to one block. */
static void test_coalesce_back_to_one_block(void)
{
	enum { N = 512 };
	static paddr_t pas[N];
	struct sim s;

	sim_init(&s, BASE_ALIGNED, N);
	CHECK_RC(buddy_add_range(&s.b, BASE_ALIGNED, N), ERR_OK);
	for (size_t i = 0; i < N; i++) {
		struct frame *f = buddy_alloc(&s.b, 0);
		CHECK(f != NULL);
		pas[i] = buddy_frame_pa(&s.b, f);
	}
	CHECK(buddy_alloc(&s.b, 0) == NULL);
	CHECK(s.b.free_pages == 0);
	CHECK_BUDDY(&s.b);
	rng_seed(3);
	for (size_t i = N - 1; i > 0; i--) {
		size_t j = rng() % (i + 1);
		paddr_t t = pas[i];
		pas[i] = pas[j];
		pas[j] = t;
	}
	for (size_t i = 0; i < N; i++) {
		CHECK_RC(buddy_free(&s.b, pas[i], 0), ERR_OK);
		CHECK_BUDDY(&s.b);
	}
	CHECK(s.b.free_blocks[9] == 1 && s.b.free_pages == N);
	for (unsigned k = 0; k < 9; k++)
		CHECK(s.b.free_blocks[k] == 0);
	sim_fini(&s);
}

/* Span of 4000 pages at BASE_ODD; reserved: 0..4, 300..310, 2047, 3500..3999 */
static int add_holey_ranges(struct sim *s)
{
	int rc = buddy_add_range(&s->b, page_pa(s, 5), 295);

	if (rc == ERR_OK)
		rc = buddy_add_range(&s->b, page_pa(s, 311), 2047 - 311);
	if (rc == ERR_OK)
		rc = buddy_add_range(&s->b, page_pa(s, 2048), 3500 - 2048);
	return rc;
}

/* For each order: allocate until NULL, then free all; the allocator returns to its start. */
static void test_exhaustion_each_order(void)
{
	static paddr_t pas[4000];
	struct sim s;
	struct snap start;

	sim_init(&s, BASE_ODD, 4000);
	CHECK_RC(add_holey_ranges(&s), ERR_OK);
	CHECK_BUDDY(&s.b);
	CHECK(s.b.total_pages == 295 + (2047 - 311) + (3500 - 2048));
	snap_take(&start, &s.b);
	for (unsigned order = 0; order <= BUDDY_MAX_ORDER; order++) {
		size_t want = blocks_available(&s.b, order), n = 0;
		struct frame *f;

		while ((f = buddy_alloc(&s.b, order)) != NULL) {
			CHECK(n < 4000);
			pas[n] = buddy_frame_pa(&s.b, f);
			CHECK(IS_ALIGNED(pas[n], PG << order));
			n++;
		}
		CHECK_BUDDY(&s.b);
		CHECKF(n == want, "order %u: got %zu blocks, want %zu", order, n, want);
		CHECK(blocks_available(&s.b, order) == 0);
		if (order == 0)
			CHECK(s.b.free_pages == 0);
		/* Free in an interleaved order (odd indices, then even). */
		for (size_t i = 1; i < n; i += 2)
			CHECK_RC(buddy_free(&s.b, pas[i], order), ERR_OK);
		CHECK_BUDDY(&s.b);
		for (size_t i = 0; i < n; i += 2)
			CHECK_RC(buddy_free(&s.b, pas[i], order), ERR_OK);
		CHECK_BUDDY(&s.b);
		CHECKF(memcmp(start.b.free_blocks, s.b.free_blocks, sizeof(s.b.free_blocks)) == 0 &&
			   s.b.free_pages == start.b.free_pages,
		       "order %u: did not coalesce back", order);
		for (size_t i = 0; i < 4000; i++) {
			CHECK(s.frames[i].state == start.frames[i].state);
			CHECK(s.frames[i].state != FRAME_FREE ||
			      s.frames[i].order == start.frames[i].order);
		}
	}
	snap_drop(&start);
	sim_fini(&s);
}

/* Blocks never merge beyond BUDDY_MAX_ORDER. */
static void test_max_order(void)
{
	const size_t n = (size_t)2 << BUDDY_MAX_ORDER;
	struct sim s;
	struct frame *a, *b2;

	sim_init(&s, BASE_ALIGNED, n); /* pfn 0x80000 is aligned to order 19 */
	CHECK_RC(buddy_add_range(&s.b, BASE_ALIGNED, n), ERR_OK);
	CHECK_BUDDY(&s.b);
	CHECK(s.b.free_blocks[BUDDY_MAX_ORDER] == 2 && s.b.free_pages == n);
	CHECK(buddy_alloc(&s.b, BUDDY_MAX_ORDER + 1) == NULL);
	a = buddy_alloc(&s.b, BUDDY_MAX_ORDER);
	b2 = buddy_alloc(&s.b, BUDDY_MAX_ORDER);
	CHECK(a != NULL && b2 != NULL && a != b2);
	CHECK(buddy_alloc(&s.b, BUDDY_MAX_ORDER) == NULL);
	CHECK(buddy_alloc(&s.b, 0) == NULL);
	CHECK_BUDDY(&s.b);
	CHECK_RC(buddy_free(&s.b, buddy_frame_pa(&s.b, b2), BUDDY_MAX_ORDER), ERR_OK);
	CHECK_RC(buddy_free(&s.b, buddy_frame_pa(&s.b, a), BUDDY_MAX_ORDER), ERR_OK);
	CHECK_BUDDY(&s.b);
	CHECK(s.b.free_blocks[BUDDY_MAX_ORDER] == 2);
	sim_fini(&s);
}

/* ---------------------------------------------------------------- misuse */

static void test_free_errors(void)
{
	struct sim s;
	struct frame *f0, *f2, *f3;
	paddr_t pa0, pa2, pa3, end;

	sim_init(&s, BASE_ODD, 64);
	/* Page 63 stays reserved. */
	CHECK_RC(buddy_add_range(&s.b, BASE_ODD, 63), ERR_OK);
	f0 = buddy_alloc(&s.b, 0);
	f2 = buddy_alloc(&s.b, 2);
	f3 = buddy_alloc(&s.b, 3);
	CHECK(f0 && f2 && f3);
	pa0 = buddy_frame_pa(&s.b, f0);
	pa2 = buddy_frame_pa(&s.b, f2);
	pa3 = buddy_frame_pa(&s.b, f3);
	end = page_pa(&s, 64);
	CHECK_BUDDY(&s.b);

	/* Order too large. */
	CHECK_FAILS_CLEANLY(&s.b, buddy_free(&s.b, pa0, BUDDY_MAX_ORDER + 1), ERR_INVALID);
	CHECK_FAILS_CLEANLY(&s.b, buddy_free(&s.b, pa0, 200), ERR_INVALID);
	/* Outside the span, below and above. */
	CHECK_FAILS_CLEANLY(&s.b, buddy_free(&s.b, BASE_ODD - PG, 0), ERR_RANGE);
	CHECK_FAILS_CLEANLY(&s.b, buddy_free(&s.b, 0, 0), ERR_RANGE);
	CHECK_FAILS_CLEANLY(&s.b, buddy_free(&s.b, end, 0), ERR_RANGE);
	CHECK_FAILS_CLEANLY(&s.b, buddy_free(&s.b, end + 64 * PG, 2), ERR_RANGE);
	/* Unaligned: inside a page, and page aligned but not order aligned. */
	CHECK_FAILS_CLEANLY(&s.b, buddy_free(&s.b, pa0 + 8, 0), ERR_ALIGN);
	CHECK_FAILS_CLEANLY(&s.b, buddy_free(&s.b, pa2 + PG, 2), ERR_ALIGN);
	CHECK_FAILS_CLEANLY(&s.b, buddy_free(&s.b, pa3 + 4 * PG, 3), ERR_ALIGN);
	/* A tail page of an allocated block. */
	CHECK_FAILS_CLEANLY(&s.b, buddy_free(&s.b, pa2 + PG, 0), ERR_STATE);
	CHECK_FAILS_CLEANLY(&s.b, buddy_free(&s.b, pa3 + 2 * PG, 1), ERR_STATE);
	/* Wrong order: smaller, and larger with the address aligned to it. */
	CHECK_FAILS_CLEANLY(&s.b, buddy_free(&s.b, pa2, 1), ERR_INVALID);
	CHECK_FAILS_CLEANLY(&s.b, buddy_free(&s.b, pa2, 0), ERR_INVALID);
	CHECK_FAILS_CLEANLY(&s.b, buddy_free(&s.b, pa3, 2), ERR_INVALID);
	if (IS_ALIGNED(pa2, 8 * PG))
		CHECK_FAILS_CLEANLY(&s.b, buddy_free(&s.b, pa2, 3), ERR_INVALID);
	else
		CHECK_FAILS_CLEANLY(&s.b, buddy_free(&s.b, pa2, 3), ERR_ALIGN);
	/* A reserved page (the hole at the end of the span). */
	CHECK_FAILS_CLEANLY(&s.b, buddy_free(&s.b, page_pa(&s, 63), 0), ERR_STATE);
	/* Double free: the block is free now, its head and its tails. */
	CHECK_RC(buddy_free(&s.b, pa2, 2), ERR_OK);
	CHECK_BUDDY(&s.b);
	CHECK_FAILS_CLEANLY(&s.b, buddy_free(&s.b, pa2, 2), ERR_STATE);
	CHECK_FAILS_CLEANLY(&s.b, buddy_free(&s.b, pa2 + PG, 0), ERR_STATE);
	CHECK_RC(buddy_free(&s.b, pa0, 0), ERR_OK);
	CHECK_FAILS_CLEANLY(&s.b, buddy_free(&s.b, pa0, 0), ERR_STATE);
	/* A page that was never allocated at all (free from the start). */
	CHECK_RC(buddy_free(&s.b, pa3, 3), ERR_OK);
	CHECK_BUDDY(&s.b);
	CHECK(s.b.free_pages == 63);
	/* Page 31 (pfn 0x80220) heads a free order-5 block that was never allocated. */
	CHECK(s.frames[31].state == FRAME_FREE && s.frames[31].order == 5);
	CHECK_FAILS_CLEANLY(&s.b, buddy_free(&s.b, page_pa(&s, 31), 5), ERR_STATE);
	sim_fini(&s);
}

static void test_alloc_errors(void)
{
	struct sim s;
	struct snap sn;
	bool same;

	sim_init(&s, BASE_ALIGNED, 32);
	CHECK_RC(buddy_add_range(&s.b, BASE_ALIGNED, 32), ERR_OK);
	snap_take(&sn, &s.b);
	CHECK(buddy_alloc(&s.b, BUDDY_MAX_ORDER + 1) == NULL);
	CHECK(buddy_alloc(&s.b, 1000) == NULL);
	CHECK(buddy_alloc(&s.b, 6) == NULL); /* larger than anything free */
	same = snap_same(&sn, &s.b);
	snap_drop(&sn);
	CHECK(same);
	CHECK_BUDDY(&s.b);
	sim_fini(&s);
}

static void test_add_range_errors(void)
{
	struct sim s;
	struct frame *f;

	sim_init(&s, BASE_ODD, 64);
	CHECK_RC(buddy_add_range(&s.b, page_pa(&s, 8), 16), ERR_OK);
	f = buddy_alloc(&s.b, 0);
	CHECK(f != NULL);
	CHECK_BUDDY(&s.b);
	/* Unaligned. */
	CHECK_FAILS_CLEANLY(&s.b, buddy_add_range(&s.b, page_pa(&s, 40) + 1, 1), ERR_ALIGN);
	CHECK_FAILS_CLEANLY(&s.b, buddy_add_range(&s.b, page_pa(&s, 40) + 2048, 4), ERR_ALIGN);
	/* Out of the span: below, starting past the end, running past the end, overflow. */
	CHECK_FAILS_CLEANLY(&s.b, buddy_add_range(&s.b, BASE_ODD - PG, 2), ERR_RANGE);
	CHECK_FAILS_CLEANLY(&s.b, buddy_add_range(&s.b, page_pa(&s, 65), 1), ERR_RANGE);
	CHECK_FAILS_CLEANLY(&s.b, buddy_add_range(&s.b, page_pa(&s, 64), 1), ERR_RANGE);
	CHECK_FAILS_CLEANLY(&s.b, buddy_add_range(&s.b, page_pa(&s, 60), 5), ERR_RANGE);
	CHECK_FAILS_CLEANLY(&s.b, buddy_add_range(&s.b, page_pa(&s, 30), SIZE_MAX), ERR_RANGE);
	CHECK_FAILS_CLEANLY(&s.b, buddy_add_range(&s.b, UINT64_MAX & ~PAGE_MASK, 1), ERR_RANGE);
	/* Overlapping free pages: all of them, the first, the last, one in the middle. */
	CHECK_FAILS_CLEANLY(&s.b, buddy_add_range(&s.b, page_pa(&s, 8), 16), ERR_STATE);
	CHECK_FAILS_CLEANLY(&s.b, buddy_add_range(&s.b, page_pa(&s, 0), 9), ERR_STATE);
	CHECK_FAILS_CLEANLY(&s.b, buddy_add_range(&s.b, page_pa(&s, 23), 10), ERR_STATE);
	CHECK_FAILS_CLEANLY(&s.b, buddy_add_range(&s.b, page_pa(&s, 15), 1), ERR_STATE);
	/* Overlapping an allocated page. */
	CHECK_FAILS_CLEANLY(&s.b, buddy_add_range(&s.b, buddy_frame_pa(&s.b, f), 1), ERR_STATE);
	/* The whole span. */
	CHECK_FAILS_CLEANLY(&s.b, buddy_add_range(&s.b, BASE_ODD, 64), ERR_STATE);
	/* Still good: the free page count did not move and the reserved rest can be added. */
	CHECK(s.b.free_pages == 15 && s.b.total_pages == 16);
	CHECK_RC(buddy_add_range(&s.b, page_pa(&s, 24), 40), ERR_OK);
	CHECK_RC(buddy_add_range(&s.b, BASE_ODD, 8), ERR_OK);
	CHECK_BUDDY(&s.b);
	CHECK(s.b.free_pages == 63 && s.b.total_pages == 64);
	sim_fini(&s);
}

/* ---------------------------------------------------------------- stats */

static void test_stats_and_frag(void)
{
	struct sim s;
	struct buddy_stats st;
	struct frame *f[16];

	sim_init(&s, BASE_ALIGNED, 16);
	CHECK_RC(buddy_add_range(&s.b, BASE_ALIGNED, 16), ERR_OK);
	buddy_get_stats(&s.b, &st);
	CHECK(st.free_pages == 16 && st.total_pages == 16 && st.largest_order == 4);
	CHECK(st.free_blocks[4] == 1 && st.frag_permille == 0);

	/* One page out: free 1+2+4+8 = 15, largest 8: 1000 - 1000*8/15 = 1000 - 533. */
	f[0] = buddy_alloc(&s.b, 0);
	CHECK(f[0] != NULL);
	buddy_get_stats(&s.b, &st);
	CHECK(st.free_pages == 15 && st.total_pages == 16 && st.largest_order == 3);
	CHECK(st.free_blocks[0] == 1 && st.free_blocks[1] == 1 && st.free_blocks[2] == 1 &&
	      st.free_blocks[3] == 1);
	CHECKF(st.frag_permille == 467, "frag %u", st.frag_permille);

	/* All out: nothing free, frag 0, largest -1. */
	for (int i = 1; i < 16; i++)
		CHECK((f[i] = buddy_alloc(&s.b, 0)) != NULL);
	buddy_get_stats(&s.b, &st);
	CHECK(st.free_pages == 0 && st.total_pages == 16 && st.largest_order == -1);
	CHECK(st.frag_permille == 0);

	/* Free every other page: 8 single pages, largest 1: 1000 - 1000/8 = 875. */
	for (int i = 0; i < 16; i += 2)
		CHECK_RC(buddy_free(&s.b, buddy_frame_pa(&s.b, f[i]), 0), ERR_OK);
	CHECK_BUDDY(&s.b);
	buddy_get_stats(&s.b, &st);
	CHECK(st.free_pages == 8 && st.free_blocks[0] == 8 && st.largest_order == 0);
	CHECKF(st.frag_permille == 875, "frag %u", st.frag_permille);

	/* Three single pages: 1000 - 1000/3 = 1000 - 333 = 667. */
	for (int i = 0; i < 16; i += 2)
		CHECK(buddy_alloc(&s.b, 0) != NULL);
	CHECK(s.b.free_pages == 0);
	for (int i = 1; i < 7; i += 2)
		CHECK_RC(buddy_free(&s.b, buddy_frame_pa(&s.b, f[i]), 0), ERR_OK);
	buddy_get_stats(&s.b, &st);
	CHECK(st.free_pages == 3 && st.largest_order == 0);
	CHECKF(st.frag_permille == 667, "frag %u", st.frag_permille);

	/* Free the rest: one order-4 block again, frag 0. */
	for (int i = 0; i < 16; i++)
		if (!(i % 2 == 1 && i < 7))
			CHECK_RC(buddy_free(&s.b, BASE_ALIGNED + (paddr_t)i * PG, 0), ERR_OK);
	CHECK_BUDDY(&s.b);
	buddy_get_stats(&s.b, &st);
	CHECK(st.free_pages == 16 && st.largest_order == 4 && st.frag_permille == 0);
	CHECK(st.free_blocks[4] == 1);
	sim_fini(&s);
}

static void test_pa_frame_round_trip(void)
{
	struct sim s;
	const size_t n = 300;

	sim_init(&s, BASE_ODD, n);
	for (size_t i = 0; i < n; i++) {
		paddr_t pa = page_pa(&s, i);
		struct frame *f = buddy_pa_frame(&s.b, pa);

		CHECK(f == &s.frames[i]);
		CHECK(buddy_frame_pa(&s.b, f) == pa);
		CHECK(buddy_pa_frame(&s.b, pa + 1) == f);
		CHECK(buddy_pa_frame(&s.b, pa + PG - 1) == f);
	}
	CHECK(buddy_pa_frame(&s.b, BASE_ODD - 1) == NULL);
	CHECK(buddy_pa_frame(&s.b, BASE_ODD - PG) == NULL);
	CHECK(buddy_pa_frame(&s.b, 0) == NULL);
	CHECK(buddy_pa_frame(&s.b, page_pa(&s, n)) == NULL);
	CHECK(buddy_pa_frame(&s.b, page_pa(&s, n) + 5) == NULL);
	CHECK(buddy_pa_frame(&s.b, UINT64_MAX) == NULL);
	sim_fini(&s);
}

/* ---------------------------------------------------------------- checker */

/* The checker must catch each kind of corruption, not just pass everything. */
static void test_check_detects_corruption(void)
{
	struct sim s;
	struct snap sn;
	struct frame *a;
	char why[128];
	uint32_t h;

	sim_init(&s, BASE_ALIGNED, 64);
	CHECK_RC(buddy_add_range(&s.b, BASE_ALIGNED, 60), ERR_OK);
	a = buddy_alloc(&s.b, 2);
	CHECK(a != NULL && buddy_alloc(&s.b, 0) != NULL);
	CHECK_BUDDY(&s.b);
	snap_take(&sn, &s.b);
	/* Free: 0..31 (o5), 32..47 (o4), 49 (o0), 50..51 (o1), 52..55 (o2); 60..63 reserved. */
	h = s.b.free_head[4];
	CHECK(h == 32 && s.b.free_blocks[4] == 1);

#define EXPECT_CORRUPT(mutation)                                                                   \
	do {                                                                                       \
		memcpy(&s.b, &sn.b, sizeof(s.b));                                                  \
		memcpy(s.frames, sn.frames, buddy_desc_bytes(64));                                 \
		mutation;                                                                          \
		why[0] = '\0';                                                                     \
		CHECKF(buddy_check(&s.b, why, sizeof(why)) == ERR_CORRUPT, "%s not caught",        \
		       #mutation);                                                                 \
		CHECKF(why[0] != '\0', "%s: no reason given", #mutation);                          \
	} while (0)

	EXPECT_CORRUPT(s.frames[h + 1].state = FRAME_ALLOC_TAIL);
	EXPECT_CORRUPT(s.frames[h + 15].state = FRAME_RESERVED);
	EXPECT_CORRUPT(s.frames[h].order = 3);
	EXPECT_CORRUPT(s.frames[h].order = 40);
	EXPECT_CORRUPT(s.frames[h].state = FRAME_ALLOCATED);
	EXPECT_CORRUPT(s.frames[h].prev = 5);
	EXPECT_CORRUPT(s.frames[h].next = h);
	EXPECT_CORRUPT(s.frames[h].next = 1000);
	EXPECT_CORRUPT(s.b.free_head[4] = FRAME_NONE);
	EXPECT_CORRUPT(s.b.free_head[5] = h);
	EXPECT_CORRUPT(s.b.free_blocks[4]++);
	EXPECT_CORRUPT(s.b.free_blocks[4]--);
	EXPECT_CORRUPT(s.b.free_pages--);
	EXPECT_CORRUPT(s.b.total_pages++);
	EXPECT_CORRUPT(a[1].state = FRAME_FREE_TAIL);
	EXPECT_CORRUPT(a->order = 3);
	EXPECT_CORRUPT(s.frames[61].state = FRAME_ALLOC_TAIL);
	EXPECT_CORRUPT(s.frames[61].state = 9);
	EXPECT_CORRUPT(s.frames[62].state = FRAME_ALLOCATED; s.frames[62].order = 1);
	EXPECT_CORRUPT(s.frames[62].state = FRAME_ALLOCATED; s.frames[62].order = 2);
	EXPECT_CORRUPT(s.frames[60].state = FRAME_ALLOCATED);
	EXPECT_CORRUPT(s.frames[60].state = FRAME_FREE);
#undef EXPECT_CORRUPT
	snap_drop(&sn);
	sim_fini(&s);

	/* Two free buddies of order 0 that were never merged. */
	sim_init(&s, BASE_ALIGNED, 2);
	s.frames[0] = (struct frame){.next = 1, .prev = FRAME_NONE, .state = FRAME_FREE};
	s.frames[1] = (struct frame){.next = FRAME_NONE, .prev = 0, .state = FRAME_FREE};
	s.b.free_head[0] = 0;
	s.b.free_blocks[0] = 2;
	s.b.free_pages = 2;
	s.b.total_pages = 2;
	CHECK(buddy_check(&s.b, why, sizeof(why)) == ERR_CORRUPT);
	CHECKF(strstr(why, "coalesced") != NULL, "why: %s", why);
	/* Same pages, but with an odd base they are not buddies: then it is fine. */
	s.b.base = BASE_ODD;
	CHECK_BUDDY(&s.b);
	/* A tiny why buffer is truncated, never overrun; NULL is allowed. */
	s.b.base = BASE_ALIGNED;
	CHECK(buddy_check(&s.b, why, 4) == ERR_CORRUPT && strlen(why) == 3);
	CHECK(buddy_check(&s.b, NULL, 0) == ERR_CORRUPT);
	sim_fini(&s);
}

/* ---------------------------------------------------------------- random vs model */

enum { M_HOLE = 0, M_FREE, M_USED };

struct live {
	paddr_t pa;
	unsigned order;
};

struct model {
	size_t npages;
	uint8_t *page; /* M_HOLE / M_FREE / M_USED */
	uint8_t *head; /* order + 1 at the head of each live block, else 0 */
	struct live *blocks;
	size_t nlive, free_pages;
};

static void model_init(struct model *m, const struct sim *s)
{
	m->npages = s->b.npages;
	m->page = calloc(m->npages, 1);
	m->head = calloc(m->npages, 1);
	m->blocks = calloc(m->npages, sizeof(*m->blocks));
	if (!m->page || !m->head || !m->blocks)
		abort();
	m->nlive = 0;
	m->free_pages = 0;
	for (size_t i = 0; i < m->npages; i++) {
		if (s->frames[i].state != FRAME_RESERVED) {
			m->page[i] = M_FREE;
			m->free_pages++;
		}
	}
}

static void model_fini(struct model *m)
{
	free(m->page);
	free(m->head);
	free(m->blocks);
}

/* True if the model has an aligned run of 2^order free pages inside the span. */
static bool model_has_free_block(const struct model *m, paddr_t base, unsigned order)
{
	size_t n = (size_t)1 << order;
	uint64_t pfn0 = base / PG;
	size_t first = (size_t)((n - pfn0 % n) % n);

	for (size_t i = first; i + n <= m->npages; i += n) {
		size_t j = 0;
		while (j < n && m->page[i + j] == M_FREE)
			j++;
		if (j == n)
			return true;
	}
	return false;
}

/* The error buddy_free must return for (pa, order), from the model alone. */
static int model_free_result(const struct model *m, paddr_t base, paddr_t pa, unsigned order)
{
	size_t idx;

	if (order > BUDDY_MAX_ORDER)
		return ERR_INVALID;
	if (pa < base || (pa - base) / PG >= m->npages)
		return ERR_RANGE;
	if (pa % (PG << order))
		return ERR_ALIGN;
	idx = (size_t)((pa - base) / PG);
	if (!m->head[idx])
		return ERR_STATE;
	return m->head[idx] - 1u == order ? ERR_OK : ERR_INVALID;
}

static void model_mark(struct model *m, size_t idx, unsigned order, bool used)
{
	for (size_t j = 0; j < ((size_t)1 << order); j++)
		m->page[idx + j] = used ? M_USED : M_FREE;
	m->head[idx] = used ? (uint8_t)(order + 1) : 0;
	if (used)
		m->free_pages -= (size_t)1 << order;
	else
		m->free_pages += (size_t)1 << order;
}

static unsigned random_order(void)
{
	unsigned r = rng_below(100);

	if (r < 55)
		return 0;
	if (r < 75)
		return 1 + rng_below(2);
	if (r < 90)
		return 3 + rng_below(3);
	if (r < 99)
		return 6 + rng_below(6);
	return rng_below(BUDDY_NORDERS + 2); /* sometimes too large */
}

/* One allocation, checked against the model. */
static void step_alloc(struct sim *s, struct model *m)
{
	unsigned order = random_order();
	struct frame *f = buddy_alloc(&s->b, order);
	size_t idx;
	paddr_t pa;

	if (!f) {
		CHECKF(order > BUDDY_MAX_ORDER || !model_has_free_block(m, s->b.base, order),
		       "alloc(%u) failed with an aligned free run in the model", order);
		return;
	}
	CHECK(order <= BUDDY_MAX_ORDER);
	CHECK(f >= s->frames && f < s->frames + m->npages);
	idx = (size_t)(f - s->frames);
	pa = buddy_frame_pa(&s->b, f);
	CHECK(IS_ALIGNED(pa, PG << order));
	CHECK(idx + ((size_t)1 << order) <= m->npages);
	for (size_t j = 0; j < ((size_t)1 << order); j++)
		CHECKF(m->page[idx + j] == M_FREE, "alloc(%u) at page %zu overlaps page %zu (%u)",
		       order, idx, idx + j, m->page[idx + j]);
	CHECK(f->state == FRAME_ALLOCATED && f->order == order);
	CHECK(f->refcount == 1 && f->owner == 0 && f->flags == 0);
	model_mark(m, idx, order, true);
	m->blocks[m->nlive++] = (struct live){pa, order};
	/* Scribble on the owner's fields; buddy_free and the next alloc must cope. */
	f->refcount = 3;
	f->owner = (uint32_t)rng();
	f->flags = (uint16_t)rng();
}

/* Free a random live block. */
static void step_free(struct sim *s, struct model *m)
{
	size_t i = rng() % m->nlive;
	struct live l = m->blocks[i];

	CHECK_RC(buddy_free(&s->b, l.pa, l.order), ERR_OK);
	model_mark(m, (size_t)((l.pa - s->b.base) / PG), l.order, false);
	m->blocks[i] = m->blocks[--m->nlive];
}

/* A free with random arguments (mostly misuse); must do exactly what the model says. */
static void step_random_free(struct sim *s, struct model *m)
{
	paddr_t span = m->npages * PG;
	paddr_t pa = s->b.base - 8 * PG + rng() % (span + 16 * PG);
	unsigned order = rng_below(BUDDY_NORDERS + 1);
	int want;

	if (rng_below(4))
		pa &= ~PAGE_MASK;
	if (rng_below(2))
		order = rng_below(4);
	if (rng_below(3) == 0 && m->nlive) {
		/* Near misses on a live block: its tail, or its head with another order. */
		struct live l = m->blocks[rng() % m->nlive];
		pa = l.pa + (rng_below(2) ? (rng() % ((paddr_t)1 << l.order)) * PG : 0);
	}
	want = model_free_result(m, s->b.base, pa, order);
	if (want == ERR_OK) {
		for (size_t i = 0; i < m->nlive; i++) {
			if (m->blocks[i].pa == pa) {
				m->blocks[i] = m->blocks[--m->nlive];
				break;
			}
		}
		CHECK_RC(buddy_free(&s->b, pa, order), ERR_OK);
		model_mark(m, (size_t)((pa - s->b.base) / PG), order, false);
		return;
	}
	CHECK_FAILS_CLEANLY(&s->b, buddy_free(&s->b, pa, order), want);
}

/* Every descriptor agrees with the model, and the counts agree. */
static void model_compare(const struct sim *s, const struct model *m)
{
	CHECK(s->b.free_pages == m->free_pages);
	for (size_t i = 0; i < m->npages; i++) {
		uint8_t st = s->frames[i].state;

		switch (m->page[i]) {
		case M_HOLE:
			CHECK(st == FRAME_RESERVED);
			break;
		case M_FREE:
			CHECK(st == FRAME_FREE || st == FRAME_FREE_TAIL);
			break;
		default:
			CHECK(st == (m->head[i] ? FRAME_ALLOCATED : FRAME_ALLOC_TAIL));
			CHECK(!m->head[i] || s->frames[i].order == m->head[i] - 1u);
		}
	}
}

static void random_verify(const struct sim *s, const struct model *m)
{
	CHECK_BUDDY(&s->b);
	model_compare(s, m);
}

/* Random holes: add the span in chunks, skipping some. */
static void add_random_ranges(struct sim *s)
{
	size_t i = 0;

	while (i < s->b.npages) {
		size_t len = 1 + rng() % 700, hole = rng_below(3) ? rng() % 20 : 0;

		if (len > s->b.npages - i)
			len = s->b.npages - i;
		buddy_add_range(&s->b, page_pa(s, i), len);
		i += len + hole;
	}
}

static void run_random(uint64_t seed, paddr_t base, size_t npages, int steps)
{
	struct sim s;
	struct model m;
	struct snap start;

	rng_seed(seed);
	sim_init(&s, base, npages);
	add_random_ranges(&s);
	CHECK_BUDDY(&s.b);
	snap_take(&start, &s.b);
	model_init(&m, &s);
	for (int step = 0; step < steps && !check_test_failed; step++) {
		unsigned r = rng_below(100);
		/* Drift between filling up and draining so both ends get exercised. */
		unsigned alloc_pct = (step / 2000) % 2 ? 35 : 65;

		if (r < alloc_pct || m.nlive == 0)
			step_alloc(&s, &m);
		else if (r < 95)
			step_free(&s, &m);
		else
			step_random_free(&s, &m);
		random_verify(&s, &m);
		if (check_test_failed) {
			printf("    seed %llu step %d\n", (unsigned long long)seed, step);
			return;
		}
	}
	while (m.nlive && !check_test_failed)
		step_free(&s, &m);
	CHECK_BUDDY(&s.b);
	/* Everything back: the same maximal blocks as right after the ranges were added. */
	CHECK(memcmp(start.b.free_blocks, s.b.free_blocks, sizeof(s.b.free_blocks)) == 0);
	CHECK(s.b.free_pages == start.b.free_pages && s.b.total_pages == start.b.total_pages);
	for (size_t i = 0; i < npages; i++) {
		CHECK(s.frames[i].state == start.frames[i].state);
		CHECK(s.frames[i].state != FRAME_FREE ||
		      s.frames[i].order == start.frames[i].order);
	}
	snap_drop(&start);
	model_fini(&m);
	sim_fini(&s);
}

static void test_random_aligned_base(void)
{
	run_random(1, BASE_ALIGNED, 4096, 20000);
	run_random(2, BASE_ALIGNED, 2500, 20000);
}

static void test_random_odd_base(void)
{
	run_random(3, BASE_ODD, 3000, 20000);
	run_random(4, 0x80003000ull, 4096, 20000);
	run_random(5, 0x8fffd000ull, 1234, 20000);
}

static void test_random_low_base(void)
{
	/* pfn 0: every order aligned at the start, buddies below the base never exist. */
	run_random(6, 0, 2048, 20000);
	run_random(7, PG, 2049, 20000);
}

/*
 * The allocator must only touch descriptors: the simulated memory sits
 * behind the direct map with no access at all, so any touch faults.
 */
static void test_never_touches_memory(void)
{
	const size_t npages = 2048;
	void *mem = mmap(NULL, npages * PG, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	uintptr_t saved = physmap_offset;

	CHECK(mem != MAP_FAILED);
	physmap_offset = (uintptr_t)mem - (uintptr_t)BASE_ODD;
	CHECK(pa_to_kva(BASE_ODD) == mem);
	run_random(8, BASE_ODD, npages, 5000);
	physmap_offset = saved;
	munmap(mem, npages * PG);
}

int main(void)
{
	check_suite = "buddy";
	RUN(test_init_all_reserved);
	RUN(test_add_range_aligned_one_block);
	RUN(test_add_range_odd_base_maximal_blocks);
	RUN(test_add_range_piecewise_coalesces);
	RUN(test_add_range_holes);
	RUN(test_add_range_zero_pages);
	RUN(test_alloc_sets_fields);
	RUN(test_coalesce_back_to_one_block);
	RUN(test_exhaustion_each_order);
	RUN(test_max_order);
	RUN(test_free_errors);
	RUN(test_alloc_errors);
	RUN(test_add_range_errors);
	RUN(test_stats_and_frag);
	RUN(test_pa_frame_round_trip);
	RUN(test_check_detects_corruption);
	RUN(test_random_aligned_base);
	RUN(test_random_odd_base);
	RUN(test_random_low_base);
	RUN(test_never_touches_memory);
	return check_done();
}
