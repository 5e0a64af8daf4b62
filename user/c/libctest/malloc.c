/*
 * The allocator through the standard API only: a seeded random workload
 * of malloc, calloc, realloc and free on blocks of 1 B to 256 KiB (sizes
 * spread over every power of two), each block filled with a pattern made
 * from its id and checked whole before it is resized or freed, calloc'd
 * memory checked to be zero, every pointer aligned for any object
 * (alignof(max_align_t), 16 bytes on RV64: long double). At the
 * end everything is freed. Also the edge cases: malloc(0), realloc(NULL),
 * realloc to 0 bytes is not used (implementation-defined), calloc
 * overflow.
 */
#include <errno.h>
#include <stdalign.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "user/c/libctest/libctest.h"

#define SLOTS	 256
#define STEPS	 5000
#define MAX_SIZE (256 * 1024)

struct block {
	unsigned char *p;
	size_t size;
	unsigned id;
};

static unsigned char fill_byte(unsigned id, size_t i)
{
	return (unsigned char)(id * 131 + i * 7 + (i >> 9));
}

static void fill(struct block *b, size_t from)
{
	for (size_t i = from; i < b->size; i++)
		b->p[i] = fill_byte(b->id, i);
}

/* The first n bytes of b still hold its pattern. */
static bool intact(const struct block *b, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (b->p[i] != fill_byte(b->id, i)) {
			printf("    block %u (%zu bytes at %p): byte %zu is %#x, want %#x\n", b->id,
			       b->size, (void *)b->p, i, b->p[i], fill_byte(b->id, i));
			return false;
		}
	return true;
}

static bool zeroed(const unsigned char *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i] != 0)
			return false;
	return true;
}

/*
 * A size from 1 to MAX_SIZE: a power-of-two range, then a random size in
 * it. The range is the smaller of two draws, so small blocks are common
 * and a 256 KiB one comes about once in 360.
 */
static size_t random_size(unsigned long *rng)
{
	unsigned b1 = (unsigned)(libctest_random(rng) % 19),
		 b2 = (unsigned)(libctest_random(rng) % 19);
	unsigned bits = b1 < b2 ? b1 : b2; /* 2^0 .. 2^18 = 256 KiB */
	size_t size = ((size_t)1 << bits) + libctest_random(rng) % ((size_t)1 << bits);

	return size > MAX_SIZE ? MAX_SIZE : size;
}

/* Every pointer malloc, calloc and realloc returned, or'ed: its lowest bit is their alignment. */
static uintptr_t pointer_bits;

static void note(const void *p)
{
	pointer_bits |= (uintptr_t)p;
}

static void workload(void)
{
	static struct block slots[SLOTS];
	unsigned long rng = 0x5eed0f11bc0ffeeUL;
	unsigned next_id = 1, fails = 0, nulls = 0;
	unsigned counts[4] = {0};

	for (int step = 0; step < STEPS && fails < 5; step++) {
		struct block *b = &slots[libctest_random(&rng) % SLOTS];
		unsigned op = (unsigned)(libctest_random(&rng) % 4);
		size_t size = random_size(&rng);

		if (b->p && op < 2) { /* free, or realloc */
			if (!intact(b, b->size)) {
				fails++;
				continue;
			}
			if (op == 0) {
				free(b->p);
				b->p = NULL;
				counts[0]++;
				continue;
			}
			unsigned char *q = realloc(b->p, size);
			if (!q) {
				nulls++;
				continue; /* the old block is untouched */
			}
			size_t kept = size < b->size ? size : b->size;
			b->p = q;
			size_t old = b->size;
			b->size = size;
			note(q);
			if (!intact(b, kept)) {
				printf("    realloc of block %u from %zu to %zu bytes\n", b->id,
				       old, size);
				fails++;
			}
			fill(b, kept);
			counts[1]++;
			continue;
		}
		if (b->p) {
			if (!intact(b, b->size))
				fails++;
			free(b->p);
		}
		b->id = next_id++;
		b->size = size;
		if (op == 2) {
			b->p = malloc(size);
			counts[2]++;
		} else {
			/* calloc with the size split into count and element size. */
			size_t elem = size % 3 == 0 ? 3 : 1;
			b->p = calloc(size / elem, elem);
			b->size = size / elem * elem;
			if (b->p && !zeroed(b->p, b->size)) {
				printf("    calloc(%zu, %zu) is not zero\n", size / elem, elem);
				fails++;
			}
			counts[3]++;
		}
		if (!b->p) {
			nulls++;
			continue;
		}
		note(b->p);
		fill(b, 0);
	}
	for (int i = 0; i < SLOTS; i++) {
		if (slots[i].p && !intact(&slots[i], slots[i].size))
			fails++;
		free(slots[i].p);
		slots[i].p = NULL;
	}
	/* C11 7.22.3p1: suitably aligned for any object of fundamental alignment. */
	uintptr_t align = pointer_bits & -pointer_bits;
	CHECK(align >= alignof(max_align_t));
	CHECK(fails == 0);
	CHECK(nulls == 0); /* 128 MiB is plenty: no allocation may fail */
	CHECK(counts[0] > 100 && counts[1] > 100 && counts[2] > 100 && counts[3] > 100);
}

static void edges(void)
{
	/* malloc(0): NULL or a unique pointer that free accepts. */
	void *a = malloc(0), *b = malloc(0);
	CHECK(a == NULL || b == NULL || a != b);
	free(a);
	free(b);
	free(NULL);
	/* realloc(NULL, n) is malloc(n). */
	char *p = realloc(NULL, 100);
	REQUIRE(p != NULL);
	memset(p, 'r', 100);
	/* Growing keeps the contents, many times over. */
	for (size_t n = 200; n <= 100000; n = n * 3 / 2) {
		char *q = realloc(p, n);
		REQUIRE(q != NULL);
		p = q;
		CHECK(p[0] == 'r' && p[99] == 'r');
	}
	free(p);
	/* calloc that would overflow size_t fails with ENOMEM. */
	volatile size_t half = SIZE_MAX / 2, huge = SIZE_MAX - 64; /* unknown to the compiler */
	errno = 0;
	CHECK(calloc(half, 4) == NULL && errno == ENOMEM);
	errno = 0;
	CHECK(malloc(huge) == NULL && errno == ENOMEM);
	/* Small blocks are distinct and do not overlap. */
	char *small[64];
	for (int i = 0; i < 64; i++) {
		small[i] = malloc((size_t)i + 1);
		REQUIRE(small[i] != NULL);
		memset(small[i], i, (size_t)i + 1);
	}
	bool ok = true;
	for (int i = 0; i < 64; i++) {
		for (int j = 0; j <= i; j++)
			ok &= small[i][j] == i;
		free(small[i]);
	}
	CHECK(ok);
}

void test_malloc(void)
{
	edges();
	workload();
}
