/*
 * Signals for C programs. proc holds the process's dispositions and
 * delivers (user/proc/signal.c): this file keeps the handlers, tells proc
 * which signals have one, are ignored or blocked (PROC_SIGNALS, on every
 * change), and runs a handler when proc's upcall arrives at
 * __strata_sigtramp (sigtramp.S). While a handler runs its signal is
 * blocked (unless SA_NODEFER), as are those of sa_mask; upcalls do not
 * nest. A wait a signal cuts short (a console read, waitpid, sleep,
 * pause) returns EINTR, or starts again if the handler has SA_RESTART.
 */
#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <unistd.h>

#include "lib/error.h"
#include "lib/libc/sys.h"
#include "lib/user/proc_proto.h"
#include "lib/user/syscall.h"

#define BIT(s) (1ul << (s))
#define ALL    (BIT(NSIG) - 2) /* signals 1..31 */

extern char __strata_sigtramp[];

static struct sigaction actions[NSIG];
static sigset_t blocked;
static volatile bool last_restart;	 /* the last handler run had SA_RESTART */
static volatile unsigned long delivered; /* handlers run so far */

static bool valid(int sig)
{
	return sig >= 1 && sig < NSIG;
}

static bool is_handler(_sig_func_ptr h)
{
	return h != SIG_DFL && h != SIG_IGN;
}

/* Tell proc the dispositions and mask (*pending: what waits); -1 with errno if it refused. */
static int push_pending(uint64_t *pending)
{
	uint64_t handled = 0, ignored = 0, nodefer = 0;

	for (int s = 1; s < NSIG; s++) {
		if (is_handler(actions[s].sa_handler))
			handled |= BIT(s);
		else if (actions[s].sa_handler == SIG_IGN)
			ignored |= BIT(s);
		if (actions[s].sa_flags & SA_NODEFER)
			nodefer |= BIT(s);
	}
	*pending = 0;
	if (!__strata_us || !__strata_us->proc)
		return 0; /* no proc: nothing ever sends us a signal */
	struct msg m = {
	    .tag = msg_tag(PROC_SIGNALS, 5, 0),
	    .w = {handled, ignored, blocked & ALL, (uint64_t)__strata_sigtramp, nodefer}};
	int e = __strata_call(__strata_us->proc, &m);
	if (e != ERR_OK)
		return __strata_fail(e);
	*pending = m.w[0];
	return 0;
}

static int push(void)
{
	uint64_t pending;

	return push_pending(&pending);
}

/* Run by __strata_sigtramp in the interrupted thread. */
void __strata_signal(int sig);
void __strata_signal(int sig)
{
	if (!valid(sig))
		return;
	struct sigaction a = actions[sig];
	sigset_t before = blocked & ~BIT(sig); /* proc blocked sig for the handler */
	int err = errno;

	if (a.sa_flags & SA_RESETHAND)
		actions[sig].sa_handler = SIG_DFL;
	blocked = before | a.sa_mask | ((a.sa_flags & SA_NODEFER) ? 0 : BIT(sig));
	if (a.sa_mask || (a.sa_flags & SA_RESETHAND))
		push();
	last_restart = (a.sa_flags & SA_RESTART) != 0;
	delivered++;
	if (is_handler(a.sa_handler))
		a.sa_handler(sig);
	blocked = before;
	push(); /* proc delivers what waited meanwhile, after this upcall */
	errno = err;
}

bool __strata_signal_restart(void)
{
	return last_restart;
}

int sigaction(int sig, const struct sigaction *act, struct sigaction *old)
{
	if (!valid(sig) || (act && (sig == SIGKILL || sig == SIGSTOP))) {
		errno = EINVAL;
		return -1;
	}
	if (old)
		*old = actions[sig];
	if (!act)
		return 0;
	struct sigaction was = actions[sig];
	actions[sig] = *act;
	if (push() != 0) {
		actions[sig] = was;
		return -1;
	}
	return 0;
}

/* BSD semantics, as most systems give signal(): the handler stays, waits restart. */
_sig_func_ptr signal(int sig, _sig_func_ptr handler)
{
	struct sigaction a = {.sa_handler = handler, .sa_flags = SA_RESTART}, old;

	if (sigaction(sig, &a, &old) != 0)
		return SIG_ERR;
	return old.sa_handler;
}

int sigprocmask(int how, const sigset_t *set, sigset_t *old)
{
	sigset_t was = blocked;

	if (set && how != SIG_BLOCK && how != SIG_UNBLOCK && how != SIG_SETMASK) {
		errno = EINVAL;
		return -1;
	}
	if (old)
		*old = was;
	if (!set)
		return 0;
	if (how == SIG_BLOCK)
		blocked |= *set;
	else if (how == SIG_UNBLOCK)
		blocked &= ~*set;
	else
		blocked = *set;
	blocked &= ALL & ~(BIT(SIGKILL) | BIT(SIGSTOP));
	if (push() != 0) {
		blocked = was;
		return -1;
	}
	return 0;
}

int sigpending(sigset_t *set)
{
	uint64_t pending;

	if (push_pending(&pending) != 0) /* nothing changes; the reply says what waits */
		return -1;
	*set = (sigset_t)pending;
	return 0;
}

int raise(int sig)
{
	return kill(getpid(), sig);
}

/*
 * Wait until a handler has run (any signal: pause; with the mask set: for
 * sigsuspend). A handler that ran between the caller's look at delivered
 * and the wait counts too.
 */
static int wait_for_handler(unsigned long seen)
{
	while (delivered == seen)
		sys_sleep(1ull << 60); /* cut short (ERR_INTERRUPTED) by the upcall */
	errno = EINTR;
	return -1;
}

int pause(void)
{
	return wait_for_handler(delivered);
}

int sigsuspend(const sigset_t *mask)
{
	sigset_t was = blocked;
	unsigned long seen = delivered;

	blocked = *mask & ALL & ~(BIT(SIGKILL) | BIT(SIGSTOP));
	if (push() != 0) {
		blocked = was;
		return -1;
	}
	wait_for_handler(seen);
	blocked = was;
	push();
	errno = EINTR;
	return -1;
}

unsigned alarm(unsigned seconds)
{
	struct msg m = {.tag = msg_tag(PROC_ALARM, 1, 0), .w = {(uint64_t)seconds * 1000000000ull}};

	if (!__strata_us || !__strata_us->proc || __strata_call(__strata_us->proc, &m) != ERR_OK)
		return 0;
	return (unsigned)((m.w[0] + 999999999ull) / 1000000000ull);
}

/* abort() ends the process with SIGABRT even if a handler returns or it is ignored. */
void abort(void)
{
	sigset_t abrt = BIT(SIGABRT);

	sigprocmask(SIG_UNBLOCK, &abrt, NULL);
	raise(SIGABRT);
	struct sigaction dfl = {.sa_handler = SIG_DFL};
	sigaction(SIGABRT, &dfl, NULL);
	raise(SIGABRT);
	_exit(128 + SIGABRT); /* no proc to end us */
}
