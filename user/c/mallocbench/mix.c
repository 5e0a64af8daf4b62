/*
 * The interpreter-like allocation mix of mallocbench, in a file of its own
 * so that the same code also runs on Linux with glibc's allocator and with
 * Strata's (scripts/glibc-alloc.sh): short-lived small objects, a hash
 * table of strings that grows by realloc, strings built up by appending.
 */
#include "user/c/mallocbench/mix.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint64_t rng = 0x9e3779b97f4a7c15ull;

uint64_t mb_rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

void *mb_malloc(size_t n)
{
	void *p = malloc(n);
	if (!p) {
		printf("mallocbench: out of memory (%zu bytes)\n", n);
		exit(1);
	}
	return p;
}

void *mb_realloc(void *p, size_t n)
{
	void *q = realloc(p, n);
	if (!q) {
		printf("mallocbench: realloc to %zu bytes failed\n", n);
		exit(1);
	}
	return q;
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
		table = mb_realloc(table, table_cap * sizeof(*table));
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
		int l = snprintf(piece, sizeof(piece), "%u.", (unsigned)(mb_rnd() % 100000));
		if (len + (size_t)l + 1 > cap) {
			cap = cap ? cap * 3 / 2 + (size_t)l : 16;
			s = mb_realloc(s, cap);
		}
		memcpy(s + len, piece, (size_t)l + 1);
		len += (size_t)l;
	}
	return s;
}

void mix_run(unsigned rounds)
{
	enum { RING = 256 };
	static void *ring[RING];
	unsigned ri = 0;

	for (unsigned r = 0; r < rounds; r++) {
		/* Temporaries: a few small objects per round, each living 256 allocations. */
		for (int k = 0; k < 4; k++) {
			free(ring[ri]);
			ring[ri] = mb_malloc(16 + mb_rnd() % 80);
			memset(ring[ri], 0, 16);
			ri = (ri + 1) % RING;
		}
		/* A name for the table, kept. */
		char *key = mb_malloc(24);
		snprintf(key, 24, "k%u", (unsigned)(mb_rnd() % 30000));
		table_put(key, (long)r);
		/* Now and then a longer string, built and dropped. */
		if (r % 8 == 0)
			free(build_string(4 + (unsigned)(mb_rnd() % 60)));
	}
	for (unsigned i = 0; i < RING; i++) {
		free(ring[i]);
		ring[i] = NULL;
	}
	for (size_t i = 0; i < table_cap; i++)
		free(table[i].key);
	free(table);
	table = NULL;
	table_cap = table_n = 0;
}
