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

#define MAPOBJS 128

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

/* Can files of mnt be mapped, this one in particular? */
static bool mappable(struct mount *mnt, uint64_t ino)
{
	handle_t frame;
	uint64_t page;

	return mnt->ops->map_page &&
	       mnt->ops->map_page(mnt->priv, ino, 0, false, &frame, &page) != -FS_ENODEV;
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

int map_proc_unref(uint64_t id)
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

/* The object's page at offset off: its frame and the page in it. */
static int obj_page(const struct mapobj *o, uint64_t off, handle_t *frame, uint64_t *page)
{
	if (off % PAGE)
		return -FS_EINVAL;
	return o->mnt->ops->map_page(o->mnt->priv, o->ino, off, true, frame, page);
}

/* FS_MEM_PAGE: the page at w1 (made if need be) and up to w2 - 1 after it that are in memory. */
static int64_t mem_pages(const struct mapobj *o, struct msg *m)
{
	uint64_t off = m->w[1], want = m->w[2] ? m->w[2] : 1, page;
	handle_t frame;
	unsigned n = 0;

	if (want > FS_MEM_PAGES_MAX)
		return -FS_EINVAL;
	int e = obj_page(o, off, &frame, &page);
	while (e == 0) {
		FS_IPCBUF->handles[n] = frame;
		FS_IPCBUF->handle_rights[n] = RIGHT_READ | RIGHT_MAP | RIGHT_EXEC | RIGHT_GRANT;
		m->w[1 + n++] = page;
		off += PAGE;
		e = n < want
			? o->mnt->ops->map_page(o->mnt->priv, o->ino, off, false, &frame, &page)
			: 1;
	}
	if (n == 0)
		return e;
	fs_reply_words = 1 + n;
	fs_reply_handles = n;
	return n;
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
		if (!o->refs)
			return -FS_EINVAL;
		o->refs--;
		obj_maybe_free(o);
		return 0;
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
 * rights between). The reply is m, rewritten: the map item, or an error
 * (ERR_RANGE beyond the end of the file: SIGBUS).
 */
void map_fault(struct msg *m)
{
	const struct mapobj *o = obj_of(m->badge);
	unsigned prot = PROT_R | ((unsigned)m->w[1] & (PROT_W | PROT_X));
	uint64_t va = m->w[0] & ~(PAGE - 1), off = m->w[2] & ~(PAGE - 1), page;
	handle_t frame;
	int e = o ? obj_page(o, off, &frame, &page) : -FS_EBADF;

	fs_stats.map_faults++;
	if (e) {
		int err = e == -FS_ENXIO ? ERR_RANGE : e == -FS_EBADF ? ERR_PEER : ERR_IO;
		if (e == -FS_ENOSPC || e == -FS_ENOMEM)
			err = ERR_NOMEM;
		*m = (struct msg){.tag = msg_error_tag(MSG_FAULT, err)};
		return;
	}
	*m = (struct msg){.tag = msg_tag(MSG_FAULT, 2, 0),
			  .w = {fault_item_va(va, prot), fault_item_frame(frame, (uint32_t)page)}};
}
