/*
 * Shared memory: objects of zero-filled pages that every space mapping one
 * sees, the same pages. An object is anonymous (mmap MAP_SHARED |
 * MAP_ANONYMOUS: it lives as long as a mapping of it, and fork shares it)
 * or named (shm_open: MEM_SHM_OPEN finds or makes it by name, and it lives
 * while it has its name or a mapping). A mapping names its object through
 * a link of its memory space (lent.c); fork gives the child a link of its
 * own.
 *
 * The object's table (offset -> pool page) holds a reference on each page
 * it made; a space that maps a page also enters it in its own table (one
 * more reference), as for any page, so munmap, exit and fork treat it as
 * they do every page. What a shared page never gets is copy-on-write: the
 * fault path maps it with the mapping's rights, and fork leaves the
 * parent's shared mappings writable. A fault beyond the object's size is
 * refused with ERR_RANGE: SIGBUS.
 */
#include "user/mem/mem.h"

#include "lib/str.h"
#include "lib/user/msgbytes.h"

#define NSHARED 64

static struct shared {
	unsigned refs;	/* links to it, and 1 while it has a name; 0: free */
	uint32_t gen;	/* with the index, the object's id */
	uint64_t bytes; /* its size */
	char name[MEM_SHM_NAME_MAX + 1];
	struct radix table; /* byte offset -> pool page */
} objs[NSHARED];

static uint32_t generation;

static uint64_t id_of(unsigned i)
{
	return ((uint64_t)objs[i].gen << 16) | (i + 1);
}

/*
 * The object with that id, if v may use it, or -1: a named object is
 * anyone's (as a file is), an anonymous or unlinked one only its mappers'
 * (a process that does not map it cannot reach it by guessing its id).
 */
static int index_of(const struct vs *v, uint64_t id)
{
	uint64_t i = (id & 0xffff) - 1;

	if (id == 0 || i >= NSHARED || !objs[i].refs || id_of((unsigned)i) != id)
		return -1;
	if (objs[i].name[0])
		return (int)i;
	for (unsigned k = 0; k < MAXLINKS; k++)
		if (v->links[k].shared == i + 1)
			return (int)i;
	return -1;
}

int shared_new(uint64_t pages, unsigned *out)
{
	for (unsigned i = 0; i < NSHARED; i++) {
		if (objs[i].refs)
			continue;
		if (radix_init(&objs[i].table, &radix_pool_nodes) != ERR_OK)
			return ERR_NOMEM;
		objs[i].refs = 1;
		objs[i].gen = ++generation & 0xffffff;
		objs[i].bytes = pages * PAGE;
		objs[i].name[0] = 0;
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
	struct radix *table = arg;

	(void)mapped;
	radix_set(table, off, 0);
	pool_unref(p);
}

void shared_unref(unsigned i)
{
	struct shared *o = &objs[i];

	if (--o->refs)
		return;
	radix_each(&o->table, 0, RADIX_VA_LIMIT, drop_page, &o->table);
	radix_destroy(&o->table);
	o->bytes = 0;
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

/* Map the object's page for va (made if need be) in v: entered in v's table, added to it. */
static int map_page(struct vs *v, const struct vm_mapping *m, struct shared *o, uint64_t va,
		    struct pager_items *it)
{
	pageid_t p = radix_get(&v->pages, va);

	if (!p) {
		int e = object_page(o, m->file_off + (va - m->va), &p);
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

int shared_fault(struct vs *v, const struct vm_mapping *m, uint64_t va, struct pager_items *it)
{
	struct shared *o = &objs[v->links[m->tag].shared - 1];
	uint64_t end = PAGES(o->bytes) * PAGE, next = va + PAGE;
	bool sequential = va == v->seq_next;

	if (m->file_off + (va - m->va) >= end)
		return ERR_RANGE;
	int e = map_page(v, m, o, va, it);
	/* Fault-around, as for private memory: a sweep forward gets the next pages too. */
	while (e == ERR_OK && sequential && !pressure_low() && it->n < AROUND &&
	       next < m->va + m->len && m->file_off + (next - m->va) < end &&
	       !radix_mapped(&v->pages, next) && map_page(v, m, o, next, it) == ERR_OK)
		next += PAGE;
	if (e == ERR_OK)
		v->seq_next = next;
	return e;
}

/* ----------------------------------------------------------------- names (shm_open) */

/* A name from w[first] (length) and the bytes after it: 1..MEM_SHM_NAME_MAX of [A-Za-z0-9._-]. */
static int name_get(const struct msg *m, unsigned first, char *out)
{
	return msgbytes_get_name(m, IPCBUF, first, out, MEM_SHM_NAME_MAX) ? ERR_OK : ERR_INVALID;
}

static int find_name(const char *name)
{
	for (unsigned i = 0; i < NSHARED; i++)
		if (objs[i].refs && objs[i].name[0] && strcmp(objs[i].name, name) == 0)
			return (int)i;
	return -1;
}

/* Every page of object i at or beyond byte `from`, gone from every space and from the object. */
static void cut_pages(unsigned i, uint64_t from)
{
	struct shared *o = &objs[i];

	vs_cut_shared(i + 1, from);
	radix_each(&o->table, from, RADIX_VA_LIMIT, drop_page, &o->table);
}

static void reply2(struct msg *m, uint64_t a, uint64_t b)
{
	*m = (struct msg){.tag = msg_tag(msg_label(m->tag), 2, 0), .w = {a, b}};
}

static int shm_open_request(struct msg *m)
{
	char name[MEM_SHM_NAME_MAX + 1];
	uint64_t flags = m->w[0];
	int e = name_get(m, 1, name);

	if (e != ERR_OK || (flags & ~(uint64_t)(MEM_SHM_CREATE | MEM_SHM_EXCL | MEM_SHM_TRUNC)))
		return ERR_INVALID;
	int i = find_name(name);
	if (i >= 0 && (flags & MEM_SHM_CREATE) && (flags & MEM_SHM_EXCL))
		return ERR_EXISTS;
	if (i < 0 && !(flags & MEM_SHM_CREATE))
		return ERR_NOENT;
	if (i < 0) {
		unsigned k;
		e = shared_new(0, &k);
		if (e != ERR_OK)
			return e;
		str_copy(objs[k].name, name, sizeof(objs[k].name)); /* the name's reference */
		i = (int)k;
	} else if (flags & MEM_SHM_TRUNC) {
		cut_pages((unsigned)i, 0);
		objs[i].bytes = 0;
	}
	reply2(m, id_of((unsigned)i), objs[i].bytes);
	return ERR_OK;
}

static int shm_unlink_request(struct msg *m)
{
	char name[MEM_SHM_NAME_MAX + 1];
	int e = name_get(m, 0, name);
	int i = e == ERR_OK ? find_name(name) : -1;

	if (e != ERR_OK)
		return e;
	if (i < 0)
		return ERR_NOENT;
	objs[i].name[0] = 0;
	shared_unref((unsigned)i);
	*m = (struct msg){.tag = msg_tag(MEM_SHM_UNLINK, 0, 0)};
	return ERR_OK;
}

static int shm_size_request(const struct vs *v, struct msg *m)
{
	int i = msg_words(m->tag) == 2 ? index_of(v, m->w[0]) : -2;
	uint64_t bytes = m->w[1];

	if (i == -2)
		return ERR_INVALID;
	if (i < 0)
		return ERR_NOENT;
	if (bytes != MEM_SHM_ASK) {
		if (bytes > UMMAP_END - UMMAP_BASE)
			return ERR_NOMEM;
		if (bytes < objs[i].bytes)
			cut_pages((unsigned)i, PAGES(bytes) * PAGE);
		objs[i].bytes = bytes;
	}
	reply2(m, m->w[0], objs[i].bytes);
	return ERR_OK;
}

int shared_request(const struct vs *v, struct msg *m)
{
	switch (msg_label(m->tag)) {
	case MEM_SHM_OPEN:
		return shm_open_request(m);
	case MEM_SHM_UNLINK:
		return shm_unlink_request(m);
	default:
		return shm_size_request(v, m);
	}
}

int shared_link(struct vs *v, uint64_t id, unsigned *link)
{
	int i = index_of(v, id);

	if (i < 0)
		return ERR_NOENT;
	int e = lent_shared_link(v, (unsigned)i, link);
	if (e == ERR_OK)
		shared_ref((unsigned)i);
	return e;
}
