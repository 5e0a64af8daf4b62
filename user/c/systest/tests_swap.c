/*
 * Swap: anonymous memory beyond RAM goes to the disk's swap partition and
 * comes back intact. These tests need a boot with a disk that has a swap
 * partition and little RAM (check.sh runs them as `systest --swap` on
 * 64 MiB, 1 and 4 harts); they size themselves from mem's figures and fail
 * when swap is missing. Every test checks that the slots it used are free
 * again, and the runner that frames and slots together are back (a page
 * of a survivor that went out frees a frame and takes a slot).
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lib/libc/strata.h"
#include "user/c/systest/systest.h"

#define PAGE   4096
#define WORDS  (PAGE / sizeof(uint64_t))
#define STRIDE 32 /* words between two checked words: 16 per page */

static struct mem_stats stats(void)
{
	struct mem_stats s = {0};

	strata_mem_stats(&s);
	return s;
}

/* The word at index w of page i, version v: differs for every page, word and version. */
static uint64_t pattern(uint64_t i, uint64_t w, uint64_t v)
{
	return (i * 0x9e3779b97f4a7c15ull) ^ (w << 48) ^ (v << 40) ^ 0x5a5a;
}

static void fill_page(uint64_t *page, uint64_t i, uint64_t v)
{
	for (uint64_t w = 0; w < WORDS; w += STRIDE)
		page[w] = pattern(i, w, v);
}

static bool page_ok(const uint64_t *page, uint64_t i, uint64_t v)
{
	for (uint64_t w = 0; w < WORDS; w += STRIDE)
		if (page[w] != pattern(i, w, v)) {
			printf("    page %lu word %lu: %#lx, not %#lx (version %lu)\n",
			       (unsigned long)i, (unsigned long)w, (unsigned long)page[w],
			       (unsigned long)pattern(i, w, v), (unsigned long)v);
			return false;
		}
	return true;
}

static uint64_t *anon(uint64_t pages)
{
	void *p = mmap(0, pages * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	return p == MAP_FAILED ? 0 : p;
}

#define PG(base, i) ((base) + (i)*WORDS)

/* Pages mem can hold in memory (its commit limit without the swap). */
static uint64_t holds(void)
{
	struct mem_stats s = stats();

	return s.commit_limit - s.swap_total;
}

/*
 * The tests' unit, "RAM": the machine's pages for the tests of volume
 * (full), or half of a little more than mem holds — for the tests of
 * sharing, killing and competing, which need paging but not much of it,
 * and for all of them with SYSTEST_SWAP_SMALL in the environment
 * (`systest --swap --small`): a machine with more harts than cores pages
 * so slowly that only a little swapping fits in the time of a test (make
 * stress runs the full size there).
 */
static uint64_t unit(bool full)
{
	return full && !getenv("SYSTEST_SWAP_SMALL") ? stats().total_pages : (holds() + 1024) / 2;
}

/* Swap is on and big enough for `units` times the unit; the unit in *ram. */
static bool have_swap(uint64_t units, bool full, uint64_t *ram)
{
	struct mem_stats s = stats();
	uint64_t pages = units * unit(full);

	*ram = unit(full);
	if (s.swap_total == 0) {
		printf("    no swap (this test needs a boot with a swap partition)\n");
		return false;
	}
	if (s.commit_limit - s.committed < pages + 512) {
		printf("    %lu pages asked, %lu can be promised\n", (unsigned long)pages,
		       (unsigned long)(s.commit_limit - s.committed));
		return false;
	}
	return true;
}

/* The number of the i-th page of a walk over n pages in a scattered order. */
static uint64_t scatter(uint64_t i, uint64_t n)
{
	return (i * 2654435761ull + 12345) % n; /* a prime above n: a permutation */
}

/* Twice RAM written in order, read back in order. */
static bool t_swap_sequential(void)
{
	uint64_t ram, n;
	CHECK(have_swap(2, true, &ram));
	n = 2 * ram;
	struct mem_stats s0 = stats();
	uint64_t *m = anon(n);
	CHECK(m);
	for (uint64_t i = 0; i < n; i++)
		fill_page(PG(m, i), i, 1);
	for (uint64_t i = 0; i < n; i++)
		CHECK(page_ok(PG(m, i), i, 1));
	struct mem_stats s1 = stats();
	CHECK(s1.page_outs - s0.page_outs >= n - holds()); /* at least what could not fit */
	CHECK(s1.page_ins - s0.page_ins > 0);
	/* Most went out ahead of demand, after a reply (the watermarks), not while a fault waited.
	 */
	CHECK(s1.reclaim_background - s0.reclaim_background >
	      s1.reclaim_direct - s0.reclaim_direct);
	printf("    %lu pages: %lu out, %lu in, %lu looked at, %lu clean, %lu direct\n",
	       (unsigned long)n, (unsigned long)(s1.page_outs - s0.page_outs),
	       (unsigned long)(s1.page_ins - s0.page_ins),
	       (unsigned long)(s1.reclaim_scans - s0.reclaim_scans),
	       (unsigned long)(s1.clean_drops - s0.clean_drops),
	       (unsigned long)(s1.reclaim_direct - s0.reclaim_direct));
	CHECK(munmap(m, n * PAGE) == 0);
	return true;
}

/* Twice RAM in a scattered order, a scattered half written again, all read back. */
static bool t_swap_random(void)
{
	uint64_t ram;
	CHECK(have_swap(2, true, &ram));
	uint64_t n = 2 * ram;
	struct mem_stats s0 = stats();
	uint64_t *m = anon(n);
	CHECK(m);
	for (uint64_t i = 0; i < n; i++)
		fill_page(PG(m, scatter(i, n)), scatter(i, n), 1);
	for (uint64_t i = 0; i < n; i += 2) /* every page that comes in and is dirtied again */
		fill_page(PG(m, scatter(i * 7, n)), scatter(i * 7, n), 2);
	/* Which pages got version 2 (n bits). */
	static uint8_t v2[1 << 17];
	CHECK(n / 8 < sizeof(v2));
	memset(v2, 0, sizeof(v2));
	for (uint64_t i = 0; i < n; i += 2)
		v2[scatter(i * 7, n) / 8] |= (uint8_t)(1u << (scatter(i * 7, n) % 8));
	for (uint64_t i = 0; i < n; i++) {
		uint64_t p = scatter(n - 1 - i, n);
		CHECK(page_ok(PG(m, p), p, (v2[p / 8] >> (p % 8)) & 1 ? 2 : 1));
	}
	CHECK(stats().page_outs - s0.page_outs >= n - holds());
	CHECK(munmap(m, n * PAGE) == 0);
	return true;
}

/* Pages that went out before fork are shared by the children: each reads them, one writes. */
static bool t_swap_fork_shared(void)
{
	uint64_t ram;
	CHECK(have_swap(3, false, &ram));
	uint64_t n = ram;
	struct mem_stats s0 = stats();
	uint64_t *m = anon(n);
	CHECK(m);
	for (uint64_t i = 0; i < n; i++)
		fill_page(PG(m, i), i, 1);
	/* Push the start out: walk a second RAM's worth, then let it go. */
	uint64_t *push = anon(ram);
	CHECK(push);
	for (uint64_t i = 0; i < ram; i++)
		fill_page(PG(push, i), i, 9);
	CHECK(munmap(push, ram * PAGE) == 0);
	CHECK(stats().swap_used > s0.swap_used);
	int pids[2];
	for (int c = 0; c < 2; c++) {
		pids[c] = fork();
		CHECK(pids[c] >= 0);
		if (pids[c] == 0) {
			for (uint64_t i = 0; i < n; i++)
				if (!page_ok(PG(m, i), i, 1))
					_exit(1);
			if (c == 1) { /* copies of its own, the parent's stay */
				for (uint64_t i = 0; i < n; i += 2)
					fill_page(PG(m, i), i, 3);
				for (uint64_t i = 0; i < n; i++)
					if (!page_ok(PG(m, i), i, i % 2 ? 1 : 3))
						_exit(2);
			}
			_exit(0);
		}
		int st;
		CHECK(waitpid(pids[c], &st, 0) == pids[c]);
		CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	}
	for (uint64_t i = 0; i < n; i++)
		CHECK(page_ok(PG(m, i), i, 1));
	CHECK(munmap(m, n * PAGE) == 0);
	return true;
}

/* Strict commit: RAM plus swap can be promised, not a page more. */
static bool t_swap_commit_limit(void)
{
	struct mem_stats s = stats();
	CHECK(s.swap_total > 0);
	CHECK(s.commit_limit > s.total_pages); /* swap counts */
	uint64_t left = s.commit_limit - s.committed;
	errno = 0;
	CHECK(anon(left + 1) == 0 && errno == ENOMEM);
	uint64_t *m = anon(left - 256); /* some room for this process's own growth */
	CHECK(m);
	CHECK(anon(512) == 0 && errno == ENOMEM);
	CHECK(munmap(m, (left - 256) * PAGE) == 0);
	return true;
}

/* A process killed while its memory goes out and comes in leaves no slot and no frame behind. */
static bool t_swap_killed_while_paging(void)
{
	uint64_t ram;
	CHECK(have_swap(2, false, &ram));
	struct mem_stats s0 = stats();
	int pid = fork();
	CHECK(pid >= 0);
	if (pid == 0) {
		uint64_t n = 2 * ram;
		uint64_t *m = anon(n);
		for (uint64_t v = 1; m; v++)
			for (uint64_t i = 0; i < n; i++)
				fill_page(PG(m, i), i, v);
		_exit(1);
	}
	/* Until it has sent a RAM's worth out: then it is writing pages out all the time. */
	for (int i = 0; i < 6000 && stats().page_outs - s0.page_outs < ram; i++)
		usleep(10000);
	CHECK(stats().page_outs - s0.page_outs >= ram);
	CHECK(kill(pid, SIGKILL) == 0);
	int st;
	CHECK(waitpid(pid, &st, 0) == pid);
	CHECK(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL);
	return true;
}

/* A file mapped shared on the disk and anonymous memory beyond RAM, both kept intact. */
static bool t_swap_file_and_anon(void)
{
	uint64_t ram;
	CHECK(have_swap(2, false, &ram));
	uint64_t nf = ram / 4, na = 3 * ram / 2;
	char name[64];
	snprintf(name, sizeof(name), "/home/swapfile-%d", getpid());
	int fd = open(name, O_RDWR | O_CREAT | O_TRUNC, 0644);
	CHECK(fd >= 0);
	CHECK(ftruncate(fd, (off_t)(nf * PAGE)) == 0);
	uint64_t *f = mmap(0, nf * PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	CHECK(f != MAP_FAILED);
	uint64_t *m = anon(na);
	CHECK(m);
	for (uint64_t i = 0; i < na; i++) {
		fill_page(PG(m, i), i, 1);
		if (i % 6 == 0)
			fill_page(PG(f, i / 6 % nf), i / 6 % nf, 4);
	}
	for (uint64_t i = 0; i < na; i++)
		CHECK(page_ok(PG(m, i), i, 1));
	for (uint64_t i = 0; i < nf; i++)
		CHECK(page_ok(PG(f, i), i, 4));
	CHECK(munmap(m, na * PAGE) == 0);
	CHECK(munmap(f, nf * PAGE) == 0);
	/* What went through the mapping is the file's. */
	uint64_t page[WORDS];
	for (uint64_t i = 0; i < nf; i += 97) {
		CHECK(pread(fd, page, PAGE, (off_t)(i * PAGE)) == PAGE);
		CHECK(page_ok(page, i, 4));
	}
	CHECK(close(fd) == 0 && unlink(name) == 0);
	return true;
}

/*
 * Load control: three processes, each cycling over 40% of what mem holds,
 * thrash together; proc holds one (ps says "held") while the others
 * finish, and lets it go on after. Every page is intact throughout.
 */
#define CYCLERS 3
#define CYCLES	6

static void cycle_over(uint64_t n, uint64_t salt)
{
	uint64_t *m = anon(n);

	if (!m)
		_exit(3);
	for (uint64_t v = 1; v <= CYCLES; v++)
		for (uint64_t i = 0; i < n; i++) {
			if (v > 1 && !page_ok(PG(m, i), i + salt, v - 1))
				_exit(1);
			fill_page(PG(m, i), i + salt, v);
		}
	_exit(0);
}

/* Is one of the pids held by load control now? */
static bool one_held(const int *pids, int n)
{
	struct proc_info info;

	for (int c = 0; c < n; c++)
		if (strata_proc_find(pids[c], &info) == 0 && (info.flags & PROC_INFO_HELD))
			return true;
	return false;
}

static bool t_swap_load_control(void)
{
	uint64_t ram;
	CHECK(have_swap(2, false, &ram));
	struct mem_stats s0 = stats();
	CHECK(s0.load_control == 1);
	uint64_t n = holds() * 2 / 5;
	int pids[CYCLERS], left = CYCLERS, st;
	bool seen = false;
	for (int c = 0; c < CYCLERS; c++) {
		pids[c] = fork();
		CHECK(pids[c] >= 0);
		if (pids[c] == 0)
			cycle_over(n, (uint64_t)c << 32);
	}
	while (left > 0) {
		seen = seen || one_held(pids, CYCLERS);
		int pid = waitpid(-1, &st, WNOHANG);
		CHECK(pid >= 0);
		if (pid == 0) {
			usleep(20000);
			continue;
		}
		CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
		left--;
	}
	struct mem_stats s1 = stats();
	printf("    %lu pages each: %lu periods, %lu thrashing, %lu written out for proc, "
	       "%lu in\n",
	       (unsigned long)n, (unsigned long)(s1.paging_periods - s0.paging_periods),
	       (unsigned long)(s1.thrash_periods - s0.thrash_periods),
	       (unsigned long)(s1.swapped_out - s0.swapped_out),
	       (unsigned long)(s1.page_ins - s0.page_ins));
	CHECK(s1.thrash_periods > s0.thrash_periods);
	CHECK(seen); /* ps showed it held */
	CHECK(s1.swapped_out > s0.swapped_out);
	return true;
}

const struct systest swap_tests[] = {
    {"swap_sequential", t_swap_sequential},
    {"swap_random", t_swap_random},
    {"swap_fork_shared", t_swap_fork_shared},
    {"swap_commit_limit", t_swap_commit_limit},
    {"swap_killed_while_paging", t_swap_killed_while_paging},
    {"swap_file_and_anon", t_swap_file_and_anon},
    {"swap_load_control", t_swap_load_control},
    {0, 0},
};
