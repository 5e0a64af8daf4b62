/*
 * Cycle collection. Reference counts free an object when its last
 * reference goes, but handles can make cycles: a space whose table holds a
 * handle to itself, or to a thread of its own (which holds the space). A
 * space with a started thread breaks its cycles when that thread dies (the
 * table is closed); a space that never ran one would be held forever.
 *
 * So every space or thread whose count drops without reaching zero becomes
 * a candidate, and at the next safe point (a system call's entry or exit:
 * no kernel code holds a borrowed pointer there) the collector does trial
 * deletion over the subgraph reachable from the candidates: it subtracts
 * the references the subgraph holds on itself; whatever still has a count
 * is held from outside (a handle in a live process, a live thread, a system
 * call in progress), and so is everything it reaches. The rest is garbage:
 * its spaces' handle tables are closed, which frees it by ordinary
 * reference counting.
 *
 * The work is bounded by the objects reachable from the candidates: live
 * spaces and started threads are never candidates.
 */
#ifndef STRATA_KERNEL_CYCLES_H
#define STRATA_KERNEL_CYCLES_H

#include "kernel/object.h"

/* o lost a reference and still has some: remember it if it could be in a cycle. */
void cycles_note(struct object *o);
/* o is being freed: forget it. */
void cycles_forget(struct object *o);
/* Free every garbage cycle among the candidates. Call only at a safe point. */
void cycles_collect(void);
/* There are candidates (a cheap test before cycles_collect). */
extern struct object *cycles_candidates;
static inline bool cycles_pending(void)
{
	return cycles_candidates != NULL;
}

#endif
