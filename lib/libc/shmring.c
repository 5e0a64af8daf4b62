/*
 * Shared-memory rings (shmring.h). The object holds a header page and the
 * data: records of an 8-byte length and the message, padded to 8 bytes; a
 * record that would cross the end is preceded by a pad record that sends
 * the reader back to the start. `head` counts bytes written, `tail` bytes
 * read; each is written by one side only, and each lies in a cache line of
 * its own.
 *
 * Waking without losing a message: a side that finds nothing to do sets
 * its `waits` flag, fences, and looks again before it sleeps; the other
 * side moves its counter, fences, and signals if it sees the flag. One of
 * the two always sees the other, and a notification's bits stay set until
 * they are waited for, so a signal before the wait is not lost.
 */
#include "lib/libc/shmring.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/libc/strata.h"
#include "lib/user/syscall.h"

#define RING_MAGIC 0x474e495252485353ull /* "SSHRRING" */
#define HEADER	   4096
#define PAD	   UINT64_MAX /* a record length: go back to the start */

struct ring_header {
	uint64_t magic, size;
	volatile uint64_t head __attribute__((aligned(64)));
	volatile uint32_t reader_waits;
	volatile uint64_t tail __attribute__((aligned(64)));
	volatile uint32_t writer_waits;
};

struct shmring {
	struct ring_header *h;
	uint8_t *data;
	size_t map_len;
	int fd;
	int reader;
	uint64_t want; /* the writer's need while it waits for room */
	handle_t mine; /* my notification: the other side signals it */
	handle_t peer; /* the other side's (looked up when first needed) */
	char name[40];
};

static void fence(void)
{
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
}

static int ring_name(const char *name, const char *suffix, char *out, size_t n)
{
	int len = snprintf(out, n, "%s%s", name, suffix);
	return len > 0 && (size_t)len < n ? 0 : -1;
}

static struct shmring *ring_new(const char *name)
{
	struct shmring *r = calloc(1, sizeof(*r));

	if (!r)
		return NULL;
	r->fd = -1;
	if (strlen(name) > 28 || ring_name(name, "", r->name, sizeof(r->name)) != 0) {
		free(r);
		errno = EINVAL;
		return NULL;
	}
	return r;
}

static void ring_free(struct shmring *r)
{
	if (r->h)
		munmap(r->h, r->map_len);
	if (r->fd >= 0)
		close(r->fd);
	if (r->mine)
		sys_handle_close(r->mine);
	if (r->peer)
		sys_handle_close(r->peer);
	free(r);
}

/* Make my notification and publish it as NAME.r or NAME.w. */
static int publish_mine(struct shmring *r)
{
	char n[48];

	ring_name(r->name, r->reader ? ".r" : ".w", n, sizeof(n));
	if (sys_notify_create(&r->mine) != 0) {
		errno = ENOMEM;
		return -1;
	}
	return strata_srv_publish(n, r->mine);
}

static int map_ring(struct shmring *r, size_t bytes)
{
	r->map_len = HEADER + bytes;
	void *p = mmap(0, r->map_len, PROT_READ | PROT_WRITE, MAP_SHARED, r->fd, 0);
	if (p == MAP_FAILED)
		return -1;
	r->h = p;
	r->data = (uint8_t *)p + HEADER;
	return 0;
}

struct shmring *shmring_create(const char *name, size_t bytes)
{
	char path[48];
	struct shmring *r = ring_new(name);

	if (!r)
		return NULL;
	if (bytes < 4096 || bytes > (4u << 20) || (bytes & (bytes - 1))) {
		free(r);
		errno = EINVAL;
		return NULL;
	}
	r->reader = 1;
	ring_name("/", name, path, sizeof(path));
	r->fd = shm_open(path, O_RDWR | O_CREAT | O_EXCL, 0600);
	if (r->fd < 0 || ftruncate(r->fd, (off_t)(HEADER + bytes)) != 0 ||
	    map_ring(r, bytes) != 0 || publish_mine(r) != 0) {
		int e = errno;
		if (r->fd >= 0)
			shm_unlink(path);
		ring_free(r);
		errno = e;
		return NULL;
	}
	r->h->size = bytes;
	fence();
	r->h->magic = RING_MAGIC; /* last: the writer may map it from now on */
	return r;
}

struct shmring *shmring_open(const char *name)
{
	char path[48];
	struct stat st;
	struct shmring *r = ring_new(name);

	if (!r)
		return NULL;
	ring_name("/", name, path, sizeof(path));
	r->fd = shm_open(path, O_RDWR, 0);
	if (r->fd < 0 || fstat(r->fd, &st) != 0 || st.st_size <= HEADER ||
	    map_ring(r, (size_t)st.st_size - HEADER) != 0 || r->h->magic != RING_MAGIC ||
	    publish_mine(r) != 0) {
		int e = r->fd >= 0 && r->h && r->h->magic != RING_MAGIC ? ENOENT : errno;
		ring_free(r);
		errno = e;
		return NULL;
	}
	return r;
}

/* Signal the other side (looking its notification up the first time). */
static void wake_peer(struct shmring *r)
{
	char n[48];

	if (!r->peer) {
		ring_name(r->name, r->reader ? ".w" : ".r", n, sizeof(n));
		if (strata_srv_lookup(n, &r->peer) != 0)
			return; /* gone: nobody to wake */
	}
	sys_notify_signal(r->peer, 1);
}

/* Sleep until the other side signals, unless `ready` already holds after the flag is up. */
static void wait_for(struct shmring *r, volatile uint32_t *flag, int (*ready)(struct shmring *))
{
	uint64_t bits;

	*flag = 1;
	fence();
	if (!ready(r))
		sys_notify_wait(r->mine, &bits);
	*flag = 0;
}

static uint64_t pad8(uint64_t n)
{
	return (n + 7) & ~7ull;
}

static int has_room(struct shmring *r)
{
	return r->h->size - (r->h->head - r->h->tail) >= r->want;
}

static int has_data(struct shmring *r)
{
	return r->h->head != r->h->tail;
}

int shmring_send(struct shmring *r, const void *msg, size_t len)
{
	struct ring_header *h = r->h;
	uint64_t need = 8 + pad8(len), size = h->size;

	if (r->reader || len == 0) {
		errno = EINVAL;
		return -1;
	}
	if (len > size / 4) {
		errno = EMSGSIZE;
		return -1;
	}
	uint64_t pos = h->head & (size - 1), wrap = pos + need > size ? size - pos : 0;
	r->want = wrap + need;
	while (!has_room(r))
		wait_for(r, &h->writer_waits, has_room);
	__atomic_thread_fence(__ATOMIC_ACQUIRE); /* the reader is done with the bytes */
	if (wrap) {
		*(uint64_t *)(r->data + pos) = PAD;
		pos = 0;
	}
	*(uint64_t *)(r->data + pos) = len;
	memcpy(r->data + pos + 8, msg, len);
	__atomic_store_n(&h->head, h->head + wrap + need, __ATOMIC_RELEASE);
	fence();
	if (h->reader_waits)
		wake_peer(r);
	return 0;
}

ssize_t shmring_recv(struct shmring *r, void *buf, size_t max)
{
	struct ring_header *h = r->h;
	uint64_t size = h->size;

	if (!r->reader) {
		errno = EINVAL;
		return -1;
	}
	for (;;) {
		while (!has_data(r))
			wait_for(r, &h->reader_waits, has_data);
		__atomic_thread_fence(__ATOMIC_ACQUIRE); /* the record is all there */
		uint64_t pos = h->tail & (size - 1), len = *(uint64_t *)(r->data + pos);
		if (len == PAD) {
			__atomic_store_n(&h->tail, h->tail + (size - pos), __ATOMIC_RELEASE);
			continue;
		}
		if (len > max) {
			errno = EMSGSIZE;
			return -1;
		}
		memcpy(buf, r->data + pos + 8, len);
		__atomic_store_n(&h->tail, h->tail + 8 + pad8(len), __ATOMIC_RELEASE);
		fence();
		if (h->writer_waits)
			wake_peer(r);
		return (ssize_t)len;
	}
}

void shmring_close(struct shmring *r)
{
	char n[48];

	ring_name(r->name, r->reader ? ".r" : ".w", n, sizeof(n));
	strata_srv_withdraw(n);
	if (r->reader) {
		ring_name("/", r->name, n, sizeof(n));
		shm_unlink(n);
	}
	ring_free(r);
}
