/*
 * The ext2 backend: the disk's root partition, mounted through the volume
 * of lib/user/fsdisk (the page cache over blk and lib/ext2). The core walks
 * paths with lookup and hands over directory inodes and names; everything
 * else is the volume's, which takes its own lock and keeps write-back
 * going in the background.
 */
#include "user/fs/fs.h"

#include "lib/user/fsdisk/vol.h"
#include "lib/user/ulib.h"

#define CACHE_PAGES  4096 /* 16 MiB of cache at most, half of what fs may hold at most */
#define IO_WORKERS   4
#define IO_PRIO	     27
#define WRITEBACK_MS 3000 /* dirty data reaches the disk within a few seconds */

static struct vol vol;

/* A corrupt file system says what is wrong, but does not flood the console. */
#define EIO_LINES 16

/* r, saying on the console what went wrong when it is an I/O error (a device, or corruption). */
static int64_t said(int64_t r)
{
	static unsigned lines;

	if (r == -FS_EIO && lines < EIO_LINES) {
		lines++;
		uprintf("fs: ext2: %s\n", vol_why(&vol));
	}
	return r;
}

static int e2_lookup(void *fs, uint64_t dir, const char *name, size_t len, uint64_t *ino)
{
	uint32_t i;
	int e = (int)said(vol_lookup_at(fs, (uint32_t)dir, name, len, &i));

	*ino = i;
	return e;
}

static int e2_stat(void *fs, uint64_t ino, struct fs_stat *st)
{
	return (int)said(vol_stat(fs, (uint32_t)ino, st));
}

static int e2_create(void *fs, uint64_t dir, const char *name, size_t len, uint32_t mode,
		     uint64_t *ino)
{
	uint32_t i;
	int e = (int)said(vol_create_at(fs, (uint32_t)dir, name, len, mode, &i));

	*ino = i;
	return e;
}

static int e2_mkdir(void *fs, uint64_t dir, const char *name, size_t len, uint32_t mode,
		    uint64_t *ino)
{
	uint32_t i;
	int e = (int)said(vol_mkdir_at(fs, (uint32_t)dir, name, len, mode, &i));

	*ino = i;
	return e;
}

static int e2_unlink(void *fs, uint64_t dir, const char *name, size_t len)
{
	return (int)said(vol_unlink_at(fs, (uint32_t)dir, name, len));
}

static int e2_rmdir(void *fs, uint64_t dir, const char *name, size_t len)
{
	return (int)said(vol_rmdir_at(fs, (uint32_t)dir, name, len));
}

static int e2_rename(void *fs, uint64_t odir, const char *oname, size_t olen, uint64_t ndir,
		     const char *nname, size_t nlen)
{
	return (int)said(
	    vol_rename_at(fs, (uint32_t)odir, oname, olen, (uint32_t)ndir, nname, nlen));
}

static int64_t e2_read(void *fs, uint64_t ino, uint64_t off, void *buf, uint64_t n)
{
	return said(vol_read(fs, (uint32_t)ino, off, buf, n));
}

static int64_t e2_write(void *fs, uint64_t ino, uint64_t off, const void *buf, uint64_t n)
{
	return said(vol_write(fs, (uint32_t)ino, off, buf, n));
}

static int e2_truncate(void *fs, uint64_t ino, uint64_t size)
{
	return (int)said(vol_truncate(fs, (uint32_t)ino, size));
}

static int64_t e2_readdir(void *fs, uint64_t dir, uint64_t *pos, void *buf, uint64_t n)
{
	return said(vol_readdir(fs, (uint32_t)dir, pos, buf, n));
}

static int e2_map_pages(void *fs, uint64_t ino, uint64_t off, unsigned n, bool make,
			handle_t *frame, uint64_t *page)
{
	int e = vol_map_pages(fs, (uint32_t)ino, off, n, make, frame, page);

	return e == -FS_EIO ? (int)said(e) : e;
}

static int e2_fsync(void *fs, uint64_t ino)
{
	return ino == FS_ALL ? vol_sync(fs) : vol_fsync(fs, (uint32_t)ino);
}

static int e2_statfs(void *fs, struct fs_statfs *out)
{
	return (int)said(vol_statfs(fs, out));
}

static void e2_hold(void *fs, uint64_t ino)
{
	if (vol_hold(fs, (uint32_t)ino) != 0)
		uprintf("fs: cannot hold inode %lu open: %s\n", ino, vol_why(fs));
}

static void e2_release(void *fs, uint64_t ino)
{
	vol_close(fs, (uint32_t)ino);
}

const struct fs_backend ext2_backend = {
    .name = "ext2",
    .lookup = e2_lookup,
    .stat = e2_stat,
    .create = e2_create,
    .mkdir = e2_mkdir,
    .unlink = e2_unlink,
    .rmdir = e2_rmdir,
    .rename = e2_rename,
    .read = e2_read,
    .write = e2_write,
    .truncate = e2_truncate,
    .map_pages = e2_map_pages,
    .readdir = e2_readdir,
    .fsync = e2_fsync,
    .statfs = e2_statfs,
    .hold = e2_hold,
    .release = e2_release,
};

/* Pages the cache may use: half of what is left of fs's quota, within bounds. */
static uint32_t cache_pages(void)
{
	uint64_t limit = 0, used = 0, pages;

	if (sys_quota_info(uenv.quota, &limit, &used) != ERR_OK || used >= limit)
		return 64;
	pages = (limit - used) / PAGE / 2;
	return pages > CACHE_PAGES ? CACHE_PAGES : pages < 64 ? 64 : (uint32_t)pages;
}

int ext2fs_mount_root(handle_t blk, void **priv, uint64_t *root)
{
	const struct vol_config c = {.blk = blk,
				     .part_name = "root",
				     .ipc = FS_IPCBUF,
				     .cache_pages = cache_pages(),
				     .workers = IO_WORKERS,
				     .prio = IO_PRIO,
				     .writeback_ms = WRITEBACK_MS};
	int e = vol_mount(&vol, &c);

	if (e != 0) {
		uprintf("fs: cannot mount the disk's root partition: %s\n", vol_why(&vol));
		return e;
	}
	*priv = &vol;
	*root = EXT2_ROOT_INO;
	return 0;
}

uint64_t ext2fs_cache_pages(void)
{
	struct vol_stats st;

	if (!vol.mounted)
		return 0;
	vol_stats(&vol, &st);
	return st.cache.frames + st.cache.tables; /* the frames and the tables that map them */
}

int ext2fs_unmount(void *priv)
{
	return vol_unmount(priv);
}
