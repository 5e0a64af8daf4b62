/*
 * pagesim: page replacement policies (lib/replace.c, the code mem is to
 * use) run over a reference trace at a given number of frames.
 *
 *   pagesim --frames N --policy NAME[,NAME...] [--tick K] [--tau T] TRACE
 *
 * TRACE is a file (or - for standard input; NAME.gz is read through
 * gzip -dc) with one reference per line: a page number, decimal or 0x hex,
 * optionally followed by R or W (a read if absent); blank lines and lines
 * starting with # are skipped. Each policy prints `NAME FAULTS`; then one
 * line gives each policy's faults as a ratio to OPT's. R bits are sampled
 * every K references (default 100; nru, nfu, aging, ws); ws and wsclock
 * keep the pages used in the last T references (default 1000).
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/replace.h"

struct trace {
	uint64_t *page, *next; /* next[i]: the reference after i to the same page, or RP_NONE */
	bool *write;
	size_t n, cap;
};

static void die(const char *what)
{
	fprintf(stderr, "pagesim: %s\n", what);
	exit(2);
}

static void add(struct trace *t, uint64_t page, bool write)
{
	if (t->n == t->cap) {
		t->cap = t->cap ? 2 * t->cap : 4096;
		t->page = realloc(t->page, t->cap * sizeof(*t->page));
		t->write = realloc(t->write, t->cap * sizeof(*t->write));
		if (!t->page || !t->write)
			die("out of memory");
	}
	t->page[t->n] = page;
	t->write[t->n++] = write;
}

static void read_trace(const char *path, struct trace *t)
{
	size_t len = strlen(path);
	bool gz = len > 3 && strcmp(path + len - 3, ".gz") == 0;
	char cmd[4200], line[256];
	FILE *f;

	if (gz) {
		if (len > 4000 || strchr(path, '\''))
			die("a .gz trace's name must be plain");
		snprintf(cmd, sizeof(cmd), "gzip -dc '%s'", path);
		f = popen(cmd, "r");
	} else {
		f = strcmp(path, "-") == 0 ? stdin : fopen(path, "r");
	}
	if (!f) {
		fprintf(stderr, "pagesim: %s: %s\n", path, strerror(errno));
		exit(2);
	}
	for (unsigned long no = 1; fgets(line, sizeof(line), f); no++) {
		uint64_t page;
		bool write;
		size_t n = strcspn(line, "\n");
		enum rp_line what = rp_parse_line(line, n, &page, &write);
		if (what == RP_LINE_BAD || (n == sizeof(line) - 1 && line[n] != '\n')) {
			fprintf(stderr, "pagesim: %s:%lu: not a page number with R or W\n", path,
				no);
			exit(2);
		}
		if (what == RP_LINE_REF)
			add(t, page, write);
	}
	if (gz ? pclose(f) != 0 : (f != stdin && fclose(f) != 0))
		die("the trace could not be read to its end");
}

/* next[i] for every reference, from the end backwards with a hash of pages seen. */
static void link_next(struct trace *t)
{
	size_t cap = 16;
	while (cap < 2 * t->n)
		cap *= 2;
	uint64_t *keys = malloc(cap * sizeof(*keys)), *at = malloc(cap * sizeof(*at));
	t->next = malloc((t->n ? t->n : 1) * sizeof(*t->next));
	if (!keys || !at || !t->next)
		die("out of memory");
	for (size_t i = 0; i < cap; i++)
		keys[i] = RP_NONE;
	for (size_t i = t->n; i-- > 0;) {
		size_t h = (size_t)((t->page[i] * 0x9e3779b97f4a7c15ull) >> 20) & (cap - 1);
		while (keys[h] != RP_NONE && keys[h] != t->page[i])
			h = (h + 1) & (cap - 1);
		t->next[i] = keys[h] == RP_NONE ? RP_NONE : at[h];
		keys[h] = t->page[i];
		at[h] = i;
	}
	free(keys);
	free(at);
}

static uint64_t run(const struct trace *t, enum rp_kind k, unsigned frames, uint64_t tick,
		    uint64_t tau)
{
	unsigned cap = 2;
	while (cap < 2 * frames)
		cap *= 2;
	struct rp_frame *f = calloc(frames, sizeof(*f));
	uint32_t *index = calloc(cap, sizeof(*index));
	struct rp_set s;

	if (!f || !index)
		die("out of memory");
	rp_init(&s, k, f, frames, index, cap, tau);
	for (size_t i = 0; i < t->n; i++) {
		rp_reference(&s, t->page[i], t->write[i], t->next[i]);
		if ((i + 1) % tick == 0)
			rp_tick(&s);
	}
	free(f);
	free(index);
	return s.faults;
}

static unsigned long number(const char *s, const char *what)
{
	char *end;
	unsigned long v = strtoul(s, &end, 10);
	if (end == s || *end || v == 0) {
		fprintf(stderr, "pagesim: %s must be a positive number\n", what);
		exit(2);
	}
	return v;
}

int main(int argc, char **argv)
{
	unsigned long frames = 0, tick = 100, tau = 1000;
	const char *policies = NULL, *path = NULL;
	int kinds[RP_KINDS * 4], nk = 0;

	for (int i = 1; i < argc; i++) {
		if (i + 1 < argc && strcmp(argv[i], "--frames") == 0)
			frames = number(argv[++i], "--frames");
		else if (i + 1 < argc && strcmp(argv[i], "--policy") == 0)
			policies = argv[++i];
		else if (i + 1 < argc && strcmp(argv[i], "--tick") == 0)
			tick = number(argv[++i], "--tick");
		else if (i + 1 < argc && strcmp(argv[i], "--tau") == 0)
			tau = number(argv[++i], "--tau");
		else if (!path && (argv[i][0] != '-' || strcmp(argv[i], "-") == 0))
			path = argv[i];
		else
			path = NULL, i = argc; /* usage */
	}
	if (!frames || !policies || !path || frames > (1ul << 24)) {
		fprintf(stderr, "usage: pagesim --frames N --policy NAME[,NAME...] [--tick K] "
				"[--tau T] TRACE\npolicies:");
		for (int k = 0; k < RP_KINDS; k++)
			fprintf(stderr, " %s", rp_name(k));
		fprintf(stderr, "\n");
		return 2;
	}
	for (const char *p = policies; *p && nk < RP_KINDS * 4;) {
		char name[16];
		size_t n = strcspn(p, ",");
		if (n == 0 || n >= sizeof(name))
			die("--policy: a name is empty or too long");
		memcpy(name, p, n);
		name[n] = 0;
		int k = rp_by_name(name);
		if (k < 0) {
			fprintf(stderr, "pagesim: no policy %s\n", name);
			return 2;
		}
		kinds[nk++] = k;
		p += n + (p[n] == ',');
	}
	struct trace t = {0};
	read_trace(path, &t);
	link_next(&t);
	uint64_t faults[RP_KINDS * 4], opt = run(&t, RP_OPT, (unsigned)frames, tick, tau);
	for (int i = 0; i < nk; i++) {
		faults[i] = run(&t, kinds[i], (unsigned)frames, tick, tau);
		printf("%s %llu\n", rp_name(kinds[i]), (unsigned long long)faults[i]);
	}
	printf("ratio to opt (%llu):", (unsigned long long)opt);
	for (int i = 0; i < nk; i++)
		printf(" %s %.3f", rp_name(kinds[i]), opt ? (double)faults[i] / (double)opt : 1.0);
	printf("\n");
	return 0;
}
