/*
 * cowdemo: copy-on-write, step by step. The parent fills 64 pages and
 * forks. The child's pages are the parent's, shared read-only: reading
 * all of them copies nothing, and writing 16 of them copies exactly those
 * 16 (mem's counters for the child's own memory space show it). The
 * parent's pages keep their contents. Prints what happened and
 * "cowdemo: ok", and exits 0, or says what went wrong and exits 1.
 */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lib/libc/strata.h"

#define PAGE   4096
#define NPAGES 64
#define NWRITE 16
/*
 * Copies beyond the pages written that are still fine: a stack page the
 * child touches for the first time was the parent's too, and is copied.
 * The child's stats calls all run at the same depth after a first call
 * that takes those copies, so in practice this is 0.
 */
#define MARGIN 2

static unsigned char pages[NPAGES][PAGE] __attribute__((aligned(PAGE)));

static unsigned char parent_byte(int page)
{
	return (unsigned char)(0x40 + page);
}

#define CHILD_BYTE 0xee

/* Whether page holds byte b throughout. */
static bool page_is(int page, unsigned char b)
{
	for (int i = 0; i < PAGE; i++)
		if (pages[page][i] != b)
			return false;
	return true;
}

/* Read every page: true if all still hold the parent's bytes. */
static bool read_all(void)
{
	bool same = true;

	for (int p = 0; p < NPAGES; p++)
		same = page_is(p, parent_byte(p)) && same;
	return same;
}

/* Write the first NWRITE pages: true if the child then sees its bytes there, the parent's
 * elsewhere. */
static bool write_some(void)
{
	bool seen = true;

	for (int p = 0; p < NWRITE; p++)
		memset(pages[p], CHILD_BYTE, PAGE);
	for (int p = 0; p < NPAGES; p++)
		seen = page_is(p, p < NWRITE ? CHILD_BYTE : parent_byte(p)) && seen;
	return seen;
}

static int child_fails(const char *what)
{
	printf("cowdemo: child: %s\n", what);
	return 1;
}

/* The child's side: read all, write some, compare mem's counters for its own space. */
static int child(void)
{
	struct mem_vs_stats s0, s1, s2;

	/*
	 * The first call after fork copies the pages it writes (the stack, the
	 * IPC buffer the reply lands in): make it before counting starts.
	 */
	if (strata_vs_stats(0, &s0) != 0 || strata_vs_stats(0, &s0) != 0)
		return child_fails("cannot read its memory statistics");
	bool read_ok = read_all();
	int e = strata_vs_stats(0, &s1);
	bool write_ok = write_some();
	e |= strata_vs_stats(0, &s2);
	if (e != 0)
		return child_fails("cannot read its memory statistics");

	unsigned long read_copies = s1.cow_copies - s0.cow_copies;
	unsigned long write_copies = s2.cow_copies - s1.cow_copies;
	printf("cowdemo: child read %d pages: %lu copied; wrote %d pages: %lu copied\n", NPAGES,
	       read_copies, NWRITE, write_copies);
	printf("cowdemo: child: %lu read faults answered by mapping the parent's page read-only\n",
	       (unsigned long)(s1.cow_shared - s0.cow_shared));
	if (!read_ok)
		return child_fails("does not see the parent's data");
	if (!write_ok)
		return child_fails("does not see its own writes");
	if (read_copies > MARGIN)
		return child_fails("reading copied pages");
	if (write_copies < NWRITE || write_copies > NWRITE + MARGIN)
		return child_fails("writing did not copy each written page once");
	return 0;
}

int main(void)
{
	struct mem_stats before, after;
	int st;

	for (int p = 0; p < NPAGES; p++)
		memset(pages[p], parent_byte(p), PAGE);
	if (strata_mem_stats(&before) != 0) {
		printf("cowdemo: cannot read mem's statistics\n");
		return 1;
	}
	printf("cowdemo: %d pages filled; after fork both processes share them read-only\n",
	       NPAGES);
	int pid = fork();
	if (pid == 0)
		_exit(child());
	if (pid < 0 || waitpid(pid, &st, 0) != pid) {
		printf("cowdemo: fork or wait failed\n");
		return 1;
	}
	bool ok = WIFEXITED(st) && WEXITSTATUS(st) == 0;
	if (!read_all()) {
		printf("cowdemo: the parent's pages changed\n");
		ok = false;
	} else if (strata_mem_stats(&after) == 0) {
		printf("cowdemo: parent's %d pages unchanged; %lu pages copied by all processes "
		       "since the fork (stacks included)\n",
		       NPAGES, (unsigned long)(after.cow_copies - before.cow_copies));
	}
	printf("cowdemo: %s\n", ok ? "ok" : "FAILED");
	return ok ? 0 : 1;
}
