/*
 * mallocbench: instructions spent in malloc and friends, counted with the
 * instret counter (run by sysbench under QEMU -icount, where it counts
 * instructions: the program's, the kernel's and mem's for the heap's and
 * mappings' messages and page faults). Built twice from this source:
 * build/user/mallocbench.elf with Strata's allocator (lib/libc/malloc.c)
 * and build/user/mallocbench-picolibc.elf with picolibc's (the Makefile
 * defines MALLOCBENCH_PICOLIBC), so each figure is printed for both:
 *   - a malloc + free pair of one size, over and over (the block is
 *     written once, at its last byte);
 *   - 10,000 blocks of 64 bytes allocated, then freed in a shuffled order;
 *   - one block grown by realloc from 16 bytes to 8 MiB, by steps of 256
 *     bytes and by doubling (its new last byte written after each step);
 *   - an interpreter-like mix: short-lived small objects, a hash table
 *     of strings that grows by realloc, strings built up by appending.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "user/c/mallocbench/mix.h"

#ifdef MALLOCBENCH_PICOLIBC
#define WHO "picolibc"
#else
#define WHO "strata"
#endif

static inline uint64_t instret(void)
{
	uint64_t v;
	__asm__ volatile("csrr %0, instret" : "=r"(v));
	return v;
}

static void report(const char *what, uint64_t total, uint64_t n)
{
	printf("bench: %s (" WHO "): %llu instructions\n", what, (unsigned long long)(total / n));
}

static void pair(size_t size, const char *what, int rounds)
{
	volatile char *p = mb_malloc(size); /* warm up: the first one takes the pages */
	p[size - 1] = 1;
	free((void *)p);
	uint64_t t0 = instret();
	for (int i = 0; i < rounds; i++) {
		p = mb_malloc(size);
		p[size - 1] = 1;
		free((void *)p);
	}
	report(what, instret() - t0, (uint64_t)rounds);
}

static void many_then_free(void)
{
	enum { N = 10000 };
	static void *p[N];
	static unsigned order[N];

	for (unsigned i = 0; i < N; i++)
		order[i] = i;
	for (unsigned i = N - 1; i > 0; i--) {
		unsigned j = (unsigned)(mb_rnd() % (i + 1)), t = order[i];
		order[i] = order[j];
		order[j] = t;
	}
	uint64_t t0 = instret();
	for (unsigned i = 0; i < N; i++)
		p[i] = mb_malloc(64);
	for (unsigned i = 0; i < N; i++)
		free(p[order[i]]);
	report("10,000 x 64 B allocated then freed shuffled, per block", instret() - t0, N);
}

static void grow(size_t step, const char *what)
{
	uint64_t t0 = instret(), steps = 0;
	size_t n = 16;
	char *p = mb_malloc(n);

	p[n - 1] = 1;
	while (n < (8ul << 20)) {
		n = step ? n + step : n * 2;
		if (n > (8ul << 20))
			n = 8ul << 20;
		p = mb_realloc(p, n);
		p[n - 1] = 1;
		steps++;
	}
	free(p);
	uint64_t total = instret() - t0;
	printf("bench: %s (" WHO "): %llu instructions in all, %llu per realloc\n", what,
	       (unsigned long long)total, (unsigned long long)(total / steps));
}

static void interpreter(void)
{
	enum { ROUNDS = 20000 };
	uint64_t t0 = instret();

	mix_run(ROUNDS);
	report("interpreter-like mix, per round (4 temporaries, a table insert, 1/8 string)",
	       instret() - t0, ROUNDS);
}

int main(void)
{
	pair(16, "malloc + free, 16 B", 10000);
	pair(64, "malloc + free, 64 B", 10000);
	pair(256, "malloc + free, 256 B", 10000);
	pair(4096, "malloc + free, 4 KiB", 10000);
	pair(65536, "malloc + free, 64 KiB", 2000);
	pair(1 << 20, "malloc + free, 1 MiB", 200);
	many_then_free();
	grow(256, "realloc 16 B to 8 MiB by 256 B steps");
	grow(0, "realloc 16 B to 8 MiB by doubling");
	interpreter();
	printf("mallocbench (" WHO "): done\n");
	return 0;
}
