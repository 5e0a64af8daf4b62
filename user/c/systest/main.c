/*
 * The systest runner (see systest.h). Without arguments it runs every test
 * and prints TAP-like lines ("ok - NAME" / "not ok - NAME") and the summary
 * "systest: N passed, M failed"; its exit status is the number of failures
 * (root powers the machine off with it). `systest NAME` runs one test's
 * body; other first arguments are helper modes (helpers.c).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "lib/libc/strata.h"
#include "user/c/systest/systest.h"

static const struct systest *const tables[] = {
    mem_tests,	 proc_tests, hostile_tests, fs_tests,	   libc_tests, signal_tests, time_tests,
    pager_tests, mmap_tests, trace_tests,   oom_adj_tests, swap_tests, oom_tests};

/*
 * The group of tests a table is: "" for the ordinary ones (no argument),
 * else the first argument that runs it alone, on a boot made for it.
 */
static const char *group_of(const struct systest *table)
{
	if (table == swap_tests)
		return "--swap";
	if (table == oom_tests)
		return "--oom";
	return "";
}

int run_child(char *const argv[], unsigned long limit_pages)
{
	int pid = strata_spawn(argv[0], argv, limit_pages);
	int st;

	if (pid < 0) {
		printf("    cannot start %s: errno %d\n", argv[0], errno);
		return -1;
	}
	if (waitpid(pid, &st, 0) != pid) {
		printf("    waitpid(%d) failed: errno %d\n", pid, errno);
		return -1;
	}
	return st;
}

/*
 * Pages that no process, server, page table or thread stack holds: free
 * pages plus the pages of the kernel's object caches. The caches keep a page or so depending
 * on where surviving objects happen to lie (a long-lived server's handle
 * table moves when it grows and shrinks), which is no leak; a leaked
 * kernel object still shows, through the frames it holds (page tables,
 * thread stacks, mem's pages).
 */
unsigned long systest_free_pages(void)
{
	struct mem_stats s;
	struct fs_stats f = {0};

	strata_fs_stats(&f); /* the disk's page cache is memory in waiting too */
	return strata_mem_stats(&s) == 0 ? s.free_pages + s.slab_pages + f.cache_pages : 0;
}

/*
 * What the swap tests leave: the same, plus the pages mem holds but has
 * given to nobody, less the pages only swap holds. Swapping moves the survivors'
 * pages (the runner's, the shell's) out and in and so across mem's chunks:
 * a page that went out freed a frame and took a slot, and the sum does
 * not change, while a slot left behind shows as a leak.
 */
static bool swap_mode;

static unsigned long unused_pages(void)
{
	struct mem_stats s;
	unsigned long n = systest_free_pages();

	if (!swap_mode || strata_mem_stats(&s) != 0)
		return n;
	return n + (s.pool_pages - s.resident - s.own_pages) - (s.swap_used - s.swap_cached);
}

/*
 * Free memory is back to before once a test's processes are gone. proc
 * tears a process down before it reports it ended, but the kernel frees a
 * killed thread's last pieces when that thread next runs: give it up to a
 * second. If the disk's page cache grew meanwhile (a program read from the
 * disk for the first time), each chunk it added (16 pages, counted) may
 * have cost fs a page the count cannot see — a handle-table or page-table
 * page for the chunk's frame — or, the other way, put a page table fs
 * already had among the cache's (the cache counts the 2 MiB tables that
 * map its frames, and the chunk may land in a table fs used for something
 * else): a page per chunk either way is allowed, no more.
 */
static bool back_to(unsigned long before, unsigned long cache_before, unsigned long *now)
{
	for (int i = 0; i < 100; i++) {
		struct fs_stats f = {0};
		strata_fs_stats(&f);
		unsigned long chunks =
		    f.cache_pages > cache_before ? (f.cache_pages - cache_before + 15) / 16 : 0;
		*now = unused_pages();
		unsigned long off = *now > before ? *now - before : before - *now;
		if (off <= chunks)
			return true;
		usleep(10000);
	}
	return false;
}

static struct mem_stats stats_now(void)
{
	struct mem_stats s = {0};

	strata_mem_stats(&s);
	return s;
}

/* fs holds what it held before the test: its processes' tables, files and pipes are gone. */
static bool fs_back(const struct fs_stats *f0)
{
	struct fs_stats f1 = {0};

	for (int i = 0; i < 100; i++) {
		if (strata_fs_stats(&f1) != 0)
			return true; /* no fs to ask */
		if (f0->tables == f1.tables && f0->files == f1.files && f0->pipes == f1.pipes &&
		    f0->pages == f1.pages && f0->waiting == f1.waiting)
			return true; /* the cache may grow: that is what it is for */
		usleep(10000);
	}
	printf("    fs: tables %lu -> %lu, files %lu -> %lu, pipes %lu -> %lu, pages %lu -> %lu, "
	       "waiting %lu -> %lu\n",
	       (unsigned long)f0->tables, (unsigned long)f1.tables, (unsigned long)f0->files,
	       (unsigned long)f1.files, (unsigned long)f0->pipes, (unsigned long)f1.pipes,
	       (unsigned long)f0->pages, (unsigned long)f1.pages, (unsigned long)f0->waiting,
	       (unsigned long)f1.waiting);
	return false;
}

static bool run_test(const struct systest *t)
{
	char *argv[] = {"systest", (char *)t->name, 0};
	struct mem_stats s0 = stats_now();
	struct fs_stats f0 = {0};
	strata_fs_stats(&f0);
	unsigned long before = unused_pages(), after;
	int st = run_child(argv, 0);
	bool ok = st == 0;

	if (st != 0 && st != -1) {
		if (WIFEXITED(st))
			printf("    exit status %d\n", WEXITSTATUS(st));
		else
			printf("    killed by signal %d\n", WTERMSIG(st));
	}
	if (!fs_back(&f0)) {
		ok = false;
	}
	if (!back_to(before, f0.cache_pages, &after)) {
		struct mem_stats s1 = stats_now();
		printf("    unused pages %lu before, %lu after: %ld leaked\n", before, after,
		       (long)(before - after));
		struct fs_stats f1 = {0};
		strata_fs_stats(&f1);
		printf("    free %lu -> %lu, fs cache %lu -> %lu, fs pages %lu -> %lu\n",
		       (unsigned long)s0.free_pages, (unsigned long)s1.free_pages,
		       (unsigned long)f0.cache_pages, (unsigned long)f1.cache_pages,
		       (unsigned long)f0.pages, (unsigned long)f1.pages);
		printf("    mem: pool %lu -> %lu pages, slab %lu -> %lu, resident %lu -> %lu, "
		       "spaces %lu -> %lu\n",
		       (unsigned long)s0.pool_pages, (unsigned long)s1.pool_pages,
		       (unsigned long)s0.slab_pages, (unsigned long)s1.slab_pages,
		       (unsigned long)s0.resident, (unsigned long)s1.resident,
		       (unsigned long)s0.spaces, (unsigned long)s1.spaces);
		ok = false;
	}
	return ok;
}

static const struct systest *find(const char *name)
{
	for (size_t i = 0; i < sizeof(tables) / sizeof(tables[0]); i++)
		for (const struct systest *t = tables[i]; t->name; t++)
			if (strcmp(t->name, name) == 0)
				return t;
	return 0;
}

/* The tests named after --swap [--small] or --oom (all of the group if none is). */
static bool chosen(const struct systest *t, int argc, char **argv)
{
	int first = argc > 2 && strcmp(argv[2], "--small") == 0 ? 3 : 2;

	for (int i = first; i < argc; i++)
		if (strcmp(argv[i], t->name) == 0)
			return true;
	return argc <= first;
}

/*
 * Every ordinary test, or one group's only: --swap [--small] [NAME...],
 * --oom [NAME...].
 */
int main(int argc, char **argv)
{
	const char *group = "";

	if (argc > 1 && (strcmp(argv[1], "--swap") == 0 || strcmp(argv[1], "--oom") == 0))
		group = argv[1];
	swap_mode = group[0] != 0; /* both groups page to swap */
	if (strcmp(group, "--swap") == 0 && argc > 2 && strcmp(argv[2], "--small") == 0)
		setenv("SYSTEST_SWAP_SMALL", "1",
		       1); /* the tests' children see it (tests_swap.c) */
	if (argc > 1 && !group[0]) {
		const struct systest *t = find(argv[1]);
		if (t)
			return t->run() ? 0 : 1;
		return helper_main(argc, argv);
	}
	int passed = 0, failed = 0;
	for (size_t i = 0; i < sizeof(tables) / sizeof(tables[0]); i++)
		for (const struct systest *t = tables[i]; t->name; t++) {
			if (strcmp(group_of(tables[i]), group) != 0 ||
			    (group[0] && !chosen(t, argc, argv)))
				continue;
			bool ok = run_test(t);
			printf("%s - system/%s\n", ok ? "ok" : "not ok", t->name);
			ok ? passed++ : failed++;
		}
	printf("systest: %d passed, %d failed\n", passed, failed);
	return failed;
}
