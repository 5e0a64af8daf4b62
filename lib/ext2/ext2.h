/*
 * The ext2 library: reads and writes an ext2 file system (revision 1, and
 * revision 0) over an abstract block device. It is the on-disk core of the
 * file server; it keeps no state but struct ext2_fs and allocates nothing.
 *
 * The block device (struct ext2_dev) lends block buffers, as a page cache
 * does: get() returns the buffer holding a block, put() gives it back and
 * says whether it was changed. A block held twice at once must come back as
 * the same buffer. The library holds at most EXT2_MAX_HELD buffers at any
 * moment and gives every one back before a call returns, on every path.
 * Before the block size is known, ext2_mount reads 1 KiB block 1 (bytes
 * 1024..2047, the superblock) with size 1024; afterwards every get() asks
 * for blocks of the file system's block size.
 *
 * Supported: block sizes 1, 2 and 4 KiB; sparse_super, large_file and
 * filetype; ext_attr blocks and the resize inode with its reserved GDT
 * blocks are kept as they are (never allocated, never freed); dir_index
 * directories are read linearly, and a directory that gains an entry loses
 * its index flag (it stays a valid linear directory). Unknown incompat
 * features refuse the mount, unknown ro_compat features make it read-only.
 * Not supported: journals (has_journal is ignored, needs_recovery refused),
 * extents, 64bit, meta_bg, file types other than regular files,
 * directories and symbolic links for creation, extended attribute editing.
 *
 * Every function returns 0 (or a count) on success and a negative enum
 * ext2_err on failure, with a sentence in fs->why saying what was wrong
 * (which inode, which block, which field). Nothing read from the disk is
 * trusted: a corrupt image gives EXT2_ECORRUPT, never a crash or a read
 * out of bounds. A failed call leaves the file system consistent: it either
 * did nothing or, for writes that ran out of space, what it wrote so far.
 *
 * Names are (pointer, length) pairs, 1..255 bytes, without '/' or NUL.
 */
#ifndef STRATA_LIB_EXT2_EXT2_H
#define STRATA_LIB_EXT2_EXT2_H

#include <stddef.h>
#include <stdint.h>

#include "lib/ext2/format.h"

/* Errors: negative, named after the POSIX codes the server maps them to. */
enum ext2_err {
	EXT2_OK = 0,
	EXT2_EIO = -1,	    /* the device failed to read or write */
	EXT2_ECORRUPT = -2, /* the file system is malformed (reported to users as EIO) */
	EXT2_ENOENT = -3,
	EXT2_EEXIST = -4,
	EXT2_ENOTDIR = -5,
	EXT2_EISDIR = -6,
	EXT2_ENOTEMPTY = -7,
	EXT2_ENAMETOOLONG = -8,
	EXT2_ENOSPC = -9,
	EXT2_EINVAL = -10,
	EXT2_EROFS = -11,
	EXT2_EFBIG = -12,	 /* offset or size past what the block map can hold */
	EXT2_EMLINK = -13,	 /* link count would overflow */
	EXT2_EUNSUPPORTED = -14, /* mount: a feature this library does not implement */
	EXT2_EPERM = -15,	 /* a hard link to a directory */
	EXT2_ERR_LAST = -15,
};

/* The name of an error code ("EXT2_ENOENT"), or "EXT2_E?" for unknown codes. */
const char *ext2_err_name(int code);

/* get() flags */
#define EXT2_GET_NOREAD 1 /* the caller overwrites the whole block: no need to read it */

#define EXT2_MAX_HELD 4 /* block buffers held at once, at most */

/* The block device, supplied by the caller and copied into struct ext2_fs. */
struct ext2_dev {
	void *ctx;
	/* The buffer of block blk (size bytes, aligned to 8), or NULL on an I/O error. */
	uint8_t *(*get)(void *ctx, uint64_t blk, uint32_t size, int flags);
	/* Give back a buffer from get(); dirty: it was changed and must be written. */
	void (*put)(void *ctx, uint8_t *buf, int dirty);
	/*
	 * Optional: nonzero while inode ino is open. An inode whose last link
	 * goes away while it is busy keeps its blocks until ext2_release().
	 */
	int (*busy)(void *ctx, uint32_t ino);
	/* Optional: the time in seconds since 1970 for time fields (0 without it). */
	uint32_t (*now)(void *ctx);
	uint64_t size; /* device size in bytes: the file system must fit */
};

struct ext2_fs {
	struct ext2_dev dev;
	struct ext2_super sb; /* the primary superblock, written back by ext2_sync */
	uint32_t bsize;	      /* block size in bytes */
	uint32_t groups;      /* block groups */
	uint32_t gdt_blocks;  /* blocks of the group descriptor table */
	uint32_t inode_size;
	uint32_t first_ino; /* first inode number for files */
	uint32_t addrs;	    /* block numbers per indirect block */
	int readonly;
	int was_clean; /* s_state at mount said clean: ext2_unmount may say so again */
	int sb_dirty;
	int held; /* buffers currently held (checked against EXT2_MAX_HELD) */
	char why[160];
};

/* ext2_mount flags */
#define EXT2_MOUNT_RDONLY 1

/*
 * Check the superblock, every group descriptor and the root inode, and fill
 * fs. Fails with EXT2_ECORRUPT (bad magic, block size, counts, table out of
 * range, inode size...), EXT2_EUNSUPPORTED (revision, incompat features) or
 * EXT2_EIO, with the reason in fs->why. Mounted read-write it records the
 * mount in the superblock (mount count, time, state not clean until
 * ext2_unmount). fs->readonly says how it was mounted.
 */
int ext2_mount(struct ext2_fs *fs, const struct ext2_dev *dev, unsigned flags);
/* Write the superblock if its counts changed. */
int ext2_sync(struct ext2_fs *fs);
/* Mark the file system clean and write the superblock. */
int ext2_unmount(struct ext2_fs *fs);

/* ----------------------------------------------------------------- inodes */

/* Read inode ino (1..s_inodes_count) into *in. */
int ext2_iget(struct ext2_fs *fs, uint32_t ino, struct ext2_inode *in);
/*
 * Write back the first 128 bytes of inode ino (extra bytes stay). The server
 * uses it for mode, owner and times; sizes and block maps change only
 * through the calls below.
 */
int ext2_iput(struct ext2_fs *fs, uint32_t ino, const struct ext2_inode *in);
/* The 64-bit size of an inode. */
uint64_t ext2_isize(const struct ext2_inode *in);

/*
 * Read up to len bytes at off of inode ino into buf: returns the number read
 * (0 at or past the end). Holes read as zeros.
 */
long ext2_read(struct ext2_fs *fs, uint32_t ino, uint64_t off, void *buf, size_t len);
/*
 * Write len bytes at off, allocating blocks as needed and extending the
 * size. Returns len, or the bytes written before the disk filled up, or
 * EXT2_ENOSPC if none were.
 */
long ext2_write(struct ext2_fs *fs, uint32_t ino, uint64_t off, const void *buf, size_t len);
/*
 * The device blocks of n logical blocks of inode ino from lblk on, into
 * pblk[0..n-1] (0 for a hole, and for blocks past the largest map). Reads
 * only: a page cache uses it to read ahead and to know which cached blocks
 * hold a file's data.
 */
int ext2_bmap(struct ext2_fs *fs, uint32_t ino, uint64_t lblk, uint32_t n, uint32_t *pblk);
/* Set the size of a regular file: shrinking frees blocks, growing leaves a hole. */
int ext2_truncate(struct ext2_fs *fs, uint32_t ino, uint64_t size);
/* The target of symbolic link ino into buf (NUL terminated); returns its length. */
long ext2_readlink(struct ext2_fs *fs, uint32_t ino, char *buf, size_t len);
/*
 * Free inode ino if it has no links left: the server calls it when the last
 * open reference to an inode unlinked while busy goes away.
 */
int ext2_release(struct ext2_fs *fs, uint32_t ino);

/* ------------------------------------------------------------ directories */

struct ext2_dirent {
	uint32_t ino;
	uint8_t type; /* enum ext2_ftype (EXT2_FT_UNKNOWN without the filetype feature) */
	uint8_t name_len;
	char name[EXT2_NAME_LEN + 1]; /* NUL terminated */
};

/* The inode number of name in directory dir. */
int ext2_lookup(struct ext2_fs *fs, uint32_t dir, const char *name, size_t len, uint32_t *ino);
/*
 * The next entry of dir at or after *cookie (start with 0): returns 1 and
 * advances *cookie, 0 at the end. The cookie is a byte offset, stable
 * across entries added and removed elsewhere in the directory.
 */
int ext2_readdir(struct ext2_fs *fs, uint32_t dir, uint64_t *cookie, struct ext2_dirent *out);

/* Create a regular file (mode holds the permission bits). */
int ext2_create(struct ext2_fs *fs, uint32_t dir, const char *name, size_t len, uint16_t mode,
		uint16_t uid, uint16_t gid, uint32_t *ino);
/* Create a directory with "." and "..". */
int ext2_mkdir(struct ext2_fs *fs, uint32_t dir, const char *name, size_t len, uint16_t mode,
	       uint16_t uid, uint16_t gid, uint32_t *ino);
/* Create a symbolic link to target (len bytes). */
int ext2_symlink(struct ext2_fs *fs, uint32_t dir, const char *name, size_t len, const char *target,
		 size_t tlen, uint16_t uid, uint16_t gid, uint32_t *ino);
/* Another name for non-directory ino. */
int ext2_link(struct ext2_fs *fs, uint32_t dir, const char *name, size_t len, uint32_t ino);
/* Remove a non-directory name; the inode is freed at its last link unless busy. */
int ext2_unlink(struct ext2_fs *fs, uint32_t dir, const char *name, size_t len);
/* Remove an empty directory (EXT2_ENOTEMPTY otherwise). */
int ext2_rmdir(struct ext2_fs *fs, uint32_t dir, const char *name, size_t len);
/*
 * Move a name, replacing what the new name held (an empty directory may be
 * replaced by a directory, a non-directory by a non-directory). A directory
 * moved to another parent gets its ".." and both parents' link counts
 * updated; moving a directory under itself is EXT2_EINVAL.
 */
int ext2_rename(struct ext2_fs *fs, uint32_t sdir, const char *sname, size_t slen, uint32_t ddir,
		const char *dname, size_t dlen);

#endif
