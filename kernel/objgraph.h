/*
 * The object graph: which references each kernel object holds on others.
 * The cycle collector (kernel/cycles.c) and the reference-count self-check
 * (kernel/objcheck.c) both walk it, so there is one list of edges to keep
 * true: whoever adds a pointer that holds a reference adds it here too.
 */
#ifndef STRATA_KERNEL_OBJGRAPH_H
#define STRATA_KERNEL_OBJGRAPH_H

#include "kernel/object.h"

enum edge_set {
	/*
	 * Only references to spaces and threads: every cycle goes through
	 * them, since the other objects hold nothing (endpoints, notifications,
	 * frames) or only what cannot lead back (an IRQ its notification, a
	 * quota its parent).
	 */
	EDGES_CYCLIC,
	EDGES_ALL, /* every reference, mappings and quota charges included */
};

typedef void (*edge_fn)(struct object *to, void *ctx);

/*
 * Call fn once for every reference o holds (twice for two references to
 * one object). A live thread's reference on itself is not an edge: it is
 * what keeps the thread alive from outside the graph.
 */
void object_for_each_ref(struct object *o, enum edge_set which, edge_fn fn, void *ctx);

#endif
