/* System calls on quotas, frames, address spaces and regions. */
#include "kernel/frames.h"
#include "kernel/memlayout.h"
#include "kernel/rmap.h"
#include "kernel/sched.h"
#include "kernel/syscall.h"
#include "kernel/uaccess.h"
#include "lib/error.h"
#include "lib/str.h"
#include "mm/physmap.h"

#define FRAME_RIGHTS                                                                               \
	(RIGHT_READ | RIGHT_WRITE | RIGHT_MAP | RIGHT_GRANT | RIGHT_EXEC | RIGHT_MANAGE)
#define AD_MAX_PAGES 512

static struct {
	struct notify *n;
	uint64_t bits, low;
	bool fired;
} watch;

struct notify *memwatch_notify(void)
{
	return watch.n;
}

void memwatch_check(void)
{
	if (!watch.n)
		return;
	size_t free = frames_free_pages();
	if (!watch.fired && free < watch.low) {
		watch.fired = true;
		notify_signal(watch.n, watch.bits);
	} else if (watch.fired && free >= watch.low + watch.low / 8) {
		watch.fired = false; /* above the mark again (with hysteresis): re-arm */
	}
}

int sys_mem_watch(struct thread *t, struct trapframe *tf)
{
	void *sys;
	struct notify *n;
	int e = get(t, ARG(0), OBJ_SYSTEM, RIGHT_MANAGE, &sys);

	if (e == ERR_OK)
		e = get(t, ARG(1), OBJ_NOTIFY, RIGHT_WRITE, &n);
	if (e == ERR_OK && ARG(2) == 0)
		e = ERR_INVALID;
	if (e != ERR_OK)
		return e;
	object_get(&n->obj);
	if (watch.n)
		object_put(&watch.n->obj);
	watch.n = n;
	watch.bits = ARG(2);
	watch.low = ARG(3);
	watch.fired = false;
	memwatch_check();
	return ERR_OK;
}

int sys_quota_split(struct thread *t, struct trapframe *tf)
{
	struct quota *parent;
	int e = get(t, ARG(0), OBJ_QUOTA, RIGHT_MANAGE, &parent);
	uint64_t bytes = ARG(1);

	if (e != ERR_OK)
		return e;
	if (bytes == 0 || !IS_ALIGNED(bytes, PAGE_SIZE))
		return ERR_INVALID;
	if (quota_charge(parent, bytes) != ERR_OK)
		return ERR_QUOTA;
	struct quota *q = object_alloc(OBJ_QUOTA, sizeof(*q), parent, &e);
	if (!q) {
		quota_uncharge(parent, bytes);
		return e;
	}
	q->limit = bytes;
	q->parent = parent;
	object_get(&parent->obj);
	return return_handle(t, tf, &q->obj, RIGHTS_ALL & ~RIGHT_DEVICE);
}

int sys_quota_info(struct thread *t, struct trapframe *tf)
{
	struct quota *q;
	int e = get(t, ARG(0), OBJ_QUOTA, RIGHT_READ, &q);

	if (e != ERR_OK)
		return e;
	RET(1, q->limit);
	RET(2, q->used);
	return ERR_OK;
}

/* Bytes the kernel zeroes or copies between two preemption points. */
#define FRAME_SLICE_PAGES 64

/* Zero pages [page, page + n) of f a slice at a time. False if the thread was killed. */
static bool zero_pages(struct frameobj *f, uint64_t page, uint64_t n)
{
	for (uint64_t done = 0; done < n;) {
		uint64_t k = n - done > FRAME_SLICE_PAGES ? FRAME_SLICE_PAGES : n - done;
		memset(pa_to_kva(f->pa + (page + done) * PAGE_SIZE), 0, k * PAGE_SIZE);
		done += k;
		if (done < n && !sched_preempt_point())
			return false;
	}
	return true;
}

int sys_frame_alloc(struct thread *t, struct trapframe *tf)
{
	uint64_t order = ARG(0), flags = ARG(1);
	struct frameobj *f;
	uint32_t rights = FRAME_RIGHTS;

	struct quota *q = my_quota(t);

	if (order > BUDDY_MAX_ORDER ||
	    (flags & ~(uint64_t)(FRAME_ZEROED | FRAME_DEVICE | FRAME_QUOTA | FRAME_RMAP)))
		return ERR_INVALID;
	if (flags & FRAME_QUOTA) {
		/* Charged to a quota the caller manages: a loader pays with its child's. */
		int e = get(t, ARG(3), OBJ_QUOTA, RIGHT_MANAGE, &q);
		if (e != ERR_OK)
			return e;
	}
	if (flags & FRAME_DEVICE) {
		/* Physical addresses are for drivers the system object's holder trusts. */
		void *sys;
		int e = get(t, ARG(2), OBJ_SYSTEM, RIGHT_MANAGE, &sys);
		if (e != ERR_OK)
			return e;
		rights |= RIGHT_DEVICE;
	}
	if ((flags & FRAME_RMAP) && order > RMAP_MAX_ORDER)
		return ERR_INVALID;
	int e = frameobj_alloc(q, (unsigned)order, false, &f);
	if (e != ERR_OK)
		return e;
	f->rmap_on = flags & FRAME_RMAP;
	memwatch_check();
	/*
	 * Always zeroed: a frame must never show what its last owner left in
	 * it. Nobody else can see f yet; a large one is zeroed in slices.
	 */
	if (!zero_pages(f, 0, frameobj_pages(f))) {
		object_put(&f->obj);
		return ERR_PEER;
	}
	return return_handle(t, tf, &f->obj, rights);
}

int sys_frame_info(struct thread *t, struct trapframe *tf)
{
	struct frameobj *f;
	uint32_t rights;

	if (ARG(0) > INT32_MAX)
		return ERR_BADHANDLE;
	int e = handle_get(&t->space->handles, (handle_t)ARG(0), OBJ_FRAME, 0, (struct object **)&f,
			   &rights);
	if (e != ERR_OK)
		return e;
	RET(1, frameobj_pages(f));
	RET(2, (rights & RIGHT_DEVICE) ? f->pa : 0);
	RET(3, f->obj.refs); /* handles and mapped pages: 1 is the caller's handle alone */
	return ERR_OK;
}

/*
 * A driver learns where a frame a client handed it lies, to point a
 * device's DMA at it (no bounce copy). Only a holder of the system object
 * with RIGHT_DEVICE may ask: root gives that to the drivers it trusts. The
 * driver keeps the frame's handle while the transfer runs, so the frame
 * cannot be freed under the device.
 */
int sys_frame_phys(struct thread *t, struct trapframe *tf)
{
	struct frameobj *f;
	void *sys;
	int e = get(t, ARG(0), OBJ_FRAME, 0, &f);

	if (e == ERR_OK)
		e = get(t, ARG(1), OBJ_SYSTEM, RIGHT_DEVICE, &sys);
	if (e != ERR_OK)
		return e;
	RET(1, f->pa);
	RET(2, frameobj_pages(f));
	return ERR_OK;
}

/* [page, page + n) inside f, and f is memory the kernel may touch. */
static int check_frame_pages(const struct frameobj *f, uint64_t page, uint64_t n)
{
	if (f->mmio)
		return ERR_INVALID;
	if (n == 0 || page >= frameobj_pages(f) || n > frameobj_pages(f) - page)
		return ERR_RANGE;
	return ERR_OK;
}

int sys_frame_copy(struct thread *t, struct trapframe *tf)
{
	struct frameobj *dst, *src;
	uint64_t dpage = ARG(1), spage = ARG(3), n = ARG(4);
	int e = get(t, ARG(0), OBJ_FRAME, RIGHT_WRITE, &dst);

	if (e == ERR_OK)
		e = get(t, ARG(2), OBJ_FRAME, RIGHT_READ, &src);
	if (e == ERR_OK)
		e = check_frame_pages(dst, dpage, n);
	if (e == ERR_OK)
		e = check_frame_pages(src, spage, n);
	if (e != ERR_OK)
		return e;
	thread_hold(t, &dst->obj);
	thread_hold(t, &src->obj);
	/* Overlapping ranges of one frame copy backwards when the target is above. */
	bool backwards = dst == src && dpage > spage;
	for (uint64_t done = 0; done < n;) {
		uint64_t k = n - done > FRAME_SLICE_PAGES ? FRAME_SLICE_PAGES : n - done;
		uint64_t at = backwards ? n - done - k : done;
		memmove(pa_to_kva(dst->pa + (dpage + at) * PAGE_SIZE),
			pa_to_kva(src->pa + (spage + at) * PAGE_SIZE), k * PAGE_SIZE);
		done += k;
		if (done < n && !sched_preempt_point())
			return ERR_PEER;
	}
	return ERR_OK;
}

int sys_frame_zero(struct thread *t, struct trapframe *tf)
{
	struct frameobj *f;
	int e = get(t, ARG(0), OBJ_FRAME, RIGHT_WRITE, &f);

	if (e == ERR_OK)
		e = check_frame_pages(f, ARG(1), ARG(2));
	if (e != ERR_OK)
		return e;
	thread_hold(t, &f->obj);
	return zero_pages(f, ARG(1), ARG(2)) ? ERR_OK : ERR_PEER;
}

int sys_space_create(struct thread *t, struct trapframe *tf)
{
	struct quota *q;
	struct space *s;
	int e = get(t, ARG(0), OBJ_QUOTA, RIGHT_MANAGE, &q);

	if (e == ERR_OK)
		e = space_create(q, &s);
	if (e != ERR_OK)
		return e;
	return return_handle(t, tf, &s->obj, RIGHTS_ALL & ~RIGHT_DEVICE);
}

/* Unmap [va, end) of s in slices (the caller holds s). False if the thread was killed. */
static bool unmap_range(struct space *s, uint64_t va, uint64_t end)
{
	while (va < end) {
		space_unmap_slice(s, &va, end);
		if (va < end && !sched_preempt_point())
			return false;
	}
	return true;
}

/*
 * All or nothing: the range must be empty (checked first, in slices), then
 * it is mapped in slices. If another thread of the manager maps into the
 * range in between, this call undoes its own pages and says ERR_EXISTS.
 */
int sys_space_map(struct thread *t, struct trapframe *tf)
{
	struct space *s;
	struct frameobj *f;
	uint64_t va = ARG(1), page = ARG(3), npages = ARG(4);
	unsigned prot = (unsigned)ARG(5);
	int e = get(t, ARG(0), OBJ_SPACE, RIGHT_MAP, &s);

	if (e == ERR_OK && (ARG(5) > 7))
		e = ERR_INVALID;
	if (e == ERR_OK)
		e = get(t, ARG(2), OBJ_FRAME, frame_rights_for(prot), &f);
	if (e == ERR_OK)
		e = space_check_map(va, f, page, npages, prot);
	if (e != ERR_OK)
		return e;
	thread_hold(t, &s->obj);
	thread_hold(t, &f->obj);
	uint64_t end = va + npages * PAGE_SIZE;
	for (uint64_t cur = va; cur < end;) {
		if (space_range_mapped_slice(s, &cur, end))
			return ERR_EXISTS;
		if (cur < end && !sched_preempt_point())
			return ERR_PEER;
	}
	uint64_t done = 0;
	while (done < npages) {
		e = space_map_slice(s, va, f, page, &done, npages, prot);
		if (e != ERR_OK || (done < npages && !sched_preempt_point()))
			break;
	}
	if (e == ERR_OK && done == npages)
		return ERR_OK;
	unmap_range(s, va, va + done * PAGE_SIZE);
	return e != ERR_OK ? e : ERR_PEER;
}

int sys_space_unmap(struct thread *t, struct trapframe *tf)
{
	struct space *s;
	uint64_t va = ARG(1), len = ARG(2);
	int e = get(t, ARG(0), OBJ_SPACE, RIGHT_MAP, &s);

	if (e == ERR_OK)
		e = space_check_range(va, len);
	if (e != ERR_OK)
		return e;
	thread_hold(t, &s->obj);
	return unmap_range(s, va, va + len) ? ERR_OK : ERR_PEER;
}

/* Check the whole range first (validate, then change), then lower it, both in slices. */
int sys_space_protect(struct thread *t, struct trapframe *tf)
{
	struct space *s;
	uint64_t va = ARG(1), len = ARG(2), end = va + len;
	unsigned prot = (unsigned)ARG(3);
	int e = get(t, ARG(0), OBJ_SPACE, RIGHT_MAP, &s);

	if (e == ERR_OK && ARG(3) > 7)
		e = ERR_INVALID;
	if (e == ERR_OK)
		e = space_check_protect(va, len, prot);
	if (e != ERR_OK)
		return e;
	thread_hold(t, &s->obj);
	for (uint64_t cur = va; cur < end;) {
		if ((e = space_protect_check_slice(s, &cur, end, prot)) != ERR_OK)
			return e;
		if (cur < end && !sched_preempt_point())
			return ERR_PEER;
	}
	for (uint64_t cur = va; cur < end;) {
		space_protect_slice(s, &cur, end, prot);
		if (cur < end && !sched_preempt_point())
			return ERR_PEER;
	}
	return ERR_OK;
}

/*
 * Bits of pages that are taken away cannot be put back: before anything is
 * taken, make sure they can be written out by writing n zeros to out (the
 * copy may fault in the caller's buffer and block on its pager: hold o,
 * the space or frame, across it). bits[0..n) is zeroed too.
 */
static int zeros_out(struct thread *t, struct object *o, uint64_t out, uint8_t *bits, uint64_t n)
{
	memset(bits, 0, n);
	thread_hold(t, o);
	return copyout((void *)(uintptr_t)out, bits, n);
}

/* SYS_SPACE_AD with AD_UNMAP: the pages go, their bits come back (written out first as zeros). */
static int ad_unmap(struct thread *t, struct space *s, const uint64_t *vas, unsigned n, uint64_t va,
		    uint8_t *bits, uint64_t out)
{
	int e = vas ? ERR_OK : space_check_range(va, (uint64_t)n * PAGE_SIZE);

	if (e != ERR_OK)
		return e;
	e = zeros_out(t, &s->obj, out, bits, n);
	if (e != ERR_OK)
		return e;
	space_unmap_ad(s, vas, n, va, n, bits);
	return copyout((void *)(uintptr_t)out, bits, n);
}

int sys_space_ad(struct thread *t, struct trapframe *tf)
{
	struct space *s;
	uint8_t bits[AD_MAX_PAGES];
	uint64_t vas[AD_LIST_MAX];
	uint64_t npages = ARG(2), out = ARG(3), flags = ARG(4);
	bool list = flags & AD_LIST;
	int e = get(t, ARG(0), OBJ_SPACE, RIGHT_MAP | RIGHT_READ, &s);

	if (e == ERR_OK && (flags & ~(uint64_t)(AD_CLEAR | AD_UNMAP | AD_LIST)))
		e = ERR_INVALID;
	if (e == ERR_OK && (npages == 0 || npages > (list ? AD_LIST_MAX : AD_MAX_PAGES)))
		e = ERR_RANGE;
	if (e == ERR_OK && !user_range_ok(out, npages))
		e = ERR_FAULT;
	if (e == ERR_OK && list)
		e = copyin(vas, (const void *)(uintptr_t)ARG(1), npages * sizeof(vas[0]));
	if (e == ERR_OK && list)
		e = space_check_pages(vas, (unsigned)npages);
	if (e != ERR_OK)
		return e;
	if (flags & AD_UNMAP)
		return ad_unmap(t, s, list ? vas : NULL, (unsigned)npages, ARG(1), bits, out);
	/*
	 * Read and clear in one step, so no bit set in between is lost; if the
	 * result cannot be written out, the bits go back into the PTEs. The
	 * copy can block on the caller's pager: hold s across it.
	 */
	bool clear = flags & AD_CLEAR;
	if (list)
		space_read_ad_list(s, vas, (unsigned)npages, bits, clear);
	else if ((e = space_read_ad(s, ARG(1), (unsigned)npages, bits, clear)) != ERR_OK)
		return e;
	thread_hold(t, &s->obj);
	e = copyout((void *)(uintptr_t)out, bits, npages);
	if (e != ERR_OK && clear && !list)
		space_restore_ad(s, ARG(1), (unsigned)npages, bits);
	for (unsigned i = 0; e != ERR_OK && clear && list && i < npages; i++)
		space_restore_ad(s, vas[i], 1, &bits[i]);
	return e;
}

/*
 * SYS_FRAME_AD: the A/D bits of pages of a FRAME_RMAP frame, gathered from
 * every space that maps them (kernel/rmap.h), cleared or the pages unmapped
 * everywhere in the same step. Only the frame's manager may: it is how a
 * pager takes a shared page back.
 */
int sys_frame_ad(struct thread *t, struct trapframe *tf)
{
	struct frameobj *f;
	uint8_t bits[AD_MAX_PAGES];
	uint64_t page = ARG(1), npages = ARG(2), out = ARG(3), flags = ARG(4), count;
	int e = get(t, ARG(0), OBJ_FRAME, RIGHT_MANAGE, &f);

	if (e == ERR_OK && (flags & ~(uint64_t)(AD_CLEAR | AD_UNMAP | AD_OTHERS)))
		e = ERR_INVALID;
	if (e == ERR_OK && (npages == 0 || npages > AD_MAX_PAGES || page >= frameobj_pages(f) ||
			    npages > frameobj_pages(f) - page))
		e = ERR_RANGE;
	if (e == ERR_OK && !user_range_ok(out, npages))
		e = ERR_FAULT;
	if (e == ERR_OK && !f->rmap_on)
		e = ERR_STATE;
	if (e != ERR_OK)
		return e;
	e = zeros_out(t, &f->obj, out, bits, npages);
	if (e != ERR_OK)
		return e;
	count = rmap_take_ad(f, page, npages, (flags & AD_OTHERS) ? t->space : NULL,
			     flags & AD_CLEAR, flags & AD_UNMAP, bits);
	RET(1, count);
	return copyout((void *)(uintptr_t)out, bits, npages);
}

int sys_region_add(struct thread *t, struct trapframe *tf)
{
	struct space *s;
	struct endpoint *ep;
	uint64_t va = ARG(1), len = ARG(2);
	int e = get(t, ARG(0), OBJ_SPACE, RIGHT_MANAGE, &s);

	if (e == ERR_OK)
		e = get(t, ARG(3), OBJ_ENDPOINT, RIGHT_WRITE, &ep);
	if (e == ERR_OK && va + len < va)
		e = ERR_RANGE;
	if (e != ERR_OK)
		return e;
	uint64_t flags = ARG(5) & ~(uint64_t)(PROT_R | PROT_W | PROT_X);
	uint64_t badge = ARG(4), held = handle_badge(&t->space->handles, (handle_t)ARG(3));
	if (flags & ~(uint64_t)REGION_REPLACE)
		return ERR_INVALID;
	/* A badged handle speaks for one object of its pager: it cannot name another. */
	if (held && badge && badge != held)
		return ERR_PERM;
	struct region r = {.base = va,
			   .end = va + len,
			   .pager = &ep->obj,
			   .badge = held ? held : badge,
			   .offset = ARG(6),
			   .maxrights = (uint32_t)(ARG(5) & (PROT_R | PROT_W | PROT_X))};
	if (flags & REGION_REPLACE)
		return space_region_replace(s, &r);
	return space_region_add(s, &r);
}

int sys_region_remove(struct thread *t, struct trapframe *tf)
{
	struct space *s;
	int e = get(t, ARG(0), OBJ_SPACE, RIGHT_MANAGE, &s);

	if (e != ERR_OK)
		return e;
	return space_region_remove(s, ARG(1));
}
