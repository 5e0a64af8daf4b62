/*
 * ext2 superblock and group descriptors: mount-time checks, the block
 * buffer wrappers every other file uses, and writing the superblock back.
 */
#include <stdarg.h>

#include "lib/ext2/priv.h"
#include "lib/fmt.h"
#include "lib/str.h"

static const char *const err_names[] = {
    "EXT2_OK",		 "EXT2_EIO",	 "EXT2_ECORRUPT",     "EXT2_ENOENT",
    "EXT2_EEXIST",	 "EXT2_ENOTDIR", "EXT2_EISDIR",	      "EXT2_ENOTEMPTY",
    "EXT2_ENAMETOOLONG", "EXT2_ENOSPC",	 "EXT2_EINVAL",	      "EXT2_EROFS",
    "EXT2_EFBIG",	 "EXT2_EMLINK",	 "EXT2_EUNSUPPORTED", "EXT2_EPERM",
};
_Static_assert(sizeof(err_names) / sizeof(err_names[0]) == 1 - EXT2_ERR_LAST, "a name per code");

const char *ext2_err_name(int code)
{
	if (code > 0 || code < EXT2_ERR_LAST)
		return "EXT2_E?";
	return err_names[-code];
}

int ext2_fail(struct ext2_fs *fs, int code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fmt_vsnprintf(fs->why, sizeof(fs->why), fmt, ap);
	va_end(ap);
	return code;
}

uint32_t ext2_now(struct ext2_fs *fs)
{
	return fs->dev.now ? fs->dev.now(fs->dev.ctx) : 0;
}

/* ------------------------------------------------------------ block buffers */

uint8_t *blk_get(struct ext2_fs *fs, uint32_t blk, int flags, int *err)
{
	uint8_t *b;

	if (blk >= fs->sb.s_blocks_count) {
		*err = ext2_fail(fs, EXT2_ECORRUPT, "block %u is past the end (%u blocks)", blk,
				 fs->sb.s_blocks_count);
		return NULL;
	}
	if (fs->held >= EXT2_MAX_HELD) {
		*err =
		    ext2_fail(fs, EXT2_EIO, "internal: more than %d buffers held", EXT2_MAX_HELD);
		return NULL;
	}
	b = fs->dev.get(fs->dev.ctx, blk, fs->bsize, flags);
	if (!b) {
		*err = ext2_fail(fs, EXT2_EIO, "cannot read block %u", blk);
		return NULL;
	}
	fs->held++;
	return b;
}

void blk_put(struct ext2_fs *fs, uint8_t *buf, int dirty)
{
	fs->held--;
	fs->dev.put(fs->dev.ctx, buf, dirty);
}

int blk_zero(struct ext2_fs *fs, uint32_t blk)
{
	int err;
	uint8_t *b = blk_get(fs, blk, EXT2_GET_NOREAD, &err);

	if (!b)
		return err;
	memset(b, 0, fs->bsize);
	blk_put(fs, b, 1);
	return 0;
}

/* ------------------------------------------------------------ group descriptors */

static int gd_locate(struct ext2_fs *fs, uint32_t g, uint32_t *blk, uint32_t *off)
{
	uint32_t per = fs->bsize / sizeof(struct ext2_group_desc);

	if (g >= fs->groups)
		return ext2_fail(fs, EXT2_ECORRUPT, "group %u does not exist (%u groups)", g,
				 fs->groups);
	*blk = fs->sb.s_first_data_block + 1 + g / per;
	*off = (g % per) * (uint32_t)sizeof(struct ext2_group_desc);
	return 0;
}

int gd_read(struct ext2_fs *fs, uint32_t g, struct ext2_group_desc *gd)
{
	uint32_t blk = 0, off = 0;
	int err = gd_locate(fs, g, &blk, &off);
	uint8_t *b;

	if (err)
		return err;
	if (!(b = blk_get(fs, blk, 0, &err)))
		return err;
	memcpy(gd, b + off, sizeof(*gd));
	blk_put(fs, b, 0);
	return 0;
}

int gd_write(struct ext2_fs *fs, uint32_t g, const struct ext2_group_desc *gd)
{
	uint32_t blk = 0, off = 0;
	int err = gd_locate(fs, g, &blk, &off);
	uint8_t *b;

	if (err)
		return err;
	if (!(b = blk_get(fs, blk, 0, &err)))
		return err;
	memcpy(b + off, gd, sizeof(*gd));
	blk_put(fs, b, 1);
	return 0;
}

/* ------------------------------------------------------------ mount */

/* Checks on the superblock alone; fills the derived fields of fs. */
static int check_super(struct ext2_fs *fs, unsigned flags)
{
	struct ext2_super *sb = &fs->sb;
	uint64_t groups, itable;

	if (sb->s_magic != EXT2_MAGIC)
		return ext2_fail(fs, EXT2_ECORRUPT, "bad magic 0x%04x (ext2 has 0xef53)",
				 sb->s_magic);
	if (sb->s_rev_level > 1)
		return ext2_fail(fs, EXT2_EUNSUPPORTED, "revision %u is not supported (0 or 1)",
				 sb->s_rev_level);
	if (sb->s_log_block_size > 2)
		return ext2_fail(fs, EXT2_ECORRUPT,
				 "block size 1024 << %u out of range (1024 to 4096 supported)",
				 sb->s_log_block_size);
	fs->bsize = 1024u << sb->s_log_block_size;
	fs->addrs = fs->bsize / 4;
	if (sb->s_rev_level == 0) {
		fs->inode_size = EXT2_GOOD_OLD_INODE_SIZE;
		fs->first_ino = EXT2_GOOD_OLD_FIRST_INO;
	} else {
		uint32_t unknown = sb->s_feature_incompat & ~(uint32_t)EXT2_SUPPORTED_INCOMPAT;

		if (unknown)
			return ext2_fail(fs, EXT2_EUNSUPPORTED,
					 "incompatible features 0x%x are not supported", unknown);
		if (sb->s_feature_ro_compat & ~(uint32_t)EXT2_SUPPORTED_RO_COMPAT)
			flags |= EXT2_MOUNT_RDONLY;
		fs->inode_size = sb->s_inode_size;
		fs->first_ino = sb->s_first_ino;
	}
	fs->readonly = (flags & EXT2_MOUNT_RDONLY) != 0;
	if (fs->inode_size < EXT2_GOOD_OLD_INODE_SIZE || fs->inode_size > fs->bsize ||
	    (fs->inode_size & (fs->inode_size - 1)))
		return ext2_fail(fs, EXT2_ECORRUPT,
				 "inode size %u is bad (a power of two, 128 to the block size)",
				 fs->inode_size);
	if (sb->s_first_data_block != (fs->bsize == 1024 ? 1u : 0u))
		return ext2_fail(fs, EXT2_ECORRUPT,
				 "first data block %u is wrong for %u-byte blocks",
				 sb->s_first_data_block, fs->bsize);
	if (sb->s_blocks_per_group == 0 || sb->s_blocks_per_group > 8 * fs->bsize ||
	    sb->s_blocks_per_group % 8)
		return ext2_fail(fs, EXT2_ECORRUPT,
				 "blocks per group %u out of range (a multiple of 8, at most %u)",
				 sb->s_blocks_per_group, 8 * fs->bsize);
	if (sb->s_inodes_per_group == 0 || sb->s_inodes_per_group > 8 * fs->bsize ||
	    sb->s_inodes_per_group % 8)
		return ext2_fail(fs, EXT2_ECORRUPT,
				 "inodes per group %u out of range (a multiple of 8, at most %u)",
				 sb->s_inodes_per_group, 8 * fs->bsize);
	if (sb->s_blocks_count <= sb->s_first_data_block + 1)
		return ext2_fail(fs, EXT2_ECORRUPT, "block count %u is too small",
				 sb->s_blocks_count);
	if ((uint64_t)sb->s_blocks_count * fs->bsize > fs->dev.size)
		return ext2_fail(fs, EXT2_ECORRUPT,
				 "%u blocks of %u bytes do not fit the %llu-byte device",
				 sb->s_blocks_count, fs->bsize, (unsigned long long)fs->dev.size);
	groups = (sb->s_blocks_count - sb->s_first_data_block + sb->s_blocks_per_group - 1) /
		 sb->s_blocks_per_group;
	if ((uint64_t)sb->s_inodes_count != groups * sb->s_inodes_per_group)
		return ext2_fail(
		    fs, EXT2_ECORRUPT, "inode count %u is not %llu groups of %u inodes",
		    sb->s_inodes_count, (unsigned long long)groups, sb->s_inodes_per_group);
	fs->groups = (uint32_t)groups;
	if (fs->first_ino <= EXT2_ROOT_INO || fs->first_ino >= sb->s_inodes_count)
		return ext2_fail(fs, EXT2_ECORRUPT, "first inode %u out of range", fs->first_ino);
	if (sb->s_free_blocks_count > sb->s_blocks_count ||
	    sb->s_r_blocks_count > sb->s_blocks_count ||
	    sb->s_free_inodes_count > sb->s_inodes_count)
		return ext2_fail(fs, EXT2_ECORRUPT,
				 "free counts (%u blocks, %u inodes) exceed the totals",
				 sb->s_free_blocks_count, sb->s_free_inodes_count);
	fs->gdt_blocks =
	    (uint32_t)((groups * sizeof(struct ext2_group_desc) + fs->bsize - 1) / fs->bsize);
	if (sb->s_first_data_block + 1 + (uint64_t)fs->gdt_blocks > sb->s_blocks_count)
		return ext2_fail(fs, EXT2_ECORRUPT,
				 "group descriptor table (%u blocks) runs past the end",
				 fs->gdt_blocks);
	itable = ((uint64_t)sb->s_inodes_per_group * fs->inode_size + fs->bsize - 1) / fs->bsize;
	if (itable >= sb->s_blocks_per_group)
		return ext2_fail(fs, EXT2_ECORRUPT, "inode table (%llu blocks) fills a whole group",
				 (unsigned long long)itable);
	return 0;
}

/* True if [start, start+n) lies inside the file system and after the GDT. */
static int range_ok(const struct ext2_fs *fs, uint32_t start, uint64_t n)
{
	uint64_t low = fs->sb.s_first_data_block + 1 + (uint64_t)fs->gdt_blocks;

	return start >= low && start + n <= fs->sb.s_blocks_count;
}

/* Checks every group descriptor and sums the free counts. */
static int check_groups(struct ext2_fs *fs)
{
	uint32_t itable =
	    (uint32_t)(((uint64_t)fs->sb.s_inodes_per_group * fs->inode_size + fs->bsize - 1) /
		       fs->bsize);
	uint64_t free_blocks = 0, free_inodes = 0;
	struct ext2_group_desc gd;
	int err;

	for (uint32_t g = 0; g < fs->groups; g++) {
		if ((err = gd_read(fs, g, &gd)))
			return err;
		if (!range_ok(fs, gd.bg_block_bitmap, 1))
			return ext2_fail(fs, EXT2_ECORRUPT,
					 "group %u: block bitmap %u out of range", g,
					 gd.bg_block_bitmap);
		if (!range_ok(fs, gd.bg_inode_bitmap, 1))
			return ext2_fail(fs, EXT2_ECORRUPT,
					 "group %u: inode bitmap %u out of range", g,
					 gd.bg_inode_bitmap);
		if (!range_ok(fs, gd.bg_inode_table, itable))
			return ext2_fail(fs, EXT2_ECORRUPT,
					 "group %u: inode table %u (+%u blocks) out of range", g,
					 gd.bg_inode_table, itable);
		if (gd.bg_free_blocks_count > fs->sb.s_blocks_per_group ||
		    gd.bg_free_inodes_count > fs->sb.s_inodes_per_group ||
		    gd.bg_used_dirs_count > fs->sb.s_inodes_per_group)
			return ext2_fail(
			    fs, EXT2_ECORRUPT,
			    "group %u: counts out of range (free blocks %u, free inodes "
			    "%u, directories %u)",
			    g, gd.bg_free_blocks_count, gd.bg_free_inodes_count,
			    gd.bg_used_dirs_count);
		free_blocks += gd.bg_free_blocks_count;
		free_inodes += gd.bg_free_inodes_count;
	}
	if (free_blocks > fs->sb.s_blocks_count || free_inodes > fs->sb.s_inodes_count)
		return ext2_fail(fs, EXT2_ECORRUPT, "groups count more free space than there is");
	/* The groups are authoritative; the superblock sums may lag behind. */
	if (fs->sb.s_free_blocks_count != free_blocks ||
	    fs->sb.s_free_inodes_count != free_inodes) {
		fs->sb.s_free_blocks_count = (uint32_t)free_blocks;
		fs->sb.s_free_inodes_count = (uint32_t)free_inodes;
		fs->sb_dirty = 1;
	}
	return 0;
}

/* Writes the superblock to its 1 KiB at byte 1024. */
static int write_super(struct ext2_fs *fs)
{
	uint32_t blk = EXT2_SUPER_OFFSET / fs->bsize, off = EXT2_SUPER_OFFSET % fs->bsize;
	uint8_t *b;
	int err;

	if (fs->readonly)
		return 0;
	fs->sb.s_wtime = ext2_now(fs);
	if (!(b = blk_get(fs, blk, 0, &err)))
		return err;
	memcpy(b + off, &fs->sb, sizeof(fs->sb));
	blk_put(fs, b, 1);
	fs->sb_dirty = 0;
	return 0;
}

int ext2_mount(struct ext2_fs *fs, const struct ext2_dev *dev, unsigned flags)
{
	struct ext2_inode root;
	uint8_t *b;
	int err;

	memset(fs, 0, sizeof(*fs));
	fs->dev = *dev;
	if (!dev->get || !dev->put)
		return ext2_fail(fs, EXT2_EINVAL, "the device has no get or put");
	if (dev->size < EXT2_SUPER_OFFSET + EXT2_SUPER_SIZE)
		return ext2_fail(fs, EXT2_ECORRUPT,
				 "the device (%llu bytes) has no room for a "
				 "superblock",
				 (unsigned long long)dev->size);
	b = dev->get(dev->ctx, EXT2_SUPER_OFFSET / EXT2_SUPER_SIZE, EXT2_SUPER_SIZE, 0);
	if (!b)
		return ext2_fail(fs, EXT2_EIO, "cannot read the superblock");
	memcpy(&fs->sb, b, sizeof(fs->sb));
	dev->put(dev->ctx, b, 0);
	if ((err = check_super(fs, flags)) || (err = check_groups(fs)))
		return err;
	if ((err = ext2_iget(fs, EXT2_ROOT_INO, &root)))
		return err;
	if (!EXT2_ISDIR(root.i_mode) || root.i_links_count < 2)
		return ext2_fail(fs, EXT2_ECORRUPT, "the root inode is not a directory (mode 0%o)",
				 root.i_mode);
	if (fs->readonly)
		return 0;
	fs->was_clean = (fs->sb.s_state & (EXT2_VALID_FS | EXT2_ERROR_FS)) == EXT2_VALID_FS;
	fs->sb.s_mnt_count++;
	fs->sb.s_mtime = ext2_now(fs);
	fs->sb.s_state &= (uint16_t)~EXT2_VALID_FS;
	return write_super(fs);
}

int ext2_sync(struct ext2_fs *fs)
{
	return fs->sb_dirty ? write_super(fs) : 0;
}

int ext2_unmount(struct ext2_fs *fs)
{
	if (fs->readonly)
		return 0;
	if (fs->was_clean)
		fs->sb.s_state |= EXT2_VALID_FS;
	return write_super(fs);
}
