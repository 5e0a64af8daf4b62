/*
 * Shared anonymous memory (mmap MAP_SHARED | MAP_ANONYMOUS): an object of
 * zero-filled pages that every space mapping it sees, the same pages. A
 * mapping names its object through a link of its memory space (lent.c);
 * the object lives while a link refers to it, and fork gives the child a
 * link of its own, so parent and child share the pages from then on.
 *
 * The object's table (offset -> pool page) holds a reference on each page
 * it made; a space that maps a page also enters it in its own table (one
 * more reference), as for any page, so munmap, exit and fork treat it as
 * they do every page. What a shared page never gets is copy-on-write: the
 * fault path maps it with the mapping's rights, and fork leaves the
 * parent's shared mappings writable.
 */
#include "user/mem/mem.h"

#define NSHARED 64

static struct shared {
	unsigned refs; /* links to it; 0: free */
	uint64_t pages;
	struct radix table; /* byte offset -> pool page */
} objs[NSHARED];

int shared_new(uint64_t pages, unsigned *out)
{
	for (unsigned i = 0; i < NSHARED; i++) {
		if (objs[i].refs)
			continue;
		if (radix_init(&objs[i].table, &radix_pool_nodes) != ERR_OK)
			return ERR_NOMEM;
		objs[i].refs = 1;
		objs[i].pages = pages;
		*out = i;
		return ERR_OK;
	}
	return ERR_NOMEM;
}

void shared_ref(unsigned i)
{
	objs[i].refs++;
}

static void drop_page(void *arg, uint64_t off, pageid_t p, bool mapped)
{
	(void)arg;
	(void)off;
	(void)mapped;
	pool_unref(p);
}

void shared_unref(unsigned i)
{
	struct shared *o = &objs[i];

	if (--o->refs)
		return;
	radix_each(&o->table, 0, o->pages * PAGE, drop_page, 0);
	radix_destroy(&o->table);
	o->pages = 0;
}

/* The object's page at byte offset off: the one it has, or a new zeroed one. */
static int object_page(struct shared *o, uint64_t off, pageid_t *out)
{
	pageid_t p = radix_get(&o->table, off);

	if (!p) {
		p = pool_alloc();
		if (!p)
			return ERR_NOMEM;
		if (radix_set(&o->table, off, p) != ERR_OK) {
			pool_unref(p);
			return ERR_NOMEM;
		}
	}
	*out = p;
	return ERR_OK;
}

int shared_fault(struct vs *v, const struct vm_mapping *m, uint64_t va, struct pager_items *it)
{
	struct shared *o = &objs[v->links[m->tag].shared - 1];
	uint64_t off = m->file_off + (va - m->va);
	pageid_t p = radix_get(&v->pages, va);

	if (off >= o->pages * PAGE)
		return ERR_RANGE;
	if (!p) {
		int e = object_page(o, off, &p);
		if (e == ERR_OK)
			e = radix_set(&v->pages, va, p);
		if (e != ERR_OK)
			return e; /* a page the object made stays the object's */
		pool_ref(p);
		v->resident++;
	}
	uint64_t page;
	handle_t frame = pool_frame(p, &page);
	pager_items_add(it, va, m->prot, frame, page);
	radix_mark_mapped(&v->pages, va);
	return ERR_OK;
}
