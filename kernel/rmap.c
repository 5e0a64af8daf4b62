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

struct rmap_entry *rmap_next(const struct frameobj *f, uint64_t page, uint64_t npages,
			     const struct rmap_entry *after)
{
	for (struct rmap_entry *e = after ? after->next : f->rmap; e; e = e->next)
		if (e->page >= page && e->page - page < npages)
			return e;
	return NULL;
}
