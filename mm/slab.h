/*
 * Slab allocator and kmalloc.
 *
 * A slab cache hands out fixed-size objects carved from 4 KiB pages. Each
 * slab page starts with a header (magic, owning cache, allocation bitmap), so
 * freeing finds the slab from the object's address, and a double free or a
 * pointer that no cache handed out is detected and refused.
 *
 * kmalloc serves sizes up to KMALLOC_MAX_SLAB from power-of-two caches and
 * larger sizes from whole page blocks with a small header. All pages come
 * from a page source (the buddy allocator in the kernel, a simulated one in
 * host tests) through the direct map.
 *
 * Not thread safe: the kernel calls it under its lock.
 */
#ifndef STRATA_MM_SLAB_H
#define STRATA_MM_SLAB_H

#include "mm/types.h"

struct slab_page_source {
	/* Allocate 2^order contiguous pages; ERR_OK or ERR_NOMEM. */
	int (*alloc)(void *ctx, unsigned order, paddr_t *pa);
	void (*free)(void *ctx, paddr_t pa, unsigned order);
	void *ctx;
};

struct slab; /* private to mm/slab.c */

struct slab_cache {
	const char *name;
	size_t objsize; /* rounded up to alignment */
	size_t align;
	unsigned per_slab; /* objects per slab page */
	size_t first_off;  /* offset of object 0 within the page */
	struct slab *partial, *full, *empty;
	size_t nslabs;
	size_t inuse; /* objects handed out */
	const struct slab_page_source *src;
};

#define SLAB_MAX_OBJ	 1024 /* largest object a slab cache holds */
#define KMALLOC_MAX_SLAB 1024

/*
 * Set up a cache for objects of `size` bytes aligned to `align` (a power of
 * two, at most 64). ERR_INVALID if size is 0 or above SLAB_MAX_OBJ or align is bad.
 */
int slab_cache_init(struct slab_cache *c, const char *name, size_t size, size_t align,
		    const struct slab_page_source *src);

/* An object (contents undefined), or NULL when the page source is empty. */
void *slab_alloc(struct slab_cache *c);

/*
 * Return obj to c. ERR_INVALID if obj was not handed out by c (wrong cache,
 * not an object boundary), ERR_STATE on double free. Nothing changes on error.
 */
int slab_free(struct slab_cache *c, void *obj);

/* Return empty slabs to the page source; returns the number of pages freed. */
size_t slab_shrink(struct slab_cache *c);

/* Check the cache's invariants: ERR_OK or ERR_CORRUPT with why filled in. */
int slab_check(const struct slab_cache *c, char *why, size_t whylen);

/* kmalloc: call once with the page source before any kmalloc. */
void kmalloc_init(const struct slab_page_source *src);
void *kmalloc(size_t size);
void *kzalloc(size_t size);
/* Free a kmalloc'd pointer (NULL is ignored). ERR_INVALID / ERR_STATE on misuse. */
int kfree(void *p);
/* Return the empty slabs of kmalloc's caches to the page source; pages freed. */
size_t kmalloc_shrink(void);

struct kmalloc_stats {
	size_t slab_pages;  /* pages held by kmalloc's caches */
	size_t large_pages; /* pages held by large allocations */
	size_t objects;	    /* live small objects */
};
void kmalloc_get_stats(struct kmalloc_stats *s);

#endif
