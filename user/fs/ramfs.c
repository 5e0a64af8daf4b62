/*
 * ramfs: a file system in fs's own memory, behind the backend interface
 * (backend.h). Used for / until the disk's file system comes, and for
 * /tmp. Inodes and directory entries are fixed tables; a file's data is
 * pages from page.c found through one index page of 512 page addresses, so
 * a file holds at most 2 MiB. Nothing survives a reboot: fsync has nothing
 * to do.
 */
#include "user/fs/fs.h"

#include "lib/str.h"

#define RAM_INSTANCES 2
#define RAM_INODES    256
#define RAM_DENTS     320
#define IDX_ENTRIES   512
#define RAM_FILE_MAX  ((uint64_t)IDX_ENTRIES * PAGE)

struct rinode {
	bool used;
	uint32_t mode; /* FS_S_IF* | permissions */
	uint32_t nlink;
	uint32_t holds;	 /* open-file descriptions */
	uint32_t nents;	 /* directories: entries besides . and .. */
	uint64_t parent; /* directories: for ".." */
	uint64_t size;
	int64_t atime, mtime, ctime;
	uint64_t *index; /* files: page addresses, NULL until the first page */
};

struct rdent {
	uint64_t dir; /* 0: free */
	uint64_t ino;
	uint8_t len;
	char name[FS_NAME_MAX];
};

struct ramfs {
	bool used;
	uint64_t max_pages, pages;
	struct rinode in[RAM_INODES];
	struct rdent de[RAM_DENTS];
};

static struct ramfs instances[RAM_INSTANCES];

static struct rinode *inode(struct ramfs *r, uint64_t ino)
{
	return ino >= 1 && ino <= RAM_INODES && r->in[ino - 1].used ? &r->in[ino - 1] : 0;
}

static bool is_dir(const struct rinode *i)
{
	return (i->mode & FS_S_IFMT) == FS_S_IFDIR;
}

static struct rdent *dent_find(struct ramfs *r, uint64_t dir, const char *name, size_t len)
{
	for (unsigned k = 0; k < RAM_DENTS; k++) {
		struct rdent *d = &r->de[k];
		if (d->dir == dir && d->len == len && memcmp(d->name, name, len) == 0)
			return d;
	}
	return 0;
}

static void *page_get(struct ramfs *r)
{
	if (r->pages >= r->max_pages)
		return 0;
	void *p = page_alloc(0);
	if (p)
		r->pages++;
	return p;
}

static void page_put(struct ramfs *r, void *p)
{
	page_free(p, 0);
	r->pages--;
}

/* Free file i's pages from page `from` on (all of them, and the index, for from = 0). */
static void drop_pages(struct ramfs *r, struct rinode *i, uint64_t from)
{
	if (!i->index)
		return;
	for (uint64_t k = from; k < IDX_ENTRIES; k++)
		if (i->index[k]) {
			page_put(r, (void *)i->index[k]);
			i->index[k] = 0;
		}
	if (from == 0) {
		page_put(r, i->index);
		i->index = 0;
	}
}

/* i has lost a link or a hold: free it once it has neither. */
static void maybe_free(struct ramfs *r, struct rinode *i)
{
	if (i->nlink || i->holds)
		return;
	drop_pages(r, i, 0);
	*i = (struct rinode){0};
}

/* A new inode of mode in dir, with entry name: its number, or -errno. */
static int64_t make(struct ramfs *r, uint64_t dir, const char *name, size_t len, uint32_t mode)
{
	struct rinode *d = inode(r, dir);
	struct rinode *i = 0;
	struct rdent *e = 0;

	for (unsigned k = 0; k < RAM_INODES && !i; k++)
		if (!r->in[k].used)
			i = &r->in[k];
	for (unsigned k = 0; k < RAM_DENTS && !e; k++)
		if (!r->de[k].dir)
			e = &r->de[k];
	if (!d || !is_dir(d))
		return -FS_ENOTDIR;
	if (!i || !e || len > FS_NAME_MAX)
		return -FS_ENOSPC;
	int64_t now = fs_now();
	uint64_t ino = (uint64_t)(i - r->in) + 1;
	*i = (struct rinode){.used = true, .mode = mode, .nlink = 1, .parent = dir};
	i->atime = i->mtime = i->ctime = now;
	*e = (struct rdent){.dir = dir, .ino = ino, .len = (uint8_t)len};
	memcpy(e->name, name, len);
	d->nents++;
	d->mtime = d->ctime = now;
	return (int64_t)ino;
}

int ramfs_new(uint64_t max_pages, void **priv, uint64_t *root)
{
	for (unsigned k = 0; k < RAM_INSTANCES; k++) {
		struct ramfs *r = &instances[k];
		if (r->used)
			continue;
		*r = (struct ramfs){.used = true, .max_pages = max_pages};
		int64_t now = fs_now();
		r->in[0] = (struct rinode){.used = true,
					   .mode = FS_S_IFDIR | 0755,
					   .nlink = 2,
					   .parent = 1,
					   .atime = now,
					   .mtime = now,
					   .ctime = now};
		*priv = r;
		*root = 1;
		return 0;
	}
	return -FS_ENOMEM;
}

static int ram_lookup(void *fs, uint64_t dir, const char *name, size_t len, uint64_t *ino)
{
	struct rdent *d = dent_find(fs, dir, name, len);

	if (!d)
		return -FS_ENOENT;
	*ino = d->ino;
	return 0;
}

static int ram_stat(void *fs, uint64_t ino, struct fs_stat *st)
{
	struct rinode *i = inode(fs, ino);

	if (!i)
		return -FS_ENOENT;
	uint64_t pages = 0;
	for (unsigned k = 0; i->index && k < IDX_ENTRIES; k++)
		pages += i->index[k] != 0;
	*st = (struct fs_stat){.ino = ino,
			       .size = is_dir(i) ? PAGE : i->size,
			       .blocks = pages * (PAGE / 512),
			       .mode = i->mode,
			       .nlink = i->nlink,
			       .atime = i->atime,
			       .mtime = i->mtime,
			       .ctime = i->ctime,
			       .blksize = PAGE};
	return 0;
}

static int ram_create(void *fs, uint64_t dir, const char *name, size_t len, uint32_t mode,
		      uint64_t *ino)
{
	int64_t r = make(fs, dir, name, len, FS_S_IFREG | (mode & 07777));

	if (r < 0)
		return (int)r;
	*ino = (uint64_t)r;
	return 0;
}

static int ram_mkdir(void *fs, uint64_t dir, const char *name, size_t len, uint32_t mode,
		     uint64_t *ino)
{
	int64_t r = make(fs, dir, name, len, FS_S_IFDIR | (mode & 07777));

	if (r < 0)
		return (int)r;
	*ino = (uint64_t)r;
	inode(fs, (uint64_t)r)->nlink = 2;
	inode(fs, dir)->nlink++;
	return 0;
}

/* Take entry e out of its directory; the inode loses a link (two and its parent one for a
 * directory). */
static void dent_remove(struct ramfs *r, struct rdent *e)
{
	struct rinode *d = inode(r, e->dir), *i = inode(r, e->ino);
	int64_t now = fs_now();

	d->nents--;
	d->mtime = d->ctime = now;
	if (is_dir(i)) {
		d->nlink--;
		i->nlink = 0;
	} else {
		i->nlink--;
	}
	i->ctime = now;
	*e = (struct rdent){0};
	maybe_free(r, i);
}

static int ram_unlink(void *fs, uint64_t dir, const char *name, size_t len)
{
	struct rdent *e = dent_find(fs, dir, name, len);

	if (!e)
		return -FS_ENOENT;
	if (is_dir(inode(fs, e->ino)))
		return -FS_EISDIR;
	dent_remove(fs, e);
	return 0;
}

static int ram_rmdir(void *fs, uint64_t dir, const char *name, size_t len)
{
	struct rdent *e = dent_find(fs, dir, name, len);

	if (!e)
		return -FS_ENOENT;
	struct rinode *i = inode(fs, e->ino);
	if (!is_dir(i))
		return -FS_ENOTDIR;
	if (i->nents)
		return -FS_ENOTEMPTY;
	dent_remove(fs, e);
	return 0;
}

static int ram_rename(void *fs, uint64_t odir, const char *oname, size_t olen, uint64_t ndir,
		      const char *nname, size_t nlen)
{
	struct ramfs *r = fs;
	struct rdent *s = dent_find(r, odir, oname, olen);
	struct rdent *t = dent_find(r, ndir, nname, nlen);

	if (!s)
		return -FS_ENOENT;
	struct rinode *si = inode(r, s->ino);
	if (t) {
		struct rinode *ti = inode(r, t->ino);
		if (t->ino == s->ino)
			return 0;
		if (is_dir(si) && !is_dir(ti))
			return -FS_ENOTDIR;
		if (!is_dir(si) && is_dir(ti))
			return -FS_EISDIR;
		if (is_dir(ti) && ti->nents)
			return -FS_ENOTEMPTY;
		dent_remove(r, t);
	}
	int64_t now = fs_now();
	struct rinode *od = inode(r, odir), *nd = inode(r, ndir);
	od->nents--;
	nd->nents++;
	if (is_dir(si) && odir != ndir) {
		od->nlink--;
		nd->nlink++;
		si->parent = ndir;
	}
	od->mtime = od->ctime = nd->mtime = nd->ctime = si->ctime = now;
	s->dir = ndir;
	s->len = (uint8_t)nlen;
	memcpy(s->name, nname, nlen);
	return 0;
}

static int64_t ram_read(void *fs, uint64_t ino, uint64_t off, void *buf, uint64_t n)
{
	struct rinode *i = inode(fs, ino);

	if (!i)
		return -FS_EIO;
	if (off >= i->size)
		return 0;
	if (n > i->size - off)
		n = i->size - off;
	for (uint64_t done = 0; done < n;) {
		uint64_t at = off + done, in = at % PAGE;
		uint64_t k = PAGE - in < n - done ? PAGE - in : n - done;
		uint64_t pg = i->index ? i->index[at / PAGE] : 0;
		if (pg)
			memcpy((uint8_t *)buf + done, (uint8_t *)pg + in, k);
		else
			memset((uint8_t *)buf + done, 0, k); /* a hole */
		done += k;
	}
	i->atime = fs_now();
	return (int64_t)n;
}

/*
 * The file grows from its size: bytes past the old end in its last page may
 * hold what a mapping stored there (a page is mapped whole), and must read
 * as zeros now that they are in the file.
 */
static void zero_past_end(struct rinode *i)
{
	uint64_t tail = i->size % PAGE, pg = i->index && tail ? i->index[i->size / PAGE] : 0;

	if (pg)
		memset((uint8_t *)pg + tail, 0, PAGE - tail);
}

static int64_t ram_write(void *fs, uint64_t ino, uint64_t off, const void *buf, uint64_t n)
{
	struct ramfs *r = fs;
	struct rinode *i = inode(r, ino);
	uint64_t done = 0;

	if (!i)
		return -FS_EIO;
	if (off >= RAM_FILE_MAX || n > RAM_FILE_MAX - off)
		return -FS_EFBIG;
	if (!i->index && !(i->index = page_get(r)))
		return -FS_ENOSPC;
	while (done < n) {
		uint64_t at = off + done, in = at % PAGE;
		uint64_t k = PAGE - in < n - done ? PAGE - in : n - done;
		uint64_t *slot = &i->index[at / PAGE];
		if (!*slot) {
			void *p = page_get(r);
			if (!p)
				break;
			*slot = (uint64_t)p;
		}
		memcpy((uint8_t *)*slot + in, (const uint8_t *)buf + done, k);
		done += k;
	}
	if (done == 0)
		return -FS_ENOSPC;
	if (off + done > i->size) {
		if (off > i->size)
			zero_past_end(i);
		i->size = off + done;
	}
	i->mtime = i->ctime = fs_now();
	return (int64_t)done;
}

static int ram_truncate(void *fs, uint64_t ino, uint64_t size)
{
	struct ramfs *r = fs;
	struct rinode *i = inode(r, ino);

	if (!i)
		return -FS_EIO;
	if (size > RAM_FILE_MAX)
		return -FS_EFBIG;
	if (size < i->size && i->index) {
		drop_pages(r, i, (size + PAGE - 1) / PAGE);
		uint64_t tail = size % PAGE, pg = size ? i->index[size / PAGE] : 0;
		if (tail &&
		    pg) /* what was beyond the new end must read as zeros if it grows again */
			memset((uint8_t *)pg + tail, 0, PAGE - tail);
		if (size == 0)
			drop_pages(r, i, 0);
	}
	if (size > i->size)
		zero_past_end(i);
	i->size = size;
	i->mtime = i->ctime = fs_now();
	return 0;
}

static int ram_map_page(struct ramfs *r, struct rinode *i, uint64_t off, bool make, handle_t *frame,
			uint64_t *page)
{
	if (off >= (i->size + PAGE - 1) / PAGE * PAGE)
		return -FS_ENXIO;
	uint64_t *slot = i->index ? &i->index[off / PAGE] : 0;
	if ((!slot || !*slot) && !make)
		return -FS_ENOENT;
	if (!i->index && !(i->index = page_get(r)))
		return -FS_ENOSPC;
	slot = &i->index[off / PAGE];
	if (!*slot && !(*slot = (uint64_t)page_get(r)))
		return -FS_ENOSPC; /* a hole with no page to fill it */
	*frame = page_frame((void *)*slot);
	*page = 0;
	return 0;
}

static int ram_map_pages(void *fs, uint64_t ino, uint64_t off, unsigned n, bool make,
			 handle_t *frame, uint64_t *page)
{
	struct ramfs *r = fs;
	struct rinode *i = inode(r, ino);
	unsigned got = 0;

	if (!i)
		return -FS_EIO;
	if (n == 0)
		return 0; /* only asked whether it can map: always */
	int e = ram_map_page(r, i, off, make, &frame[0], &page[0]);
	while (e == 0 && ++got < n)
		e = ram_map_page(r, i, off + got * PAGE, false, &frame[got], &page[got]);
	return got ? (int)got : e;
}

static unsigned kind_of(const struct rinode *i)
{
	return is_dir(i) ? FS_KIND_DIR : FS_KIND_FILE;
}

static int64_t ram_readdir(void *fs, uint64_t dir, uint64_t *pos, void *buf, uint64_t n)
{
	struct ramfs *r = fs;
	struct rinode *d = inode(r, dir);
	uint64_t used = 0;

	if (!d || !is_dir(d))
		return -FS_ENOTDIR;
	while (*pos < 2 + RAM_DENTS) {
		bool ok = true;
		if (*pos == 0)
			ok = fs_dirent_put(buf, n, &used, dir, FS_KIND_DIR, ".", 1);
		else if (*pos == 1)
			ok = fs_dirent_put(buf, n, &used, d->parent, FS_KIND_DIR, "..", 2);
		else {
			struct rdent *e = &r->de[*pos - 2];
			if (e->dir == dir)
				ok = fs_dirent_put(buf, n, &used, e->ino, kind_of(inode(r, e->ino)),
						   e->name, e->len);
		}
		if (!ok)
			return used ? (int64_t)used : -FS_EINVAL;
		(*pos)++;
	}
	return (int64_t)used;
}

static int ram_fsync(void *fs, uint64_t ino)
{
	(void)fs;
	(void)ino;
	return 0; /* memory is all there is */
}

static int ram_statfs(void *fs, struct fs_statfs *out)
{
	struct ramfs *r = fs;
	uint64_t inodes_free = 0;

	for (unsigned k = 0; k < RAM_INODES; k++)
		inodes_free += !r->in[k].used;
	*out = (struct fs_statfs){.block_size = PAGE,
				  .blocks = r->max_pages,
				  .blocks_free = r->max_pages - r->pages,
				  .inodes = RAM_INODES,
				  .inodes_free = inodes_free};
	return 0;
}

static void ram_hold(void *fs, uint64_t ino)
{
	struct rinode *i = inode(fs, ino);

	if (i)
		i->holds++;
}

static void ram_release(void *fs, uint64_t ino)
{
	struct rinode *i = inode(fs, ino);

	if (i && i->holds) {
		i->holds--;
		maybe_free(fs, i);
	}
}

const struct fs_backend ramfs_backend = {
    .name = "ramfs",
    .lookup = ram_lookup,
    .stat = ram_stat,
    .create = ram_create,
    .mkdir = ram_mkdir,
    .unlink = ram_unlink,
    .rmdir = ram_rmdir,
    .rename = ram_rename,
    .read = ram_read,
    .write = ram_write,
    .truncate = ram_truncate,
    .map_pages = ram_map_pages,
    .readdir = ram_readdir,
    .fsync = ram_fsync,
    .statfs = ram_statfs,
    .hold = ram_hold,
    .release = ram_release,
};
