/*
 * Reference traces (vmtrace): the page references of one memory space, as
 * a replacement policy sees them, for the simulator (build/host/pagesim,
 * docs/replacement.md). Two sources: every fault of the traced space (the
 * first touch of a page), and samples of its pages' A and D bits, which
 * MEM_TRACE_READ takes (and clears) each time it is asked: a page whose A
 * bit is set was referenced since the last sample, a D bit says it was
 * written. A sample lists its pages in address order, so between samples
 * the order of references is lost: the sampling period (vmtrace's) is the
 * trace's resolution in time.
 *
 * Records (page number << 1 | written) wait in a ring until read; when it
 * is full the oldest are dropped and counted. One space is traced at a
 * time; everything happens on mem's one thread (the fault path and
 * requests), so nothing needs a lock.
 */
#include "user/mem/mem.h"

#include "lib/user/msgbytes.h"
#include "lib/user/syscall.h"

#define TRACE_CAP 16384

static struct {
	uint64_t vs; /* 0: nobody traced */
	uint32_t head, len;
	uint64_t lost;
	uint64_t rec[TRACE_CAP];
} tr;

static void add(uint64_t va, bool written)
{
	if (tr.len == TRACE_CAP) {
		tr.head = (tr.head + 1) % TRACE_CAP;
		tr.len--;
		tr.lost++;
	}
	tr.rec[(tr.head + tr.len++) % TRACE_CAP] = (va / PAGE) << 1 | written;
}

void trace_fault(const struct vs *v, uint64_t va, unsigned access)
{
	if (tr.vs && tr.vs == v->id)
		add(va, access & PROT_W);
}

static void sampled(void *arg, struct vs *v, uint64_t va, bool written)
{
	(void)arg;
	(void)v;
	add(va, written);
}

/*
 * One sample of v: its own pages only (vs_sample). So mapped files and
 * programs from the page cache appear by their faults alone.
 */
static void sample(struct vs *v)
{
	vs_sample(v, sampled, 0);
}

/* MEM_TRACE: w0 = vs to trace (0: stop) -> 0. Any earlier trace ends. */
static int trace_start(struct msg *m)
{
	struct vs *v = m->w[0] ? vs_find(m->w[0]) : 0;

	if (msg_words(m->tag) != 1)
		return ERR_INVALID;
	if (m->w[0] && !v)
		return ERR_NOENT;
	tr.vs = m->w[0];
	tr.head = tr.len = 0;
	tr.lost = 0;
	if (v)
		sample(v); /* from now on: what was referenced before does not count */
	tr.len = 0;
	*m = (struct msg){.tag = msg_tag(MEM_TRACE, 0, 0)};
	return ERR_OK;
}

/*
 * MEM_TRACE_READ: w0 = the traced vs -> a sample is taken (while the space
 * lives), then w0 = records given, w1 = records lost so far, the records
 * from word 2. Records of a space that ended are still given, until none
 * is left: then ERR_NOENT, and the trace is over.
 */
static int trace_read(struct msg *m)
{
	struct vs *v = vs_find(m->w[0]);
	uint64_t out[MEM_TRACE_RECORDS];
	unsigned n = 0;

	if (msg_words(m->tag) != 1)
		return ERR_INVALID;
	if (!tr.vs || m->w[0] != tr.vs)
		return ERR_NOENT;
	if (v && tr.len < MEM_TRACE_RECORDS)
		sample(v);
	if (!v && !tr.len) {
		tr.vs = 0;
		return ERR_NOENT;
	}
	while (n < MEM_TRACE_RECORDS && tr.len) {
		out[n++] = tr.rec[tr.head];
		tr.head = (tr.head + 1) % TRACE_CAP;
		tr.len--;
	}
	*m = (struct msg){.w = {n, tr.lost}};
	m->tag = msg_tag(MEM_TRACE_READ, msgbytes_put(m, IPCBUF, 2, out, n * sizeof(out[0])), 0);
	return ERR_OK;
}

int trace_request(struct msg *m)
{
	return msg_label(m->tag) == MEM_TRACE ? trace_start(m) : trace_read(m);
}
