#include "kernel/frameobj.h"

#include "kernel/frames.h"
#include "kernel/ptewatch.h"
#include "lib/error.h"

static struct frameobj *devices; /* device frames, for frameobj_of */

int frameobj_alloc(struct quota *q, unsigned order, bool zero, struct frameobj **out)
{
	uint64_t bytes = (uint64_t)PAGE_SIZE << order;
	int err;

	if (order > BUDDY_MAX_ORDER)
		return ERR_INVALID;
	if (q && quota_charge(q, bytes) != ERR_OK)
		return ERR_QUOTA;
	paddr_t pa;
	err = frame_alloc(order, zero, &pa);
	if (err != ERR_OK) {
		if (q)
			quota_uncharge(q, bytes);
		return err;
	}
	struct frameobj *f = object_alloc(OBJ_FRAME, sizeof(*f), q, &err);
	if (!f) {
		frame_free(pa, order);
		if (q)
			quota_uncharge(q, bytes);
		return err;
	}
	f->pa = pa;
	f->order = order;
	f->npages = 1ull << order;
	frames_set_owner(pa, f);
	*out = f;
	return ERR_OK;
}

int frameobj_device(paddr_t pa, uint64_t npages, bool mmio, struct frameobj **out)
{
	int err;
	struct frameobj *f = object_alloc(OBJ_FRAME, sizeof(*f), NULL, &err);

	if (!f)
		return err;
	f->pa = pa;
	f->npages = npages;
	f->device = true;
	f->mmio = mmio;
	f->next_device = devices;
	devices = f;
	*out = f;
	return ERR_OK;
}

void frameobj_destroy(struct frameobj *f)
{
	if (f->device) {
		for (struct frameobj **pp = &devices; *pp; pp = &(*pp)->next_device) {
			if (*pp == f) {
				*pp = f->next_device;
				break;
			}
		}
		return;
	}
	ptewatch_leaf(NULL, PW_FRAME, f->pa, f->npages, f->maps);
	frames_set_owner(f->pa, NULL);
	frame_free(f->pa, f->order);
	if (f->obj.quota)
		quota_uncharge(f->obj.quota, (uint64_t)PAGE_SIZE << f->order);
}

struct frameobj *frameobj_of(paddr_t pa)
{
	struct frameobj *f = frames_owner(pa);

	if (f)
		return f;
	for (f = devices; f; f = f->next_device) {
		if (pa >= f->pa && pa < f->pa + f->npages * PAGE_SIZE)
			return f;
	}
	return NULL;
}
