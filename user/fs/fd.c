/*
 * Open-file descriptions and descriptors. A description (struct ofile) is
 * made by open, pipe or for the console, and shared by every descriptor
 * dup and fork make from it: they share its position and flags. It goes
 * with its last descriptor, and with it the backend's hold on the file or
 * the pipe end.
 */
#include "user/fs/fs.h"

#include "lib/str.h"

static struct ofile files[FS_FILES];

struct ofile *ofile_new(uint8_t kind, uint32_t flags)
{
	for (unsigned i = 0; i < FS_FILES; i++)
		if (files[i].refs == 0) {
			files[i] = (struct ofile){.refs = 1, .kind = kind, .flags = flags};
			fs_stats.files++;
			return &files[i];
		}
	return 0;
}

void ofile_put(struct ofile *of)
{
	if (--of->refs)
		return;
	if (of->kind == FS_KIND_PIPE)
		pipe_close_end(of->pipe, of->write_end);
	else if (of->mnt)
		of->mnt->ops->release(of->mnt->priv, of->ino);
	*of = (struct ofile){0};
	fs_stats.files--;
}

struct ofile *fd_get(struct client *c, uint64_t fd)
{
	return fd < FS_FDS_MAX ? c->fd[fd] : 0;
}

int fd_lowest_free(struct client *c)
{
	for (int fd = 0; fd < FS_FDS_MAX; fd++)
		if (!c->fd[fd])
			return fd;
	return -FS_EMFILE;
}

void fd_close(struct client *c, int fd)
{
	struct ofile *of = c->fd[fd];

	c->fd[fd] = 0;
	c->fdflags[fd] = 0;
	if (of)
		ofile_put(of);
}

/* w0 = fd. */
int64_t do_close(struct client *c, struct msg *m)
{
	if (!fd_get(c, m->w[0]))
		return -FS_EBADF;
	fd_close(c, (int)m->w[0]);
	return 0;
}

/* w0 = fd, w1 = new fd or FS_ANY_FD, w2 = FS_FD_CLOEXEC or 0 -> new fd; w1 = its kind. */
int64_t do_dup(struct client *c, struct msg *m)
{
	struct ofile *of = fd_get(c, m->w[0]);
	uint64_t want = m->w[1];
	int fd;

	if (!of)
		return -FS_EBADF;
	if (m->w[2] & ~(uint64_t)FS_FD_CLOEXEC)
		return -FS_EINVAL;
	if (want == FS_ANY_FD) {
		fd = fd_lowest_free(c);
		if (fd < 0)
			return fd;
	} else {
		if (want >= FS_FDS_MAX)
			return -FS_EBADF;
		fd = (int)want;
		if (c->fd[fd] == of) { /* dup2(fd, fd): nothing to do but set the flags */
			c->fdflags[fd] = (uint8_t)m->w[2];
			goto done;
		}
		if (c->fd[fd])
			fd_close(c, fd);
	}
	of->refs++;
	c->fd[fd] = of;
	c->fdflags[fd] = (uint8_t)m->w[2];
done:
	m->w[1] = of->kind;
	m->w[2] = 0;
	fs_reply_words = 2;
	return fd;
}

/* w0 = fd -> kind; w1 = open flags, w2 = descriptor flags. */
int64_t do_fdinfo(struct client *c, struct msg *m)
{
	struct ofile *of = fd_get(c, m->w[0]);

	if (!of)
		return -FS_EBADF;
	m->w[1] = of->flags;
	m->w[2] = c->fdflags[m->w[0]];
	fs_reply_words = 3;
	return of->kind;
}

/* w0 = fd, w1 = FS_FD_* flags. */
int64_t do_setfd(struct client *c, struct msg *m)
{
	if (!fd_get(c, m->w[0]))
		return -FS_EBADF;
	if (m->w[1] & ~(uint64_t)FS_FD_CLOEXEC)
		return -FS_EINVAL;
	c->fdflags[m->w[0]] = (uint8_t)m->w[1];
	return 0;
}

/* -> the number of open descriptors; their kinds in the window. */
int64_t do_fdtable(struct client *c, struct msg *m)
{
	int64_t n = 0;

	(void)m;
	if (c->win_bytes < FS_FDS_MAX)
		return -FS_EINVAL;
	for (int fd = 0; fd < FS_FDS_MAX; fd++) {
		c->win[fd] = c->fd[fd] ? c->fd[fd]->kind : FS_KIND_NONE;
		n += c->fd[fd] != 0;
	}
	return n;
}
