/*
 * The file-system backend interface of fs: what a file system (the RAM
 * one in ramfs.c, ext2 over blk later) provides so that the core — paths,
 * mounts, descriptors, open-file descriptions, pipes, the protocol — can
 * serve it.
 *
 * A backend names its files and directories by inode numbers of its own
 * (any uint64_t but 0). Every operation gets the backend's state pointer
 * (struct fs_mount's priv) first and returns 0 (or a byte count) on
 * success and -FS_E* (lib/user/fs_proto.h) on failure, having changed
 * nothing on failure. The core runs on one thread and calls one operation
 * at a time; an operation must not block for long (a backend waiting for
 * its disk will need the core to save the reply: not done yet).
 *
 * What the core has checked before it calls:
 * - names are 1..FS_NAME_MAX bytes, not "." or "..", without '/' (they are
 *   not NUL-terminated: use the length);
 * - a `dir` argument was found by lookup and is a directory (stat said so);
 * - create and mkdir are only called for a name lookup did not find;
 * - unlink is only called for something that is not a directory, rmdir for
 *   a directory that is not a mount's root;
 * - rename: both parents are directories of this backend, the old name
 *   exists, the new path is not inside the old one; old == new is not
 *   passed on;
 * - read and write: only on regular files, with n > 0 (n <= the window);
 *   write at an offset the caller chose (append is the core's: it asks
 *   stat for the size first).
 *
 * What the backend decides:
 * - lookup: -FS_ENOENT if the name is not there;
 * - rmdir: -FS_ENOTEMPTY unless the directory holds only "." and "..";
 * - rename onto an existing name: a file replaces a file, a directory an
 *   empty directory; -FS_EISDIR (file onto a directory), -FS_ENOTDIR
 *   (directory onto a file), -FS_ENOTEMPTY;
 * - -FS_ENOSPC, -FS_EFBIG (beyond the largest file), -FS_EIO, -FS_EROFS.
 *
 * Lifetime: the core calls hold(ino) when an open-file description comes to
 * refer to a file or directory and release(ino) when that description
 * closes. A file unlinked while held keeps its data until its last
 * release; its nlink (stat) is then 0.
 */
#ifndef STRATA_USER_FS_BACKEND_H
#define STRATA_USER_FS_BACKEND_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/abi.h"
#include "lib/user/fs_proto.h"

/* st_mode type bits (as ext2 stores them). */
#define FS_S_IFMT  0170000
#define FS_S_IFDIR 0040000
#define FS_S_IFREG 0100000
#define FS_S_IFCHR 0020000
#define FS_S_IFIFO 0010000

struct fs_backend {
	const char *name; /* "ramfs", "ext2" */

	/* The inode of name in directory dir: *ino. */
	int (*lookup)(void *fs, uint64_t dir, const char *name, size_t len, uint64_t *ino);
	/* Attributes of ino (st->mode carries the type bits FS_S_IF*). */
	int (*stat)(void *fs, uint64_t ino, struct fs_stat *st);
	/* A new empty regular file name in dir with permissions mode & 07777: *ino. */
	int (*create)(void *fs, uint64_t dir, const char *name, size_t len, uint32_t mode,
		      uint64_t *ino);
	/* A new directory (with "." and "..") name in dir: *ino. */
	int (*mkdir)(void *fs, uint64_t dir, const char *name, size_t len, uint32_t mode,
		     uint64_t *ino);
	/* Remove the entry name (not a directory) from dir; the file goes with its last link and
	 * hold. */
	int (*unlink)(void *fs, uint64_t dir, const char *name, size_t len);
	/* Remove the empty directory name from dir. */
	int (*rmdir)(void *fs, uint64_t dir, const char *name, size_t len);
	/* Move odir/oname to ndir/nname, replacing what is there as described above. */
	int (*rename)(void *fs, uint64_t odir, const char *oname, size_t olen, uint64_t ndir,
		      const char *nname, size_t nlen);
	/* Up to n bytes of file ino from off into buf: the count, 0 at or past the end. */
	int64_t (*read)(void *fs, uint64_t ino, uint64_t off, void *buf, uint64_t n);
	/* n bytes from buf into file ino at off (a hole before off reads as zeros): n. */
	int64_t (*write)(void *fs, uint64_t ino, uint64_t off, const void *buf, uint64_t n);
	/*
	 * Make file ino size bytes long (cut, or grow with zeros). Pages it
	 * cuts are taken back from every process mapping them.
	 */
	int (*truncate)(void *fs, uint64_t ino, uint64_t size);
	/*
	 * For mapping (map.c): the pages of memory that hold file ino from
	 * byte off (page aligned) on — the very pages read and write use — as
	 * frame[i] (fs's handle: the caller neither keeps nor closes it) and
	 * page[i], its index in that frame; up to n of them (n >= 1; a backend
	 * may give fewer). The first page must be there: with make, a hole
	 * gets its page (zeros) now; without, -FS_ENOENT. The ones after it
	 * only while they exist. Returns how many. -FS_ENXIO at or beyond the
	 * page holding the end of the file. n = 0 only asks whether the file
	 * can be mapped (0), giving out nothing. NULL: this file system cannot
	 * map files (-FS_ENODEV for FS_MAP); -FS_ENODEV from it: not this file.
	 */
	int (*map_pages)(void *fs, uint64_t ino, uint64_t off, unsigned n, bool make,
			 handle_t *frame, uint64_t *page);
	/*
	 * Directory entries of dir from position *pos (0: the start, then
	 * whatever the backend stores there) into buf as struct fs_dirent
	 * records (fs_dirent_put), as many whole ones as fit in n bytes; *pos
	 * moves past them. Returns the bytes filled, 0 at the end. "." and ".."
	 * come first. -FS_EINVAL if not even one record fits.
	 */
	int64_t (*readdir)(void *fs, uint64_t dir, uint64_t *pos, void *buf, uint64_t n);
	/* Put ino's data and metadata on the disk (FS_ALL: everything); 0 once there. */
	int (*fsync)(void *fs, uint64_t ino);
	/* Sizes and free counts. */
	int (*statfs)(void *fs, struct fs_statfs *out);
	/* An open-file description refers to ino / no longer does (see Lifetime). */
	void (*hold)(void *fs, uint64_t ino);
	void (*release)(void *fs, uint64_t ino);
};

/*
 * Append a struct fs_dirent for (ino, type, name) to buf at *used, if it
 * fits in n bytes: true and *used advanced, else false. For readdir.
 */
bool fs_dirent_put(void *buf, uint64_t n, uint64_t *used, uint64_t ino, unsigned type,
		   const char *name, size_t len);

/* ---- the backends there are */

/*
 * ramfs.c: a file system in fs's memory, up to max_pages pages of file
 * data. *priv is its state for struct fs_mount, *root its root directory.
 * 0, or -FS_ENOMEM (no more instances).
 */
extern const struct fs_backend ramfs_backend;
int ramfs_new(uint64_t max_pages, void **priv, uint64_t *root);

/*
 * ext2fs.c: the partition named "root" of the blk disk behind blk, an ext2
 * file system (lib/user/fsdisk's volume: page cache, write-back). 0, or
 * -FS_E* with a console line saying why (then nothing is mounted).
 */
extern const struct fs_backend ext2_backend;
int ext2fs_mount_root(handle_t blk, void **priv, uint64_t *root);
/* Write everything back and mark the file system clean. */
int ext2fs_unmount(void *priv);
/* Pages the disk's cache holds in frames (0 without a disk). */
uint64_t ext2fs_cache_pages(void);

#endif
