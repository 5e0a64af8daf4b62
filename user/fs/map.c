/*
 * Mapped files: the objects mem maps, and the faults fs serves for them.
 *
 * A mapping object stands for one file (a mount and an inode): every mmap
 * of the file, through any descriptor, names the same object, so every
 * mapping sees the same pages — the very pages read and write use (the
 * backend's map_page). A MAP_SHARED range is paged by fs itself: mem gives
 * the range to fs's endpoint with a badge naming the object and the
 * mapping's rights, and a fault costs one IPC, to fs. A MAP_PRIVATE range
 * stays mem's: it asks for a page (FS_MEM_PAGE), maps it read-only and
 * copies it when written.
 *
 * Lifetime: the object holds its file (as an open-file description does,
 * so an unlinked file lives on while mapped). mem counts its mappings
 * (FS_MEM_REF, FS_MEM_UNREF); between FS_MAP and the first mapping the
 * object is kept for the process that asked, until it maps it or exits.
 *
 * Pages taken away: a file cut by truncate loses its pages beyond the new
 * end, and the backend takes them back from every space (page.c, with the
 * kernel's reverse map); the next touch faults here, beyond the end of the
 * file, and the process gets SIGBUS.
 */
#include "user/fs/fs.h"

#include "lib/error.h"
#include "lib/user/syscall.h"

#define MAPOBJS	   128
#define MAP_AROUND 16 /* most pages one fault maps (FAULT_MAX_ITEMS) */

struct mapobj {
	struct mount *mnt; /* NULL: free */
	uint64_t ino;
	uint32_t gen;
	unsigned refs;	 /* mappings mem has */
	bool writable;	 /* shared write was granted (an FS_MAP from a writable descriptor) */
	int32_t pending; /* pid of an FS_MAP not followed by a mapping yet, 0: none */
};

static struct mapobj objs[MAPOBJS];
static uint32_t generation;

static uint64_t id_of(const struct mapobj *o)
{
	return FS_MAP_ID_FLAG | ((uint64_t)o->gen << 12) | (uint64_t)(o - objs + 1);
}

static struct mapobj *obj_of(uint64_t id)
{
	uint64_t slot = (id & 0xfff) - 1;

	id &= FS_MAP_ID_MASK;
	if (!(id & FS_MAP_ID_FLAG) || slot >= MAPOBJS || !objs[slot].mnt ||
	    id_of(&objs[slot]) != id)
		return 0;
	return &objs[slot];
}

static void obj_maybe_free(struct mapobj *o)
{
	if (o->refs || o->pending)
		return;
	o->mnt->ops->release(o->mnt->priv, o->ino);
	o->mnt = 0;
	fs_stats.map_objects--;
}

static struct mapobj *obj_for(struct mount *mnt, uint64_t ino)
{
	struct mapobj *free = 0;

	for (unsigned i = 0; i < MAPOBJS; i++) {
		if (objs[i].mnt == mnt && objs[i].ino == ino)
			return &objs[i];
		if (!objs[i].mnt && !free)
			free = &objs[i];
	}
	if (!free)
		return 0;
	*free = (struct mapobj){.mnt = mnt, .ino = ino, .gen = ++generation & 0xfffffff};
	mnt->ops->hold(mnt->priv, ino);
	fs_stats.map_objects++;
	return free;
}

/* Can files of mnt be mapped, this one in particular? (Asked with n = 0: nothing given out.) */
static bool mappable(struct mount *mnt, uint64_t ino)
{
	return mnt->ops->map_pages && mnt->ops->map_pages(mnt->priv, ino, 0, 0, false, 0, 0) == 0;
}

int map_proc_ref(struct mount *mnt, uint64_t ino, uint64_t *id)
{
	if (!mappable(mnt, ino))
		return -FS_ENODEV;
	struct mapobj *o = obj_for(mnt, ino);
	if (!o)
		return -FS_ENOMEM;
	o->refs++;
	*id = id_of(o);
	return 0;
}

int map_unref(uint64_t id)
{
	struct mapobj *o = obj_of(id);

	if (!o || !o->refs)
		return -FS_EINVAL;
	o->refs--;
	obj_maybe_free(o);
	return 0;
}

/* w0 = fd, w1 = FS_MAP_WRITE or 0 -> id, w1 = size. */
int64_t do_map(struct client *c, struct msg *m)
{
	struct ofile *of = fd_get(c, m->w[0]);
	unsigned acc = of ? of->flags & FS_O_ACCMODE : 0;
	struct fs_stat st;

	if (!of)
		return -FS_EBADF;
	if (m->w[1] & ~(uint64_t)FS_MAP_WRITE)
		return -FS_EINVAL;
	if (of->kind != FS_KIND_FILE)
		return -FS_ENODEV; /* directories, pipes, the console */
	if (acc == FS_O_WRONLY || ((m->w[1] & FS_MAP_WRITE) && acc != FS_O_RDWR))
		return -FS_EACCES;
	if (!mappable(of->mnt, of->ino))
		return -FS_ENODEV;
	int e = of->mnt->ops->stat(of->mnt->priv, of->ino, &st);
	if (e)
		return e;
	struct mapobj *o = obj_for(of->mnt, of->ino);
	if (!o)
		return -FS_ENOMEM;
	o->pending = c->pid;
	o->writable |= (m->w[1] & FS_MAP_WRITE) != 0;
	m->w[1] = st.size;
	fs_reply_words = 2;
	return (int64_t)id_of(o);
}

/* A process exits: objects it asked for and never mapped are not kept for it any more. */
void map_client_gone(int32_t pid)
{
	for (unsigned i = 0; i < MAPOBJS; i++) {
		if (objs[i].mnt && objs[i].pending == pid) {
			objs[i].pending = 0;
			obj_maybe_free(&objs[i]);
		}
	}
}

/*
 * The object's pages from offset off on, at most n (1..MAP_AROUND): the
 * first made if it is a hole, the rest while they exist; their frames and
 * the page in each. The count, or -errno.
 */
static int obj_pages(const struct mapobj *o, uint64_t off, unsigned n, handle_t *frame,
		     uint64_t *page)
{
	if (off % PAGE || n == 0 || n > MAP_AROUND)
		return -FS_EINVAL;
	return o->mnt->ops->map_pages(o->mnt->priv, o->ino, off, n, true, frame, page);
}

/*
 * FS_MEM_PAGE: the page at w1 (made if need be) and up to w2 - 1 after it
 * that exist, in at most FS_MEM_FRAMES_MAX distinct frames (a message's
 * handles): w0 = n, word 1 + i = frame index << 32 | page of page i.
 */
static int64_t mem_pages(const struct mapobj *o, struct msg *m)
{
	uint64_t want = m->w[2] ? m->w[2] : 1, page[MAP_AROUND], *w = FS_IPCBUF->words;
	handle_t frame[MAP_AROUND];
	unsigned nf = 0, i;

	if (want > FS_MEM_PAGES_MAX)
		return -FS_EINVAL;
	int n = obj_pages(o, m->w[1], (unsigned)want, frame, page);
	if (n < 0)
		return n;
	for (i = 0; i < (unsigned)n; i++) {
		unsigned k = 0;
		while (k < nf && FS_IPCBUF->handles[k] != frame[i])
			k++;
		if (k == nf && nf == FS_MEM_FRAMES_MAX)
			break; /* a fifth frame: the rest another time */
		if (k == nf) {
			FS_IPCBUF->handles[nf] = frame[i];
			FS_IPCBUF->handle_rights[nf++] =
			    RIGHT_READ | RIGHT_MAP | RIGHT_EXEC | RIGHT_GRANT;
		}
		w[1 + i] = (uint64_t)k << 32 | page[i];
		if (1 + i < MSG_REG_WORDS)
			m->w[1 + i] = w[1 + i];
	}
	fs_reply_words = 1 + i;
	fs_reply_handles = nf;
	return i;
}

/* FS_MEM_*: mem's requests about mapping objects. */
int64_t map_mem_request(unsigned label, struct msg *m)
{
	struct mapobj *o = obj_of(m->w[0]);

	if (!o)
		return -FS_EBADF;
	switch (label) {
	case FS_MEM_REF:
		if (m->w[1] & ~(uint64_t)FS_MAP_WRITE)
			return -FS_EINVAL;
		if ((m->w[1] & FS_MAP_WRITE) && !o->writable)
			return -FS_EACCES;
		o->refs++;
		o->pending = 0;
		return 0;
	case FS_MEM_UNREF:
		return map_unref(m->w[0]);
	case FS_MEM_PAGE:
		return mem_pages(o, m);
	case FS_MEM_SYNC:
		if (m->w[3] & ~(uint64_t)(FS_SYNC_ASYNC | FS_SYNC_INVALIDATE | FS_SYNC_SYNC))
			return -FS_EINVAL;
		return o->mnt->ops->fsync(o->mnt->priv, o->ino);
	default:
		return -FS_ENOSYS;
	}
}

/*
 * A fault in a range fs pages (MAP_SHARED): map the file's page with the
 * rights the access needs (the region's rights bound them; a page read
 * first and written later faults twice, as mprotect may have changed the
 * rights between), and after it, as far as the region goes (fault word 1
 * says how far) and up to MAP_AROUND pages, those of the file that are in
 * memory already. The reply is m, rewritten (words past the fifth in the
 * IPC buffer): the map items, or an error (ERR_RANGE beyond the end of the
 * file: SIGBUS).
 */
void map_fault(struct msg *m)
{
	const struct mapobj *o = obj_of(m->badge);
	unsigned prot = PROT_R | (fault_msg_access(m->w[1]) & (PROT_W | PROT_X));
	unsigned ahead = fault_msg_ahead(m->w[1]);
	uint64_t va = m->w[0] & ~(PAGE - 1), off = m->w[2] & ~(PAGE - 1), page[MAP_AROUND];
	uint64_t *w = FS_IPCBUF->words;
	handle_t frame[MAP_AROUND];
	int n = o ? obj_pages(o, off, ahead < MAP_AROUND ? ahead + 1 : MAP_AROUND, frame, page)
		  : -FS_EBADF;

	fs_stats.map_faults++;
	if (n < 0) {
		int err = n == -FS_ENXIO ? ERR_RANGE : n == -FS_EBADF ? ERR_PEER : ERR_IO;
		if (n == -FS_ENOSPC || n == -FS_ENOMEM)
			err = ERR_NOMEM;
		*m = (struct msg){.tag = msg_error_tag(MSG_FAULT, err)};
		return;
	}
	for (int i = 0; i < n; i++) {
		w[2 * i] = fault_item_va(va + (uint64_t)i * PAGE, prot);
		w[2 * i + 1] = fault_item_frame(frame[i], (uint32_t)page[i]);
	}
	*m = (struct msg){.tag = msg_tag(MSG_FAULT, 2 * (unsigned)n, 0)};
	for (int i = 0; i < MSG_REG_WORDS && i < 2 * n; i++)
		m->w[i] = w[i];
}
