/*
 * Buddy frame allocator.
 *
 * One allocator covers a span of physical memory [base, base + npages*4K).
 * Every page in the span has a frame descriptor; pages start out reserved
 * and become allocatable when buddy_add_range() hands them over (usable RAM
 * minus firmware, kernel image, DTB and initrd). Blocks are 2^order pages,
 * naturally aligned (relative to physical address 0), orders 0..BUDDY_MAX_ORDER.
 *
 * Free lists are doubly linked through the descriptors by page index, so
 * allocation and free are O(1) per order; freeing merges with the buddy
 * (pa ^ (PAGE_SIZE << order)) for as long as the buddy is a free block of
 * the same order.
 *
 * Misuse is detected, reported with an error code and changes nothing:
 * double free, freeing a page that is not the head of an allocated block,
 * freeing with the wrong order, addresses outside the span or unaligned.
 *
 * Not thread safe: the kernel wraps it in a lock (kernel/frames.c).
 */
#ifndef STRATA_MM_BUDDY_H
#define STRATA_MM_BUDDY_H

#include "mm/types.h"

#define BUDDY_MAX_ORDER 18 /* 2^18 pages = 1 GiB */
#define BUDDY_NORDERS	(BUDDY_MAX_ORDER + 1)
#define FRAME_NONE	UINT32_MAX

enum frame_state {
	FRAME_RESERVED = 0, /* never given to the allocator, or a hole */
	FRAME_FREE,	    /* head of a free block of `order` */
	FRAME_FREE_TAIL,    /* inside a free block, not its head */
	FRAME_ALLOCATED,    /* head of an allocated block of `order` */
	FRAME_ALLOC_TAIL,   /* inside an allocated block, not its head */
};

/* One per page in the span. 24 bytes. */
struct frame {
	uint32_t next, prev; /* free-list links (page indices), FRAME_NONE at the ends */
	uint32_t refcount;   /* set to 1 by buddy_alloc; managed by the owner */
	uint32_t owner;	     /* free for the owner's use (kernel: object id) */
	uint8_t state;	     /* enum frame_state */
	uint8_t order;	     /* block order (heads only) */
	uint16_t flags;	     /* free for the owner's use (kernel: frame kind) */
	uint32_t pad;
};

struct buddy {
	paddr_t base;	      /* physical address of page index 0 */
	size_t npages;	      /* pages in the span */
	struct frame *frames; /* npages descriptors */
	uint32_t free_head[BUDDY_NORDERS];
	size_t free_blocks[BUDDY_NORDERS];
	size_t free_pages;  /* pages currently free */
	size_t total_pages; /* pages handed over with buddy_add_range */
};

struct buddy_stats {
	size_t free_blocks[BUDDY_NORDERS];
	size_t free_pages;
	size_t total_pages;
	int largest_order;	/* order of the largest free block, -1 if none */
	unsigned frag_permille; /* 1000 * (1 - largest free block / free pages); 0 when empty */
};

/* Bytes of descriptors needed for a span of npages. */
size_t buddy_desc_bytes(size_t npages);

/*
 * Set up an allocator over [base, base + npages pages). `frames` must hold
 * npages descriptors; all pages start reserved. base must be page aligned.
 */
void buddy_init(struct buddy *b, paddr_t base, size_t npages, struct frame *frames);

/*
 * Give the pages [pa, pa + npages*4K) to the allocator. Returns ERR_ALIGN if
 * pa is unaligned, ERR_RANGE if the range leaves the span, ERR_STATE if any
 * page is not reserved (nothing is changed in that case).
 */
int buddy_add_range(struct buddy *b, paddr_t pa, size_t npages);

/* Allocate a block of 2^order pages. NULL if order is too large or no block is free. */
struct frame *buddy_alloc(struct buddy *b, unsigned order);

/*
 * Free the block at pa of the given order. ERR_OK, or ERR_RANGE (outside the
 * span), ERR_ALIGN (pa not aligned to the order), ERR_INVALID (order too large
 * or not the order it was allocated with), ERR_STATE (double free, a reserved
 * page, or a page inside a block rather than its head). On error nothing changes.
 */
int buddy_free(struct buddy *b, paddr_t pa, unsigned order);

paddr_t buddy_frame_pa(const struct buddy *b, const struct frame *f);
/* The descriptor of the page holding pa, or NULL outside the span. */
struct frame *buddy_pa_frame(const struct buddy *b, paddr_t pa);

void buddy_get_stats(const struct buddy *b, struct buddy_stats *s);

/*
 * Check every invariant (list links, states, alignment, counts, full
 * coalescing). ERR_OK, or ERR_CORRUPT with a description in why.
 */
int buddy_check(const struct buddy *b, char *why, size_t whylen);

#endif
