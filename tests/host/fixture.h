/*
 * Test fixtures from tests/data/, for host tests (run from the repository
 * root, as make check does).
 */
#ifndef STRATA_TESTS_FIXTURE_H
#define STRATA_TESTS_FIXTURE_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

struct blob {
	uint8_t *data;
	size_t len;
};

/* The whole file at path, in a malloc'd buffer of exactly its size; {NULL, 0} if unreadable. */
static inline struct blob load(const char *path)
{
	struct blob b = {NULL, 0};
	FILE *fp = fopen(path, "rb");
	long n;

	if (!fp) {
		printf("    cannot open %s (run from the repository root)\n", path);
		return b;
	}
	if (fseek(fp, 0, SEEK_END) == 0 && (n = ftell(fp)) > 0 && fseek(fp, 0, SEEK_SET) == 0) {
		b.data = malloc((size_t)n);
		if (b.data && fread(b.data, 1, (size_t)n, fp) == (size_t)n)
			b.len = (size_t)n;
	}
	fclose(fp);
	return b;
}

#endif
