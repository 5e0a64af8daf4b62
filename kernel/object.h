/*
 * Kernel objects. Every object starts with a struct object: its type, a
 * reference count (handles plus internal references such as mappings or
 * queued IPC), and the quota it is charged to. When the count drops to zero
 * the type's destroy function releases it and uncharges the quota.
 *
 * All object state is guarded by the big kernel lock (kernel/sched.h).
 */
#ifndef STRATA_KERNEL_OBJECT_H
#define STRATA_KERNEL_OBJECT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/abi.h"

struct quota;

struct object {
	uint8_t type;	     /* enum obj_type */
	uint8_t gc_color;    /* cycle collector's mark (kernel/cycles.c), 0 outside a run */
	bool gc_candidate;   /* on the collector's candidate list */
	uint32_t refs;	     /* handles + internal references */
	uint32_t gc_refs;    /* scratch count for the collector and the self-check */
	struct quota *quota; /* charged for this object's memory, NULL for boot objects */
	size_t charged;	     /* bytes charged for the object itself */
	uint32_t readers;    /* endpoints: open handles with RIGHT_READ */
	struct object *all_next, *all_prev;   /* every live object (kernel/objcheck.c) */
	struct object *cand_next, *cand_prev; /* collector candidates */
	struct object *gc_next, *gc_work;     /* collector run: scanned list, work stack */
};

/*
 * Allocate a zeroed object of size bytes, charged to q (if not NULL).
 * Returns NULL with *err = ERR_QUOTA or ERR_NOMEM. refs starts at 1.
 */
void *object_alloc(enum obj_type type, size_t size, struct quota *q, int *err);
void object_get(struct object *o);
/* Drop one reference; destroys the object at zero. */
void object_put(struct object *o);
/* Free the object's own memory and return its charge (after its type's teardown). */
void object_free(struct object *o);
const char *object_type_name(unsigned type);
/* Every live object, in allocation order (self-check, statistics). */
struct object *object_first(void);
static inline struct object *object_next(const struct object *o)
{
	return o->all_next;
}
/* Live objects. */
uint64_t object_count(void);
/* The last handle with RIGHT_READ on o was closed (endpoints close). */
void object_last_reader(struct object *o);
/* A handle with RIGHT_READ appeared again (an endpoint handed on in a message reopens). */
void object_first_reader(struct object *o);

/* Memory quotas: bytes a process and its children may hold. */
struct quota {
	struct object obj;
	uint64_t limit, used;
	struct quota *parent; /* split from; gets the remainder back when freed */
};

/* Charge bytes; ERR_QUOTA if it would exceed the limit (nothing charged). */
int quota_charge(struct quota *q, uint64_t bytes);
void quota_uncharge(struct quota *q, uint64_t bytes);
/* The boot quota: all memory, given to the root task. */
struct quota *quota_boot(uint64_t bytes);

#endif
