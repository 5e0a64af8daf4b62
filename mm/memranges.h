/*
 * Sets of physical address ranges, kept sorted and merged: used at boot to
 * turn "memory minus everything reserved" into the ranges the buddy
 * allocator may hand out.
 */
#ifndef STRATA_MM_MEMRANGES_H
#define STRATA_MM_MEMRANGES_H

#include "mm/types.h"

#define MEMRANGES_MAX 32

struct mem_range {
	paddr_t base, end; /* [base, end) */
};

struct memranges {
	struct mem_range r[MEMRANGES_MAX];
	unsigned n;
};

/* Add [base, end), merging with overlapping or touching ranges. ERR_INVALID if end < base, ERR_FULL
 * if out of slots (nothing changed). */
int memranges_add(struct memranges *m, paddr_t base, paddr_t end);
/* Remove [base, end) from the set, splitting ranges as needed. ERR_INVALID / ERR_FULL as above. */
int memranges_remove(struct memranges *m, paddr_t base, paddr_t end);
/* Shrink every range inward to multiples of align (a power of two), dropping empty ones. */
void memranges_align(struct memranges *m, size_t align);
/* Total bytes in the set. */
uint64_t memranges_total(const struct memranges *m);

#endif
