/*
 * PROC_SPAWN: a new process running a program (from the file system or the initrd), a child of
 * the caller (root counts as pid 0).
 */
#include "user/proc/proc.h"

#include "lib/error.h"
#include "lib/str.h"

/* The group w0 asks for (PROC_SPAWN_PGROUP): 0 for a new one; ERR_PERM if it has nobody. */
static int spawn_group(uint64_t flags, int32_t *pgid)
{
	uint64_t group = flags >> 32;

	*pgid = -1; /* the caller's */
	if (!(flags & PROC_SPAWN_PGROUP))
		return group ? ERR_INVALID : ERR_OK;
	if (group > INT32_MAX)
		return ERR_INVALID;
	*pgid = (int32_t)group;
	return group == 0 || pgroup_exists(*pgid) ? ERR_OK : ERR_PERM;
}

/*
 * Check the request completely (flags, argument block, program, start-up
 * page), then build the process step by step; any failure undoes every
 * step and is the reply. On success m holds the reply: w0 = the new pid.
 */
int do_spawn(int32_t caller, struct msg *m)
{
	static struct proc_args a;
	struct program prog = {0};
	uint64_t limit = m->w[1], quota_bytes;
	int32_t pgid;

	int e = spawn_group(m->w[0], &pgid);
	if (e == ERR_OK)
		e = program_prepare(m, PROC_SPAWN_PGROUP | 0xffffffff00000000ull, &a, &prog);
	if (e == ERR_OK)
		e = setup_limit(&limit, &quota_bytes);
	struct process *p = e == ERR_OK ? proc_alloc(caller) : 0;
	if (e == ERR_OK && !p)
		e = ERR_FULL;
	if (e != ERR_OK) {
		program_release(&prog);
		return e;
	}
	if (pgid >= 0)
		p->pgid = pgid ? pgid : p->pid;
	p->limit = limit;
	p->quota_bytes = quota_bytes;
	p->heap_base = prog.heap_base;
	str_copy(p->name, program_name(a.path), sizeof(p->name));
	e = setup_objects(p);
	if (e == ERR_OK)
		e = mem_vs_create(p->space, p->limit, &p->vs);
	if (e == ERR_OK)
		e = program_map(p->vs, &prog);
	program_release(&prog); /* mem holds the program's image now, if it needs one */
	if (e == ERR_OK)
		e = setup_give_handles(p);
	if (e == ERR_OK)
		e = fs_attach(p, caller, true);
	if (e == ERR_OK)
		e = startpage_write(p);
	if (e == ERR_OK)
		e = setup_thread(p, prog.img.entry, USTACK_TOP, USTART_VA, &p->thread, &p->tid);
	if (e != ERR_OK) {
		setup_discard(p);
		return e;
	}
	p->state = SLOT_RUNNING;
	*m = (struct msg){.tag = msg_tag(PROC_SPAWN, 1, 0), .w = {(uint64_t)p->pid}};
	return ERR_OK;
}
