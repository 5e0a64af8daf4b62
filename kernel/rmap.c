#include "kernel/rmap.h"

#include "kernel/object.h"
#include "kernel/space.h"
#include "lib/error.h"
#include "mm/pt.h"
#include "mm/slab.h"

struct rmap_entry *rmap_prepare(struct space *s, int *err)
{
	struct quota *q = s->obj.quota;

	if (q && quota_charge(q, sizeof(struct rmap_entry)) != ERR_OK) {
		*err = ERR_QUOTA;
		return NULL;
	}
	struct rmap_entry *e = kmalloc(sizeof(*e));
	if (!e) {
		if (q)
			quota_uncharge(q, sizeof(*e));
		*err = ERR_NOMEM;
		return NULL;
	}
	e->s = s;
	return e;
}

void rmap_discard(struct rmap_entry *e)
{
	struct quota *q = e->s->obj.quota;

	kfree(e);
	if (q)
		quota_uncharge(q, sizeof(*e));
}

void rmap_link(struct frameobj *f, struct rmap_entry *e, struct space *s, uint64_t va,
	       uint64_t page)
{
	e->s = s;
	e->va = va;
	e->page = page;
	e->next = f->rmap;
	f->rmap = e;
}

void rmap_unlink(struct frameobj *f, struct space *s, uint64_t va, pte_t pte)
{
	if (!f || !f->rmap_on)
		return;
	for (struct rmap_entry **pp = &f->rmap; *pp; pp = &(*pp)->next) {
		struct rmap_entry *e = *pp;
		if (e->s == s && e->va == va) {
			/* What the mapping did outlives it, until the manager asks. */
			if (pte & PTE_A)
				f->gone_a |= 1ull << e->page;
			if (pte & PTE_D)
				f->gone_d |= 1ull << e->page;
			*pp = e->next;
			rmap_discard(e);
			return;
		}
	}
}

/* The first mapping of a page of f in [page, page + npages) after `after` (NULL: from the start).
 */
static struct rmap_entry *rmap_next(const struct frameobj *f, uint64_t page, uint64_t npages,
				    const struct rmap_entry *after)
{
	for (struct rmap_entry *e = after ? after->next : f->rmap; e; e = e->next)
		if (e->page >= page && e->page - page < npages)
			return e;
	return NULL;
}

uint64_t rmap_take_ad(struct frameobj *f, uint64_t page, uint64_t npages, const struct space *skip,
		      bool clear, bool unmap, uint8_t *bits)
{
	uint64_t count = 0;

	for (struct rmap_entry *r = rmap_next(f, page, npages, NULL), *next; r; r = next) {
		next = rmap_next(f, page, npages, r); /* unmapping r frees r, and nothing else */
		if (r->s == skip)
			continue;
		bits[r->page - page] |= space_take_ad(r->s, r->va, clear, unmap);
		count++;
	}
	/* And what mappings that are gone did. */
	for (uint64_t i = 0; i < npages; i++) {
		uint64_t bit = 1ull << (page + i);
		bits[i] |= ((f->gone_a & bit) ? PAGE_A : 0) | ((f->gone_d & bit) ? PAGE_D : 0);
		if (clear || unmap) {
			f->gone_a &= ~bit;
			f->gone_d &= ~bit;
		}
	}
	return count;
}
