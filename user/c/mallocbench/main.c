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

static uint64_t rng = 0x9e3779b97f4a7c15ull;

static uint64_t rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static void *xmalloc(size_t n)
{
	void *p = malloc(n);
	if (!p) {
		printf("mallocbench: out of memory (%zu bytes)\n", n);
		exit(1);
	}
	return p;
}

static void *xrealloc(void *p, size_t n)
{
	void *q = realloc(p, n);
	if (!q) {
		printf("mallocbench: realloc to %zu bytes failed\n", n);
		exit(1);
	}
	return q;
}

static void report(const char *what, uint64_t total, uint64_t n)
{
	printf("bench: %s (" WHO "): %llu instructions\n", what, (unsigned long long)(total / n));
}

static void pair(size_t size, const char *what, int rounds)
{
	volatile char *p = xmalloc(size); /* warm up: the first one takes the pages */
	p[size - 1] = 1;
	free((void *)p);
	uint64_t t0 = instret();
	for (int i = 0; i < rounds; i++) {
		p = xmalloc(size);
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
		unsigned j = (unsigned)(rnd() % (i + 1)), t = order[i];
		order[i] = order[j];
		order[j] = t;
	}
	uint64_t t0 = instret();
	for (unsigned i = 0; i < N; i++)
		p[i] = xmalloc(64);
	for (unsigned i = 0; i < N; i++)
		free(p[order[i]]);
	report("10,000 x 64 B allocated then freed shuffled, per block", instret() - t0, N);
}

static void grow(size_t step, const char *what)
{
	uint64_t t0 = instret(), steps = 0;
	size_t n = 16;
	char *p = xmalloc(n);

	p[n - 1] = 1;
	while (n < (8ul << 20)) {
		n = step ? n + step : n * 2;
		if (n > (8ul << 20))
			n = 8ul << 20;
		p = xrealloc(p, n);
		p[n - 1] = 1;
		steps++;
	}
	free(p);
	uint64_t total = instret() - t0;
	printf("bench: %s (" WHO "): %llu instructions in all, %llu per realloc\n", what,
	       (unsigned long long)total, (unsigned long long)(total / steps));
}

/* ---- the interpreter-like mix */

struct entry {
	char *key;
	long value;
};

static struct entry *table;
static size_t table_cap, table_n;

static size_t hash(const char *s)
{
	size_t h = 5381;
	while (*s)
		h = h * 33 + (unsigned char)*s++;
	return h;
}

static void table_put(char *key, long value)
{
	if ((table_n + 1) * 4 > table_cap * 3) { /* rehash into a table twice the size */
		size_t old = table_cap;
		table_cap = table_cap ? table_cap * 2 : 8;
		table = xrealloc(table, table_cap * sizeof(*table));
		memset(table + old, 0, (table_cap - old) * sizeof(*table));
		for (size_t i = 0; i < old; i++) {
			struct entry e = table[i];
			if (!e.key || (hash(e.key) & (table_cap - 1)) == i)
				continue;
			table[i].key = NULL; /* move it to where it belongs now */
			size_t j = hash(e.key) & (table_cap - 1);
			while (table[j].key)
				j = (j + 1) & (table_cap - 1);
			table[j] = e;
		}
	}
	size_t j = hash(key) & (table_cap - 1);
	while (table[j].key) {
		if (strcmp(table[j].key, key) == 0) {
			free(key);
			table[j].value = value;
			return;
		}
		j = (j + 1) & (table_cap - 1);
	}
	table[j] = (struct entry){key, value};
	table_n++;
}

/* A string of n pieces appended one by one, the buffer grown by realloc. */
static char *build_string(unsigned pieces)
{
	size_t len = 0, cap = 0;
	char *s = NULL;

	for (unsigned i = 0; i < pieces; i++) {
		char piece[24];
		int l = snprintf(piece, sizeof(piece), "%u.", (unsigned)(rnd() % 100000));
		if (len + (size_t)l + 1 > cap) {
			cap = cap ? cap * 3 / 2 + (size_t)l : 16;
			s = xrealloc(s, cap);
		}
		memcpy(s + len, piece, (size_t)l + 1);
		len += (size_t)l;
	}
	return s;
}

static void interpreter(void)
{
	enum { ROUNDS = 20000, RING = 256 };
	static void *ring[RING];
	unsigned ri = 0;
	uint64_t t0 = instret();

	for (unsigned r = 0; r < ROUNDS; r++) {
		/* Temporaries: a few small objects per round, each living 256 allocations. */
		for (int k = 0; k < 4; k++) {
			free(ring[ri]);
			ring[ri] = xmalloc(16 + rnd() % 80);
			memset(ring[ri], 0, 16);
			ri = (ri + 1) % RING;
		}
		/* A name for the table, kept. */
		char *key = xmalloc(24);
		snprintf(key, 24, "k%u", (unsigned)(rnd() % 30000));
		table_put(key, (long)r);
		/* Now and then a longer string, built and dropped. */
		if (r % 8 == 0)
			free(build_string(4 + (unsigned)(rnd() % 60)));
	}
	for (unsigned i = 0; i < RING; i++)
		free(ring[i]);
	for (size_t i = 0; i < table_cap; i++)
		free(table[i].key);
	free(table);
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
