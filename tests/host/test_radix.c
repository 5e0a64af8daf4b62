/* Host tests for lib/radix.c: levels, node freeing, MAPPED, each(), failures, a model. */
#include "lib/radix.h"

#include <stdlib.h>

#include "lib/error.h"
#include "lib/str.h"
#include "tests/host/check.h"

#define P    4096ull
#define MIB2 (1ull << 21)
#define GIB  (1ull << 30)

/* A node allocator that counts live nodes and can be told to fail. */
struct nodes {
	unsigned live;
	int fail_in;	 /* allocations until one fails (0: this one); negative: never */
	bool misaligned; /* a node freed was not one of ours */
};

static void *node_alloc(void *ctx)
{
	struct nodes *n = ctx;

	if (n->fail_in == 0) {
		n->fail_in = -1;
		return NULL;
	}
	if (n->fail_in > 0)
		n->fail_in--;
	void *p = aligned_alloc(RADIX_NODE_SIZE, RADIX_NODE_SIZE);
	if (!p)
		abort();
	memset(p, 0, RADIX_NODE_SIZE);
	n->live++;
	return p;
}

static void node_free(void *ctx, void *node)
{
	struct nodes *n = ctx;

	n->misaligned |= ((uintptr_t)node & (RADIX_NODE_SIZE - 1)) != 0;
	n->live--;
	free(node);
}

static struct nodes counts;
static const struct radix_alloc nodes = {node_alloc, node_free, &counts};

static void fresh(struct radix *r)
{
	counts = (struct nodes){.fail_in = -1};
	if (radix_init(r, &nodes) != ERR_OK)
		abort();
}

/* What radix_each saw. */
struct seen {
	unsigned n;
	uint64_t va[64];
	uint32_t value[64];
	bool mapped[64];
};

static void record(void *arg, uint64_t va, uint32_t value, bool mapped)
{
	struct seen *s = arg;

	if (s->n < 64) {
		s->va[s->n] = va;
		s->value[s->n] = value;
		s->mapped[s->n] = mapped;
	}
	s->n++;
}

static void empty_table(void)
{
	struct radix r;
	struct seen s = {0};
	fresh(&r);

	CHECK(counts.live == 1);
	CHECK(radix_get(&r, 0) == 0 && radix_get(&r, 0x123456000) == 0);
	CHECK(!radix_mapped(&r, 0));
	radix_mark_mapped(&r, 0x5000); /* nothing there: no change */
	CHECK(radix_get(&r, 0x5000) == 0 && !radix_mapped(&r, 0x5000) && counts.live == 1);
	CHECK(radix_set(&r, 0x5000, 0) == ERR_OK && counts.live == 1); /* removing nothing */
	radix_each(&r, 0, RADIX_VA_LIMIT, record, &s);
	CHECK(s.n == 0);
	radix_destroy(&r);
	CHECK(counts.live == 0 && r.top == NULL);
	radix_destroy(&r); /* twice is harmless */
	CHECK(counts.live == 0);
}

static void set_get_across_levels(void)
{
	struct radix r;
	fresh(&r);

	CHECK(radix_set(&r, 0, 1) == ERR_OK);
	CHECK(counts.live == 3); /* top, mid, leaf */
	CHECK(radix_set(&r, MIB2 - P, 2) == ERR_OK);
	CHECK(counts.live == 3); /* same leaf */
	CHECK(radix_set(&r, MIB2, 3) == ERR_OK);
	CHECK(counts.live == 4); /* a second leaf */
	CHECK(radix_set(&r, GIB - P, 4) == ERR_OK);
	CHECK(counts.live == 5);
	CHECK(radix_set(&r, GIB, 5) == ERR_OK);
	CHECK(counts.live == 7); /* a second mid and its leaf */
	CHECK(radix_set(&r, RADIX_VA_LIMIT - P, 6) == ERR_OK);
	CHECK(counts.live == 9);

	CHECK(radix_get(&r, 0) == 1 && radix_get(&r, MIB2 - P) == 2);
	CHECK(radix_get(&r, MIB2) == 3 && radix_get(&r, GIB - P) == 4);
	CHECK(radix_get(&r, GIB) == 5 && radix_get(&r, RADIX_VA_LIMIT - P) == 6);
	CHECK(radix_get(&r, MIB2 + 0xfff) == 3); /* any byte of the page */
	CHECK(radix_get(&r, P) == 0 && radix_get(&r, MIB2 - 2 * P) == 0);
	CHECK(radix_get(&r, MIB2 + P) == 0 && radix_get(&r, GIB + P) == 0);
	CHECK(radix_get(&r, 2 * GIB) == 0 && radix_get(&r, GIB + MIB2) == 0);
	CHECK(radix_set(&r, GIB, 0xffffffffu) == ERR_OK && radix_get(&r, GIB) == 0xffffffffu);
	radix_destroy(&r);
	CHECK(counts.live == 0 && !counts.misaligned);
}

static void out_of_range(void)
{
	struct radix r;
	struct seen s = {0};
	fresh(&r);

	CHECK(radix_set(&r, RADIX_VA_LIMIT, 1) == ERR_RANGE);
	CHECK(radix_set(&r, UINT64_MAX, 1) == ERR_RANGE);
	CHECK(counts.live == 1);
	CHECK(radix_set(&r, 0, 7) == ERR_OK);
	CHECK(radix_get(&r, RADIX_VA_LIMIT) == 0); /* does not alias va 0 */
	radix_mark_mapped(&r, RADIX_VA_LIMIT);
	CHECK(!radix_mapped(&r, 0) && !radix_mapped(&r, RADIX_VA_LIMIT));
	radix_each(&r, 0, UINT64_MAX, record, &s); /* ends at the limit */
	CHECK(s.n == 1 && s.va[0] == 0);
	s.n = 0;
	radix_each(&r, RADIX_VA_LIMIT, UINT64_MAX, record, &s);
	CHECK(s.n == 0);
	radix_destroy(&r);
	CHECK(counts.live == 0);
}

static void removing_the_last_entry_frees_nodes(void)
{
	struct radix r;
	fresh(&r);

	CHECK(radix_set(&r, 3 * GIB + 5 * MIB2 + 7 * P, 1) == ERR_OK);
	CHECK(radix_set(&r, 3 * GIB + 5 * MIB2 + 7 * P, 2) == ERR_OK); /* replacing */
	CHECK(counts.live == 3);
	CHECK(radix_set(&r, 3 * GIB + 5 * MIB2 + 8 * P, 0) == ERR_OK); /* a neighbour: none */
	CHECK(counts.live == 3);
	CHECK(radix_set(&r, 3 * GIB + 5 * MIB2 + 7 * P, 0) == ERR_OK);
	CHECK(counts.live == 1); /* the one replacement counted once */
	CHECK(radix_get(&r, 3 * GIB + 5 * MIB2 + 7 * P) == 0);

	/* A whole leaf: it goes with its last entry, its mid with it. */
	for (uint64_t va = 0; va < MIB2; va += P)
		CHECK(radix_set(&r, GIB + va, (uint32_t)(va / P + 1)) == ERR_OK);
	CHECK(radix_set(&r, GIB + MIB2, 9) == ERR_OK);
	CHECK(counts.live == 4);
	for (uint64_t va = 0; va < MIB2 - P; va += P)
		CHECK(radix_set(&r, GIB + va, 0) == ERR_OK);
	CHECK(counts.live == 4 && radix_get(&r, GIB + MIB2 - P) == 512);
	CHECK(radix_set(&r, GIB + MIB2 - P, 0) == ERR_OK);
	CHECK(counts.live == 3); /* the first leaf */
	CHECK(radix_set(&r, GIB + MIB2, 0) == ERR_OK);
	CHECK(counts.live == 1); /* the second leaf and the mid */
	radix_destroy(&r);
	CHECK(counts.live == 0 && !counts.misaligned);
}

static void mapped_bit(void)
{
	struct radix r;
	fresh(&r);

	CHECK(radix_set(&r, 0x10000, 5) == ERR_OK);
	CHECK(!radix_mapped(&r, 0x10000));
	radix_mark_mapped(&r, 0x10000);
	CHECK(radix_mapped(&r, 0x10000) && radix_get(&r, 0x10000) == 5);
	CHECK(!radix_mapped(&r, 0x11000));
	radix_mark_mapped(&r, 0x11000); /* an empty entry stays empty */
	CHECK(radix_get(&r, 0x11000) == 0 && !radix_mapped(&r, 0x11000));
	CHECK(radix_set(&r, 0x10000, 6) == ERR_OK); /* a later set clears it */
	CHECK(!radix_mapped(&r, 0x10000) && radix_get(&r, 0x10000) == 6);
	radix_mark_mapped(&r, 0x10000);
	CHECK(radix_set(&r, 0x10000, 0) == ERR_OK);
	CHECK(counts.live == 1 && !radix_mapped(&r, 0x10000));
	CHECK(radix_set(&r, 0x10000, 6) == ERR_OK);
	CHECK(!radix_mapped(&r, 0x10000));
	radix_destroy(&r);
	CHECK(counts.live == 0);
}

static void each_in_order_within_bounds(void)
{
	struct radix r;
	struct seen s = {0};
	const uint64_t vas[] = {P,   MIB2 - P,	     MIB2,    GIB - P,
				GIB, GIB + 3 * MIB2, 5 * GIB, RADIX_VA_LIMIT - P};
	fresh(&r);

	for (int i = 7; i >= 0; i--)
		CHECK(radix_set(&r, vas[i], (uint32_t)i + 1) == ERR_OK);
	radix_mark_mapped(&r, GIB);
	radix_each(&r, 0, RADIX_VA_LIMIT, record, &s);
	CHECK(s.n == 8);
	for (unsigned i = 0; i < 8; i++)
		CHECKF(s.va[i] == vas[i] && s.value[i] == i + 1 && s.mapped[i] == (vas[i] == GIB),
		       "entry %u: va %#llx value %u", i, (unsigned long long)s.va[i], s.value[i]);
	s.n = 0;
	radix_each(&r, MIB2 - 1, GIB + 1, record, &s); /* lo's page counts; hi is exclusive */
	CHECK(s.n == 4 && s.va[0] == MIB2 - P && s.va[3] == GIB);
	s.n = 0;
	radix_each(&r, MIB2 + P, GIB - P, record, &s);
	CHECK(s.n == 0);
	s.n = 0;
	radix_each(&r, GIB, GIB, record, &s);
	CHECK(s.n == 0);
	radix_destroy(&r);
	CHECK(counts.live == 0);
}

struct dropper {
	struct radix *r;
	unsigned calls;
	uint64_t last;
};

/* Remove the entry being visited (and so free its nodes after the last). */
static void drop_current(void *arg, uint64_t va, uint32_t value, bool mapped)
{
	(void)value;
	(void)mapped;
	struct dropper *d = arg;

	radix_set(d->r, va, 0);
	d->calls++;
	d->last = va;
}

/* Remove the entry visited before this one, as a caller flushing runs does. */
static void drop_previous(void *arg, uint64_t va, uint32_t value, bool mapped)
{
	(void)value;
	(void)mapped;
	struct dropper *d = arg;

	if (d->calls)
		radix_set(d->r, d->last, 0);
	d->calls++;
	d->last = va;
}

static void each_tolerates_removal(void)
{
	struct radix r;
	struct dropper d = {.r = &r};
	fresh(&r);

	for (uint64_t va = GIB - 4 * P; va < GIB + MIB2 + 4 * P; va += P)
		CHECK(radix_set(&r, va, 1) == ERR_OK);
	CHECK(radix_set(&r, 7 * GIB, 1) == ERR_OK);
	radix_each(&r, 0, RADIX_VA_LIMIT, drop_current, &d);
	CHECK(d.calls == 4 + 512 + 4 + 1 && d.last == 7 * GIB);
	CHECK(counts.live == 1);

	for (uint64_t va = MIB2 - 2 * P; va < MIB2 + 2 * P; va += P)
		CHECK(radix_set(&r, va, 2) == ERR_OK);
	d = (struct dropper){.r = &r};
	radix_each(&r, 0, RADIX_VA_LIMIT, drop_previous, &d);
	CHECK(d.calls == 4 && d.last == MIB2 + P);
	CHECK(radix_set(&r, d.last, 0) == ERR_OK);
	CHECK(counts.live == 1);
	radix_destroy(&r);
	CHECK(counts.live == 0);
}

static void allocation_failure_changes_nothing(void)
{
	struct radix r;
	fresh(&r);

	counts.fail_in = 0; /* the mid node */
	CHECK(radix_set(&r, GIB, 1) == ERR_NOMEM);
	CHECK(counts.live == 1 && radix_get(&r, GIB) == 0);
	counts.fail_in = 1; /* the leaf: the mid made for it goes again */
	CHECK(radix_set(&r, GIB, 1) == ERR_NOMEM);
	CHECK(counts.live == 1 && radix_get(&r, GIB) == 0);

	CHECK(radix_set(&r, GIB, 1) == ERR_OK);
	radix_mark_mapped(&r, GIB);
	CHECK(counts.live == 3);
	counts.fail_in = 0; /* a second leaf under the same mid */
	CHECK(radix_set(&r, GIB + MIB2, 2) == ERR_NOMEM);
	CHECK(counts.live == 3 && radix_get(&r, GIB + MIB2) == 0);
	CHECK(radix_get(&r, GIB) == 1 && radix_mapped(&r, GIB));
	counts.fail_in = 0; /* nothing to allocate: replacing and removing cannot fail */
	CHECK(radix_set(&r, GIB, 3) == ERR_OK && radix_get(&r, GIB) == 3);
	counts.fail_in = -1;
	/* The mid's count was not disturbed: removing its one entry frees it. */
	CHECK(radix_set(&r, GIB, 0) == ERR_OK && counts.live == 1);
	radix_destroy(&r);
	CHECK(counts.live == 0);

	counts = (struct nodes){.fail_in = 0};
	CHECK(radix_init(&r, &nodes) == ERR_NOMEM && r.top == NULL && counts.live == 0);
	radix_destroy(&r);
	CHECK(counts.live == 0);
}

/* ------------------------------------------------------------ against a model */

/* Model slots: 4 top entries x 4 mid entries x 8 leaf entries, spread over the table. */
enum { NTOP = 4, NMID = 4, NLEAF = 8, NSLOTS = NTOP * NMID * NLEAF };

static uint32_t model_value[NSLOTS];
static bool model_mapped[NSLOTS];

static uint64_t slot_va(unsigned s)
{
	static const uint64_t top[NTOP] = {0, 1, 7, 511}, mid[NMID] = {0, 1, 300, 511},
			      leaf[NLEAF] = {0, 1, 2, 100, 255, 256, 510, 511};
	unsigned t = s / (NMID * NLEAF), m = s / NLEAF % NMID, l = s % NLEAF;

	return top[t] * GIB + mid[m] * MIB2 + leaf[l] * P;
}

/* Nodes the model's entries need: the top, each mid with an entry, each leaf with one. */
static unsigned model_nodes(void)
{
	unsigned n = 1;

	for (unsigned t = 0; t < NTOP; t++) {
		bool any_mid = false;
		for (unsigned m = 0; m < NMID; m++) {
			bool any_leaf = false;
			for (unsigned l = 0; l < NLEAF; l++)
				any_leaf |= model_value[(t * NMID + m) * NLEAF + l] != 0;
			n += any_leaf;
			any_mid |= any_leaf;
		}
		n += any_mid;
	}
	return n;
}

struct model_walk {
	unsigned next; /* the slot the walk expects to see at or after */
	bool ok;
};

static void walk_check(void *arg, uint64_t va, uint32_t value, bool mapped)
{
	struct model_walk *w = arg;

	while (w->next < NSLOTS && !model_value[w->next])
		w->next++;
	if (w->next == NSLOTS || slot_va(w->next) != va || model_value[w->next] != value ||
	    model_mapped[w->next] != mapped)
		w->ok = false;
	w->next++;
}

static bool table_matches_model(const struct radix *r)
{
	struct model_walk w = {0, true};

	for (unsigned s = 0; s < NSLOTS; s++)
		if (radix_get(r, slot_va(s)) != model_value[s] ||
		    radix_mapped(r, slot_va(s)) != model_mapped[s])
			return false;
	radix_each(r, 0, RADIX_VA_LIMIT, walk_check, &w);
	while (w.next < NSLOTS && !model_value[w.next])
		w.next++;
	return w.ok && w.next == NSLOTS && counts.live == model_nodes();
}

static void random_against_model(void)
{
	struct radix r;
	fresh(&r);
	srand(23);
	memset(model_value, 0, sizeof(model_value));
	memset(model_mapped, 0, sizeof(model_mapped));

	for (int step = 0; step < 30000; step++) {
		unsigned s = (unsigned)rand() % NSLOTS, op = (unsigned)rand() % 10;
		if (op < 4) {
			uint32_t value = (uint32_t)rand() % 4 ? (uint32_t)rand() | 1 : 0;
			counts.fail_in = rand() % 8 ? -1 : rand() % 2;
			int e = radix_set(&r, slot_va(s), value);
			CHECKF(e == ERR_OK || (e == ERR_NOMEM && value), "step %d: error %d", step,
			       e);
			if (e == ERR_OK) {
				model_value[s] = value;
				model_mapped[s] = false;
			}
			counts.fail_in = -1;
		} else if (op < 6) {
			radix_mark_mapped(&r, slot_va(s));
			model_mapped[s] = model_value[s] != 0;
		} else if (op < 7) {
			struct dropper d = {.r = &r};
			unsigned hi = s + (unsigned)rand() % 24;
			uint64_t end = hi < NSLOTS ? slot_va(hi) : RADIX_VA_LIMIT;
			radix_each(&r, slot_va(s), end, drop_current, &d);
			for (unsigned k = s; k < hi && k < NSLOTS; k++) {
				model_value[k] = 0;
				model_mapped[k] = false;
			}
		}
		CHECKF(table_matches_model(&r), "step %d: op %u at slot %u", step, op, s);
	}
	radix_destroy(&r);
	CHECK(counts.live == 0 && !counts.misaligned);
}

int main(void)
{
	check_suite = "radix";
	RUN(empty_table);
	RUN(set_get_across_levels);
	RUN(out_of_range);
	RUN(removing_the_last_entry_frees_nodes);
	RUN(mapped_bit);
	RUN(each_in_order_within_bounds);
	RUN(each_tolerates_removal);
	RUN(allocation_failure_changes_nothing);
	RUN(random_against_model);
	return check_done();
}
