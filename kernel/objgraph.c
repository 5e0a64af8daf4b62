#include "kernel/objgraph.h"

#include "kernel/objects.h"

struct emit {
	enum edge_set which;
	edge_fn fn;
	void *ctx;
};

static void emit(const struct emit *e, struct object *to)
{
	if (!to)
		return;
	if (e->which == EDGES_CYCLIC && to->type != OBJ_SPACE && to->type != OBJ_THREAD)
		return;
	e->fn(to, e->ctx);
}

static void kmsg_edges(const struct emit *e, const struct kmsg *m)
{
	for (unsigned i = 0; i < MSG_MAX_HANDLES; i++)
		emit(e, m->objs[i]);
}

static void thread_edges(const struct emit *e, struct thread *t)
{
	emit(e, &t->space->obj);
	if (t->exc_ep)
		emit(e, &t->exc_ep->obj);
	if (t->death_note)
		emit(e, &t->death_note->obj);
	if (t->blocked_on)
		emit(e, (struct object *)t->blocked_on); /* an endpoint or a notification */
	if (t->reply_to)
		emit(e, &t->reply_to->obj);
	kmsg_edges(e, &t->out);
	kmsg_edges(e, &t->in);
	for (unsigned i = 0; i < THREAD_HELD_MAX; i++)
		emit(e, t->held[i]);
}

/* Each user leaf PTE holds a reference on the frame object it maps. */
static void mapping_edge(struct space *s, uint64_t va, pte_t *pte, void *ctx)
{
	struct frameobj *f = frameobj_of(pte_pa(*pte));

	(void)s;
	(void)va;
	if (f)
		emit(ctx, &f->obj);
}

static void space_edges(const struct emit *e, struct space *s)
{
	for (unsigned i = 0; i < s->handles.cap; i++)
		emit(e, s->handles.slots[i].obj);
	for (unsigned i = 0; i < s->regions.n; i++)
		emit(e, s->regions.r[i].pager);
	if (e->which == EDGES_ALL)
		space_for_each_leaf(s, mapping_edge, (void *)e);
}

void object_for_each_ref(struct object *o, enum edge_set which, edge_fn fn, void *ctx)
{
	const struct emit e = {which, fn, ctx};

	if (o->quota)
		emit(&e, &o->quota->obj);
	switch (o->type) {
	case OBJ_THREAD:
		thread_edges(&e, (struct thread *)o);
		break;
	case OBJ_SPACE:
		space_edges(&e, (struct space *)o);
		break;
	case OBJ_REPLY:
		if (((struct reply *)o)->caller)
			emit(&e, &((struct reply *)o)->caller->obj);
		break;
	case OBJ_IRQ:
		if (((struct irq *)o)->n)
			emit(&e, &((struct irq *)o)->n->obj);
		break;
	case OBJ_QUOTA:
		if (((struct quota *)o)->parent)
			emit(&e, &((struct quota *)o)->parent->obj);
		break;
	default:
		break;
	}
}
