/*
 * pmap PID: every range of a process's address space, as mem keeps them:
 * start, end, rights, what serves it, pages mapped now, dirty and shared
 * ones, and the file or object offset. Sizes are in KiB.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "lib/libc/strata.h"

static const char *kind_name(uint32_t kind)
{
	static const char *const names[] = {
	    [MEM_KIND_ANON] = "anon",	     [MEM_KIND_FILE] = "program",
	    [MEM_KIND_STACK] = "stack",	     [MEM_KIND_HEAP] = "heap",
	    [MEM_KIND_FRAME] = "frame",	     [MEM_KIND_PAGER] = "pager",
	    [MEM_KIND_SHARED] = "shared",    [MEM_KIND_FILE_SHARED] = "file",
	    [MEM_KIND_FILE_PRIVATE] = "file"};

	return kind < sizeof(names) / sizeof(names[0]) ? names[kind] : "?";
}

int main(int argc, char **argv)
{
	struct proc_info p;
	struct mem_map_info m;
	char *end;
	long pid = argc == 2 ? strtol(argv[1], &end, 10) : -1;

	if (argc != 2 || *end || pid <= 0) {
		fprintf(stderr, "usage: pmap PID\n");
		return 2;
	}
	if (strata_proc_find((int)pid, &p) != 0) {
		fprintf(stderr, "pmap: %ld: no such running process\n", pid);
		return 1;
	}
	printf("%ld: %.*s\n", pid, (int)sizeof(p.name), p.name);
	printf("%-12s %-12s %4s %-8s %8s %8s %8s %8s %s\n", "START", "END", "PERM", "KIND", "SIZE",
	       "RSS", "DIRTY", "SHARED", "OFFSET");
	unsigned long size = 0, rss = 0, dirty = 0, shared = 0;
	int index = 0;
	do {
		index = strata_vs_maps(p.vs, index, &m);
		if (index < 0) {
			if (errno == ENOENT)
				break; /* it ended meanwhile, or has no mapping */
			perror("pmap");
			return 1;
		}
		char perm[5] = {m.prot & PROT_READ ? 'r' : '-', m.prot & PROT_WRITE ? 'w' : '-',
				m.prot & PROT_EXEC ? 'x' : '-',
				m.kind == MEM_KIND_SHARED || m.kind == MEM_KIND_PAGER ||
					m.kind == MEM_KIND_FILE_SHARED
				    ? 's'
				    : 'p',
				0};
		printf("%012lx %012lx %4s %-8s %8lu %8lu %8lu %8lu", (unsigned long)m.va,
		       (unsigned long)(m.va + m.len), perm, kind_name(m.kind),
		       (unsigned long)m.len / 1024, (unsigned long)m.resident * 4,
		       (unsigned long)m.dirty * 4, (unsigned long)m.shared * 4);
		if (m.kind != MEM_KIND_ANON && m.kind != MEM_KIND_STACK &&
		    m.kind != MEM_KIND_HEAP && m.kind != MEM_KIND_FRAME)
			printf(" %lx", (unsigned long)m.offset);
		if (m.kind == MEM_KIND_PAGER)
			printf(" (badge %lx)", (unsigned long)m.badge);
		printf("\n");
		size += m.len / 1024;
		rss += m.resident * 4;
		dirty += m.dirty * 4;
		shared += m.shared * 4;
	} while (index != 0);
	printf("%-12s %-12s %4s %-8s %8lu %8lu %8lu %8lu\n", "total", "", "", "", size, rss, dirty,
	       shared);
	return 0;
}
