/*
 * The region table of an address space: non-overlapping, page-aligned
 * ranges [base, end), each naming the pager that serves it (an opaque
 * pointer for mm/; the kernel stores its endpoint object), a badge the
 * pager chose, and the maximum rights any mapping inside may have.
 * Kept sorted by base; lookups are binary searches.
 */
#ifndef STRATA_MM_REGION_H
#define STRATA_MM_REGION_H

#include "mm/types.h"

struct region {
	vaddr_t base, end;
	void *pager; /* the kernel's endpoint object */
	uint64_t badge;
	uint64_t offset;    /* where base lies in what the pager pages (fault word 2) */
	uint32_t maxrights; /* PROT_R | PROT_W | PROT_X */
};

struct region_table {
	struct region *r; /* storage of cap entries, owned by the caller */
	unsigned n, cap;
};

void region_table_init(struct region_table *t, struct region *storage, unsigned cap);

/*
 * Add a region. ERR_ALIGN if base or end is not page aligned, ERR_INVALID
 * if it is empty, has no pager or maxrights has unknown bits (W and X
 * together are allowed: W^X is enforced per mapping), ERR_RANGE if it does
 * not fit below limit, ERR_EXISTS if it overlaps a region, ERR_FULL if the
 * storage is full. Nothing changes on error.
 */
int region_add(struct region_table *t, const struct region *r, vaddr_t limit);

/*
 * Hold (+1) or drop (-1) a reference on a pager: region_replace keeps one
 * per table entry, so splitting an entry takes one and merging drops one.
 */
typedef void region_ref_fn(void *pager, int delta);

/*
 * Make [r->base, r->end) r's, whatever it overlapped: regions inside it go,
 * regions across its ends are trimmed (one across both is split in two; a
 * piece that loses its start has its offset moved on), and r merges with a
 * neighbour that touches it and has the same pager, badge and rights and
 * whose offsets run on into r's. References move through ref: +1 for r and for each
 * piece kept of a trimmed entry, -1 for each entry gone or merged away, the
 * +1s first. Errors as region_add but no ERR_EXISTS, and ERR_FULL unless
 * the storage has room for two more entries. Nothing changes on error.
 */
int region_replace(struct region_table *t, const struct region *r, vaddr_t limit,
		   region_ref_fn *ref);

/* Remove the region starting exactly at base; ERR_NOENT if none. *out gets it if not NULL. */
int region_remove(struct region_table *t, vaddr_t base, struct region *out);

/* The region containing va, or NULL. */
const struct region *region_find(const struct region_table *t, vaddr_t va);

/* Move the table into bigger storage (cap >= t->n). */
void region_table_move(struct region_table *t, struct region *storage, unsigned cap);

#endif
