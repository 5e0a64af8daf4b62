/*
 * The kernel objects behind a process, and its handles. Each process has
 * its own quota, split from proc's, that pays for its space, page tables,
 * handle table and thread, so a process cannot use up the kernel memory of
 * the others; mem pays for the pages it is given.
 */
#include "user/proc/proc.h"

#include "lib/error.h"
#include "lib/user/syscall.h"

#define QUOTA_BASE	(128ull << 10)
#define PAGES_PER_TABLE 256		       /* of commit limit, per page-table page paid for */
#define FALLBACK_LIMIT	((64ull << 20) / PAGE) /* if mem cannot tell its own */
#define MAX_LIMIT_PAGES (1ull << 32)	       /* far beyond any machine: refused */

/* What a commit limit of 0 means to mem: all it can give (MEM_STATS commit_limit). */
static uint64_t default_limit = FALLBACK_LIMIT;

/* Learn mem's default commit limit; called once at start, mem being up by then. */
void setup_default_limit(void)
{
	struct mem_stats st;

	if (mem_stats(&st) == ERR_OK && st.commit_limit > 0)
		default_limit = st.commit_limit;
}

/*
 * Resolve a requested commit limit (0: mem's default) into *limit, and size
 * the process's kernel quota for it into *bytes: a base for the space,
 * handle table and thread stacks (two at once during exec), and page tables
 * for all it may map. mem pays for the pages, but the tables mapping them
 * are the process's: if they did not fit, a page mem agreed to give could
 * not be mapped and the process would die of a segmentation fault instead
 * of getting ENOMEM. A table maps 512 pages; paying one per 256 leaves room
 * for tables only half used. No process can have more than mem's default,
 * so a bigger limit costs no more quota. ERR_QUOTA: a limit beyond reason.
 */
int setup_limit(uint64_t *limit, uint64_t *bytes)
{
	if (*limit > MAX_LIMIT_PAGES)
		return ERR_QUOTA;
	if (*limit == 0)
		*limit = default_limit;
	uint64_t pages = *limit < default_limit ? *limit : default_limit;
	*bytes = QUOTA_BASE + (pages + PAGES_PER_TABLE - 1) / PAGES_PER_TABLE * PAGE;
	return ERR_OK;
}

/*
 * Create p's quota (of p->quota_bytes), empty space and child_event
 * notification. On error whatever was created stays in p for
 * setup_discard.
 */
int setup_objects(struct process *p)
{
	int e = sys_quota_split(env.quota, p->quota_bytes, &p->quota);

	if (e == ERR_OK)
		e = sys_space_create(p->quota, &p->space);
	if (e == ERR_OK)
		e = sys_notify_create(&p->event);
	return e;
}

/*
 * Mint a copy of ep (unbadged) carrying badge, give it to p's space with
 * rights, and drop proc's copy: the process's handle is all that is needed.
 */
static int give_minted(const struct process *p, handle_t ep, uint64_t badge, uint32_t rights,
		       handle_t *out)
{
	handle_t h;
	int e = sys_handle_mint(ep, rights | RIGHT_GRANT, badge, &h);

	if (e != ERR_OK)
		return e;
	e = sys_handle_give(p->space, h, rights, out);
	sys_handle_close(h);
	return e;
}

/* Give h (if proc has it) to p's space with rights; 0 stays 0. */
static int give_plain(const struct process *p, handle_t h, uint32_t rights, handle_t *out)
{
	*out = 0;
	return h ? sys_handle_give(p->space, h, rights, out) : ERR_OK;
}

/*
 * Put the process's handles in its table and record their values in
 * p->given: proc badged with its pid and mem badged with its memory space
 * (both WRITE only), con (WRITE), the console-input notification and its
 * child_event notification (READ), and fs badged with its pid (WRITE).
 */
int setup_give_handles(struct process *p)
{
	int e = give_minted(p, env.serve, (uint64_t)p->pid, RIGHT_WRITE, &p->given.proc);

	if (e == ERR_OK)
		e = give_minted(p, env.mem, p->vs, RIGHT_WRITE, &p->given.mem);
	if (e == ERR_OK)
		e = give_plain(p, env.con, RIGHT_WRITE, &p->given.con);
	if (e == ERR_OK)
		e = give_plain(p, env.con_input, RIGHT_READ, &p->given.con_input);
	if (e == ERR_OK)
		e = give_plain(p, p->event, RIGHT_READ, &p->given.child_event);
	p->given.fs = 0;
	if (e == ERR_OK && env.fs)
		e = give_minted(p, env.fs, (uint64_t)p->pid, RIGHT_WRITE, &p->given.fs);
	return e;
}

/*
 * Create and start a thread of p at pc with sp and a0, its IPC buffer at
 * USTART_IPCBUF and proc as its exception handler (badge EXC_BADGE | pid).
 * On success *thread and *tid (the kernel's thread id) are set; on error
 * the thread is gone again.
 */
int setup_thread(const struct process *p, uint64_t pc, uint64_t sp, uint64_t a0, handle_t *thread,
		 uint64_t *tid)
{
	struct thread_info ti = {0};
	handle_t t;
	int e = sys_thread_create(p->space, pc, sp, a0, PROC_PRIO, &t);

	if (e != ERR_OK)
		return e;
	e = sys_thread_set_ipcbuf(t, USTART_IPCBUF);
	if (e == ERR_OK)
		e = sys_thread_set_exception(t, env.serve, EXC_BADGE | (uint64_t)p->pid);
	if (e == ERR_OK)
		e = sys_thread_info(t, &ti);
	if (e == ERR_OK)
		e = sys_thread_start(t);
	if (e != ERR_OK) {
		sys_handle_close(t); /* never started: closing its only handle ends it */
		return e;
	}
	*thread = t;
	*tid = ti.id;
	return ERR_OK;
}

static void close_handle(handle_t *h)
{
	if (*h)
		sys_handle_close(*h);
	*h = 0;
}

/*
 * Undo a process that could not be set up: stop its thread, have mem forget
 * its memory, close proc's handles (the space goes with the last of them,
 * and with it the handles given to it) and free the slot.
 */
void setup_discard(struct process *p)
{
	if (p->thread)
		sys_thread_kill(p->thread, -1);
	if (p->vs)
		mem_vs_destroy(p->vs);
	fs_detach(p);
	close_handle(&p->thread);
	close_handle(&p->space);
	close_handle(&p->quota);
	close_handle(&p->event);
	proc_free(p);
}
