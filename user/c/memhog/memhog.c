/*
 * memhog [-p] N: take N MiB from malloc, one MiB at a time, write a pattern
 * into every word and read it all back. With -p only one word of every
 * page is written and read: every page still becomes resident, at a
 * sixtieth of the cost, so a test can fill a machine of many GiB. mem counts heap pages against the
 * process's commit limit when the heap grows, so running out shows up as
 * malloc returning NULL, not as a crash on a later write.
 *
 * Nothing is freed: exit gives every page back at once, which is far
 * quicker than free() shrinking the heap a MiB at a time.
 *
 * Exit status: 0 all N MiB held their pattern, 1 out of memory, 2 bad
 * argument, 3 a word read back wrong.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MIB	(1ul << 20)
#define MAX_MIB (1ul << 24) /* far beyond any memory; only keeps N * MIB from overflowing */

/* The blocks are chained through their first word, so N needs no table. */
struct block {
	struct block *next;
	uint64_t words[(MIB - sizeof(struct block *)) / sizeof(uint64_t)];
};

#define NWORDS (sizeof(((struct block *)0)->words) / sizeof(uint64_t))

/* The value for the word at p: it depends on the address, so a page mapped twice shows. */
static uint64_t pattern(const uint64_t *p)
{
	return ((uint64_t)(uintptr_t)p * 0x9e3779b97f4a7c15ull) ^ 0xa5a5a5a5a5a5a5a5ull;
}

static size_t stride = 1; /* words from one written word to the next */

static void fill(struct block *b)
{
	for (size_t i = 0; i < NWORDS; i += stride)
		b->words[i] = pattern(&b->words[i]);
}

/* The first word of b that does not hold its pattern, or NULL. */
static const uint64_t *first_bad(const struct block *b)
{
	for (size_t i = 0; i < NWORDS; i += stride)
		if (b->words[i] != pattern(&b->words[i]))
			return &b->words[i];
	return NULL;
}

/* N as a count of MiB: true and *n, or false if it is not a number in 1..MAX_MIB. */
static int parse_mib(const char *s, unsigned long *n)
{
	char *end;

	if (*s < '0' || *s > '9')
		return 0;
	*n = strtoul(s, &end, 10);
	return *end == '\0' && *n >= 1 && *n <= MAX_MIB;
}

int main(int argc, char **argv)
{
	struct block *head = NULL;
	unsigned long n, got;

	if (argc == 3 && strcmp(argv[1], "-p") == 0) {
		stride = 4096 / sizeof(uint64_t);
		argc--;
		argv++;
	}
	if (argc != 2 || !parse_mib(argv[1], &n)) {
		fprintf(stderr, "usage: memhog [-p] MiB   (1..%lu)\n", MAX_MIB);
		return 2;
	}
	for (got = 0; got < n; got++) {
		struct block *b = malloc(sizeof(*b));
		if (!b) {
			fprintf(stderr, "memhog: out of memory after %lu MiB\n", got);
			return 1;
		}
		b->next = head;
		head = b;
		fill(b); /* now: the pages become resident as we go */
	}
	for (struct block *b = head; b; b = b->next) {
		const uint64_t *bad = first_bad(b);
		if (bad) {
			fprintf(stderr, "memhog: word at %p reads %#lx, wrote %#lx\n", (void *)bad,
				(unsigned long)*bad, (unsigned long)pattern(bad));
			return 3;
		}
	}
	printf("memhog: %lu MiB ok\n", n);
	return 0;
}
