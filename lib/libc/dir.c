/*
 * Directory streams: opendir opens the directory (O_DIRECTORY), readdir
 * takes entries a window's worth at a time from FS_READDIR and hands them
 * out one by one, closedir closes the descriptor.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/libc/sys.h"
#include "lib/user/fs_proto.h"

#define DIRBUF 2048

struct __strata_dir {
	int fd;
	size_t pos, len;
	struct dirent ent;
	uint8_t buf[DIRBUF];
};

DIR *opendir(const char *path)
{
	DIR *d = malloc(sizeof(*d));

	if (!d)
		return 0;
	d->fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (d->fd < 0) {
		free(d);
		return 0;
	}
	d->pos = d->len = 0;
	return d;
}

struct dirent *readdir(DIR *d)
{
	if (d->pos >= d->len) {
		struct msg m = {.tag = msg_tag(FS_READDIR, 2, 0), .w = {(uint64_t)d->fd, DIRBUF}};
		int64_t r = __strata_fs_call(&m);
		if (r <= 0) {
			if (r < 0)
				errno = (int)-r;
			return 0;
		}
		memcpy(d->buf, (void *)UFSWIN_VA, (size_t)r);
		d->pos = 0;
		d->len = (size_t)r;
	}
	const struct fs_dirent *e = (const struct fs_dirent *)(d->buf + d->pos);
	d->pos += e->reclen;
	d->ent.d_ino = (ino_t)e->ino;
	d->ent.d_type = e->type == FS_KIND_DIR	  ? DT_DIR
			: e->type == FS_KIND_FILE ? DT_REG
						  : DT_UNKNOWN;
	memcpy(d->ent.d_name, e->name, e->namelen);
	d->ent.d_name[e->namelen] = '\0';
	return &d->ent;
}

void rewinddir(DIR *d)
{
	lseek(d->fd, 0, SEEK_SET);
	d->pos = d->len = 0;
}

int dirfd(DIR *d)
{
	return d->fd;
}

int closedir(DIR *d)
{
	int r = close(d->fd);
	free(d);
	return r;
}
