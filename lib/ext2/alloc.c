/*
 * ext2 allocation: blocks and inodes from the per-group bitmaps, keeping the
 * group descriptors' and the superblock's free counts (and the directory
 * counts) in step. A bit is set or cleared and the counts updated in one
 * call; a bitmap that disagrees with its counts is reported as corrupt.
 */
#include "lib/ext2/priv.h"
#include "lib/str.h"

/* Blocks in group g (the last group may be short). */
static uint32_t group_blocks(const struct ext2_fs *fs, uint32_t g)
{
	uint32_t start = fs->sb.s_first_data_block + g * fs->sb.s_blocks_per_group;
	uint32_t left = fs->sb.s_blocks_count - start;

	return left < fs->sb.s_blocks_per_group ? left : fs->sb.s_blocks_per_group;
}

/* The first clear bit of bitmap in [from, n) then [0, from); n if none. */
static uint32_t find_clear(const uint8_t *bitmap, uint32_t from, uint32_t n)
{
	for (int pass = 0; pass < 2; pass++) {
		uint32_t lo = pass ? 0 : from, hi = pass ? from : n;

		for (uint32_t i = lo; i < hi; i++) {
			if ((i & 7) == 0 && bitmap[i >> 3] == 0xff && i + 8 <= hi) {
				i += 7;
				continue;
			}
			if (!(bitmap[i >> 3] & (1u << (i & 7))))
				return i;
		}
	}
	return n;
}

/* True if blk is one of the blocks the library must never hand out. */
static int is_metadata(const struct ext2_fs *fs, const struct ext2_group_desc *gd, uint32_t blk)
{
	uint32_t itable =
	    (uint32_t)(((uint64_t)fs->sb.s_inodes_per_group * fs->inode_size + fs->bsize - 1) /
		       fs->bsize);

	return blk <= fs->sb.s_first_data_block + fs->gdt_blocks || blk == gd->bg_block_bitmap ||
	       blk == gd->bg_inode_bitmap ||
	       (blk >= gd->bg_inode_table && blk - gd->bg_inode_table < itable);
}

/* Takes one block from group g if it has one; *blk = 0 if it has none. */
static int alloc_in_group(struct ext2_fs *fs, uint32_t g, uint32_t from, uint32_t *blk)
{
	uint32_t n = group_blocks(fs, g), bit;
	struct ext2_group_desc gd;
	uint8_t *bm;
	int err;

	*blk = 0;
	if ((err = gd_read(fs, g, &gd)))
		return err;
	if (gd.bg_free_blocks_count == 0)
		return 0;
	if (!(bm = blk_get(fs, gd.bg_block_bitmap, 0, &err)))
		return err;
	bit = find_clear(bm, from < n ? from : 0, n);
	if (bit == n) {
		blk_put(fs, bm, 0);
		return ext2_fail(fs, EXT2_ECORRUPT,
				 "group %u: block bitmap is full but %u blocks are counted free", g,
				 gd.bg_free_blocks_count);
	}
	*blk = fs->sb.s_first_data_block + g * fs->sb.s_blocks_per_group + bit;
	if (is_metadata(fs, &gd, *blk)) {
		blk_put(fs, bm, 0);
		return ext2_fail(fs, EXT2_ECORRUPT, "group %u: metadata block %u is marked free", g,
				 *blk);
	}
	bm[bit >> 3] |= (uint8_t)(1u << (bit & 7));
	blk_put(fs, bm, 1);
	gd.bg_free_blocks_count--;
	fs->sb.s_free_blocks_count--;
	fs->sb_dirty = 1;
	return gd_write(fs, g, &gd);
}

int alloc_block(struct ext2_fs *fs, uint32_t goal, int zero, uint32_t *blk)
{
	uint32_t bpg = fs->sb.s_blocks_per_group, first = fs->sb.s_first_data_block;
	uint32_t start = 0, from = 0;
	int err;

	if (fs->readonly)
		return ext2_fail(fs, EXT2_EROFS, "the file system is read-only");
	if (goal >= first && goal < fs->sb.s_blocks_count) {
		start = (goal - first) / bpg;
		from = (goal - first) % bpg;
	}
	for (uint32_t i = 0; i < fs->groups; i++) {
		uint32_t g = (start + i) % fs->groups;

		if ((err = alloc_in_group(fs, g, g == start ? from : 0, blk)))
			return err;
		if (*blk)
			return zero ? blk_zero(fs, *blk) : 0;
	}
	return ext2_fail(fs, EXT2_ENOSPC, "no free block left");
}

/* Clears bit `bit` of bitmap block bm_blk; ECORRUPT if it was clear already. */
static int clear_bit(struct ext2_fs *fs, uint32_t bm_blk, uint32_t bit, const char *what,
		     uint32_t num)
{
	uint8_t *bm;
	int err;

	if (!(bm = blk_get(fs, bm_blk, 0, &err)))
		return err;
	if (!(bm[bit >> 3] & (1u << (bit & 7)))) {
		blk_put(fs, bm, 0);
		return ext2_fail(fs, EXT2_ECORRUPT, "%s %u is freed but was not in use", what, num);
	}
	bm[bit >> 3] &= (uint8_t) ~(1u << (bit & 7));
	blk_put(fs, bm, 1);
	return 0;
}

int free_block(struct ext2_fs *fs, uint32_t blk)
{
	uint32_t first = fs->sb.s_first_data_block, g, bit;
	struct ext2_group_desc gd;
	int err;

	if (blk < first || blk >= fs->sb.s_blocks_count)
		return ext2_fail(fs, EXT2_ECORRUPT, "freeing block %u out of range", blk);
	g = (blk - first) / fs->sb.s_blocks_per_group;
	bit = (blk - first) % fs->sb.s_blocks_per_group;
	if ((err = gd_read(fs, g, &gd)))
		return err;
	if (is_metadata(fs, &gd, blk))
		return ext2_fail(fs, EXT2_ECORRUPT, "freeing metadata block %u", blk);
	if ((err = clear_bit(fs, gd.bg_block_bitmap, bit, "block", blk)))
		return err;
	gd.bg_free_blocks_count++;
	fs->sb.s_free_blocks_count++;
	fs->sb_dirty = 1;
	return gd_write(fs, g, &gd);
}

int alloc_inode(struct ext2_fs *fs, uint32_t parent, int is_dir, uint32_t *ino)
{
	uint32_t ipg = fs->sb.s_inodes_per_group;
	uint32_t start = parent && parent <= fs->sb.s_inodes_count ? (parent - 1) / ipg : 0;
	struct ext2_group_desc gd;
	uint8_t *bm;
	int err;

	if (fs->readonly)
		return ext2_fail(fs, EXT2_EROFS, "the file system is read-only");
	for (uint32_t i = 0; i < fs->groups; i++) {
		uint32_t g = (start + i) % fs->groups, from = 0, bit;

		if ((err = gd_read(fs, g, &gd)))
			return err;
		if (gd.bg_free_inodes_count == 0)
			continue;
		if (g * ipg + 1 < fs->first_ino)
			from = fs->first_ino - 1 - g * ipg; /* never a reserved inode */
		if (from >= ipg)
			continue;
		if (!(bm = blk_get(fs, gd.bg_inode_bitmap, 0, &err)))
			return err;
		bit = find_clear(bm, from, ipg);
		if (bit < from)
			bit = ipg; /* the wrap-around found a reserved inode */
		if (bit == ipg) {
			blk_put(fs, bm, 0);
			return ext2_fail(fs, EXT2_ECORRUPT,
					 "group %u: inode bitmap is full but %u inodes are counted "
					 "free",
					 g, gd.bg_free_inodes_count);
		}
		bm[bit >> 3] |= (uint8_t)(1u << (bit & 7));
		blk_put(fs, bm, 1);
		gd.bg_free_inodes_count--;
		if (is_dir)
			gd.bg_used_dirs_count++;
		fs->sb.s_free_inodes_count--;
		fs->sb_dirty = 1;
		*ino = g * ipg + bit + 1;
		return gd_write(fs, g, &gd);
	}
	return ext2_fail(fs, EXT2_ENOSPC, "no free inode left");
}

int free_inode(struct ext2_fs *fs, uint32_t ino, int is_dir)
{
	uint32_t ipg = fs->sb.s_inodes_per_group, g, bit;
	struct ext2_group_desc gd;
	int err;

	if (ino < fs->first_ino || ino > fs->sb.s_inodes_count)
		return ext2_fail(fs, EXT2_ECORRUPT, "freeing inode %u out of range", ino);
	g = (ino - 1) / ipg;
	bit = (ino - 1) % ipg;
	if ((err = gd_read(fs, g, &gd)))
		return err;
	if ((err = clear_bit(fs, gd.bg_inode_bitmap, bit, "inode", ino)))
		return err;
	gd.bg_free_inodes_count++;
	if (is_dir && gd.bg_used_dirs_count)
		gd.bg_used_dirs_count--;
	fs->sb.s_free_inodes_count++;
	fs->sb_dirty = 1;
	return gd_write(fs, g, &gd);
}
