/*
 * Host benchmark for the buddy frame allocator over a simulated 1 GiB span.
 *
 *   order-0 pair: buddy_alloc(0) + buddy_free on an otherwise empty span,
 *     so every pair splits a 1 GiB block down 18 orders and merges it back
 *     (the deepest split/merge the allocator ever does).
 *   mixed: a working set of about half the span, allocs and frees randomly
 *     interleaved; orders 70% 0, 15% 1-2, 10% 3-4, 5% 9 (2 MiB). The figure
 *     is ns per operation (an alloc, failed or not, or a free).
 *
 * Each figure is the median of 5 runs, each after a warm-up.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "lib/error.h"
#include "mm/buddy.h"

#define SPAN_PAGES   ((size_t)1 << 18) /* 1 GiB */
#define SPAN_BASE    0x80000000ull
#define RUNS	     5
#define PAIRS	     2000000
#define MIXED_WARMUP 2000000
#define MIXED_OPS    4000000

static struct frame *frames;
static struct buddy b;

struct live {
	paddr_t pa;
	unsigned order;
};
static struct live *live;
static size_t nlive, live_pages;

static uint64_t rng_state = 0x1234567887654321ull;

static inline uint64_t rng(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545f4914f6cdd1dull;
}

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static void fresh_span(void)
{
	buddy_init(&b, SPAN_BASE, SPAN_PAGES, frames);
	if (buddy_add_range(&b, SPAN_BASE, SPAN_PAGES) != ERR_OK)
		abort();
	nlive = 0;
	live_pages = 0;
}

static int cmp_double(const void *a, const void *c)
{
	double x = *(const double *)a, y = *(const double *)c;
	return (x > y) - (x < y);
}

static double median(double *v)
{
	qsort(v, RUNS, sizeof(*v), cmp_double);
	return v[RUNS / 2];
}

static void pairs(long n)
{
	for (long i = 0; i < n; i++) {
		struct frame *f = buddy_alloc(&b, 0);
		if (!f || buddy_free(&b, buddy_frame_pa(&b, f), 0) != ERR_OK)
			abort();
	}
}

static double bench_pair(void)
{
	double t0;

	fresh_span();
	pairs(PAIRS / 10);
	t0 = now_ns();
	pairs(PAIRS);
	return (now_ns() - t0) / PAIRS;
}

static unsigned mixed_order(void)
{
	unsigned r = (unsigned)(rng() % 100);

	if (r < 70)
		return 0;
	if (r < 85)
		return 1 + (unsigned)(rng() & 1);
	if (r < 95)
		return 3 + (unsigned)(rng() & 1);
	return 9;
}

/* One alloc or free; allocs are favoured while under half the span in use. */
static void mixed_op(void)
{
	unsigned pct = live_pages < SPAN_PAGES / 2 ? 60 : 40;

	if (nlive == 0 || rng() % 100 < pct) {
		unsigned order = mixed_order();
		struct frame *f = buddy_alloc(&b, order);

		if (f) {
			live[nlive++] = (struct live){buddy_frame_pa(&b, f), order};
			live_pages += (size_t)1 << order;
		}
	} else {
		size_t i = rng() % nlive;
		struct live l = live[i];

		if (buddy_free(&b, l.pa, l.order) != ERR_OK)
			abort();
		live[i] = live[--nlive];
		live_pages -= (size_t)1 << l.order;
	}
}

static double bench_mixed(void)
{
	double t0;

	fresh_span();
	for (long i = 0; i < MIXED_WARMUP; i++)
		mixed_op();
	t0 = now_ns();
	for (long i = 0; i < MIXED_OPS; i++)
		mixed_op();
	return (now_ns() - t0) / MIXED_OPS;
}

int main(void)
{
	double pair[RUNS], mixed[RUNS];
	char why[128];

	frames = calloc(SPAN_PAGES, sizeof(*frames));
	live = calloc(SPAN_PAGES, sizeof(*live));
	if (!frames || !live)
		return 1;
	for (int r = 0; r < RUNS; r++)
		pair[r] = bench_pair();
	for (int r = 0; r < RUNS; r++) {
		mixed[r] = bench_mixed();
		/* Outside the timed region: the run must have left a sound allocator. */
		if (buddy_check(&b, why, sizeof(why)) != ERR_OK) {
			fprintf(stderr, "bench_buddy: corrupt after mixed run: %s\n", why);
			return 1;
		}
	}
	printf("buddy order-0 alloc+free pair: %.1f ns\n", median(pair));
	printf("buddy mixed-order operation: %.1f ns\n", median(mixed));
	free(frames);
	free(live);
	return 0;
}
