/*
 * Paths: the working directory and the calls that take a path. fs takes
 * absolute paths only; the C library keeps the working directory (as the
 * PWD environment variable, so that it passes to the programs a process
 * starts and across exec), joins relative paths to it and folds "." and
 * ".." before a path leaves.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/libc/strata.h"
#include "lib/libc/sys.h"
#include "lib/user/fs_proto.h"
#include "lib/user/msgbytes.h"

static char cwd[FS_PATH_MAX] = "/";
static int cwd_known;

/*
 * Fold path (absolute) in place: no ".", "..", repeated slashes; a trailing
 * slash is kept (it says the path must be a directory).
 */
static void fold(char *path)
{
	size_t n = strlen(path);
	int slash = n > 1 && path[n - 1] == '/';
	char *out = path + 1;
	const char *p = path;

	while (*p) {
		while (*p == '/')
			p++;
		const char *start = p;
		while (*p && *p != '/')
			p++;
		size_t len = (size_t)(p - start);
		if (len == 0 || (len == 1 && start[0] == '.'))
			continue;
		if (len == 2 && start[0] == '.' && start[1] == '.') {
			while (out > path + 1 && out[-1] != '/')
				out--;
			if (out > path + 1)
				out--;
			continue;
		}
		if (out > path + 1)
			*out++ = '/';
		memmove(out, start, len);
		out += len;
	}
	if (slash && out > path + 1)
		*out++ = '/';
	*out = '\0';
}

static const char *working_dir(void)
{
	if (!cwd_known) {
		const char *pwd = getenv("PWD");
		cwd_known = 1;
		if (pwd && pwd[0] == '/' && strlen(pwd) < sizeof(cwd)) {
			strcpy(cwd, pwd);
			fold(cwd);
		}
	}
	return cwd;
}

int __strata_path(const char *path, char *abs)
{
	if (!path)
		return -EFAULT;
	if (!path[0])
		return -ENOENT;
	size_t n = strlen(path);
	if (path[0] == '/') {
		if (n >= FS_PATH_MAX)
			return -ENAMETOOLONG;
		memcpy(abs, path, n + 1);
	} else {
		const char *wd = working_dir();
		size_t w = strlen(wd);
		if (w + 1 + n >= FS_PATH_MAX)
			return -ENAMETOOLONG;
		memcpy(abs, wd, w);
		abs[w] = '/';
		memcpy(abs + w + 1, path, n + 1);
	}
	fold(abs);
	return 0;
}

void __strata_path_msg(struct msg *m, unsigned label, const char *abs)
{
	*m = (struct msg){0};
	unsigned words = msgbytes_put(m, __strata_ipcbuf(), FS_PATH_WORD, abs, strlen(abs) + 1);
	m->tag = msg_tag(label, words, 0);
}

static int fail(long r)
{
	if (r < 0) {
		errno = (int)-r;
		return -1;
	}
	return 0;
}

/* A request whose only argument is a path (and w0). */
static int path_call(unsigned label, const char *path, uint64_t w0)
{
	char abs[FS_PATH_MAX];
	struct msg m;
	int e = __strata_path(path, abs);

	if (e)
		return fail(e);
	__strata_path_msg(&m, label, abs);
	m.w[0] = w0;
	return fail(__strata_fs_call(&m));
}

int unlink(const char *path)
{
	return path_call(FS_UNLINK, path, 0);
}

int mkdir(const char *path, mode_t mode)
{
	return path_call(FS_MKDIR, path, mode);
}

int rmdir(const char *path)
{
	return path_call(FS_RMDIR, path, 0);
}

int rename(const char *old, const char *new)
{
	char a[FS_PATH_MAX], b[FS_PATH_MAX], both[FS_PATH_MAX];
	int e = __strata_path(old, a);

	if (e == 0)
		e = __strata_path(new, b);
	size_t la = strlen(a) + 1, lb = strlen(b) + 1;
	if (e == 0 && la + lb > sizeof(both))
		e = -ENAMETOOLONG;
	if (e)
		return fail(e);
	memcpy(both, a, la);
	memcpy(both + la, b, lb);
	struct msg m = {0};
	unsigned words = msgbytes_put(&m, __strata_ipcbuf(), FS_PATH_WORD, both, la + lb);
	m.tag = msg_tag(FS_RENAME, words, 0);
	return fail(__strata_fs_call(&m));
}

int chdir(const char *path)
{
	char abs[FS_PATH_MAX];
	struct stat st;
	int e = __strata_path(path, abs);

	if (e)
		return fail(e);
	if (stat(abs, &st) != 0)
		return -1;
	if (!S_ISDIR(st.st_mode))
		return fail(-ENOTDIR);
	size_t n = strlen(abs);
	if (n > 1 && abs[n - 1] == '/')
		abs[n - 1] = '\0';
	working_dir();
	strcpy(cwd, abs);
	setenv("PWD", cwd, 1);
	return 0;
}

char *getcwd(char *buf, size_t size)
{
	const char *wd = working_dir();
	size_t n = strlen(wd) + 1;

	if (!buf) {
		buf = malloc(size > n ? size : n);
		if (!buf)
			return 0;
		size = size > n ? size : n;
	}
	if (size == 0) {
		errno = EINVAL;
		return 0;
	}
	if (n > size) {
		errno = ERANGE;
		return 0;
	}
	memcpy(buf, wd, n);
	return buf;
}

int strata_statfs(const char *path, struct fs_statfs *out)
{
	char abs[FS_PATH_MAX];
	struct msg m;
	int e = __strata_path(path, abs);

	if (e)
		return fail(e);
	__strata_path_msg(&m, FS_STATFS, abs);
	int64_t r = __strata_fs_call(&m);
	if (r == 0)
		memcpy(out, (void *)UFSWIN_VA, sizeof(*out));
	return fail(r);
}

int strata_fs_stats(struct fs_stats *out)
{
	struct msg m = {.tag = msg_tag(FS_STATS, 0, 0)};
	int64_t r = __strata_fs_call(&m);

	if (r == 0)
		memcpy(out, (void *)UFSWIN_VA, sizeof(*out));
	return fail(r);
}
