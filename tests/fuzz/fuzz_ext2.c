/*
 * libFuzzer target for lib/ext2/: the input is a disk image. It is mounted
 * read-only and walked (readdir, lookup of every name seen, inode reads,
 * file reads, readlink), then mounted read-write on a copy and changed
 * (create, write, mkdir, rename, truncate, unlink, rmdir) and walked again.
 * Blocks are lent as exactly-sized buffers, so any access past a block is
 * caught. Aborts on: an error code out of range, a failure without a
 * sentence, a readdir name longer than its length, a buffer left held.
 * Seed corpus: tests/fuzz/corpus/fuzz_ext2/ (small mke2fs images).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lib/ext2/ext2.h"

#define SLOTS	   16
#define MAX_DEPTH  4
#define MAX_NAMES  48
#define READ_LIMIT 65536

struct memdev {
	uint8_t *img;
	size_t len;
	struct {
		uint64_t blk;
		uint32_t size;
		uint8_t *buf;
		int refs, dirty;
	} slot[SLOTS];
	int held;
};

static uint8_t *md_get(void *ctx, uint64_t blk, uint32_t size, int flags)
{
	struct memdev *d = ctx;
	int s = -1;

	(void)flags;
	if (size == 0 || blk > d->len / size || (blk + 1) * size > d->len)
		return NULL;
	for (int i = 0; i < SLOTS; i++) {
		if (d->slot[i].refs && d->slot[i].blk == blk && d->slot[i].size == size) {
			d->slot[i].refs++;
			d->held++;
			return d->slot[i].buf;
		}
		if (!d->slot[i].refs && s < 0)
			s = i;
	}
	if (s < 0)
		abort();
	d->slot[s].buf = malloc(size);
	memcpy(d->slot[s].buf, d->img + blk * size, size);
	d->slot[s].blk = blk;
	d->slot[s].size = size;
	d->slot[s].refs = 1;
	d->slot[s].dirty = 0;
	d->held++;
	return d->slot[s].buf;
}

static void md_put(void *ctx, uint8_t *buf, int dirty)
{
	struct memdev *d = ctx;

	for (int i = 0; i < SLOTS; i++) {
		if (!d->slot[i].refs || d->slot[i].buf != buf)
			continue;
		d->slot[i].dirty |= dirty;
		d->held--;
		if (--d->slot[i].refs == 0) {
			if (d->slot[i].dirty)
				memcpy(d->img + d->slot[i].blk * d->slot[i].size, buf,
				       d->slot[i].size);
			free(buf);
		}
		return;
	}
	abort();
}

/* Checks the error contract of a result; returns it. */
static long checked(struct ext2_fs *fs, long r)
{
	if (r < 0 && (r < EXT2_ERR_LAST || fs->why[0] == '\0'))
		abort();
	if (fs->held != 0)
		abort();
	fs->why[0] = '\0';
	return r;
}

static uint8_t rbuf[READ_LIMIT];

static void walk(struct ext2_fs *fs, uint32_t dir, int depth)
{
	struct ext2_dirent de;
	struct ext2_inode in;
	uint64_t cookie = 0, last = 0;
	int names = 0;

	while (names++ < MAX_NAMES && checked(fs, ext2_readdir(fs, dir, &cookie, &de)) == 1) {
		uint32_t ino;

		if (cookie <= last || strlen(de.name) != de.name_len || de.name_len == 0)
			abort();
		last = cookie;
		if (checked(fs, ext2_lookup(fs, dir, de.name, de.name_len, &ino)) != 0)
			continue;
		if (checked(fs, ext2_iget(fs, ino, &in)) != 0 || de.name[0] == '.')
			continue;
		if (EXT2_ISDIR(in.i_mode) && depth < MAX_DEPTH)
			walk(fs, ino, depth + 1);
		else if (EXT2_ISLNK(in.i_mode))
			checked(fs, ext2_readlink(fs, ino, (char *)rbuf, 300));
		else if (checked(fs, ext2_read(fs, ino, 0, rbuf, sizeof(rbuf))) >
			 (long)sizeof(rbuf))
			abort();
	}
}

static void change(struct ext2_fs *fs)
{
	uint32_t f = 0, d = 0, root = EXT2_ROOT_INO;

	memset(rbuf, 0x5a, 5000);
	if (checked(fs, ext2_create(fs, root, "fz", 2, 0644, 0, 0, &f)) == 0) {
		checked(fs, ext2_write(fs, f, 0, rbuf, 5000));
		checked(fs, ext2_write(fs, f, 70000, rbuf, 100));
		checked(fs, ext2_truncate(fs, f, 3000));
	}
	if (checked(fs, ext2_mkdir(fs, root, "fd", 2, 0755, 0, 0, &d)) == 0)
		checked(fs, ext2_rename(fs, root, "fz", 2, d, "moved", 5));
	checked(fs, ext2_symlink(fs, root, "fl", 2, "target", 6, 0, 0, &f));
	checked(fs, ext2_rename(fs, root, "lost+found", 10, root, "fd", 2));
	checked(fs, ext2_unlink(fs, d, "moved", 5));
	checked(fs, ext2_rmdir(fs, root, "fd", 2));
	checked(fs, ext2_unlink(fs, root, "fl", 2));
	checked(fs, ext2_sync(fs));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct memdev md = {0};
	struct ext2_dev dev = {.ctx = &md, .get = md_get, .put = md_put};
	struct ext2_fs fs;

	md.img = malloc(size ? size : 1);
	memcpy(md.img, data, size);
	md.len = size;
	dev.size = size;
	if (checked(&fs, ext2_mount(&fs, &dev, EXT2_MOUNT_RDONLY)) == 0) {
		walk(&fs, EXT2_ROOT_INO, 0);
		checked(&fs, ext2_unmount(&fs));
		if (checked(&fs, ext2_mount(&fs, &dev, 0)) == 0) {
			change(&fs);
			walk(&fs, EXT2_ROOT_INO, 0);
			checked(&fs, ext2_unmount(&fs));
		}
	}
	if (md.held)
		abort();
	free(md.img);
	return 0;
}
