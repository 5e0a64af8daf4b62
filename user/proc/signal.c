/*
 * Signals. proc keeps each process's dispositions (PROC_SIGNALS): a
 * signal sent to it (PROC_KILL, Ctrl-C through con, a child's end, an
 * alarm, an exception) is dropped, waits while blocked, runs the
 * process's handler, or takes its default action. A handler runs in the
 * process's thread through a kernel upcall (SYS_THREAD_UPCALL) at the
 * entry libc registered (lib/libc/signal.c), which calls the handler and
 * tells proc the mask to go on with; meanwhile the signal is blocked.
 */
#include "user/proc/proc.h"

#include "lib/error.h"
#include "lib/user/syscall.h"

#define BIT(n)	    (1u << (n))
#define UNBLOCKABLE (BIT(PROC_SIGKILL) | BIT(PROC_SIGSTOP))
/* Default action: nothing (POSIX's "ignore"; SIGCONT's is to continue, see signal_send). */
#define DEFAULT_IGNORED                                                                            \
	(BIT(16) /* SIGURG */ | BIT(PROC_SIGCONT) | BIT(PROC_SIGCHLD) | BIT(24) /* SIGWINCH */)
/* Default action: stop (the thread suspended until SIGCONT). */
#define DEFAULT_STOP (BIT(PROC_SIGSTOP) | BIT(PROC_SIGTSTP) | BIT(21) | BIT(22) /* TTIN, TTOU */)

/*
 * Stop p: its thread is suspended (already, if load control holds it); the
 * parent hears of it (child event, PROC_WAIT_STOPPED).
 */
static void stop(struct process *p, int sig)
{
	if (p->stopped_by || !p->thread || (!p->held && sys_thread_suspend(p->thread) != ERR_OK))
		return;
	p->stopped_by = sig;
	p->stop_reported = false;
	notify_parent(p);
}

/* SIGCONT, whatever its disposition, continues a stopped p first (POSIX). */
static void resume(struct process *p)
{
	if (!p->stopped_by)
		return;
	p->stopped_by = 0;
	if (p->thread && !p->held) /* a held one goes on when load control lets it */
		sys_thread_start(p->thread);
}

/* Run p's handler for sig now; false if the thread cannot take it (it is dying). */
static bool run_handler(struct process *p, int sig)
{
	if (!p->thread || sys_thread_upcall(p->thread, (unsigned)sig, p->sig.entry) != ERR_OK)
		return false;
	if (!(p->sig.nodefer & BIT(sig)))
		p->sig.blocked |= BIT(sig); /* until the handler is done (its PROC_SIGNALS) */
	return true;
}

/* sig arrives at p, not blocked: its disposition decides. */
static void act(struct process *p, int sig)
{
	uint32_t bit = BIT(sig);

	if (p->sig.ignored & bit)
		return;
	if ((p->sig.handled & bit) && run_handler(p, sig)) {
		/*
		 * The upcall waits for an IPC to end: a pipe read or write fs
		 * holds must end now, as POSIX interrupts it (EINTR, or a
		 * restart under SA_RESTART).
		 */
		fs_interrupt(p);
		return;
	}
	if (DEFAULT_IGNORED & bit)
		return;
	if (DEFAULT_STOP & bit) {
		stop(p, sig);
		return;
	}
	process_end(p, PROC_STATUS_SIGNALED(sig));
}

void signal_send(struct process *p, int sig)
{
	if (sig == PROC_SIGKILL) {
		process_end(p, PROC_STATUS_SIGNALED(PROC_SIGKILL));
		return;
	}
	if (sig == PROC_SIGSTOP) {
		stop(p, sig);
		return;
	}
	if (sig == PROC_SIGCONT)
		resume(p);
	if (p->sig.blocked & BIT(sig)) {
		p->sig.pending |= BIT(sig);
		return;
	}
	act(p, sig);
}

bool signal_handles_fault(struct process *p, int sig)
{
	uint32_t bit = BIT(sig);

	/* A fault while its signal is blocked (in its own handler, say) cannot wait: it ends p. */
	if ((p->sig.blocked & bit) || !(p->sig.handled & bit))
		return false;
	return run_handler(p, sig);
}

/* Signals that were waiting and may go now, lowest first, as long as p lives. */
static void deliver_pending(struct process *p)
{
	for (int sig = 1; sig < PROC_NSIG && p->state == SLOT_RUNNING; sig++) {
		uint32_t bit = BIT(sig);
		if ((p->sig.pending & bit) && !(p->sig.blocked & bit)) {
			p->sig.pending &= ~bit;
			act(p, sig);
		}
	}
}

int do_signals(struct process *p, struct msg *m)
{
	uint64_t handled = m->w[0], ignored = m->w[1], blocked = m->w[2], entry = m->w[3];
	uint64_t nodefer = m->w[4], all = (1ull << PROC_NSIG) - 2; /* signals 1..31 */

	if (msg_words(m->tag) < 5 || (handled | ignored | blocked | nodefer) & ~all ||
	    (handled | ignored) & UNBLOCKABLE || (handled && entry == 0))
		return ERR_INVALID;
	p->sig.handled = (uint32_t)handled;
	p->sig.ignored = (uint32_t)ignored & ~(uint32_t)handled;
	p->sig.blocked = (uint32_t)blocked & ~UNBLOCKABLE; /* POSIX: silently not blocked */
	p->sig.nodefer = (uint32_t)nodefer;
	p->sig.entry = entry;
	p->sig.pending &= ~p->sig.ignored;
	*m = (struct msg){.tag = msg_tag(PROC_SIGNALS, 1, 0), .w = {p->sig.pending}};
	deliver_pending(p);
	return ERR_OK;
}

int do_alarm(struct process *p, struct msg *m)
{
	uint64_t now = sys_clock(), ns = m->w[0];
	uint64_t left = p->sig.alarm_at > now ? p->sig.alarm_at - now : p->sig.alarm_at ? 1 : 0;

	if (msg_words(m->tag) < 1 || ns > UINT64_MAX - now)
		return ERR_INVALID;
	p->sig.alarm_at = ns ? now + ns : 0;
	*m = (struct msg){.tag = msg_tag(PROC_ALARM, 1, 0), .w = {left}};
	return ERR_OK;
}

void signal_alarms(void)
{
	uint64_t now = sys_clock();

	for (unsigned i = 0; i < NPROC; i++) {
		struct process *p = &procs[i];
		if (p->state == SLOT_RUNNING && p->sig.alarm_at && p->sig.alarm_at <= now) {
			p->sig.alarm_at = 0;
			signal_send(p, PROC_SIGALRM);
		}
	}
}

void signal_fork(struct process *child, const struct process *parent)
{
	child->sig = parent->sig;
	child->sig.pending = 0; /* POSIX: the child starts with none pending and no alarm */
	child->sig.alarm_at = 0;
}

void signal_exec(struct process *p)
{
	/* Handlers are gone with the program; ignored, blocked and pending stay (POSIX). */
	p->sig.handled = 0;
	p->sig.nodefer = 0;
	p->sig.entry = 0;
}
