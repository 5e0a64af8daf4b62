/*
 * Slab caches and kmalloc (contract in mm/slab.h).
 *
 *   one slab = one 4 KiB page, reached through the direct map:
 *
 *   0          64 (first_off)                                   4096
 *   | struct slab | obj 0 | obj 1 | ...            | obj n-1 | slack |
 *
 * The header holds a magic, the owning cache, list links, the free count and
 * an allocation bitmap (bit set = handed out) sized for the smallest object
 * (16 bytes), so slab_free can check a pointer completely before touching
 * anything. A slab sits on exactly one of its cache's lists, chosen by its
 * free count: full (0 free), empty (all free) or partial.
 *
 *   a large kmalloc block = 2^order pages:
 *
 *   0                       16
 *   | struct kmalloc_large | data (size bytes) ...                |
 *
 * kfree tells the two apart by the magic at the start of the pointer's page.
 * Pages given back to the source get a "dead" magic first, so a later free of
 * a stale pointer into a page that was not reused yet is reported as
 * ERR_STATE instead of being taken for a live object.
 */
#include "mm/slab.h"
#include "mm/physmap.h"
#include "lib/error.h"
#include "lib/str.h"

#define SLAB_MAGIC		 0x51ab0c0du
#define SLAB_DEAD_MAGIC		 0x51abdeadu
#define KMALLOC_LARGE_MAGIC	 0x1a7e0c0du
#define KMALLOC_LARGE_DEAD_MAGIC 0x1a7edeadu

#define SLAB_MIN_OBJ	  16 /* smaller requests are rounded up: bounds the bitmap */
#define SLAB_MAX_ALIGN	  64
#define SLAB_MAX_OBJS	  (PAGE_SIZE / SLAB_MIN_OBJ)
#define SLAB_BITMAP_WORDS (SLAB_MAX_OBJS / 64)

/* Header at the start of every slab page. */
struct slab {
	uint32_t magic;
	uint32_t nfree; /* free objects in this slab */
	struct slab_cache *cache;
	struct slab *next, *prev;
	uint64_t bitmap[SLAB_BITMAP_WORDS]; /* bit i set: object i is handed out */
};

_Static_assert(sizeof(struct slab) == SLAB_MAX_ALIGN, "header fills one max alignment unit");
_Static_assert(SLAB_MAX_OBJS % 64 == 0, "bitmap is whole words");

/* Header of a large kmalloc block; 16 bytes keep the data 16-byte aligned. */
struct kmalloc_large {
	uint32_t magic;
	uint32_t order;
	uint64_t size; /* bytes requested */
};

#define KMALLOC_LARGE_HDR sizeof(struct kmalloc_large)
#define KMALLOC_MAX_ORDER 30 /* far above any page source; keeps shifts defined */
#define KMALLOC_NCACHES	  7  /* 16, 32, ..., 1024 */
#define KMALLOC_MIN_SHIFT 4

_Static_assert(KMALLOC_LARGE_HDR == 16, "large header keeps 16-byte alignment");
_Static_assert((SLAB_MIN_OBJ << (KMALLOC_NCACHES - 1)) == KMALLOC_MAX_SLAB,
	       "kmalloc caches end at KMALLOC_MAX_SLAB");

/* ---------------------------------------------------------------- bit helpers */

/* Index of the lowest set bit; x != 0. Open-coded: no libgcc in the kernel. */
static unsigned ctz64(uint64_t x)
{
	unsigned n = 0;

	for (unsigned shift = 32; shift > 0; shift >>= 1) {
		uint64_t low = ((uint64_t)1 << shift) - 1;

		if (!(x & low)) {
			n += shift;
			x >>= shift;
		}
	}
	return n;
}

static unsigned popcount64(uint64_t x)
{
	x = x - ((x >> 1) & 0x5555555555555555ull);
	x = (x & 0x3333333333333333ull) + ((x >> 2) & 0x3333333333333333ull);
	x = (x + (x >> 4)) & 0x0f0f0f0f0f0f0f0full;
	return (unsigned)((x * 0x0101010101010101ull) >> 56);
}

static bool slab_bit(const struct slab *s, unsigned idx)
{
	return (s->bitmap[idx / 64] >> (idx % 64)) & 1;
}

/* ---------------------------------------------------------------- lists */

/* The list a slab with nfree free objects belongs on. */
static struct slab **slab_list(struct slab_cache *c, unsigned nfree)
{
	if (nfree == 0)
		return &c->full;
	if (nfree == c->per_slab)
		return &c->empty;
	return &c->partial;
}

static void slab_link(struct slab **head, struct slab *s)
{
	s->prev = NULL;
	s->next = *head;
	if (*head)
		(*head)->prev = s;
	*head = s;
}

static void slab_unlink(struct slab **head, struct slab *s)
{
	if (s->prev)
		s->prev->next = s->next;
	else
		*head = s->next;
	if (s->next)
		s->next->prev = s->prev;
	s->next = s->prev = NULL;
}

/* ---------------------------------------------------------------- caches */

int slab_cache_init(struct slab_cache *c, const char *name, size_t size, size_t align,
		    const struct slab_page_source *src)
{
	size_t first_off, objsize;

	if (!c || size == 0 || size > SLAB_MAX_OBJ)
		return ERR_INVALID;
	if (align == 0 || align > SLAB_MAX_ALIGN || (align & (align - 1)) != 0)
		return ERR_INVALID;
	if (!src || !src->alloc || !src->free)
		return ERR_INVALID;

	objsize = ALIGN_UP(size < SLAB_MIN_OBJ ? SLAB_MIN_OBJ : size, align);
	first_off = ALIGN_UP(sizeof(struct slab), align);
	c->name = name;
	c->objsize = objsize;
	c->align = align;
	c->first_off = first_off;
	c->per_slab = (unsigned)((PAGE_SIZE - first_off) / objsize);
	c->partial = c->full = c->empty = NULL;
	c->nslabs = 0;
	c->inuse = 0;
	c->src = src;
	return ERR_OK;
}

/* Take a page from the source and make it an empty slab of c; NULL if none. */
static struct slab *slab_grow(struct slab_cache *c)
{
	struct slab *s;
	paddr_t pa;

	if (!c->src || c->src->alloc(c->src->ctx, 0, &pa) != ERR_OK)
		return NULL;
	s = pa_to_kva(pa);
	s->magic = SLAB_MAGIC;
	s->nfree = c->per_slab;
	s->cache = c;
	for (unsigned w = 0; w < SLAB_BITMAP_WORDS; w++)
		s->bitmap[w] = 0;
	slab_link(&c->empty, s);
	c->nslabs++;
	return s;
}

void *slab_alloc(struct slab_cache *c)
{
	struct slab *s;
	unsigned idx = 0;

	if (!c)
		return NULL;
	s = c->partial ? c->partial : c->empty;
	if (!s)
		s = slab_grow(c);
	if (!s)
		return NULL;

	/* s has a free object; bits at and above per_slab are always clear. */
	for (unsigned w = 0; w < SLAB_BITMAP_WORDS; w++) {
		if (~s->bitmap[w]) {
			idx = w * 64 + ctz64(~s->bitmap[w]);
			break;
		}
	}
	slab_unlink(slab_list(c, s->nfree), s);
	s->bitmap[idx / 64] |= (uint64_t)1 << (idx % 64);
	s->nfree--;
	slab_link(slab_list(c, s->nfree), s);
	c->inuse++;
	return (char *)s + c->first_off + (size_t)idx * c->objsize;
}

/*
 * Decode a pointer handed to slab_free: the slab it lies in and its object
 * index. Reads only. ERR_INVALID unless obj is the start of an object of c;
 * ERR_STATE if that object is free or its slab was already given back.
 */
static int slab_locate(struct slab_cache *c, const void *obj, struct slab **sp, unsigned *idxp)
{
	uintptr_t addr = (uintptr_t)obj;
	struct slab *s = (struct slab *)(addr & ~(uintptr_t)PAGE_MASK);
	size_t off = addr & PAGE_MASK;
	size_t idx;

	if (!c || !obj)
		return ERR_INVALID;
	if (s->magic == SLAB_DEAD_MAGIC && s->cache == c)
		return ERR_STATE;
	if (s->magic != SLAB_MAGIC || s->cache != c)
		return ERR_INVALID;
	if (off < c->first_off || (off - c->first_off) % c->objsize != 0)
		return ERR_INVALID;
	idx = (off - c->first_off) / c->objsize;
	if (idx >= c->per_slab)
		return ERR_INVALID;
	if (!slab_bit(s, (unsigned)idx))
		return ERR_STATE;
	*sp = s;
	*idxp = (unsigned)idx;
	return ERR_OK;
}

int slab_free(struct slab_cache *c, void *obj)
{
	struct slab *s;
	unsigned idx;
	int err;

	err = slab_locate(c, obj, &s, &idx);
	if (err)
		return err;
	slab_unlink(slab_list(c, s->nfree), s);
	s->bitmap[idx / 64] &= ~((uint64_t)1 << (idx % 64));
	s->nfree++;
	slab_link(slab_list(c, s->nfree), s);
	c->inuse--;
	return ERR_OK;
}

size_t slab_shrink(struct slab_cache *c)
{
	size_t freed = 0;

	if (!c)
		return 0;
	while (c->empty) {
		struct slab *s = c->empty;

		slab_unlink(&c->empty, s);
		s->magic = SLAB_DEAD_MAGIC;
		c->nslabs--;
		c->src->free(c->src->ctx, kva_to_pa(s), 0);
		freed++;
	}
	return freed;
}

static int slab_fail(char *why, size_t whylen, const char *msg)
{
	if (why && whylen)
		str_copy(why, msg, whylen);
	return ERR_CORRUPT;
}

/* Check one list of c; adds its slabs and used objects to the running totals. */
static int slab_check_list(const struct slab_cache *c, const struct slab *head, int which,
			   size_t *nslabs, size_t *used, char *why, size_t whylen)
{
	const struct slab *prev = NULL;

	for (const struct slab *s = head; s; prev = s, s = s->next) {
		unsigned set = 0;
		int want;

		if (++*nslabs > c->nslabs)
			return slab_fail(why, whylen,
					 "more slabs on the lists than nslabs (or a cycle)");
		if (((uintptr_t)s & PAGE_MASK) != 0)
			return slab_fail(why, whylen, "slab header not at a page start");
		if (s->magic != SLAB_MAGIC)
			return slab_fail(why, whylen, "slab with bad magic on a list");
		if (s->cache != c)
			return slab_fail(why, whylen, "slab owned by another cache");
		if (s->prev != prev)
			return slab_fail(why, whylen, "broken prev link");
		for (unsigned w = 0; w < SLAB_BITMAP_WORDS; w++)
			set += popcount64(s->bitmap[w]);
		for (unsigned i = c->per_slab; i < SLAB_MAX_OBJS; i++)
			if (slab_bit(s, i))
				return slab_fail(why, whylen,
						 "bitmap bit set past the last object");
		if (s->nfree + set != c->per_slab)
			return slab_fail(why, whylen, "free count disagrees with the bitmap");
		want = s->nfree == 0 ? 1 : s->nfree == c->per_slab ? 2 : 0;
		if (want != which)
			return slab_fail(why, whylen, "slab on the wrong list for its free count");
		*used += set;
	}
	return ERR_OK;
}

int slab_check(const struct slab_cache *c, char *why, size_t whylen)
{
	const struct slab *lists[3];
	size_t nslabs = 0, used = 0;

	if (!c)
		return slab_fail(why, whylen, "no cache");
	if (c->align == 0 || c->align > SLAB_MAX_ALIGN || (c->align & (c->align - 1)) != 0)
		return slab_fail(why, whylen, "bad alignment");
	if (c->objsize < SLAB_MIN_OBJ || c->objsize % c->align != 0)
		return slab_fail(why, whylen, "bad object size");
	if (c->first_off < sizeof(struct slab) || c->first_off % c->align != 0)
		return slab_fail(why, whylen, "bad first object offset");
	if (c->per_slab == 0 || c->per_slab > SLAB_MAX_OBJS ||
	    c->first_off + c->per_slab * c->objsize > PAGE_SIZE)
		return slab_fail(why, whylen, "objects do not fit the page");

	lists[0] = c->partial;
	lists[1] = c->full;
	lists[2] = c->empty;
	for (int which = 0; which < 3; which++) {
		int err = slab_check_list(c, lists[which], which, &nslabs, &used, why, whylen);
		if (err)
			return err;
	}
	if (nslabs != c->nslabs)
		return slab_fail(why, whylen, "nslabs disagrees with the lists");
	if (used != c->inuse)
		return slab_fail(why, whylen, "inuse disagrees with the bitmaps");
	return ERR_OK;
}

/* ---------------------------------------------------------------- kmalloc */

static struct slab_cache kmalloc_caches[KMALLOC_NCACHES];
static const char *const kmalloc_names[KMALLOC_NCACHES] = {
    "kmalloc-16",  "kmalloc-32",  "kmalloc-64",	  "kmalloc-128",
    "kmalloc-256", "kmalloc-512", "kmalloc-1024",
};
static const struct slab_page_source *kmalloc_src;
static size_t kmalloc_large_pages;

void kmalloc_init(const struct slab_page_source *src)
{
	kmalloc_src = src;
	kmalloc_large_pages = 0;
	for (unsigned i = 0; i < KMALLOC_NCACHES; i++) {
		size_t size = (size_t)SLAB_MIN_OBJ << i;
		size_t align = size < SLAB_MAX_ALIGN ? size : SLAB_MAX_ALIGN;

		if (slab_cache_init(&kmalloc_caches[i], kmalloc_names[i], size, align, src) !=
		    ERR_OK)
			kmalloc_src = NULL; /* bad source: every kmalloc fails */
	}
}

/* The cache serving size (1..KMALLOC_MAX_SLAB). */
static struct slab_cache *kmalloc_cache_for(size_t size)
{
	unsigned i = 0;

	while (((size_t)SLAB_MIN_OBJ << i) < size)
		i++;
	return &kmalloc_caches[i];
}

static bool kmalloc_is_cache(const struct slab_cache *c)
{
	for (unsigned i = 0; i < KMALLOC_NCACHES; i++)
		if (c == &kmalloc_caches[i])
			return true;
	return false;
}

/* Smallest order whose block holds size bytes plus the header; -1 if absurd. */
static int kmalloc_large_order(size_t size)
{
	size_t total;
	int order = 0;

	if (size > ((size_t)PAGE_SIZE << KMALLOC_MAX_ORDER) - KMALLOC_LARGE_HDR)
		return -1;
	total = size + KMALLOC_LARGE_HDR;
	while (((size_t)PAGE_SIZE << order) < total)
		order++;
	return order;
}

static void *kmalloc_large(size_t size)
{
	int order = kmalloc_large_order(size);
	struct kmalloc_large *h;
	paddr_t pa;

	if (order < 0 || kmalloc_src->alloc(kmalloc_src->ctx, (unsigned)order, &pa) != ERR_OK)
		return NULL;
	h = pa_to_kva(pa);
	h->magic = KMALLOC_LARGE_MAGIC;
	h->order = (uint32_t)order;
	h->size = size;
	kmalloc_large_pages += (size_t)1 << order;
	return (char *)h + KMALLOC_LARGE_HDR;
}

void *kmalloc(size_t size)
{
	if (size == 0 || !kmalloc_src)
		return NULL;
	if (size <= KMALLOC_MAX_SLAB)
		return slab_alloc(kmalloc_cache_for(size));
	return kmalloc_large(size);
}

void *kzalloc(size_t size)
{
	void *p = kmalloc(size);

	if (p)
		memset(p, 0, size);
	return p;
}

/* Free a large block after checking p is its data start and the header is sane. */
static int kfree_large(struct kmalloc_large *h, void *p)
{
	if ((char *)p != (char *)h + KMALLOC_LARGE_HDR)
		return ERR_INVALID;
	if (h->size <= KMALLOC_MAX_SLAB || kmalloc_large_order((size_t)h->size) != (int)h->order)
		return ERR_INVALID;
	h->magic = KMALLOC_LARGE_DEAD_MAGIC;
	kmalloc_large_pages -= (size_t)1 << h->order;
	kmalloc_src->free(kmalloc_src->ctx, kva_to_pa(h), h->order);
	return ERR_OK;
}

/*
 * Free what kmalloc returned. The page start of p says what p is: a slab of
 * one of kmalloc's caches (checked fully by slab_free) or a large block
 * (p must be its data start). Anything else is ERR_INVALID; a page this
 * allocator already gave back (dead magic) is ERR_STATE. p must point into
 * the direct map: its page start is read.
 */
int kfree(void *p)
{
	uintptr_t page = (uintptr_t)p & ~(uintptr_t)PAGE_MASK;
	uint32_t magic;

	if (!p)
		return ERR_OK;
	if (!kmalloc_src)
		return ERR_INVALID;
	magic = *(const uint32_t *)page;
	if (magic == SLAB_MAGIC || magic == SLAB_DEAD_MAGIC) {
		struct slab_cache *c = ((struct slab *)page)->cache;

		if (!kmalloc_is_cache(c))
			return ERR_INVALID;
		return slab_free(c, p);
	}
	if (magic == KMALLOC_LARGE_MAGIC)
		return kfree_large((struct kmalloc_large *)page, p);
	if (magic == KMALLOC_LARGE_DEAD_MAGIC && (uintptr_t)p == page + KMALLOC_LARGE_HDR)
		return ERR_STATE;
	return ERR_INVALID;
}

size_t kmalloc_shrink(void)
{
	size_t freed = 0;

	if (!kmalloc_src)
		return 0;
	for (unsigned i = 0; i < KMALLOC_NCACHES; i++)
		freed += slab_shrink(&kmalloc_caches[i]);
	return freed;
}

void kmalloc_get_stats(struct kmalloc_stats *s)
{
	s->slab_pages = 0;
	s->objects = 0;
	for (unsigned i = 0; i < KMALLOC_NCACHES; i++) {
		s->slab_pages += kmalloc_caches[i].nslabs;
		s->objects += kmalloc_caches[i].inuse;
	}
	s->large_pages = kmalloc_large_pages;
}
