/*
 * Handle tables. A handle names (object, rights) in one process's table.
 * Handle values encode a slot index and a generation, so a closed handle
 * is not silently confused with a later one in the same slot:
 *   value = generation << HANDLE_INDEX_BITS | (index + 1)
 */
#ifndef STRATA_KERNEL_HANDLE_H
#define STRATA_KERNEL_HANDLE_H

#include <stdint.h>

#include "kernel/object.h"

#define HANDLE_INDEX_BITS 16
#define HANDLE_MAX_SLOTS  4096

struct handle_slot {
	struct object *obj; /* NULL: free */
	uint32_t rights;
	uint16_t gen;
	uint64_t badge; /* endpoints: identifies the sender to the receiver */
};

struct handle_table {
	struct handle_slot *slots;
	unsigned cap;
	struct quota *quota; /* charged for the slot array */
	uint16_t epoch;	     /* generation for slots added by growth: bumped on every shrink */
};

void handle_table_init(struct handle_table *t, struct quota *q);
/* Close every handle and free the slot array. */
void handle_table_destroy(struct handle_table *t);

/*
 * Install obj with rights; takes a new reference on success. ERR_FULL,
 * ERR_QUOTA or ERR_NOMEM on failure (nothing changes).
 */
int handle_install(struct handle_table *t, struct object *obj, uint32_t rights, handle_t *out);

/*
 * Look up h expecting type (OBJ_NONE: any) and all of `need` rights.
 * ERR_BADHANDLE if h is not open, ERR_INVALID if the type is wrong,
 * ERR_PERM if a right is missing. Borrowed: no reference is taken.
 */
int handle_get(struct handle_table *t, handle_t h, enum obj_type type, uint32_t need,
	       struct object **obj, uint32_t *rights);

/* Install with a badge (endpoint handles minted by SYS_HANDLE_MINT). */
int handle_install_badged(struct handle_table *t, struct object *obj, uint32_t rights,
			  uint64_t badge, handle_t *out);
/* The badge of an open handle (0 if h is not open). */
uint64_t handle_badge(struct handle_table *t, handle_t h);

/* Close h; ERR_BADHANDLE if it is not open. */
int handle_close(struct handle_table *t, handle_t h);

/* Number of open handles (tests and statistics). */
unsigned handle_count(const struct handle_table *t);

#endif
