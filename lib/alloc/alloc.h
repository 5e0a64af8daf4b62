/*
 * A general-purpose memory allocator (malloc and friends) that knows
 * nothing of Strata: it takes its pages from a small provider interface,
 * so that lib/libc/malloc.c can wire it to sbrk and mmap and the host
 * tests to a simulated heap. Not thread-safe: one struct alloc per
 * single-threaded program (Strata's C programs have no threads).
 *
 * Three tiers (docs/user-space.md, "The allocator"):
 *   - small (up to ALLOC_SMALL_MAX bytes): 40 size classes, each served
 *     from spans of 1 to 16 pages carved from the heap; O(1) allocation
 *     and free (a free list and a bump pointer per span);
 *   - runs (above that, below ALLOC_LARGE_MIN): whole pages of the heap,
 *     with free runs coalesced and kept in bins by length;
 *   - large (ALLOC_LARGE_MIN and up): a mapping of its own, unmapped on
 *     free (falling back to a heap run if mapping fails).
 * Fresh pages from the provider must read as zero; calloc relies on it.
 */
#ifndef STRATA_LIB_ALLOC_ALLOC_H
#define STRATA_LIB_ALLOC_ALLOC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define ALLOC_PAGE	4096ul
#define ALLOC_SMALL_MAX (16ul << 10)
#define ALLOC_LARGE_MIN (128ul << 10)
/* Larger requests fail at once: more than any address space holds. */
#define ALLOC_MAX ((size_t)1 << 44)

/* Where the pages come from. */
struct alloc_pages {
	void *ctx;
	/*
	 * Move the end of the heap by incr bytes (like sbrk): the old end, or
	 * NULL if that cannot be done (the heap is left as it was). Pages the
	 * heap grows into must be zero, also after a shrink. Required.
	 */
	void *(*grow)(void *ctx, intptr_t incr);
	/*
	 * Map len bytes (a multiple of ALLOC_PAGE) of zeroed read-write memory,
	 * at hint if that range is free (hint may be NULL): the address, or
	 * NULL. Optional (NULL: large blocks come from the heap too).
	 */
	void *(*map)(void *ctx, void *hint, size_t len);
	/* Unmap [p, p + len) of what map returned (page-aligned). */
	void (*unmap)(void *ctx, void *p, size_t len);
	/*
	 * A bad pointer was given to op ("free", "realloc", ...): why says
	 * what is wrong with it. Say so and stop; must not return.
	 */
	void (*fail)(void *ctx, const char *op, const char *why, const void *p);
};

struct alloc_span;
struct alloc_run;

#define ALLOC_CLASSES 40
#define ALLOC_BINS    90

struct alloc {
	struct alloc_pages pages;
	/* Per size class: spans with a free slot, the one allocated from first. */
	struct alloc_span *partial[ALLOC_CLASSES];
	uint32_t spans[ALLOC_CLASSES]; /* spans per class */
	/* Free heap runs, binned by length in pages; a bit per non-empty bin. */
	struct alloc_run *bins[ALLOC_BINS];
	uint64_t binmap[2];
	/* The heap: [lo, top) holds every segment the allocator grew. */
	uintptr_t lo, top;
	struct alloc_run *last; /* the run ending at top (NULL: none) */
	/* Pages of the heap's segments, of free runs, and of empty spans. */
	size_t heap_pages, free_pages, idle_pages;
	/* Live large blocks (their user pointers): open addressing. */
	uintptr_t *large;
	size_t large_cap, large_n;
	unsigned map_backoff; /* a map failed: large blocks from the heap without trying */
};

/* Statistics for malloc_info-style reports and the tests. */
struct alloc_stats {
	size_t heap_bytes;   /* [lo, top) */
	size_t free_bytes;   /* free runs in the heap */
	size_t large_blocks; /* live mapped blocks */
};

void alloc_init(struct alloc *a, const struct alloc_pages *pages);

/* NULL on exhaustion or a size beyond ALLOC_MAX. malloc(0) returns a unique pointer. */
void *alloc_malloc(struct alloc *a, size_t n);
/* Zeroed; NULL also if nmemb * size overflows. */
void *alloc_calloc(struct alloc *a, size_t nmemb, size_t size);
/* realloc(NULL, n) = malloc(n); realloc(p, 0) frees p and returns NULL. */
void *alloc_realloc(struct alloc *a, void *p, size_t n);
/* align a power of two (else NULL). */
void *alloc_memalign(struct alloc *a, size_t align, size_t n);
void alloc_free(struct alloc *a, void *p);
/* Bytes usable at p (at least what was asked for); 0 for NULL. */
size_t alloc_usable(struct alloc *a, void *p);
/* Give back every page that can be: cached empty spans, the free top of the heap. */
void alloc_trim(struct alloc *a);
void alloc_stats(const struct alloc *a, struct alloc_stats *st);
/* Check the heap's structure (tests): NULL if sound, else what is wrong. */
const char *alloc_verify(const struct alloc *a);

#endif
