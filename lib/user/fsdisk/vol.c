/*
 * The ext2 volume: paths, open inodes, read-ahead, fsync and the
 * background write-back over lib/ext2 and the page cache. See vol.h.
 */
#include "lib/user/fsdisk/vol.h"

#include "lib/error.h"
#include "lib/fmt.h"
#include "lib/str.h"
#include "lib/user/blk_proto.h"

#define FLUSH_TICK_MS 100

/* ------------------------------------------------------------ errors */

int vol_errno(int e)
{
	switch (e) {
	case EXT2_OK:
		return 0;
	case EXT2_ENOENT:
		return -FS_ENOENT;
	case EXT2_EEXIST:
		return -FS_EEXIST;
	case EXT2_ENOTDIR:
		return -FS_ENOTDIR;
	case EXT2_EISDIR:
		return -FS_EISDIR;
	case EXT2_ENOTEMPTY:
		return -FS_ENOTEMPTY;
	case EXT2_ENAMETOOLONG:
		return -FS_ENAMETOOLONG;
	case EXT2_ENOSPC:
		return -FS_ENOSPC;
	case EXT2_EINVAL:
	case EXT2_EUNSUPPORTED:
		return -FS_EINVAL;
	case EXT2_EROFS:
		return -FS_EROFS;
	case EXT2_EFBIG:
		return -FS_EFBIG;
	case EXT2_EMLINK:
		return -FS_EMLINK;
	case EXT2_EPERM:
		return -FS_EPERM;
	default: /* EXT2_EIO, EXT2_ECORRUPT */
		return -FS_EIO;
	}
}

/* The -errno of an ext2 result, keeping lib/ext2's sentence as ours. */
static long ext2_res(struct vol *v, long r)
{
	if (r >= 0)
		return r;
	str_copy(v->why, v->fs.why, sizeof(v->why));
	return vol_errno((int)r);
}

static int fail(struct vol *v, int err, const char *why)
{
	str_copy(v->why, why, sizeof(v->why));
	return err;
}

const char *vol_why(struct vol *v)
{
	return v->why;
}

/* ------------------------------------------------------------ open inodes */

static struct vol_file *file_find(struct vol *v, uint32_t ino)
{
	for (unsigned i = 0; i < VOL_OPEN_MAX; i++)
		if (v->open[i].refs && v->open[i].ino == ino)
			return &v->open[i];
	return 0;
}

static int busy_cb(void *ctx, uint32_t ino)
{
	return file_find(ctx, ino) != 0;
}

static uint32_t now_cb(void *ctx)
{
	struct vol *v = ctx;

	return v->time_base + (uint32_t)((sys_clock() - v->clock0) / 1000000000ull);
}

/* The ext2 device: the cache's, with the volume's busy and now. */
static uint8_t *dev_get(void *ctx, uint64_t blk, uint32_t size, int flags)
{
	struct vol *v = ctx;

	return pcache_get(&v->pc, blk, size, flags);
}

static void dev_put(void *ctx, uint8_t *buf, int dirty)
{
	struct vol *v = ctx;

	pcache_put(&v->pc, buf, dirty);
}

/* ------------------------------------------------------------ paths */

/* The inode of the len bytes of path (absolute), or -errno. */
static int walk(struct vol *v, const char *path, size_t len, uint32_t *ino)
{
	uint32_t cur = EXT2_ROOT_INO;
	size_t i = 0;

	if (!len || path[0] != '/')
		return fail(v, -FS_EINVAL, "a path must be absolute");
	while (i < len) {
		while (i < len && path[i] == '/')
			i++;
		size_t n = 0;
		while (i + n < len && path[i + n] != '/')
			n++;
		if (!n)
			break;
		if (n > FS_NAME_MAX)
			return fail(v, -FS_ENAMETOOLONG, "a name is longer than 255 bytes");
		if (!(n == 1 && path[i] == '.')) {
			int e = ext2_lookup(&v->fs, cur, path + i, n, &cur);
			if (e)
				return (int)ext2_res(v, e);
		}
		i += n;
	}
	*ino = cur;
	return 0;
}

/* A path taken apart: the parent directory's inode and the last name. */
struct vpath {
	uint32_t dir;
	const char *name;
	size_t len;
	int slash; /* a trailing slash: the name must be a directory */
};

/* Split path into its parent (looked up) and last name; "/" has none (-FS_EINVAL). */
static int split(struct vol *v, const char *path, struct vpath *p)
{
	size_t len = strlen(path), end;

	if (len >= FS_PATH_MAX)
		return fail(v, -FS_ENAMETOOLONG, "the path is too long");
	if (!len || path[0] != '/')
		return fail(v, -FS_EINVAL, "a path must be absolute");
	end = len;
	while (end > 1 && path[end - 1] == '/')
		end--;
	p->slash = end < len;
	size_t start = end;
	while (start > 0 && path[start - 1] != '/')
		start--;
	p->name = path + start;
	p->len = end - start;
	if (!p->len)
		return fail(v, -FS_EINVAL, "the root has no parent");
	if (p->len > FS_NAME_MAX)
		return fail(v, -FS_ENAMETOOLONG, "a name is longer than 255 bytes");
	int e = walk(v, path, start, &p->dir);
	if (e)
		return e;
	struct ext2_inode in;
	if ((e = ext2_iget(&v->fs, p->dir, &in)))
		return (int)ext2_res(v, e);
	if (!EXT2_ISDIR(in.i_mode))
		return fail(v, -FS_ENOTDIR, "a component of the path is not a directory");
	return 0;
}

static int is_dot(const struct vpath *p)
{
	return p->name[0] == '.' && (p->len == 1 || (p->len == 2 && p->name[1] == '.'));
}

/* The inode at path, with the trailing-slash rule. */
static int lookup(struct vol *v, const char *path, uint32_t *ino)
{
	size_t len = strlen(path);
	int e;

	if (len >= FS_PATH_MAX)
		return fail(v, -FS_ENAMETOOLONG, "the path is too long");
	if ((e = walk(v, path, len, ino)))
		return e;
	if (len > 1 && path[len - 1] == '/') {
		struct ext2_inode in;
		if ((e = ext2_iget(&v->fs, *ino, &in)))
			return (int)ext2_res(v, e);
		if (!EXT2_ISDIR(in.i_mode))
			return fail(v, -FS_ENOTDIR, "a trailing slash after a non-directory");
	}
	return 0;
}

/* ------------------------------------------------------------ mount */

/* Find the partition named name: its index, or -FS_ENOENT. */
static int find_part(struct vol *v, const struct vol_config *c)
{
	struct msg m = {.tag = msg_tag(BLK_INFO, 0, 0)};
	int e = ipc_call(c->blk, &m);

	if (e == ERR_OK)
		e = msg_error(m.tag);
	if (e != ERR_OK)
		return fail(v, -FS_EIO, "blk does not answer BLK_INFO");
	uint64_t slots = m.w[1];
	for (uint64_t i = 1; i <= slots; i++) {
		m = (struct msg){.tag = msg_tag(BLK_PART, 1, 0), .w = {i}};
		if (ipc_call(c->blk, &m) != ERR_OK || msg_error(m.tag) != ERR_OK)
			continue;
		char name[BLK_NAME_WORDS * 8 + 1];
		memcpy(name, &c->ipc->words[BLK_NAME_WORD], BLK_NAME_WORDS * 8);
		name[BLK_NAME_WORDS * 8] = 0;
		if (strcmp(name, c->part_name) == 0)
			return (int)i;
	}
	return fail(v, -FS_ENOENT, "no partition has that name");
}

static void flusher(void *arg)
{
	struct vol *v = arg;
	uint32_t ms = 0;

	while (!__atomic_load_n(&v->stop, __ATOMIC_ACQUIRE)) {
		sys_sleep(FLUSH_TICK_MS * 1000000ull);
		if ((ms += FLUSH_TICK_MS) < v->writeback_ms)
			continue;
		ms = 0;
		fsd_mutex_lock(&v->lock);
		if (!v->fs.readonly) {
			ext2_sync(&v->fs);
			pcache_writeback(&v->pc, 0);
		}
		fsd_mutex_unlock(&v->lock);
	}
}

int vol_mount(struct vol *v, const struct vol_config *c)
{
	int e, part = (int)c->part;

	*v = (struct vol){.writeback_ms = c->writeback_ms};
	if (fsd_mutex_init(&v->lock) != ERR_OK)
		return fail(v, -FS_ENOMEM, "no memory for a notification");
	if (c->part_name && (part = find_part(v, c)) < 0)
		goto fail_lock;
	v->part = (uint32_t)part;
	e = pcache_open(&v->pc, c->blk, v->part, c->cache_pages, c->workers, c->prio);
	if (e != ERR_OK) {
		part = e == ERR_NOENT			  ? -FS_ENOENT
		       : e == ERR_NOMEM || e == ERR_QUOTA ? -FS_ENOMEM
							  : -FS_EIO;
		fail(v, part, "cannot open the page cache on the partition");
		goto fail_lock;
	}
	struct ext2_dev dev = pcache_dev(&v->pc);
	dev.ctx = v;
	dev.get = dev_get;
	dev.put = dev_put;
	dev.busy = busy_cb;
	dev.now = now_cb;
	/*
	 * No clock of the wall: times go on from the latest the superblock
	 * holds (read raw here, before ext2_mount writes the mount time).
	 */
	const struct ext2_super *sb = (const void *)pcache_get(&v->pc, 1, 1024, 0);
	if (sb) {
		v->time_base = sb->s_wtime > sb->s_mtime ? sb->s_wtime : sb->s_mtime;
		pcache_put(&v->pc, (uint8_t *)sb, 0);
	}
	v->clock0 = sys_clock();
	e = ext2_mount(&v->fs, &dev, c->flags & VOL_RDONLY ? EXT2_MOUNT_RDONLY : 0);
	if (e) {
		part = (int)ext2_res(v, e);
		goto fail_cache;
	}
	if (!v->fs.readonly && (e = ext2_sync(&v->fs)) == 0)
		e = pcache_writeback(&v->pc, 0) == ERR_OK ? 0 : EXT2_EIO;
	if (e) {
		part = (int)ext2_res(v, e);
		goto fail_cache;
	}
	if (v->writeback_ms && fsd_thread_start(&v->flusher, flusher, v, c->prio) != ERR_OK) {
		fail(v, -FS_ENOMEM, "cannot start the write-back thread");
		part = -FS_ENOMEM;
		goto fail_cache;
	}
	v->mounted = 1;
	return 0;
fail_cache:
	pcache_close(&v->pc);
fail_lock:
	fsd_mutex_fini(&v->lock);
	return part;
}

int vol_unmount(struct vol *v)
{
	int e = 0;

	__atomic_store_n(&v->stop, 1, __ATOMIC_RELEASE);
	if (v->flusher.t)
		fsd_thread_join(&v->flusher);
	fsd_mutex_lock(&v->lock);
	if (!v->fs.readonly) {
		if (ext2_sync(&v->fs) || pcache_writeback(&v->pc, 0) != ERR_OK)
			e = fail(v, -FS_EIO, "write-back failed: the file system stays not clean");
		else if (ext2_unmount(&v->fs) || pcache_writeback(&v->pc, 0) != ERR_OK)
			e = fail(v, -FS_EIO, "cannot write the clean superblock");
	}
	pcache_close(&v->pc);
	v->mounted = 0;
	fsd_mutex_unlock(&v->lock);
	fsd_mutex_fini(&v->lock);
	return e;
}

/* ------------------------------------------------------------ open and close */

static unsigned kind_of(uint16_t mode)
{
	return EXT2_ISDIR(mode) ? FS_KIND_DIR : FS_KIND_FILE;
}

static int file_ref(struct vol *v, uint32_t ino)
{
	struct vol_file *f = file_find(v, ino);

	if (f) {
		f->refs++;
		return 0;
	}
	for (unsigned i = 0; i < VOL_OPEN_MAX; i++) {
		if (!v->open[i].refs) {
			v->open[i] = (struct vol_file){.ino = ino, .refs = 1};
			return 0;
		}
	}
	return fail(v, -FS_EMFILE, "too many inodes open");
}

static int do_open(struct vol *v, const char *path, unsigned flags, uint32_t mode, uint32_t *ino,
		   unsigned *kind)
{
	unsigned acc = flags & FS_O_ACCMODE;
	struct ext2_inode in;
	struct vpath p;
	int e;

	if (acc == FS_O_ACCMODE)
		return fail(v, -FS_EINVAL, "bad access mode");
	if (!(flags & FS_O_CREAT)) {
		if ((e = lookup(v, path, ino)))
			return e;
	} else {
		if ((e = split(v, path, &p)))
			return e;
		if (is_dot(&p) || p.slash) {
			if ((e = lookup(v, path, ino)))
				return e;
			if (flags & FS_O_EXCL)
				return fail(v, -FS_EEXIST, "the file exists");
		} else {
			e = ext2_lookup(&v->fs, p.dir, p.name, p.len, ino);
			if (e == 0 && (flags & FS_O_EXCL))
				return fail(v, -FS_EEXIST, "the file exists");
			if (e == EXT2_ENOENT)
				e = ext2_create(&v->fs, p.dir, p.name, p.len,
						(uint16_t)(mode & 07777), 0, 0, ino);
			if (e)
				return (int)ext2_res(v, e);
		}
	}
	if ((e = ext2_iget(&v->fs, *ino, &in)))
		return (int)ext2_res(v, e);
	if (EXT2_ISDIR(in.i_mode) && (acc != FS_O_RDONLY || (flags & FS_O_TRUNC)))
		return fail(v, -FS_EISDIR, "a directory opens for reading only");
	if (!EXT2_ISDIR(in.i_mode) && (flags & FS_O_DIRECTORY))
		return fail(v, -FS_ENOTDIR, "not a directory");
	if (acc != FS_O_RDONLY && v->fs.readonly)
		return fail(v, -FS_EROFS, "the file system is read-only");
	if ((flags & FS_O_TRUNC) && acc != FS_O_RDONLY && EXT2_ISREG(in.i_mode) &&
	    ext2_isize(&in) && (e = ext2_truncate(&v->fs, *ino, 0)))
		return (int)ext2_res(v, e);
	if ((e = file_ref(v, *ino)))
		return e;
	if (kind)
		*kind = kind_of(in.i_mode);
	return 0;
}

int vol_open(struct vol *v, const char *path, unsigned flags, uint32_t mode, uint32_t *ino,
	     unsigned *kind)
{
	fsd_mutex_lock(&v->lock);
	int e = do_open(v, path, flags, mode, ino, kind);
	fsd_mutex_unlock(&v->lock);
	return e;
}

int vol_iref(struct vol *v, uint32_t ino)
{
	fsd_mutex_lock(&v->lock);
	struct vol_file *f = file_find(v, ino);
	if (f)
		f->refs++;
	fsd_mutex_unlock(&v->lock);
	return f ? 0 : -FS_EBADF;
}

int vol_close(struct vol *v, uint32_t ino)
{
	int e = 0;

	fsd_mutex_lock(&v->lock);
	struct vol_file *f = file_find(v, ino);
	if (!f)
		e = fail(v, -FS_EBADF, "the inode is not open");
	else if (!--f->refs)
		e = (int)ext2_res(v, ext2_release(&v->fs, ino));
	fsd_mutex_unlock(&v->lock);
	return e;
}

int vol_lookup(struct vol *v, const char *path, uint32_t *ino)
{
	fsd_mutex_lock(&v->lock);
	int e = lookup(v, path, ino);
	fsd_mutex_unlock(&v->lock);
	return e;
}

/* ------------------------------------------------------------ data */

/*
 * Start reading the blocks of [from, to) of inode ino that are not cached
 * (the cache's workers read them in parallel while ext2_read waits for the
 * first).
 */
static void read_ahead(struct vol *v, uint32_t ino, uint64_t from, uint64_t to)
{
	uint32_t blk[32];

	while (from < to) {
		uint32_t n = to - from > 32 ? 32 : (uint32_t)(to - from);
		if (ext2_bmap(&v->fs, ino, from, n, blk))
			return;
		pcache_prefetch(&v->pc, blk, n, v->fs.bsize); /* what it skips, ext2_read reads */
		from += n;
	}
}

static long do_read(struct vol *v, uint32_t ino, uint64_t off, void *buf, size_t len)
{
	struct ext2_inode in;
	struct vol_file *f = file_find(v, ino);
	uint64_t bs = v->fs.bsize;
	int e;

	if ((e = ext2_iget(&v->fs, ino, &in)))
		return ext2_res(v, e);
	uint64_t size = ext2_isize(&in);
	if (!len || off >= size || !EXT2_ISREG(in.i_mode))
		return ext2_res(v, ext2_read(&v->fs, ino, off, buf, len));
	uint64_t end = off + len < size ? off + len : size;
	uint64_t first = off / bs, last = (end + bs - 1) / bs, nblocks = (size + bs - 1) / bs;
	uint64_t from = first, to = last;
	int seq = f && off == f->ra_next;
	if (seq) {
		to = last + VOL_RA_BLOCKS;
		if (f->ra_end > from)
			from = f->ra_end; /* only what was not asked for yet */
	}
	if (to > nblocks)
		to = nblocks;
	if (to > from)
		read_ahead(v, ino, from, to);
	long r = ext2_read(&v->fs, ino, off, buf, len);
	if (f && r > 0) {
		f->ra_next = off + (uint64_t)r;
		f->ra_end = seq && f->ra_end > to ? f->ra_end : to;
	}
	return ext2_res(v, r);
}

long vol_read(struct vol *v, uint32_t ino, uint64_t off, void *buf, size_t len)
{
	fsd_mutex_lock(&v->lock);
	long r = do_read(v, ino, off, buf, len);
	fsd_mutex_unlock(&v->lock);
	return r;
}

/* Call fn for each block of file blocks [from, to) of ino that exists (4 KiB blocks only). */
static void each_block(struct vol *v, uint32_t ino, uint64_t from, uint64_t to,
		       void (*fn)(struct pcache *pc, uint32_t blk, uint32_t ino))
{
	uint32_t blk[32];

	if (v->fs.bsize != PCACHE_PAGE)
		return;
	while (from < to) {
		uint32_t n = to - from > 32 ? 32 : (uint32_t)(to - from);
		if (ext2_bmap(&v->fs, ino, from, n, blk))
			return;
		for (uint32_t k = 0; k < n; k++)
			if (blk[k])
				fn(&v->pc, blk[k], ino);
		from += n;
	}
}

static void tag_block(struct pcache *pc, uint32_t blk, uint32_t ino)
{
	pcache_tag(pc, blk, PCACHE_PAGE, ino);
}

/* Tag the whole blocks of [off, off + len) of ino as its data, for vol_fsync. */
static void tag_data(struct vol *v, uint32_t ino, uint64_t off, uint64_t len)
{
	uint64_t bs = v->fs.bsize;

	each_block(v, ino, (off + bs - 1) / bs, (off + len) / bs, tag_block);
}

/* Bytes a mapping may have stored past the end of the file, in its last page, are not data. */
static void zero_past_end(struct vol *v, uint32_t ino, uint64_t size)
{
	uint32_t bs = v->fs.bsize, blk = 0, from = (uint32_t)(size % bs);

	if (bs != PCACHE_PAGE || !from || ext2_bmap(&v->fs, ino, size / bs, 1, &blk) || !blk)
		return;
	uint8_t *b = pcache_get(&v->pc, blk, bs, 0);
	if (!b)
		return;
	int dirty = 0;
	for (uint32_t k = from; k < bs && !dirty; k++)
		dirty = b[k] != 0;
	if (dirty)
		memset(b + from, 0, bs - from);
	pcache_put(&v->pc, b, dirty);
}

/* The file grows from its size to at least end: what lay past its old end reads as zeros. */
static void before_growing(struct vol *v, uint32_t ino, uint64_t end)
{
	struct ext2_inode in;

	if (!ext2_iget(&v->fs, ino, &in) && end > ext2_isize(&in))
		zero_past_end(v, ino, ext2_isize(&in));
}

static void unmap_block(struct pcache *pc, uint32_t blk, uint32_t ino)
{
	(void)ino;
	pcache_unmap(pc, blk);
}

/* The file shrinks to size: its pages past the new end leave every mapping first. */
static void before_cutting(struct vol *v, uint32_t ino, uint64_t size)
{
	struct ext2_inode in;
	uint64_t bs = v->fs.bsize;

	if (!ext2_iget(&v->fs, ino, &in))
		each_block(v, ino, (size + bs - 1) / bs, (ext2_isize(&in) + bs - 1) / bs,
			   unmap_block);
}

static long map_hole(struct vol *v, uint32_t ino, uint64_t off, uint64_t size)
{
	static const uint8_t zeros[PCACHE_PAGE];
	uint64_t n = size - off < PCACHE_PAGE ? size - off : PCACHE_PAGE;

	return ext2_write(&v->fs, ino, off, zeros, n);
}

/* The block of file page `index` of ino into *blk, a hole filled first (zeros) if make. */
static int page_block(struct vol *v, uint32_t ino, uint64_t index, uint64_t size, int make,
		      uint32_t *blk)
{
	int e = ext2_bmap(&v->fs, ino, index, 1, blk);

	if (e)
		return (int)ext2_res(v, e);
	if (*blk || !make)
		return *blk ? 0 : -FS_ENOENT;
	long r = map_hole(v, ino, index * PCACHE_PAGE, size);
	if (r < 0)
		return (int)ext2_res(v, r);
	if ((e = ext2_bmap(&v->fs, ino, index, 1, blk)) || !*blk)
		return fail(v, -FS_EIO, "a hole filled for mapping has no block");
	return 0;
}

#define MAP_BATCH 16

static int map_pages(struct vol *v, uint32_t ino, uint64_t off, unsigned n, int make,
		     handle_t *frame, uint64_t *page)
{
	struct ext2_inode in;
	uint32_t blk[MAP_BATCH], pg;
	unsigned got = 0;
	int e;

	if (v->fs.bsize != PCACHE_PAGE || off % PCACHE_PAGE)
		return -FS_ENODEV;
	if (n == 0)
		return 0; /* only asked whether it can map: it can */
	if ((e = ext2_iget(&v->fs, ino, &in)))
		return (int)ext2_res(v, e);
	uint64_t size = ext2_isize(&in), pages = (size + PCACHE_PAGE - 1) / PCACHE_PAGE;
	if (off / PCACHE_PAGE >= pages)
		return -FS_ENXIO;
	if (n > MAP_BATCH)
		n = MAP_BATCH;
	if (n > pages - off / PCACHE_PAGE)
		n = (unsigned)(pages - off / PCACHE_PAGE);
	if ((e = page_block(v, ino, off / PCACHE_PAGE, size, make, &blk[0])))
		return e;
	/* The pages after the first: those with a block, in one walk of the block map. */
	if (n > 1 && ext2_bmap(&v->fs, ino, off / PCACHE_PAGE + 1, n - 1, blk + 1))
		n = 1;
	while (got < n && blk[got] && pcache_map(&v->pc, blk[got], ino, &frame[got], &pg) == ERR_OK)
		page[got++] = pg;
	if (got == 0)
		return fail(v, -FS_EIO, "the disk failed to read a page to map");
	return (int)got;
}

int vol_map_pages(struct vol *v, uint32_t ino, uint64_t off, unsigned n, int make, handle_t *frame,
		  uint64_t *page)
{
	fsd_mutex_lock(&v->lock);
	int e = map_pages(v, ino, off, n, make, frame, page);
	fsd_mutex_unlock(&v->lock);
	return e;
}

int vol_map_page(struct vol *v, uint32_t ino, uint64_t off, int make, handle_t *frame,
		 uint64_t *page)
{
	int e = vol_map_pages(v, ino, off, 1, make, frame, page);

	return e < 0 ? e : 0;
}

long vol_write(struct vol *v, uint32_t ino, uint64_t off, const void *buf, size_t len)
{
	fsd_mutex_lock(&v->lock);
	if (len)
		before_growing(v, ino, off);
	long r = ext2_write(&v->fs, ino, off, buf, len);
	if (r > 0)
		tag_data(v, ino, off, (uint64_t)r);
	r = ext2_res(v, r);
	fsd_mutex_unlock(&v->lock);
	return r;
}

int vol_truncate(struct vol *v, uint32_t ino, uint64_t size)
{
	fsd_mutex_lock(&v->lock);
	before_cutting(v, ino, size);
	before_growing(v, ino, size);
	int e = (int)ext2_res(v, ext2_truncate(&v->fs, ino, size));
	fsd_mutex_unlock(&v->lock);
	return e;
}

/* ------------------------------------------------------------ stat and readdir */

static int do_stat(struct vol *v, uint32_t ino, struct fs_stat *st)
{
	struct ext2_inode in;
	int e = ext2_iget(&v->fs, ino, &in);

	if (e)
		return (int)ext2_res(v, e);
	*st = (struct fs_stat){.ino = ino,
			       .size = ext2_isize(&in),
			       .blocks = in.i_blocks,
			       .mode = in.i_mode,
			       .nlink = in.i_links_count,
			       .uid = in.i_uid,
			       .gid = in.i_gid,
			       .atime = in.i_atime,
			       .mtime = in.i_mtime,
			       .ctime = in.i_ctime,
			       .blksize = v->fs.bsize};
	return 0;
}

int vol_stat(struct vol *v, uint32_t ino, struct fs_stat *st)
{
	fsd_mutex_lock(&v->lock);
	int e = do_stat(v, ino, st);
	fsd_mutex_unlock(&v->lock);
	return e;
}

int vol_stat_path(struct vol *v, const char *path, struct fs_stat *st)
{
	uint32_t ino;

	fsd_mutex_lock(&v->lock);
	int e = lookup(v, path, &ino);
	if (!e)
		e = do_stat(v, ino, st);
	fsd_mutex_unlock(&v->lock);
	return e;
}

static long do_readdir(struct vol *v, uint32_t ino, uint64_t *cookie, void *buf, size_t len)
{
	struct ext2_dirent d;
	size_t used = 0;

	for (;;) {
		uint64_t at = *cookie;
		int r = ext2_readdir(&v->fs, ino, cookie, &d);
		if (r < 0)
			return ext2_res(v, r);
		if (r == 0)
			break;
		size_t rec = (offsetof(struct fs_dirent, name) + d.name_len + 1 + 7) & ~(size_t)7;
		if (used + rec > len) {
			*cookie = at; /* this one comes with the next call */
			if (!used)
				return fail(v, -FS_EINVAL, "the buffer holds no entry");
			break;
		}
		struct fs_dirent *o = (struct fs_dirent *)((uint8_t *)buf + used);
		o->ino = d.ino;
		o->reclen = (uint16_t)rec;
		o->type = d.type == EXT2_FT_REG_FILE ? FS_KIND_FILE
			  : d.type == EXT2_FT_DIR    ? FS_KIND_DIR
						     : 0;
		o->namelen = d.name_len;
		memcpy(o->name, d.name, d.name_len);
		memset(o->name + d.name_len, 0,
		       rec - offsetof(struct fs_dirent, name) - d.name_len);
		used += rec;
	}
	return (long)used;
}

long vol_readdir(struct vol *v, uint32_t ino, uint64_t *cookie, void *buf, size_t len)
{
	fsd_mutex_lock(&v->lock);
	long r = do_readdir(v, ino, cookie, buf, len);
	fsd_mutex_unlock(&v->lock);
	return r;
}

/* ------------------------------------------------------------ names */

int vol_mkdir(struct vol *v, const char *path, uint32_t mode)
{
	struct vpath p;
	uint32_t ino;

	fsd_mutex_lock(&v->lock);
	int e = split(v, path, &p);
	if (!e && is_dot(&p))
		e = fail(v, -FS_EEXIST, "the directory exists");
	if (!e)
		e = (int)ext2_res(v, ext2_mkdir(&v->fs, p.dir, p.name, p.len,
						(uint16_t)(mode & 07777), 0, 0, &ino));
	fsd_mutex_unlock(&v->lock);
	return e;
}

int vol_rmdir(struct vol *v, const char *path)
{
	struct vpath p;

	fsd_mutex_lock(&v->lock);
	int e = split(v, path, &p);
	if (!e && is_dot(&p))
		e = fail(v, p.len == 1 ? -FS_EINVAL : -FS_ENOTEMPTY, "cannot remove . or ..");
	if (!e)
		e = (int)ext2_res(v, ext2_rmdir(&v->fs, p.dir, p.name, p.len));
	fsd_mutex_unlock(&v->lock);
	return e;
}

int vol_unlink(struct vol *v, const char *path)
{
	struct vpath p;

	fsd_mutex_lock(&v->lock);
	int e = split(v, path, &p);
	if (!e && (is_dot(&p) || p.slash))
		e = fail(v, -FS_EISDIR, "a directory");
	if (!e)
		e = (int)ext2_res(v, ext2_unlink(&v->fs, p.dir, p.name, p.len));
	fsd_mutex_unlock(&v->lock);
	return e;
}

int vol_rename(struct vol *v, const char *from, const char *to)
{
	struct vpath a, b;

	fsd_mutex_lock(&v->lock);
	int e = split(v, from, &a);
	if (!e)
		e = split(v, to, &b);
	if (!e && (is_dot(&a) || is_dot(&b)))
		e = fail(v, -FS_EINVAL, "cannot rename . or ..");
	if (!e)
		e = (int)ext2_res(v,
				  ext2_rename(&v->fs, a.dir, a.name, a.len, b.dir, b.name, b.len));
	fsd_mutex_unlock(&v->lock);
	return e;
}

int vol_statfs(struct vol *v, struct fs_statfs *st)
{
	fsd_mutex_lock(&v->lock);
	*st = (struct fs_statfs){.block_size = v->fs.bsize,
				 .blocks = v->fs.sb.s_blocks_count,
				 .blocks_free = v->fs.sb.s_free_blocks_count,
				 .inodes = v->fs.sb.s_inodes_count,
				 .inodes_free = v->fs.sb.s_free_inodes_count};
	fsd_mutex_unlock(&v->lock);
	return 0;
}

/* ------------------------------------------------------------ sync */

static int do_sync(struct vol *v, uint32_t ino)
{
	if (v->fs.readonly)
		return 0;
	int e = ext2_sync(&v->fs);
	if (e)
		return (int)ext2_res(v, e);
	if (pcache_writeback(&v->pc, ino) != ERR_OK)
		return fail(v, -FS_EIO, "the disk failed to write a page");
	return 0;
}

int vol_fsync(struct vol *v, uint32_t ino)
{
	fsd_mutex_lock(&v->lock);
	int e = ino ? do_sync(v, ino) : -FS_EBADF;
	fsd_mutex_unlock(&v->lock);
	return e;
}

int vol_sync(struct vol *v)
{
	fsd_mutex_lock(&v->lock);
	int e = do_sync(v, 0);
	fsd_mutex_unlock(&v->lock);
	return e;
}

void vol_trim(struct vol *v)
{
	fsd_mutex_lock(&v->lock);
	pcache_trim(&v->pc);
	fsd_mutex_unlock(&v->lock);
}

void vol_stats(struct vol *v, struct vol_stats *st)
{
	fsd_mutex_lock(&v->lock);
	pcache_stats(&v->pc, &st->cache);
	st->open = 0;
	for (unsigned i = 0; i < VOL_OPEN_MAX; i++)
		st->open += v->open[i].refs != 0;
	fsd_mutex_unlock(&v->lock);
}

/* ---- by directory and name: for a server that walks paths itself */

int vol_hold(struct vol *v, uint32_t ino)
{
	fsd_mutex_lock(&v->lock);
	int e = file_ref(v, ino);
	fsd_mutex_unlock(&v->lock);
	return e;
}

int vol_lookup_at(struct vol *v, uint32_t dir, const char *name, size_t len, uint32_t *ino)
{
	fsd_mutex_lock(&v->lock);
	int e = (int)ext2_res(v, ext2_lookup(&v->fs, dir, name, len, ino));
	fsd_mutex_unlock(&v->lock);
	return e;
}

int vol_create_at(struct vol *v, uint32_t dir, const char *name, size_t len, uint32_t mode,
		  uint32_t *ino)
{
	fsd_mutex_lock(&v->lock);
	int e = (int)ext2_res(
	    v, ext2_create(&v->fs, dir, name, len, (uint16_t)(mode & 07777), 0, 0, ino));
	fsd_mutex_unlock(&v->lock);
	return e;
}

int vol_mkdir_at(struct vol *v, uint32_t dir, const char *name, size_t len, uint32_t mode,
		 uint32_t *ino)
{
	fsd_mutex_lock(&v->lock);
	int e = (int)ext2_res(
	    v, ext2_mkdir(&v->fs, dir, name, len, (uint16_t)(mode & 07777), 0, 0, ino));
	fsd_mutex_unlock(&v->lock);
	return e;
}

int vol_unlink_at(struct vol *v, uint32_t dir, const char *name, size_t len)
{
	fsd_mutex_lock(&v->lock);
	int e = (int)ext2_res(v, ext2_unlink(&v->fs, dir, name, len));
	fsd_mutex_unlock(&v->lock);
	return e;
}

int vol_rmdir_at(struct vol *v, uint32_t dir, const char *name, size_t len)
{
	fsd_mutex_lock(&v->lock);
	int e = (int)ext2_res(v, ext2_rmdir(&v->fs, dir, name, len));
	fsd_mutex_unlock(&v->lock);
	return e;
}

int vol_rename_at(struct vol *v, uint32_t odir, const char *oname, size_t olen, uint32_t ndir,
		  const char *nname, size_t nlen)
{
	fsd_mutex_lock(&v->lock);
	int e = (int)ext2_res(v, ext2_rename(&v->fs, odir, oname, olen, ndir, nname, nlen));
	fsd_mutex_unlock(&v->lock);
	return e;
}
