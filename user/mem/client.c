/*
 * Requests from a process about its own memory space (the badge names it):
 * brk, mmap, munmap (and, in lent.c, frames for pagers and ranges other
 * pagers serve). Checked completely before anything changes; *m
 * becomes the reply.
 */
#include "user/mem/mem.h"

static void reply_word(struct msg *m, uint64_t w)
{
	*m = (struct msg){.tag = msg_tag(msg_label(m->tag), 1, 0), .w = {w}};
}

static uint64_t heap_pages(const struct vs *v, uint64_t end)
{
	return PAGES(end - v->heap_base);
}

/* Does growing the heap to end run into a mapping above it? */
static bool heap_blocked(const struct vs *v, uint64_t end)
{
	uint64_t old = v->heap_base + heap_pages(v, v->heap_end) * PAGE;
	uint64_t top = v->heap_base + heap_pages(v, end) * PAGE;

	return top > old && vmmap_overlaps(&v->maps, old, top - old);
}

static int do_brk(struct vs *v, struct msg *m)
{
	uint64_t end = m->w[0];

	if (msg_words(m->tag) != 1)
		return ERR_INVALID;
	if (!v->heap_base)
		return ERR_STATE;
	if (end == 0) {
		reply_word(m, v->heap_end);
		return ERR_OK;
	}
	if (end < v->heap_base)
		return ERR_INVALID;
	uint64_t now = heap_pages(v, v->heap_end), want;
	if (end > UHEAP_END || heap_blocked(v, end))
		return ERR_NOMEM;
	want = heap_pages(v, end);
	if (want > now && !vs_commit_ok(v, want - now, 0))
		return ERR_NOMEM;
	if (want < now)
		vs_drop_pages(v, v->heap_base + want * PAGE, (now - want) * PAGE);
	v->committed = v->committed + want - now;
	total_committed = total_committed + want - now;
	v->heap_end = end;
	reply_word(m, end);
	return ERR_OK;
}

static bool in_mmap_area(uint64_t va, uint64_t len)
{
	return va >= UMMAP_BASE && va < UMMAP_END && len <= UMMAP_END - va;
}

/* Where a new mapping of len bytes goes: the hint if it is free, else the lowest gap. */
uint64_t mmap_place(const struct vs *v, uint64_t hint, uint64_t len, bool fixed)
{
	if (fixed)
		return in_mmap_area(hint, len) ? hint : 0;
	if (hint && IS_PAGED(hint) && in_mmap_area(hint, len) && !mapping_overlaps(v, hint, len))
		return hint;
	return mapping_find_gap(v, UMMAP_BASE, UMMAP_END, len);
}

#define MMAP_FLAGS                                                                                 \
	(MEM_MMAP_FIXED | MEM_MMAP_SHARED | MEM_MMAP_OBJECT | MEM_MMAP_RDONLY | MEM_MMAP_FILE)

static bool mmap_args_ok(const struct msg *m, bool named, uint64_t off)
{
	uint64_t len = m->w[1], prot = m->w[2], flags = m->w[3];
	bool object = flags & MEM_MMAP_OBJECT, file = flags & MEM_MMAP_FILE;

	return msg_words(m->tag) == (named ? 6u : 4u) && len != 0 && prot <= 7 &&
	       !(flags & ~(uint64_t)MMAP_FLAGS) && !(object && file) &&
	       !((flags & MEM_MMAP_RDONLY) && (!object || (prot & PROT_W))) &&
	       !((prot & PROT_W) && (prot & PROT_X)) &&
	       !((flags & MEM_MMAP_FIXED) && !IS_PAGED(m->w[0])) && IS_PAGED(off);
}

/* The link a new mapping refers to (kind_linked kinds), made or referenced. */
static int mmap_link(struct vs *v, uint64_t flags, uint64_t id, uint64_t pages, unsigned *link)
{
	if (flags & MEM_MMAP_FILE)
		return file_link(v, id, false, link);
	int e = (flags & MEM_MMAP_OBJECT) ? shared_link(v, id, link) : lent_shared(v, pages, link);
	if (e != ERR_OK)
		return e == ERR_NOENT ? ERR_NOENT : ERR_NOMEM;
	v->links[*link].read_only = flags & MEM_MMAP_RDONLY;
	return ERR_OK;
}

static int do_mmap(struct vs *v, struct msg *m)
{
	uint64_t hint = m->w[0], len = m->w[1], prot = m->w[2], flags = m->w[3];
	bool fixed = flags & MEM_MMAP_FIXED, file = flags & MEM_MMAP_FILE;
	bool named = file || (flags & MEM_MMAP_OBJECT);
	bool shared = (flags & MEM_MMAP_OBJECT) || (flags & MEM_MMAP_SHARED);
	uint64_t id = named ? m->w[4] : 0, off = named ? IPCBUF->words[5] : 0;
	unsigned link = 0;

	if (!mmap_args_ok(m, named, off))
		return ERR_INVALID;
	if (file && shared)
		return lent_map_file(v, m, id, off);
	if (len > UMMAP_END - UMMAP_BASE)
		return ERR_NOMEM;
	len = PAGES(len) * PAGE;
	if (off + len < off)
		return ERR_INVALID;
	uint64_t va = mmap_place(v, hint, len, fixed);
	if (!va)
		return ERR_NOMEM;
	uint64_t replaced = fixed ? mapping_pages_in(v, va, len) : 0;
	if (!vs_commit_ok(v, len / PAGE, replaced) ||
	    v->maps.n + (fixed ? mapping_split_slots(v, va, len) : 0) >= MAXMAP)
		return ERR_NOMEM;
	int e = shared || file ? mmap_link(v, flags, id, len / PAGE, &link) : ERR_OK;
	if (e != ERR_OK)
		return e;
	if (fixed)
		lent_clear_range(v, va, len);
	struct vm_mapping map = {.va = va,
				 .len = len,
				 .file_off = off,
				 .prot = (unsigned)prot,
				 .kind = file	  ? KIND_FILEPRIV
					 : shared ? KIND_SHARED
						  : KIND_ANON,
				 .tag = link};
	mapping_add(v, &map);
	lent_gc(v);
	v->committed = v->committed - replaced + len / PAGE;
	total_committed = total_committed - replaced + len / PAGE;
	reply_word(m, va);
	return ERR_OK;
}

static int do_munmap(struct vs *v, struct msg *m)
{
	uint64_t va = m->w[0], len = m->w[1];

	if (msg_words(m->tag) != 2 || !IS_PAGED(va) || len == 0 || len > UMMAP_END - UMMAP_BASE)
		return ERR_INVALID;
	len = PAGES(len) * PAGE;
	if (!in_mmap_area(va, len))
		return ERR_INVALID;
	if (v->maps.n + mapping_split_slots(v, va, len) > MAXMAP)
		return ERR_NOMEM;
	uint64_t pages = mapping_pages_in(v, va, len);
	lent_clear(v, va, len);
	v->committed -= pages;
	total_committed -= pages;
	*m = (struct msg){.tag = msg_tag(MEM_MUNMAP, 0, 0)};
	return ERR_OK;
}

int protect_request(struct vs *v, struct msg *m);

int client_request(struct vs *v, struct msg *m)
{
	switch (msg_label(m->tag)) {
	case MEM_BRK:
		return do_brk(v, m);
	case MEM_MMAP:
		return do_mmap(v, m);
	case MEM_MUNMAP:
		return do_munmap(v, m);
	case MEM_FRAME:
		return lent_frame(v, m);
	case MEM_MAP_PAGER:
		return lent_map_pager(v, m);
	case MEM_SHM_OPEN:
	case MEM_SHM_UNLINK:
	case MEM_SHM_SIZE:
		return shared_request(v, m);
	case MEM_MPROTECT:
		return protect_request(v, m);
	case MEM_MSYNC:
		return file_msync(v, m);
	default:
		return ERR_UNSUPPORTED;
	}
}
