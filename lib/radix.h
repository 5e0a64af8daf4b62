/*
 * A sparse table from virtual page to a 32-bit value (a pager's page id),
 * indexed like Sv39: three levels of 512 entries, 9 bits of the address
 * each above the 12-bit page offset, so it covers [0, RADIX_VA_LIMIT).
 *
 *   va:  | 38..30 top | 29..21 mid | 20..12 leaf | 11..0 |
 *
 *   top and mid entries:  child node address | used entries of the child (bits 11..0)
 *   leaf entries:         value (bits 31..0) | MAPPED (bit 32); 0 is empty
 *
 * Since each upper entry counts its child's used entries, a node is freed
 * the moment its last entry goes, without scanning it, and a table costs
 * what it holds. Nodes come from the caller's allocator: 4096-byte pages,
 * 4096-aligned (the counts live in the low 12 bits of their addresses) and
 * zeroed.
 *
 * MAPPED is the owner's note about an entry (for a pager: the page may be
 * mapped in the space); setting an entry clears it.
 */
#ifndef STRATA_LIB_RADIX_H
#define STRATA_LIB_RADIX_H

#include <stdbool.h>
#include <stdint.h>

#define RADIX_NODE_SIZE 4096u
#define RADIX_VA_LIMIT	(1ull << 39)

struct radix_alloc {
	/* A zeroed node of RADIX_NODE_SIZE bytes, aligned to its size, or NULL. */
	void *(*alloc)(void *ctx);
	void (*free)(void *ctx, void *node);
	void *ctx;
};

struct radix {
	uint64_t *top; /* NULL: no table */
	const struct radix_alloc *nodes;
};

/* An empty table (its top node is allocated now); ERR_NOMEM if it cannot be. */
int radix_init(struct radix *r, const struct radix_alloc *nodes);
/* Free every node (what the values name is the caller's business). */
void radix_destroy(struct radix *r);

/* va's value, or 0. */
uint32_t radix_get(const struct radix *r, uint64_t va);
/*
 * Set va's value, MAPPED clear; 0 removes the entry, freeing nodes left
 * empty. ERR_RANGE if va is not below RADIX_VA_LIMIT, ERR_NOMEM if a node
 * cannot be allocated (the table is then as it was).
 */
int radix_set(struct radix *r, uint64_t va, uint32_t value);
/* Set MAPPED on va's entry, if it has one. */
void radix_mark_mapped(struct radix *r, uint64_t va);
bool radix_mapped(const struct radix *r, uint64_t va);

/*
 * Call fn for each entry in [lo, hi), in address order. fn may set or
 * remove entries, the one it was given included: each step looks its entry
 * up anew.
 */
void radix_each(const struct radix *r, uint64_t lo, uint64_t hi,
		void (*fn)(void *arg, uint64_t va, uint32_t value, bool mapped), void *arg);

#endif
