/*
 * A block device for the ext2 library over an image file, for host tests:
 * every get() reads a fresh exactly-sized malloc buffer (so AddressSanitizer
 * sees any access past a block), a block held twice shares one buffer, and
 * put() writes a dirty buffer back once its last holder lets go. It counts
 * buffers held, so tests can check none leak.
 */
#ifndef STRATA_TESTS_EXT2DEV_H
#define STRATA_TESTS_EXT2DEV_H

#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/ext2/ext2.h"

#define HDEV_SLOTS 16

struct hdev {
	int fd;
	struct {
		uint64_t blk;
		uint32_t size;
		uint8_t *buf;
		int refs, dirty;
	} slot[HDEV_SLOTS];
	int held, max_held;
	long gets;
	long fail_after; /* get() fails once gets reaches this (0: never) */
	uint32_t clock;
};

static uint8_t *hdev_get(void *ctx, uint64_t blk, uint32_t size, int flags)
{
	struct hdev *d = ctx;
	int free_slot = -1;

	(void)flags;
	if (d->fail_after && ++d->gets >= d->fail_after)
		return NULL;
	for (int i = 0; i < HDEV_SLOTS; i++) {
		if (d->slot[i].refs && d->slot[i].blk == blk && d->slot[i].size == size) {
			d->slot[i].refs++;
			d->held++;
			return d->slot[i].buf;
		}
		if (!d->slot[i].refs && free_slot < 0)
			free_slot = i;
	}
	if (free_slot < 0)
		abort();
	uint8_t *b = malloc(size);
	if (pread(d->fd, b, size, (off_t)(blk * size)) != (ssize_t)size) {
		free(b);
		return NULL;
	}
	d->slot[free_slot].blk = blk;
	d->slot[free_slot].size = size;
	d->slot[free_slot].buf = b;
	d->slot[free_slot].refs = 1;
	d->slot[free_slot].dirty = 0;
	if (++d->held > d->max_held)
		d->max_held = d->held;
	return b;
}

static void hdev_put(void *ctx, uint8_t *buf, int dirty)
{
	struct hdev *d = ctx;

	for (int i = 0; i < HDEV_SLOTS; i++) {
		if (d->slot[i].refs && d->slot[i].buf == buf) {
			d->slot[i].dirty |= dirty;
			d->held--;
			if (--d->slot[i].refs)
				return;
			if (d->slot[i].dirty &&
			    pwrite(d->fd, buf, d->slot[i].size,
				   (off_t)(d->slot[i].blk * d->slot[i].size)) != d->slot[i].size)
				abort();
			free(buf);
			return;
		}
	}
	abort(); /* not a buffer we lent */
}

static uint32_t hdev_now(void *ctx)
{
	struct hdev *d = ctx;

	return 1700000000u + d->clock++;
}

/* Opens path as a device; dev is filled for ext2_mount. Returns 0 on success. */
static int hdev_open(struct hdev *d, struct ext2_dev *dev, const char *path)
{
	struct stat st;

	memset(d, 0, sizeof(*d));
	d->fd = open(path, O_RDWR);
	if (d->fd < 0 || fstat(d->fd, &st) != 0)
		return -1;
	memset(dev, 0, sizeof(*dev));
	dev->ctx = d;
	dev->get = hdev_get;
	dev->put = hdev_put;
	dev->now = hdev_now;
	dev->size = (uint64_t)st.st_size;
	return 0;
}

static void hdev_close(struct hdev *d)
{
	close(d->fd);
}

#endif
