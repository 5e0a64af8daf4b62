/*
 * sysbench: benchmarks of the whole system (mem, proc, libc), run as init
 * (`init=sysbench`) under QEMU -icount shift=0,sleep=off on one hart, where
 * the instret counter counts instructions (all modes, every process on the
 * hart). Prints "bench: WHAT: N UNIT" lines; scripts/bench.sh collects them.
 *   - boot to init's main: everything from reset until this program runs
 *     (the shell prints its prompt at the same point);
 *   - fork + exit + wait of a process with 4 MiB touched (copy-on-write:
 *     the child does not touch the memory);
 *   - exec to main of a small program (the target reports the count);
 *   - malloc + touch of 4 MiB, per page (demand-zero through mem);
 *   - user/c/mallocbench, the allocator's figures, run twice: with
 *     Strata's allocator and with picolibc's (mallocbench-picolibc);
 *   - user/c/shmring bench: shared-memory rings against pipes;
 *   - mapped files: the first touch of a page of a 4 MiB file on the disk,
 *     MAP_SHARED (fs pages it) and MAP_PRIVATE (mem maps fs's pages, or
 *     copies them when written), per page, the file's pages in the cache.
 */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdbool.h>
#include <time.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lib/libc/strata.h"

#define PAGE   4096ul
#define MIB4   (4ul << 20)
#define ROUNDS 8

static inline uint64_t instret(void)
{
	uint64_t v;
	__asm__ volatile("csrr %0, instret" : "=r"(v));
	return v;
}

static void report(const char *what, uint64_t total, uint64_t n, const char *unit)
{
	printf("bench: %s: %llu %s\n", what, (unsigned long long)(total / n), unit);
}

static void touch(volatile char *p, size_t n)
{
	for (size_t i = 0; i < n; i += PAGE)
		p[i] = 1;
}

static void bench_malloc_touch(void)
{
	uint64_t t0 = instret();
	char *p = malloc(MIB4);
	if (!p) {
		printf("sysbench: malloc failed\n");
		exit(1);
	}
	touch(p, MIB4);
	report("malloc + touch 4 MiB, per page", instret() - t0, MIB4 / PAGE, "instructions");
	free(p);
}

static void bench_fork(void)
{
	char *p = malloc(MIB4);
	if (!p)
		exit(1);
	touch(p, MIB4);
	uint64_t total = 0;
	for (int i = 0; i < ROUNDS; i++) {
		uint64_t t0 = instret();
		int pid = fork();
		if (pid == 0)
			_exit(0);
		int st;
		if (pid < 0 || waitpid(pid, &st, 0) != pid)
			exit(1);
		total += instret() - t0;
		touch(p, MIB4); /* take back the pages the fork made read-only */
	}
	report("fork + exit + wait, 4 MiB touched", total, ROUNDS, "instructions");
	free(p);
}

static void bench_exec(void)
{
	for (int i = 0; i < ROUNDS; i++) {
		char start[24];
		int pid = fork();
		if (pid == 0) {
			snprintf(start, sizeof(start), "%llu", (unsigned long long)instret());
			char *argv[] = {"sysbench", "exec-target", start, 0};
			execv("sysbench", argv);
			_exit(1);
		}
		int st;
		if (pid < 0 || waitpid(pid, &st, 0) != pid || !WIFEXITED(st) || WEXITSTATUS(st))
			exit(1);
	}
}

/* Run a program from /bin to its end (its figures are its own lines). */
static void run(const char *name, const char *arg)
{
	int pid = fork();
	if (pid == 0) {
		char *argv[] = {(char *)name, (char *)arg, 0};
		execv(name, argv);
		_exit(1);
	}
	int st;
	if (pid < 0 || waitpid(pid, &st, 0) != pid || !WIFEXITED(st) || WEXITSTATUS(st)) {
		printf("sysbench: %s failed\n", name);
		exit(1);
	}
}

/* Map the file fd (4 MiB) with flags and touch every page (a store if write): per page. */
static void bench_map_touch(int fd, int flags, int write, const char *what)
{
	uint64_t total = 0;

	for (int r = 0; r < 2; r++) {
		uint64_t t0 = instret();
		volatile char *p = mmap(0, MIB4, PROT_READ | PROT_WRITE, flags, fd, 0);
		if (p == MAP_FAILED) {
			printf("sysbench: mmap failed\n");
			exit(1);
		}
		for (size_t i = 0; i < MIB4; i += PAGE)
			write ? (void)(p[i] = 1) : (void)p[i];
		total += instret() - t0;
		munmap((void *)p, MIB4);
	}
	report(what, total, 2 * MIB4 / PAGE, "instructions");
}

static void bench_mapped_file(void)
{
	static char page[PAGE];
	int fd = open("/home/sysbench.map", O_RDWR | O_CREAT | O_TRUNC, 0644);

	for (size_t i = 0; fd >= 0 && i < MIB4; i += PAGE)
		if (write(fd, page, PAGE) != (ssize_t)PAGE)
			fd = -1;
	if (fd < 0 || fsync(fd) != 0) {
		printf("sysbench: cannot make the file to map\n");
		exit(1);
	}
	bench_map_touch(fd, MAP_SHARED, 0, "mapped file, MAP_SHARED, first read of a page");
	bench_map_touch(fd, MAP_SHARED, 1, "mapped file, MAP_SHARED, first write of a page");
	bench_map_touch(fd, MAP_PRIVATE, 0, "mapped file, MAP_PRIVATE, first read of a page");
	bench_map_touch(fd, MAP_PRIVATE, 1, "mapped file, MAP_PRIVATE, first write of a page");
	close(fd);
	unlink("/home/sysbench.map");
}

/*
 * sysbench swap: twice what mem holds, written in order and read back, then
 * touched in a scattered order; mem's own instructions per page moved
 * (its serving thread's CPU time: instructions under -icount shift=0; the
 * disk's waits are idle, not counted), every instruction the hart ran
 * (rdinstret: the loop, the kernel, mem, blk, the firmware) per page
 * moved, and, without -icount, pages moved per second of wall time.
 */
static void swap_pass(volatile uint64_t *m, uint64_t n, bool scattered, const char *what)
{
	struct mem_stats s0, s1;
	struct timespec t0, t1;

	strata_mem_stats(&s0);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	uint64_t i0 = instret();
	for (uint64_t i = 0; i < n; i++) {
		uint64_t p = scattered ? (i * 2654435761ull) % n : i;
		m[p * (PAGE / 8)] += p;
	}
	uint64_t i1 = instret();
	clock_gettime(CLOCK_MONOTONIC, &t1);
	strata_mem_stats(&s1);
	uint64_t moved = (s1.page_outs - s0.page_outs) + (s1.page_ins - s0.page_ins);
	int64_t ms = ((int64_t)t1.tv_sec - (int64_t)t0.tv_sec) * 1000 +
		     ((int64_t)t1.tv_nsec - (int64_t)t0.tv_nsec) / 1000000;
	if (!moved)
		return;
	printf("bench: swap, %s, mem per page moved: %llu instructions\n", what,
	       (unsigned long long)((s1.cpu_ns - s0.cpu_ns) / moved));
	/*
	 * Every instruction on the hart (the loop, kernel, mem, blk, firmware),
	 * per page moved. Under -icount shift=0 instret follows the virtual
	 * clock, one instruction a nanosecond, which also runs while the hart
	 * waits in wfi for the disk: the kernel's idle time comes off.
	 */
	uint64_t idle = s1.idle_ns - s0.idle_ns, all = i1 - i0;
	printf("bench: swap, %s, whole system per page moved: %llu instructions\n", what,
	       (unsigned long long)((all > idle ? all - idle : 0) / moved));
	printf("bench: swap, %s, pages moved per second: %llu pages/s\n", what,
	       (unsigned long long)(moved * 1000 / (uint64_t)(ms > 0 ? ms : 1)));
	printf("bench: swap, %s: %llu out, %llu in, %llu without a write, %llu writes, %llu "
	       "reads, %llu faults, %llu scans\n",
	       what, (unsigned long long)(s1.page_outs - s0.page_outs),
	       (unsigned long long)(s1.page_ins - s0.page_ins),
	       (unsigned long long)(s1.clean_drops - s0.clean_drops),
	       (unsigned long long)(s1.swap_write_runs - s0.swap_write_runs),
	       (unsigned long long)(s1.swap_read_runs - s0.swap_read_runs),
	       (unsigned long long)(s1.faults - s0.faults),
	       (unsigned long long)(s1.reclaim_scans - s0.reclaim_scans));
}

static int bench_swap(void)
{
	struct mem_stats s;

	if (strata_mem_stats(&s) != 0 || s.swap_total == 0) {
		printf("sysbench: no swap\n");
		return 1;
	}
	uint64_t n = 2 * (s.commit_limit - s.swap_total);
	volatile uint64_t *m =
	    mmap(0, n * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (m == MAP_FAILED)
		return 1;
	swap_pass(m, n, false, "2 x RAM in order, first touch");
	swap_pass(m, n, false, "2 x RAM in order, again");
	swap_pass(m, n, true, "2 x RAM scattered");
	munmap((void *)m, n * PAGE);
	printf("sysbench: done\n");
	return 0;
}

/*
 * sysbench thrash N: N processes, each cycling CYCLES times over 40% of
 * what mem holds (writing every page, checking the last cycle's), started
 * together; the time until the last one ends, in wall milliseconds, and the
 * pages read back meanwhile. Run with load control on and off
 * (`loadcontrol=off`).
 */
#define CYCLES 6

static void cycle_over(uint64_t n, uint64_t salt)
{
	volatile uint64_t *m =
	    mmap(0, n * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (m == MAP_FAILED)
		_exit(3);
	for (uint64_t v = 1; v <= CYCLES; v++)
		for (uint64_t i = 0; i < n; i++) {
			volatile uint64_t *w = &m[i * (PAGE / 8)];
			if (v > 1 && *w != (salt ^ i) + v - 1)
				_exit(1);
			*w = (salt ^ i) + v;
		}
	_exit(0);
}

static int bench_thrash(int procs)
{
	struct mem_stats s0, s1;
	struct timespec t0, t1;
	int failed = 0, st;

	if (procs < 1 || procs > 16 || strata_mem_stats(&s0) != 0 || s0.swap_total == 0) {
		printf("sysbench: thrash: 1..16 processes, and swap\n");
		return 1;
	}
	uint64_t n = (s0.commit_limit - s0.swap_total) * 2 / 5;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (int c = 0; c < procs; c++)
		if (fork() == 0)
			cycle_over(n, (uint64_t)c << 40);
	for (int c = 0; c < procs; c++)
		failed += wait(&st) < 0 || !WIFEXITED(st) || WEXITSTATUS(st) != 0;
	clock_gettime(CLOCK_MONOTONIC, &t1);
	strata_mem_stats(&s1);
	int64_t ms = ((int64_t)t1.tv_sec - (int64_t)t0.tv_sec) * 1000 +
		     ((int64_t)t1.tv_nsec - (int64_t)t0.tv_nsec) / 1000000;
	const char *lc = s0.load_control ? "on" : "off";
	printf("bench: thrash, %d x 40%% of RAM, %d cycles, load control %s: %lld ms\n", procs,
	       CYCLES, lc, (long long)ms);
	printf("bench: thrash, %d x 40%% of RAM, load control %s: %llu pages in, %llu out\n", procs,
	       lc, (unsigned long long)(s1.page_ins - s0.page_ins),
	       (unsigned long long)(s1.page_outs - s0.page_outs));
	if (failed)
		printf("sysbench: thrash: %d processes failed\n", failed);
	printf("sysbench: done\n");
	return failed != 0;
}

int main(int argc, char **argv)
{
	uint64_t boot = instret();

	if (argc == 2 && strcmp(argv[1], "swap") == 0)
		return bench_swap();
	if (argc == 3 && strcmp(argv[1], "thrash") == 0)
		return bench_thrash(atoi(argv[2]));

	if (argc == 3 && strcmp(argv[1], "exec-target") == 0) {
		uint64_t t0 = strtoull(argv[2], 0, 10);
		printf("bench: exec to main: %llu instructions\n", (unsigned long long)(boot - t0));
		return 0;
	}
	printf("bench: boot to init's main: %llu instructions\n", (unsigned long long)boot);
	bench_malloc_touch();
	bench_fork();
	bench_exec();
	run("mallocbench", NULL);
	run("mallocbench-picolibc", NULL);
	run("shmring", "bench");
	bench_mapped_file();
	printf("sysbench: done\n");
	return 0;
}
