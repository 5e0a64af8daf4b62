/*
 * The ext2 volume of the file server: one partition of the blk disk,
 * mounted with lib/ext2 over the page cache (pcache.h), and the operations
 * the server's backend needs, by path and by inode. Independent of the fs
 * protocol's messages: the server turns requests into these calls.
 *
 * Every call returns 0 (or a count) on success and -errno on failure, the
 * FS_E* values of lib/user/fs_proto.h (a malformed file system and device
 * errors are FS_EIO); vol_why() says in a sentence what went wrong last.
 *
 * Paths are absolute ("/a/b"), at most FS_PATH_MAX bytes; "." and ".." are
 * followed, repeated and trailing slashes are allowed (a trailing slash
 * asks for a directory). Symbolic links are not followed.
 *
 * Open inodes: vol_open returns an inode number with a reference held; the
 * server keeps it for as long as a descriptor names it (vol_iref for each
 * more, vol_close for each gone). An open inode whose last name goes keeps
 * its data until its last reference is closed.
 *
 * Threads: every call takes the volume's mutex, so the server may call from
 * any number of threads; they are served one at a time, while the cache's
 * I/O threads keep several disk requests in flight (read-ahead, write-back).
 * A background thread writes dirty pages back every writeback_ms.
 */
#ifndef STRATA_LIB_USER_FSDISK_VOL_H
#define STRATA_LIB_USER_FSDISK_VOL_H

#include <stddef.h>
#include <stdint.h>

#include "lib/ext2/ext2.h"
#include "lib/user/fs_proto.h"
#include "lib/user/fsdisk/pcache.h"
#include "lib/user/fsdisk/sys.h"
#include "lib/user/ipc.h"

#define VOL_OPEN_MAX  256 /* inodes open at once */
#define VOL_RA_BLOCKS 64  /* read-ahead of a sequential reader, in blocks */
#define VOL_RDONLY    1	  /* vol_config.flags */

struct vol_config {
	handle_t blk;		/* the blk endpoint (WRITE) */
	const char *part_name;	/* the GPT name of the partition ("root"), or NULL: part */
	uint32_t part;		/* partition index, if no name */
	struct ipc_buffer *ipc; /* the calling thread's IPC buffer (to read partition names) */
	uint32_t cache_pages;	/* the page cache's limit */
	unsigned workers;	/* I/O threads (PCACHE_MAX_WORKERS at most) */
	unsigned prio;		/* priority of the library's threads */
	uint32_t writeback_ms;	/* background write-back period (0: none) */
	unsigned flags;		/* VOL_RDONLY */
};

/* An open inode. */
struct vol_file {
	uint32_t ino, refs;
	uint64_t ra_next; /* where a sequential reader reads next */
	uint64_t ra_end;  /* blocks below this were asked for already */
};

struct vol {
	struct fsd_mutex lock;
	struct pcache pc;		    /* [lock] */
	struct ext2_fs fs;		    /* [lock] */
	struct vol_file open[VOL_OPEN_MAX]; /* [lock] */
	uint32_t part;
	uint32_t time_base; /* the superblock's last write time at mount */
	uint64_t clock0;    /* sys_clock() at mount */
	struct fsd_thread flusher;
	uint32_t writeback_ms;
	int stop; /* the flusher leaves (atomic) */
	int mounted;
	char why[160]; /* [lock] */
};

struct vol_stats {
	struct pcache_stats cache;
	uint32_t open; /* inodes open */
};

/*
 * Find the partition, open the cache and mount it (read-only with
 * VOL_RDONLY). Fails with -FS_ENOENT (no such partition), -FS_EIO (the
 * device, or a malformed file system), -FS_EINVAL (features lib/ext2 does
 * not support), -FS_ENOMEM; nothing stays allocated then.
 */
int vol_mount(struct vol *v, const struct vol_config *c);
/*
 * Write everything back, mark the file system clean and free every frame
 * and thread. -FS_EIO if something could not be written (the file system
 * then stays marked not clean). Open inodes are forgotten.
 */
int vol_unmount(struct vol *v);
/* The last error's sentence (from lib/ext2 or the volume). */
const char *vol_why(struct vol *v);

/* The inode at path. */
int vol_lookup(struct vol *v, const char *path, uint32_t *ino);
/*
 * Open path with FS_O_* flags: FS_O_CREAT makes a regular file with the
 * permission bits of mode if there is none (with FS_O_EXCL: -FS_EEXIST if
 * there is), FS_O_TRUNC empties a regular file opened for writing,
 * FS_O_DIRECTORY wants a directory (-FS_ENOTDIR). A directory opens for
 * reading only (-FS_EISDIR). *ino gets a reference; *kind the FS_KIND_*.
 */
int vol_open(struct vol *v, const char *path, unsigned flags, uint32_t mode, uint32_t *ino,
	     unsigned *kind);
/* One more reference to an open inode (-FS_EBADF if it is not open). */
int vol_iref(struct vol *v, uint32_t ino);
/* Drop a reference; the last one frees the inode if its last name went meanwhile. */
int vol_close(struct vol *v, uint32_t ino);

/* Read up to len bytes at off: the count (0 at the end). Sequential reads read ahead. */
long vol_read(struct vol *v, uint32_t ino, uint64_t off, void *buf, size_t len);
/* Write len bytes at off: the count, short if the disk filled up after some (-FS_ENOSPC if none).
 */
long vol_write(struct vol *v, uint32_t ino, uint64_t off, const void *buf, size_t len);
int vol_truncate(struct vol *v, uint32_t ino, uint64_t size);
int vol_stat(struct vol *v, uint32_t ino, struct fs_stat *st);
int vol_stat_path(struct vol *v, const char *path, struct fs_stat *st);
/*
 * Fill buf with struct fs_dirent records of directory ino from *cookie (0
 * at the start) on: the bytes filled, 0 at the end; *cookie advances past
 * the entries given. -FS_EINVAL if not even one record fits.
 */
long vol_readdir(struct vol *v, uint32_t ino, uint64_t *cookie, void *buf, size_t len);

int vol_mkdir(struct vol *v, const char *path, uint32_t mode);
int vol_rmdir(struct vol *v, const char *path);
int vol_unlink(struct vol *v, const char *path);
int vol_rename(struct vol *v, const char *from, const char *to);
int vol_statfs(struct vol *v, struct fs_statfs *st);

/*
 * For mapping (the server's mmap): the cache page holding bytes [off, off +
 * 4096) of file ino (off page aligned), as the cache's frame and the page
 * in it (pcache_map). With make, a hole gets its block now (zeros);
 * without, -FS_ENOENT for a hole. -FS_ENXIO at or beyond the page holding
 * the end of the file; -FS_ENODEV if blocks are not 4 KiB (a page must be
 * one block); -FS_ENOSPC, -FS_EIO.
 */
int vol_map_page(struct vol *v, uint32_t ino, uint64_t off, int make, handle_t *frame,
		 uint64_t *page);
/*
 * The same for up to n pages from off (at most 16): the first as above, the
 * ones after it while they have blocks (not beyond the end): their count.
 * n = 0 only asks whether the file can be mapped: 0, or -FS_ENODEV.
 */
int vol_map_pages(struct vol *v, uint32_t ino, uint64_t off, unsigned n, int make, handle_t *frame,
		  uint64_t *page);

/* Write inode ino's data and all metadata to the disk and flush it. */
int vol_fsync(struct vol *v, uint32_t ino);
/* Write everything to the disk and flush it. */
int vol_sync(struct vol *v);
/* Drop the clean cached pages and free their frames (memory pressure). */
void vol_trim(struct vol *v);
void vol_stats(struct vol *v, struct vol_stats *st);

/*
 * By directory inode and name, for a server that walks paths itself (the
 * fs server's backend): names are 1..255 bytes without '/', not "." or "..".
 * vol_hold takes a reference on any inode (as vol_open does), vol_close
 * drops it.
 */
int vol_hold(struct vol *v, uint32_t ino);
int vol_lookup_at(struct vol *v, uint32_t dir, const char *name, size_t len, uint32_t *ino);
int vol_create_at(struct vol *v, uint32_t dir, const char *name, size_t len, uint32_t mode,
		  uint32_t *ino);
int vol_mkdir_at(struct vol *v, uint32_t dir, const char *name, size_t len, uint32_t mode,
		 uint32_t *ino);
int vol_unlink_at(struct vol *v, uint32_t dir, const char *name, size_t len);
int vol_rmdir_at(struct vol *v, uint32_t dir, const char *name, size_t len);
int vol_rename_at(struct vol *v, uint32_t odir, const char *oname, size_t olen, uint32_t ndir,
		  const char *nname, size_t nlen);

/* The -FS_E* value for an enum ext2_err. */
int vol_errno(int ext2_err);

#endif
