/*
 * Reference traces (MEM_TRACE, vmtrace): what mem records of a process's
 * page references — its faults, and samples of its pages' A/D bits — is
 * exactly what the process did, round by round; and vmtrace writes a
 * process's references to a file in the simulator's format.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lib/libc/strata.h"
#include "user/c/systest/systest.h"

#define PAGE  4096
#define PAGES 8

static uint64_t vs_of(pid_t pid)
{
	struct proc_info p;

	return strata_proc_find(pid, &p) == 0 ? p.vs : 0;
}

/*
 * The child: PAGES pages touched once per round, a round per byte on go:
 * stores in round 0, from the last page down (not a sequential sweep, so
 * each page faults: no fault-around), loads after; a fourth byte lets it
 * end (the last round's sample is taken while it lives).
 */
static void rounds(volatile char *p, int go, int done)
{
	char c;

	for (int r = 0; r < 3 && read(go, &c, 1) == 1; r++) {
		for (int i = PAGES - 1; i >= 0; i--)
			r == 0 ? (void)(p[i * PAGE] = 1) : (void)p[i * PAGE];
		if (write(done, &c, 1) != 1)
			break;
	}
	(void)!read(go, &c, 1);
	_exit(0);
}

/* Records of the traced space for the region's pages: per page, reads and writes seen. */
static bool drain(uint64_t vs, uint64_t base, unsigned reads[PAGES], unsigned writes[PAGES])
{
	static uint64_t rec[MEM_TRACE_RECORDS];
	uint64_t lost;
	int n;

	memset(reads, 0, PAGES * sizeof(reads[0]));
	memset(writes, 0, PAGES * sizeof(writes[0]));
	do {
		n = strata_vs_trace_read(vs, rec, &lost);
		if (n < 0 || lost)
			return false;
		for (int i = 0; i < n; i++) {
			uint64_t page = (rec[i] >> 1) - base / PAGE;
			if (page < PAGES)
				(rec[i] & 1) ? writes[page]++ : reads[page]++;
		}
	} while (n == MEM_TRACE_RECORDS);
	return true;
}

static bool trace_records_rounds(void)
{
	volatile char *p =
	    mmap(0, PAGES * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	int go[2], done[2], st;
	unsigned reads[PAGES], writes[PAGES];
	char c = 'g';

	CHECK(p != MAP_FAILED && pipe(go) == 0 && pipe(done) == 0);
	pid_t pid = fork();
	if (pid == 0)
		rounds(p, go[0], done[1]);
	CHECK(pid > 0);
	uint64_t vs = vs_of(pid);
	CHECK(vs && strata_vs_trace(vs) == 0);
	for (int r = 0; r < 3; r++) {
		CHECK(write(go[1], &c, 1) == 1 && read(done[0], &c, 1) == 1);
		CHECK(drain(vs, (uint64_t)p, reads, writes));
		for (int i = 0; i < PAGES; i++) {
			/* Round 0: the fault and the sample, both W. */
			if (r == 0)
				CHECK(reads[i] == 0 && writes[i] == 2);
			else
				CHECK(reads[i] == 1 &&
				      writes[i] == 0); /* D was cleared by the last sample */
		}
	}
	CHECK(write(go[1], &c, 1) == 1);
	CHECK(waitpid(pid, &st, 0) == pid && WIFEXITED(st) && WEXITSTATUS(st) == 0);
	static uint64_t rec[MEM_TRACE_RECORDS];
	uint64_t lost;
	while (strata_vs_trace_read(vs, rec, &lost) > 0)
		; /* what its last moments left */
	CHECK(strata_vs_trace_read(vs, rec, &lost) == -1 && errno == ENOENT); /* it ended */
	CHECK(strata_vs_trace(0) == 0);
	CHECK(strata_vs_trace(1ull << 40) == -1 && errno == ENOENT);
	CHECK(munmap((void *)p, PAGES * PAGE) == 0);
	return true;
}

/* vmtrace PID FILE: a file in the simulator's format with every page the process touched. */
static bool vmtrace_writes_file(void)
{
	volatile char *p =
	    mmap(0, PAGES * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	int go[2], done[2], st;
	char name[48], pidtext[16], c = 'g', line[64];
	struct stat sb;
	unsigned seen[PAGES] = {0};

	snprintf(name, sizeof(name), "/tmp/vmtrace-%d.trace", getpid());
	CHECK(p != MAP_FAILED && pipe(go) == 0 && pipe(done) == 0);
	pid_t pid = fork();
	if (pid == 0)
		rounds(p, go[0], done[1]);
	CHECK(pid > 0);
	snprintf(pidtext, sizeof(pidtext), "%d", (int)pid);
	pid_t tracer = fork();
	if (tracer == 0) {
		char *argv[] = {"/bin/vmtrace", pidtext, name, "5", 0};
		execv(argv[0], argv);
		_exit(127);
	}
	CHECK(tracer > 0);
	for (int i = 0; i < 2000 && stat(name, &sb) != 0; i++)
		usleep(1000); /* the file appears once the trace runs */
	CHECK(stat(name, &sb) == 0);
	for (int r = 0; r < 3; r++)
		CHECK(write(go[1], &c, 1) == 1 && read(done[0], &c, 1) == 1);
	CHECK(write(go[1], &c, 1) == 1);
	CHECK(waitpid(pid, &st, 0) == pid && WIFEXITED(st) && WEXITSTATUS(st) == 0);
	CHECK(waitpid(tracer, &st, 0) == tracer && WIFEXITED(st) && WEXITSTATUS(st) == 0);
	FILE *f = fopen(name, "r");
	CHECK(f);
	unsigned long lines = 0;
	while (fgets(line, sizeof(line), f)) {
		char *end;
		uint64_t page = strtoull(line, &end, 10);
		CHECK(end != line && end[0] == ' ' && (end[1] == 'R' || end[1] == 'W'));
		CHECK(end[2] == '\n');
		page -= (uint64_t)p / PAGE;
		if (page < PAGES)
			seen[page]++;
		lines++;
	}
	CHECK(fclose(f) == 0 && unlink(name) == 0);
	for (int i = 0; i < PAGES; i++)
		CHECK(seen[i] >= 1); /* at least its fault */
	CHECK(lines >= PAGES);
	CHECK(munmap((void *)p, PAGES * PAGE) == 0);
	return true;
}

const struct systest trace_tests[] = {
    {"trace_records_rounds", trace_records_rounds},
    {"vmtrace_writes_file", vmtrace_writes_file},
    {0, 0},
};
