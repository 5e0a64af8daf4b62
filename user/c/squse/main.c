/*
 * squse: a client of sqpager (docs/writing-a-pager.md). It looks the
 * pager up by name, has PAGES pages of its own address space served by it,
 * and checks that word i reads i * i.
 *
 *   squse NAME [PAGES]
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>

#include "lib/libc/strata.h"

int main(int argc, char **argv)
{
	unsigned long pages = argc == 3 ? strtoul(argv[2], 0, 10) : 16;
	handle_t ep;

	if (argc < 2 || argc > 3 || pages < 1) {
		fprintf(stderr, "usage: squse NAME [PAGES]\n");
		return 2;
	}
	if (strata_srv_lookup(argv[1], &ep) != 0) {
		perror("squse: lookup");
		return 1;
	}
	size_t len = pages * 4096;
	const uint64_t *w = strata_pager_map(0, len, PROT_READ, 0, ep, 0, 0);
	if (w == MAP_FAILED) {
		perror("squse: map");
		return 1;
	}
	for (uint64_t i = 0; i < len / 8; i++) {
		if (w[i] != i * i) {
			printf("squse: word %lu reads %lu, not %lu\n", i, w[i], i * i);
			return 1;
		}
	}
	printf("squse: %lu pages from %s, every square right\n", pages, argv[1]);
	return munmap((void *)w, len) == 0 ? 0 : 1;
}
