/*
 * Sv39 page tables.
 *
 *   virtual address (39 bits, sign-extended to 64):
 *   63       39 38     30 29     21 20     12 11          0
 *   | sign ext | VPN[2]  | VPN[1]  | VPN[0]  | page offset |
 *
 *   page-table entry:
 *   63 54 53        28 27        19 18        10 9 8 7 6 5 4 3 2 1 0
 *   | 0  |  PPN[2]    |  PPN[1]    |  PPN[0]    |RSW|D|A|G|U|X|W|R|V|
 *
 * A PTE with any of R, W, X set is a leaf: at level 2 it maps 1 GiB, at
 * level 1 2 MiB, at level 0 4 KiB. W without R is reserved. Strata refuses
 * W together with X (W^X) in every mapping.
 *
 * These functions edit tables reached through the direct map (physmap.h);
 * they never flush the TLB: the caller issues sfence.vma for what it changed.
 * Intermediate tables come from and return to a caller-supplied allocator.
 */
#ifndef STRATA_MM_PT_H
#define STRATA_MM_PT_H

#include "mm/types.h"

typedef uint64_t pte_t;

#define PTE_V	       (1ull << 0)
#define PTE_R	       (1ull << 1)
#define PTE_W	       (1ull << 2)
#define PTE_X	       (1ull << 3)
#define PTE_U	       (1ull << 4)
#define PTE_G	       (1ull << 5)
#define PTE_A	       (1ull << 6)
#define PTE_D	       (1ull << 7)
#define PTE_RSW_SHIFT  8
#define PTE_PPN_SHIFT  10
#define PTE_FLAGS_MASK 0x3ffull
#define PTE_RWX	       (PTE_R | PTE_W | PTE_X)
/* Flags a caller may pass to pt_map / pt_protect (V is implied). */
#define PTE_MAP_FLAGS (PTE_R | PTE_W | PTE_X | PTE_U | PTE_G | PTE_A | PTE_D)

#define PT_LEVELS    3
#define PT_ENTRIES   512
#define PAGE_4K	     ((size_t)1 << 12)
#define PAGE_2M	     ((size_t)1 << 21)
#define PAGE_1G	     ((size_t)1 << 30)
#define SV39_VA_BITS 39

static inline paddr_t pte_pa(pte_t pte)
{
	return (pte >> PTE_PPN_SHIFT) << PAGE_SHIFT;
}

static inline pte_t pte_make(paddr_t pa, uint64_t flags)
{
	return ((pa >> PAGE_SHIFT) << PTE_PPN_SHIFT) | flags;
}

static inline bool pte_is_leaf(pte_t pte)
{
	return (pte & PTE_V) && (pte & PTE_RWX);
}

/* Page size mapped by a leaf at the given level (0, 1, 2). */
static inline size_t pt_level_size(int level)
{
	return (size_t)1 << (PAGE_SHIFT + 9 * level);
}

/* Source of zeroed page-table pages. alloc returns ERR_OK or ERR_NOMEM. */
struct pt_alloc {
	int (*alloc)(void *ctx, paddr_t *pa);
	void (*free)(void *ctx, paddr_t pa);
	void *ctx;
};

/* What a walk found. */
struct pt_walk {
	pte_t *pte;  /* the leaf PTE, or the invalid PTE where the walk stopped; NULL if va is not
			canonical */
	int level;   /* level of *pte: 2 (1 GiB), 1 (2 MiB), 0 (4 KiB) */
	bool mapped; /* *pte is a valid leaf */
	paddr_t pa;  /* translation of va when mapped */
};

/* True if va is a canonical Sv39 address (bits 63..38 all equal). */
bool pt_va_canonical(vaddr_t va);

/* Walk the tables under root for va; never allocates. */
struct pt_walk pt_walk(paddr_t root, vaddr_t va);

/*
 * Map one page of pgsize (PAGE_4K, PAGE_2M or PAGE_1G) at va -> pa with
 * flags (subset of PTE_MAP_FLAGS; at least R or X; W needs R).
 * Errors, with nothing changed: ERR_INVALID (size or flags), ERR_PERM (W and
 * X together), ERR_ALIGN (va or pa not aligned to pgsize), ERR_RANGE (va not
 * canonical), ERR_EXISTS (a valid mapping or a table already covers the
 * slot), ERR_NOMEM (tables allocated for this call are released again).
 */
int pt_map(paddr_t root, vaddr_t va, paddr_t pa, size_t pgsize, uint64_t flags,
	   const struct pt_alloc *a);

/*
 * Map [va, va+len) -> [pa, pa+len) with the largest pages that fit.
 * va, pa and len must be 4 KiB aligned. On error, what this call mapped is
 * unmapped again and the error of the failing pt_map is returned.
 */
int pt_map_range(paddr_t root, vaddr_t va, paddr_t pa, size_t len, uint64_t flags,
		 const struct pt_alloc *a);

/*
 * Remove the leaf of exactly pgsize at va; *old_pa (if not NULL) gets what it
 * mapped. Intermediate tables left empty are freed. ERR_NOENT if no leaf of
 * that size is there, ERR_ALIGN / ERR_INVALID / ERR_RANGE as for pt_map.
 */
int pt_unmap(paddr_t root, vaddr_t va, size_t pgsize, const struct pt_alloc *a, paddr_t *old_pa);
/* The same, giving the whole entry as it was when it was taken out (its A/D bits too). */
int pt_unmap_take(paddr_t root, vaddr_t va, size_t pgsize, const struct pt_alloc *a, pte_t *old);

/*
 * Replace the flags of the leaf that maps va (any size), keeping its
 * address. Flag rules and errors as for pt_map; ERR_NOENT if unmapped.
 */
int pt_protect(paddr_t root, vaddr_t va, uint64_t flags);

/*
 * Free every intermediate table reachable from root entries [first, last]
 * (root indices, inclusive). Leaves' frames are not touched: their owner
 * frees them. The root itself is not freed.
 */
void pt_free_tables(paddr_t root, unsigned first, unsigned last, const struct pt_alloc *a);

#endif
