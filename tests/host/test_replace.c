/* Host tests for lib/replace.c: textbook reference strings, Belady's anomaly, invariants. */
#include "lib/replace.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/host/check.h"

#define MAXF 64

/* Faults of policy k over refs[0..n) with frames frames, a tick every `tick` references. */
static uint64_t faults(enum rp_kind k, const uint64_t *refs, const bool *writes, size_t n,
		       unsigned frames, unsigned tick)
{
	static struct rp_frame f[MAXF];
	static uint32_t index[4 * MAXF];
	struct rp_set s;

	rp_init(&s, k, f, frames, index, 4 * MAXF, 8);
	for (size_t i = 0; i < n; i++) {
		uint64_t next = RP_NONE;
		for (size_t j = i + 1; j < n && next == RP_NONE; j++)
			if (refs[j] == refs[i])
				next = j;
		rp_reference(&s, refs[i], writes && writes[i], next);
		if (tick && (i + 1) % tick == 0)
			rp_tick(&s);
	}
	return s.faults;
}

static void textbook_string(void)
{
	static const uint64_t r[] = {7, 0, 1, 2, 0, 3, 0, 4, 2, 3, 0, 3, 2, 1, 2, 0, 1, 7, 0, 1};
	const size_t n = sizeof(r) / sizeof(r[0]);

	CHECK(faults(RP_FIFO, r, NULL, n, 3, 0) == 15);
	CHECK(faults(RP_LRU, r, NULL, n, 3, 0) == 12);
	CHECK(faults(RP_OPT, r, NULL, n, 3, 0) == 9);
	CHECK(faults(RP_FIFO, r, NULL, n, 4, 0) == 10);
	CHECK(faults(RP_LRU, r, NULL, n, 4, 0) == 8);
	CHECK(faults(RP_OPT, r, NULL, n, 4, 0) == 8);
}

/* FIFO faults more with 4 frames than with 3 on the classic string; LRU and OPT never do. */
static void belady_anomaly(void)
{
	static const uint64_t r[] = {1, 2, 3, 4, 1, 2, 5, 1, 2, 3, 4, 5};
	const size_t n = sizeof(r) / sizeof(r[0]);

	CHECK(faults(RP_FIFO, r, NULL, n, 3, 0) == 9);
	CHECK(faults(RP_FIFO, r, NULL, n, 4, 0) == 10);
	CHECK(faults(RP_LRU, r, NULL, n, 3, 0) == 10 && faults(RP_LRU, r, NULL, n, 4, 0) == 8);
	CHECK(faults(RP_OPT, r, NULL, n, 3, 0) == 7 && faults(RP_OPT, r, NULL, n, 4, 0) == 6);
}

/* Aging keeps the page used on recent ticks where FIFO drops it. */
static void aging_by_hand(void)
{
	static const uint64_t r[] = {1, 2, 1, 3, 1};

	CHECK(faults(RP_AGING, r, NULL, 5, 2, 1) == 3);
	CHECK(faults(RP_NFU, r, NULL, 5, 2, 1) == 3);
	CHECK(faults(RP_FIFO, r, NULL, 5, 2, 1) == 4);
}

/* NRU takes a clean page before a dirty one of the same R class. */
static void nru_prefers_clean(void)
{
	static const uint64_t r[] = {1, 2, 3, 1};
	static const bool w[] = {true, false, false, false};

	/* After the tick R is clear on both: 1 is dirty, 2 clean -> 3 replaces 2, and 1 hits. */
	CHECK(faults(RP_NRU, r, w, 4, 2, 2) == 3);
}

static void names(void)
{
	for (int k = 0; k < RP_KINDS; k++)
		CHECK(rp_by_name(rp_name(k)) == k);
	CHECK(rp_by_name("lru2") == -1 && rp_by_name("") == -1 && rp_by_name("LRU") == -1);
}

/* On random traces: OPT is least, every policy faults at least once per page, never twice with
 * room. */
static void random_invariants(void)
{
	enum { N = 600 };
	static uint64_t r[N];
	static bool w[N];

	srand(5);
	for (int round = 0; round < 30; round++) {
		unsigned pages = 2 + (unsigned)rand() % 40, distinct = 0;
		bool seen[64] = {false};
		for (int i = 0; i < N; i++) {
			/* Some locality: mostly near the last page. */
			r[i] = rand() % 4 ? (i ? (r[i - 1] + (unsigned)rand() % 3) % pages : 0)
					  : (unsigned)rand() % pages;
			w[i] = rand() % 3 == 0;
			distinct += !seen[r[i]];
			seen[r[i]] = true;
		}
		unsigned frames = 1 + (unsigned)rand() % 12;
		uint64_t opt = faults(RP_OPT, r, w, N, frames, 16);
		for (int k = 0; k < RP_KINDS; k++) {
			uint64_t f = faults(k, r, w, N, frames, 16);
			CHECK(f >= opt && f >= distinct && f <= N);
			CHECK(faults(k, r, w, N, 48, 16) == distinct); /* room for all */
		}
		CHECK(faults(RP_SECOND, r, w, N, frames, 16) ==
		      faults(RP_CLOCK, r, w, N, frames, 16));
		CHECK(faults(RP_LRU, r, w, N, frames + 1, 16) <=
		      faults(RP_LRU, r, w, N, frames, 16));
		CHECK(faults(RP_OPT, r, w, N, frames + 1, 16) <= opt);
	}
}

/* Faults of policy k over refs[0..n), the next use of each reference given (next[i]). */
static uint64_t faults_next(enum rp_kind k, const uint64_t *refs, const bool *writes,
			    const uint64_t *next, size_t n, unsigned frames)
{
	static struct rp_frame f[MAXF];
	static uint32_t index[4 * MAXF];
	struct rp_set s;

	rp_init(&s, k, f, frames, index, 4 * MAXF, 8);
	for (size_t i = 0; i < n; i++) {
		rp_reference(&s, refs[i], writes[i], next[i]);
		if ((i + 1) % 16 == 0)
			rp_tick(&s);
	}
	return s.faults;
}

/*
 * Traces recorded from real programs on Strata (vmtrace, tests/data/traces):
 * they parse, and every policy keeps the invariants on them — OPT is the
 * least at every size, nobody faults less than the pages touched, LRU
 * never does worse with a frame more.
 */
static void recorded_traces(void)
{
	static const char *const files[] = {"tests/data/traces/mallocbench.trace",
					    "tests/data/traces/grep.trace"};
	enum { N = 8192 };
	static uint64_t refs[N], next[N];
	static bool writes[N];
	static const unsigned sizes[] = {4, 16, 63};

	for (size_t t = 0; t < sizeof(files) / sizeof(files[0]); t++) {
		FILE *f = fopen(files[t], "r");
		char line[128];
		size_t n = 0, distinct = 0, writes_seen = 0;
		CHECK(f != NULL);
		if (!f)
			continue;
		while (fgets(line, sizeof(line), f) && n < N) {
			unsigned long len = (unsigned long)strcspn(line, "\n");
			enum rp_line r = rp_parse_line(line, len, &refs[n], &writes[n]);
			CHECK(r != RP_LINE_BAD);
			if (r == RP_LINE_REF)
				writes_seen += writes[n], n++;
		}
		fclose(f);
		CHECK(n > 100 && n < N && writes_seen > 0);
		for (size_t i = 0; i < n; i++) {
			next[i] = RP_NONE;
			bool first = true;
			for (size_t j = 0; j < i && first; j++)
				first = refs[j] != refs[i];
			distinct += first;
			for (size_t j = i + 1; j < n && next[i] == RP_NONE; j++)
				if (refs[j] == refs[i])
					next[i] = j;
		}
		for (size_t z = 0; z < sizeof(sizes) / sizeof(sizes[0]); z++) {
			uint64_t opt = faults_next(RP_OPT, refs, writes, next, n, sizes[z]);
			for (int k = 0; k < RP_KINDS; k++) {
				uint64_t got = faults_next(k, refs, writes, next, n, sizes[z]);
				CHECK(got >= opt && got >= distinct && got <= n);
			}
			CHECK(faults_next(RP_LRU, refs, writes, next, n, sizes[z] + 1) <=
			      faults_next(RP_LRU, refs, writes, next, n, sizes[z]));
		}
	}
}

/*
 * The system's use (mem): pages added and removed at will, the victim
 * asked for apart. Against a model of FIFO and LRU (oldest arrival, oldest
 * use among the resident pages), and for every policy: the victim is
 * resident, removed pages are never chosen, the frame count holds.
 */
/* The victim a scan of every frame finds: the smallest key, the lowest frame among equals. */
static uint64_t scan_victim(const struct rp_set *s)
{
	int best = -1;
	uint64_t bk = 0;

	for (unsigned i = 0; i < s->used; i++) {
		const struct rp_frame *f = &s->f[i];
		if (f->page == RP_NONE)
			continue;
		uint64_t k = s->kind == RP_FIFO	 ? f->loaded
			     : s->kind == RP_NRU ? (uint64_t)f->r * 2 + f->m
			     : s->kind == RP_LRU ? f->last
						 : f->count;
		bool later = best >= 0 && f->deferred != s->f[best].deferred ? f->deferred
			     : best >= 0				     ? k >= bk
									     : false;
		if (best < 0 || !later) {
			best = (int)i;
			bk = k;
		}
	}
	return best < 0 ? RP_NONE : s->f[best].page;
}

/*
 * The policies that give up the smallest key keep a heap: after every
 * step of a random drive (pages in, out, marked, ticks), its victim is the
 * one a scan of the frames finds.
 */
static void heap_matches_scan(void)
{
	static struct rp_frame f[MAXF];
	static uint32_t index[4 * MAXF];
	static const enum rp_kind kinds[] = {RP_FIFO, RP_NRU, RP_LRU, RP_NFU, RP_AGING};

	for (size_t k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++) {
		struct rp_set s;
		bool in[128] = {false};
		srand(11 + (unsigned)k);
		rp_init(&s, kinds[k], f, MAXF, index, 4 * MAXF, 8);
		for (int step = 0; step < 50000; step++) {
			uint64_t page = (uint64_t)(rand() % 128), victim = RP_NONE;
			int op = rand() % 16;
			if (op < 5 && !in[page])
				in[page] = rp_add(&s, page, op == 0);
			else if (op < 11 && in[page])
				rp_mark(&s, page, op == 5);
			else if (op < 14 && in[page])
				rp_remove(&s, page), in[page] = false;
			else if (op == 14)
				rp_tick(&s);
			else if (op == 15 && in[page])
				rand() % 2 ? rp_defer(&s, page) : rp_undefer(&s, page);
			if (!rp_victim(&s, &victim))
				victim = RP_NONE;
			CHECK(victim == scan_victim(&s));
		}
	}
}

static void added_and_removed(void)
{
	static struct rp_frame f[MAXF];
	static uint32_t index[4 * MAXF];
	uint64_t arrived[256], used[256], clock = 0;
	bool in[256];

	for (int k = RP_FIFO; k < RP_KINDS; k++) {
		struct rp_set s;
		uint64_t victim;
		unsigned live = 0;
		srand(7 + (unsigned)k);
		memset(in, 0, sizeof(in));
		rp_init(&s, (enum rp_kind)k, f, 32, index, 4 * MAXF, 8);
		for (int step = 0; step < 20000; step++) {
			uint64_t page = (uint64_t)(rand() % 256);
			int op = rand() % 8;
			clock++;
			if (op < 3 && !in[page]) {
				bool added = rp_add(&s, page, op == 1);
				CHECK(added == (live < 32));
				if (added) {
					in[page] = true, live++;
					arrived[page] = used[page] = clock;
				}
			} else if (op < 5 && in[page]) {
				rp_mark(&s, page, op == 4);
				used[page] = clock;
			} else if (op == 5) {
				rp_remove(&s, page); /* resident or not */
				live -= in[page];
				in[page] = false;
			} else if (op == 6 && rp_victim(&s, &victim)) {
				CHECK(victim < 256 && in[victim]);
				uint64_t oldest = RP_NONE, lru = RP_NONE;
				for (unsigned p = 0; p < 256; p++) {
					if (in[p] &&
					    (oldest == RP_NONE || arrived[p] < arrived[oldest]))
						oldest = p;
					if (in[p] && (lru == RP_NONE || used[p] < used[lru]))
						lru = p;
				}
				if (k == RP_FIFO)
					CHECK(victim == oldest);
				if (k == RP_LRU)
					CHECK(victim == lru);
				rp_remove(&s, victim);
				in[victim] = false, live--;
			} else if (op == 7) {
				rp_tick(&s);
			}
			CHECK(s.live == live);
			CHECK(rp_resident(&s, page) == in[page]);
		}
		while (rp_victim(&s, &victim)) {
			CHECK(in[victim]);
			rp_remove(&s, victim);
			in[victim] = false, live--;
		}
		CHECK(live == 0);
	}
}

int main(void)
{
	check_suite = "replace";
	RUN(textbook_string);
	RUN(belady_anomaly);
	RUN(aging_by_hand);
	RUN(nru_prefers_clean);
	RUN(names);
	RUN(random_invariants);
	RUN(recorded_traces);
	RUN(added_and_removed);
	RUN(heap_matches_scan);
	return check_done();
}
