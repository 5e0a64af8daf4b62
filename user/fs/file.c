/*
 * Files and directories through descriptors: open, read, write, seek,
 * fstat, truncate, fsync and readdir. Bytes move through the client's
 * window; every request is checked whole before anything changes.
 */
#include "user/fs/fs.h"

#include "lib/str.h"

#define VALID_FLAGS                                                                                \
	(FS_O_ACCMODE | FS_O_APPEND | FS_O_CREAT | FS_O_TRUNC | FS_O_EXCL | FS_O_DIRECTORY |       \
	 FS_O_CLOEXEC)

static bool readable(const struct ofile *of)
{
	return (of->flags & FS_O_ACCMODE) != FS_O_WRONLY;
}

static bool writable(const struct ofile *of)
{
	unsigned acc = of->flags & FS_O_ACCMODE;
	return acc == FS_O_WRONLY || acc == FS_O_RDWR;
}

/* w0 = FS_O_* flags, w1 = mode, path -> fd. */
int64_t do_open(struct client *c, struct msg *m)
{
	static struct walk w;
	uint32_t flags = (uint32_t)m->w[0];
	struct fs_stat st;
	uint64_t ino;

	if ((m->w[0] & ~(uint64_t)VALID_FLAGS) || (flags & FS_O_ACCMODE) == FS_O_ACCMODE)
		return -FS_EINVAL;
	char path[FS_PATH_MAX];
	size_t len;
	int e = path_from_msg(m, path, &len);
	if (e == 0)
		e = path_walk(path, &w);
	if (e)
		return e;
	int fd = fd_lowest_free(c);
	if (fd < 0)
		return fd;
	if (w.ino && (flags & FS_O_CREAT) && (flags & FS_O_EXCL))
		return -FS_EEXIST;
	if (!w.ino && !(flags & FS_O_CREAT))
		return -FS_ENOENT;
	if (!w.ino && w.trailing_slash)
		return -FS_EISDIR;
	struct ofile *of = ofile_new(
	    FS_KIND_NONE, flags & ~(uint32_t)(FS_O_CREAT | FS_O_EXCL | FS_O_TRUNC | FS_O_CLOEXEC));
	if (!of)
		return -FS_ENOMEM;
	struct mount *mt = w.mnt;
	if (w.ino) {
		ino = w.ino;
		e = mt->ops->stat(mt->priv, ino, &st);
		bool dir = e == 0 && (st.mode & FS_S_IFMT) == FS_S_IFDIR;
		if (e == 0 && dir && (writable(of) || (flags & FS_O_TRUNC)))
			e = -FS_EISDIR;
		if (e == 0 && !dir && (flags & FS_O_DIRECTORY))
			e = -FS_ENOTDIR;
		if (e == 0 && !dir && (flags & FS_O_TRUNC) && writable(of))
			e = mt->ops->truncate(mt->priv, ino, 0);
		of->kind = dir ? FS_KIND_DIR : FS_KIND_FILE;
	} else if (flags & FS_O_DIRECTORY) {
		e = -FS_ENOENT;
	} else {
		e = mt->ops->create(mt->priv, w.dir, w.name, w.len, (uint32_t)m->w[1] & 07777,
				    &ino);
		of->kind = FS_KIND_FILE;
	}
	if (e) {
		of->kind = FS_KIND_NONE;
		ofile_put(of);
		return e;
	}
	of->mnt = mt;
	of->ino = ino;
	mt->ops->hold(mt->priv, ino);
	c->fd[fd] = of;
	c->fdflags[fd] = (flags & FS_O_CLOEXEC) ? FS_FD_CLOEXEC : 0;
	m->w[1] = of->kind;
	fs_reply_words = 2;
	return fd;
}

/* w0 = fd, w1 = bytes, w2 = offset or FS_AT_POS. */
int64_t do_read(struct client *c, struct msg *m)
{
	struct ofile *of = fd_get(c, m->w[0]);
	uint64_t n = m->w[1], off = m->w[2];

	if (!of || !readable(of))
		return -FS_EBADF;
	if (n > c->win_bytes)
		return -FS_EINVAL;
	if (of->kind == FS_KIND_PIPE)
		return off == FS_AT_POS ? pipe_read(c, of, n) : -FS_ESPIPE;
	if (of->kind == FS_KIND_DIR)
		return -FS_EISDIR;
	if (of->kind != FS_KIND_FILE)
		return -FS_EINVAL; /* the console is con's */
	if (off != FS_AT_POS && (int64_t)off < 0)
		return -FS_EINVAL;
	if (n == 0)
		return 0;
	int64_t r =
	    of->mnt->ops->read(of->mnt->priv, of->ino, off == FS_AT_POS ? of->pos : off, c->win, n);
	if (r > 0 && off == FS_AT_POS)
		of->pos += (uint64_t)r;
	return r;
}

/* w0 = fd, w1 = bytes, w2 = offset or FS_AT_POS. */
int64_t do_write(struct client *c, struct msg *m)
{
	struct ofile *of = fd_get(c, m->w[0]);
	uint64_t n = m->w[1], off = m->w[2];
	struct fs_stat st;

	if (!of || !writable(of))
		return -FS_EBADF;
	if (n > c->win_bytes)
		return -FS_EINVAL;
	if (of->kind == FS_KIND_PIPE)
		return off == FS_AT_POS ? pipe_write(c, of, n) : -FS_ESPIPE;
	if (of->kind != FS_KIND_FILE)
		return -FS_EINVAL;
	if (off != FS_AT_POS && (int64_t)off < 0)
		return -FS_EINVAL;
	if (n == 0)
		return 0;
	uint64_t at = off == FS_AT_POS ? of->pos : off;
	if (of->flags & FS_O_APPEND) { /* POSIX: appends go to the end, pwrite too */
		int e = of->mnt->ops->stat(of->mnt->priv, of->ino, &st);
		if (e)
			return e;
		at = st.size;
	}
	int64_t r = of->mnt->ops->write(of->mnt->priv, of->ino, at, c->win, n);
	if (r > 0 && off == FS_AT_POS)
		of->pos = at + (uint64_t)r;
	return r;
}

/* w0 = fd, w1 = offset, w2 = FS_SEEK_* -> the new position. */
int64_t do_seek(struct client *c, struct msg *m)
{
	struct ofile *of = fd_get(c, m->w[0]);
	int64_t off = (int64_t)m->w[1], base;
	struct fs_stat st;

	if (!of)
		return -FS_EBADF;
	if (of->kind == FS_KIND_PIPE || of->kind == FS_KIND_CONSOLE)
		return -FS_ESPIPE;
	switch (m->w[2]) {
	case FS_SEEK_SET:
		base = 0;
		break;
	case FS_SEEK_CUR:
		base = (int64_t)of->pos;
		break;
	case FS_SEEK_END:
		if (of->mnt->ops->stat(of->mnt->priv, of->ino, &st))
			return -FS_EIO;
		base = (int64_t)st.size;
		break;
	default:
		return -FS_EINVAL;
	}
	if ((off < 0 && base + off < 0) || (off > 0 && base > INT64_MAX - off))
		return -FS_EINVAL;
	if (of->kind == FS_KIND_DIR && m->w[2] != FS_SEEK_SET)
		return -FS_EINVAL; /* directory positions are the backend's cookies */
	of->pos = (uint64_t)(base + off);
	return (int64_t)of->pos;
}

/* w0 = fd -> struct fs_stat in the window. */
int64_t do_fstat(struct client *c, struct msg *m)
{
	struct ofile *of = fd_get(c, m->w[0]);
	struct fs_stat st = {.nlink = 1, .blksize = 4096};
	int e = 0;

	if (!of)
		return -FS_EBADF;
	if (of->kind == FS_KIND_PIPE) {
		st.mode = FS_S_IFIFO | 0600;
		st.size = of->pipe->len;
		st.blksize = PIPE_SIZE;
	} else if (of->kind == FS_KIND_CONSOLE) {
		st.mode = FS_S_IFCHR | 0620;
	} else {
		e = of->mnt->ops->stat(of->mnt->priv, of->ino, &st);
	}
	if (e == 0)
		memcpy(c->win, &st, sizeof(st));
	return e;
}

/* w0 = fd, w1 = length. */
int64_t do_truncate(struct client *c, struct msg *m)
{
	struct ofile *of = fd_get(c, m->w[0]);

	if (!of)
		return -FS_EBADF;
	if (of->kind != FS_KIND_FILE || !writable(of) || (int64_t)m->w[1] < 0)
		return -FS_EINVAL;
	return of->mnt->ops->truncate(of->mnt->priv, of->ino, m->w[1]);
}

/* w0 = fd or FS_ALL. */
int64_t do_fsync(struct client *c, struct msg *m)
{
	if (m->w[0] == FS_ALL)
		return mount_sync_all();
	struct ofile *of = fd_get(c, m->w[0]);
	if (!of)
		return -FS_EBADF;
	if (of->kind != FS_KIND_FILE && of->kind != FS_KIND_DIR)
		return -FS_EINVAL;
	return of->mnt->ops->fsync(of->mnt->priv, of->ino);
}

/* w0 = fd (a directory), w1 = bytes of window to fill -> bytes filled. */
int64_t do_readdir(struct client *c, struct msg *m)
{
	struct ofile *of = fd_get(c, m->w[0]);
	uint64_t n = m->w[1];

	if (!of)
		return -FS_EBADF;
	if (of->kind != FS_KIND_DIR)
		return -FS_ENOTDIR;
	if (n > c->win_bytes)
		return -FS_EINVAL;
	return of->mnt->ops->readdir(of->mnt->priv, of->ino, &of->pos, c->win, n);
}
