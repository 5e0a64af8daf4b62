#include "kernel/objcheck.h"

#include "kernel/console.h"
#include "kernel/objects.h"
#include "kernel/objgraph.h"
#include "kernel/syscall.h"

static void count_ref(struct object *to, void *ctx)
{
	(void)ctx;
	to->gc_refs++;
}

uint64_t objcheck_run(void)
{
	uint64_t bad = 0;

	for (struct object *o = object_first(); o; o = object_next(o))
		o->gc_refs = 0;
	for (struct object *o = object_first(); o; o = object_next(o)) {
		object_for_each_ref(o, EDGES_ALL, count_ref, NULL);
		if (o->type == OBJ_THREAD && ((struct thread *)o)->holds_self)
			o->gc_refs++;
	}
	/* The kernel's own roots. */
	struct notify *watch = memwatch_notify();
	if (watch)
		watch->obj.gc_refs++;
	for (struct object *o = object_first(); o; o = object_next(o)) {
		if (o->gc_refs == o->refs)
			continue;
		kprintf("strata: self-check: %s object %p has %u references, %u accounted for\n",
			object_type_name(o->type), o, o->refs, o->gc_refs);
		bad++;
	}
	for (struct object *o = object_first(); o; o = object_next(o))
		o->gc_refs = 0;
	return bad;
}
