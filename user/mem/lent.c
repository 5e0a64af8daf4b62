/*
 * What mem lends, and what it gives away, inside a memory space.
 *
 * Frames (MEM_FRAME). A process that pages others needs memory whose frame
 * it can name in fault replies. mem allocates a kernel frame, maps it in
 * the process as a KIND_FRAME mapping (faults there are answered with the
 * frame's own pages) and gives the process a handle to it. The frame counts
 * against the process's commit; once the process lets go of it (munmap,
 * exec, exit) its pages may still be mapped in the spaces it paged, so mem
 * keeps counting it (lingering[]) until mem's handle is the frame's last
 * reference: every page mem promised can still be delivered.
 *
 * Ranges (MEM_MAP_PAGER). mem gives [va, va + len) to another pager by
 * replacing its own region there with one naming that pager's endpoint
 * (SYS_REGION_ADD with REGION_REPLACE), so each fault costs one message,
 * to that pager. mem keeps a KIND_PAGER mapping (no commit, no pages) so
 * that munmap, exec, exit and fork know the range is there. Giving it back
 * replaces the region with mem's own again: the kernel merges the pieces,
 * and drops any reply the old pager sends late (the regions changed).
 */
#include "user/mem/mem.h"

#include "lib/str.h"
#include "lib/user/syscall.h"

#define LINGER_MAX 256

static struct {
	handle_t h;
	uint64_t pages;
} lingering[LINGER_MAX];

/* ----------------------------------------------------------------- links */

static bool link_in_use(const struct link *l)
{
	return l->h || l->shared || l->fsobj;
}

int link_free_slot(const struct vs *v, unsigned *out)
{
	for (unsigned i = 0; i < MAXLINKS; i++) {
		if (!link_in_use(&v->links[i])) {
			*out = i;
			return ERR_OK;
		}
	}
	return ERR_NOMEM;
}

static bool link_used(const struct vs *v, unsigned i)
{
	for (unsigned k = 0; k < v->maps.n; k++)
		if (kind_linked(v->maps.map[k].kind) && v->maps.map[k].tag == i)
			return true;
	return false;
}

static uint64_t frame_refs(handle_t h)
{
	uint64_t refs = 0;

	return sys_frame_refs(h, &refs) == ERR_OK ? refs : 0;
}

/* A frame the space no longer maps: keep counting it while anyone else maps it. */
static void frame_let_go(const struct link *l)
{
	if (frame_refs(l->h) > 1) {
		for (unsigned i = 0; i < LINGER_MAX; i++) {
			if (!lingering[i].h) {
				lingering[i].h = l->h;
				lingering[i].pages = l->pages;
				total_committed += l->pages;
				return;
			}
		}
		/*
		 * No room to watch it: keep it counted for good rather than
		 * promise pages that are still in use (mem then promises a
		 * little less than it could, never more).
		 */
		total_committed += l->pages;
	}
	sys_handle_close(l->h);
}

/* Let go of every link no mapping refers to any more. */
void lent_gc(struct vs *v)
{
	for (unsigned i = 0; i < MAXLINKS; i++) {
		struct link *l = &v->links[i];
		if (!link_in_use(l) || link_used(v, i))
			continue;
		if (l->fsobj)
			file_unref(l->fsobj);
		if (l->shared)
			shared_unref(l->shared - 1);
		else if (l->pages)
			frame_let_go(l);
		else if (l->h)
			sys_handle_close(l->h);
		*l = (struct link){0};
	}
}

void lent_trim(void)
{
	for (unsigned i = 0; i < LINGER_MAX; i++) {
		if (lingering[i].h && frame_refs(lingering[i].h) <= 1) {
			sys_handle_close(lingering[i].h);
			total_committed -= lingering[i].pages;
			lingering[i].h = 0;
		}
	}
}

/* ----------------------------------------------------------------- clearing */

/* Make [va, va + len) mem's own region again (its offsets are va - REGION_BASE). */
static void region_take_back(struct vs *v, uint64_t va, uint64_t len)
{
	sys_region_map(v->space, va, len, env.serve, v->id,
		       PROT_R | PROT_W | PROT_X | REGION_REPLACE, va - REGION_BASE);
}

static void clear(struct vs *v, uint64_t va, uint64_t len, bool take_back)
{
	bool pager = false;
	uint64_t lo, hi;

	for (unsigned k = 0; k < v->maps.n; k++) {
		const struct vm_mapping *m = &v->maps.map[k];
		pager |= m->kind == KIND_PAGER && mapping_clip(m, va, len, &lo, &hi);
	}
	/* Faults go to mem first, then the other pager's pages go: none comes back. */
	if (pager && take_back)
		region_take_back(v, va, len);
	for (unsigned k = 0; k < v->maps.n; k++) {
		const struct vm_mapping *m = &v->maps.map[k];
		if (mapping_foreign(v, m) && mapping_clip(m, va, len, &lo, &hi))
			sys_space_unmap(v->space, lo, hi - lo);
	}
	vs_drop_pages(v, va, len);
	mapping_remove(v, va, len);
}

void lent_clear(struct vs *v, uint64_t va, uint64_t len)
{
	clear(v, va, len, true);
	lent_gc(v);
}

void lent_clear_range(struct vs *v, uint64_t va, uint64_t len)
{
	clear(v, va, len, true);
}

/* ----------------------------------------------------------------- requests */

int lent_frame(struct vs *v, struct msg *m)
{
	uint64_t bytes = m->w[0];
	unsigned order = 0, li;

	if (msg_words(m->tag) != 1 || bytes == 0 || bytes > MEM_FRAME_MAX)
		return ERR_INVALID;
	while ((PAGE << order) < bytes)
		order++;
	uint64_t pages = 1ull << order, len = pages * PAGE;
	uint64_t va = mmap_place(v, 0, len, false);
	if (!va || v->maps.n >= MAXMAP || !vs_commit_ok(v, pages, 0) ||
	    link_free_slot(v, &li) != ERR_OK)
		return ERR_NOMEM;
	handle_t frame, given;
	if (sys_frame_alloc(order, 0, &frame) != ERR_OK)
		return ERR_NOMEM;
	int e = sys_handle_give(v->space, frame, RIGHT_READ | RIGHT_WRITE | RIGHT_MAP, &given);
	if (e != ERR_OK) {
		sys_handle_close(frame);
		return e;
	}
	v->links[li] = (struct link){.h = frame, .pages = pages};
	struct vm_mapping map = {
	    .va = va, .len = len, .prot = PROT_R | PROT_W, .kind = KIND_FRAME, .tag = li};
	mapping_add(v, &map);
	v->committed += pages;
	total_committed += pages;
	*m = (struct msg){.tag = msg_tag(MEM_FRAME, 2, 0), .w = {va, (uint64_t)given}};
	return ERR_OK;
}

/* Is h an endpoint the caller may call, and which badge will the region carry? */
static int pager_badge(handle_t h, uint64_t asked, uint64_t *badge)
{
	unsigned type = 0;
	uint32_t rights = 0;
	uint64_t held = 0;

	if (h <= 0 || sys_handle_info(h, &type, &rights) != ERR_OK || type != OBJ_ENDPOINT ||
	    !(rights & RIGHT_WRITE) || sys_handle_badge(h, &held) != ERR_OK)
		return ERR_INVALID;
	if (held && asked && asked != held)
		return ERR_PERM;
	*badge = held ? held : asked;
	return ERR_OK;
}

/* Where a range given to another pager goes: [*va, *va + *len), checked for room. */
static int place_range(struct vs *v, uint64_t hint, uint64_t *len, bool fixed, uint64_t off,
		       uint64_t *va)
{
	if (*len > UMMAP_END - UMMAP_BASE)
		return ERR_NOMEM;
	*len = PAGES(*len) * PAGE;
	if (off + *len < off)
		return ERR_INVALID;
	*va = mmap_place(v, hint, *len, fixed);
	if (!*va || v->maps.n + (fixed ? mapping_split_slots(v, *va, *len) : 0) >= MAXMAP)
		return ERR_NOMEM;
	return ERR_OK;
}

/*
 * [va, va + len) goes to the pager of link li (its handle and badge set):
 * the region first, the one step that can fail for want of resources.
 */
static int give_range(struct vs *v, uint64_t va, uint64_t len, unsigned prot, bool fixed,
		      uint64_t off, unsigned li)
{
	const struct link *l = &v->links[li];
	int e = sys_region_map(v->space, va, len, l->h, l->badge, prot | REGION_REPLACE, off);

	if (e != ERR_OK)
		return e;
	uint64_t replaced = fixed ? mapping_pages_in(v, va, len) : 0;
	if (fixed)
		clear(v, va, len, false);
	v->committed -= replaced;
	total_committed -= replaced;
	struct vm_mapping map = {
	    .va = va, .len = len, .file_off = off, .prot = prot, .kind = KIND_PAGER, .tag = li};
	mapping_add(v, &map);
	lent_gc(v); /* links of what a FIXED mapping replaced */
	return ERR_OK;
}

static int map_pager(struct vs *v, struct msg *m, handle_t ep)
{
	uint64_t hint = m->w[0], len = m->w[1], prot = m->w[2], flags = m->w[3], off = m->w[4];
	bool fixed = flags & MEM_MMAP_FIXED;
	uint64_t badge, va;
	unsigned li;

	if (msg_words(m->tag) != 6 || len == 0 || prot > 7 || flags & ~(uint64_t)MEM_MMAP_FIXED ||
	    ((prot & PROT_W) && (prot & PROT_X)) || (fixed && !IS_PAGED(hint)) || !IS_PAGED(off))
		return ERR_INVALID;
	int e = pager_badge(ep, IPCBUF->words[5], &badge); /* past the register words */
	if (e == ERR_OK)
		e = place_range(v, hint, &len, fixed, off, &va);
	if (e == ERR_OK)
		e = link_free_slot(v, &li);
	if (e != ERR_OK)
		return e;
	v->links[li] = (struct link){.h = ep, .badge = badge};
	e = give_range(v, va, len, (unsigned)prot, fixed, off, li);
	if (e != ERR_OK) {
		v->links[li] = (struct link){0}; /* the caller closes ep */
		return e;
	}
	*m = (struct msg){.tag = msg_tag(MEM_MAP_PAGER, 1, 0), .w = {va}};
	return ERR_OK;
}

int lent_map_file(struct vs *v, struct msg *m, uint64_t id, uint64_t off)
{
	uint64_t len = m->w[1], va;
	unsigned prot = (unsigned)m->w[2], li;
	bool fixed = m->w[3] & MEM_MMAP_FIXED;
	int e = place_range(v, m->w[0], &len, fixed, off, &va);

	if (e == ERR_OK)
		e = file_link(v, id, prot & PROT_W, &li);
	if (e != ERR_OK)
		return e;
	struct link *l = &v->links[li];
	e = file_pager_handle(id, &l->h, &l->badge);
	if (e == ERR_OK)
		e = give_range(v, va, len, prot, fixed, off, li);
	if (e != ERR_OK) {
		lent_gc(v); /* the unused link: fs's reference and the handle go */
		return e;
	}
	*m = (struct msg){.tag = msg_tag(MEM_MMAP, 1, 0), .w = {va}};
	return ERR_OK;
}

int lent_map_pager(struct vs *v, struct msg *m)
{
	/* handles[0] is ours whatever came with it (main.c closed the others). */
	handle_t ep = msg_handles(m->tag) >= 1 ? IPCBUF->handles[0] : 0;
	int e = msg_handles(m->tag) == 1 ? map_pager(v, m, ep) : ERR_INVALID;

	if (e != ERR_OK && ep > 0)
		sys_handle_close(ep);
	return e;
}

/* ----------------------------------------------------------------- faults, fork */

int lent_fault(struct vs *v, const struct vm_mapping *m, uint64_t va, struct pager_items *it)
{
	const struct link *l = &v->links[m->tag];

	if (m->kind != KIND_FRAME)
		return ERR_FAULT; /* another pager's range: a late fault (the kernel drops this) */
	/* The frame is there in full: map the fault's page and those after it at once. */
	for (uint64_t a = va; a < m->va + m->len && it->n < AROUND; a += PAGE)
		pager_items_add(it, a, m->prot, l->h, (m->file_off + a - m->va) / PAGE);
	return ERR_OK;
}

int lent_shared_link(struct vs *v, unsigned obj, unsigned *link)
{
	unsigned li;
	int e = link_free_slot(v, &li);

	if (e != ERR_OK)
		return e;
	v->links[li] = (struct link){.shared = obj + 1};
	*link = li;
	return ERR_OK;
}

int lent_shared(struct vs *v, uint64_t pages, unsigned *link)
{
	unsigned li, obj;
	int e = link_free_slot(v, &li);

	if (e == ERR_OK)
		e = shared_new(pages, &obj);
	if (e != ERR_OK)
		return e;
	v->links[li] = (struct link){.shared = obj + 1};
	*link = li;
	return ERR_OK;
}

int lent_fork(struct vs *parent, struct vs *child)
{
	for (unsigned i = 0; i < MAXLINKS; i++) {
		const struct link *l = &parent->links[i];
		if (l->shared) {
			shared_ref(l->shared - 1);
			child->links[i] = *l;
			continue;
		}
		if (l->fsobj) {
			int e = file_ref(l->fsobj, !l->read_only);
			if (e != ERR_OK)
				return e;
			child->links[i].fsobj = l->fsobj;
			child->links[i].read_only = l->read_only;
		}
		if (!l->h)
			continue;
		if (sys_handle_dup(l->h, RIGHTS_ALL, &child->links[i].h) != ERR_OK)
			return ERR_NOMEM;
		child->links[i].badge = l->badge;
		child->links[i].pages = l->pages;
	}
	for (unsigned k = 0; k < child->maps.n; k++) {
		const struct vm_mapping *m = &child->maps.map[k];
		if (m->kind != KIND_PAGER)
			continue;
		const struct link *l = &child->links[m->tag];
		int e = sys_region_map(child->space, m->va, m->len, l->h, l->badge,
				       m->prot | REGION_REPLACE, m->file_off);
		if (e != ERR_OK)
			return e;
	}
	return ERR_OK;
}
