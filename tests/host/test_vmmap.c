/* Host tests for lib/vmmap.c: order, edges, splitting, gaps, and a brute-force model. */
#include "lib/vmmap.h"

#include <stdlib.h>

#include "lib/error.h"
#include "lib/str.h"
#include "tests/host/check.h"

#define P VMMAP_PAGE

static struct vm_mapping mk(uint64_t va, uint64_t len, unsigned kind)
{
	return (struct vm_mapping){.va = va, .len = len, .prot = 3, .kind = kind};
}

static struct vm_mapping mk_file(uint64_t va, uint64_t len, uint64_t off, uint64_t size)
{
	return (struct vm_mapping){
	    .va = va, .len = len, .file_off = off, .file_size = size, .prot = 5, .kind = 1};
}

/* Do m's mappings start and end at expect[2 * i], expect[2 * i + 1] (page numbers)? */
static int same(const struct vmmap *m, unsigned n, const uint64_t *expect)
{
	if (m->n != n)
		return 0;
	for (unsigned i = 0; i < n; i++)
		if (m->map[i].va != expect[2 * i] * P ||
		    m->map[i].va + m->map[i].len != expect[2 * i + 1] * P)
			return 0;
	return 1;
}

static void add_keeps_order_and_finds(void)
{
	struct vm_mapping st[8];
	struct vmmap m;
	vmmap_init(&m, st, 8);

	struct vm_mapping a = mk(0x30 * P, 4 * P, 0), b = mk(0x10 * P, 2 * P, 1),
			  c = mk(0x20 * P, 1 * P, 2);
	CHECK(vmmap_add(&m, &a) == ERR_OK);
	CHECK(vmmap_add(&m, &b) == ERR_OK);
	CHECK(vmmap_add(&m, &c) == ERR_OK);
	CHECK(same(&m, 3, (uint64_t[]){0x10, 0x12, 0x20, 0x21, 0x30, 0x34}));
	CHECK(vmmap_find(&m, 0x10 * P)->kind == 1);
	CHECK(vmmap_find(&m, 0x12 * P - 1)->kind == 1);
	CHECK(vmmap_find(&m, 0x12 * P) == NULL); /* the end is exclusive */
	CHECK(vmmap_find(&m, 0x10 * P - 1) == NULL);
	CHECK(vmmap_find(&m, 0x20 * P + 5)->kind == 2);
	CHECK(vmmap_find(&m, 0x33 * P)->kind == 0);
	CHECK(vmmap_find(&m, 0x34 * P) == NULL);
	CHECK(vmmap_find(&m, 0) == NULL);
	CHECK(vmmap_find(&m, UINT64_MAX) == NULL);
}

static void bad_adds_refused_unchanged(void)
{
	struct vm_mapping st[3];
	struct vmmap m;
	vmmap_init(&m, st, 3);
	struct vm_mapping a = mk(0x10 * P, 0x10 * P, 0);
	CHECK(vmmap_add(&m, &a) == ERR_OK);

	struct vm_mapping r = mk(0x1001, P, 0);
	CHECK(vmmap_add(&m, &r) == ERR_ALIGN);
	r = mk(P, P + 1, 0);
	CHECK(vmmap_add(&m, &r) == ERR_ALIGN);
	r = mk(P, 0, 0);
	CHECK(vmmap_add(&m, &r) == ERR_INVALID);
	r = mk(UINT64_MAX - P + 1, P, 0); /* ends at 2^64: wraps */
	CHECK(vmmap_add(&m, &r) == ERR_RANGE);
	r = mk(0xf * P, 2 * P, 0); /* meets the start */
	CHECK(vmmap_add(&m, &r) == ERR_EXISTS);
	r = mk(0x1f * P, 2 * P, 0); /* meets the end */
	CHECK(vmmap_add(&m, &r) == ERR_EXISTS);
	r = mk(0x11 * P, P, 0); /* inside */
	CHECK(vmmap_add(&m, &r) == ERR_EXISTS);
	r = mk(0, 0x100 * P, 0); /* covering */
	CHECK(vmmap_add(&m, &r) == ERR_EXISTS);
	CHECK(same(&m, 1, (uint64_t[]){0x10, 0x20}));
	r = mk(0x20 * P, P, 0); /* touching above is fine */
	CHECK(vmmap_add(&m, &r) == ERR_OK);
	r = mk(0xf * P, P, 0); /* touching below too */
	CHECK(vmmap_add(&m, &r) == ERR_OK);
	r = mk(0x40 * P, P, 0);
	CHECK(vmmap_add(&m, &r) == ERR_FULL);
	CHECK(same(&m, 3, (uint64_t[]){0xf, 0x10, 0x10, 0x20, 0x20, 0x21}));
}

static void overlaps_at_the_edges(void)
{
	struct vm_mapping st[4];
	struct vmmap m;
	vmmap_init(&m, st, 4);
	struct vm_mapping a = mk(0x10 * P, 4 * P, 0), b = mk(0x20 * P, P, 0);
	CHECK(vmmap_add(&m, &a) == ERR_OK && vmmap_add(&m, &b) == ERR_OK);

	CHECK(!vmmap_overlaps(&m, 0xc * P, 4 * P));    /* ends where a starts */
	CHECK(vmmap_overlaps(&m, 0xc * P, 5 * P));     /* a's first page */
	CHECK(vmmap_overlaps(&m, 0x13 * P, P));	       /* a's last page */
	CHECK(!vmmap_overlaps(&m, 0x14 * P, 0xc * P)); /* from a's end to b's start */
	CHECK(vmmap_overlaps(&m, 0x14 * P, 0xd * P));
	CHECK(vmmap_overlaps(&m, 0, 0x100 * P));	  /* covering both */
	CHECK(vmmap_overlaps(&m, 0x11 * P, P));		  /* inside */
	CHECK(!vmmap_overlaps(&m, 0x11 * P, 0));	  /* empty */
	CHECK(!vmmap_overlaps(&m, 0x21 * P, UINT64_MAX)); /* past the last, to the top */
	CHECK(vmmap_overlaps(&m, 0x20 * P, UINT64_MAX));
}

static void remove_middle_splits_the_file(void)
{
	struct vm_mapping st[4];
	struct vmmap m;
	vmmap_init(&m, st, 4);
	struct vm_mapping f = mk_file(0x10 * P, 8 * P, 0x100, 5 * P + 0x800);
	CHECK(vmmap_add(&m, &f) == ERR_OK);

	CHECK(vmmap_split_slots(&m, 0x12 * P, P) == 1);
	CHECK(vmmap_remove(&m, 0x12 * P, P) == ERR_OK);
	CHECK(same(&m, 2, (uint64_t[]){0x10, 0x12, 0x13, 0x18}));
	CHECK(m.map[0].file_off == 0x100 && m.map[0].file_size == 5 * P + 0x800);
	CHECK(m.map[1].file_off == 0x100 + 3 * P && m.map[1].file_size == 2 * P + 0x800);
	CHECK(m.map[1].prot == 5 && m.map[1].kind == 1);
	/* Past the file's bytes: the high part is all zeros. */
	CHECK(vmmap_remove(&m, 0x13 * P, 3 * P) == ERR_OK);
	CHECK(same(&m, 2, (uint64_t[]){0x10, 0x12, 0x16, 0x18}));
	CHECK(m.map[1].file_off == 0x100 + 6 * P && m.map[1].file_size == 0);
	/* Any byte of a page cut away is gone from the file size. */
	struct vm_mapping g = mk_file(0x20 * P, 4 * P, 0, P + 1);
	CHECK(vmmap_add(&m, &g) == ERR_OK);
	CHECK(vmmap_remove(&m, 0x20 * P, P) == ERR_OK);
	CHECK(m.map[2].va == 0x21 * P && m.map[2].file_off == P && m.map[2].file_size == 1);
}

static void remove_covering_several(void)
{
	struct vm_mapping st[8];
	struct vmmap m;
	vmmap_init(&m, st, 8);
	struct vm_mapping a = mk(0x10 * P, 4 * P, 0), b = mk(0x18 * P, 2 * P, 1),
			  c = mk_file(0x1c * P, 4 * P, 0x1000, 4 * P), d = mk(0x30 * P, P, 3);
	CHECK(vmmap_add(&m, &a) == ERR_OK && vmmap_add(&m, &b) == ERR_OK);
	CHECK(vmmap_add(&m, &c) == ERR_OK && vmmap_add(&m, &d) == ERR_OK);

	CHECK(vmmap_split_slots(&m, 0x12 * P, 0xc * P) == 0);
	CHECK(vmmap_pages_in(&m, 0x12 * P, 0xc * P) == 2 + 2 + 2);
	/* a's tail, all of b, c's head; d untouched */
	CHECK(vmmap_remove(&m, 0x12 * P, 0xc * P) == ERR_OK);
	CHECK(same(&m, 3, (uint64_t[]){0x10, 0x12, 0x1e, 0x20, 0x30, 0x31}));
	CHECK(m.map[0].kind == 0 && m.map[1].kind == 1 && m.map[2].kind == 3);
	CHECK(m.map[1].file_off == 0x1000 + 2 * P && m.map[1].file_size == 2 * P);
	CHECK(vmmap_remove(&m, 0, 0x100 * P) == ERR_OK);
	CHECK(m.n == 0);
}

static void remove_exact_and_nothing(void)
{
	struct vm_mapping st[4];
	struct vmmap m;
	vmmap_init(&m, st, 4);
	struct vm_mapping a = mk(0x10 * P, 2 * P, 0), b = mk(0x12 * P, 2 * P, 1),
			  c = mk(0x14 * P, 2 * P, 2);
	CHECK(vmmap_add(&m, &a) == ERR_OK && vmmap_add(&m, &b) == ERR_OK);
	CHECK(vmmap_add(&m, &c) == ERR_OK);

	CHECK(vmmap_split_slots(&m, 0x12 * P, 2 * P) == 0);
	CHECK(vmmap_remove(&m, 0x12 * P, 2 * P) == ERR_OK); /* exactly b */
	CHECK(same(&m, 2, (uint64_t[]){0x10, 0x12, 0x14, 0x16}));
	CHECK(m.map[0].kind == 0 && m.map[1].kind == 2);
	CHECK(vmmap_remove(&m, 0x12 * P, 2 * P) == ERR_OK); /* nothing there now */
	CHECK(vmmap_remove(&m, 0x100 * P, 8 * P) == ERR_OK);
	CHECK(vmmap_remove(&m, 0x11 * P, 0) == ERR_OK); /* empty range inside a */
	CHECK(same(&m, 2, (uint64_t[]){0x10, 0x12, 0x14, 0x16}));
	CHECK(vmmap_remove(&m, 0x11 * P + 1, P) == ERR_ALIGN);
	CHECK(vmmap_remove(&m, 0x11 * P, 1) == ERR_ALIGN);
	CHECK(vmmap_remove(&m, 0x11 * P, UINT64_MAX - P + 1) == ERR_RANGE);
	CHECK(same(&m, 2, (uint64_t[]){0x10, 0x12, 0x14, 0x16}));
}

static void full_storage_refuses_only_a_split(void)
{
	struct vm_mapping st[2];
	struct vmmap m;
	vmmap_init(&m, st, 2);
	struct vm_mapping a = mk(0x10 * P, 4 * P, 0), b = mk(0x20 * P, 4 * P, 1);
	CHECK(vmmap_add(&m, &a) == ERR_OK && vmmap_add(&m, &b) == ERR_OK);

	CHECK(vmmap_remove(&m, 0x11 * P, P) == ERR_FULL);
	CHECK(same(&m, 2, (uint64_t[]){0x10, 0x14, 0x20, 0x24}));
	CHECK(vmmap_remove(&m, 0x10 * P, P) == ERR_OK); /* trims the head: no new slot */
	CHECK(vmmap_remove(&m, 0x23 * P, P) == ERR_OK); /* trims the tail */
	CHECK(same(&m, 2, (uint64_t[]){0x11, 0x14, 0x20, 0x23}));
	CHECK(vmmap_remove(&m, 0x20 * P, 3 * P) == ERR_OK);
	CHECK(vmmap_remove(&m, 0x12 * P, P) == ERR_OK); /* a slot is free again */
	CHECK(same(&m, 2, (uint64_t[]){0x11, 0x12, 0x13, 0x14}));
}

static void split_slots_and_pages_in(void)
{
	struct vm_mapping st[4];
	struct vmmap m;
	vmmap_init(&m, st, 4);
	struct vm_mapping a = mk(0x10 * P, 4 * P, 0), b = mk(0x18 * P, 4 * P, 0);
	CHECK(vmmap_add(&m, &a) == ERR_OK && vmmap_add(&m, &b) == ERR_OK);

	CHECK(vmmap_split_slots(&m, 0x11 * P, 2 * P) == 1);
	CHECK(vmmap_split_slots(&m, 0x10 * P, 2 * P) == 0); /* at the start */
	CHECK(vmmap_split_slots(&m, 0x12 * P, 2 * P) == 0); /* to the end */
	CHECK(vmmap_split_slots(&m, 0x10 * P, 4 * P) == 0); /* exact */
	CHECK(vmmap_split_slots(&m, 0x13 * P, 6 * P) == 0); /* across two */
	CHECK(vmmap_split_slots(&m, 0x14 * P, 2 * P) == 0); /* in the gap */
	CHECK(vmmap_split_slots(&m, 0x11 * P, 0) == 0);	    /* empty */

	CHECK(vmmap_pages_in(&m, 0, 0x100 * P) == 8);
	CHECK(vmmap_pages_in(&m, 0xe * P, 3 * P) == 1);	 /* a's head */
	CHECK(vmmap_pages_in(&m, 0x13 * P, 6 * P) == 2); /* a's tail, b's head */
	CHECK(vmmap_pages_in(&m, 0x11 * P, 2 * P) == 2); /* inside a */
	CHECK(vmmap_pages_in(&m, 0x14 * P, 4 * P) == 0); /* the gap exactly */
	CHECK(vmmap_pages_in(&m, 0x1b * P, UINT64_MAX) == 1);
	CHECK(vmmap_pages_in(&m, 0x11 * P, 0) == 0);
}

static void find_gap_start_between_end_none(void)
{
	struct vm_mapping st[4];
	struct vmmap m;
	uint64_t at = 0;
	vmmap_init(&m, st, 4);

	CHECK(vmmap_find_gap(&m, 0x10 * P, 0x40 * P, 0x30 * P, &at) && at == 0x10 * P);
	CHECK(!vmmap_find_gap(&m, 0x10 * P, 0x40 * P, 0x31 * P, &at));
	struct vm_mapping a = mk(0x14 * P, 4 * P, 0), b = mk(0x1a * P, 4 * P, 0),
			  c = mk(0x30 * P, 0x20 * P, 0);
	CHECK(vmmap_add(&m, &a) == ERR_OK && vmmap_add(&m, &b) == ERR_OK);
	CHECK(vmmap_add(&m, &c) == ERR_OK);

	CHECK(vmmap_find_gap(&m, 0x10 * P, 0x40 * P, 4 * P, &at) && at == 0x10 * P); /* start */
	CHECK(vmmap_find_gap(&m, 0x10 * P, 0x40 * P, 1 * P, &at) && at == 0x10 * P);
	CHECK(vmmap_find_gap(&m, 0x10 * P, 0x40 * P, 5 * P, &at) && at == 0x1e * P); /* between */
	CHECK(vmmap_find_gap(&m, 0x11 * P, 0x40 * P, 4 * P, &at) && at == 0x1e * P);
	CHECK(vmmap_find_gap(&m, 0x15 * P, 0x40 * P, 2 * P, &at) && at == 0x18 * P); /* lo in a */
	CHECK(vmmap_find_gap(&m, 0x10 * P, 0x60 * P, 0x12 * P, &at) && at == 0x1e * P);
	CHECK(vmmap_find_gap(&m, 0x10 * P, 0x70 * P, 0x13 * P, &at) && at == 0x50 * P); /* end */
	CHECK(!vmmap_find_gap(&m, 0x10 * P, 0x62 * P, 0x13 * P, &at));			/* none */
	CHECK(!vmmap_find_gap(&m, 0x10 * P, 0x40 * P, 0x13 * P, &at)); /* c is in the way */
	CHECK(!vmmap_find_gap(&m, 0x30 * P, 0x50 * P, P, &at));	       /* all inside c */
	CHECK(vmmap_find_gap(&m, 0x30 * P, 0x51 * P, P, &at) && at == 0x50 * P);
	CHECK(!vmmap_find_gap(&m, 0x40 * P, 0x30 * P, P, &at)); /* lo above hi */
	CHECK(!vmmap_find_gap(&m, 0x10 * P, 0x40 * P, 0, &at));
}

static void copy_into_other_storage(void)
{
	struct vm_mapping s1[4], s2[4], s3[1];
	struct vmmap a, b, c;
	vmmap_init(&a, s1, 4);
	vmmap_init(&b, s2, 4);
	vmmap_init(&c, s3, 1);
	struct vm_mapping x = mk(0x10 * P, P, 0), y = mk(0x20 * P, P, 1);
	CHECK(vmmap_add(&a, &x) == ERR_OK && vmmap_add(&a, &y) == ERR_OK);

	CHECK(vmmap_copy(&b, &a) == ERR_OK);
	CHECK(b.map == s2 && same(&b, 2, (uint64_t[]){0x10, 0x11, 0x20, 0x21}));
	CHECK(vmmap_copy(&c, &a) == ERR_FULL && c.n == 0);
	vmmap_clear(&b);
	CHECK(b.n == 0 && b.cap == 4 && vmmap_find(&b, 0x10 * P) == NULL);
	CHECK(same(&a, 2, (uint64_t[]){0x10, 0x11, 0x20, 0x21}));
}

/* ------------------------------------------------------------ against a model */

enum { NPAGES = 192, CAP = 12, BASE = 0x40 };

/* What the model knows of each page: the add that made it (0: none) and how it is filled. */
struct model_page {
	unsigned id, prot, kind;
	uint64_t file_pos; /* file offset of the page's first byte */
	uint64_t file_rem; /* file bytes from there on */
};

static struct model_page model[NPAGES];

static uint64_t va_of(unsigned page)
{
	return (BASE + (uint64_t)page) * P;
}

static bool model_free(unsigned lo, unsigned hi)
{
	for (unsigned p = lo; p < hi; p++)
		if (model[p].id)
			return false;
	return true;
}

/* Mappings in the model: maximal runs of pages made by the same add. */
static unsigned model_count(void)
{
	unsigned n = 0;

	for (unsigned p = 0; p < NPAGES; p++)
		n += model[p].id && (p == 0 || model[p - 1].id != model[p].id);
	return n;
}

/* Does the model's page p hold what mapping x says? */
static bool page_matches(unsigned p, const struct vm_mapping *x)
{
	uint64_t skip = va_of(p) - x->va;
	uint64_t rem = x->file_size > skip ? x->file_size - skip : 0;

	return model[p].id && model[p].prot == x->prot && model[p].kind == x->kind &&
	       model[p].file_pos == x->file_off + skip && model[p].file_rem == rem;
}

/* Every mapping is one whole run of the model, in order; every run is a mapping. */
static bool matches_model(const struct vmmap *m)
{
	if (m->n != model_count())
		return false;
	for (unsigned i = 0; i < m->n; i++) {
		const struct vm_mapping *x = &m->map[i];
		unsigned lo = (unsigned)(x->va / P - BASE), hi = lo + (unsigned)(x->len / P);
		if (x->va < va_of(0) || hi > NPAGES ||
		    (i && x->va < m->map[i - 1].va + m->map[i - 1].len))
			return false;
		for (unsigned p = lo; p < hi; p++)
			if (!page_matches(p, x) || model[p].id != model[lo].id)
				return false;
		if ((lo > 0 && model[lo - 1].id == model[lo].id) ||
		    (hi < NPAGES && model[hi].id == model[lo].id))
			return false;
	}
	return true;
}

/* Would removing [lo, hi) split a mapping? Only if one holds the pages on both sides. */
static unsigned model_split_slots(unsigned lo, unsigned hi)
{
	return lo < hi && lo > 0 && hi < NPAGES && model[lo - 1].id &&
	       model[lo - 1].id == model[hi].id;
}

static bool model_gap(unsigned lo, unsigned hi, unsigned len, unsigned *out)
{
	for (unsigned a = lo; a + len <= hi; a++) {
		if (model_free(a, a + len)) {
			*out = a;
			return true;
		}
	}
	return false;
}

static unsigned next_id;

static int model_add(struct vmmap *m, unsigned lo, unsigned len)
{
	struct vm_mapping x = {.va = va_of(lo),
			       .len = len * P,
			       .prot = (unsigned)rand() % 8,
			       .kind = (unsigned)rand() % 4,
			       .file_off = (uint64_t)(rand() % 64) * 0x100,
			       .file_size = (uint64_t)rand() % (len * P + 1)};
	int want = !model_free(lo, lo + len) ? ERR_EXISTS : m->n == m->cap ? ERR_FULL : ERR_OK;
	int e = vmmap_add(m, &x);

	if (e != want)
		return -1;
	if (e != ERR_OK)
		return 0;
	next_id++;
	for (unsigned p = lo; p < lo + len; p++) {
		uint64_t skip = (p - lo) * P;
		model[p] = (struct model_page){next_id, x.prot, x.kind, x.file_off + skip,
					       x.file_size > skip ? x.file_size - skip : 0};
	}
	return 0;
}

static int model_remove(struct vmmap *m, unsigned lo, unsigned len)
{
	unsigned split = model_split_slots(lo, lo + len);
	bool full = m->n == m->cap;

	if (vmmap_split_slots(m, va_of(lo), len * P) != split)
		return -1;
	int e = vmmap_remove(m, va_of(lo), len * P);
	if (split && full)
		return e == ERR_FULL ? 0 : -1;
	if (e != ERR_OK)
		return -1;
	for (unsigned p = lo; p < lo + len; p++)
		model[p] = (struct model_page){0};
	/* A split leaves two runs of one add: give the high one its own id. */
	if (split) {
		next_id++;
		for (unsigned p = lo + len; p < NPAGES && model[p].id == model[lo - 1].id; p++)
			model[p].id = next_id;
	}
	return 0;
}

static bool queries_match(const struct vmmap *m, unsigned lo, unsigned len)
{
	unsigned pages = 0, gap = 0, hi = lo + len;
	uint64_t at = 0;

	for (unsigned p = lo; p < hi; p++)
		pages += model[p].id != 0;
	const struct vm_mapping *f = vmmap_find(m, va_of(lo) + (uint64_t)rand() % P);
	if ((f != NULL) != (model[lo].id != 0))
		return false;
	if (f && (f->va > va_of(lo) || f->va + f->len <= va_of(lo) || !page_matches(lo, f)))
		return false;
	if (vmmap_pages_in(m, va_of(lo), len * P) != pages)
		return false;
	if (vmmap_overlaps(m, va_of(lo), len * P) != (pages != 0))
		return false;
	bool found = vmmap_find_gap(m, va_of(lo), va_of(NPAGES), len * P, &at);
	if (found != (len > 0 && model_gap(lo, NPAGES, len, &gap)))
		return false;
	return !found || at == va_of(gap);
}

static void random_against_model(void)
{
	struct vm_mapping st[CAP];
	struct vmmap m;
	vmmap_init(&m, st, CAP);
	srand(11);
	memset(model, 0, sizeof(model));
	next_id = 0;

	for (int step = 0; step < 40000; step++) {
		unsigned lo = (unsigned)rand() % NPAGES;
		unsigned len = (unsigned)rand() % 24;
		if (lo + len > NPAGES)
			len = NPAGES - lo;
		int op = rand() % 8;
		if (op < 3 && len > 0)
			CHECKF(model_add(&m, lo, len) == 0, "step %d: add [%u, +%u)", step, lo,
			       len);
		else if (op < 5)
			CHECKF(model_remove(&m, lo, len) == 0, "step %d: remove [%u, +%u)", step,
			       lo, len);
		else
			CHECKF(queries_match(&m, lo, len), "step %d: queries at [%u, +%u)", step,
			       lo, len);
		CHECKF(matches_model(&m), "step %d: op %d at [%u, +%u)", step, op, lo, len);
	}
}

int main(void)
{
	check_suite = "vmmap";
	RUN(add_keeps_order_and_finds);
	RUN(bad_adds_refused_unchanged);
	RUN(overlaps_at_the_edges);
	RUN(remove_middle_splits_the_file);
	RUN(remove_covering_several);
	RUN(remove_exact_and_nothing);
	RUN(full_storage_refuses_only_a_split);
	RUN(split_slots_and_pages_in);
	RUN(find_gap_start_between_end_none);
	RUN(copy_into_other_storage);
	RUN(random_against_model);
	return check_done();
}
