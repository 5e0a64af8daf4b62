#include "kernel/fault.h"

#include "kernel/arch.h"
#include "kernel/console.h"
#include "kernel/ipc.h"
#include "kernel/memlayout.h"
#include "kernel/space.h"
#include "lib/error.h"

unsigned fault_access(uint64_t scause)
{
	switch (scause) {
	case EXC_LOAD_PAGE:
		return PROT_R;
	case EXC_STORE_PAGE:
		return PROT_W;
	case EXC_INST_PAGE:
		return PROT_X;
	default:
		return 0;
	}
}

int fault_resolve(struct thread *t, uint64_t va, unsigned access, uint64_t pc)
{
	struct space *s = t->space;

	if (va >= USER_TOP)
		return ERR_RANGE;
	if (space_fix_ad(s, va, access))
		return ERR_OK;
	const struct region *r = region_find(&s->regions, va);
	if (!r)
		return ERR_NOENT;
	if (access & ~r->maxrights)
		return ERR_PERM;
	struct kmsg *m = &t->out;
	kmsg_release(m);
	m->tag = msg_tag(MSG_FAULT, 5, 0) | MSG_FROM_KERNEL;
	m->words[0] = va;
	m->words[1] = access;
	m->words[2] = va - r->base;
	m->words[3] = pc;
	m->words[4] = t->id;
	t->in_fault = true;
	t->fault_va = va;
	t->fault_access = access;
	s->faults++;
	t->faults++;
	int status = ipc_call(t, (struct endpoint *)r->pager, r->badge);
	t->in_fault = false;
	return status;
}

static uint32_t rights_for(unsigned prot)
{
	return RIGHT_MAP | ((prot & PROT_R) ? RIGHT_READ : 0) |
	       ((prot & PROT_W) ? RIGHT_WRITE : 0) | ((prot & PROT_X) ? RIGHT_EXEC : 0);
}

/* Decode map item i of the pager's reply into *it; checks the frame handle. */
static int decode_item(struct thread *pager, const struct region *r, unsigned i,
		       struct map_item *it)
{
	uint64_t w0 = pager->out.words[2 * i], w1 = pager->out.words[2 * i + 1];
	struct object *o;

	it->va = w0 & ~(uint64_t)0xfff;
	it->prot = w0 & 7;
	it->page = w1 >> 32;
	if ((w0 & 0xff8) != 0)
		return ERR_INVALID;
	if (it->va < r->base || it->va >= r->end)
		return ERR_RANGE;
	if (it->prot & ~r->maxrights)
		return ERR_PERM;
	int e = handle_get(&pager->space->handles, (handle_t)(uint32_t)w1, OBJ_FRAME,
			   rights_for(it->prot), &o, NULL);
	if (e != ERR_OK)
		return e;
	it->frame = (struct frameobj *)o;
	return ERR_OK;
}

int fault_reply(struct thread *pager, struct thread *faulter)
{
	uint64_t tag = pager->out.tag;

	if (msg_error(tag))
		return msg_error(tag) < 0 ? msg_error(tag) : ERR_INVALID;
	unsigned nw = msg_words(tag);
	if (msg_label(tag) != MSG_FAULT || (nw & 1) || nw / 2 > FAULT_MAX_ITEMS)
		return ERR_INVALID;
	/* The region may have changed while the pager worked: look it up again. */
	const struct region *r = region_find(&faulter->space->regions, faulter->fault_va);
	if (!r)
		return ERR_NOENT;
	struct map_item items[FAULT_MAX_ITEMS];
	unsigned n = nw / 2;
	for (unsigned i = 0; i < n; i++) {
		int e = decode_item(pager, r, i, &items[i]);
		if (e != ERR_OK)
			return e;
	}
	int e = space_check_items(items, n);
	if (e == ERR_OK)
		e = space_apply_items(faulter->space, items, n);
	return e;
}

static void __attribute__((noreturn)) die(struct thread *t, uint64_t cause, uint64_t addr, int err)
{
	kprintf("strata: thread %lu died: %s at %p (pc %p)%s%s\n", t->id, trap_cause_name(cause),
		(void *)addr, (void *)t->utf->tf.sepc, err ? ": " : "", err ? err_name(err) : "");
	thread_exit(-1);
}

void exception_raise(struct thread *t, uint64_t cause, uint64_t addr, int err)
{
	if (!t->exc_ep)
		die(t, cause, addr, err);
	struct kmsg *m = &t->out;
	kmsg_release(m);
	m->tag = msg_tag(MSG_EXCEPTION, 5, 0) | MSG_FROM_KERNEL;
	m->words[0] = cause;
	m->words[1] = addr;
	m->words[2] = t->utf->tf.sepc;
	m->words[3] = t->id;
	m->words[4] = (uint64_t)(int64_t)err;
	int status = ipc_call(t, t->exc_ep, t->exc_badge);
	if (status != ERR_OK || msg_error(t->in.tag) || t->kill_pending)
		thread_exit(-1);
	if (msg_words(t->in.tag) >= 1 && t->in.words[0])
		t->utf->tf.sepc = t->in.words[0];
}
