#include "kernel/space.h"

#include "kernel/arch.h"
#include "kernel/frames.h"
#include "kernel/hart.h"
#include "kernel/kvm.h"
#include "kernel/memlayout.h"
#include "kernel/sbi.h"
#include "lib/error.h"
#include "lib/str.h"
#include "mm/physmap.h"
#include "mm/pt.h"
#include "mm/slab.h"

#define REGIONS_INITIAL 8
#define REGIONS_MAX	4096
#define FLUSH_ALL_PAGES 32 /* above this, flush the whole ASID instead of page by page */
#define PROT_ALL	(PROT_R | PROT_W | PROT_X)

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

	frame_free(pa, 0);
	if (s->obj.quota)
		quota_uncharge(s->obj.quota, PAGE_SIZE);
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
	*out = s;
	return ERR_OK;
}

/* Drop the frame reference a user PTE held. */
static void release_pte(struct space *s, pte_t pte)
{
	struct frameobj *f = frameobj_of(pte_pa(pte));

	s->resident--;
	if (f) {
		f->maps--;
		object_put(&f->obj);
	}
}

static void unmap_all(struct space *s)
{
	struct pt_alloc a = pt_alloc_for(s);
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
					release_pte(s, l0[k]);
				l0[k] = 0;
			}
		}
	}
	pt_free_tables(s->root, 0, PT_ENTRIES / 2 - 1, &a);
}

void space_destroy(struct space *s)
{
	struct quota *q = s->obj.quota;

	handle_table_destroy(&s->handles);
	unmap_all(s);
	for (unsigned i = 0; i < s->regions.n; i++)
		object_put(s->regions.r[i].pager);
	regions_free(q, s->regions.r, s->regions.cap);
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
	space_pt_free(s, s->root);
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
	if (h->space == s)
		return;
	h->space = s;
	csr_write(satp, SATP_MODE_SV39 | ((unsigned long)s->asid << SATP_ASID_SHIFT) |
			    (s->root >> PAGE_SHIFT));
	if (asid_limit <= 1)
		arch_sfence_vma_all();
}

void space_flush(struct space *s, uint64_t va, uint64_t npages)
{
	struct hart *me = this_hart();
	unsigned long remote = 0;

	for (unsigned i = 0; i < nharts; i++) {
		if (!(s->tlb_harts & (1ull << i)) || !harts[i].online)
			continue;
		if (&harts[i] == me)
			continue;
		remote |= 1ul << harts[i].hartid;
	}
	if (s->tlb_harts & (1ull << me->index)) {
		if (npages > FLUSH_ALL_PAGES) {
			__asm__ volatile("sfence.vma zero, %0" ::"r"((unsigned long)s->asid)
					 : "memory");
		} else {
			for (uint64_t i = 0; i < npages; i++)
				arch_sfence_vma(va + i * PAGE_SIZE, s->asid);
		}
	}
	if (remote) {
		unsigned long size = npages > FLUSH_ALL_PAGES ? ~0ul : npages * PAGE_SIZE;
		sbi_remote_sfence_vma_asid(remote, 0, npages > FLUSH_ALL_PAGES ? 0 : va, size,
					   s->asid);
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
	unsigned i;
	int err = ERR_OK;

	if (n > FAULT_MAX_ITEMS)
		return ERR_INVALID;
	/* Perform, remembering what was there so a failed table allocation can be undone. */
	for (i = 0; i < n; i++) {
		struct pt_walk w = pt_walk(s->root, items[i].va);
		old[i] = 0;
		if (w.mapped && w.level == 0) {
			old[i] = *w.pte;
			*w.pte = item_pte(&items[i]);
			continue;
		}
		err = pt_map(s->root, items[i].va, items[i].frame->pa + items[i].page * PAGE_SIZE,
			     PAGE_4K, prot_to_pte(items[i].prot), &a);
		if (err != ERR_OK)
			break;
	}
	if (err != ERR_OK) {
		while (i-- > 0) {
			if (old[i])
				*pt_walk(s->root, items[i].va).pte = old[i];
			else
				pt_unmap(s->root, items[i].va, PAGE_4K, &a, NULL);
		}
		return err == ERR_NOMEM ? s->pt_err : err;
	}
	for (i = 0; i < n; i++) {
		if (old[i])
			release_pte(s, old[i]);
		object_get(&items[i].frame->obj);
		items[i].frame->maps++;
		s->resident++;
		if (old[i])
			space_flush(s, items[i].va, 1);
	}
	return ERR_OK;
}

int space_map(struct space *s, uint64_t va, struct frameobj *f, uint64_t page, uint64_t npages,
	      unsigned prot)
{
	struct pt_alloc a = pt_alloc_for(s);
	int err = check_user_range(va, npages);

	if (err == ERR_OK)
		err = check_prot(prot);
	if (err == ERR_OK && (page >= frameobj_pages(f) || npages > frameobj_pages(f) - page))
		err = ERR_RANGE;
	for (uint64_t i = 0; err == ERR_OK && i < npages; i++) {
		if (pt_walk(s->root, va + i * PAGE_SIZE).mapped)
			err = ERR_EXISTS;
	}
	if (err != ERR_OK)
		return err;
	uint64_t i;
	for (i = 0; i < npages; i++) {
		err = pt_map(s->root, va + i * PAGE_SIZE, f->pa + (page + i) * PAGE_SIZE, PAGE_4K,
			     prot_to_pte(prot), &a);
		if (err != ERR_OK)
			break;
	}
	if (err != ERR_OK) {
		while (i-- > 0)
			pt_unmap(s->root, va + i * PAGE_SIZE, PAGE_4K, &a, NULL);
		return err == ERR_NOMEM ? s->pt_err : err;
	}
	f->maps += npages;
	f->obj.refs += (uint32_t)npages;
	s->resident += npages;
	return ERR_OK;
}

int space_unmap(struct space *s, uint64_t va, uint64_t len)
{
	struct pt_alloc a = pt_alloc_for(s);

	if (!IS_ALIGNED(len, PAGE_SIZE))
		return ERR_ALIGN;
	int err = check_user_range(va, len / PAGE_SIZE);
	if (err != ERR_OK)
		return err;
	for (uint64_t off = 0; off < len; off += PAGE_SIZE) {
		struct pt_walk w = pt_walk(s->root, va + off);
		if (!w.mapped || w.level != 0)
			continue;
		pte_t pte = *w.pte;
		pt_unmap(s->root, va + off, PAGE_4K, &a, NULL);
		release_pte(s, pte);
	}
	space_flush(s, va, len / PAGE_SIZE);
	return ERR_OK;
}

int space_protect(struct space *s, uint64_t va, uint64_t len, unsigned prot)
{
	if (!IS_ALIGNED(len, PAGE_SIZE))
		return ERR_ALIGN;
	int err = check_user_range(va, len / PAGE_SIZE);
	if (err == ERR_OK)
		err = check_prot(prot);
	for (uint64_t off = 0; err == ERR_OK && off < len; off += PAGE_SIZE) {
		struct pt_walk w = pt_walk(s->root, va + off);
		if (w.mapped && (prot & ~pte_to_prot(*w.pte)))
			err = ERR_PERM; /* protect only takes rights away */
	}
	if (err != ERR_OK)
		return err;
	for (uint64_t off = 0; off < len; off += PAGE_SIZE) {
		struct pt_walk w = pt_walk(s->root, va + off);
		if (!w.mapped)
			continue;
		*w.pte = (*w.pte & ~(pte_t)PTE_RWX) | (prot_to_pte(prot) & PTE_RWX);
	}
	space_flush(s, va, len / PAGE_SIZE);
	return ERR_OK;
}

int space_read_ad(struct space *s, uint64_t va, unsigned npages, uint8_t *out, bool clear)
{
	int err = check_user_range(va, npages);

	if (err != ERR_OK)
		return err;
	bool cleared = false;
	for (unsigned i = 0; i < npages; i++) {
		struct pt_walk w = pt_walk(s->root, va + (uint64_t)i * PAGE_SIZE);
		out[i] = 0;
		if (!w.mapped)
			continue;
		out[i] =
		    PAGE_MAPPED | ((*w.pte & PTE_A) ? PAGE_A : 0) | ((*w.pte & PTE_D) ? PAGE_D : 0);
		if (clear && (*w.pte & (PTE_A | PTE_D))) {
			*w.pte &= ~(pte_t)(PTE_A | PTE_D);
			cleared = true;
		}
	}
	if (cleared)
		space_flush(s, va, npages);
	return ERR_OK;
}

void space_restore_ad(struct space *s, uint64_t va, unsigned npages, const uint8_t *bits)
{
	for (unsigned i = 0; i < npages; i++) {
		struct pt_walk w = pt_walk(s->root, va + (uint64_t)i * PAGE_SIZE);
		if (w.mapped)
			*w.pte |=
			    ((bits[i] & PAGE_A) ? PTE_A : 0) | ((bits[i] & PAGE_D) ? PTE_D : 0);
	}
}

bool space_fix_ad(struct space *s, uint64_t va, unsigned access)
{
	if (va >= USER_TOP)
		return false;
	struct pt_walk w = pt_walk(s->root, va);
	if (!w.mapped || !(*w.pte & PTE_U))
		return false;
	pte_t pte = *w.pte, need = PTE_A;
	if ((access & PROT_W) && !(pte & PTE_W))
		return false;
	if ((access & PROT_X) && !(pte & PTE_X))
		return false;
	if ((access & PROT_R) && !(pte & PTE_R))
		return false;
	if (access & PROT_W)
		need |= PTE_D;
	if ((pte & need) == need)
		return false; /* the permissions allow it and the bits are set: not an A/D fault */
	*w.pte = pte | need;
	arch_sfence_vma(va, s->asid);
	return true;
}

int space_region_add(struct space *s, const struct region *r)
{
	struct quota *q = s->obj.quota;
	int err = region_add(&s->regions, r, USER_TOP);

	if (err != ERR_FULL)
		goto done;
	unsigned cap = s->regions.cap * 2;
	if (cap > REGIONS_MAX)
		return ERR_FULL;
	struct region *store = regions_alloc(q, cap, &err);
	if (!store)
		return err;
	struct region *old = s->regions.r;
	unsigned oldcap = s->regions.cap;
	region_table_move(&s->regions, store, cap);
	regions_free(q, old, oldcap);
	err = region_add(&s->regions, r, USER_TOP);
done:
	if (err == ERR_OK)
		object_get(r->pager);
	return err;
}

int space_region_remove(struct space *s, uint64_t base)
{
	struct region r;
	int err = region_remove(&s->regions, base, &r);

	if (err == ERR_OK)
		object_put(r.pager);
	return err;
}
