#include "kernel/object.h"

#include "kernel/cycles.h"
#include "kernel/objects.h"
#include "kernel/panic.h"
#include "lib/error.h"
#include "lib/str.h"
#include "mm/slab.h"

static const char *const type_names[] = {
    [OBJ_NONE] = "none",	 [OBJ_THREAD] = "thread", [OBJ_SPACE] = "space",
    [OBJ_ENDPOINT] = "endpoint", [OBJ_NOTIFY] = "notify", [OBJ_FRAME] = "frame",
    [OBJ_IRQ] = "irq",		 [OBJ_QUOTA] = "quota",	  [OBJ_SYSTEM] = "system",
    [OBJ_REPLY] = "reply",
};

static struct object *all_head, *all_tail;
static uint64_t live_objects;

struct object *object_first(void)
{
	return all_head;
}

uint64_t object_count(void)
{
	return live_objects;
}

static void all_link(struct object *o)
{
	o->all_prev = all_tail;
	o->all_next = NULL;
	if (all_tail)
		all_tail->all_next = o;
	else
		all_head = o;
	all_tail = o;
	live_objects++;
}

static void all_unlink(struct object *o)
{
	if (o->all_prev)
		o->all_prev->all_next = o->all_next;
	else
		all_head = o->all_next;
	if (o->all_next)
		o->all_next->all_prev = o->all_prev;
	else
		all_tail = o->all_prev;
	live_objects--;
}

const char *object_type_name(unsigned type)
{
	return type < sizeof(type_names) / sizeof(type_names[0]) ? type_names[type] : "?";
}

void *object_alloc(enum obj_type type, size_t size, struct quota *q, int *err)
{
	if (q && quota_charge(q, size) != ERR_OK) {
		*err = ERR_QUOTA;
		return NULL;
	}
	struct object *o = kzalloc(size);
	if (!o) {
		if (q)
			quota_uncharge(q, size);
		*err = ERR_NOMEM;
		return NULL;
	}
	o->type = (uint8_t)type;
	o->refs = 1;
	o->quota = q;
	o->charged = q ? size : 0;
	all_link(o);
	if (q)
		object_get(&q->obj);
	*err = ERR_OK;
	return o;
}

void object_last_reader(struct object *o)
{
	if (o->type == OBJ_ENDPOINT)
		endpoint_close((struct endpoint *)o);
}

void object_first_reader(struct object *o)
{
	if (o->type == OBJ_ENDPOINT)
		((struct endpoint *)o)->closed = false;
}

void object_get(struct object *o)
{
	o->refs++;
}

void object_free(struct object *o)
{
	struct quota *q = o->quota;

	cycles_forget(o);
	all_unlink(o);
	if (q)
		quota_uncharge(q, o->charged);
	kfree(o);
	if (q)
		object_put(&q->obj);
}

static void quota_destroy(struct quota *q)
{
	if (q->parent) {
		quota_uncharge(q->parent, q->limit);
		object_put(&q->parent->obj);
	}
}

void object_put(struct object *o)
{
	if (o->refs == 0)
		panic("object_put: %s object %p has no references", object_type_name(o->type), o);
	if (--o->refs) {
		/* Still held: perhaps only by a cycle of its own (kernel/cycles.c). */
		if (o->type == OBJ_SPACE || o->type == OBJ_THREAD)
			cycles_note(o);
		return;
	}
	cycles_forget(o);
	switch (o->type) {
	case OBJ_THREAD:
		thread_destroy((struct thread *)o);
		break;
	case OBJ_SPACE:
		if (space_destroy((struct space *)o))
			return; /* a large one: space_reap finishes it and frees it */
		break;
	case OBJ_ENDPOINT:
		endpoint_destroy((struct endpoint *)o);
		break;
	case OBJ_NOTIFY:
		notify_destroy((struct notify *)o);
		break;
	case OBJ_FRAME:
		frameobj_destroy((struct frameobj *)o);
		break;
	case OBJ_REPLY:
		reply_destroy((struct reply *)o);
		break;
	case OBJ_IRQ:
		irq_destroy((struct irq *)o);
		break;
	case OBJ_QUOTA:
		quota_destroy((struct quota *)o);
		break;
	default:
		break;
	}
	object_free(o);
}

int quota_charge(struct quota *q, uint64_t bytes)
{
	if (bytes > q->limit - q->used)
		return ERR_QUOTA;
	q->used += bytes;
	return ERR_OK;
}

void quota_uncharge(struct quota *q, uint64_t bytes)
{
	if (bytes > q->used)
		panic("quota_uncharge: %lu bytes > %lu used", bytes, q->used);
	q->used -= bytes;
}

struct quota *quota_boot(uint64_t bytes)
{
	int err;
	struct quota *q = object_alloc(OBJ_QUOTA, sizeof(*q), NULL, &err);

	if (q)
		q->limit = bytes;
	return q;
}
