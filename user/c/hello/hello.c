/*
 * The first C program on Strata with picolibc: printf (integers and a
 * double) and malloc/realloc/free with their contents checked. Exits 0 only
 * if everything checked out.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NBLOCKS 64
#define ROUNDS	2000

static uint64_t rng = 0x9e3779b97f4a7c15ull;

/* xorshift64: a fixed sequence, so a failure can be reproduced. */
static uint64_t next(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

struct block {
	unsigned char *p;
	size_t size;
	unsigned char seed;
};

static void fill(struct block *b)
{
	for (size_t i = 0; i < b->size; i++)
		b->p[i] = (unsigned char)(b->seed + i * 7);
}

/* Whether the first n bytes of b still hold what fill() wrote. */
static int intact(const struct block *b, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (b->p[i] != (unsigned char)(b->seed + i * 7))
			return 0;
	return 1;
}

static int check_malloc(void)
{
	static struct block blocks[NBLOCKS];
	int bad = 0;

	for (int r = 0; r < ROUNDS && !bad; r++) {
		struct block *b = &blocks[next() % NBLOCKS];
		size_t size = 1 + next() % ((next() & 7) ? 256 : 8192);

		if (!b->p) {
			b->p = malloc(size);
			if (!b->p) {
				printf("malloc(%zu) failed\n", size);
				return 1;
			}
			b->size = size;
			b->seed = (unsigned char)next();
			fill(b);
		} else if (next() & 1) {
			if (!intact(b, b->size)) {
				printf("block %p (%zu bytes) corrupted\n", (void *)b->p, b->size);
				bad = 1;
			}
			free(b->p);
			b->p = NULL;
		} else {
			unsigned char *q = realloc(b->p, size);
			if (!q) {
				printf("realloc(%zu) failed\n", size);
				return 1;
			}
			b->p = q;
			if (!intact(b, size < b->size ? size : b->size)) {
				printf("realloc to %zu bytes lost the contents\n", size);
				bad = 1;
			}
			b->size = size;
			fill(b);
		}
	}
	for (int i = 0; i < NBLOCKS; i++) {
		if (blocks[i].p && !intact(&blocks[i], blocks[i].size))
			bad = 1;
		free(blocks[i].p);
		blocks[i].p = NULL;
	}
	return bad;
}

int main(void)
{
	char buf[64];
	volatile double x = 22.0 / 7.0; /* computed at run time: uses the FPU */
	int fails = 0;

	printf("hello, world\n");
	snprintf(buf, sizeof(buf), "%d %.3f", -42, x);
	printf("formatted: %s\n", buf);
	if (strcmp(buf, "-42 3.143") != 0) {
		printf("printf gave \"%s\", expected \"-42 3.143\"\n", buf);
		fails++;
	}
	fails += check_malloc();
	printf("hello: %s\n", fails ? "FAILED" : "ok");
	return fails ? 1 : 0;
}
