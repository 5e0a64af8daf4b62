/*
 * ext2 inodes: reading and writing them, their block maps (12 direct
 * blocks, then single-, double- and triple-indirect blocks), file data, and
 * truncation. Holes (block number 0) read as zeros.
 *
 *   i_block[0..11]  data blocks 0..11
 *   i_block[12]  -> A block numbers              (A = block size / 4)
 *   i_block[13]  -> A blocks of A block numbers
 *   i_block[14]  -> A blocks of A blocks of A block numbers
 */
#include "lib/ext2/priv.h"
#include "lib/str.h"

/* Where inode ino lives: its block and byte offset there. */
static int inode_locate(struct ext2_fs *fs, uint32_t ino, uint32_t *blk, uint32_t *off)
{
	uint32_t ipg = fs->sb.s_inodes_per_group, idx;
	struct ext2_group_desc gd;
	uint64_t byte;
	int err;

	if (ino == 0 || ino > fs->sb.s_inodes_count)
		return ext2_fail(fs, EXT2_ECORRUPT, "inode %u out of range (1 to %u)", ino,
				 fs->sb.s_inodes_count);
	if ((err = gd_read(fs, (ino - 1) / ipg, &gd)))
		return err;
	idx = (ino - 1) % ipg;
	byte = (uint64_t)idx * fs->inode_size;
	*blk = gd.bg_inode_table + (uint32_t)(byte / fs->bsize);
	*off = (uint32_t)(byte % fs->bsize);
	return 0;
}

int ext2_iget(struct ext2_fs *fs, uint32_t ino, struct ext2_inode *in)
{
	uint32_t blk = 0, off = 0;
	uint8_t *b;
	int err;

	if ((err = inode_locate(fs, ino, &blk, &off)))
		return err;
	if (!(b = blk_get(fs, blk, 0, &err)))
		return err;
	memcpy(in, b + off, sizeof(*in));
	blk_put(fs, b, 0);
	return 0;
}

int ext2_iput(struct ext2_fs *fs, uint32_t ino, const struct ext2_inode *in)
{
	uint32_t blk = 0, off = 0;
	uint8_t *b;
	int err;

	if (fs->readonly)
		return ext2_fail(fs, EXT2_EROFS, "the file system is read-only");
	if ((err = inode_locate(fs, ino, &blk, &off)))
		return err;
	if (!(b = blk_get(fs, blk, 0, &err)))
		return err;
	memcpy(b + off, in, sizeof(*in));
	blk_put(fs, b, 1);
	return 0;
}

/* Clears the whole on-disk inode ino (extra bytes too) and writes *in into it. */
int inode_init(struct ext2_fs *fs, uint32_t ino, const struct ext2_inode *in)
{
	uint32_t blk = 0, off = 0;
	uint8_t *b;
	int err;

	if ((err = inode_locate(fs, ino, &blk, &off)))
		return err;
	if (!(b = blk_get(fs, blk, 0, &err)))
		return err;
	memset(b + off, 0, fs->inode_size);
	memcpy(b + off, in, sizeof(*in));
	if (fs->inode_size >= EXT2_GOOD_OLD_INODE_SIZE + 4) {
		/* i_extra_isize: the fields past 128 bytes the file system expects */
		uint32_t extra = fs->sb.s_want_extra_isize ? fs->sb.s_want_extra_isize : 32;

		if (extra > fs->inode_size - EXT2_GOOD_OLD_INODE_SIZE || (extra & 3))
			extra = 4;
		wr16(b + off + EXT2_GOOD_OLD_INODE_SIZE, (uint16_t)extra);
	}
	blk_put(fs, b, 1);
	return 0;
}

uint64_t ext2_isize(const struct ext2_inode *in)
{
	return inode_size64(in);
}

void inode_set_size(struct ext2_fs *fs, struct ext2_inode *in, uint64_t size)
{
	in->i_size = (uint32_t)size;
	in->i_size_high = (uint32_t)(size >> 32);
	if (size > 0x7fffffffu &&
	    !(fs->sb.s_feature_ro_compat & EXT2_FEATURE_RO_COMPAT_LARGE_FILE)) {
		fs->sb.s_feature_ro_compat |= EXT2_FEATURE_RO_COMPAT_LARGE_FILE;
		if (fs->sb.s_rev_level >= 1)
			fs->sb_dirty = 1;
	}
}

/* ------------------------------------------------------------ block maps */

uint64_t bmap_limit(const struct ext2_fs *fs)
{
	uint64_t a = fs->addrs, n = EXT2_NDIR_BLOCKS + a + a * a + a * a * a;

	return n > 0xffffffffu ? 0xffffffffu : n;
}

/* A block number read from a map: 0 (a hole) or a block past the GDT. */
static int ptr_ok(const struct ext2_fs *fs, uint32_t p)
{
	return p == 0 ||
	       (p > fs->sb.s_first_data_block + fs->gdt_blocks && p < fs->sb.s_blocks_count);
}

/* Splits lblk into the i_block slot and the indices at each indirect level. */
static int bmap_path(const struct ext2_fs *fs, uint32_t lblk, uint32_t idx[3], int *depth)
{
	uint64_t a = fs->addrs, l = lblk;

	if (l < EXT2_NDIR_BLOCKS) {
		*depth = 0;
		return (int)l;
	}
	l -= EXT2_NDIR_BLOCKS;
	for (int d = 1; d <= 3; d++) {
		uint64_t span = d == 1 ? a : d == 2 ? a * a : a * a * a;

		if (l < span) {
			*depth = d;
			for (int i = d - 1; i >= 0; i--, l /= a)
				idx[i] = (uint32_t)(l % a);
			return EXT2_IND_BLOCK + d - 1;
		}
		l -= span;
	}
	return -1;
}

/* A new block for inode ino's map, counted in in->i_blocks. */
static int bmap_new(struct ext2_fs *fs, uint32_t ino, struct ext2_inode *in, uint32_t goal,
		    uint32_t *blk)
{
	int err;

	if (!goal)
		goal = fs->sb.s_first_data_block +
		       (ino - 1) / fs->sb.s_inodes_per_group * fs->sb.s_blocks_per_group;
	if ((err = alloc_block(fs, goal, 1, blk)))
		return err;
	in->i_blocks += sectors_per_block(fs);
	return 0;
}

/*
 * bmap's walk. Without alloc, *missing is the number of blocks a hole at
 * lblk needs (the data block and the indirect blocks not there yet).
 */
static int bmap_walk(struct ext2_fs *fs, uint32_t ino, struct ext2_inode *in, uint32_t lblk,
		     int alloc, uint32_t *pblk, int *missing)
{
	uint32_t idx[3], p;
	int depth, slot = bmap_path(fs, lblk, idx, &depth), err;

	*pblk = 0;
	if (slot < 0)
		return ext2_fail(fs, EXT2_EFBIG, "block %u is past the largest map", lblk);
	p = in->i_block[slot];
	if (!ptr_ok(fs, p))
		return ext2_fail(fs, EXT2_ECORRUPT, "inode %u: block pointer %u out of range", ino,
				 p);
	*missing = depth + 1;
	if (!p) {
		if (!alloc)
			return 0;
		if ((err = bmap_new(fs, ino, in, 0, &p)))
			return err;
		in->i_block[slot] = p;
	}
	for (int d = 0; d < depth; d++) {
		uint8_t *b = blk_get(fs, p, 0, &err);
		uint32_t next;

		if (!b)
			return err;
		next = rd32(b + 4 * idx[d]);
		if (!ptr_ok(fs, next)) {
			blk_put(fs, b, 0);
			return ext2_fail(fs, EXT2_ECORRUPT,
					 "inode %u: block pointer %u in block %u out of range", ino,
					 next, p);
		}
		if (!next && alloc) {
			if ((err = bmap_new(fs, ino, in, p, &next))) {
				blk_put(fs, b, 0);
				return err;
			}
			wr32(b + 4 * idx[d], next);
			blk_put(fs, b, 1);
		} else {
			blk_put(fs, b, 0);
		}
		*missing = depth - d;
		if (!next)
			return 0;
		p = next;
	}
	*pblk = p;
	*missing = 0;
	return 0;
}

int bmap(struct ext2_fs *fs, uint32_t ino, struct ext2_inode *in, uint32_t lblk, int alloc,
	 uint32_t *pblk)
{
	int missing, err = bmap_walk(fs, ino, in, lblk, 0, pblk, &missing);

	if (err || *pblk || !alloc)
		return err;
	/* All or nothing: no indirect block is left without the block it was for. */
	if (fs->sb.s_free_blocks_count < (uint32_t)missing)
		return ext2_fail(fs, EXT2_ENOSPC, "no room for %d more blocks", missing);
	return bmap_walk(fs, ino, in, lblk, 1, pblk, &missing);
}

int ext2_bmap(struct ext2_fs *fs, uint32_t ino, uint64_t lblk, uint32_t n, uint32_t *pblk)
{
	struct ext2_inode in;
	uint64_t limit = bmap_limit(fs);
	int err;

	if ((err = ext2_iget(fs, ino, &in)))
		return err;
	for (uint32_t i = 0; i < n; i++) {
		pblk[i] = 0;
		if (lblk + i < limit &&
		    (err = bmap(fs, ino, &in, (uint32_t)(lblk + i), 0, &pblk[i])))
			return err;
	}
	return 0;
}

/* Frees a block of inode *in, uncounting it. */
static int bmap_release(struct ext2_fs *fs, struct ext2_inode *in, uint32_t blk)
{
	uint32_t s = sectors_per_block(fs);

	in->i_blocks = in->i_blocks >= s ? in->i_blocks - s : 0;
	return free_block(fs, blk);
}

/*
 * Frees the blocks at logical blocks >= from under indirect block blk of
 * level `level` (1: it holds data block numbers) covering logical blocks
 * from base on. The caller frees blk itself if base >= from.
 */
static int trunc_ind(struct ext2_fs *fs, uint32_t ino, struct ext2_inode *in, uint32_t blk,
		     int level, uint64_t base, uint64_t from)
{
	uint64_t span = 1;
	uint8_t *b;
	int err = 0;

	for (int i = 1; i < level; i++)
		span *= fs->addrs;
	for (uint32_t i = 0; i < fs->addrs; i++) {
		uint64_t start = base + i * span;
		uint32_t child;

		if (start + span <= from)
			continue;
		if (!(b = blk_get(fs, blk, 0, &err)))
			return err;
		child = rd32(b + 4 * i);
		blk_put(fs, b, 0);
		if (!child)
			continue;
		if (!ptr_ok(fs, child))
			return ext2_fail(fs, EXT2_ECORRUPT,
					 "inode %u: block pointer %u in block %u out of range", ino,
					 child, blk);
		if (level > 1 && (err = trunc_ind(fs, ino, in, child, level - 1, start, from)))
			return err;
		if (start >= from) {
			if ((err = bmap_release(fs, in, child)))
				return err;
			if (!(b = blk_get(fs, blk, 0, &err)))
				return err;
			wr32(b + 4 * i, 0);
			blk_put(fs, b, 1);
		}
	}
	return 0;
}

int bmap_free_from(struct ext2_fs *fs, uint32_t ino, struct ext2_inode *in, uint32_t from)
{
	uint64_t a = fs->addrs, base = EXT2_NDIR_BLOCKS;
	int err;

	for (uint32_t i = from; i < EXT2_NDIR_BLOCKS; i++) {
		uint32_t p = in->i_block[i];

		if (!p)
			continue;
		if (!ptr_ok(fs, p))
			return ext2_fail(fs, EXT2_ECORRUPT,
					 "inode %u: block pointer %u out of range", ino, p);
		if ((err = bmap_release(fs, in, p)))
			return err;
		in->i_block[i] = 0;
	}
	for (int level = 1; level <= 3; level++) {
		uint64_t span = level == 1 ? a : level == 2 ? a * a : a * a * a;
		uint32_t p = in->i_block[EXT2_IND_BLOCK + level - 1];

		if (p && base + span > from) {
			if (!ptr_ok(fs, p))
				return ext2_fail(fs, EXT2_ECORRUPT,
						 "inode %u: block pointer %u out of range", ino, p);
			if ((err = trunc_ind(fs, ino, in, p, level, base, from)))
				return err;
			if (base >= from) {
				if ((err = bmap_release(fs, in, p)))
					return err;
				in->i_block[EXT2_IND_BLOCK + level - 1] = 0;
			}
		}
		base += span;
	}
	return 0;
}

/* ------------------------------------------------------------ file data */

long ext2_read(struct ext2_fs *fs, uint32_t ino, uint64_t off, void *buf, size_t len)
{
	struct ext2_inode in;
	uint64_t size;
	size_t done = 0;
	int err;

	if ((err = ext2_iget(fs, ino, &in)))
		return err;
	if (EXT2_ISDIR(in.i_mode))
		return ext2_fail(fs, EXT2_EISDIR, "inode %u is a directory", ino);
	if (EXT2_ISLNK(in.i_mode))
		return ext2_fail(fs, EXT2_EINVAL, "inode %u is a symbolic link", ino);
	size = inode_size64(&in);
	if (off >= size)
		return 0;
	if (len > size - off)
		len = (size_t)(size - off);
	if (len > 0x40000000)
		len = 0x40000000;
	while (done < len) {
		uint64_t pos = off + done;
		uint32_t boff = (uint32_t)(pos % fs->bsize), n = fs->bsize - boff, p;

		if (n > len - done)
			n = (uint32_t)(len - done);
		if (pos / fs->bsize > 0xffffffffu)
			return ext2_fail(fs, EXT2_ECORRUPT, "inode %u: size past the block map",
					 ino);
		if ((err = bmap(fs, ino, &in, (uint32_t)(pos / fs->bsize), 0, &p)))
			return err;
		if (!p) {
			memset((uint8_t *)buf + done, 0, n);
		} else {
			uint8_t *b = blk_get(fs, p, 0, &err);

			if (!b)
				return err;
			memcpy((uint8_t *)buf + done, b + boff, n);
			blk_put(fs, b, 0);
		}
		done += n;
	}
	return (long)done;
}

/* Checks that inode ino may be written to as a regular file. */
static int writable_file(struct ext2_fs *fs, uint32_t ino, const struct ext2_inode *in)
{
	if (fs->readonly)
		return ext2_fail(fs, EXT2_EROFS, "the file system is read-only");
	if (EXT2_ISDIR(in->i_mode))
		return ext2_fail(fs, EXT2_EISDIR, "inode %u is a directory", ino);
	if (!EXT2_ISREG(in->i_mode))
		return ext2_fail(fs, EXT2_EINVAL, "inode %u is not a regular file", ino);
	return 0;
}

long ext2_write(struct ext2_fs *fs, uint32_t ino, uint64_t off, const void *buf, size_t len)
{
	struct ext2_inode in;
	size_t done = 0;
	int err;

	if ((err = ext2_iget(fs, ino, &in)) || (err = writable_file(fs, ino, &in)))
		return err;
	if (len > 0x40000000)
		len = 0x40000000;
	if (off + len > bmap_limit(fs) * fs->bsize || off + len < off)
		return ext2_fail(fs, EXT2_EFBIG, "write past the largest file");
	err = 0;
	while (done < len) {
		uint64_t pos = off + done;
		uint32_t boff = (uint32_t)(pos % fs->bsize), n = fs->bsize - boff, p;
		uint8_t *b;

		if (n > len - done)
			n = (uint32_t)(len - done);
		if ((err = bmap(fs, ino, &in, (uint32_t)(pos / fs->bsize), 1, &p)))
			break;
		if (!(b = blk_get(fs, p, n == fs->bsize ? EXT2_GET_NOREAD : 0, &err)))
			break;
		memcpy(b + boff, (const uint8_t *)buf + done, n);
		blk_put(fs, b, 1);
		done += n;
	}
	if (done) {
		if (off + done > inode_size64(&in))
			inode_set_size(fs, &in, off + done);
		in.i_mtime = in.i_ctime = ext2_now(fs);
	}
	/* The map may have grown even when nothing was written: write it back. */
	if (ext2_iput(fs, ino, &in) && !err)
		err = EXT2_EIO;
	if (done && (err == 0 || err == EXT2_ENOSPC))
		return (long)done;
	return err;
}

int ext2_truncate(struct ext2_fs *fs, uint32_t ino, uint64_t size)
{
	struct ext2_inode in;
	uint64_t keep;
	int err;

	if ((err = ext2_iget(fs, ino, &in)) || (err = writable_file(fs, ino, &in)))
		return err;
	if (size > bmap_limit(fs) * fs->bsize)
		return ext2_fail(fs, EXT2_EFBIG, "size %llu past the largest file",
				 (unsigned long long)size);
	keep = (size + fs->bsize - 1) / fs->bsize;
	if (size < inode_size64(&in)) {
		uint32_t p;

		err = bmap_free_from(fs, ino, &in, (uint32_t)keep);
		/* The tail of the last block reads as zeros if the file grows again. */
		if (!err && size % fs->bsize &&
		    !(err = bmap(fs, ino, &in, (uint32_t)(keep - 1), 0, &p)) && p) {
			uint8_t *b = blk_get(fs, p, 0, &err);

			if (b) {
				memset(b + size % fs->bsize, 0, fs->bsize - size % fs->bsize);
				blk_put(fs, b, 1);
			}
		}
	}
	inode_set_size(fs, &in, size);
	in.i_mtime = in.i_ctime = ext2_now(fs);
	if (ext2_iput(fs, ino, &in) && !err)
		err = EXT2_EIO;
	return err;
}

/* ------------------------------------------------------------ symlinks, freeing */

/* A fast symlink keeps its target in i_block and has no data block. */
int inode_is_fast_symlink(const struct ext2_fs *fs, const struct ext2_inode *in)
{
	uint32_t xattr = in->i_file_acl ? sectors_per_block(fs) : 0;

	return EXT2_ISLNK(in->i_mode) && in->i_blocks <= xattr;
}

long ext2_readlink(struct ext2_fs *fs, uint32_t ino, char *buf, size_t len)
{
	struct ext2_inode in;
	uint64_t size;
	size_t n;
	int err;

	if ((err = ext2_iget(fs, ino, &in)))
		return err;
	if (!EXT2_ISLNK(in.i_mode))
		return ext2_fail(fs, EXT2_EINVAL, "inode %u is not a symbolic link", ino);
	size = inode_size64(&in);
	if (size >= fs->bsize || (inode_is_fast_symlink(fs, &in) && size >= sizeof(in.i_block)))
		return ext2_fail(fs, EXT2_ECORRUPT, "inode %u: symbolic link size %llu", ino,
				 (unsigned long long)size);
	if (len == 0)
		return (long)size;
	n = size < len - 1 ? (size_t)size : len - 1;
	if (inode_is_fast_symlink(fs, &in)) {
		memcpy(buf, in.i_block, n);
	} else {
		uint32_t p;
		uint8_t *b;

		if ((err = bmap(fs, ino, &in, 0, 0, &p)))
			return err;
		if (!p)
			return ext2_fail(fs, EXT2_ECORRUPT,
					 "inode %u: symbolic link without a block", ino);
		if (!(b = blk_get(fs, p, 0, &err)))
			return err;
		memcpy(buf, b, n);
		blk_put(fs, b, 0);
	}
	buf[n] = '\0';
	return (long)size;
}

/* Drops this inode's reference to its extended attribute block (freed at zero). */
static int xattr_drop(struct ext2_fs *fs, uint32_t ino, struct ext2_inode *in)
{
	uint32_t blk = in->i_file_acl, refs;
	uint8_t *b;
	int err;

	if (!blk)
		return 0;
	if (!ptr_ok(fs, blk))
		return ext2_fail(fs, EXT2_ECORRUPT, "inode %u: xattr block %u out of range", ino,
				 blk);
	if (!(b = blk_get(fs, blk, 0, &err)))
		return err;
	if (rd32(b) != 0xEA020000u) {
		blk_put(fs, b, 0);
		return ext2_fail(fs, EXT2_ECORRUPT, "inode %u: xattr block %u has a bad magic", ino,
				 blk);
	}
	refs = rd32(b + 4);
	if (refs > 1)
		wr32(b + 4, refs - 1);
	blk_put(fs, b, refs > 1);
	in->i_file_acl = 0;
	return refs > 1 ? 0 : bmap_release(fs, in, blk);
}

int inode_destroy(struct ext2_fs *fs, uint32_t ino, struct ext2_inode *in)
{
	uint16_t fmt = in->i_mode & EXT2_S_IFMT;
	int err;

	if (fmt == EXT2_S_IFREG || fmt == EXT2_S_IFDIR ||
	    (fmt == EXT2_S_IFLNK && !inode_is_fast_symlink(fs, in))) {
		if ((err = bmap_free_from(fs, ino, in, 0)))
			return err;
	}
	if ((err = xattr_drop(fs, ino, in)))
		return err;
	in->i_links_count = 0;
	in->i_dtime = ext2_now(fs);
	if (!in->i_dtime)
		in->i_dtime = 1; /* a deleted inode has a deletion time */
	inode_set_size(fs, in, 0);
	if ((err = ext2_iput(fs, ino, in)))
		return err;
	return free_inode(fs, ino, fmt == EXT2_S_IFDIR);
}

int ext2_release(struct ext2_fs *fs, uint32_t ino)
{
	struct ext2_inode in;
	int err;

	if (fs->readonly)
		return 0;
	if ((err = ext2_iget(fs, ino, &in)))
		return err;
	if (in.i_links_count || in.i_dtime || !in.i_mode)
		return 0;
	return inode_destroy(fs, ino, &in);
}
