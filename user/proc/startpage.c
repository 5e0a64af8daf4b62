/*
 * The start-up page of an ordinary process: struct ustart at USTART_VA,
 * then argv[] and envp[] (addresses inside the page as the process sees
 * it), then the strings. proc lays the page out in a buffer of its own and
 * writes it into the process's memory with MEM_POKE: the page is an
 * ordinary anonymous mapping of the process, served by mem like any other.
 */
#include "user/proc/proc.h"

#include <stddef.h>

#include "lib/error.h"
#include "lib/str.h"

/* The page being prepared for the current request, and how much of it is used. */
static uint8_t page[PAGE] __attribute__((aligned(8)));
static size_t page_used;

/* The header fields fork changes: a contiguous run of struct ustart. */
#define FORK_FIRST offsetof(struct ustart, pid)
#define FORK_END   (offsetof(struct ustart, fs) + sizeof(handle_t))
_Static_assert(offsetof(struct ustart, ppid) == FORK_FIRST + 4 &&
		   offsetof(struct ustart, proc) == FORK_FIRST + 8 &&
		   offsetof(struct ustart, mem) == FORK_FIRST + 12 &&
		   offsetof(struct ustart, con) == FORK_FIRST + 16 &&
		   offsetof(struct ustart, con_input) == FORK_FIRST + 20 &&
		   offsetof(struct ustart, child_event) == FORK_FIRST + 24 &&
		   FORK_END == FORK_FIRST + 32,
	       "fork rewrites pid..fs as one run");

/*
 * Lay out argv, envp and their strings (from the argument block) after the
 * header in the page buffer. The header itself is filled in by
 * startpage_write once the handles exist. ERR_INVALID if it all does not
 * fit in one page; nothing outside the buffer has changed then.
 */
int startpage_build(const struct proc_args *a)
{
	size_t nvec = (size_t)a->argc + 1 + a->envc + 1;
	size_t vec = (sizeof(struct ustart) + 7) & ~(size_t)7;
	size_t str = vec + nvec * sizeof(uint64_t);

	if (str + a->strings_len > PAGE)
		return ERR_INVALID;
	memset(page, 0, sizeof(page));
	uint64_t *argv = (uint64_t *)(page + vec);
	uint64_t *envp = argv + a->argc + 1;
	size_t off = 0;
	for (uint32_t i = 0; i < a->argc + a->envc; i++) {
		uint64_t *slot = i < a->argc ? &argv[i] : &envp[i - a->argc];

		*slot = USTART_VA + str + off;
		off += strlen(a->strings + off) + 1;
	}
	memcpy(page + str, a->strings, a->strings_len);

	struct ustart *us = (struct ustart *)page;
	us->argc = (int32_t)a->argc;
	us->envc = (int32_t)a->envc;
	us->argv = USTART_VA + vec;
	us->envp = USTART_VA + vec + (a->argc + 1) * sizeof(uint64_t);
	page_used = str + a->strings_len;
	return ERR_OK;
}

/* Fill in the header of the built page for p and write the page into p's memory. */
int startpage_write(const struct process *p)
{
	struct ustart *us = (struct ustart *)page;

	us->magic = USTART_MAGIC;
	us->role = ROLE_PROCESS;
	us->pid = p->pid;
	us->ppid = p->ppid;
	us->proc = p->given.proc;
	us->mem = p->given.mem;
	us->con = p->given.con;
	us->con_input = p->given.con_input;
	us->child_event = p->given.child_event;
	us->fs = p->given.fs;
	us->heap_base = p->heap_base;
	us->timebase_hz = env.timebase_hz;
	us->nharts = env.nharts;
	return mem_poke(p->vs, USTART_VA, page, page_used);
}

/*
 * A forked child's page is a copy of its parent's: rewrite only who it is
 * and its handle values. Its argv and the rest stay valid, as every page
 * they point to was copied too.
 */
int startpage_write_forked(const struct process *p)
{
	struct ustart us;

	us.pid = p->pid;
	us.ppid = p->ppid;
	us.proc = p->given.proc;
	us.mem = p->given.mem;
	us.con = p->given.con;
	us.con_input = p->given.con_input;
	us.child_event = p->given.child_event;
	us.fs = p->given.fs;
	return mem_poke(p->vs, USTART_VA + FORK_FIRST, (uint8_t *)&us + FORK_FIRST,
			FORK_END - FORK_FIRST);
}
