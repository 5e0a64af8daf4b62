/*
 * Page faults of the processes mem serves (libpager's fault hook). The
 * mapping decides whether the access is allowed; the page table of the
 * space decides what to do:
 *
 *   no page yet            a fresh page, zeroed or filled from the initrd,
 *                          and for sequential access the next pages too;
 *   a page of its own      map it with the mapping's rights (after fork
 *                          once the other side has its copy);
 *   a shared page, read    map it read-only (copy-on-write pending);
 *   a shared page, write   copy it and map the copy writable.
 */
#include "user/mem/mem.h"

#include "lib/str.h"

struct vs_counters total;

int fault_fill(struct vs *v, const struct vm_mapping *m, uint64_t va, pageid_t p)
{
	uint64_t off = va - m->va, limit;
	uint64_t id = file_object(v, m, &limit);

	if (id && off < limit) {
		int e =
		    file_fill(id, m->file_off + off, limit - off < PAGE ? limit - off : PAGE, p);
		if (e != ERR_OK)
			return e;
		v->c.file_fills++;
		total.file_fills++;
	} else if (m->kind == KIND_FILE && off < m->file_size) {
		uint64_t n = m->file_size - off < PAGE ? m->file_size - off : PAGE;
		uint64_t size;
		memcpy(pool_addr(p), vs_file_data(v, &size) + m->file_off + off, n);
		v->c.file_fills++;
		total.file_fills++;
	} else {
		v->c.zero_fills++;
		total.zero_fills++;
	}
	return ERR_OK;
}

static void add_item(struct vs *v, struct pager_items *it, uint64_t va, unsigned prot, pageid_t p)
{
	uint64_t page;
	handle_t frame = pool_frame(p, &page);

	pager_items_add(it, va, prot, frame, page);
	radix_mark_mapped(&v->pages, va);
}

/*
 * Fault-around: when a fault lands on the page after the previous one's
 * window, the process is walking forward; map the pages that follow in the
 * same mapping too, up to the window, stopping at one that exists. Not
 * under memory pressure: then every page must be asked for.
 */
static void around(struct vs *v, const struct vm_mapping *m, uint64_t va, bool sequential,
		   struct pager_items *it)
{
	uint64_t next = va + PAGE, end = m->va + m->len;

	while (sequential && !pressure_low() && it->n < AROUND && next < end &&
	       !radix_get(&v->pages, next)) {
		pageid_t p;
		if (vs_new_page(v, m, next, &p) != ERR_OK)
			break;
		add_item(v, it, next, m->prot, p);
		v->c.around++;
		total.around++;
		next += PAGE;
	}
	v->seq_next = next;
}

/* The page exists: map it, or copy it first if a write finds it shared. */
int fault_existing(struct vs *v, const struct vm_mapping *m, uint64_t va, pageid_t p,
		   unsigned access, struct pager_items *it)
{
	if (pool_refs(p) == 1) {
		add_item(v, it, va, swap_prot(p, m->prot, access), p);
		return ERR_OK;
	}
	if (!(access & PROT_W)) {
		add_item(v, it, va, m->prot & ~PROT_W, p);
		v->c.cow_shared++;
		total.cow_shared++;
		return ERR_OK;
	}
	pageid_t copy;
	int e = vs_copy_page(v, va, p, &copy);
	if (e == ERR_OK)
		add_item(v, it, va, m->prot, copy);
	return e;
}

int fault_swapped(struct vs *v, const struct vm_mapping *m, uint64_t va, uint32_t entry,
		  unsigned access, struct pager_items *it)
{
	unsigned after;
	pageid_t p;
	int e = swap_in(v, va, m->va + m->len, entry, &after, &p);

	if (e == ERR_OK)
		e = fault_existing(v, m, va, p, access, it);
	/* The pages read ahead, mapped read-only; one that cannot be is left for its own fault. */
	for (unsigned i = 1; e == ERR_OK && i <= after && it->n < AROUND; i++) {
		uint64_t next = va + i * PAGE;
		if (fault_existing(v, m, next, radix_get(&v->pages, next), PROT_R, it) != ERR_OK)
			break;
	}
	return e;
}

int fault_serve(struct pager *pg, const struct pager_fault *f, struct pager_items *it)
{
	(void)pg;
	file_after_reply(); /* the last reply is out: the handles it named may go */
	swap_reserve(SWAP_RESERVE);
	struct vs *v = vs_find(f->badge);
	uint64_t va = PAGE_DOWN(f->addr);
	struct vm_mapping m;

	if (!v)
		return ERR_NOENT;
	if (!mapping_find(v, va, &m))
		return ERR_NOENT;
	if (!(f->access & m.prot))
		return ERR_PERM;
	trace_fault(v, va, f->access);
	if (kind_lent(m.kind))
		return lent_fault(v, &m, va, it);
	if (m.kind == KIND_SHARED)
		return shared_fault(v, &m, va, it);
	uint64_t limit, id = file_object(v, &m, &limit);
	if (id)
		return file_fault(v, &m, id, limit, va, f->access, it);
	v->c.faults++;
	total.faults++;
	pageid_t p = radix_get(&v->pages, va);
	if (is_swapped(p))
		return fault_swapped(v, &m, va, p, f->access, it);
	if (p)
		return fault_existing(v, &m, va, p, f->access, it);
	int e = vs_new_page(v, &m, va, &p);
	if (e != ERR_OK)
		return e;
	add_item(v, it, va, m.prot, p);
	around(v, &m, va, va == v->seq_next, it);
	return ERR_OK;
}
