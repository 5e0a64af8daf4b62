/*
 * The allocator (lib/alloc/alloc.h). Every block handed out is preceded
 * by a 16-byte header naming what it belongs to (its span, its run or its
 * mapping) and a tag saying which tier it is in, so that free and realloc
 * find their way in O(1) and can tell a pointer that is not a live block
 * (a stray pointer, a double free) from one that is, cheaply, before
 * touching anything.
 *
 * The heap is a sequence of runs of whole pages, each starting with a run
 * header that holds its length and its predecessor's (boundary tags at
 * page granularity), so a freed run merges with free neighbours in O(1).
 * A span of small blocks is a run too. The heap may be in several
 * segments if something else moved the break between our growths; a
 * segment's last run is marked, and nothing merges across segments.
 */
#include "lib/alloc/alloc.h"

#include <string.h>

#define PAGE ALLOC_PAGE
#define HDR  16ul

/* A block's header, the 16 bytes before its user pointer. */
struct hdr {
	uintptr_t owner; /* small: its span; run: its run; large: the mapping; aligned: the block */
	uint64_t tag;
};

#define TAG(kind) (((uint64_t)0xa110c8edu << 32) | (kind))
enum {
	K_SMALL = 1,
	K_RUN = 2,
	K_LARGE = 3,
	K_ALIGNED = 4, /* an aligned pointer inside a block (memalign) */
	K_FREE = 5,    /* a freed small slot or run block */
};

#define RUN_MAGIC   0x52554e21u
#define LARGE_MAGIC 0x4c415247u
#define R_FREE	    1u
#define R_ZERO	    2u /* free, and every byte past its header is zero */
#define R_LAST	    4u /* last run of its heap segment */
#define R_SPAN	    8u /* a span of small blocks */

struct alloc_run {
	uint32_t magic;
	uint32_t flags;
	uint32_t pages;
	uint32_t prev_pages;	       /* the run before it in its segment; 0: it is the first */
	struct alloc_run *next, *prev; /* free: its bin */
};

struct alloc_span {
	struct alloc_run run;
	struct alloc_span *next, *prev; /* its class's list of spans with a free slot */
	char *free;			/* freed slots, linked through their first user word */
	char *bump, *end;		/* slots never handed out: [bump, end) */
	uint32_t used, slot;		/* slots handed out; slot size, header included */
	uint16_t cls;
	uint8_t listed, zero; /* zero: the never-used slots read as zero */
};

/* The start of a large block's mapping. */
struct large {
	size_t len;
	uint32_t magic;
	uint32_t pieces; /* mappings it is made of (grown in place) */
};

#define RUN_OFF	  (sizeof(struct alloc_run) + HDR) /* a run block's user pointer */
#define SPAN_DATA ((sizeof(struct alloc_span) + 15) & ~15ul)
#define LARGE_OFF (sizeof(struct large) + HDR)

/*
 * The heap grows by at least 64 KiB (each growth is a message to the
 * memory server) and is cut back when 256 KiB or more is free at its top,
 * down to 128 KiB: every heap block is smaller than that (larger ones get
 * mappings), so a block allocated and freed over and over at the top
 * never makes the heap shrink and grow again.
 */
#define STEP_PAGES 16u
#define TRIM_PAGES 64u
#define KEEP_PAGES 32u
/*
 * A large block grown in place is made of at most this many mappings (the
 * memory server's table of mappings per process is small).
 */
#define MAX_PIECES 8u
/*
 * After a failed map, this many large blocks come from the heap without
 * trying (when the memory server's table of mappings is full, each try
 * would be a wasted message), unless something is unmapped first.
 */
#define MAP_BACKOFF 16u

/* Usable bytes per small class: 16-byte steps to 256, then four steps per doubling. */
static const uint32_t cls_size[ALLOC_CLASSES] = {
    16,	  32,	48,   64,   80,	  96,	112,  128,  144,   160,	  176,	 192,	208,  224,
    240,  256,	320,  384,  448,  512,	640,  768,  896,   1024,  1280,	 1536,	1792, 2048,
    2560, 3072, 3584, 4096, 5120, 6144, 7168, 8192, 10240, 12288, 14336, 16384,
};

_Static_assert(sizeof(struct hdr) == HDR, "header size");
_Static_assert(RUN_OFF % 16 == 0 && LARGE_OFF % 16 == 0, "user pointers 16-aligned");

static unsigned cls_of(size_t n)
{
	if (n <= 256)
		return n ? (unsigned)((n + 15) >> 4) - 1 : 0;
	unsigned k = 63 - (unsigned)__builtin_clzll(n - 1); /* 2^k < n <= 2^(k+1) */
	return 16 + (k - 8) * 4 + (unsigned)((n - 1 - (1ul << k)) >> (k - 2));
}

static size_t page_round(size_t n)
{
	return (n + PAGE - 1) & ~(PAGE - 1);
}

static void bad(struct alloc *a, const char *op, const char *why, const void *p)
{
	a->pages.fail(a->pages.ctx, op, why, p);
	__builtin_trap();
}

/* ---------------------------------------------------------------- runs */

static void idle_neighbours(struct alloc *a, struct alloc_run *r);
static void release_idle(struct alloc *a);

static struct alloc_run *run_next(struct alloc_run *r)
{
	return (r->flags & R_LAST) ? NULL
				   : (struct alloc_run *)((char *)r + (size_t)r->pages * PAGE);
}

static struct alloc_run *run_prev(struct alloc_run *r)
{
	return r->prev_pages ? (struct alloc_run *)((char *)r - (size_t)r->prev_pages * PAGE)
			     : NULL;
}

static void run_set_pages(struct alloc_run *r, size_t pages)
{
	struct alloc_run *nx;

	r->pages = (uint32_t)pages;
	if ((nx = run_next(r)))
		nx->prev_pages = (uint32_t)pages;
}

/* Bins: one per length up to 64 pages, then one per power of two. */
static unsigned bin_of(size_t pages)
{
	return pages <= 64 ? (unsigned)pages - 1 : 64 + (63 - (unsigned)__builtin_clzll(pages)) - 6;
}

static void bin_insert(struct alloc *a, struct alloc_run *r)
{
	unsigned i = bin_of(r->pages);

	r->prev = NULL;
	r->next = a->bins[i];
	if (r->next)
		r->next->prev = r;
	a->bins[i] = r;
	a->binmap[i / 64] |= 1ull << (i % 64);
	a->free_pages += r->pages;
}

static void bin_remove(struct alloc *a, struct alloc_run *r)
{
	unsigned i = bin_of(r->pages);

	if (r->prev)
		r->prev->next = r->next;
	else
		a->bins[i] = r->next;
	if (r->next)
		r->next->prev = r->prev;
	if (!a->bins[i])
		a->binmap[i / 64] &= ~(1ull << (i % 64));
	a->free_pages -= r->pages;
}

/* The first non-empty bin at or above i (ALLOC_BINS if none). */
static unsigned bin_first(const struct alloc *a, unsigned i)
{
	for (unsigned w = i / 64; w < 2; w++) {
		uint64_t m = a->binmap[w];
		if (w == i / 64)
			m &= ~0ull << (i % 64);
		if (m)
			return w * 64 + (unsigned)__builtin_ctzll(m);
	}
	return ALLOC_BINS;
}

/* Take a free run of at least pages pages out of the bins (NULL if none). */
static struct alloc_run *bin_take(struct alloc *a, size_t pages)
{
	unsigned i = bin_of(pages);
	struct alloc_run *r;

	if (i >= 64) { /* a bin of mixed lengths: the first that fits */
		for (r = a->bins[i]; r; r = r->next)
			if (r->pages >= pages)
				goto found;
		i++;
	}
	if ((i = bin_first(a, i)) == ALLOC_BINS)
		return NULL;
	r = a->bins[i]; /* every run in a later bin is long enough */
found:
	bin_remove(a, r);
	return r;
}

/* r (in use or just taken) swallows the free run nx that follows it. */
static void run_absorb(struct alloc *a, struct alloc_run *r, struct alloc_run *nx)
{
	uint32_t zero = r->flags & nx->flags & R_ZERO;

	r->flags = (r->flags & ~R_ZERO) | zero | (nx->flags & R_LAST);
	if (a->last == nx)
		a->last = r;
	size_t pages = (size_t)r->pages + nx->pages;
	/* Its header is now inside r: zero it if r claims to be zero, else just unmark it. */
	if (zero)
		memset(nx, 0, sizeof(*nx));
	else
		nx->magic = 0;
	run_set_pages(r, pages);
}

/*
 * Give back the top of the heap: r is the free last run (out of the bins);
 * cut it down to keep pages. True if r is gone entirely.
 */
static bool heap_trim(struct alloc *a, struct alloc_run *r, size_t keep)
{
	void *ctx = a->pages.ctx;

	if ((uintptr_t)a->pages.grow(ctx, 0) != a->top) /* someone else moved the break */
		return false;
	size_t cut = (size_t)r->pages - keep;
	struct alloc_run *pv = run_prev(r); /* in use: a free one would have merged */
	if (!cut || !a->pages.grow(ctx, -(intptr_t)(cut * PAGE)))
		return false;
	a->top -= cut * PAGE;
	a->heap_pages -= cut;
	if (keep) {
		r->pages = (uint32_t)keep;
		return false;
	}
	if (pv)
		pv->flags |= R_LAST;
	a->last = pv;
	return true;
}

/* r is free now (its flags say whether it is zero): merge, trim or bin it. */
static void run_release(struct alloc *a, struct alloc_run *r)
{
	struct alloc_run *nx = run_next(r), *pv = run_prev(r);

	r->flags |= R_FREE;
	if (nx && (nx->flags & R_FREE)) {
		bin_remove(a, nx);
		run_absorb(a, r, nx);
	}
	if (pv && (pv->flags & R_FREE)) {
		bin_remove(a, pv);
		run_absorb(a, pv, r);
		r = pv;
	}
	if (r == a->last && r->pages >= TRIM_PAGES && heap_trim(a, r, KEEP_PAGES))
		return;
	bin_insert(a, r);
	idle_neighbours(a, r);
}

/* Cut r (not free) to pages pages; the rest becomes a free run (zero if zero). */
static void run_split(struct alloc *a, struct alloc_run *r, size_t pages, bool zero)
{
	struct alloc_run *t = (struct alloc_run *)((char *)r + pages * PAGE);

	t->magic = RUN_MAGIC;
	t->flags = (r->flags & R_LAST) | (zero ? R_ZERO : 0);
	t->prev_pages = (uint32_t)pages;
	run_set_pages(t, (size_t)r->pages - pages);
	r->flags &= ~R_LAST;
	r->pages = (uint32_t)pages;
	if (a->last == r)
		a->last = t;
	run_release(a, t);
}

/*
 * More heap for a run of pages pages: the free last run grown, or a new
 * run at the top (a new segment if the break is not where we left it).
 * Returned out of the bins, still marked free.
 */
static struct alloc_run *heap_extend(struct alloc *a, size_t pages)
{
	void *ctx = a->pages.ctx;
	uintptr_t cur = (uintptr_t)a->pages.grow(ctx, 0);
	struct alloc_run *l = a->last;

	if (!cur)
		return NULL;
	if (cur == a->top && l && (l->flags & R_FREE)) {
		size_t more = pages - l->pages, want = more < STEP_PAGES ? STEP_PAGES : more;
		if (!a->pages.grow(ctx, (intptr_t)(want * PAGE))) {
			want = more;
			if (!a->pages.grow(ctx, (intptr_t)(want * PAGE)))
				return NULL;
		}
		bin_remove(a, l);
		l->pages += (uint32_t)want; /* new pages are zero: l stays as zero as it was */
		a->top += want * PAGE;
		a->heap_pages += want;
		return l;
	}
	size_t pad = (0 - cur) & (PAGE - 1), want = pages < STEP_PAGES ? STEP_PAGES : pages;
	char *got = a->pages.grow(ctx, (intptr_t)(pad + want * PAGE));
	if (!got) {
		want = pages;
		if (!(got = a->pages.grow(ctx, (intptr_t)(pad + want * PAGE))))
			return NULL;
	}
	struct alloc_run *r = (struct alloc_run *)(got + pad);
	r->magic = RUN_MAGIC;
	r->flags = R_FREE | R_ZERO | R_LAST;
	r->pages = (uint32_t)want;
	if ((uintptr_t)got == a->top && l) { /* right after our last run, which is in use */
		r->prev_pages = l->pages;
		l->flags &= ~R_LAST;
	} else {
		r->prev_pages = 0;
		if (!a->lo)
			a->lo = (uintptr_t)r;
	}
	a->top = (uintptr_t)r + want * PAGE;
	a->heap_pages += want;
	a->last = r;
	return r;
}

/*
 * A run of exactly pages pages, in use; *zero says whether it reads as
 * zero. When the heap cannot grow, the empty spans kept for their classes
 * are let go first.
 */
static struct alloc_run *run_alloc(struct alloc *a, size_t pages, bool *zero)
{
	struct alloc_run *r = bin_take(a, pages);

	if (!r && !(r = heap_extend(a, pages))) {
		if (!a->idle_pages)
			return NULL;
		release_idle(a);
		if (!(r = bin_take(a, pages)) && !(r = heap_extend(a, pages)))
			return NULL;
	}
	*zero = r->flags & R_ZERO;
	r->flags &= ~(R_FREE | R_ZERO);
	if (r->pages > pages)
		run_split(a, r, pages, *zero);
	return r;
}

static size_t run_pages_for(size_t n)
{
	return (n + RUN_OFF + PAGE - 1) / PAGE;
}

static void *run_block_alloc(struct alloc *a, size_t n, bool zero)
{
	size_t pages = run_pages_for(n);
	bool z;

	if (pages > UINT32_MAX)
		return NULL;
	struct alloc_run *r = run_alloc(a, pages, &z);
	if (!r)
		return NULL;
	struct hdr *h = (struct hdr *)(r + 1);
	h->owner = (uintptr_t)r;
	h->tag = TAG(K_RUN);
	if (zero && !z)
		memset(h + 1, 0, n);
	return h + 1;
}

/* ---------------------------------------------------------------- small blocks */

/*
 * A span's length: room for k slots (more if they fit), 1 to 16 pages.
 * A class's first spans are made for 1, 2 and 4 slots and the later ones
 * for 8, so that a program using a few blocks of many classes (or one
 * with a small heap) does not spend 64 KiB on each class.
 */
static size_t span_pages(size_t slot, unsigned spans)
{
	size_t k = spans < 3 ? (size_t)1 << spans : 8;
	size_t pages = (SPAN_DATA + k * slot + PAGE - 1) / PAGE;

	return pages > 16 ? 16 : pages;
}

static void span_unlist(struct alloc *a, struct alloc_span *s)
{
	if (s->prev)
		s->prev->next = s->next;
	else
		a->partial[s->cls] = s->next;
	if (s->next)
		s->next->prev = s->prev;
	s->listed = 0;
}

/* Give an empty span's pages back to the heap. */
static void span_release(struct alloc *a, struct alloc_span *s)
{
	if (s->listed)
		span_unlist(a, s);
	a->idle_pages -= s->run.pages;
	a->spans[s->cls]--;
	s->run.flags &= ~(R_SPAN | R_ZERO);
	run_release(a, &s->run);
}

/*
 * s has a free slot: make it the one its class allocates from. The span
 * it displaces is given back if empty; one empty span per class is kept,
 * so that a block allocated and freed over and over does not make and
 * unmake a span each time.
 */
static void span_list_head(struct alloc *a, struct alloc_span *s)
{
	struct alloc_span *old = a->partial[s->cls];

	s->prev = NULL;
	s->next = old;
	if (old)
		old->prev = s;
	a->partial[s->cls] = s;
	s->listed = 1;
	if (old && old->used == 0)
		span_release(a, old);
}

__attribute__((noinline)) static struct alloc_span *span_new(struct alloc *a, unsigned c)
{
	size_t slot = cls_size[c] + HDR, pages = span_pages(slot, a->spans[c]);
	bool zero;
	struct alloc_run *r = run_alloc(a, pages, &zero);

	if (!r && pages > span_pages(slot, 0)) /* short of memory: room for one will do */
		r = run_alloc(a, pages = span_pages(slot, 0), &zero);
	if (!r)
		return NULL;
	struct alloc_span *s = (struct alloc_span *)r;
	r->flags |= R_SPAN;
	s->free = NULL;
	s->bump = (char *)s + SPAN_DATA;
	s->end = (char *)s + pages * PAGE;
	s->used = 0;
	s->slot = (uint32_t)slot;
	s->cls = (uint16_t)c;
	s->zero = zero;
	a->spans[c]++;
	a->idle_pages += pages;
	span_list_head(a, s);
	return s;
}

static inline __attribute__((always_inline)) void *small_alloc(struct alloc *a, size_t n, bool zero)
{
	unsigned c = cls_of(n);
	struct alloc_span *s = a->partial[c];
	char *slot;
	bool fresh;

	if (!s && !(s = span_new(a, c)))
		return NULL;
	if (s->free) {
		slot = s->free;
		s->free = *(char **)(slot + HDR);
		fresh = false;
	} else {
		slot = s->bump;
		s->bump += s->slot;
		fresh = s->zero;
	}
	if (s->used++ == 0)
		a->idle_pages -= s->run.pages;
	if (!s->free && s->bump + s->slot > s->end)
		span_unlist(a, s); /* full */
	struct hdr *h = (struct hdr *)slot;
	h->owner = (uintptr_t)s;
	h->tag = TAG(K_SMALL);
	if (zero && !fresh)
		memset(h + 1, 0, n);
	return h + 1;
}

/*
 * An empty span kept for its class goes when free pages on either side
 * of it would, with its own, make a run worth giving back (TRIM_PAGES):
 * otherwise such spans could hold up the top of the heap, or keep apart
 * free runs that would have been cut from it once merged.
 */
static bool idle_in_the_way(const struct alloc_run *r)
{
	const struct alloc_span *s = (const struct alloc_span *)r;
	struct alloc_run *nx = run_next((struct alloc_run *)r),
			 *pv = run_prev((struct alloc_run *)r);
	size_t pages = r->pages;

	if (!(r->flags & R_SPAN) || s->used)
		return false;
	if (nx && (nx->flags & R_FREE))
		pages += nx->pages;
	if (pv && (pv->flags & R_FREE))
		pages += pv->pages;
	return pages >= TRIM_PAGES;
}

/* r is a free run just binned: let go of an empty span beside it that is in the way. */
static void idle_neighbours(struct alloc *a, struct alloc_run *r)
{
	struct alloc_run *nx = run_next(r), *pv = run_prev(r);

	/* Releasing one merges it with r and checks the merged run's neighbours in turn. */
	if (pv && idle_in_the_way(pv))
		span_release(a, (struct alloc_span *)pv);
	else if (nx && idle_in_the_way(nx))
		span_release(a, (struct alloc_span *)nx);
}

/* ---------------------------------------------------------------- large blocks */

static size_t large_hash(uintptr_t u, size_t cap)
{
	return (size_t)(((u >> 4) * 0x9e3779b97f4a7c15ull) >> 32) & (cap - 1);
}

/* The slot of u in the table of live large blocks, or cap if absent. */
static size_t large_find(const struct alloc *a, uintptr_t u)
{
	if (!a->large_n)
		return a->large_cap;
	for (size_t i = large_hash(u, a->large_cap);; i = (i + 1) & (a->large_cap - 1)) {
		if (a->large[i] == u)
			return i;
		if (!a->large[i])
			return a->large_cap;
	}
}

static void *heap_alloc(struct alloc *a, size_t n, bool zero);
static void free_block(struct alloc *a, struct hdr *h);

static void large_put(uintptr_t *t, size_t cap, uintptr_t u)
{
	size_t i = large_hash(u, cap);

	while (t[i])
		i = (i + 1) & (cap - 1);
	t[i] = u;
}

static bool large_add(struct alloc *a, uintptr_t u)
{
	if ((a->large_n + 1) * 2 > a->large_cap) { /* keep it at most half full */
		size_t cap = a->large_cap ? a->large_cap * 2 : 256;
		uintptr_t *t = heap_alloc(a, cap * sizeof(*t), true);
		if (!t)
			return false;
		for (size_t i = 0; i < a->large_cap; i++)
			if (a->large[i])
				large_put(t, cap, a->large[i]);
		if (a->large)
			free_block(a, (struct hdr *)a->large - 1);
		a->large = t;
		a->large_cap = cap;
	}
	large_put(a->large, a->large_cap, u);
	a->large_n++;
	return true;
}

/* Remove slot i (backward-shift deletion keeps every probe chain whole). */
static void large_del(struct alloc *a, size_t i)
{
	size_t m = a->large_cap - 1;

	a->large[i] = 0;
	for (size_t j = (i + 1) & m; a->large[j]; j = (j + 1) & m) {
		size_t k = large_hash(a->large[j], a->large_cap);
		/* Move j's entry into the hole at i unless its home lies in (i, j]. */
		if (((j - k) & m) >= ((j - i) & m)) {
			a->large[i] = a->large[j];
			a->large[j] = 0;
			i = j;
		}
	}
	if (--a->large_n == 0) {
		free_block(a, (struct hdr *)a->large - 1);
		a->large = NULL;
		a->large_cap = 0;
	}
}

/* A block in a mapping of its own, len bytes (page multiple) in all. */
static void *large_alloc(struct alloc *a, size_t len)
{
	char *base = a->pages.map(a->pages.ctx, NULL, len);

	if (!base) {
		a->map_backoff = MAP_BACKOFF;
		return NULL;
	}
	struct large *l = (struct large *)base;
	l->len = len;
	l->magic = LARGE_MAGIC;
	l->pieces = 1;
	struct hdr *h = (struct hdr *)(l + 1);
	h->owner = (uintptr_t)base;
	h->tag = TAG(K_LARGE);
	if (!large_add(a, (uintptr_t)(h + 1))) {
		a->pages.unmap(a->pages.ctx, base, len);
		return NULL;
	}
	return h + 1;
}

static void large_release(struct alloc *a, struct hdr *h)
{
	struct large *l = (struct large *)h->owner;

	l->magic = 0;
	a->pages.unmap(a->pages.ctx, l, l->len);
	a->map_backoff = 0;
}

/* Resize a large block where it is: true if it now holds n bytes. */
static bool large_resize(struct alloc *a, struct hdr *h, size_t n)
{
	struct large *l = (struct large *)h->owner;
	size_t need = page_round(n + LARGE_OFF);
	void *ctx = a->pages.ctx;

	if (need <= l->len) {
		if (n < ALLOC_LARGE_MIN)
			return false; /* moving it to the heap gives the mapping back */
		if (need <= l->len / 2) {
			a->pages.unmap(ctx, (char *)l + need, l->len - need);
			l->len = need;
			a->map_backoff = 0;
		}
		return true;
	}
	if (l->pieces >= MAX_PIECES || a->map_backoff)
		return false;
	/* Map what follows it, with room to grow again: half its size at least. */
	size_t more = need - l->len, half = page_round(l->len / 2);
	if (more < half)
		more = half;
	char *want = (char *)l + l->len, *got = a->pages.map(ctx, want, more);
	if (got == want) {
		l->len += more;
		l->pieces++;
		return true;
	}
	if (got)
		a->pages.unmap(ctx, got, more);
	return false;
}

/* ---------------------------------------------------------------- pointers */

static bool in_heap(const struct alloc *a, uintptr_t u)
{
	return u >= a->lo + RUN_OFF && u < a->top;
}

/* A run header in the heap (page-aligned, marked), for checking what a header names. */
static bool heap_run_ok(const struct alloc *a, uintptr_t r)
{
	return !(r & (PAGE - 1)) && r >= a->lo && r < a->top &&
	       ((const struct alloc_run *)r)->magic == RUN_MAGIC;
}

/*
 * The header of the live block at p, checked; a pointer that is not one
 * stops the program (bad). For a pointer outside the heap (a large block)
 * *slot is its entry in the table of large blocks.
 */
static struct hdr *lookup(struct alloc *a, void *p, const char *op, size_t *slot)
{
	uintptr_t u = (uintptr_t)p;
	struct hdr *h = (struct hdr *)(u - HDR);

	if (u & 15)
		bad(a, op, "pointer not from malloc (misaligned)", p);
	if (!in_heap(a, u)) {
		if ((*slot = large_find(a, u)) == a->large_cap)
			bad(a, op, "pointer not from malloc, or freed twice", p);
		return h;
	}
	const struct alloc_run *r = (const struct alloc_run *)h->owner;
	switch (h->tag) {
	case TAG(K_SMALL):
		if (!heap_run_ok(a, h->owner) || (r->flags & (R_SPAN | R_FREE)) != R_SPAN)
			break;
		return h;
	case TAG(K_RUN):
		if (h->owner != u - RUN_OFF || !heap_run_ok(a, h->owner) ||
		    (r->flags & (R_SPAN | R_FREE)))
			break;
		return h;
	case TAG(K_ALIGNED):
		if (h->owner >= u || !in_heap(a, h->owner))
			break;
		lookup(a, (void *)h->owner, op, slot);
		return h;
	case TAG(K_FREE):
		bad(a, op, "double free", p);
	}
	bad(a, op, "pointer not from malloc (or its header overwritten)", p);
	return NULL;
}

static size_t usable(const struct hdr *h)
{
	switch (h->tag) {
	case TAG(K_SMALL):
		return ((const struct alloc_span *)h->owner)->slot - HDR;
	case TAG(K_RUN):
		return (size_t)((const struct alloc_run *)h->owner)->pages * PAGE - RUN_OFF;
	case TAG(K_LARGE):
		return ((const struct large *)h->owner)->len - LARGE_OFF;
	default: /* K_ALIGNED */
		return usable((const struct hdr *)h->owner - 1) - ((uintptr_t)(h + 1) - h->owner);
	}
}

/*
 * Nothing in the heap is in use but empty spans kept for their classes,
 * and the heap is big enough to be cut once they are gone: then
 * release_idle lets them all go, so that the heap merges into one free
 * run and its top is cut (a program that freed everything gives its
 * memory back). A small heap is left alone: a single block allocated and
 * freed over and over would otherwise make and unmake its span each time.
 */
static bool all_idle(const struct alloc *a)
{
	return a->heap_pages >= TRIM_PAGES && a->idle_pages == a->heap_pages - a->free_pages;
}

static void release_idle(struct alloc *a)
{
	for (unsigned c = 0; c < ALLOC_CLASSES; c++) {
		/* From the head again after each: releasing one may release others beside it. */
		for (struct alloc_span *s = a->partial[c]; s;) {
			if (!s->used) {
				span_release(a, s);
				s = a->partial[c];
			} else {
				s = s->next;
			}
		}
	}
}

/* s has just become empty (its pages counted idle already). */
__attribute__((noinline)) static void span_emptied(struct alloc *a, struct alloc_span *s)
{
	if (!s->listed)
		span_list_head(a, s);
	else if (a->partial[s->cls] != s || idle_in_the_way(&s->run))
		span_release(a, s);
	if (all_idle(a))
		release_idle(a);
}

static inline __attribute__((always_inline)) void small_free(struct alloc *a, struct hdr *h)
{
	struct alloc_span *s = (struct alloc_span *)h->owner;

	h->tag = TAG(K_FREE);
	*(char **)(h + 1) = s->free;
	s->free = (char *)h;
	if (--s->used) {
		if (!s->listed)
			span_list_head(a, s); /* it was full */
		return;
	}
	a->idle_pages += s->run.pages;
	/* In a heap too small to be cut, the class's own span just stays. */
	if (a->heap_pages >= TRIM_PAGES || a->partial[s->cls] != s)
		span_emptied(a, s);
}

/* Free the block of a checked header (its large-table entry already gone). */
static void free_block(struct alloc *a, struct hdr *h)
{
	switch (h->tag) {
	case TAG(K_SMALL):
		small_free(a, h);
		break;
	case TAG(K_RUN):
		h->tag = TAG(K_FREE);
		run_release(a, (struct alloc_run *)h->owner);
		if (a->idle_pages && all_idle(a))
			release_idle(a);
		break;
	case TAG(K_LARGE):
		large_release(a, h);
		break;
	default: /* K_ALIGNED */
		h->tag = 0;
		free_block(a, (struct hdr *)h->owner - 1);
	}
}

/* ---------------------------------------------------------------- the interface */

void alloc_init(struct alloc *a, const struct alloc_pages *pages)
{
	*a = (struct alloc){.pages = *pages};
}

/* A block from the heap only (the large-block table lives there). */
static void *heap_alloc(struct alloc *a, size_t n, bool zero)
{
	return n <= ALLOC_SMALL_MAX ? small_alloc(a, n, zero) : run_block_alloc(a, n, zero);
}

static void *block_alloc(struct alloc *a, size_t n, bool zero)
{
	if (n <= ALLOC_SMALL_MAX)
		return small_alloc(a, n, zero);
	if (n > ALLOC_MAX)
		return NULL;
	if (n >= ALLOC_LARGE_MIN && a->pages.map) {
		if (!a->map_backoff) {
			void *p = large_alloc(a, page_round(n + LARGE_OFF)); /* fresh: zero */
			if (p)
				return p;
		} else {
			a->map_backoff--;
		}
	}
	return run_block_alloc(a, n, zero);
}

void *alloc_malloc(struct alloc *a, size_t n)
{
	if (n <= ALLOC_SMALL_MAX)
		return small_alloc(a, n, false);
	return block_alloc(a, n, false);
}

void *alloc_calloc(struct alloc *a, size_t nmemb, size_t size)
{
	size_t n;

	if (__builtin_mul_overflow(nmemb, size, &n))
		return NULL;
	return block_alloc(a, n, true);
}

void alloc_free(struct alloc *a, void *p)
{
	uintptr_t u = (uintptr_t)p, lo = a->lo;
	struct hdr *h = (struct hdr *)(u - HDR);
	size_t slot;

	/* The common case first, with lookup's checks for it: a small block. */
	if (u >= lo + RUN_OFF && u < a->top && !(u & 15) && h->tag == TAG(K_SMALL)) {
		struct alloc_span *s = (struct alloc_span *)h->owner;
		if (h->owner - lo < a->top - lo && !(h->owner & (PAGE - 1)) &&
		    s->run.magic == RUN_MAGIC && (s->run.flags & (R_SPAN | R_FREE)) == R_SPAN) {
			small_free(a, h);
			return;
		}
	}
	if (!p)
		return;
	h = lookup(a, p, "free", &slot);
	if (!in_heap(a, (uintptr_t)p))
		large_del(a, slot);
	free_block(a, h);
}

size_t alloc_usable(struct alloc *a, void *p)
{
	size_t slot;

	return p ? usable(lookup(a, p, "malloc_usable_size", &slot)) : 0;
}

/* Resize a heap run block where it is: true if it now holds n bytes. */
static bool run_resize(struct alloc *a, struct hdr *h, size_t n)
{
	struct alloc_run *r = (struct alloc_run *)h->owner, *nx;
	size_t need = run_pages_for(n);
	void *ctx = a->pages.ctx;

	if (need > UINT32_MAX)
		return false;
	if (need <= r->pages) {
		if (need < r->pages)
			run_split(a, r, need, false);
		return true;
	}
	if (n >= ALLOC_LARGE_MIN && a->pages.map && !a->map_backoff)
		return false; /* that big, it gets a mapping of its own (given back on free) */
	/* At the top of the heap (perhaps with a free run in between): grow the heap. */
	nx = run_next(r);
	bool nx_free = nx && (nx->flags & R_FREE);
	size_t room = r->pages + (nx_free ? nx->pages : 0);
	if (room < need && (nx ? nx_free && nx == a->last : r == a->last) &&
	    (uintptr_t)a->pages.grow(ctx, 0) == a->top) {
		size_t more = need - room, want = more < STEP_PAGES ? STEP_PAGES : more;
		if (!a->pages.grow(ctx, (intptr_t)(want * PAGE))) {
			want = more;
			if (!a->pages.grow(ctx, (intptr_t)(want * PAGE)))
				return false;
		}
		a->top += want * PAGE;
		a->heap_pages += want;
		if (nx) {
			bin_remove(a, nx);
			nx->pages += (uint32_t)want;
			bin_insert(a, nx);
		} else {
			r->pages += (uint32_t)want;
		}
		room += want;
	}
	if (room < need)
		return false;
	if (nx_free) {
		bin_remove(a, nx);
		run_absorb(a, r, nx);
	}
	if (r->pages > need)
		run_split(a, r, need, false);
	return true;
}

void *alloc_realloc(struct alloc *a, void *p, size_t n)
{
	size_t slot;

	if (!p)
		return alloc_malloc(a, n);
	struct hdr *h = lookup(a, p, "realloc", &slot);
	if (n == 0) {
		if (!in_heap(a, (uintptr_t)p))
			large_del(a, slot);
		free_block(a, h);
		return NULL;
	}
	if (n > ALLOC_MAX)
		return NULL;
	size_t have = usable(h);
	switch (h->tag) {
	case TAG(K_RUN):
		if (run_resize(a, h, n))
			return p;
		break;
	case TAG(K_LARGE):
		if (large_resize(a, h, n))
			return p;
		break;
	default: /* small or aligned: in place if it fits */
		if (n <= have)
			return p;
	}
	/* Move it. Growing into a mapping leaves room to grow again (half as much). */
	void *q = NULL;
	if (n > have && n >= ALLOC_LARGE_MIN && a->pages.map && !a->map_backoff) {
		size_t want = have + have / 2 > n ? have + have / 2 : n;
		q = large_alloc(a, page_round(want + LARGE_OFF));
	}
	if (!q && !(q = block_alloc(a, n, false)))
		return NULL;
	memcpy(q, p, have < n ? have : n);
	if (!in_heap(a, (uintptr_t)p)) /* the table may have changed: find p again */
		large_del(a, large_find(a, (uintptr_t)p));
	free_block(a, h);
	return q;
}

void *alloc_memalign(struct alloc *a, size_t align, size_t n)
{
	if (!align || (align & (align - 1)) || align > ALLOC_MAX || n > ALLOC_MAX)
		return NULL;
	if (align <= 16)
		return alloc_malloc(a, n);
	char *q = block_alloc(a, n + align, false);
	if (!q)
		return NULL;
	uintptr_t u = ((uintptr_t)q + align - 1) & ~(align - 1);
	if (u == (uintptr_t)q)
		return q;
	struct hdr *h = (struct hdr *)u - 1; /* inside q's block: u >= q + 16 */
	h->owner = (uintptr_t)q;
	h->tag = TAG(K_ALIGNED);
	if (!in_heap(a, (uintptr_t)q)) { /* the table names what free will be given */
		if (!large_add(a, u)) {
			alloc_free(a, q);
			return NULL;
		}
		large_del(a, large_find(a, (uintptr_t)q));
	}
	return (void *)u;
}

void alloc_trim(struct alloc *a)
{
	release_idle(a);
	struct alloc_run *l = a->last;
	if (l && (l->flags & R_FREE)) {
		bin_remove(a, l);
		if (!heap_trim(a, l, 0))
			bin_insert(a, l);
	}
}

void alloc_stats(const struct alloc *a, struct alloc_stats *st)
{
	*st = (struct alloc_stats){.heap_bytes = a->top - a->lo, .large_blocks = a->large_n};
	for (unsigned i = 0; i < ALLOC_BINS; i++)
		for (const struct alloc_run *r = a->bins[i]; r; r = r->next)
			st->free_bytes += (size_t)r->pages * PAGE;
}

const char *alloc_verify(const struct alloc *a)
{
	size_t free_pages = 0, idle_pages = 0, heap_pages = 0, binned = 0;
	const struct alloc_run *prev = NULL;

	for (unsigned i = 0; i < ALLOC_BINS; i++) {
		bool bit = (a->binmap[i / 64] >> (i % 64)) & 1;
		if (bit != (a->bins[i] != NULL))
			return "bin map and bins disagree";
		for (const struct alloc_run *r = a->bins[i]; r; r = r->next) {
			if (r->magic != RUN_MAGIC || !(r->flags & R_FREE) || bin_of(r->pages) != i)
				return "a binned run is not free, or in the wrong bin";
			binned += r->pages;
		}
	}
	if (binned != a->free_pages)
		return "free page count wrong";
	/* The heap is walked only while it is one segment (nothing else moved the break). */
	for (uintptr_t u = a->lo; u && u < a->top;) {
		const struct alloc_run *r = (const struct alloc_run *)u;
		if (r->magic != RUN_MAGIC || r->prev_pages != (prev ? prev->pages : 0) || !r->pages)
			return "run header broken";
		if ((r->flags & R_FREE) && prev && (prev->flags & R_FREE))
			return "two free runs side by side";
		if (r->flags & R_FREE)
			free_pages += r->pages;
		if ((r->flags & R_SPAN) && !((const struct alloc_span *)r)->used)
			idle_pages += r->pages;
		heap_pages += r->pages;
		u += (size_t)r->pages * PAGE;
		prev = r;
		if (r->flags & R_LAST) {
			if (u != a->top || a->last != r)
				return "last run not at the top";
			if (free_pages != a->free_pages || idle_pages != a->idle_pages ||
			    heap_pages != a->heap_pages)
				return "page counts wrong";
			break;
		}
	}
	return NULL;
}
