/*
 * shmring: messages between two processes through a shared-memory ring
 * (lib/libc/shmring.h).
 *
 *   shmring [N]     a child sends N messages (default 2000) of 1 byte to
 *                   16 KiB, each filled from its number; the parent
 *                   receives and checks every byte
 *   shmring bench   instructions (rdinstret: under -icount, everything both
 *                   processes and the system run) for the first write to
 *                   each page of a shared-memory object, and to move 64 KiB
 *                   messages and to bounce 64-byte ones, through rings and
 *                   through pipes for comparison
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lib/libc/shmring.h"

#define BIG	  (64u << 10)
#define STREAM_N  64  /* 64 KiB messages: 4 MiB */
#define PINGPONGS 500 /* 64-byte round trips */

static inline uint64_t instret(void)
{
	uint64_t v;
	__asm__ volatile("csrr %0, instret" : "=r"(v));
	return v;
}

static uint8_t buf[BIG];

static void fill(uint8_t *p, size_t n, unsigned seq)
{
	for (size_t i = 0; i < n; i++)
		p[i] = (uint8_t)(seq * 7 + i * 13 + (i >> 8));
}

static size_t size_of(unsigned seq)
{
	return 1 + (seq * 2654435761u) % (16u << 10);
}

/* The writer's end, in the child: open the ring (it may not be there yet), send n messages. */
static int writer(const char *name, unsigned n)
{
	struct shmring *w = NULL;

	for (int i = 0; i < 1000 && !w; i++) {
		w = shmring_open(name);
		if (!w)
			usleep(1000);
	}
	if (!w)
		return 1;
	for (unsigned s = 0; s < n; s++) {
		fill(buf, size_of(s), s);
		if (shmring_send(w, buf, size_of(s)) != 0)
			return 2;
	}
	shmring_close(w);
	return 0;
}

static int demo(unsigned n)
{
	char name[32];
	snprintf(name, sizeof(name), "shmring-%d", getpid());
	struct shmring *r = shmring_create(name, 64u << 10);
	if (!r) {
		perror("shmring: create");
		return 1;
	}
	pid_t pid = fork();
	if (pid == 0)
		_exit(writer(name, n));
	uint64_t bytes = 0;
	static uint8_t want[BIG];
	for (unsigned s = 0; s < n; s++) {
		ssize_t got = shmring_recv(r, buf, sizeof(buf));
		fill(want, size_of(s), s);
		if (got != (ssize_t)size_of(s) || memcmp(buf, want, (size_t)got) != 0) {
			printf("shmring: message %u: %zd bytes, not the %zu sent\n", s, got,
			       size_of(s));
			return 1;
		}
		bytes += (uint64_t)got;
	}
	int st;
	if (waitpid(pid, &st, 0) != pid || !WIFEXITED(st) || WEXITSTATUS(st) != 0) {
		printf("shmring: the writer failed\n");
		return 1;
	}
	shmring_close(r);
	printf("shmring: %u messages, %llu bytes, all intact\n", n, (unsigned long long)bytes);
	return 0;
}

/* ---- benchmarks: a ring each way, or a pipe each way */

struct chan {
	struct shmring *r; /* ring */
	int fd;		   /* or pipe end */
};

static void put(struct chan *c, const void *p, size_t n)
{
	if (c->r) {
		shmring_send(c->r, p, n);
		return;
	}
	for (size_t done = 0; done < n;) {
		ssize_t k = write(c->fd, (const char *)p + done, n - done);
		if (k <= 0)
			exit(3);
		done += (size_t)k;
	}
}

static void get(struct chan *c, void *p, size_t n)
{
	if (c->r) {
		shmring_recv(c->r, p, n);
		return;
	}
	for (size_t done = 0; done < n;) {
		ssize_t k = read(c->fd, (char *)p + done, n - done);
		if (k <= 0)
			exit(3);
		done += (size_t)k;
	}
}

/* Two channels: down (parent -> child) and up (child -> parent), as rings or pipes. */
static int open_channels(int rings, const char *name, struct chan *down, struct chan *up,
			 pid_t *pid)
{
	char dn[40], un[40];
	int pd[2], pu[2];

	snprintf(dn, sizeof(dn), "%s-d", name);
	snprintf(un, sizeof(un), "%s-u", name);
	if (!rings && (pipe(pd) != 0 || pipe(pu) != 0))
		return -1;
	struct shmring *up_r = rings ? shmring_create(un, 1u << 20) : NULL;
	if (rings && !up_r)
		return -1;
	*pid = fork();
	if (*pid == 0) { /* the child reads down, writes up */
		struct shmring *down_r = rings ? shmring_create(dn, 1u << 20) : NULL;
		struct shmring *w = NULL;
		for (int i = 0; rings && i < 1000 && !w; i++)
			if (!(w = shmring_open(un)))
				usleep(1000);
		*down = (struct chan){down_r, rings ? -1 : pd[0]};
		*up = (struct chan){w, rings ? -1 : pu[1]};
		return 1;
	}
	struct shmring *w = NULL;
	for (int i = 0; rings && i < 1000 && !w; i++)
		if (!(w = shmring_open(dn)))
			usleep(1000);
	*down = (struct chan){w, rings ? -1 : pd[1]};
	*up = (struct chan){up_r, rings ? -1 : pu[0]};
	return 0;
}

static void bench_one(int rings)
{
	const char *what = rings ? "shm ring" : "pipe";
	char name[32];
	struct chan down, up;
	pid_t pid;
	static uint8_t msg[BIG];

	snprintf(name, sizeof(name), "sb%d", getpid());
	int child = open_channels(rings, name, &down, &up, &pid);
	if (child < 0) {
		printf("shmring: cannot set up the %s benchmark\n", what);
		exit(1);
	}
	if (child) {
		for (int i = 0; i < STREAM_N; i++) /* the stream, down */
			get(&down, msg, BIG);
		put(&up, msg, 1);
		for (int i = 0; i < PINGPONGS; i++) { /* ping-pong */
			get(&down, msg, 64);
			put(&up, msg, 64);
		}
		_exit(0);
	}
	uint64_t t0 = instret();
	for (int i = 0; i < STREAM_N; i++)
		put(&down, msg, BIG);
	get(&up, msg, 1); /* the child has everything */
	uint64_t t1 = instret();
	for (int i = 0; i < PINGPONGS; i++) {
		put(&down, msg, 64);
		get(&up, msg, 64);
	}
	uint64_t t2 = instret();
	int st;
	waitpid(pid, &st, 0);
	printf("bench: %s, 64 KiB messages: %llu instructions per MiB\n", what,
	       (unsigned long long)((t1 - t0) / (STREAM_N * BIG / (1u << 20))));
	printf("bench: %s, 64-byte message round trip: %llu instructions\n", what,
	       (unsigned long long)((t2 - t1) / PINGPONGS));
}

/* The first write to each page of a shared-memory object (shm_open, ftruncate, mmap). */
static void bench_first_touch(void)
{
	enum { PAGES = 256 };
	char name[32];

	snprintf(name, sizeof(name), "/touch-%d", getpid());
	int fd = shm_open(name, O_RDWR | O_CREAT | O_EXCL, 0600);
	volatile char *p = fd >= 0 && ftruncate(fd, PAGES * 4096) == 0
			       ? mmap(0, PAGES * 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0)
			       : MAP_FAILED;
	if (p == MAP_FAILED) {
		printf("shmring: cannot set up the first-touch benchmark\n");
		exit(1);
	}
	uint64_t t0 = instret();
	for (int i = 0; i < PAGES; i++)
		p[i * 4096] = 1;
	uint64_t t1 = instret();
	printf("bench: first write to a page of a shared-memory object: %llu instructions\n",
	       (unsigned long long)((t1 - t0) / PAGES));
	munmap((void *)p, PAGES * 4096);
	close(fd);
	shm_unlink(name);
}

int main(int argc, char **argv)
{
	if (argc == 2 && strcmp(argv[1], "bench") == 0) {
		bench_first_touch();
		bench_one(1);
		bench_one(0);
		return 0;
	}
	unsigned n = argc == 2 ? (unsigned)strtoul(argv[1], 0, 10) : 2000;
	if (argc > 2 || n == 0) {
		fprintf(stderr, "usage: shmring [MESSAGES] | shmring bench\n");
		return 2;
	}
	return demo(n);
}
