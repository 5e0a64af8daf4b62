/*
 * vmtrace PID FILE [MS]: record the page references of process PID into
 * FILE, in the simulator's trace format (docs/replacement.md: one page
 * number per line, R or W after it), until the process ends. mem records
 * the process's faults and, every MS milliseconds (default 10), which of
 * its pages were referenced (A bits) and written (D bits) since the last
 * look; see user/mem/trace.c. Then build/host/pagesim replays the trace
 * under every policy.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/libc/strata.h"

int main(int argc, char **argv)
{
	static uint64_t rec[MEM_TRACE_RECORDS];
	char *end;
	long pid = argc >= 3 ? strtol(argv[1], &end, 10) : 0;
	long ms = argc == 4 ? strtol(argv[3], 0, 10) : 10;
	struct proc_info info;
	uint64_t vs = pid > 0 && *end == 0 && strata_proc_find((int)pid, &info) == 0 ? info.vs : 0;
	uint64_t lines = 0, lost = 0;

	if (argc < 3 || argc > 4 || pid <= 0 || *end || ms < 1 || ms > 10000) {
		fprintf(stderr, "usage: vmtrace PID FILE [MS]\n");
		return 2;
	}
	if (!vs) {
		fprintf(stderr, "vmtrace: %ld: no such process\n", pid);
		return 1;
	}
	/* Tracing starts before the file exists: whoever waits for the file knows it runs. */
	if (strata_vs_trace(vs) != 0) {
		fprintf(stderr, "vmtrace: %ld: %s\n", pid, strerror(errno));
		return 1;
	}
	FILE *out = fopen(argv[2], "w");
	if (!out) {
		fprintf(stderr, "vmtrace: %s: %s\n", argv[2], strerror(errno));
		strata_vs_trace(0);
		return 1;
	}
	for (;;) {
		int n = strata_vs_trace_read(vs, rec, &lost);
		if (n < 0)
			break; /* the process ended */
		for (int i = 0; i < n; i++)
			fprintf(out, "%llu %c\n", (unsigned long long)(rec[i] >> 1),
				(rec[i] & 1) ? 'W' : 'R');
		lines += (uint64_t)n;
		if (n < MEM_TRACE_RECORDS)
			usleep((useconds_t)ms * 1000);
	}
	strata_vs_trace(0);
	if (fclose(out) != 0) {
		fprintf(stderr, "vmtrace: %s: %s\n", argv[2], strerror(errno));
		return 1;
	}
	printf("vmtrace: %llu references of %ld to %s (%llu lost)\n", (unsigned long long)lines,
	       pid, argv[2], (unsigned long long)lost);
	return 0;
}
