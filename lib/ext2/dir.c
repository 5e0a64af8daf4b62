/*
 * ext2 directory blocks: finding, listing, adding and removing entries.
 * A directory is a file of whole blocks, each a chain of entries whose
 * rec_len sum to the block size:
 *
 *   | inode u32 | rec_len u16 | name_len u8 | type u8 | name ... pad to 4 |
 *
 * An htree (dir_index) directory looks the same to a linear reader: its
 * index nodes are entries with inode 0 spanning a block, and its root hides
 * in the ".." entry's spare room. Such a directory is read linearly; when
 * it gains an entry its index flag is cleared, so it stays consistent.
 */
#include "lib/ext2/priv.h"
#include "lib/str.h"

struct dirent_hdr {
	uint32_t ino;
	uint32_t rec_len;
	uint32_t name_len;
	uint8_t type;
};

static int has_ftype(const struct ext2_fs *fs)
{
	return fs->sb.s_rev_level >= 1 &&
	       (fs->sb.s_feature_incompat & EXT2_FEATURE_INCOMPAT_FILETYPE);
}

/* Decodes and checks the entry at off of directory block b. */
static int dirent_read(struct ext2_fs *fs, const uint8_t *b, uint32_t off, uint32_t dir,
		       uint32_t pblk, struct dirent_hdr *h)
{
	h->ino = rd32(b + off);
	h->rec_len = rd16(b + off + 4);
	if (has_ftype(fs)) {
		h->name_len = b[off + 6];
		h->type = b[off + 7];
	} else {
		h->name_len = rd16(b + off + 6);
		h->type = EXT2_FT_UNKNOWN;
	}
	if (h->rec_len < EXT2_DIRENT_HDR || h->rec_len % 4 || h->rec_len > fs->bsize - off ||
	    (h->ino && EXT2_DIRENT_LEN(h->name_len) > h->rec_len) || h->ino > fs->sb.s_inodes_count)
		return ext2_fail(fs, EXT2_ECORRUPT,
				 "directory %u, block %u: bad entry at offset %u (inode %u, "
				 "rec_len %u, name_len %u)",
				 dir, pblk, off, h->ino, h->rec_len, h->name_len);
	return 0;
}

static void dirent_write(struct ext2_fs *fs, uint8_t *b, uint32_t off, uint32_t ino,
			 uint32_t rec_len, const char *name, size_t len, uint8_t type)
{
	wr32(b + off, ino);
	wr16(b + off + 4, (uint16_t)rec_len);
	b[off + 6] = (uint8_t)len;
	b[off + 7] = has_ftype(fs) ? type : 0;
	memcpy(b + off + EXT2_DIRENT_HDR, name, len);
	/* zero the padding so names compare cleanly and images stay reproducible */
	memset(b + off + EXT2_DIRENT_HDR + len, 0, EXT2_DIRENT_LEN(len) - EXT2_DIRENT_HDR - len);
}

uint8_t dir_ftype(uint16_t mode)
{
	switch (mode & EXT2_S_IFMT) {
	case EXT2_S_IFREG:
		return EXT2_FT_REG_FILE;
	case EXT2_S_IFDIR:
		return EXT2_FT_DIR;
	case EXT2_S_IFCHR:
		return EXT2_FT_CHRDEV;
	case EXT2_S_IFBLK:
		return EXT2_FT_BLKDEV;
	case EXT2_S_IFIFO:
		return EXT2_FT_FIFO;
	case EXT2_S_IFSOCK:
		return EXT2_FT_SOCK;
	case EXT2_S_IFLNK:
		return EXT2_FT_SYMLINK;
	}
	return EXT2_FT_UNKNOWN;
}

int dir_get(struct ext2_fs *fs, uint32_t dir, struct ext2_inode *in)
{
	int err = ext2_iget(fs, dir, in);

	if (err)
		return err;
	if (!EXT2_ISDIR(in->i_mode))
		return ext2_fail(fs, EXT2_ENOTDIR, "inode %u is not a directory", dir);
	if (in->i_links_count == 0)
		return ext2_fail(fs, EXT2_ENOENT, "directory %u was removed", dir);
	return 0;
}

int dir_name_ok(struct ext2_fs *fs, const char *name, size_t len)
{
	if (len == 0)
		return ext2_fail(fs, EXT2_ENOENT, "empty name");
	if (len > EXT2_NAME_LEN)
		return ext2_fail(fs, EXT2_ENAMETOOLONG, "name of %zu bytes (255 at most)", len);
	for (size_t i = 0; i < len; i++)
		if (name[i] == '/' || name[i] == '\0')
			return ext2_fail(fs, EXT2_EINVAL, "name holds '/' or NUL");
	return 0;
}

/* Blocks of directory dir, checking its size is whole blocks. */
static int dir_blocks(struct ext2_fs *fs, uint32_t dir, const struct ext2_inode *din, uint32_t *n)
{
	uint64_t size = inode_size64(din);

	/* Every block is there (no holes), so the size cannot pass the blocks held. */
	if (size % fs->bsize || size / fs->bsize > din->i_blocks / sectors_per_block(fs) ||
	    size / fs->bsize >= fs->sb.s_blocks_count)
		return ext2_fail(fs, EXT2_ECORRUPT, "directory %u has size %llu (%u sectors held)",
				 dir, (unsigned long long)size, din->i_blocks);
	*n = (uint32_t)(size / fs->bsize);
	return 0;
}

/* The physical block of directory block lblk; a hole is corrupt. */
static int dir_bmap(struct ext2_fs *fs, uint32_t dir, struct ext2_inode *din, uint32_t lblk,
		    uint32_t *pblk)
{
	int err = bmap(fs, dir, din, lblk, 0, pblk);

	if (!err && !*pblk)
		err =
		    ext2_fail(fs, EXT2_ECORRUPT, "directory %u has a hole at block %u", dir, lblk);
	return err;
}

int dir_find(struct ext2_fs *fs, uint32_t dir, struct ext2_inode *din, const char *name, size_t len,
	     struct dir_pos *pos)
{
	uint32_t n, pblk;
	int err;

	if ((err = dir_blocks(fs, dir, din, &n)))
		return err;
	for (uint32_t l = 0; l < n; l++) {
		struct dirent_hdr h;
		uint32_t off = 0, prev = 0;
		uint8_t *b;

		if ((err = dir_bmap(fs, dir, din, l, &pblk)))
			return err;
		if (!(b = blk_get(fs, pblk, 0, &err)))
			return err;
		for (; off < fs->bsize; prev = off, off += h.rec_len) {
			if ((err = dirent_read(fs, b, off, dir, pblk, &h))) {
				blk_put(fs, b, 0);
				return err;
			}
			if (h.ino && h.name_len == len &&
			    memcmp(b + off + EXT2_DIRENT_HDR, name, len) == 0) {
				*pos = (struct dir_pos){pblk, off, prev, h.ino, h.type};
				blk_put(fs, b, 0);
				return 0;
			}
		}
		blk_put(fs, b, 0);
	}
	return ext2_fail(fs, EXT2_ENOENT, "no entry %.*s in directory %u", (int)len, name, dir);
}

int ext2_lookup(struct ext2_fs *fs, uint32_t dir, const char *name, size_t len, uint32_t *ino)
{
	struct ext2_inode din;
	struct dir_pos pos;
	int err;

	if ((err = dir_name_ok(fs, name, len)) || (err = dir_get(fs, dir, &din)) ||
	    (err = dir_find(fs, dir, &din, name, len, &pos)))
		return err;
	*ino = pos.ino;
	return 0;
}

int ext2_readdir(struct ext2_fs *fs, uint32_t dir, uint64_t *cookie, struct ext2_dirent *out)
{
	struct ext2_inode din;
	uint32_t n, pblk;
	int err;

	if ((err = dir_get(fs, dir, &din)) || (err = dir_blocks(fs, dir, &din, &n)))
		return err;
	while (*cookie / fs->bsize < n) {
		uint32_t l = (uint32_t)(*cookie / fs->bsize),
			 want = (uint32_t)(*cookie % fs->bsize);
		struct dirent_hdr h;
		uint8_t *b;

		if ((err = dir_bmap(fs, dir, &din, l, &pblk)))
			return err;
		if (!(b = blk_get(fs, pblk, 0, &err)))
			return err;
		/* Walk from the block start: the cookie may fall inside a merged entry. */
		for (uint32_t off = 0; off < fs->bsize; off += h.rec_len) {
			if ((err = dirent_read(fs, b, off, dir, pblk, &h))) {
				blk_put(fs, b, 0);
				return err;
			}
			if (off < want || !h.ino)
				continue;
			if (dir_name_ok(fs, (const char *)b + off + EXT2_DIRENT_HDR, h.name_len)) {
				blk_put(fs, b, 0);
				return ext2_fail(fs, EXT2_ECORRUPT,
						 "directory %u, block %u: the name at offset %u is "
						 "empty or holds '/' or NUL",
						 dir, pblk, off);
			}
			out->ino = h.ino;
			out->type = h.type;
			out->name_len = (uint8_t)h.name_len;
			memcpy(out->name, b + off + EXT2_DIRENT_HDR, h.name_len);
			out->name[h.name_len] = '\0';
			*cookie = (uint64_t)l * fs->bsize + off + h.rec_len;
			blk_put(fs, b, 0);
			return 1;
		}
		blk_put(fs, b, 0);
		*cookie = (uint64_t)(l + 1) * fs->bsize;
	}
	return 0;
}

/*
 * Puts the entry into block b if it has room: in an unused entry, or in the
 * slack after a used one. Returns 1 if it did.
 */
static int dir_add_in_block(struct ext2_fs *fs, uint32_t dir, uint32_t pblk, uint8_t *b,
			    const char *name, size_t len, uint32_t ino, uint8_t type, int *err)
{
	uint32_t need = EXT2_DIRENT_LEN(len);
	struct dirent_hdr h;

	for (uint32_t off = 0; off < fs->bsize; off += h.rec_len) {
		uint32_t used;

		if ((*err = dirent_read(fs, b, off, dir, pblk, &h)))
			return 0;
		used = h.ino ? EXT2_DIRENT_LEN(h.name_len) : 0;
		if (h.rec_len - used < need)
			continue;
		if (used) {
			wr16(b + off + 4, (uint16_t)used);
			off += used;
		}
		dirent_write(fs, b, off, ino, h.rec_len - used, name, len, type);
		return 1;
	}
	return 0;
}

int dir_add(struct ext2_fs *fs, uint32_t dir, struct ext2_inode *din, const char *name, size_t len,
	    uint32_t ino, uint8_t type)
{
	uint32_t n, pblk;
	uint8_t *b;
	int err, done = 0;

	if (fs->readonly)
		return ext2_fail(fs, EXT2_EROFS, "the file system is read-only");
	if ((err = dir_blocks(fs, dir, din, &n)))
		return err;
	for (uint32_t l = 0; l < n && !done; l++) {
		if ((err = dir_bmap(fs, dir, din, l, &pblk)))
			return err;
		if (!(b = blk_get(fs, pblk, 0, &err)))
			return err;
		done = dir_add_in_block(fs, dir, pblk, b, name, len, ino, type, &err);
		blk_put(fs, b, done);
		if (err)
			return err;
	}
	if (!done) {
		/* A new block at the end; the map may grow even if this fails. */
		err = bmap(fs, dir, din, n, 1, &pblk);
		if (!err && (b = blk_get(fs, pblk, 0, &err))) {
			dirent_write(fs, b, 0, ino, fs->bsize, name, len, type);
			blk_put(fs, b, 1);
			inode_set_size(fs, din, (uint64_t)(n + 1) * fs->bsize);
		}
	}
	if (!err)
		din->i_flags &= ~(uint32_t)EXT2_INDEX_FL; /* the index no longer covers it */
	din->i_mtime = din->i_ctime = ext2_now(fs);
	if (ext2_iput(fs, dir, din) && !err)
		err = EXT2_EIO;
	return err;
}

int dir_remove(struct ext2_fs *fs, const struct dir_pos *pos)
{
	uint8_t *b;
	int err;

	if (fs->readonly)
		return ext2_fail(fs, EXT2_EROFS, "the file system is read-only");
	if (!(b = blk_get(fs, pos->pblk, 0, &err)))
		return err;
	if (pos->prev_off == pos->off) {
		wr32(b + pos->off, 0); /* first in its block: mark unused */
	} else {
		uint32_t merged = rd16(b + pos->prev_off + 4) + rd16(b + pos->off + 4);

		wr16(b + pos->prev_off + 4, (uint16_t)merged);
	}
	blk_put(fs, b, 1);
	return 0;
}

int dir_set(struct ext2_fs *fs, const struct dir_pos *pos, uint32_t ino, uint8_t type)
{
	uint8_t *b;
	int err;

	if (fs->readonly)
		return ext2_fail(fs, EXT2_EROFS, "the file system is read-only");
	if (!(b = blk_get(fs, pos->pblk, 0, &err)))
		return err;
	wr32(b + pos->off, ino);
	if (has_ftype(fs))
		b[pos->off + 7] = type;
	blk_put(fs, b, 1);
	return 0;
}

int dir_empty(struct ext2_fs *fs, uint32_t dir, struct ext2_inode *din)
{
	uint32_t n, pblk;
	int err;

	if ((err = dir_blocks(fs, dir, din, &n)))
		return err;
	for (uint32_t l = 0; l < n; l++) {
		struct dirent_hdr h;
		uint8_t *b;

		if ((err = dir_bmap(fs, dir, din, l, &pblk)))
			return err;
		if (!(b = blk_get(fs, pblk, 0, &err)))
			return err;
		for (uint32_t off = 0; off < fs->bsize; off += h.rec_len) {
			const uint8_t *nm = b + off + EXT2_DIRENT_HDR;

			if ((err = dirent_read(fs, b, off, dir, pblk, &h))) {
				blk_put(fs, b, 0);
				return err;
			}
			if (!h.ino || (h.name_len == 1 && nm[0] == '.') ||
			    (h.name_len == 2 && nm[0] == '.' && nm[1] == '.'))
				continue;
			blk_put(fs, b, 0);
			return 0;
		}
		blk_put(fs, b, 0);
	}
	return 1;
}
