/*
 * sqpager: a pager in an ordinary program, the worked example of
 * docs/writing-a-pager.md. It publishes an endpoint under a name and
 * serves one object of PAGES pages, whose 8-byte word i holds i * i,
 * computed when a client first touches its page. Every client maps the
 * same pages of the same frame, so what one writes the others see.
 *
 *   sqpager NAME [PAGES [hold]]    serve until killed (PAGES 1..1024, default 16)
 *
 * With `hold`, the first fault on the object's last page is held (as a
 * pager holds a fault while it reads the page from a disk) until another
 * fault has been answered: the pager goes on serving meanwhile.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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

/* The page's squares, made the first time it is asked for. */
static void make_page(uint64_t *words, uint64_t page)
{
	if (made[page])
		return;
	for (uint64_t i = page * PAGE / 8; i < (page + 1) * PAGE / 8; i++)
		words[i] = i * i;
	made[page] = true;
}

int main(int argc, char **argv)
{
	unsigned long pages = argc >= 3 ? strtoul(argv[2], 0, 10) : 16;
	bool hold = argc == 4 && strcmp(argv[3], "hold") == 0;
	handle_t ep, frame, held = 0;
	struct strata_fault held_fault = {0};

	if (argc < 2 || argc > 4 || (argc == 4 && !hold) || pages < 1 || pages > MAX_PAGES) {
		fprintf(stderr, "usage: sqpager NAME [PAGES [hold]]   (PAGES 1..%d)\n", MAX_PAGES);
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
		if (hold && page == pages - 1 && strata_pager_defer(&held) == 0) {
			held_fault = f; /* answered after the next fault */
			hold = false;
			continue;
		}
		make_page(words, page);
		strata_pager_supply(f.addr & ~(PAGE - 1), 1, rights_for(f.access), frame, page);
		if (held) {
			uint64_t hp = held_fault.offset / PAGE;
			make_page(words, hp);
			strata_pager_supply_later(held, held_fault.addr & ~(PAGE - 1), 1,
						  rights_for(held_fault.access), frame, hp);
			held = 0;
		}
	}
}
