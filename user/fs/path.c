/*
 * Paths and mounts. A path arrives absolute (the C library resolves the
 * working directory); fs still takes "." and ".." lexically, so any
 * absolute path works. The mount whose path is the longest prefix of it
 * (on a component boundary) serves it, and the rest is walked with the
 * backend's lookup. A mount's root directory is what its path names: the
 * directory it is mounted on in the file system below stays hidden.
 */
#include "user/fs/fs.h"

#include "lib/str.h"
#include "lib/user/msgbytes.h"

static struct mount mounts[FS_MOUNTS];

int mount_add(const char *path, const struct fs_backend *ops, void *priv, uint64_t root)
{
	size_t len = strlen(path);

	if (path[0] != '/' || len >= FS_MOUNT_PATH || (len > 1 && path[len - 1] == '/'))
		return -FS_EINVAL;
	for (unsigned i = 0; i < FS_MOUNTS; i++)
		if (!mounts[i].ops) {
			mounts[i] = (struct mount){ops, priv, root, "", len};
			memcpy(mounts[i].path, path, len + 1);
			return 0;
		}
	return -FS_ENOMEM;
}

/*
 * The path in a request (from word FS_PATH_WORD, NUL-terminated) into out
 * (FS_PATH_MAX bytes); *len its length. -EINVAL if it is not carried whole,
 * empty or not absolute.
 */
int path_from_msg(const struct msg *m, char *out, size_t *len)
{
	size_t carried =
	    msg_words(m->tag) > FS_PATH_WORD ? (msg_words(m->tag) - FS_PATH_WORD) * 8 : 0;

	if (carried > FS_PATH_MAX)
		carried = FS_PATH_MAX;
	msgbytes_get(m, FS_IPCBUF, FS_PATH_WORD, out, carried);
	size_t n = strnlen(out, carried);
	if (n == carried)
		return carried == FS_PATH_MAX ? -FS_ENAMETOOLONG : -FS_EINVAL;
	if (n == 0)
		return -FS_ENOENT;
	if (out[0] != '/')
		return -FS_EINVAL;
	*len = n;
	return 0;
}

/*
 * Rewrite path (absolute) in place without "." and ".." and repeated or
 * trailing slashes; *slash says whether it ended in a slash (the target
 * must then be a directory). -ENAMETOOLONG for a component too long.
 */
static int normalize(char *path, bool *slash)
{
	char *out = path + 1;
	const char *p = path;
	size_t n = strlen(path);

	*slash = n > 1 && path[n - 1] == '/';
	while (*p) {
		while (*p == '/')
			p++;
		const char *start = p;
		while (*p && *p != '/')
			p++;
		size_t len = (size_t)(p - start);
		if (len == 0 || (len == 1 && start[0] == '.'))
			continue;
		if (len > FS_NAME_MAX)
			return -FS_ENAMETOOLONG;
		if (len == 2 && start[0] == '.' && start[1] == '.') {
			while (out > path + 1 && out[-1] != '/')
				out--;
			if (out > path + 1)
				out--; /* the slash before it */
			continue;
		}
		if (out > path + 1)
			*out++ = '/';
		memmove(out, start, len);
		out += len;
	}
	*out = '\0';
	return 0;
}

/* The mount serving normalized path, and where the rest of the path starts. */
static struct mount *mount_of(const char *path, const char **rest)
{
	struct mount *best = 0;

	for (unsigned i = 0; i < FS_MOUNTS; i++) {
		struct mount *mt = &mounts[i];
		size_t l = mt->pathlen;
		if (!mt->ops || (best && l <= best->pathlen))
			continue;
		if (l == 1 || (strncmp(path, mt->path, l) == 0 && (path[l] == '/' || !path[l])))
			best = mt;
	}
	if (best)
		*rest = path + (best->pathlen == 1 ? 1 : best->pathlen);
	return best;
}

static bool is_dir(struct mount *mt, uint64_t ino)
{
	struct fs_stat st;

	return mt->ops->stat(mt->priv, ino, &st) == 0 && (st.mode & FS_S_IFMT) == FS_S_IFDIR;
}

/*
 * Walk path to its last component: w->dir is the directory holding it,
 * w->ino the thing (0 if not there), w->name its name. -ENOENT if a
 * directory on the way is missing, -ENOTDIR if one is not a directory.
 */
int path_walk(const char *path, struct walk *w)
{
	const char *p;

	str_copy(w->buf, path, sizeof(w->buf));
	int e = normalize(w->buf, &w->trailing_slash);
	if (e)
		return e;
	w->mnt = mount_of(w->buf, &p);
	if (!w->mnt)
		return -FS_ENOENT;
	w->dir = w->mnt->root;
	w->ino = w->mnt->root;
	w->name = 0;
	w->len = 0;
	while (*p == '/')
		p++;
	while (*p) {
		const char *start = p;
		while (*p && *p != '/')
			p++;
		if (!w->ino)
			return -FS_ENOENT; /* a directory on the way is missing */
		if (!is_dir(w->mnt, w->ino))
			return -FS_ENOTDIR;
		w->dir = w->ino;
		w->name = start;
		w->len = (size_t)(p - start);
		uint64_t ino = 0;
		e = w->mnt->ops->lookup(w->mnt->priv, w->dir, start, w->len, &ino);
		if (e && e != -FS_ENOENT)
			return e;
		w->ino = e ? 0 : ino;
		while (*p == '/')
			p++;
	}
	if (w->ino && w->trailing_slash && !is_dir(w->mnt, w->ino))
		return -FS_ENOTDIR;
	return 0;
}

/* Walk the request's path. */
static int walk_msg(const struct msg *m, struct walk *w)
{
	char path[FS_PATH_MAX];
	size_t len;
	int e = path_from_msg(m, path, &len);

	return e ? e : path_walk(path, w);
}

int path_stat_msg(const struct msg *m, struct walk *w, struct fs_stat *st)
{
	int e = walk_msg(m, w);

	if (e)
		return e;
	if (!w->ino)
		return -FS_ENOENT;
	return w->mnt->ops->stat(w->mnt->priv, w->ino, st);
}

/* path -> struct fs_stat in the window. */
int64_t do_stat(struct client *c, struct msg *m)
{
	static struct walk w;
	struct fs_stat st;
	int e = path_stat_msg(m, &w, &st);

	if (e == 0)
		memcpy(c->win, &st, sizeof(st));
	return e;
}

int64_t do_unlink(struct client *c, struct msg *m)
{
	static struct walk w;
	int e = walk_msg(m, &w);

	(void)c;
	if (e)
		return e;
	if (!w.ino)
		return -FS_ENOENT;
	if (!w.name || is_dir(w.mnt, w.ino))
		return -FS_EISDIR;
	return w.mnt->ops->unlink(w.mnt->priv, w.dir, w.name, w.len);
}

/* w0 = mode, path. */
int64_t do_mkdir(struct client *c, struct msg *m)
{
	static struct walk w;
	uint64_t ino;
	int e = walk_msg(m, &w);

	(void)c;
	if (e)
		return e;
	if (w.ino)
		return -FS_EEXIST;
	return w.mnt->ops->mkdir(w.mnt->priv, w.dir, w.name, w.len, (uint32_t)m->w[0] & 07777,
				 &ino);
}

int64_t do_rmdir(struct client *c, struct msg *m)
{
	static struct walk w;
	int e = walk_msg(m, &w);

	(void)c;
	if (e)
		return e;
	if (!w.ino)
		return -FS_ENOENT;
	if (!w.name)
		return -FS_EBUSY; /* a mount's root, / included */
	if (!is_dir(w.mnt, w.ino))
		return -FS_ENOTDIR;
	for (unsigned i = 0; i < FS_MOUNTS; i++) /* a directory something is mounted on */
		if (mounts[i].ops && mounts[i].pathlen > 1 && strcmp(mounts[i].path, w.buf) == 0)
			return -FS_EBUSY;
	return w.mnt->ops->rmdir(w.mnt->priv, w.dir, w.name, w.len);
}

/* old path NUL new path NUL. */
int64_t do_rename(struct client *c, struct msg *m)
{
	static struct walk from, to;
	static char paths[FS_PATH_MAX];
	size_t len;
	int e = path_from_msg(m, paths, &len);

	(void)c;
	if (e)
		return e;
	size_t carried = (msg_words(m->tag) - FS_PATH_WORD) * 8;
	const char *newp = paths + len + 1;
	if (len + 1 >= carried || len + 1 + strnlen(newp, carried - len - 1) >= carried ||
	    newp[0] != '/')
		return -FS_EINVAL;
	e = path_walk(paths, &from);
	if (e == 0)
		e = path_walk(newp, &to);
	if (e)
		return e;
	if (!from.ino)
		return -FS_ENOENT;
	if (!from.name || !to.name)
		return -FS_EBUSY;
	if (from.mnt != to.mnt)
		return -FS_EXDEV;
	size_t fl = strlen(from.buf);
	if (strncmp(to.buf, from.buf, fl) == 0 && to.buf[fl] == '/')
		return -FS_EINVAL; /* into itself */
	if (strcmp(to.buf, from.buf) == 0)
		return 0;
	if (from.trailing_slash && !is_dir(from.mnt, from.ino))
		return -FS_ENOTDIR;
	return from.mnt->ops->rename(from.mnt->priv, from.dir, from.name, from.len, to.dir, to.name,
				     to.len);
}

/* path -> struct fs_statfs of its mount in the window. */
int64_t do_statfs(struct client *c, struct msg *m)
{
	static struct walk w;
	struct fs_statfs st;
	int e = walk_msg(m, &w);

	if (e)
		return e;
	if (!w.ino)
		return -FS_ENOENT;
	e = w.mnt->ops->statfs(w.mnt->priv, &st);
	if (e == 0)
		memcpy(c->win, &st, sizeof(st));
	return e;
}

/* fsync(FS_ALL), sync: every mount's everything. The first error, or 0. */
int mount_sync_all(void)
{
	int first = 0;

	for (unsigned i = 0; i < FS_MOUNTS; i++)
		if (mounts[i].ops) {
			int e = mounts[i].ops->fsync(mounts[i].priv, FS_ALL);
			if (e && !first)
				first = e;
		}
	return first;
}

bool fs_dirent_put(void *buf, uint64_t n, uint64_t *used, uint64_t ino, unsigned type,
		   const char *name, size_t len)
{
	uint64_t rec = (sizeof(struct fs_dirent) + len + 1 + 7) & ~7ull;
	struct fs_dirent *d = (struct fs_dirent *)((uint8_t *)buf + *used);

	if (len > FS_NAME_MAX || *used + rec > n)
		return false;
	d->ino = ino;
	d->reclen = (uint16_t)rec;
	d->type = (uint8_t)type;
	d->namelen = (uint8_t)len;
	memcpy(d->name, name, len);
	memset(d->name + len, 0, rec - sizeof(*d) - len);
	*used += rec;
	return true;
}
