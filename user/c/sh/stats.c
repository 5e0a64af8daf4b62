/*
 * ps, free and vmstat: what proc and mem count, as tables. Memory figures
 * are in pages of 4 KiB unless a column says MiB.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/libc/strata.h"
#include "user/c/sh/sh.h"

#define PAGES_PER_MIB 256

/* pages as MiB with one decimal, without floating point. */
static const char *mib(char *buf, size_t n, uint64_t pages)
{
	snprintf(buf, n, "%lu.%lu", (unsigned long)(pages / PAGES_PER_MIB),
		 (unsigned long)(pages % PAGES_PER_MIB * 10 / PAGES_PER_MIB));
	return buf;
}

static int failed(const char *cmd)
{
	fprintf(stderr, "sh: %s: %s\n", cmd, strerror(errno));
	return 1;
}

static const char *state_name(const struct proc_info *p)
{
	if (p->state == PROC_ZOMBIE)
		return "zombie";
	if (p->state != PROC_RUNNING)
		return "?";
	if (p->flags & PROC_INFO_HELD) /* by load control: paging thrashed */
		return "held";
	return p->flags & PROC_INFO_STOPPED ? "stop" : "run";
}

static void ps_row(const struct proc_info *p)
{
	printf("%5d %5d %5d %-6s %6lu %6lu %6lu %6lu %6lu %6lu %6lu %.*s\n", (int)p->pid,
	       (int)p->ppid, (int)p->pgid, state_name(p), (unsigned long)p->resident,
	       (unsigned long)p->shared, (unsigned long)p->file, (unsigned long)p->swapped,
	       (unsigned long)p->faults, (unsigned long)p->cow_copies, (unsigned long)p->committed,
	       (int)sizeof(p->name), p->name);
}

/* ps: every process proc knows (the servers root started are not among them). */
int sh_ps(int argc, char **argv)
{
	struct proc_info p;
	int cursor = 0, next;

	(void)argc;
	(void)argv;
	printf("%5s %5s %5s %-6s %6s %6s %6s %6s %6s %6s %6s %s\n", "PID", "PPID", "PGID", "STATE",
	       "RES", "SHR", "FILE", "SWAP", "FAULTS", "COW", "COMMIT", "NAME");
	do {
		next = strata_proc_list(cursor, &p);
		if (next < 0)
			return errno == ENOENT ? 0 : failed("ps");
		ps_row(&p);
		cursor = next;
	} while (cursor != 0);
	return 0;
}

/* "4 KiB" .. "1 GiB": the size of a buddy block of the given order. */
static const char *block_size(char *buf, size_t n, unsigned order)
{
	unsigned long kib = 4ul << order;

	if (kib < 1024)
		snprintf(buf, n, "%lu KiB", kib);
	else if (kib < 1024 * 1024)
		snprintf(buf, n, "%lu MiB", kib >> 10);
	else
		snprintf(buf, n, "%lu GiB", kib >> 20);
	return buf;
}

/* The free lists of the kernel's buddy allocator, the orders that have blocks only. */
static void free_blocks(const struct mem_stats *s)
{
	char size[16];

	printf("free buddy blocks:\n%7s %8s %8s %8s\n", "order", "size", "blocks", "pages");
	for (unsigned o = 0; o < MEM_ORDERS; o++)
		if (s->free_blocks[o])
			printf("%7u %8s %8lu %8lu\n", o, block_size(size, sizeof(size), o),
			       (unsigned long)s->free_blocks[o],
			       (unsigned long)(s->free_blocks[o] << o));
}

/* free: physical memory as the kernel sees it, then mem's share and its promises. */
/* free [-c]: -c has mem compact its chunks first (MEM_COMPACT), and says how many went back. */
int sh_free(int argc, char **argv)
{
	struct mem_stats s;
	char a[24], b[24];
	uint64_t chunks;

	if (argc > 2 || (argc == 2 && strcmp(argv[1], "-c") != 0)) {
		fprintf(stderr, "sh: free: usage: free [-c]\n");
		return 2;
	}
	if (argc == 2) {
		if (strata_mem_compact(&chunks) != 0)
			return failed("free");
		printf("compacted: %lu chunks given back\n", (unsigned long)chunks);
	}
	if (strata_mem_stats(&s) != 0)
		return failed("free");
	printf("%-8s %10s %10s\n", "", "pages", "MiB");
	printf("%-8s %10lu %10s\n", "total", (unsigned long)s.total_pages,
	       mib(a, sizeof(a), s.total_pages));
	printf("%-8s %10lu %10s\n", "used", (unsigned long)(s.total_pages - s.free_pages),
	       mib(a, sizeof(a), s.total_pages - s.free_pages));
	printf("%-8s %10lu %10s\n", "free", (unsigned long)s.free_pages,
	       mib(a, sizeof(a), s.free_pages));
	printf("%-8s %10lu %10s\n", "swap", (unsigned long)s.swap_total,
	       mib(a, sizeof(a), s.swap_total));
	printf("%-8s %10lu %10s\n", "swapused", (unsigned long)s.swap_used,
	       mib(a, sizeof(a), s.swap_used));
	printf("mem: %lu pages resident in processes, pool %lu pages\n", (unsigned long)s.resident,
	       (unsigned long)s.pool_pages);
	printf("commit: %lu pages (%s MiB) promised of a limit of %lu (%s MiB)\n",
	       (unsigned long)s.committed, mib(a, sizeof(a), s.committed),
	       (unsigned long)s.commit_limit, mib(b, sizeof(b), s.commit_limit));
	printf("pressure: %s (low water %lu pages, went low %lu times)\n",
	       s.pressure ? "LOW" : "normal", (unsigned long)s.low_water,
	       (unsigned long)s.pressure_events);
	free_blocks(&s);
	return 0;
}

static void vm_row(const char *name, uint64_t v, const char *what)
{
	printf("%-14s %10lu  %s\n", name, (unsigned long)v, what);
}

/* One line of `vmstat N`: the state now and the counters' growth per second since prev. */
static void vm_line(const struct mem_stats *s, const struct mem_stats *prev, unsigned secs)
{
	struct fs_stats f = {0};

	strata_fs_stats(&f);
	printf("%8lu %8lu %8lu %8lu %6lu %6lu %8lu %8lu\n", (unsigned long)s->free_pages,
	       (unsigned long)f.cache_pages, (unsigned long)s->resident,
	       (unsigned long)s->swap_used, (unsigned long)((s->page_ins - prev->page_ins) / secs),
	       (unsigned long)((s->page_outs - prev->page_outs) / secs),
	       (unsigned long)((s->faults - prev->faults) / secs),
	       (unsigned long)((s->reclaim_scans - prev->reclaim_scans) / secs));
}

/* vmstat N [COUNT]: a line every N seconds (COUNT of them, or until interrupted). */
static int vm_every(const char *every, const char *count)
{
	char *end;
	unsigned long secs = strtoul(every, &end, 10), n = count ? strtoul(count, 0, 10) : 0;
	struct mem_stats prev, now;

	if (*end || secs == 0 || secs > 3600 || (count && n == 0)) {
		fprintf(stderr, "usage: vmstat [SECONDS [COUNT]]\n");
		return 2;
	}
	if (strata_mem_stats(&prev) != 0)
		return failed("vmstat");
	printf("%8s %8s %8s %8s %6s %6s %8s %8s\n", "free", "cache", "resident", "swapused", "in/s",
	       "out/s", "faults/s", "scans/s");
	for (unsigned long i = 0; !count || i < n; i++) {
		sleep((unsigned)secs);
		if (strata_mem_stats(&now) != 0)
			return failed("vmstat");
		vm_line(&now, &prev, (unsigned)secs);
		fflush(stdout);
		prev = now;
	}
	return 0;
}

/* vmstat: mem's paging counters since boot; vmstat N [COUNT]: their rates, every N seconds. */
int sh_vmstat(int argc, char **argv)
{
	struct mem_stats s;

	if (argc > 1)
		return vm_every(argv[1], argc > 2 ? argv[2] : 0);
	if (strata_mem_stats(&s) != 0)
		return failed("vmstat");
	vm_row("faults", s.faults, "page faults mem served");
	vm_row("zero fills", s.zero_fills, "pages filled with zeros");
	vm_row("file fills", s.file_fills, "pages filled from the initrd");
	vm_row("cow copies", s.cow_copies, "pages copied on a write to a shared page");
	vm_row("cow shared", s.cow_shared, "faults answered with a shared page, read-only");
	vm_row("fault-around", s.around, "extra pages mapped next to a faulting one");
	vm_row("pressure", s.pressure, s.pressure ? "memory is low now" : "memory is not low");
	vm_row("low events", s.pressure_events, "times memory went low");
	vm_row("spaces", s.spaces, "memory spaces (processes mem serves)");
	vm_row("swap", s.swap_total, "pages of swap (0: none)");
	vm_row("swap used", s.swap_used, "pages of swap holding a page");
	vm_row("page-outs", s.page_outs, "pages written to swap");
	vm_row("page-ins", s.page_ins, "pages read back from swap");
	vm_row("swap cached", s.swap_cached, "of those, pages resident too, unwritten since read");
	vm_row("clean drops", s.clean_drops, "pages let go unwritten: swap had them as they were");
	vm_row("reclaim scans", s.reclaim_scans, "pages the replacement policy looked at");
	vm_row("reclaim ahead", s.reclaim_background, "pages freed ahead of demand");
	vm_row("reclaim direct", s.reclaim_direct, "pages freed while a fault or request waited");
	vm_row("write errors", s.swap_write_errors, "swap writes the disk refused");
	vm_row("swap reads", s.swap_read_runs, "reads from swap (a page or a run read around it)");
	vm_row("periods", s.paging_periods, "paging periods (a quarter of memory evicted each)");
	vm_row("thrashing", s.thrash_periods, "of them, periods that thrashed (load control)");
	vm_row("held out", s.swapped_out, "pages written out for processes load control held");
	vm_row("compactions", s.compactions, "times mem moved pages to give chunks back");
	vm_row("compacted", s.compacted, "chunks given back by compaction");
	return 0;
}
