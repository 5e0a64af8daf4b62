/*
 * The mappings of one address space as a pager sees them: non-overlapping,
 * page-aligned ranges [va, va + len), each saying with what rights the
 * range may be mapped and how its pages are filled (the owner's kind; for
 * a file mapping, file_size bytes from file_off, then zeros). Kept sorted
 * by va in a small array the caller owns; lookups are binary searches.
 *
 * Removing a range cuts it out of every mapping it meets: a mapping that
 * loses its middle becomes two, the high one starting further into the
 * file. Every change is checked first and nothing changes on error.
 */
#ifndef STRATA_LIB_VMMAP_H
#define STRATA_LIB_VMMAP_H

#include <stdbool.h>
#include <stdint.h>

#define VMMAP_PAGE 4096ull

struct vm_mapping {
	uint64_t va, len;   /* page aligned; len > 0 */
	uint64_t file_off;  /* file mappings: file offset of the mapping's first byte */
	uint64_t file_size; /* file mappings: bytes from the file, then zeros */
	unsigned prot;	    /* PROT_R | PROT_W | PROT_X */
	unsigned kind;	    /* the owner's meaning */
	unsigned tag;	    /* the owner's too; both halves of a split keep it */
};

struct vmmap {
	struct vm_mapping *map; /* storage of cap entries, owned by the caller */
	unsigned n, cap;
};

void vmmap_init(struct vmmap *m, struct vm_mapping *storage, unsigned cap);
/* Forget every mapping. */
void vmmap_clear(struct vmmap *m);
/* Make dst hold src's mappings (in dst's own storage); ERR_FULL if they do not fit. */
int vmmap_copy(struct vmmap *dst, const struct vmmap *src);

/* The mapping containing va, or NULL. */
const struct vm_mapping *vmmap_find(const struct vmmap *m, uint64_t va);
/* Does [va, va + len) meet a mapping? An empty range meets none. */
bool vmmap_overlaps(const struct vmmap *m, uint64_t va, uint64_t len);
/* Pages of mappings inside [va, va + len) (va and len page aligned). */
uint64_t vmmap_pages_in(const struct vmmap *m, uint64_t va, uint64_t len);
/* Entries removing [va, va + len) needs beyond those it frees: 1 if a mapping splits, else 0. */
unsigned vmmap_split_slots(const struct vmmap *m, uint64_t va, uint64_t len);

/*
 * Add a mapping. ERR_ALIGN if va or len is not page aligned, ERR_INVALID if
 * it is empty, ERR_RANGE if it wraps around, ERR_EXISTS if it meets a
 * mapping, ERR_FULL if the storage is full.
 */
int vmmap_add(struct vmmap *m, const struct vm_mapping *add);

/*
 * Cut [va, va + len) out of every mapping (removing nothing is fine).
 * ERR_ALIGN if va or len is not page aligned, ERR_RANGE if the range wraps
 * around, ERR_FULL if a mapping would split and the storage is full.
 */
int vmmap_remove(struct vmmap *m, uint64_t va, uint64_t len);

/*
 * The lowest va in [lo, hi) where len bytes meet no mapping, in *out;
 * false if there is none (or len is 0).
 */
bool vmmap_find_gap(const struct vmmap *m, uint64_t lo, uint64_t hi, uint64_t len, uint64_t *out);

#endif
