/*
 * Internal interfaces shared by the ext2 library's files: block buffers
 * (blk_*), group descriptors (gd_*), allocation (alloc_*), block maps
 * (bmap_*) and directory blocks (dir_*). Not for servers.
 */
#ifndef STRATA_LIB_EXT2_PRIV_H
#define STRATA_LIB_EXT2_PRIV_H

#include "lib/ext2/ext2.h"

/* Set fs->why from a format and return code. */
int ext2_fail(struct ext2_fs *fs, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Time for time fields. */
uint32_t ext2_now(struct ext2_fs *fs);

/*
 * Borrow block blk (checked to lie inside the file system) from the device;
 * NULL with fs->why set (EIO or ECORRUPT in *err) on failure.
 */
uint8_t *blk_get(struct ext2_fs *fs, uint32_t blk, int flags, int *err);
void blk_put(struct ext2_fs *fs, uint8_t *buf, int dirty);
/* Fill block blk with zeros. */
int blk_zero(struct ext2_fs *fs, uint32_t blk);

int gd_read(struct ext2_fs *fs, uint32_t g, struct ext2_group_desc *gd);
int gd_write(struct ext2_fs *fs, uint32_t g, const struct ext2_group_desc *gd);

/* Allocate a block, near goal if it can; zeroed if zero is set. */
int alloc_block(struct ext2_fs *fs, uint32_t goal, int zero, uint32_t *blk);
int free_block(struct ext2_fs *fs, uint32_t blk);
/* Allocate an inode, in the group of parent if it can. */
int alloc_inode(struct ext2_fs *fs, uint32_t parent, int is_dir, uint32_t *ino);
int free_inode(struct ext2_fs *fs, uint32_t ino, int is_dir);

/* Bytes of on-disk inode (from the 128-byte base) */
static inline uint64_t inode_size64(const struct ext2_inode *in)
{
	return in->i_size | (uint64_t)in->i_size_high << 32;
}

/*
 * The physical block of logical block lblk of inode ino (*in): 0 for a hole.
 * With alloc set, holes are filled with a new zeroed block (and missing
 * indirect blocks), in->i_blocks grows, and the caller writes *in back.
 */
int bmap(struct ext2_fs *fs, uint32_t ino, struct ext2_inode *in, uint32_t lblk, int alloc,
	 uint32_t *pblk);
/* Free every block of *in from logical block from on (and indirect blocks left empty). */
int bmap_free_from(struct ext2_fs *fs, uint32_t ino, struct ext2_inode *in, uint32_t from);
/* Logical blocks the map can address. */
uint64_t bmap_limit(const struct ext2_fs *fs);

/* Set the file size (i_size and i_size_high), raising large_file if needed. */
void inode_set_size(struct ext2_fs *fs, struct ext2_inode *in, uint64_t size);
/* Blocks held by an inode's data (512-byte units per block). */
static inline uint32_t sectors_per_block(const struct ext2_fs *fs)
{
	return fs->bsize / 512;
}
/* Free an inode with no links: its blocks, then the inode itself. */
int inode_destroy(struct ext2_fs *fs, uint32_t ino, struct ext2_inode *in);
/* Clear the whole on-disk inode ino (extra bytes too) and write *in into it. */
int inode_init(struct ext2_fs *fs, uint32_t ino, const struct ext2_inode *in);
/* A symbolic link whose target lives in i_block. */
int inode_is_fast_symlink(const struct ext2_fs *fs, const struct ext2_inode *in);

/* Where a directory entry is: enough to change or remove it. */
struct dir_pos {
	uint32_t pblk;	   /* the directory block */
	uint32_t off;	   /* the entry's offset in it */
	uint32_t prev_off; /* the previous entry's offset, or off if it is the first */
	uint32_t ino;
	uint8_t type;
};

/* Read inode ino and check it is a directory (EXT2_ENOTDIR). */
int dir_get(struct ext2_fs *fs, uint32_t dir, struct ext2_inode *in);
/* Check a name: 1..255 bytes, no '/' or NUL. */
int dir_name_ok(struct ext2_fs *fs, const char *name, size_t len);
/* Find name in directory dir (*din): EXT2_ENOENT if absent. */
int dir_find(struct ext2_fs *fs, uint32_t dir, struct ext2_inode *din, const char *name, size_t len,
	     struct dir_pos *pos);
/* Add an entry (the caller checked it is absent); updates and writes *din. */
int dir_add(struct ext2_fs *fs, uint32_t dir, struct ext2_inode *din, const char *name, size_t len,
	    uint32_t ino, uint8_t type);
/* Remove the entry at pos. */
int dir_remove(struct ext2_fs *fs, const struct dir_pos *pos);
/* Point the entry at pos to another inode. */
int dir_set(struct ext2_fs *fs, const struct dir_pos *pos, uint32_t ino, uint8_t type);
/* 1 if directory dir holds nothing but "." and "..", 0 if it does, or an error. */
int dir_empty(struct ext2_fs *fs, uint32_t dir, struct ext2_inode *din);
/* The directory file type for an inode mode. */
uint8_t dir_ftype(uint16_t mode);

static inline uint32_t rd32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}
static inline uint16_t rd16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}
static inline void wr32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}
static inline void wr16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

#endif
