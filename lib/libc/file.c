/*
 * Descriptors: the POSIX calls on file descriptors, over the file server
 * (lib/user/fs_proto.h). fs keeps every process's descriptor table; the C
 * library keeps only a copy of what kind each descriptor is, so that it
 * writes console descriptors to con itself (console.c) and sends the rest
 * to fs. The copy is read from fs (FS_FDTABLE) on first use and kept up to
 * date by every call that changes the table; fork copies it with the rest
 * of memory, exec starts over. Bytes move through the window at UFSWIN_VA,
 * at most its size per request.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdbool.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/libc/sys.h"
#include "lib/user/fs_proto.h"

#define WIN	  ((uint8_t *)UFSWIN_VA)
#define WIN_BYTES (UFSWIN_PAGES * 4096ul)

static uint8_t kinds[FS_FDS_MAX];
static bool kinds_known;

static handle_t fs_ep(void)
{
	return __strata_us ? __strata_us->fs : 0;
}

int64_t __strata_fs_call(struct msg *m)
{
	int e = __strata_call(fs_ep(), m);

	if (e != 0)
		return -__strata_errno(e);
	return (int64_t)m->w[0];
}

/* A result of __strata_fs_call as a POSIX return: the value, or -1 with errno set. */
static long result(int64_t r)
{
	if (r < 0) {
		errno = (int)-r;
		return -1;
	}
	return (long)r;
}

/* Without fs (a program started without servers) 0..2 are the console and nothing else is open. */
static void load_kinds(void)
{
	if (kinds_known)
		return;
	kinds_known = true;
	memset(kinds, 0, sizeof(kinds));
	struct msg m = {.tag = msg_tag(FS_FDTABLE, 0, 0)};
	if (!fs_ep() || __strata_fs_call(&m) < 0) {
		kinds[0] = kinds[1] = kinds[2] = FS_KIND_CONSOLE;
		return;
	}
	memcpy(kinds, WIN, sizeof(kinds));
}

int __strata_fd_kind(int fd)
{
	if (fd < 0 || fd >= FS_FDS_MAX)
		return FS_KIND_NONE;
	load_kinds();
	return kinds[fd];
}

void __strata_fd_set_kind(int fd, int kind)
{
	load_kinds();
	if (fd >= 0 && fd < FS_FDS_MAX)
		kinds[fd] = (uint8_t)kind;
}

/* FS_READ or FS_WRITE of up to n bytes (one window) at off (FS_AT_POS: the position). */
static int64_t transfer(unsigned label, int fd, uint64_t n, uint64_t off)
{
	for (;;) {
		struct msg m = {.tag = msg_tag(label, 3, 0), .w = {(uint64_t)fd, n, off}};
		int64_t r = __strata_fs_call(&m);
		/* A signal handler ran while a pipe kept us waiting. */
		if (r != -FS_EINTR || !__strata_signal_restart())
			return r;
	}
}

/* Read from a descriptor fs serves: the count, or -errno. */
int64_t __strata_fs_read(int fd, void *p, size_t n, uint64_t off)
{
	size_t done = 0;

	while (done < n) {
		uint64_t k = n - done < WIN_BYTES ? n - done : WIN_BYTES;
		int64_t r = transfer(FS_READ, fd, k, off == FS_AT_POS ? off : off + done);
		if (r < 0)
			return done ? (int64_t)done : r;
		memcpy((uint8_t *)p + done, WIN, (size_t)r);
		done += (size_t)r;
		/* A short read is all there is for now (a pipe) or the end. */
		if ((uint64_t)r < k || kinds[fd] == FS_KIND_PIPE)
			break;
	}
	return (int64_t)done;
}

/* Write to a descriptor fs serves: the count, or -errno. */
int64_t __strata_fs_write(int fd, const void *p, size_t n, uint64_t off)
{
	size_t done = 0;

	while (done < n) {
		uint64_t k = n - done < WIN_BYTES ? n - done : WIN_BYTES;
		memcpy(WIN, (const uint8_t *)p + done, k);
		int64_t r = transfer(FS_WRITE, fd, k, off == FS_AT_POS ? off : off + done);
		if (r < 0)
			return done ? (int64_t)done : r;
		done += (size_t)r;
		if ((uint64_t)r < k)
			break;
	}
	return (int64_t)done;
}

static bool fs_served(int fd)
{
	int k = __strata_fd_kind(fd);
	return k != FS_KIND_NONE && k != FS_KIND_CONSOLE;
}

ssize_t pread(int fd, void *p, size_t n, off_t off)
{
	if (!fs_served(fd))
		return result(__strata_fd_kind(fd) ? -ESPIPE : -EBADF);
	if (off < 0)
		return result(-EINVAL);
	return result(__strata_fs_read(fd, p, n, (uint64_t)off));
}

ssize_t pwrite(int fd, const void *p, size_t n, off_t off)
{
	if (!fs_served(fd))
		return result(__strata_fd_kind(fd) ? -ESPIPE : -EBADF);
	if (off < 0)
		return result(-EINVAL);
	return result(__strata_fs_write(fd, p, n, (uint64_t)off));
}

off_t lseek(int fd, off_t off, int whence)
{
	int k = __strata_fd_kind(fd);

	if (k == FS_KIND_NONE)
		return result(-EBADF);
	if (k == FS_KIND_CONSOLE || k == FS_KIND_PIPE)
		return result(-ESPIPE);
	struct msg m = {.tag = msg_tag(FS_SEEK, 3, 0),
			.w = {(uint64_t)fd, (uint64_t)off, (uint64_t)whence}};
	return result(__strata_fs_call(&m));
}

int close(int fd)
{
	int shm = __strata_shm_slot(fd);

	if (shm >= 0)
		return __strata_shm_close(shm);
	if (__strata_fd_kind(fd) == FS_KIND_NONE)
		return result(-EBADF);
	if (fd <= 2)
		__strata_flush_all();
	struct msg m = {.tag = msg_tag(FS_CLOSE, 1, 0), .w = {(uint64_t)fd}};
	int64_t r = fs_ep() ? __strata_fs_call(&m) : 0;
	if (r == 0 || r == -EBADF)
		kinds[fd] = FS_KIND_NONE;
	return (int)result(r);
}

/* FS_DUP: fd to want (FS_ANY_FD: the lowest free) with descriptor flags. */
static int dup_to(int fd, uint64_t want, uint64_t fdflags)
{
	if (__strata_fd_kind(fd) == FS_KIND_NONE)
		return (int)result(-EBADF);
	if (want != FS_ANY_FD && want >= FS_FDS_MAX)
		return (int)result(-EBADF);
	if (want <= 2)
		__strata_flush_all(); /* what stdio holds for the old one goes there first */
	struct msg m = {.tag = msg_tag(FS_DUP, 3, 0), .w = {(uint64_t)fd, want, fdflags}};
	int64_t r = __strata_fs_call(&m);
	if (r >= 0)
		kinds[r] = (uint8_t)m.w[1];
	return (int)result(r);
}

int dup(int fd)
{
	return dup_to(fd, FS_ANY_FD, 0);
}

int dup2(int fd, int fd2)
{
	if (fd2 < 0)
		return (int)result(-EBADF);
	if (fd == fd2)
		return __strata_fd_kind(fd) ? fd : (int)result(-EBADF);
	return dup_to(fd, (uint64_t)fd2, 0);
}

int pipe(int fds[2])
{
	struct msg m = {.tag = msg_tag(FS_PIPE, 0, 0)};
	int64_t r = __strata_fs_call(&m);

	if (r < 0)
		return (int)result(r);
	fds[0] = (int)r;
	fds[1] = (int)m.w[1];
	__strata_fd_set_kind(fds[0], FS_KIND_PIPE);
	__strata_fd_set_kind(fds[1], FS_KIND_PIPE);
	return 0;
}

int isatty(int fd)
{
	int k = __strata_fd_kind(fd);

	if (k == FS_KIND_CONSOLE)
		return 1;
	errno = k == FS_KIND_NONE ? EBADF : ENOTTY;
	return 0;
}

/* picolibc's O_* (sys/_default_fcntl.h) and fs's FS_O_* differ: translate both ways. */
static const struct {
	int libc;
	uint32_t fs;
} oflags[] = {
    {O_APPEND, FS_O_APPEND}, {O_CREAT, FS_O_CREAT},	    {O_TRUNC, FS_O_TRUNC},
    {O_EXCL, FS_O_EXCL},     {O_DIRECTORY, FS_O_DIRECTORY}, {O_CLOEXEC, FS_O_CLOEXEC},
};

static uint32_t to_fs_flags(int flags)
{
	uint32_t f = (uint32_t)(flags & O_ACCMODE);

	for (size_t i = 0; i < sizeof(oflags) / sizeof(oflags[0]); i++)
		if (flags & oflags[i].libc)
			f |= oflags[i].fs;
	return f;
}

static int from_fs_flags(uint32_t f)
{
	int flags = (int)(f & FS_O_ACCMODE);

	for (size_t i = 0; i < sizeof(oflags) / sizeof(oflags[0]); i++)
		if (f & oflags[i].fs)
			flags |= oflags[i].libc;
	return flags;
}

int open(const char *path, int flags, ...)
{
	char abs[FS_PATH_MAX];
	unsigned mode = 0;
	va_list ap;

	if (flags & O_CREAT) {
		va_start(ap, flags);
		mode = va_arg(ap, unsigned);
		va_end(ap);
	}
	int e = __strata_path(path, abs);
	if (e)
		return (int)result(e);
	struct msg m;
	__strata_path_msg(&m, FS_OPEN, abs);
	m.w[0] = to_fs_flags(flags);
	m.w[1] = mode;
	int64_t r = __strata_fs_call(&m);
	if (r >= 0)
		__strata_fd_set_kind((int)r, (int)m.w[1]);
	return (int)result(r);
}

int creat(const char *path, mode_t mode)
{
	return open(path, O_WRONLY | O_CREAT | O_TRUNC, mode);
}

int fcntl(int fd, int cmd, ...)
{
	va_list ap;
	int arg;

	va_start(ap, cmd);
	arg = va_arg(ap, int);
	va_end(ap);
	if (__strata_fd_kind(fd) == FS_KIND_NONE)
		return (int)result(-EBADF);
	struct msg m = {.tag = msg_tag(FS_FDINFO, 1, 0), .w = {(uint64_t)fd}};
	switch (cmd) {
	case F_GETFD:
	case F_GETFL: {
		int64_t r = __strata_fs_call(&m);
		if (r < 0)
			return (int)result(r);
		if (cmd == F_GETFD)
			return (m.w[2] & FS_FD_CLOEXEC) ? FD_CLOEXEC : 0;
		return from_fs_flags((uint32_t)m.w[1]);
	}
	case F_SETFD:
		m = (struct msg){.tag = msg_tag(FS_SETFD, 2, 0),
				 .w = {(uint64_t)fd, (arg & FD_CLOEXEC) ? FS_FD_CLOEXEC : 0}};
		return (int)result(__strata_fs_call(&m));
	case F_DUPFD:
	case F_DUPFD_CLOEXEC:
		if (arg < 0 || arg >= FS_FDS_MAX)
			return (int)result(-EINVAL);
		for (int to = arg; to < FS_FDS_MAX; to++)
			if (__strata_fd_kind(to) == FS_KIND_NONE)
				return dup_to(fd, (uint64_t)to, cmd == F_DUPFD_CLOEXEC);
		return (int)result(-EMFILE);
	default:
		return (int)result(-EINVAL);
	}
}

/* struct fs_stat (from the window) as picolibc's struct stat. */
static void stat_from(struct stat *st)
{
	struct fs_stat fst;

	memcpy(&fst, WIN, sizeof(fst));
	memset(st, 0, sizeof(*st));
	st->st_ino = (ino_t)fst.ino;
	st->st_mode = (mode_t)fst.mode;
	st->st_nlink = (nlink_t)fst.nlink;
	st->st_uid = (uid_t)fst.uid;
	st->st_gid = (gid_t)fst.gid;
	st->st_size = (off_t)fst.size;
	st->st_blksize = (blksize_t)fst.blksize;
	st->st_blocks = (blkcnt_t)fst.blocks;
	st->st_atime = (time_t)fst.atime;
	st->st_mtime = (time_t)fst.mtime;
	st->st_ctime = (time_t)fst.ctime;
}

int fstat(int fd, struct stat *st)
{
	int k = __strata_fd_kind(fd), shm = __strata_shm_slot(fd);

	if (shm >= 0)
		return __strata_shm_fstat(shm, st);
	if (k == FS_KIND_NONE)
		return (int)result(-EBADF);
	if (!fs_ep()) { /* no fs: only the console */
		memset(st, 0, sizeof(*st));
		st->st_mode = S_IFCHR | 0620;
		return 0;
	}
	struct msg m = {.tag = msg_tag(FS_FSTAT, 1, 0), .w = {(uint64_t)fd}};
	int64_t r = __strata_fs_call(&m);
	if (r == 0)
		stat_from(st);
	return (int)result(r);
}

int stat(const char *path, struct stat *st)
{
	char abs[FS_PATH_MAX];
	int e = __strata_path(path, abs);

	if (e)
		return (int)result(e);
	struct msg m;
	__strata_path_msg(&m, FS_STAT, abs);
	int64_t r = __strata_fs_call(&m);
	if (r == 0)
		stat_from(st);
	return (int)result(r);
}

int lstat(const char *path, struct stat *st)
{
	return stat(path, st); /* there are no symbolic links */
}

int ftruncate(int fd, off_t len)
{
	int shm = __strata_shm_slot(fd);

	if (shm >= 0)
		return __strata_shm_truncate(shm, len);
	if (!fs_served(fd))
		return (int)result(__strata_fd_kind(fd) ? -EINVAL : -EBADF);
	struct msg m = {.tag = msg_tag(FS_TRUNCATE, 2, 0), .w = {(uint64_t)fd, (uint64_t)len}};
	return (int)result(__strata_fs_call(&m));
}

int fsync(int fd)
{
	int k = __strata_fd_kind(fd);

	if (k == FS_KIND_NONE)
		return (int)result(-EBADF);
	if (k == FS_KIND_CONSOLE || k == FS_KIND_PIPE)
		return (int)result(-EINVAL);
	struct msg m = {.tag = msg_tag(FS_FSYNC, 1, 0), .w = {(uint64_t)fd}};
	return (int)result(__strata_fs_call(&m));
}

void sync(void)
{
	struct msg m = {.tag = msg_tag(FS_FSYNC, 1, 0), .w = {FS_ALL}};
	if (fs_ep())
		__strata_fs_call(&m);
}
