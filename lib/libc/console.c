/*
 * The standard streams, and read() and write(). Output is buffered per
 * line and written to descriptor 1 or 2; input is taken from descriptor 0.
 * A descriptor of kind FS_KIND_CONSOLE is written through the console
 * server (CON_WRITE) and read a line at a time (CON_READ), waiting on the
 * con_input notification while no line is ready; any other kind goes to
 * fs (file.c). A program started without servers writes to the kernel
 * console (SYS_DEBUG_WRITE) and reads end of file.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "lib/error.h"
#include "lib/libc/strata.h"
#include "lib/libc/sys.h"
#include "lib/user/con_proto.h"
#include "lib/user/fs_proto.h"
#include "lib/user/msgbytes.h"
#include "lib/user/syscall.h"

#define LINE 256

/* Write n bytes to the console; returns ERR_OK or the error. */
static int con_write(const char *p, size_t n)
{
	if (!__strata_us || !__strata_us->con) {
		for (size_t done = 0; done < n; done += 4096) {
			size_t k = n - done < 4096 ? n - done : 4096;
			int e = sys_debug_write(p + done, k);
			if (e != ERR_OK)
				return e;
		}
		return ERR_OK;
	}
	while (n) {
		size_t k = n < CON_DATA_MAX ? n : CON_DATA_MAX;
		struct msg m = {.w = {k}};
		unsigned words = msgbytes_put(&m, __strata_ipcbuf(), CON_DATA_WORD, p, k);
		m.tag = msg_tag(CON_WRITE, words, 0);
		int e = __strata_call(__strata_us->con, &m);
		if (e != ERR_OK)
			return e;
		p += k;
		n -= k;
	}
	return ERR_OK;
}

/*
 * Read up to n bytes of console input, waiting for a line. Returns the
 * count (0 at end of file) or a negative enum err.
 */
static long con_read(char *p, size_t n)
{
	if (!__strata_us || !__strata_us->con)
		return 0;
	if (n > CON_DATA_MAX)
		n = CON_DATA_MAX;
	for (;;) {
		struct msg m = {.tag = msg_tag(CON_READ, 1, 0), .w = {n}};
		int e = __strata_call(__strata_us->con, &m);
		if (e == ERR_WOULDBLOCK) {
			uint64_t bits;
			e = sys_notify_wait(__strata_us->con_input, &bits);
			if (e == ERR_INTERRUPTED && __strata_signal_restart())
				continue;
			if (e != ERR_OK)
				return e;
			continue;
		}
		if (e != ERR_OK)
			return e;
		size_t got = m.w[0];
		if (got > n || !msgbytes_fit(m.tag, CON_DATA_WORD, got))
			return ERR_CORRUPT;
		msgbytes_get(&m, __strata_ipcbuf(), CON_DATA_WORD, p, got);
		return (long)got;
	}
}

/* Write n bytes to fd, whatever its kind (no flush first): the count or -errno. */
static long fd_write(int fd, const void *p, size_t n)
{
	int k = __strata_fd_kind(fd);

	if (k == FS_KIND_CONSOLE) {
		int e = con_write(p, n);
		return e == ERR_OK ? (long)n : -__strata_errno(e);
	}
	if (k == FS_KIND_NONE)
		return -EBADF;
	return (long)__strata_fs_write(fd, p, n, FS_AT_POS);
}

/* Read up to n bytes from fd, whatever its kind: the count (0: end) or -errno. */
static long fd_read(int fd, void *p, size_t n)
{
	int k = __strata_fd_kind(fd);

	if (k == FS_KIND_CONSOLE) {
		long got = con_read(p, n);
		return got >= 0 ? got : -__strata_errno((int)got);
	}
	if (k == FS_KIND_NONE)
		return -EBADF;
	return (long)__strata_fs_read(fd, p, n, FS_AT_POS);
}

/* A buffered output stream on descriptor fd. */
struct out_stream {
	FILE file; /* first, so a FILE * is a struct out_stream * */
	int fd;
	size_t n;
	char buf[LINE];
};

static int out_flush(FILE *f)
{
	struct out_stream *s = (struct out_stream *)f;
	long r = s->n ? fd_write(s->fd, s->buf, s->n) : 0;

	s->n = 0;
	return r >= 0 ? 0 : EOF;
}

static int out_put(char c, FILE *f)
{
	struct out_stream *s = (struct out_stream *)f;

	s->buf[s->n++] = c;
	if ((c == '\n' || s->n == LINE) && out_flush(f) != 0)
		return EOF;
	return (unsigned char)c;
}

/* The input stream: a line of console input at a time. */
static struct {
	char buf[LINE];
	size_t pos, len;
} in;

static int in_get(FILE *f)
{
	(void)f;
	if (in.pos == in.len) {
		__strata_flush_all(); /* show a prompt before waiting for its answer */
		long n = fd_read(0, in.buf, sizeof(in.buf));
		if (n <= 0) /* picolibc tells the end (feof) from a failure (ferror) by these */
			return n == 0 ? _FDEV_EOF : _FDEV_ERR;
		in.pos = 0;
		in.len = (size_t)n;
	}
	return (unsigned char)in.buf[in.pos++];
}

static struct out_stream out = {
    .file = FDEV_SETUP_STREAM(out_put, NULL, out_flush, _FDEV_SETUP_WRITE), .fd = 1};
static struct out_stream err = {
    .file = FDEV_SETUP_STREAM(out_put, NULL, out_flush, _FDEV_SETUP_WRITE), .fd = 2};
static FILE inf = FDEV_SETUP_STREAM(NULL, in_get, NULL, _FDEV_SETUP_READ);

FILE *const stdin = &inf;
FILE *const stdout = &out.file;
FILE *const stderr = &err.file;

void __strata_flush_all(void)
{
	out_flush(stdout);
	out_flush(stderr);
}

ssize_t write(int fd, const void *p, size_t n)
{
	__strata_flush_all(); /* keep the order with what stdio buffered */
	long r = fd_write(fd, p, n);
	if (r < 0) {
		errno = (int)-r;
		return -1;
	}
	return (ssize_t)r;
}

ssize_t read(int fd, void *p, size_t n)
{
	if (n == 0)
		return __strata_fd_kind(fd) ? 0 : (errno = EBADF, -1);
	if (fd == 0 && in.pos < in.len) { /* what stdio already took comes first */
		size_t k = in.len - in.pos < n ? in.len - in.pos : n;
		memcpy(p, in.buf + in.pos, k);
		in.pos += k;
		return (ssize_t)k;
	}
	__strata_flush_all();
	long r = fd_read(fd, p, n);
	if (r < 0) {
		errno = (int)-r;
		return -1;
	}
	return (ssize_t)r;
}

/* CON_FOREGROUND: set the group (or CON_FG_ASK) -> the group before, or -1. */
static int foreground(uint64_t pgid)
{
	struct msg m = {.tag = msg_tag(CON_FOREGROUND, 1, 0), .w = {pgid}};

	if (!__strata_us || !__strata_us->con)
		return 0; /* no console server: nothing to interrupt with */
	int e = __strata_call(__strata_us->con, &m);
	return e == ERR_OK ? (int)m.w[0] : __strata_fail(e);
}

int strata_console_foreground(int pgid)
{
	if (pgid < 0) {
		errno = EINVAL;
		return -1;
	}
	return foreground((uint64_t)pgid);
}

int tcsetpgrp(int fd, pid_t pgrp)
{
	if (!isatty(fd))
		return -1; /* ENOTTY or EBADF */
	if (pgrp <= 0) {
		errno = EINVAL;
		return -1;
	}
	return foreground((uint64_t)pgrp) < 0 ? -1 : 0;
}

pid_t tcgetpgrp(int fd)
{
	if (!isatty(fd))
		return -1;
	return foreground(CON_FG_ASK);
}
