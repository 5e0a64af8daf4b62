#include "kernel/handle.h"

#include "lib/error.h"
#include "lib/str.h"
#include "mm/slab.h"

#define INDEX_MASK ((1u << HANDLE_INDEX_BITS) - 1)
#define GEN_MASK   0x7fffu /* keeps handle values positive */

void handle_table_init(struct handle_table *t, struct quota *q)
{
	*t = (struct handle_table){.slots = NULL, .cap = 0, .quota = q};
}

static handle_t encode(unsigned index, uint16_t gen)
{
	return (handle_t)(((uint32_t)gen << HANDLE_INDEX_BITS) | (index + 1));
}

/* The slot h names, or NULL if h is not an open handle. */
static struct handle_slot *lookup(struct handle_table *t, handle_t h)
{
	if (h <= 0)
		return NULL;
	unsigned index = ((uint32_t)h & INDEX_MASK) - 1;
	uint16_t gen = (uint16_t)(((uint32_t)h >> HANDLE_INDEX_BITS) & GEN_MASK);
	if (((uint32_t)h & INDEX_MASK) == 0 || index >= t->cap)
		return NULL;
	struct handle_slot *s = &t->slots[index];
	return (s->obj && s->gen == gen) ? s : NULL;
}

/* Double the slot array (charged to the table's quota). */
static int grow(struct handle_table *t)
{
	unsigned cap = t->cap ? t->cap * 2 : 16;

	if (cap > HANDLE_MAX_SLOTS)
		return ERR_FULL;
	size_t bytes = cap * sizeof(struct handle_slot);
	size_t old_bytes = t->cap * sizeof(struct handle_slot);
	if (t->quota && quota_charge(t->quota, bytes) != ERR_OK)
		return ERR_QUOTA;
	struct handle_slot *s = kzalloc(bytes);
	if (!s) {
		if (t->quota)
			quota_uncharge(t->quota, bytes);
		return ERR_NOMEM;
	}
	if (t->slots)
		memcpy(s, t->slots, old_bytes);
	/* Slots beyond the old end may have existed before a shrink: new generation. */
	for (unsigned i = t->cap; i < cap; i++)
		s[i].gen = t->epoch;
	kfree(t->slots);
	if (t->quota && old_bytes)
		quota_uncharge(t->quota, old_bytes);
	t->slots = s;
	t->cap = cap;
	return ERR_OK;
}

int handle_install(struct handle_table *t, struct object *obj, uint32_t rights, handle_t *out)
{
	return handle_install_badged(t, obj, rights, 0, out);
}

uint64_t handle_badge(struct handle_table *t, handle_t h)
{
	struct handle_slot *s = lookup(t, h);

	return s ? s->badge : 0;
}

/* An endpoint is open while a handle with the right to receive exists. */
static void reader_added(struct object *o, uint32_t rights)
{
	if (o->type == OBJ_ENDPOINT && (rights & RIGHT_READ) && o->readers++ == 0)
		object_first_reader(o);
}

static void reader_removed(struct object *o, uint32_t rights)
{
	if (o->type == OBJ_ENDPOINT && (rights & RIGHT_READ) && --o->readers == 0)
		object_last_reader(o);
}

int handle_install_badged(struct handle_table *t, struct object *obj, uint32_t rights,
			  uint64_t badge, handle_t *out)
{
	unsigned i = 0;

	while (i < t->cap && t->slots[i].obj)
		i++;
	if (i == t->cap) {
		int e = grow(t);
		if (e != ERR_OK)
			return e;
	}
	struct handle_slot *s = &t->slots[i];
	s->obj = obj;
	s->rights = rights & RIGHTS_ALL;
	s->badge = badge;
	object_get(obj);
	reader_added(obj, s->rights);
	*out = encode(i, s->gen);
	return ERR_OK;
}

int handle_get(struct handle_table *t, handle_t h, enum obj_type type, uint32_t need,
	       struct object **obj, uint32_t *rights)
{
	struct handle_slot *s = lookup(t, h);

	if (!s)
		return ERR_BADHANDLE;
	if (type != OBJ_NONE && s->obj->type != type)
		return ERR_INVALID;
	if ((s->rights & need) != need)
		return ERR_PERM;
	*obj = s->obj;
	if (rights)
		*rights = s->rights;
	return ERR_OK;
}

/*
 * Halve the slot array while its upper half is empty, so a burst of
 * handles does not hold kernel memory forever. Handles keep their index:
 * only slots no handle can name are given back. Best effort: if the smaller
 * array cannot be had, the table stays as it is.
 */
static void shrink(struct handle_table *t)
{
	while (t->cap > 16) {
		unsigned half = t->cap / 2;
		for (unsigned i = half; i < t->cap; i++) {
			if (t->slots[i].obj)
				return;
		}
		struct handle_slot *s = kmalloc(half * sizeof(struct handle_slot));
		if (!s)
			return;
		memcpy(s, t->slots, half * sizeof(struct handle_slot));
		/* Later slots start above every generation the dropped ones reached. */
		for (unsigned i = half; i < t->cap; i++) {
			if (t->slots[i].gen >= t->epoch)
				t->epoch = (uint16_t)((t->slots[i].gen + 1) & GEN_MASK);
		}
		kfree(t->slots);
		if (t->quota)
			quota_uncharge(t->quota, half * sizeof(struct handle_slot));
		t->slots = s;
		t->cap = half;
	}
}

int handle_close(struct handle_table *t, handle_t h)
{
	struct handle_slot *s = lookup(t, h);

	if (!s)
		return ERR_BADHANDLE;
	struct object *o = s->obj;
	uint32_t rights = s->rights;
	s->obj = NULL;
	s->rights = 0;
	s->badge = 0;
	s->gen = (uint16_t)((s->gen + 1) & GEN_MASK);
	reader_removed(o, rights);
	object_put(o);
	shrink(t);
	return ERR_OK;
}

void handle_table_destroy(struct handle_table *t)
{
	for (unsigned i = 0; i < t->cap; i++) {
		struct object *o = t->slots[i].obj;
		if (o) {
			t->slots[i].obj = NULL;
			reader_removed(o, t->slots[i].rights);
			object_put(o);
		}
	}
	if (t->quota && t->cap)
		quota_uncharge(t->quota, t->cap * sizeof(struct handle_slot));
	kfree(t->slots);
	t->slots = NULL;
	t->cap = 0;
}

unsigned handle_count(const struct handle_table *t)
{
	unsigned n = 0;

	for (unsigned i = 0; i < t->cap; i++)
		n += t->slots[i].obj != NULL;
	return n;
}
