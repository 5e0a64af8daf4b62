/*
 * Helper modes of systest, run as children by the tests: programs that
 * crash, spin or allocate too much on purpose.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <string.h>
#include <unistd.h>

#include "lib/libc/strata.h"

#include "user/c/systest/systest.h"

/* exec-target A B: the program an exec test replaces itself with. */
static int exec_target(int argc, char **argv)
{
	if (argc != 4 || strcmp(argv[2], "alpha") != 0 || strcmp(argv[3], "beta gamma") != 0)
		return 1;
	return 42;
}

/* Store to an address no mapping covers. */
static int segv(void)
{
	volatile uintptr_t addr = 8; /* through a variable: the compiler cannot see it is bad */
	*(volatile int *)addr = 1;
	return 0;
}

static int illegal(void)
{
	__asm__ volatile(".word 0"); /* an all-zero word is an illegal instruction */
	return 0;
}

/* Run until killed. */
static int spin(void)
{
	for (volatile unsigned long i = 0;; i++)
		;
	return 0;
}

/* Run with a 2048-page commit limit: 16 MiB must fail with ENOMEM, 1 MiB must work. */
static int alloc_over(void)
{
	errno = 0;
	void *big = malloc(16u << 20);
	if (big || errno != ENOMEM) {
		printf("    malloc(16 MiB) gave %p, errno %d\n", big, errno);
		return 1;
	}
	unsigned char *p = malloc(1u << 20);
	if (!p)
		return 2;
	memset(p, 0x5a, 1u << 20);
	for (size_t i = 0; i < (1u << 20); i += 4096)
		if (p[i] != 0x5a)
			return 3;
	free(p);
	return 0;
}

/*
 * Hold N MiB (each block is written, so every page is touched), tell
 * the parent through the exit status whether memory went low meanwhile
 * (mem's pressure flag): 0 yes, 1 malloc failed, 3 pressure never showed.
 */
static int hold(int argc, char **argv)
{
	unsigned long n = argc == 3 ? strtoul(argv[2], 0, 10) : 0;
	struct mem_stats s;

	/*
	 * Stop as soon as mem reports pressure: how much the disk's page cache
	 * holds (and so where the low-water mark falls against the commit
	 * limit) depends on what ran before.
	 */
	for (unsigned long i = 0; i < n; i++) {
		if (strata_mem_stats(&s) == 0 && s.pressure)
			return 0;
		void *p = malloc(1u << 20);
		if (!p) {
			printf("    hold: malloc failed after %lu MiB, errno %d\n", i, errno);
			return 1;
		}
		memset(p, 0x5a, 1u << 20);
	}
	/* The watcher thread notices within a moment of the kernel's signal. */
	for (int i = 0; i < 100; i++) {
		if (strata_mem_stats(&s) == 0 && s.pressure)
			return 0;
		usleep(10000);
	}
	return 3;
}

/*
 * shm-peer NAME: an unrelated process opens shared-memory object NAME,
 * checks the word the test wrote at its start, and answers in the next one.
 */
static int shm_peer(int argc, char **argv)
{
	int fd = argc == 3 ? shm_open(argv[2], O_RDWR, 0) : -1;
	volatile uint64_t *w =
	    fd >= 0 ? mmap(0, 8192, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0) : MAP_FAILED;

	if (w == MAP_FAILED || w[0] != 0x5157)
		return 1;
	w[1] = 0x7515;
	return munmap((void *)w, 8192) == 0 && close(fd) == 0 ? 0 : 2;
}

/* Recurse until the stack runs into its guard page. */
static int recurse(int depth)
{
	volatile char frame[4000];
	frame[0] = (char)depth;
	if (depth < 1000000) /* never false before the 1 MiB stack runs out */
		return recurse(depth + 1) + frame[0];
	return frame[0];
}

/* fd-check A B: descriptor A is open (kept across exec), B is not (close-on-exec). */
static int fd_check(int argc, char **argv)
{
	if (argc != 4)
		return 2;
	int a = atoi(argv[2]), b = atoi(argv[3]);
	if (fcntl(a, F_GETFD) != 0)
		return 3;
	if (fcntl(b, F_GETFD) != -1 || errno != EBADF)
		return 4;
	return 0;
}

/*
 * fs-hold: open a file (with data), a pipe and a dup, then wait in fs
 * reading the empty pipe until killed (fs_kill_holder).
 */
static int fs_hold(void)
{
	int p[2];
	char c;
	int fd = open("/tmp/held", O_RDWR | O_CREAT | O_TRUNC, 0600);

	if (fd < 0 || write(fd, "data", 4) != 4 || pipe(p) != 0 || dup(fd) < 0)
		return 1;
	if (write(p[1], "x", 1) != 1) /* a pipe with a page of data */
		return 1;
	int q[2];
	if (pipe(q) != 0)
		return 1;
	read(q[0], &c, 1); /* never answered: q's write end is ours */
	return 1;
}

int helper_main(int argc, char **argv)
{
	const char *m = argv[1];

	if (strcmp(m, "exec-target") == 0)
		return exec_target(argc, argv);
	if (strcmp(m, "segv") == 0)
		return segv();
	if (strcmp(m, "illegal") == 0)
		return illegal();
	if (strcmp(m, "spin") == 0)
		return spin();
	if (strcmp(m, "alloc-over") == 0)
		return alloc_over();
	if (strcmp(m, "stack-overflow") == 0)
		return recurse(0);
	if (strcmp(m, "double-free") == 0) {
		void *volatile p = malloc(100); /* volatile: the compiler may not drop the pair */
		free(p);
		free(p); /* the allocator says so and aborts */
		return 0;
	}
	if (strcmp(m, "mmap-peer") == 0 && argc == 3)
		return mmap_peer(argv[2]);
	if (strcmp(m, "shm-peer") == 0)
		return shm_peer(argc, argv);
	if (strcmp(m, "hold") == 0)
		return hold(argc, argv);
	if (strcmp(m, "fd-check") == 0)
		return fd_check(argc, argv);
	if (strcmp(m, "fs-hold") == 0)
		return fs_hold();
	if (strcmp(m, "raise-usr1") == 0) /* signal_exec_keeps_ignored: exits 0 only if ignored */
		return raise(SIGUSR1) == 0 ? 0 : 1;
	if (strcmp(m, "crlf") == 0) {
		printf("crlf: a line of its own\r\n"); /* the console must not add a second \r */
		return 0;
	}
	printf("systest: no test or mode %s\n", m);
	return 2;
}
