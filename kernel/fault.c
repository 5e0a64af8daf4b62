#include "kernel/fault.h"

#include "kernel/arch.h"
#include "kernel/console.h"
#include "kernel/ipc.h"
#include "kernel/memlayout.h"
#include "kernel/ptewatch.h"
#include "kernel/space.h"
#include "lib/error.h"
#include "lib/faultmsg.h"

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
	if (space_fix_fault(s, va, access) != FAULT_REAL)
		return ERR_OK; /* A/D set, or a stale translation dropped: retry the access */
	const struct region *r = region_find(&s->regions, va);
	if (!r)
		return ERR_NOENT;
	if (access & ~r->maxrights)
		return ERR_PERM;
	/*
	 * The fault may hit while a system call is staging a message in t->out
	 * (copying words from the IPC buffer): set that aside, it is not ours.
	 */
	struct kmsg saved = t->out;
	struct kmsg *m = &t->out;
	for (unsigned i = 0; i < MSG_MAX_HANDLES; i++)
		m->objs[i] = NULL;
	m->tag = msg_tag(MSG_FAULT, 5, 0) | MSG_FROM_KERNEL;
	m->words[0] = va;
	uint64_t ahead = (r->end - ((va & ~(uint64_t)(PAGE_SIZE - 1)) + PAGE_SIZE)) / PAGE_SIZE;
	m->words[1] = access | (ahead < FAULT_AHEAD_MAX ? ahead : FAULT_AHEAD_MAX)
				   << FAULT_AHEAD_SHIFT;
	m->words[2] = r->offset + (va - r->base);
	m->words[3] = pc;
	m->words[4] = t->id;
	t->in_fault = true;
	t->fault_va = va;
	t->fault_access = access;
	t->fault_gen = s->regions_gen;
	s->faults++;
	t->faults++;
	int status = ipc_call(t, (struct endpoint *)r->pager, r->badge);
	t->in_fault = false;
	kmsg_release(&t->out);
	t->out = saved;
	return status;
}

int fault_reply(struct thread *pager, struct thread *faulter)
{
	/*
	 * If the regions changed while the pager worked, the range may be
	 * another pager's now (mem gives ranges away): install nothing, and
	 * the thread's retried access faults to whoever serves it now.
	 */
	if (faulter->space->regions_gen != faulter->fault_gen)
		return ERR_OK;
	const struct region *r = region_find(&faulter->space->regions, faulter->fault_va);
	struct fault_item fi[FAULT_MAX_ITEMS];
	struct map_item items[FAULT_MAX_ITEMS];
	unsigned n = 0;

	if (!r)
		return ERR_NOENT;
	int e = fault_items_decode(pager->out.tag, pager->out.words, r->base, r->end, r->maxrights,
				   fi, &n);
	/* The decoder checked rights, W^X, targets and duplicates; the frames remain. */
	for (unsigned i = 0; e == ERR_OK && i < n; i++) {
		struct object *o;
		e = handle_get(&pager->space->handles, fi[i].frame, OBJ_FRAME,
			       frame_rights_for(fi[i].prot), &o, NULL);
		if (e == ERR_OK && fi[i].page >= frameobj_pages((struct frameobj *)o))
			e = ERR_RANGE;
		items[i] =
		    (struct map_item){fi[i].va, (struct frameobj *)o, fi[i].page, fi[i].prot};
	}
	if (e == ERR_OK)
		e = space_apply_items(faulter->space, items, n);
	return e;
}

static void __attribute__((noreturn)) die(struct thread *t, uint64_t cause, uint64_t addr, int err)
{
	ptewatch_death(t, cause, addr);
	kprintf("strata: thread %lu died: %s at %p (pc %p)%s%s\n", t->id, trap_cause_name(cause),
		(void *)addr, (void *)t->utf->tf.sepc, err ? ": " : "", err ? err_name(err) : "");
	thread_exit(-1);
}

void exception_raise(struct thread *t, uint64_t cause, uint64_t addr, int err)
{
	if (t->kill_pending)
		thread_exit(t->exit_status); /* killed while faulting: no exception to report */
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
	if (t->kill_pending)
		thread_exit(t->exit_status);
	if (status != ERR_OK || msg_error(t->in.tag) || msg_label(t->in.tag) != MSG_EXCEPTION)
		thread_exit(-1);
	if (msg_words(t->in.tag) >= 1 && t->in.words[0])
		t->utf->tf.sepc = t->in.words[0];
}
