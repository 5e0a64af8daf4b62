/*
 * Frame objects: a block of 2^order physical pages a process holds through
 * a handle. Every user mapping of one of its pages holds a reference, so
 * the block returns to the allocator only when no handle and no mapping
 * is left. Device frames (MMIO windows, the initrd) describe memory the
 * allocator does not own and are never freed to it.
 */
#ifndef STRATA_KERNEL_FRAMEOBJ_H
#define STRATA_KERNEL_FRAMEOBJ_H

#include <stdbool.h>

#include "kernel/object.h"
#include "mm/types.h"

struct rmap_entry;

struct frameobj {
	struct object obj;
	paddr_t pa;
	unsigned order;	 /* allocator frames: 2^order pages */
	uint64_t npages; /* pages (2^order, or any count for device frames) */
	bool device;	 /* not from the allocator */
	bool mmio;	 /* device registers: never read or written by the kernel */
	struct frameobj *next_device;
	uint64_t maps;		 /* current user mappings of its pages */
	bool rmap_on;		 /* FRAME_RMAP: every mapping is in rmap (kernel/rmap.h) */
	struct rmap_entry *rmap; /* where its pages are mapped */
	uint64_t gone_a,
	    gone_d; /* bit per page: A, D of mappings gone since SYS_FRAME_AD cleared */
};

static inline uint64_t frameobj_pages(const struct frameobj *f)
{
	return f->npages;
}

/*
 * Rights a frame handle needs to be mapped with PROT_* prot. A writable
 * page is readable too (RISC-V has no write-only pages), so W needs READ.
 */
static inline uint32_t frame_rights_for(unsigned prot)
{
	return RIGHT_MAP | ((prot & (PROT_R | PROT_W)) ? RIGHT_READ : 0) |
	       ((prot & PROT_W) ? RIGHT_WRITE : 0) | ((prot & PROT_X) ? RIGHT_EXEC : 0);
}

/* Allocate a block of 2^order pages charged to q; zeroed if zero. */
int frameobj_alloc(struct quota *q, unsigned order, bool zero, struct frameobj **out);
/* Describe device or boot memory [pa, pa + npages pages). */
int frameobj_device(paddr_t pa, uint64_t npages, bool mmio, struct frameobj **out);
void frameobj_destroy(struct frameobj *f);
/* The frame object whose pages include pa (for unmapping), or NULL. */
struct frameobj *frameobj_of(paddr_t pa);

#endif
