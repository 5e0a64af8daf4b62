#include "kernel/cycles.h"

#include "kernel/console.h"
#include "kernel/objects.h"
#include "kernel/objgraph.h"

#define MAX_ROUNDS 8

enum { WHITE, GRAY, BLACK }; /* unseen, in the subgraph, held from outside */

struct object *cycles_candidates;	     /* linked through cand_next */
static struct object *scan_head, *scan_tail; /* the subgraph, linked through gc_next */
static bool running, inconsistent;

/* A started thread, or a space one runs in, is held from outside the graph. */
static bool surely_live(struct object *o)
{
	if (o->type == OBJ_THREAD)
		return ((struct thread *)o)->holds_self;
	return ((struct space *)o)->live_threads > 0;
}

void cycles_note(struct object *o)
{
	if (o->gc_candidate || (o->type != OBJ_SPACE && o->type != OBJ_THREAD) || surely_live(o))
		return;
	o->gc_candidate = true;
	o->cand_prev = NULL;
	o->cand_next = cycles_candidates;
	if (cycles_candidates)
		cycles_candidates->cand_prev = o;
	cycles_candidates = o;
}

void cycles_forget(struct object *o)
{
	if (!o->gc_candidate)
		return;
	if (o->cand_prev)
		o->cand_prev->cand_next = o->cand_next;
	else
		cycles_candidates = o->cand_next;
	if (o->cand_next)
		o->cand_next->cand_prev = o->cand_prev;
	o->gc_candidate = false;
}

static void scan_add(struct object *o)
{
	o->gc_color = GRAY;
	o->gc_refs = o->refs;
	o->gc_next = NULL;
	if (scan_tail)
		scan_tail->gc_next = o;
	else
		scan_head = o;
	scan_tail = o;
}

/* An edge inside the subgraph: one reference its target does not owe to the outside. */
static void count_edge(struct object *to, void *ctx)
{
	(void)ctx;
	if (to->gc_color == WHITE)
		scan_add(to);
	if (to->gc_refs == 0)
		inconsistent = true; /* more edges than references: a bookkeeping bug */
	else
		to->gc_refs--;
}

static struct object *work;

static void push_black(struct object *o)
{
	o->gc_color = BLACK;
	o->gc_work = work;
	work = o;
}

static void blacken_edge(struct object *to, void *ctx)
{
	(void)ctx;
	if (to->gc_color == GRAY)
		push_black(to);
}

/* Whatever is held from outside, and everything it reaches, is live. */
static void mark_live(void)
{
	work = NULL;
	for (struct object *o = scan_head; o; o = o->gc_next) {
		if (o->gc_color == GRAY && o->gc_refs > 0)
			push_black(o);
	}
	while (work) {
		struct object *o = work;
		work = o->gc_work;
		object_for_each_ref(o, EDGES_CYCLIC, blacken_edge, NULL);
	}
}

/* Close a garbage space's handle table: that is what breaks its cycles. */
static void break_cycles(struct object *o)
{
	if (o->type != OBJ_SPACE)
		return; /* threads out of reach are new or dead: they hold only their space */
	struct space *s = (struct space *)o;
	s->exited = true;
	handle_table_destroy(&s->handles);
}

/* One round; returns the number of objects found to be garbage. */
static unsigned collect_round(void)
{
	scan_head = scan_tail = NULL;
	inconsistent = false;
	while (cycles_candidates) {
		struct object *o = cycles_candidates;
		cycles_forget(o);
		if (o->gc_color == WHITE)
			scan_add(o);
	}
	for (struct object *o = scan_head; o; o = o->gc_next)
		object_for_each_ref(o, EDGES_CYCLIC, count_edge, NULL);
	mark_live();
	/* Pin the garbage (so it outlives the breaking) and clear every mark. */
	struct object *garbage = NULL;
	unsigned n = 0;
	for (struct object *o = scan_head; o; o = o->gc_next) {
		if (o->gc_color == GRAY && !inconsistent) {
			object_get(o);
			o->gc_work = garbage;
			garbage = o;
			n++;
		}
		o->gc_color = WHITE;
	}
	if (inconsistent)
		kprintf("strata: cycle collector: reference counts disagree with the object "
			"graph; nothing freed\n");
	for (struct object *o = garbage; o; o = o->gc_work)
		break_cycles(o);
	while (garbage) {
		struct object *o = garbage;
		garbage = o->gc_work;
		object_put(o);
	}
	return n;
}

void cycles_collect(void)
{
	if (running || !cycles_candidates)
		return;
	running = true;
	for (unsigned round = 0; round < MAX_ROUNDS && cycles_candidates; round++) {
		if (collect_round() == 0)
			break;
	}
	running = false;
}
