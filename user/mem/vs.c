/*
 * Memory spaces: creating one for a new process (a region over its whole
 * user range, served by mem), forking one copy-on-write, emptying one for
 * exec and destroying one when its process is gone.
 *
 * A page may be in several spaces after fork (its reference count says how
 * many). Whenever a space stops using a page, the page is unmapped from
 * that space before the reference is dropped, so a page back in the pool is
 * mapped nowhere.
 */
#include "user/mem/mem.h"

#include "lib/str.h"
#include "lib/user/syscall.h"

static struct vs spaces[NVS];
static uint32_t generation;
uint64_t total_committed;

struct vs *vs_find(uint64_t id)
{
	uint64_t slot = (id & 0xffff) - 1;

	if (id == 0 || slot >= NVS || spaces[slot].id != id)
		return 0;
	return &spaces[slot];
}

struct vs *vs_at(unsigned i)
{
	return i < NVS && spaces[i].id ? &spaces[i] : 0;
}

unsigned vs_slot_of(const struct vs *v)
{
	return (unsigned)(v - spaces);
}

uint64_t commit_limit(void)
{
	return pool_capacity() + swap_slots();
}

unsigned vs_count(void)
{
	unsigned n = 0;

	for (unsigned i = 0; i < NVS; i++)
		n += spaces[i].id != 0;
	return n;
}

/*
 * Fits `more` under both the space's limit and what mem can give at all:
 * every promised page can be delivered, so a process runs out of memory in
 * malloc (ENOMEM), never at a fault. Overcommitted (`overcommit=1`), only
 * the space's limit holds, and a fault may find no page (proc's OOM killer).
 */
static bool fits(uint64_t used, uint64_t less, uint64_t more, uint64_t limit)
{
	uint64_t after = used - (less < used ? less : used);

	return more <= limit && after <= limit - more;
}

bool vs_commit_ok(const struct vs *v, uint64_t more, uint64_t less)
{
	return fits(v->committed, less, more, v->limit) &&
	       (env.overcommit || fits(total_committed, less, more, commit_limit()));
}

/* ----------------------------------------------------------------- spans of pages */

/*
 * The pages of a space that may be mapped there, as spans: runs of such
 * pages merged across gaps of up to SPAN_GAP, so that one unmap or protect
 * call covers many pages. Each call flushes the TLBs of every hart the
 * space may have run on, which with several harts is a round of IPIs
 * through the firmware, far dearer than the kernel's walk over a gap's
 * unmapped pages.
 */
#define SPAN_GAP (256 * PAGE)

struct span {
	struct vs *v;
	bool protect;  /* protect; else unmap */
	unsigned prot; /* for protect */
	uint64_t lo, hi;
};

static void span_flush(struct span *s)
{
	if (s->hi == s->lo)
		return;
	if (s->protect)
		sys_space_protect(s->v->space, s->lo, s->hi - s->lo, s->prot);
	else
		sys_space_unmap(s->v->space, s->lo, s->hi - s->lo);
	s->lo = s->hi = 0;
}

static void span_add(void *arg, uint64_t va, pageid_t p, bool mapped)
{
	struct span *s = arg;

	(void)p;
	if (!mapped)
		return;
	if (s->hi != s->lo && va - s->hi > SPAN_GAP)
		span_flush(s);
	if (s->hi == s->lo)
		s->lo = va;
	s->hi = va + PAGE;
}

/* Unmap, or protect to prot, every page of [va, va + len) that may be mapped. */
static void each_span(struct vs *v, uint64_t va, uint64_t len, bool protect, unsigned prot)
{
	struct span s = {.v = v, .protect = protect, .prot = prot};

	radix_each(&v->pages, va, va + len, span_add, &s);
	span_flush(&s);
}

static void forget_page(void *arg, uint64_t va, pageid_t p, bool mapped)
{
	struct vs *v = arg;

	(void)mapped;
	radix_set(&v->pages, va, 0);
	if (is_swapped(p)) {
		swap_slot_unref(p);
		v->swapped--;
		return;
	}
	pool_unref(p);
	v->resident--;
}

void vs_drop_pages(struct vs *v, uint64_t va, uint64_t len)
{
	each_span(v, va, len, false, 0); /* mapped nowhere first: then the pages may go */
	radix_each(&v->pages, va, va + len, forget_page, v);
}

void vs_cut_shared(unsigned obj, uint64_t from)
{
	for (unsigned i = 0; i < NVS; i++) {
		struct vs *v = &spaces[i];
		for (unsigned k = 0; v->id && k < v->maps.n; k++) {
			const struct vm_mapping *m = &v->maps.map[k];
			if (m->kind != KIND_SHARED || v->links[m->tag].shared != obj ||
			    m->file_off + m->len <= from)
				continue;
			uint64_t skip = from > m->file_off ? from - m->file_off : 0;
			vs_drop_pages(v, m->va + skip, m->len - skip);
		}
	}
}

static void protect_pages(struct vs *v, uint64_t va, uint64_t len, unsigned prot)
{
	each_span(v, va, len, true, prot);
}

/* ----------------------------------------------------------------- life cycle */

static struct vs *vs_alloc(void)
{
	for (unsigned i = 0; i < NVS; i++) {
		if (spaces[i].id)
			continue;
		generation++;
		memset(&spaces[i], 0, sizeof(spaces[i]));
		vmmap_init(&spaces[i].maps, spaces[i].map_slots, MAXMAP);
		spaces[i].id = ((uint64_t)(generation & 0xffffff) << 16) | (i + 1);
		return &spaces[i];
	}
	return 0;
}

int vs_create(handle_t space, uint64_t limit, struct vs **out)
{
	struct vs *v = vs_alloc();

	if (!v)
		return ERR_FULL;
	int e = radix_init(&v->pages, &radix_pool_nodes);
	if (e == ERR_OK)
		e = sys_region_add(space, REGION_BASE, REGION_END - REGION_BASE, env.serve, v->id,
				   PROT_R | PROT_W | PROT_X);
	if (e != ERR_OK) {
		radix_destroy(&v->pages);
		v->id = 0;
		return e;
	}
	v->space = space;
	v->limit = limit ? limit : commit_limit();
	*out = v;
	return ERR_OK;
}

void vs_reset(struct vs *v)
{
	lent_clear(v, REGION_BASE, REGION_END - REGION_BASE);
	total_committed -= v->committed;
	v->committed = 0;
	vmmap_clear(&v->maps);
	v->heap_base = v->heap_end = 0;
	v->seq_next = 0;
	if (v->image)
		image_unref(v->image);
	v->image = 0;
}

/* Free v and take its region away; the space handle is left to the caller. */
static void vs_unmake(struct vs *v)
{
	vs_reset(v);
	radix_destroy(&v->pages);
	sys_region_remove(v->space, REGION_BASE); /* fails harmlessly if the space has exited */
	v->id = 0;
}

void vs_destroy(struct vs *v)
{
	vs_unmake(v);
	sys_handle_close(v->space);
}

/* The child's table as fork fills it in, and whether a node could not be had. */
struct share {
	struct vs *child;
	bool incomplete;
};

static void share_page(void *arg, uint64_t va, pageid_t p, bool mapped)
{
	struct share *sh = arg;

	(void)mapped;
	if (radix_set(&sh->child->pages, va, p) != ERR_OK) {
		sh->incomplete = true;
	} else if (is_swapped(p)) {
		swap_slot_ref(p); /* the child's entry names the slot too */
		sh->child->swapped++;
	} else {
		pool_ref(p);
		sh->child->resident++;
	}
}

void vs_lower_pages(struct vs *v, uint64_t va, uint64_t len, unsigned prot)
{
	each_span(v, va, len, prot != 0, prot); /* none left: unmapped, the pages stay v's */
}

/* Take away the parent's write right on every page it now shares. */
static void protect_shared(struct vs *v)
{
	for (unsigned i = 0; i < v->maps.n; i++) {
		const struct vm_mapping *m = &v->maps.map[i];
		if ((m->prot & PROT_W) && m->kind != KIND_SHARED) /* shared: both sides write */
			protect_pages(v, m->va, m->len, m->prot & ~PROT_W);
	}
	if (v->heap_base && v->heap_end > v->heap_base)
		protect_pages(v, v->heap_base, PAGES(v->heap_end - v->heap_base) * PAGE, PROT_R);
}

int vs_fork(struct vs *parent, handle_t space, struct vs **out)
{
	struct vs *child;

	if (!env.overcommit && !fits(total_committed, 0, parent->committed, commit_limit()))
		return ERR_NOMEM;
	int e = vs_create(space, parent->limit, &child);
	if (e != ERR_OK)
		return e;
	vmmap_copy(&child->maps, &parent->maps); /* same capacity: cannot fail */
	child->heap_base = parent->heap_base;
	child->heap_end = parent->heap_end;
	struct share sh = {child, false};
	radix_each(&parent->pages, REGION_BASE, REGION_END, share_page, &sh);
	if (sh.incomplete) {	  /* out of memory for the child's table: undo */
		vs_unmake(child); /* the space stays the caller's, as on every failure */
		return ERR_NOMEM;
	}
	child->committed = parent->committed;
	total_committed += child->committed;
	child->image = parent->image; /* the child's file pages come from the same program */
	if (child->image)
		image_ref(child->image);
	e = lent_fork(parent, child);
	if (e != ERR_OK) {
		vs_unmake(child);
		return e;
	}
	protect_shared(parent);
	*out = child;
	return ERR_OK;
}

/* ----------------------------------------------------------------- pages */

int vs_new_page(struct vs *v, const struct vm_mapping *m, uint64_t va, pageid_t *out)
{
	pageid_t p = pool_alloc();

	if (!p)
		return ERR_NOMEM;
	if (radix_set(&v->pages, va, p) != ERR_OK) {
		pool_unref(p);
		return ERR_NOMEM;
	}
	int e = fault_fill(v, m, va, p);
	if (e != ERR_OK) {
		radix_set(&v->pages, va, 0);
		pool_unref(p);
		return e;
	}
	v->resident++;
	swap_track(p, v, va);
	*out = p;
	return ERR_OK;
}

/*
 * Unmapping the old page here is not redundant with the map item that will
 * replace it: if that reply never lands (the thread was killed), another
 * thread of the space must not go on reading a page that is now the other
 * side's alone.
 */
int vs_copy_page(struct vs *v, uint64_t va, pageid_t p, pageid_t *out)
{
	bool was_mapped = radix_mapped(&v->pages, va);
	pageid_t q = pool_alloc();

	if (!q)
		return ERR_NOMEM;
	memcpy(pool_addr(q), pool_addr(p), PAGE);
	radix_set(&v->pages, va, q); /* replaces an entry: needs no node */
	if (was_mapped)
		sys_space_unmap(v->space, va, PAGE);
	pool_unref(p);
	swap_track(q, v, va);
	v->c.cow_copies++;
	total.cow_copies++;
	*out = q;
	return ERR_OK;
}

int vs_page_for_write(struct vs *v, const struct vm_mapping *m, uint64_t va, void **out)
{
	pageid_t p = radix_get(&v->pages, va), q = p;
	int e = ERR_OK;

	if (is_swapped(p)) {
		unsigned after;
		e = swap_in(v, va, va + PAGE, p, &after, &p);
		if (e != ERR_OK)
			return e;
		q = p;
	}
	if (!p && mapping_foreign(v, m))
		sys_space_unmap(v->space, va, PAGE); /* a page of the file's, not to be written */
	if (!p)
		e = vs_new_page(v, m, va, &q);
	else if (pool_refs(p) > 1)
		e = vs_copy_page(v, va, p, &q);
	if (e == ERR_OK) {
		swap_dirty(q); /* mem writes it: a copy in swap would be stale */
		*out = pool_addr(q);
	}
	return e;
}

/* ----------------------------------------------------------------- A/D samples */

static void sample_range(struct vs *v, uint64_t va, uint64_t len,
			 void (*fn)(void *arg, struct vs *v, uint64_t va, bool written), void *arg)
{
	uint8_t ad[512];

	for (uint64_t a = va; a < va + len; a += sizeof(ad) * PAGE) {
		uint64_t n = (va + len - a) / PAGE;
		n = n < sizeof(ad) ? n : sizeof(ad);
		if (sys_space_ad(v->space, a, (unsigned)n, ad, AD_CLEAR) != ERR_OK)
			return;
		for (uint64_t i = 0; i < n; i++)
			if ((ad[i] & PAGE_MAPPED) && (ad[i] & PAGE_A))
				fn(arg, v, a + i * PAGE, (ad[i] & PAGE_D) != 0);
	}
}

/*
 * The bits of pages other pagers serve (fs's file pages, a user pager's)
 * are theirs: a D bit cleared here would be a write fs never learns of.
 */
void vs_sample(struct vs *v, void (*fn)(void *arg, struct vs *v, uint64_t va, bool written),
	       void *arg)
{
	for (unsigned k = 0; k < v->maps.n; k++) {
		const struct vm_mapping *m = &v->maps.map[k];
		if (!mapping_foreign(v, m))
			sample_range(v, m->va, m->len, fn, arg);
	}
	if (v->heap_base && v->heap_end > v->heap_base)
		sample_range(v, v->heap_base, PAGES(v->heap_end - v->heap_base) * PAGE, fn, arg);
}
