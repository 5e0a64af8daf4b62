/*
 * sqpager: a pager in an ordinary program, the worked example of
 * docs/writing-a-pager.md. It publishes an endpoint under a name and
 * serves one object of PAGES pages, whose 8-byte word i holds i * i,
 * computed when a client first touches its page. Every client maps the
 * same pages of the same frame, so what one writes the others see.
 *
 *   sqpager NAME [PAGES]    serve until killed (PAGES 1..1024, default 16)
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>

#include "lib/libc/strata.h"

#define PAGE	  4096ull
#define MAX_PAGES 1024

static bool made[MAX_PAGES];

/* Rights for the page: what the access needs and no more, so a write faults again (dirty). */
static int rights_for(unsigned access)
{
	if (access & PROT_WRITE)
		return PROT_READ | PROT_WRITE;
	return access & PROT_EXEC ? PROT_READ | PROT_EXEC : PROT_READ;
}

int main(int argc, char **argv)
{
	unsigned long pages = argc == 3 ? strtoul(argv[2], 0, 10) : 16;
	handle_t ep, frame;

	if (argc < 2 || argc > 3 || pages < 1 || pages > MAX_PAGES) {
		fprintf(stderr, "usage: sqpager NAME [PAGES]   (PAGES 1..%d)\n", MAX_PAGES);
		return 2;
	}
	uint64_t *words = strata_pager_memory(pages * PAGE, &frame);
	if (words == MAP_FAILED || strata_endpoint(&ep) != 0 ||
	    strata_srv_publish(argv[1], ep) != 0) {
		perror("sqpager");
		return 1;
	}
	printf("sqpager: serving %s, %lu pages\n", argv[1], pages);
	fflush(stdout);
	for (;;) {
		struct strata_fault f;
		if (strata_pager_wait(ep, &f) != 0) {
			perror("sqpager: wait");
			return 1;
		}
		uint64_t page = f.offset / PAGE;
		if (page >= pages) { /* beyond the object: the client gets SIGBUS */
			strata_pager_refuse(ERANGE);
			continue;
		}
		if (!made[page]) {
			for (uint64_t i = page * PAGE / 8; i < (page + 1) * PAGE / 8; i++)
				words[i] = i * i;
			made[page] = true;
		}
		strata_pager_supply(f.addr & ~(PAGE - 1), 1, rights_for(f.access), frame, page);
	}
}
