/*
 * Exceptions of process threads: proc is every process's exception
 * handler. An exception runs the process's handler for the POSIX signal
 * that matches it, or ends the process with that signal, after a line on
 * the console saying what happened.
 */
#include "user/proc/proc.h"

#include "lib/error.h"
#include "lib/user/ulib.h"

/* scause values (RISC-V privileged spec) */
enum {
	CAUSE_MISALIGNED_FETCH = 0,
	CAUSE_FETCH_ACCESS = 1,
	CAUSE_ILLEGAL = 2,
	CAUSE_BREAKPOINT = 3,
	CAUSE_MISALIGNED_LOAD = 4,
	CAUSE_LOAD_ACCESS = 5,
	CAUSE_MISALIGNED_STORE = 6,
	CAUSE_STORE_ACCESS = 7,
	CAUSE_FETCH_PAGE = 12,
	CAUSE_LOAD_PAGE = 13,
	CAUSE_STORE_PAGE = 15,
};

/* The access a memory fault was, or NULL if the cause is no memory fault. */
static const char *fault_access(uint64_t cause)
{
	switch (cause) {
	case CAUSE_LOAD_PAGE:
	case CAUSE_LOAD_ACCESS:
		return "load";
	case CAUSE_STORE_PAGE:
	case CAUSE_STORE_ACCESS:
		return "store";
	case CAUSE_FETCH_PAGE:
	case CAUSE_FETCH_ACCESS:
		return "exec";
	default:
		return NULL;
	}
}

/*
 * A page fault the range's pager answered with an error saying the page
 * cannot be had, rather than that the access is wrong: beyond the end of
 * its object, its I/O failed, or the pager is gone. POSIX says SIGBUS.
 */
static bool pager_failed(uint64_t cause, uint64_t addr, int err)
{
	/* The kernel's own ERR_RANGE is for an address that is no user address at all. */
	return fault_access(cause) &&
	       ((err == ERR_RANGE && addr < USER_TOP_ABI) || err == ERR_IO || err == ERR_PEER);
}

/* The POSIX signal an exception cause (and the pager's error, for a fault) stands for. */
static int signal_of(uint64_t cause, uint64_t addr, int err)
{
	if (pager_failed(cause, addr, err))
		return PROC_SIGBUS;
	if (fault_access(cause))
		return PROC_SIGSEGV;
	if (cause == CAUSE_BREAKPOINT)
		return PROC_SIGTRAP;
	if (cause == CAUSE_MISALIGNED_FETCH || cause == CAUSE_MISALIGNED_LOAD ||
	    cause == CAUSE_MISALIGNED_STORE)
		return PROC_SIGBUS;
	return PROC_SIGILL;
}

/* Print what happened to p, which dies of it. */
static void report(const struct process *p, uint64_t cause, uint64_t addr, uint64_t pc, int err)
{
	const char *access = fault_access(cause);

	if (pager_failed(cause, addr, err))
		con_printf(&env.out, "%s[%d]: bus error at 0x%lx (pc 0x%lx, %s): %s\n", p->name,
			   p->pid, addr, pc, access, err_name(err));
	else if (access)
		con_printf(&env.out, "%s[%d]: segmentation fault at 0x%lx (pc 0x%lx, %s)\n",
			   p->name, p->pid, addr, pc, access);
	else if (cause == CAUSE_ILLEGAL)
		con_printf(&env.out, "%s[%d]: illegal instruction at pc 0x%lx\n", p->name, p->pid,
			   pc);
	else if (cause == CAUSE_BREAKPOINT) /* ebreak: nobody debugs processes */
		con_printf(&env.out, "%s[%d]: breakpoint at pc 0x%lx\n", p->name, p->pid, pc);
	else if (signal_of(cause, addr, err) == PROC_SIGBUS)
		con_printf(&env.out, "%s[%d]: misaligned access at 0x%lx (pc 0x%lx)\n", p->name,
			   p->pid, addr, pc);
	else
		con_printf(&env.out, "%s[%d]: exception %lu at pc 0x%lx\n", p->name, p->pid, cause,
			   pc);
}

/*
 * An exception message (the caller checked it came from the kernel with an
 * exception badge): w0 cause, w1 address, w2 pc, w3 thread id, w4 the
 * pager's error for a fault. If the
 * process has a handler for the signal (and it is not blocked), the
 * handler's upcall is posted and the thread resumes into it (at the same
 * pc afterwards, as POSIX has it); otherwise the verdict is "die" (an
 * error reply), sent before the process is ended. A thread that is not
 * the process's current one (or of no process) is just refused. A fault
 * that found no memory while mem overcommits goes to the OOM killer
 * (oom.c) instead: another process ends and the thread retries, or the
 * faulting process is the one chosen.
 */
void do_exception(struct msg *m)
{
	int32_t pid = (int32_t)(m->badge & PID_MASK);
	uint64_t cause = m->w[0], addr = m->w[1], pc = m->w[2], tid = m->w[3];
	int err = msg_words(m->tag) >= 5 ? (int)(int64_t)m->w[4] : ERR_OK;
	struct process *p = proc_running(pid);
	struct msg reply = {.tag = msg_error_tag(MSG_EXCEPTION, ERR_INVALID)};

	enum oom_verdict oom = OOM_NOT_OVERCOMMITTED;
	if (p && p->tid == tid && fault_access(cause) && err == ERR_NOMEM)
		oom = oom_fault(p);
	if (oom == OOM_RETRY || (oom == OOM_NOT_OVERCOMMITTED && p && p->tid == tid &&
				 signal_handles_fault(p, signal_of(cause, addr, err)))) {
		reply = (struct msg){.tag = msg_tag(MSG_EXCEPTION, 0, 0)};
		ipc_reply(&reply);
		return;
	}
	ipc_reply(&reply);
	if (oom == OOM_FAULTER_DIES) { /* oom.c said why */
		process_end(p, PROC_STATUS_SIGNALED(PROC_SIGKILL));
		return;
	}
	if (!p || p->tid != tid)
		return;
	report(p, cause, addr, pc, err);
	process_end(p, PROC_STATUS_SIGNALED(signal_of(cause, addr, err)));
}
