/*
 * filepager: a pager whose backing store is a file, reached through fs like
 * any program's: it serves the bytes of PATH (up to 4 MiB) to the processes
 * that map it, reading each page from the file (pread) the first time it
 * is touched. Read-only: a write is refused (SIGSEGV in the client), and
 * a page beyond the end of the file is SIGBUS. Pages are read once: a
 * later change to the file is not seen (it is a snapshot page by page).
 *
 *   filepager NAME PATH    serve until killed
 */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/libc/strata.h"

#define PAGE	  4096ull
#define MAX_BYTES (4ull << 20)

static bool made[MAX_BYTES / PAGE];

int main(int argc, char **argv)
{
	struct stat st;
	handle_t ep, frame;

	if (argc != 3) {
		fprintf(stderr, "usage: filepager NAME PATH\n");
		return 2;
	}
	int fd = open(argv[2], O_RDONLY);
	if (fd < 0 || fstat(fd, &st) != 0) {
		fprintf(stderr, "filepager: %s: %s\n", argv[2], strerror(errno));
		return 1;
	}
	uint64_t size = (uint64_t)st.st_size, pages = (size + PAGE - 1) / PAGE;
	if (size == 0 || size > MAX_BYTES) {
		fprintf(stderr, "filepager: %s: size %llu is not 1 byte to 4 MiB\n", argv[2],
			(unsigned long long)size);
		return 1;
	}
	char *mem = strata_pager_memory(pages * PAGE, &frame);
	if (mem == MAP_FAILED || strata_endpoint(&ep) != 0 ||
	    strata_srv_publish(argv[1], ep) != 0) {
		perror("filepager");
		return 1;
	}
	printf("filepager: serving %s (%llu bytes) as %s\n", argv[2], (unsigned long long)size,
	       argv[1]);
	fflush(stdout);
	for (;;) {
		struct strata_fault f;
		if (strata_pager_wait(ep, &f) != 0) {
			perror("filepager: wait");
			return 1;
		}
		uint64_t page = f.offset / PAGE;
		if (page >= pages) {
			strata_pager_refuse(ERANGE); /* beyond the end of the file: SIGBUS */
			continue;
		}
		if (f.access & (PROT_WRITE | PROT_EXEC)) {
			strata_pager_refuse(EACCES); /* read-only: SIGSEGV */
			continue;
		}
		if (!made[page]) {
			/* The page from the backing store; the rest of a last partial page stays
			 * zero. */
			ssize_t n = pread(fd, mem + page * PAGE, PAGE, (off_t)(page * PAGE));
			if (n < 0) {
				strata_pager_refuse(EIO);
				continue;
			}
			made[page] = true;
		}
		strata_pager_supply(f.addr & ~(PAGE - 1), 1, PROT_READ, frame, page);
	}
}
