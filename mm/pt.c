/*
 * Sv39 page tables (layout and contract in mm/pt.h).
 *
 * Every operation finds its entry with one helper, pt_lookup(), which
 * descends from the root and stops at the requested level, at an invalid
 * entry or at a leaf, whichever comes first; it records the table it passed
 * at each level so unmap can prune upwards without a second walk.
 *
 * Mutating calls decode first (check every argument and the current state,
 * allocate what they need) and then perform (plain stores that cannot fail),
 * so a failing call leaves the tables exactly as it found them.
 */
#include "mm/pt.h"
#include "mm/physmap.h"
#include "lib/error.h"

/* Sv39 PPNs are 44 bits wide: physical addresses have 56 bits. */
#define PT_PA_BITS    56
#define PT_INDEX_BITS 9

_Static_assert(PT_ENTRIES == 1 << PT_INDEX_BITS, "one table is 512 entries");
_Static_assert(PT_ENTRIES * sizeof(pte_t) == PAGE_SIZE, "one table is one page");
_Static_assert(PTE_MAP_FLAGS == 0xfe, "map flags are R W X U G A D");
_Static_assert((PTE_FLAGS_MASK >> PTE_RSW_SHIFT) == 3, "two RSW bits below the PPN");

/* Where pt_lookup() stopped. */
struct pt_slot {
	pte_t *pte;		  /* entry at `level` on the path to va */
	int level;		  /* level of *pte */
	paddr_t table[PT_LEVELS]; /* table[l]: PA of the level-l table on the path (l >= level) */
};

static pte_t *pt_table(paddr_t pa)
{
	return (pte_t *)pa_to_kva(pa);
}

static unsigned pt_index(vaddr_t va, int level)
{
	return (unsigned)(va >> (PAGE_SHIFT + PT_INDEX_BITS * level)) & (PT_ENTRIES - 1);
}

/* A valid entry without R/W/X points to the next-level table. */
static bool pte_is_table(pte_t pte)
{
	return (pte & PTE_V) && !(pte & PTE_RWX);
}

/* Level whose leaves have pgsize bytes, or -1 for any other size. */
static int pt_size_level(size_t pgsize)
{
	for (int level = 0; level < PT_LEVELS; level++)
		if (pgsize == pt_level_size(level))
			return level;
	return -1;
}

/*
 * Flag rules shared by pt_map and pt_protect. W^X is a policy refusal
 * (ERR_PERM) and is checked before W-without-R, so W|X reports ERR_PERM
 * whether or not R is present. V is not accepted from callers: it is implied.
 */
static int pt_check_flags(uint64_t flags)
{
	if (flags & ~PTE_MAP_FLAGS)
		return ERR_INVALID;
	if (!(flags & (PTE_R | PTE_X)))
		return ERR_INVALID; /* no permission at all, or W alone */
	if ((flags & PTE_W) && (flags & PTE_X))
		return ERR_PERM;
	if ((flags & PTE_W) && !(flags & PTE_R))
		return ERR_INVALID; /* reserved encoding */
	return ERR_OK;
}

bool pt_va_canonical(vaddr_t va)
{
	/* Sign-extend from bit 38 and see whether anything changed. */
	int shift = 64 - SV39_VA_BITS;

	return (vaddr_t)((int64_t)(va << shift) >> shift) == va;
}

/*
 * Descend from root for va (canonical) down to level `stop` (0..2), stopping
 * early at an invalid entry or a leaf. Never allocates or writes. At most
 * PT_LEVELS iterations: the level strictly decreases and stop >= 0.
 */
static struct pt_slot pt_lookup(paddr_t root, vaddr_t va, int stop)
{
	struct pt_slot s = {0};
	paddr_t table = root;
	int level = PT_LEVELS - 1;

	if (stop < 0)
		stop = 0;
	for (;;) {
		s.level = level;
		s.table[level] = table;
		s.pte = &pt_table(table)[pt_index(va, level)];
		if (level <= stop || !pte_is_table(*s.pte))
			return s;
		table = pte_pa(*s.pte);
		level--;
	}
}

struct pt_walk pt_walk(paddr_t root, vaddr_t va)
{
	struct pt_walk w = {.pte = NULL, .level = 0, .mapped = false, .pa = 0};
	struct pt_slot s;
	pte_t pte;

	if (!pt_va_canonical(va))
		return w;
	s = pt_lookup(root, va, 0);
	w.pte = s.pte;
	w.level = s.level;
	pte = *s.pte;
	if (pte_is_leaf(pte)) {
		size_t size = pt_level_size(s.level);
		paddr_t base = pte_pa(pte);

		/*
		 * Report what the hardware would translate: a reserved W-without-R
		 * leaf or a misaligned superpage raises a page fault instead.
		 */
		if (((pte & PTE_R) || !(pte & PTE_W)) && IS_ALIGNED(base, (paddr_t)size)) {
			w.mapped = true;
			w.pa = base + (va & (size - 1));
		}
	}
	return w;
}

/*
 * Map one page. Decode: check size, flags, range, alignment and that the
 * slot is free; allocate the missing intermediate tables (all of them, or
 * none: on ERR_NOMEM the ones already obtained go back to `a`). Perform: fill
 * the new tables bottom-up and link the topmost last, so the live tree never
 * sees a half-built path. `a` may be NULL when no table is missing.
 */
int pt_map(paddr_t root, vaddr_t va, paddr_t pa, size_t pgsize, uint64_t flags,
	   const struct pt_alloc *a)
{
	int level = pt_size_level(pgsize);
	paddr_t fresh[PT_LEVELS - 1];
	struct pt_slot s;
	int err, n;

	if (level < 0)
		return ERR_INVALID;
	err = pt_check_flags(flags);
	if (err)
		return err;
	if (!pt_va_canonical(va) || (pa >> PT_PA_BITS) != 0)
		return ERR_RANGE;
	if (!IS_ALIGNED(va, (vaddr_t)pgsize) || !IS_ALIGNED(pa, (paddr_t)pgsize))
		return ERR_ALIGN;

	s = pt_lookup(root, va, level);
	if (*s.pte & PTE_V)
		return ERR_EXISTS; /* a leaf above covers va, or the slot holds a leaf or table */

	/* fresh[k] becomes the table at level s.level - 1 - k. */
	n = s.level - level;
	if (n > 0 && (!a || !a->alloc || !a->free))
		return ERR_NOMEM;
	for (int k = 0; k < n; k++) {
		if (a->alloc(a->ctx, &fresh[k]) != ERR_OK) {
			while (k-- > 0)
				a->free(a->ctx, fresh[k]);
			return ERR_NOMEM;
		}
	}

	/* The source promises zeroed pages; a stale entry here would be fatal. */
	for (int k = 0; k < n; k++) {
		pte_t *t = pt_table(fresh[k]);
		for (unsigned i = 0; i < PT_ENTRIES; i++)
			t[i] = 0;
	}

	pte_t entry = pte_make(pa, flags | PTE_V);
	for (int k = n - 1; k >= 0; k--) {
		int tlevel = s.level - 1 - k;

		pt_table(fresh[k])[pt_index(va, tlevel)] = entry;
		entry = pte_make(fresh[k], PTE_V);
	}
	*s.pte = entry;
	return ERR_OK;
}

static bool pt_table_empty(paddr_t table)
{
	const pte_t *t = pt_table(table);

	for (unsigned i = 0; i < PT_ENTRIES; i++)
		if (t[i] & PTE_V)
			return false;
	return true;
}

/*
 * After the entry at s->level was cleared, free the tables on the path that
 * are now empty, bottom-up, stopping at the first one still in use. The root
 * is never freed. Without a free hook the empty tables simply stay.
 */
static void pt_prune(const struct pt_slot *s, vaddr_t va, const struct pt_alloc *a)
{
	if (!a || !a->free)
		return;
	for (int level = s->level; level < PT_LEVELS - 1; level++) {
		paddr_t table = s->table[level];

		if (!pt_table_empty(table))
			return;
		pt_table(s->table[level + 1])[pt_index(va, level + 1)] = 0;
		a->free(a->ctx, table);
	}
}

int pt_unmap(paddr_t root, vaddr_t va, size_t pgsize, const struct pt_alloc *a, paddr_t *old_pa)
{
	pte_t old;
	int e = pt_unmap_take(root, va, pgsize, a, &old);

	if (e == ERR_OK && old_pa)
		*old_pa = pte_pa(old);
	return e;
}

int pt_unmap_take(paddr_t root, vaddr_t va, size_t pgsize, const struct pt_alloc *a, pte_t *old)
{
	int level = pt_size_level(pgsize);
	struct pt_slot s;

	if (level < 0)
		return ERR_INVALID;
	if (!pt_va_canonical(va))
		return ERR_RANGE;
	if (!IS_ALIGNED(va, (vaddr_t)pgsize))
		return ERR_ALIGN;

	s = pt_lookup(root, va, level);
	if (s.level != level || !pte_is_leaf(*s.pte))
		return ERR_NOENT; /* nothing there, a table, or a leaf of another size */
	/*
	 * One atomic swap: a hart that sets A or D in hardware does so
	 * atomically on a valid entry, so the bits come out here or not at all.
	 */
	*old = __atomic_exchange_n(s.pte, (pte_t)0, __ATOMIC_SEQ_CST);
	pt_prune(&s, va, a);
	return ERR_OK;
}

/*
 * Change the permissions of the leaf covering va. The PPN and the
 * software (RSW) bits are kept: they belong to whoever made the mapping.
 */
int pt_protect(paddr_t root, vaddr_t va, uint64_t flags)
{
	struct pt_slot s;
	int err;

	err = pt_check_flags(flags);
	if (err)
		return err;
	if (!pt_va_canonical(va))
		return ERR_RANGE;
	s = pt_lookup(root, va, 0);
	if (!pte_is_leaf(*s.pte))
		return ERR_NOENT;
	*s.pte = (*s.pte & ~PTE_MAP_FLAGS) | flags | PTE_V;
	return ERR_OK;
}

/* The page size pt_map_range uses at this position: largest that fits both addresses and len. */
static size_t pt_range_step(vaddr_t va, paddr_t pa, size_t left)
{
	for (int level = PT_LEVELS - 1; level > 0; level--) {
		size_t size = pt_level_size(level);

		if (IS_ALIGNED(va, (vaddr_t)size) && IS_ALIGNED(pa, (paddr_t)size) && left >= size)
			return size;
	}
	return PAGE_4K;
}

/*
 * Map [va, va+len) with the largest pages that fit. Arguments are checked
 * up front (flags, then range, then 4 KiB alignment; len 0 is ERR_INVALID);
 * a pt_map failure part-way (ERR_EXISTS, ERR_NOMEM) unmaps the pages this
 * call mapped, replaying the same step sequence, which also frees the
 * tables it allocated, and returns that error.
 */
int pt_map_range(paddr_t root, vaddr_t va, paddr_t pa, size_t len, uint64_t flags,
		 const struct pt_alloc *a)
{
	vaddr_t vend;
	paddr_t pend;
	size_t done;
	int err;

	err = pt_check_flags(flags);
	if (err)
		return err;
	if (len == 0)
		return ERR_INVALID;
	vend = va + (len - 1);
	pend = pa + (len - 1);
	if (vend < va || !pt_va_canonical(va) || !pt_va_canonical(vend) ||
	    ((va ^ vend) >> (SV39_VA_BITS - 1)) != 0)
		return ERR_RANGE; /* wraps, or crosses the non-canonical hole */
	if (pend < pa || (pend >> PT_PA_BITS) != 0)
		return ERR_RANGE;
	if (!IS_ALIGNED(va | pa | (vaddr_t)len, (vaddr_t)PAGE_4K))
		return ERR_ALIGN;

	for (done = 0; done < len;) {
		size_t step = pt_range_step(va + done, pa + done, len - done);

		err = pt_map(root, va + done, pa + done, step, flags, a);
		if (err)
			break;
		done += step;
	}
	if (!err)
		return ERR_OK;

	/* Unwind: these unmaps cannot fail, the same steps just succeeded. */
	for (size_t off = 0; off < done;) {
		size_t step = pt_range_step(va + off, pa + off, len - off);

		pt_unmap(root, va + off, step, a, NULL);
		off += step;
	}
	return err;
}

/*
 * Free the level-1 and level-0 tables under root entries [first, last] and
 * clear those root entries. Two fixed levels of nesting: level-0 tables hold
 * only leaves, so nothing below them is followed.
 */
void pt_free_tables(paddr_t root, unsigned first, unsigned last, const struct pt_alloc *a)
{
	pte_t *r = pt_table(root);

	if (!a || !a->free)
		return;
	if (last >= PT_ENTRIES)
		last = PT_ENTRIES - 1;
	for (unsigned i = first; i <= last; i++) {
		paddr_t l1;
		pte_t *t1;

		if (!pte_is_table(r[i]))
			continue;
		l1 = pte_pa(r[i]);
		t1 = pt_table(l1);
		for (unsigned j = 0; j < PT_ENTRIES; j++) {
			if (pte_is_table(t1[j])) {
				a->free(a->ctx, pte_pa(t1[j]));
				t1[j] = 0;
			}
		}
		r[i] = 0;
		a->free(a->ctx, l1);
	}
}
