/*
 * PROC_FORK: a child with a copy-on-write copy of the caller's memory, one
 * thread where the caller says, and its own pid and handles.
 */
#include "user/proc/proc.h"

#include "lib/error.h"
#include "lib/str.h"

/*
 * w0 = the child's entry pc, w1 = its sp, w2 = its a0. The child has the
 * parent's name, commit limit and heap; mem copies the memory (including
 * the start-up page, of which only the header fields that differ are
 * rewritten). Any failure undoes everything. On success m holds the reply:
 * w0 = the child's pid.
 */
int do_fork(struct process *parent, struct msg *m)
{
	uint64_t pc = m->w[0], sp = m->w[1], a0 = m->w[2];
	struct process *p = proc_alloc(parent->pid);

	if (!p)
		return ERR_FULL;
	p->limit = parent->limit;
	p->quota_bytes = parent->quota_bytes;
	p->heap_base = parent->heap_base;
	memcpy(p->name, parent->name, sizeof(p->name));
	signal_fork(p, parent);
	int e = setup_objects(p);
	if (e == ERR_OK)
		e = mem_vs_fork(parent->vs, p->space, &p->vs);
	if (e == ERR_OK)
		e = setup_give_handles(p);
	if (e == ERR_OK)
		e = fs_attach(p, parent->pid, false);
	if (e == ERR_OK)
		e = startpage_write_forked(p);
	if (e == ERR_OK)
		e = setup_thread(p, pc, sp, a0, &p->thread, &p->tid);
	if (e != ERR_OK) {
		setup_discard(p);
		return e;
	}
	p->state = SLOT_RUNNING;
	*m = (struct msg){.tag = msg_tag(PROC_FORK, 1, 0), .w = {(uint64_t)p->pid}};
	return ERR_OK;
}
