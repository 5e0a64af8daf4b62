/*
 * systest: in-guest tests of the whole system (con, mem, proc, the libc
 * glue, fs), run as init: `init=systest` on the kernel command line. Each test
 * runs in a child process (`systest NAME`), and the runner checks its exit
 * status and that free memory is back to where it was once the child is
 * reaped.
 */
#ifndef STRATA_USER_C_SYSTEST_H
#define STRATA_USER_C_SYSTEST_H

#include <stdbool.h>
#include <stdio.h>

/* A test body: runs in its own process; returns true if it passed. */
struct systest {
	const char *name;
	bool (*run)(void);
};

/* Report a failed check with its place and return false from the test. */
#define CHECK(c)                                                                                   \
	do {                                                                                       \
		if (!(c)) {                                                                        \
			printf("    %s:%d: check failed: %s\n", __FILE__, __LINE__, #c);           \
			return false;                                                              \
		}                                                                                  \
	} while (0)

/* Run argv as a child and wait for it: its wait status, or -1 if it could not start. */
int run_child(char *const argv[], unsigned long limit_pages);

/* Helper modes: `systest MODE ...` runs one of these instead of a test. */
int helper_main(int argc, char **argv);

extern const struct systest mem_tests[], proc_tests[], hostile_tests[], fs_tests[], libc_tests[],
    signal_tests[], time_tests[], pager_tests[], mmap_tests[], trace_tests[], swap_tests[],
    oom_tests[], oom_adj_tests[];

/* mmap-peer NAME: map file NAME shared and store into it (tests_mmap.c). */
int mmap_peer(const char *name);

/*
 * Pages nothing holds: free pages, the kernel's object caches and the
 * disk's page cache in fs (memory in waiting, all three).
 */
unsigned long systest_free_pages(void);

#endif
