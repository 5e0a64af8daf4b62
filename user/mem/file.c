/*
 * Mapped files (mmap of a descriptor). fs owns a file's pages — one cache:
 * the pages read() and write() use — and names each mapped file by a
 * mapping object (FS_MAP). mem keeps the mappings:
 *
 *   MAP_SHARED   the range is fs's to page: a region naming fs's endpoint,
 *                badged with the object and the mapping's rights, so a
 *                fault costs one IPC, to fs, and a store lands in the
 *                file's page (a KIND_PAGER mapping, as for any pager).
 *   MAP_PRIVATE  mem serves the range (KIND_FILEPRIV): a read maps fs's
 *                page read-only (FS_MEM_PAGE); a write copies it into a
 *                page of the pool, the process's own from then on
 *                (anonymous memory: committed at mmap, shared
 *                copy-on-write at fork, never written to the file).
 *
 * Each link to an object holds a reference with fs (FS_MEM_REF, dropped
 * in lent_gc), so fs keeps the file, even unlinked, while it is mapped.
 * mem calls fs and never the other way round, so they cannot wait on
 * each other; fs never blocks on anything mem serves.
 */
#include "user/mem/mem.h"

#include "lib/user/fs_proto.h"
#include "lib/str.h"
#include "lib/user/syscall.h"

/* Handles to fs frames named in the reply being built: closed once it is sent. */
static handle_t to_close[FS_MEM_FRAMES_MAX];
static unsigned nclose;

void file_after_reply(void)
{
	while (nclose)
		sys_handle_close(to_close[--nclose]);
}

static int err_of_errno(int64_t r)
{
	switch (-r) {
	case FS_ENXIO:
		return ERR_RANGE;
	case FS_EACCES:
		return ERR_PERM;
	case FS_EBADF:
		return ERR_NOENT;
	case FS_ENOMEM:
	case FS_ENOSPC:
		return ERR_NOMEM;
	case FS_EINVAL:
		return ERR_INVALID;
	default:
		return ERR_IO;
	}
}

/* An FS_MEM_* call: ERR_OK with the reply in *m, or the error fs gave. */
static int fs_call(unsigned label, uint64_t w0, uint64_t w1, uint64_t w2, uint64_t w3,
		   struct msg *m)
{
	*m = (struct msg){.tag = msg_tag(label, 4, 0), .w = {w0, w1, w2, w3}};
	if (!env.fs_mem || ipc_call(env.fs_mem, m) != ERR_OK)
		return ERR_PEER;
	return (int64_t)m->w[0] < 0 ? err_of_errno((int64_t)m->w[0]) : ERR_OK;
}

int file_ref(uint64_t id, bool write)
{
	struct msg m;

	return fs_call(FS_MEM_REF, id, write ? FS_MAP_WRITE : 0, 0, 0, &m);
}

void file_unref(uint64_t id)
{
	struct msg m;

	fs_call(FS_MEM_UNREF, id, 0, 0, 0, &m);
}

int file_pager_handle(uint64_t id, handle_t *out, uint64_t *badge)
{
	*badge = id & FS_MAP_ID_MASK;
	return sys_handle_mint(env.fs, RIGHT_WRITE, *badge, out) == ERR_OK ? ERR_OK : ERR_NOMEM;
}

int file_link(struct vs *v, uint64_t id, bool write, unsigned *link)
{
	unsigned li;

	if (!(id & FS_MAP_ID_FLAG) || (id & ~FS_MAP_ID_MASK))
		return ERR_NOENT;
	int e = link_free_slot(v, &li);
	if (e == ERR_OK)
		e = file_ref(id, write);
	if (e != ERR_OK)
		return e;
	v->links[li] = (struct link){.fsobj = id, .read_only = !write};
	*link = li;
	return ERR_OK;
}

/* Close the handles a reply of FS_MEM_PAGE carried (on a failure, or those not used). */
static void close_handles(const struct msg *m, unsigned from)
{
	for (unsigned i = from; i < msg_handles(m->tag); i++)
		if (IPCBUF->handles[i] > 0)
			sys_handle_close(IPCBUF->handles[i]);
}

/* fs's pages for a run of a file: the frames (new handles of ours) and, per page, frame and page.
 */
struct file_run {
	handle_t frame[FS_MEM_FRAMES_MAX];
	unsigned nframes, n;
	uint8_t which[FS_MEM_PAGES_MAX]; /* page i lies in frame[which[i]] ... */
	uint64_t page[FS_MEM_PAGES_MAX]; /* ... at page[i] */
};

/*
 * fs's pages for bytes off, off + PAGE, ... of object id, at most want
 * (1..FS_MEM_PAGES_MAX; those after the first only if the file has them).
 */
static int file_pages(uint64_t id, uint64_t off, unsigned want, struct file_run *r)
{
	struct msg m;
	int e = fs_call(FS_MEM_PAGE, id, off, want, 0, &m);
	unsigned n = (unsigned)m.w[0], nh = msg_handles(m.tag);

	if (e == ERR_OK && (n < 1 || n > want || nh < 1 || msg_words(m.tag) != 1 + n))
		e = ERR_PEER;
	for (unsigned i = 0; e == ERR_OK && i < nh; i++)
		if (IPCBUF->handles[i] <= 0)
			e = ERR_PEER;
	for (unsigned i = 0; e == ERR_OK && i < n; i++) {
		uint64_t w = 1 + i < MSG_REG_WORDS ? m.w[1 + i] : IPCBUF->words[1 + i];
		r->which[i] = (uint8_t)(w >> 32);
		r->page[i] = (uint32_t)w;
		if (r->which[i] >= nh)
			e = ERR_PEER;
	}
	if (e != ERR_OK) {
		close_handles(&m, 0);
		return e;
	}
	for (unsigned i = 0; i < nh; i++)
		r->frame[i] = IPCBUF->handles[i];
	r->nframes = nh;
	r->n = n;
	return ERR_OK;
}

uint64_t file_object(const struct vs *v, const struct vm_mapping *m, uint64_t *limit)
{
	*limit = UINT64_MAX;
	if (m->kind != KIND_FILEPRIV && m->kind != KIND_FILE)
		return 0; /* the common case, first */
	if (m->kind == KIND_FILEPRIV)
		return v->links[m->tag].fsobj;
	if (m->kind != KIND_FILE || !v->image || !v->image->fsobj)
		return 0;
	*limit = m->file_size; /* a segment: its file bytes, then zeros */
	return v->image->fsobj;
}

int file_fill(uint64_t id, uint64_t off, uint64_t n, pageid_t p)
{
	struct file_run r;
	uint64_t dst;
	int e = file_pages(id, off, 1, &r);

	if (e != ERR_OK)
		return e;
	e = sys_frame_copy(pool_frame(p, &dst), dst, r.frame[r.which[0]], r.page[0], 1);
	for (unsigned i = 0; i < r.nframes; i++)
		sys_handle_close(r.frame[i]);
	if (n < PAGE)
		memset((uint8_t *)pool_addr(p) + n, 0, PAGE - n);
	return e == ERR_OK ? ERR_OK : ERR_IO;
}

/*
 * Pages from va on that may be fs's own (read-only): inside m, wholly
 * within the file's part of it, not v's (no copy of its own).
 */
static unsigned cache_run(const struct vs *v, const struct vm_mapping *m, uint64_t va,
			  uint64_t limit)
{
	unsigned n = 0;

	while (n < FS_MEM_PAGES_MAX && va < m->va + m->len && va - m->va + PAGE <= limit &&
	       (n == 0 || !radix_get(&v->pages, va)))
		n++, va += PAGE;
	return n;
}

int file_fault(struct vs *v, const struct vm_mapping *m, uint64_t id, uint64_t limit, uint64_t va,
	       unsigned access, struct pager_items *it)
{
	pageid_t p = radix_get(&v->pages, va);
	struct file_run r;
	unsigned n = cache_run(v, m, va, limit);

	v->c.faults++;
	total.faults++;
	if (is_swapped(p))
		return fault_swapped(v, m, va, p, access, it);
	if (p)
		return fault_existing(v, m, va, p, access, it);
	if ((access & PROT_W) || n == 0) {
		/* A copy of its own: written, or the end of a segment (file bytes, then zeros). */
		int e = vs_new_page(v, m, va, &p);
		if (e == ERR_OK) {
			uint64_t dst;
			pager_items_add(it, va, m->prot, pool_frame(p, &dst), dst);
			radix_mark_mapped(&v->pages, va);
		}
		return e;
	}
	/* Read or run: fs's pages themselves, read-only, until a write makes a copy. */
	int e = file_pages(id, m->file_off + (va - m->va), n, &r);
	if (e != ERR_OK)
		return e;
	for (unsigned i = 0; i < r.n; i++)
		pager_items_add(it, va + i * PAGE, m->prot & ~PROT_W, r.frame[r.which[i]],
				r.page[i]);
	for (unsigned i = 0; i < r.nframes; i++)
		to_close[nclose++] = r.frame[i];
	v->c.file_fills += r.n;
	total.file_fills += r.n;
	return ERR_OK;
}

static bool msync_flags_ok(uint64_t f)
{
	return !(f & ~(uint64_t)(MEM_MS_ASYNC | MEM_MS_SYNC | MEM_MS_INVALIDATE)) &&
	       (f & (MEM_MS_ASYNC | MEM_MS_SYNC)) != (MEM_MS_ASYNC | MEM_MS_SYNC);
}

int file_msync(struct vs *v, struct msg *m)
{
	uint64_t va = m->w[0], len = m->w[1], flags = m->w[2], covered = 0, lo, hi;

	if (msg_words(m->tag) != 3 || !IS_PAGED(va) || len == 0 || !msync_flags_ok(flags))
		return ERR_INVALID;
	if (va < REGION_BASE || va >= REGION_END || len > REGION_END - va)
		return ERR_NOMEM;
	len = PAGES(len) * PAGE;
	for (unsigned k = 0; k < v->maps.n; k++)
		if (mapping_clip(&v->maps.map[k], va, len, &lo, &hi))
			covered += hi - lo;
	if (covered != len)
		return ERR_NOMEM; /* the heap counts as unmapped here, as for mprotect */
	for (unsigned k = 0; k < v->maps.n; k++) {
		const struct vm_mapping *mp = &v->maps.map[k];
		const struct link *l = &v->links[mp->tag];
		struct msg r;
		if (mp->kind != KIND_PAGER || !l->fsobj || !mapping_clip(mp, va, len, &lo, &hi))
			continue;
		int e = fs_call(FS_MEM_SYNC, l->fsobj, mp->file_off + (lo - mp->va), hi - lo,
				(flags & MEM_MS_ASYNC ? FS_SYNC_ASYNC : 0) |
				    (flags & MEM_MS_SYNC ? FS_SYNC_SYNC : 0) |
				    (flags & MEM_MS_INVALIDATE ? FS_SYNC_INVALIDATE : 0),
				&r);
		if (e != ERR_OK)
			return e;
	}
	*m = (struct msg){.tag = msg_tag(MEM_MSYNC, 0, 0)};
	return ERR_OK;
}
