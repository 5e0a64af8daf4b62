/*
 * ext2 name operations: create, mkdir, symlink, link, unlink, rmdir and
 * rename. Each first checks everything that can be checked without
 * changing the disk (names, types, emptiness, link counts, loops), then
 * allocates (the step that can run out of space, undone on failure), then
 * changes entries and link counts.
 */
#include "lib/ext2/priv.h"
#include "lib/str.h"

#define EXT2_LINK_MAX 32000
#define MAX_DEPTH     4096 /* ".." steps walked looking for a rename loop */

static int is_dot(const char *name, size_t len)
{
	return (len == 1 && name[0] == '.') || (len == 2 && name[0] == '.' && name[1] == '.');
}

/* Adds delta to the link count of inode ino and stamps its ctime. */
static int adjust_links(struct ext2_fs *fs, uint32_t ino, int delta)
{
	struct ext2_inode in;
	int err = ext2_iget(fs, ino, &in);

	if (err)
		return err;
	if (delta < 0 && in.i_links_count < -delta)
		return ext2_fail(fs, EXT2_ECORRUPT, "inode %u: link count %u would go below zero",
				 ino, in.i_links_count);
	in.i_links_count = (uint16_t)(in.i_links_count + delta);
	in.i_ctime = ext2_now(fs);
	return ext2_iput(fs, ino, &in);
}

/* Stamps mtime and ctime of directory dir. */
static int touch(struct ext2_fs *fs, uint32_t dir)
{
	struct ext2_inode in;
	int err = ext2_iget(fs, dir, &in);

	if (err)
		return err;
	in.i_mtime = in.i_ctime = ext2_now(fs);
	return ext2_iput(fs, dir, &in);
}

/* Drops one link of inode ino (all of them for a directory); frees it at zero unless busy. */
static int drop_link(struct ext2_fs *fs, uint32_t ino)
{
	struct ext2_inode in;
	int err = ext2_iget(fs, ino, &in);

	if (err)
		return err;
	if (EXT2_ISDIR(in.i_mode) || in.i_links_count == 0)
		in.i_links_count = 0;
	else
		in.i_links_count--;
	in.i_ctime = ext2_now(fs);
	if (in.i_links_count == 0 && !(fs->dev.busy && fs->dev.busy(fs->dev.ctx, ino)))
		return inode_destroy(fs, ino, &in);
	return ext2_iput(fs, ino, &in);
}

/* The checks every creation shares: writable, a directory, a new valid name. */
static int check_new(struct ext2_fs *fs, uint32_t dir, struct ext2_inode *din, const char *name,
		     size_t len)
{
	struct dir_pos pos;
	int err;

	if (fs->readonly)
		return ext2_fail(fs, EXT2_EROFS, "the file system is read-only");
	if ((err = dir_name_ok(fs, name, len)) || (err = dir_get(fs, dir, din)))
		return err;
	err = dir_find(fs, dir, din, name, len, &pos);
	if (err == 0)
		return ext2_fail(fs, EXT2_EEXIST, "%.*s exists in directory %u", (int)len, name,
				 dir);
	return err == EXT2_ENOENT ? 0 : err;
}

/*
 * Makes a new inode from *proto (its first block, if any, already in
 * proto->i_block[0]) and enters it in dir; undoes both on failure.
 */
static int make_node(struct ext2_fs *fs, uint32_t dir, struct ext2_inode *din, const char *name,
		     size_t len, uint32_t ino, struct ext2_inode *proto)
{
	int err = inode_init(fs, ino, proto);

	if (!err)
		err = dir_add(fs, dir, din, name, len, ino, dir_ftype(proto->i_mode));
	if (err) {
		char why[sizeof(fs->why)];

		memcpy(why, fs->why, sizeof(why));
		inode_destroy(fs, ino, proto); /* best effort: keep the first reason */
		memcpy(fs->why, why, sizeof(why));
	}
	return err;
}

static void proto_init(struct ext2_fs *fs, struct ext2_inode *in, uint16_t mode, uint16_t uid,
		       uint16_t gid)
{
	memset(in, 0, sizeof(*in));
	in->i_mode = mode;
	in->i_uid = uid;
	in->i_gid = gid;
	in->i_links_count = 1;
	in->i_atime = in->i_ctime = in->i_mtime = ext2_now(fs);
}

int ext2_create(struct ext2_fs *fs, uint32_t dir, const char *name, size_t len, uint16_t mode,
		uint16_t uid, uint16_t gid, uint32_t *ino)
{
	struct ext2_inode din, in;
	int err;

	if ((err = check_new(fs, dir, &din, name, len)) || (err = alloc_inode(fs, dir, 0, ino)))
		return err;
	proto_init(fs, &in, (uint16_t)(EXT2_S_IFREG | (mode & 07777)), uid, gid);
	return make_node(fs, dir, &din, name, len, *ino, &in);
}

int ext2_symlink(struct ext2_fs *fs, uint32_t dir, const char *name, size_t len, const char *target,
		 size_t tlen, uint16_t uid, uint16_t gid, uint32_t *ino)
{
	struct ext2_inode din, in;
	int err;

	if ((err = check_new(fs, dir, &din, name, len)))
		return err;
	if (tlen == 0 || tlen >= fs->bsize)
		return ext2_fail(fs, tlen ? EXT2_ENAMETOOLONG : EXT2_ENOENT,
				 "symbolic link target of %zu bytes", tlen);
	if ((err = alloc_inode(fs, dir, 0, ino)))
		return err;
	proto_init(fs, &in, EXT2_S_IFLNK | 0777, uid, gid);
	inode_set_size(fs, &in, tlen);
	if (tlen < sizeof(in.i_block)) {
		memcpy(in.i_block, target, tlen);
	} else {
		uint32_t blk;
		uint8_t *b;

		if ((err = alloc_block(fs, 0, 1, &blk))) {
			free_inode(fs, *ino, 0);
			return err;
		}
		in.i_block[0] = blk;
		in.i_blocks = sectors_per_block(fs);
		if (!(b = blk_get(fs, blk, 0, &err))) {
			free_block(fs, blk);
			free_inode(fs, *ino, 0);
			return err;
		}
		memcpy(b, target, tlen);
		blk_put(fs, b, 1);
	}
	return make_node(fs, dir, &din, name, len, *ino, &in);
}

int ext2_mkdir(struct ext2_fs *fs, uint32_t dir, const char *name, size_t len, uint16_t mode,
	       uint16_t uid, uint16_t gid, uint32_t *ino)
{
	struct ext2_inode din, in;
	uint32_t blk;
	uint8_t *b;
	int err;

	if ((err = check_new(fs, dir, &din, name, len)))
		return err;
	if (din.i_links_count >= EXT2_LINK_MAX)
		return ext2_fail(fs, EXT2_EMLINK, "directory %u has %u links", dir,
				 din.i_links_count);
	if ((err = alloc_inode(fs, dir, 1, ino)))
		return err;
	if ((err = alloc_block(fs,
			       fs->sb.s_first_data_block + (*ino - 1) / fs->sb.s_inodes_per_group *
							       fs->sb.s_blocks_per_group,
			       0, &blk))) {
		free_inode(fs, *ino, 1);
		return err;
	}
	if (!(b = blk_get(fs, blk, EXT2_GET_NOREAD, &err))) {
		free_block(fs, blk);
		free_inode(fs, *ino, 1);
		return err;
	}
	memset(b, 0, fs->bsize);
	/* "." then "..", which spans the rest of the block */
	wr32(b, *ino);
	wr16(b + 4, 12);
	b[6] = 1;
	b[7] = dir_ftype(EXT2_S_IFDIR);
	b[8] = '.';
	wr32(b + 12, dir);
	wr16(b + 16, (uint16_t)(fs->bsize - 12));
	b[18] = 2;
	b[19] = b[7];
	b[20] = b[21] = '.';
	if (!(fs->sb.s_feature_incompat & EXT2_FEATURE_INCOMPAT_FILETYPE) || fs->sb.s_rev_level < 1)
		b[7] = b[19] = 0;
	blk_put(fs, b, 1);
	proto_init(fs, &in, (uint16_t)(EXT2_S_IFDIR | (mode & 07777)), uid, gid);
	in.i_links_count = 2;
	in.i_block[0] = blk;
	in.i_blocks = sectors_per_block(fs);
	inode_set_size(fs, &in, fs->bsize);
	if ((err = make_node(fs, dir, &din, name, len, *ino, &in)))
		return err;
	return adjust_links(fs, dir, 1); /* the new ".." */
}

int ext2_link(struct ext2_fs *fs, uint32_t dir, const char *name, size_t len, uint32_t ino)
{
	struct ext2_inode din, in;
	int err;

	if ((err = check_new(fs, dir, &din, name, len)) || (err = ext2_iget(fs, ino, &in)))
		return err;
	if (EXT2_ISDIR(in.i_mode))
		return ext2_fail(fs, EXT2_EPERM, "inode %u is a directory", ino);
	if (in.i_links_count == 0 || in.i_mode == 0)
		return ext2_fail(fs, EXT2_ENOENT, "inode %u has no links", ino);
	if (in.i_links_count >= EXT2_LINK_MAX)
		return ext2_fail(fs, EXT2_EMLINK, "inode %u has %u links", ino, in.i_links_count);
	if ((err = dir_add(fs, dir, &din, name, len, ino, dir_ftype(in.i_mode))))
		return err;
	return adjust_links(fs, ino, 1);
}

/* Finds name in dir for removal: not "." or "..", and its inode read into *in. */
static int find_victim(struct ext2_fs *fs, uint32_t dir, const char *name, size_t len,
		       struct dir_pos *pos, struct ext2_inode *in)
{
	struct ext2_inode din;
	int err;

	if (fs->readonly)
		return ext2_fail(fs, EXT2_EROFS, "the file system is read-only");
	if ((err = dir_name_ok(fs, name, len)) || (err = dir_get(fs, dir, &din)))
		return err;
	if (is_dot(name, len))
		return ext2_fail(fs, EXT2_EINVAL, "cannot remove \".\" or \"..\"");
	if ((err = dir_find(fs, dir, &din, name, len, pos)))
		return err;
	return ext2_iget(fs, pos->ino, in);
}

int ext2_unlink(struct ext2_fs *fs, uint32_t dir, const char *name, size_t len)
{
	struct ext2_inode in;
	struct dir_pos pos;
	int err;

	if ((err = find_victim(fs, dir, name, len, &pos, &in)))
		return err;
	if (EXT2_ISDIR(in.i_mode))
		return ext2_fail(fs, EXT2_EISDIR, "%.*s is a directory", (int)len, name);
	if ((err = dir_remove(fs, &pos)) || (err = touch(fs, dir)))
		return err;
	return drop_link(fs, pos.ino);
}

int ext2_rmdir(struct ext2_fs *fs, uint32_t dir, const char *name, size_t len)
{
	struct ext2_inode in;
	struct dir_pos pos;
	int err;

	if (len == 2 && name[0] == '.' && name[1] == '.')
		return ext2_fail(fs, EXT2_ENOTEMPTY, "\"..\" is not empty");
	if ((err = find_victim(fs, dir, name, len, &pos, &in)))
		return err;
	if (!EXT2_ISDIR(in.i_mode))
		return ext2_fail(fs, EXT2_ENOTDIR, "%.*s is not a directory", (int)len, name);
	if ((err = dir_empty(fs, pos.ino, &in)) <= 0)
		return err ? err
			   : ext2_fail(fs, EXT2_ENOTEMPTY, "directory %.*s is not empty", (int)len,
				       name);
	if ((err = dir_remove(fs, &pos)) || (err = adjust_links(fs, dir, -1)) ||
	    (err = touch(fs, dir)))
		return err;
	return drop_link(fs, pos.ino);
}

/* EXT2_EINVAL if directory dir is src or lies below it. */
static int check_not_below(struct ext2_fs *fs, uint32_t src, uint32_t dir)
{
	for (int i = 0; i < MAX_DEPTH; i++) {
		struct ext2_inode din;
		struct dir_pos pos;
		int err;

		if (dir == src)
			return ext2_fail(fs, EXT2_EINVAL, "cannot move directory %u below itself",
					 src);
		if (dir == EXT2_ROOT_INO)
			return 0;
		if ((err = dir_get(fs, dir, &din)) ||
		    (err = dir_find(fs, dir, &din, "..", 2, &pos)))
			return err;
		dir = pos.ino;
	}
	return ext2_fail(fs, EXT2_ECORRUPT,
			 "\"..\" chain from directory %u does not reach the root", dir);
}

int ext2_rename(struct ext2_fs *fs, uint32_t sdir, const char *sname, size_t slen, uint32_t ddir,
		const char *dname, size_t dlen)
{
	struct ext2_inode sin, tin = {0}, ddin, srcdin;
	struct dir_pos spos, tpos, dotdot;
	int err, target, is_dir;

	/* Decode: every check before the first change. */
	if ((err = find_victim(fs, sdir, sname, slen, &spos, &sin)))
		return err;
	if ((err = dir_name_ok(fs, dname, dlen)) || (err = dir_get(fs, ddir, &ddin)))
		return err;
	if (is_dot(dname, dlen))
		return ext2_fail(fs, EXT2_EINVAL, "cannot rename onto \".\" or \"..\"");
	err = dir_find(fs, ddir, &ddin, dname, dlen, &tpos);
	if (err && err != EXT2_ENOENT)
		return err;
	target = err == 0;
	if (target && tpos.ino == spos.ino)
		return 0; /* two names of the same inode: nothing to do */
	is_dir = EXT2_ISDIR(sin.i_mode);
	if (target && (err = ext2_iget(fs, tpos.ino, &tin)))
		return err;
	if (is_dir) {
		if (target && !EXT2_ISDIR(tin.i_mode))
			return ext2_fail(fs, EXT2_ENOTDIR, "%.*s is not a directory", (int)dlen,
					 dname);
		if (target && (err = dir_empty(fs, tpos.ino, &tin)) <= 0)
			return err ? err
				   : ext2_fail(fs, EXT2_ENOTEMPTY, "directory %.*s is not empty",
					       (int)dlen, dname);
		if (sdir != ddir && (err = check_not_below(fs, spos.ino, ddir)))
			return err;
		if (sdir != ddir && !target && ddin.i_links_count >= EXT2_LINK_MAX)
			return ext2_fail(fs, EXT2_EMLINK, "directory %u has %u links", ddir,
					 ddin.i_links_count);
		if (sdir != ddir && (err = dir_find(fs, spos.ino, &sin, "..", 2, &dotdot)))
			return err;
	} else if (target && EXT2_ISDIR(tin.i_mode)) {
		return ext2_fail(fs, EXT2_EISDIR, "%.*s is a directory", (int)dlen, dname);
	}

	/* Perform: the new name first (the only step that allocates), then the rest. */
	if (target)
		err = dir_set(fs, &tpos, spos.ino, dir_ftype(sin.i_mode));
	else
		err = dir_add(fs, ddir, &ddin, dname, dlen, spos.ino, dir_ftype(sin.i_mode));
	if (err)
		return err;
	/* Adding may have moved entries of the same directory: find the old name again. */
	if ((err = dir_get(fs, sdir, &srcdin)) ||
	    (err = dir_find(fs, sdir, &srcdin, sname, slen, &spos)) ||
	    (err = dir_remove(fs, &spos)))
		return err;
	if (target) {
		if (EXT2_ISDIR(tin.i_mode) && (err = adjust_links(fs, ddir, -1)))
			return err;
		if ((err = drop_link(fs, tpos.ino)))
			return err;
	}
	if (is_dir && sdir != ddir) {
		if ((err = dir_set(fs, &dotdot, ddir, EXT2_FT_DIR)) ||
		    (err = adjust_links(fs, sdir, -1)) || (err = adjust_links(fs, ddir, 1)))
			return err;
	}
	if ((err = adjust_links(fs, spos.ino, 0)) || (err = touch(fs, sdir)))
		return err;
	return sdir == ddir ? 0 : touch(fs, ddir);
}
