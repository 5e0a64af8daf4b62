#include "kernel/space.h"

#include "kernel/arch.h"
#include "kernel/frames.h"
#include "kernel/hart.h"
#include "kernel/kvm.h"
#include "kernel/memlayout.h"
#include "kernel/ptewatch.h"
#include "kernel/rmap.h"
#include "kernel/sbi.h"
#include "kernel/sched.h"
#include "lib/error.h"
#include "lib/str.h"
#include "mm/physmap.h"
#include "mm/pt.h"
#include "mm/slab.h"

#define REGIONS_INITIAL 8
#define REGIONS_MAX	4096
#define FLUSH_ALL_PAGES 32 /* above this, flush the whole ASID instead of page by page */
#define PROT_ALL	(PROT_R | PROT_W | PROT_X)
#define SLICE_VISITS	4096 /* page-table entries one slice of a range operation looks at */
#define SLICE_PAGES	512  /* pages one slice maps or unmaps */
#define SLICE_RUNS	32   /* distinct frame objects one unmap slice releases */

static uint64_t asid_generation = 1;
static unsigned next_asid = 1;
static unsigned asid_limit; /* number of ASID values; <= 1 means no ASIDs */

void space_init(unsigned asid_bits)
{
	asid_limit = asid_bits >= 16 ? 0x10000 : 1u << asid_bits;
}

/* Page-table pages of a space are charged to its quota. */
static int space_pt_alloc(void *ctx, paddr_t *pa)
{
	struct space *s = ctx;
	struct quota *q = s->obj.quota;

	s->pt_err = ERR_QUOTA;
	if (q && quota_charge(q, PAGE_SIZE) != ERR_OK)
		return ERR_NOMEM; /* pt_map only knows ERR_NOMEM: pt_err keeps the reason */
	s->pt_err = ERR_NOMEM;
	if (frame_alloc(0, true, pa) != ERR_OK) {
		if (q)
			quota_uncharge(q, PAGE_SIZE);
		return ERR_NOMEM;
	}
	return ERR_OK;
}

static void space_pt_free(void *ctx, paddr_t pa)
{
	struct space *s = ctx;

	ptewatch_leaf(s, PW_TABLE, pa, 0, 0);
	frame_free(pa, 0);
	if (s->obj.quota)
		quota_uncharge(s->obj.quota, PAGE_SIZE);
	s->tables_freed++;
}

static struct pt_alloc pt_alloc_for(struct space *s)
{
	return (struct pt_alloc){space_pt_alloc, space_pt_free, s};
}

static size_t region_bytes(unsigned cap)
{
	return cap * sizeof(struct region);
}

/* Region table storage of cap entries, charged to q. */
static struct region *regions_alloc(struct quota *q, unsigned cap, int *err)
{
	if (q && quota_charge(q, region_bytes(cap)) != ERR_OK) {
		*err = ERR_QUOTA;
		return NULL;
	}
	struct region *r = kmalloc(region_bytes(cap));
	if (!r) {
		if (q)
			quota_uncharge(q, region_bytes(cap));
		*err = ERR_NOMEM;
	}
	return r;
}

static void regions_free(struct quota *q, struct region *r, unsigned cap)
{
	kfree(r);
	if (q)
		quota_uncharge(q, region_bytes(cap));
}

int space_create(struct quota *q, struct space **out)
{
	int err = ERR_OK;
	struct space *s = object_alloc(OBJ_SPACE, sizeof(*s), q, &err);

	if (!s)
		return err;
	s->obj.type = OBJ_NONE; /* until it is complete there is nothing of a space to tear down */
	struct region *store = regions_alloc(q, REGIONS_INITIAL, &err);
	if (store && space_pt_alloc(s, &s->root) != ERR_OK) {
		err = s->pt_err;
		regions_free(q, store, REGIONS_INITIAL);
		store = NULL;
	}
	if (!store) {
		object_put(&s->obj);
		return err;
	}
	s->obj.type = OBJ_SPACE;
	region_table_init(&s->regions, store, REGIONS_INITIAL);
	handle_table_init(&s->handles, q);
	/* The kernel half is shared: copy the kernel root's upper entries. */
	const pte_t *kroot = pa_to_kva(kvm_root());
	pte_t *root = pa_to_kva(s->root);
	for (unsigned i = PT_ENTRIES / 2; i < PT_ENTRIES; i++)
		root[i] = kroot[i];
	ptewatch_leaf(s, PW_CREATE, 0, 0, s->root);
	*out = s;
	return ERR_OK;
}

/* Drop the frame reference (and reverse-map entry) the user PTE at va held. */
static void release_pte(struct space *s, uint64_t va, pte_t pte)
{
	struct frameobj *f = frameobj_of(pte_pa(pte));

	s->resident--;
	if (f) {
		rmap_unlink(f, s, va, pte);
		f->maps--;
		object_put(&f->obj);
	}
}

void space_for_each_leaf(struct space *s,
			 void (*fn)(struct space *s, uint64_t va, pte_t *pte, void *ctx), void *ctx)
{
	pte_t *l2 = pa_to_kva(s->root);

	for (unsigned i = 0; i < PT_ENTRIES / 2; i++) {
		if (!(l2[i] & PTE_V) || (l2[i] & PTE_RWX))
			continue;
		pte_t *l1 = pa_to_kva(pte_pa(l2[i]));
		for (unsigned j = 0; j < PT_ENTRIES; j++) {
			if (!(l1[j] & PTE_V) || (l1[j] & PTE_RWX))
				continue;
			pte_t *l0 = pa_to_kva(pte_pa(l1[j]));
			for (unsigned k = 0; k < PT_ENTRIES; k++) {
				if (pte_is_leaf(l0[k]))
					fn(s,
					   ((uint64_t)i << 30) | ((uint64_t)j << 21) |
					       ((uint64_t)k << 12),
					   &l0[k], ctx);
			}
		}
	}
}

static void release_leaf(struct space *s, uint64_t va, pte_t *pte, void *ctx)
{
	(void)ctx;
	ptewatch_leaf(s, PW_TEARDOWN, va, *pte, 0);
	release_pte(s, va, *pte);
	*pte = 0;
}

static void unmap_all(struct space *s)
{
	struct pt_alloc a = pt_alloc_for(s);

	space_for_each_leaf(s, release_leaf, NULL);
	pt_free_tables(s->root, 0, PT_ENTRIES / 2 - 1, &a);
}

struct space *space_dying; /* torn down by space_reap */

/* Free what is left of a space whose pages are all unmapped. */
static void space_free_tables(struct space *s)
{
	unmap_all(s); /* the empty page tables */
	regions_free(s->obj.quota, s->regions.r, s->regions.cap);
	space_pt_free(s, s->root);
}

bool space_destroy(struct space *s)
{
	handle_table_destroy(&s->handles);
	for (unsigned i = 0; i < s->regions.n; i++)
		object_put(s->regions.r[i].pager);
	s->regions.n = 0;
	/*
	 * Only this hart can still have the root in satp: a running thread
	 * holds a reference on its space, an idle hart leaves its last space
	 * first, and a hart between threads holds the kernel lock we hold. Move
	 * off it before it is freed, and forget it, so a new space allocated at
	 * the same address is not mistaken for the one loaded.
	 */
	for (unsigned i = 0; i < nharts; i++) {
		if (harts[i].space != s)
			continue;
		if (&harts[i] == this_hart())
			kvm_switch_hart();
		harts[i].space = NULL;
	}
	if (s->resident > SLICE_PAGES) {
		s->dying_next = space_dying;
		space_dying = s;
		return true;
	}
	space_free_tables(s);
	return false;
}

void space_reap(void)
{
	static bool reaping; /* one hart at a time: the others go on with their calls */

	if (reaping || !space_dying)
		return;
	reaping = true;
	while (space_dying) {
		struct space *s = space_dying;
		space_dying = s->dying_next;
		for (uint64_t va = 0; va < USER_TOP;) {
			space_unmap_slice(s, &va, USER_TOP);
			if (va < USER_TOP && !sched_preempt_point()) {
				s->dying_next =
				    space_dying; /* killed: the next safe point goes on */
				space_dying = s;
				reaping = false;
				return;
			}
		}
		space_free_tables(s);
		object_free(&s->obj);
	}
	reaping = false;
}

void space_process_exit(struct space *s)
{
	s->exited = true;
	handle_table_destroy(&s->handles);
}

void space_activate(struct space *s)
{
	struct hart *h = this_hart();

	if (asid_limit > 1 && s->asid_gen != asid_generation) {
		if (next_asid >= asid_limit) {
			/* Roll over: every hart flushes its TLB before using the new generation. */
			asid_generation++;
			next_asid = 1;
		}
		s->asid = (uint16_t)next_asid++;
		s->asid_gen = asid_generation;
	}
	if (h->asid_gen != asid_generation) {
		arch_sfence_vma_all();
		h->asid_gen = asid_generation;
	}
	s->tlb_harts |= 1ull << h->index;
	/* s may have a new ASID since this hart loaded it (a roll-over): load that one. */
	if (h->space == s && h->asid == s->asid)
		return;
	h->space = s;
	h->asid = s->asid;
	csr_write(satp, SATP_MODE_SV39 | ((unsigned long)s->asid << SATP_ASID_SHIFT) |
			    (s->root >> PAGE_SHIFT));
	if (asid_limit <= 1)
		arch_sfence_vma_all();
}

/*
 * A slice's flush, with the big lock held throughout. Releasing it while the
 * remote harts flush (a synchronous SBI call, ~10 ms of host time under
 * QEMU) would shorten the longest hold, but pt_unmap has already freed the
 * page tables the slice emptied: another hart could take such a page for
 * something else while a remote hart's walker may still reach it. Doing
 * that needs the tables freed after the flush; until then, hold the lock.
 */
static void slice_flush(struct space *s, uint64_t va, uint64_t npages)
{
	space_flush(s, va, npages);
}

/*
 * The ASID under which this hart may hold translations of s that a thread
 * can still use. After a roll-over gave s a new ASID, a hart that has run s
 * all along still has the old one in satp (until it next switches), and
 * its entries carry that one; a hart that is not running s holds entries
 * of s only under ASIDs it flushes before it loads them again.
 */
static unsigned long loaded_asid(const struct hart *h, const struct space *s)
{
	return h->space == s ? h->asid : s->asid;
}

void space_flush(struct space *s, uint64_t va, uint64_t npages)
{
	struct hart *me = this_hart();
	unsigned long remote = 0;
	bool stale_asid = false; /* a remote hart runs s under an ASID s no longer has */

	for (unsigned i = 0; i < nharts; i++) {
		if (!(s->tlb_harts & (1ull << i)) || !harts[i].online)
			continue;
		if (&harts[i] == me)
			continue;
		remote |= 1ul << harts[i].hartid;
		stale_asid |= loaded_asid(&harts[i], s) != s->asid;
	}
	if (s->tlb_harts & (1ull << me->index)) {
		unsigned long asid = loaded_asid(me, s);
		if (npages > FLUSH_ALL_PAGES) {
			arch_sfence_vma_asid(asid);
		} else {
			for (uint64_t i = 0; i < npages; i++)
				arch_sfence_vma(va + i * PAGE_SIZE, asid);
		}
	}
	if (remote) {
		unsigned long start = npages > FLUSH_ALL_PAGES ? 0 : va;
		unsigned long size = npages > FLUSH_ALL_PAGES ? ~0ul : npages * PAGE_SIZE;
		if (stale_asid)
			sbi_remote_sfence_vma(remote, 0, start, size); /* one call, one ASID: all */
		else
			sbi_remote_sfence_vma_asid(remote, 0, start, size, s->asid);
	}
}

static uint64_t prot_to_pte(unsigned prot)
{
	uint64_t f = PTE_U;

	if (prot & (PROT_R | PROT_W))
		f |= PTE_R;
	if (prot & PROT_W)
		f |= PTE_W;
	if (prot & PROT_X)
		f |= PTE_X;
	return f;
}

static unsigned pte_to_prot(pte_t pte)
{
	return ((pte & PTE_R) ? PROT_R : 0) | ((pte & PTE_W) ? PROT_W : 0) |
	       ((pte & PTE_X) ? PROT_X : 0);
}

static int check_prot(unsigned prot)
{
	if (prot == 0 || (prot & ~PROT_ALL))
		return ERR_INVALID;
	if ((prot & PROT_W) && (prot & PROT_X))
		return ERR_PERM;
	return ERR_OK;
}

/* [va, va + npages pages) page aligned and inside user space. */
static int check_user_range(uint64_t va, uint64_t npages)
{
	if (!IS_ALIGNED(va, PAGE_SIZE))
		return ERR_ALIGN;
	if (npages == 0 || npages > USER_TOP / PAGE_SIZE || va >= USER_TOP ||
	    npages > (USER_TOP - va) / PAGE_SIZE)
		return ERR_RANGE;
	return ERR_OK;
}

static pte_t item_pte(const struct map_item *it)
{
	return pte_make(it->frame->pa + it->page * PAGE_SIZE, prot_to_pte(it->prot) | PTE_V);
}

int space_apply_items(struct space *s, const struct map_item *items, unsigned n)
{
	struct pt_alloc a = pt_alloc_for(s);
	pte_t old[FAULT_MAX_ITEMS];
	struct rmap_entry *rm[FAULT_MAX_ITEMS];
	unsigned i;
	int err = ERR_OK;

	if (n > FAULT_MAX_ITEMS)
		return ERR_INVALID;
	/* Reverse-map entries first: a mapping never exists without its entry. */
	for (i = 0; i < n; i++) {
		rm[i] = NULL;
		if (items[i].frame->rmap_on && !(rm[i] = rmap_prepare(s, &err))) {
			while (i-- > 0)
				if (rm[i])
					rmap_discard(rm[i]);
			return err;
		}
	}
	/* Perform, remembering what was there so a failed table allocation can be undone. */
	for (i = 0; i < n; i++) {
		struct pt_walk w = pt_walk(s->root, items[i].va);
		old[i] = 0;
		if (w.mapped && w.level == 0) {
			/* Swapped at once: a D bit set meanwhile is the old page's, kept. */
			old[i] = __atomic_exchange_n(w.pte, item_pte(&items[i]), __ATOMIC_SEQ_CST);
			ptewatch_leaf(s, PW_REPLACE, items[i].va, old[i], *w.pte);
			continue;
		}
		err = pt_map(s->root, items[i].va, items[i].frame->pa + items[i].page * PAGE_SIZE,
			     PAGE_4K, prot_to_pte(items[i].prot), &a);
		if (err != ERR_OK)
			break;
		ptewatch_leaf(s, PW_MAP, items[i].va, 0, item_pte(&items[i]));
	}
	if (err != ERR_OK) {
		while (i-- > 0) {
			ptewatch_leaf(s, PW_UNDO, items[i].va, item_pte(&items[i]), old[i]);
			if (old[i])
				*pt_walk(s->root, items[i].va).pte = old[i];
			else
				pt_unmap(s->root, items[i].va, PAGE_4K, &a, NULL);
		}
		for (i = 0; i < n; i++)
			if (rm[i])
				rmap_discard(rm[i]);
		return err == ERR_NOMEM ? s->pt_err : err;
	}
	for (i = 0; i < n; i++) {
		if (old[i])
			release_pte(s, items[i].va, old[i]);
		if (rm[i])
			rmap_link(items[i].frame, rm[i], s, items[i].va, items[i].page);
		object_get(&items[i].frame->obj);
		items[i].frame->maps++;
		s->resident++;
		if (old[i])
			space_flush(s, items[i].va, 1);
	}
	return ERR_OK;
}

/* The start of the next naturally aligned block of size bytes after a. */
static uint64_t next_block(uint64_t a, uint64_t size)
{
	return (a & ~(size - 1)) + size;
}

/*
 * The next user leaf at or after *va and below end, skipping every table
 * that does not exist (1 GiB and 2 MiB at a time), so the walk costs what
 * is mapped, not what was asked for. *visits counts the entries looked at.
 * Returns the leaf's PTE with *va at its address, or NULL with *va = end.
 */
static pte_t *next_leaf(struct space *s, uint64_t *va, uint64_t end, unsigned *visits)
{
	const pte_t *l2 = pa_to_kva(s->root);
	uint64_t a = *va;

	while (a < end) {
		(*visits)++;
		pte_t e2 = l2[(a >> 30) & 511];
		if (!(e2 & PTE_V) || (e2 & PTE_RWX)) {
			a = next_block(a, PAGE_1G);
			continue;
		}
		const pte_t *l1 = pa_to_kva(pte_pa(e2));
		pte_t e1 = l1[(a >> 21) & 511];
		if (!(e1 & PTE_V) || (e1 & PTE_RWX)) {
			a = next_block(a, PAGE_2M);
			continue;
		}
		pte_t *l0 = pa_to_kva(pte_pa(e1));
		pte_t *p = &l0[(a >> 12) & 511];
		if (pte_is_leaf(*p)) {
			*va = a;
			return p;
		}
		a += PAGE_SIZE;
	}
	*va = end;
	return NULL;
}

int space_check_range(uint64_t va, uint64_t len)
{
	if (!IS_ALIGNED(len, PAGE_SIZE))
		return ERR_ALIGN;
	return check_user_range(va, len / PAGE_SIZE);
}

int space_check_protect(uint64_t va, uint64_t len, unsigned prot)
{
	int err = space_check_range(va, len);

	return err == ERR_OK ? check_prot(prot) : err;
}

int space_check_map(uint64_t va, struct frameobj *f, uint64_t page, uint64_t npages, unsigned prot)
{
	int err = check_user_range(va, npages);

	if (err == ERR_OK)
		err = check_prot(prot);
	if (err == ERR_OK && (page >= frameobj_pages(f) || npages > frameobj_pages(f) - page))
		err = ERR_RANGE;
	return err;
}

bool space_range_mapped_slice(struct space *s, uint64_t *va, uint64_t end)
{
	unsigned visits = 0;
	uint64_t a = *va;

	while (a < end && visits < SLICE_VISITS) {
		if (next_leaf(s, &a, end, &visits)) {
			*va = a;
			return true;
		}
	}
	*va = a;
	return false;
}

int space_map_slice(struct space *s, uint64_t va, struct frameobj *f, uint64_t page, uint64_t *done,
		    uint64_t npages, unsigned prot)
{
	struct pt_alloc a = pt_alloc_for(s);
	uint64_t i = *done, stop = npages - i > SLICE_PAGES ? i + SLICE_PAGES : npages;
	int err = ERR_OK;

	for (; i < stop; i++) {
		struct rmap_entry *rm = NULL;
		if (f->rmap_on && !(rm = rmap_prepare(s, &err))) {
			*done = i;
			return err;
		}
		err = pt_map(s->root, va + i * PAGE_SIZE, f->pa + (page + i) * PAGE_SIZE, PAGE_4K,
			     prot_to_pte(prot), &a);
		if (err != ERR_OK) {
			if (rm)
				rmap_discard(rm);
			break;
		}
		if (rm)
			rmap_link(f, rm, s, va + i * PAGE_SIZE, page + i);
		ptewatch_leaf(s, PW_MAP, va + i * PAGE_SIZE, 0,
			      pte_make(f->pa + (page + i) * PAGE_SIZE, prot_to_pte(prot) | PTE_V));
		f->maps++;
		object_get(&f->obj);
		s->resident++;
	}
	*done = i;
	return err == ERR_NOMEM ? s->pt_err : err;
}

int space_map_page(struct space *s, uint64_t va, struct frameobj *f, uint64_t page, unsigned prot)
{
	uint64_t done = 0;
	int err = space_check_map(va, f, page, 1, prot);

	if (err == ERR_OK && pt_walk(s->root, va).mapped)
		err = ERR_EXISTS;
	return err == ERR_OK ? space_map_slice(s, va, f, page, &done, 1, prot) : err;
}

/* Pages of one frame object unmapped in a slice, released after the TLB flush. */
struct frame_run {
	struct frameobj *f;
	uint64_t n;
};

static void release_runs(struct space *s, struct frame_run *runs, unsigned n)
{
	for (unsigned i = 0; i < n; i++) {
		s->resident -= runs[i].n;
		if (!runs[i].f)
			continue;
		runs[i].f->maps -= runs[i].n;
		for (uint64_t k = 0; k < runs[i].n; k++)
			object_put(&runs[i].f->obj);
	}
}

/* What a PTE's A/D bits say, as SYS_SPACE_AD reports them. */
static uint8_t ad_bits(pte_t pte)
{
	return PAGE_MAPPED | ((pte & PTE_A) ? PAGE_A : 0) | ((pte & PTE_D) ? PAGE_D : 0);
}

/*
 * Take out the leaf p that maps va, counting its frame in runs[] (a new run
 * when the frame differs from the last one's, if fewer than cap are
 * taken); its old entry in *old. False, with nothing done, if a new run
 * was needed and none is left. The frame is let go later (release_runs),
 * after the TLBs are flushed.
 */
static bool take_leaf(struct space *s, struct pt_alloc *a, pte_t *p, uint64_t va,
		      struct frame_run *runs, unsigned *nruns, unsigned cap, pte_t *old)
{
	struct frameobj *f = frameobj_of(pte_pa(*p));

	if (!*nruns || runs[*nruns - 1].f != f) {
		if (*nruns == cap)
			return false;
		runs[(*nruns)++] = (struct frame_run){f, 0};
	}
	runs[*nruns - 1].n++;
	ptewatch_leaf(s, PW_UNMAP, va, *p, 0);
	*old = 0;
	pt_unmap_take(s->root, va, PAGE_4K, a, old);
	rmap_unlink(f, s, va, *old);
	return true;
}

/*
 * Unmap one slice of [*va, end); with ad, each page's A/D bits as it was
 * taken out go to ad[(page - ad_base) / PAGE_SIZE].
 */
static void unmap_slice(struct space *s, uint64_t *va, uint64_t end, uint8_t *ad, uint64_t ad_base)
{
	struct pt_alloc a = pt_alloc_for(s);
	struct frame_run runs[SLICE_RUNS];
	unsigned nruns = 0, visits = 0, pages = 0;
	uint64_t cur = *va, first = 0, last = 0, freed = s->tables_freed;
	pte_t *p;

	while (visits < SLICE_VISITS && pages < SLICE_PAGES &&
	       (p = next_leaf(s, &cur, end, &visits)) != NULL) {
		pte_t old;
		if (!take_leaf(s, &a, p, cur, runs, &nruns, SLICE_RUNS, &old))
			break;
		if (ad)
			ad[(cur - ad_base) / PAGE_SIZE] = ad_bits(old);
		if (!pages++)
			first = cur;
		last = cur;
		cur += PAGE_SIZE;
	}
	/*
	 * No hart may still reach a page through its TLB when its frame can be
	 * freed. If the slice emptied (and freed) a page table, flush the whole
	 * address space: an sfence.vma for one address need not drop the
	 * cached upper-level entries that led to the freed table.
	 */
	if (pages && s->tables_freed != freed)
		slice_flush(s, 0, UINT64_MAX);
	else if (pages)
		slice_flush(s, first, (last - first) / PAGE_SIZE + 1);
	release_runs(s, runs, nruns);
	*va = cur;
}

void space_unmap_slice(struct space *s, uint64_t *va, uint64_t end)
{
	unmap_slice(s, va, end, NULL, 0);
}

int space_protect_check_slice(struct space *s, uint64_t *va, uint64_t end, unsigned prot)
{
	unsigned visits = 0;
	uint64_t cur = *va;
	pte_t *p;

	while (visits < SLICE_VISITS && (p = next_leaf(s, &cur, end, &visits)) != NULL) {
		if (prot & ~pte_to_prot(*p))
			return ERR_PERM; /* protect only takes rights away */
		cur += PAGE_SIZE;
	}
	*va = cur;
	return ERR_OK;
}

void space_protect_slice(struct space *s, uint64_t *va, uint64_t end, unsigned prot)
{
	unsigned visits = 0, pages = 0;
	uint64_t cur = *va, first = 0, last = 0;
	pte_t *p, keep = prot_to_pte(prot) & PTE_RWX;

	while (visits < SLICE_VISITS && (p = next_leaf(s, &cur, end, &visits)) != NULL) {
		/*
		 * Intersect, so a page mapped since the check gains no right
		 * either; one that would keep none (only such a page) stays as is.
		 */
		pte_t lowered = *p & ~(PTE_RWX & ~keep);
		if (lowered & PTE_RWX) {
			ptewatch_leaf(s, PW_PROTECT, cur, *p, lowered);
			*p = lowered;
		}
		if (!pages++)
			first = cur;
		last = cur;
		cur += PAGE_SIZE;
	}
	if (pages)
		slice_flush(s, first, (last - first) / PAGE_SIZE + 1);
	*va = cur;
}

/*
 * Read (and with clear, clear) the A/D bits of the leaf at va into *out.
 * The clearing is one atomic AND, so a bit a hart sets meanwhile is not
 * lost. True if bits were cleared (the caller flushes).
 */
static bool read_leaf_ad(struct space *s, uint64_t va, pte_t *p, uint8_t *out, bool clear)
{
	if (!clear || !(*p & (PTE_A | PTE_D))) {
		*out = ad_bits(*p);
		return false;
	}
	pte_t old = __atomic_fetch_and(p, ~(pte_t)(PTE_A | PTE_D), __ATOMIC_SEQ_CST);
	ptewatch_leaf(s, PW_AD, va, old, old & ~(pte_t)(PTE_A | PTE_D));
	*out = ad_bits(old);
	return true;
}

/* The range walk skips tables that do not exist: it costs what is mapped. */
int space_read_ad(struct space *s, uint64_t va, unsigned npages, uint8_t *out, bool clear)
{
	int err = check_user_range(va, npages);

	if (err != ERR_OK)
		return err;
	bool cleared = false;
	unsigned visits = 0;
	uint64_t cur = va, end = va + (uint64_t)npages * PAGE_SIZE;
	pte_t *p;
	memset(out, 0, npages);
	while ((p = next_leaf(s, &cur, end, &visits)) != NULL) {
		cleared |= read_leaf_ad(s, cur, p, &out[(cur - va) / PAGE_SIZE], clear);
		cur += PAGE_SIZE;
	}
	if (cleared)
		space_flush(s, va, npages);
	return ERR_OK;
}

int space_check_pages(const uint64_t *vas, unsigned n)
{
	for (unsigned i = 0; i < n; i++) {
		int err = check_user_range(vas[i], 1);
		if (err != ERR_OK)
			return err;
	}
	return ERR_OK;
}

void space_read_ad_list(struct space *s, const uint64_t *vas, unsigned n, uint8_t *out, bool clear)
{
	unsigned cleared = 0;
	uint64_t last = 0;

	for (unsigned i = 0; i < n; i++) {
		struct pt_walk w = pt_walk(s->root, vas[i]);
		out[i] = 0;
		if (w.mapped && (*w.pte & PTE_U) && w.level == 0 &&
		    read_leaf_ad(s, vas[i], w.pte, &out[i], clear)) {
			cleared++;
			last = vas[i];
		}
	}
	/* One flush for all: a round of remote fences per page would cost far more. */
	if (cleared == 1)
		space_flush(s, last, 1);
	else if (cleared)
		space_flush(s, 0, UINT64_MAX);
}

/*
 * Unmap the pages at vas[0..n) (n <= AD_LIST_MAX), each page's bits to
 * out[i], with one flush for all of them: a pager evicting a batch pays
 * one round of remote fences, not one per page. The frames are let go
 * only after the flush, as in unmap_slice.
 */
static void unmap_list(struct space *s, const uint64_t *vas, unsigned n, uint8_t *out)
{
	struct pt_alloc a = pt_alloc_for(s);
	struct frame_run runs[AD_LIST_MAX];
	unsigned nruns = 0, pages = 0;
	uint64_t freed = s->tables_freed, last = 0;

	for (unsigned i = 0; i < n; i++) {
		uint64_t cur = vas[i];
		unsigned visits = 0;
		pte_t *p = next_leaf(s, &cur, vas[i] + PAGE_SIZE, &visits);
		pte_t old;
		if (!p || !take_leaf(s, &a, p, cur, runs, &nruns, AD_LIST_MAX, &old))
			continue; /* a run per page at most: there is always room */
		out[i] = ad_bits(old);
		pages++;
		last = cur;
	}
	if (pages == 1 && s->tables_freed == freed)
		slice_flush(s, last, 1);
	else if (pages)
		slice_flush(s, 0, UINT64_MAX);
	release_runs(s, runs, nruns);
}

void space_unmap_ad(struct space *s, const uint64_t *vas, unsigned n, uint64_t va, unsigned npages,
		    uint8_t *out)
{
	memset(out, 0, vas ? n : npages);
	if (vas) {
		unmap_list(s, vas, n, out);
		return;
	}
	for (uint64_t cur = va, end = va + (uint64_t)npages * PAGE_SIZE; cur < end;)
		unmap_slice(s, &cur, end, out, va);
}

uint8_t space_take_ad(struct space *s, uint64_t va, bool clear, bool unmap)
{
	uint8_t bits = 0;

	if (unmap) {
		uint64_t cur = va;
		unmap_slice(s, &cur, va + PAGE_SIZE, &bits, va);
		return bits;
	}
	struct pt_walk w = pt_walk(s->root, va);
	if (w.mapped && w.level == 0 && (*w.pte & PTE_U) &&
	    read_leaf_ad(s, va, w.pte, &bits, clear))
		space_flush(s, va, 1);
	return bits;
}

void space_restore_ad(struct space *s, uint64_t va, unsigned npages, const uint8_t *bits)
{
	for (unsigned i = 0; i < npages; i++) {
		struct pt_walk w = pt_walk(s->root, va + (uint64_t)i * PAGE_SIZE);
		if (!w.mapped)
			continue;
		pte_t new =
		    *w.pte | ((bits[i] & PAGE_A) ? PTE_A : 0) | ((bits[i] & PAGE_D) ? PTE_D : 0);
		ptewatch_leaf(s, PW_AD, va + (uint64_t)i * PAGE_SIZE, *w.pte, new);
		*w.pte = new;
	}
}

enum fault_fix space_fix_fault(struct space *s, uint64_t va, unsigned access)
{
	if (va >= USER_TOP)
		return FAULT_REAL;
	struct pt_walk w = pt_walk(s->root, va);
	if (!w.mapped || !(*w.pte & PTE_U))
		return FAULT_REAL;
	pte_t pte = *w.pte, need = PTE_A;
	if ((access & PROT_W) && !(pte & PTE_W))
		return FAULT_REAL;
	if ((access & PROT_X) && !(pte & PTE_X))
		return FAULT_REAL;
	if ((access & PROT_R) && !(pte & PTE_R))
		return FAULT_REAL;
	if (access & PROT_W)
		need |= PTE_D;
	if ((pte & need) != need) {
		/* A hart that leaves A/D to software faults until they are set. */
		ptewatch_leaf(s, PW_AD, va, pte, pte | need);
		*w.pte = pte | need;
		arch_sfence_vma(va, loaded_asid(this_hart(), s));
		return FAULT_AD_FIXED;
	}
	/*
	 * The entry allows the access: the hart faulted on a translation it
	 * had cached or walked before the entry was made valid. Without Svvptc
	 * a hart may keep using such a stale invalid entry, leaf or not (a
	 * table another hart has just linked in), until it executes an
	 * sfence.vma of its own; the hart that made the entry valid flushes
	 * nobody (flushes go out only when a mapping is taken away). So this
	 * is no fault of the thread's: reporting it would send a pager a fault
	 * for a page that is there, or kill a thread of a space that has no
	 * pager at all. Drop this hart's translations of s, leaf and non-leaf
	 * (an sfence.vma for one address need only drop the leaf), and retry.
	 */
	s->spurious++;
	ptewatch_spurious(s, va, access);
	arch_sfence_vma_asid(loaded_asid(this_hart(), s));
	return FAULT_SPURIOUS;
}

/* Double the region table (up to REGIONS_MAX entries). */
static int regions_grow(struct space *s)
{
	struct quota *q = s->obj.quota;
	unsigned cap = s->regions.cap * 2;
	int err;

	if (cap > REGIONS_MAX)
		return ERR_FULL;
	struct region *store = regions_alloc(q, cap, &err);
	if (!store)
		return err;
	struct region *old = s->regions.r;
	unsigned oldcap = s->regions.cap;
	region_table_move(&s->regions, store, cap);
	regions_free(q, old, oldcap);
	return ERR_OK;
}

int space_region_add(struct space *s, const struct region *r)
{
	int err = region_add(&s->regions, r, USER_TOP);

	if (err == ERR_FULL) {
		err = regions_grow(s);
		if (err == ERR_OK)
			err = region_add(&s->regions, r, USER_TOP);
	}
	if (err == ERR_OK) {
		object_get(r->pager);
		s->regions_gen++;
	}
	return err;
}

static void pager_ref(void *pager, int delta)
{
	if (delta > 0)
		object_get(pager);
	else
		object_put(pager);
}

int space_region_replace(struct space *s, const struct region *r)
{
	int err = region_replace(&s->regions, r, USER_TOP, pager_ref);

	if (err == ERR_FULL) {
		err = regions_grow(s);
		if (err == ERR_OK)
			err = region_replace(&s->regions, r, USER_TOP, pager_ref);
	}
	if (err == ERR_OK)
		s->regions_gen++;
	return err;
}

int space_region_remove(struct space *s, uint64_t base)
{
	struct region r;
	int err = region_remove(&s->regions, base, &r);

	if (err == ERR_OK) {
		object_put(r.pager);
		s->regions_gen++;
	}
	return err;
}
