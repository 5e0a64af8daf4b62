/*
 * Signals (lib/libc/signal.c, user/proc/signal.c): handlers run between
 * two instructions of the interrupted code, masks hold signals back,
 * alarms, SIGCHLD, a SIGSEGV handler, abort, EINTR, what exec keeps.
 */
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "lib/libc/strata.h"
#include "user/c/systest/systest.h"

static volatile sig_atomic_t hits, last_sig;

static void count(int sig)
{
	hits++;
	last_sig = sig;
}

/* pid's wait status (-1 if waitpid failed). */
static int status_of(pid_t pid)
{
	int st;

	return waitpid(pid, &st, 0) == pid ? st : -1;
}

static bool killed_by(int st, int sig)
{
	return st != -1 && WIFSIGNALED(st) && WTERMSIG(st) == sig;
}

static bool exited_with(int st, int code)
{
	return st != -1 && WIFEXITED(st) && WEXITSTATUS(st) == code;
}

/* raise runs the handler before it returns; SIG_IGN drops, SIG_DFL ends the process. */
static bool signal_raise_handle_ignore_default(void)
{
	hits = 0;
	CHECK(signal(SIGUSR1, count) == SIG_DFL);
	CHECK(raise(SIGUSR1) == 0 && hits == 1 && last_sig == SIGUSR1);
	CHECK(raise(SIGUSR1) == 0 && hits == 2);
	CHECK(signal(SIGUSR2, SIG_IGN) == SIG_DFL && raise(SIGUSR2) == 0 && hits == 2);
	CHECK(signal(SIGCHLD, SIG_DFL) == SIG_DFL && raise(SIGCHLD) == 0); /* default: nothing */
	CHECK(signal(SIGKILL, count) == SIG_ERR && errno == EINVAL);
	CHECK(signal(0, count) == SIG_ERR && signal(NSIG, count) == SIG_ERR);
	pid_t pid = fork();
	if (pid == 0) {
		signal(SIGUSR2, SIG_DFL);
		raise(SIGUSR2);
		_exit(0);
	}
	CHECK(killed_by(status_of(pid), SIGUSR2));
	return true;
}

static volatile sig_atomic_t stop;

static void set_stop(int sig)
{
	(void)sig;
	stop = 1;
}

/* A handler reaches a process spinning in a loop that makes no call at all. */
static bool signal_reaches_a_spinning_process(void)
{
	pid_t pid = fork();

	if (pid == 0) {
		signal(SIGUSR1, set_stop);
		volatile double x = 0; /* FP in use across the handler */
		while (!stop)
			x += 1.0;
		_exit(x > 0 ? 7 : 8);
	}
	CHECK(pid > 0);
	usleep(100000);
	CHECK(kill(pid, SIGUSR1) == 0);
	CHECK(exited_with(status_of(pid), 7));
	return true;
}

/* A blocked signal waits (sigpending), and runs once when unblocked. */
static bool signal_blocked_waits(void)
{
	sigset_t set, was, pending;

	hits = 0;
	signal(SIGUSR1, count);
	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	CHECK(sigprocmask(SIG_BLOCK, &set, &was) == 0 && !sigismember(&was, SIGUSR1));
	CHECK(raise(SIGUSR1) == 0 && raise(SIGUSR1) == 0 && hits == 0);
	CHECK(sigpending(&pending) == 0 && sigismember(&pending, SIGUSR1));
	CHECK(sigprocmask(SIG_SETMASK, &was, NULL) == 0);
	CHECK(hits == 1); /* one delivery for the two: signals are a set */
	CHECK(sigpending(&pending) == 0 && !sigismember(&pending, SIGUSR1));
	CHECK(sigprocmask(99, &set, NULL) == -1 && errno == EINVAL);
	/* SIGKILL cannot be blocked: a blocked-all child still dies of it. */
	pid_t pid = fork();
	if (pid == 0) {
		sigset_t all;
		sigfillset(&all);
		sigprocmask(SIG_SETMASK, &all, NULL);
		for (;;)
			pause();
	}
	usleep(50000);
	CHECK(kill(pid, SIGTERM) == 0 && kill(pid, SIGKILL) == 0);
	CHECK(killed_by(status_of(pid), SIGKILL));
	return true;
}

/* alarm() sends SIGALRM; pause() returns -1/EINTR once its handler ran. */
static bool signal_alarm_and_pause(void)
{
	hits = 0;
	signal(SIGALRM, count);
	CHECK(alarm(1) == 0);
	CHECK(alarm(1) == 1); /* the first one had about a second left */
	CHECK(pause() == -1 && errno == EINTR && hits == 1 && last_sig == SIGALRM);
	CHECK(alarm(0) == 0);
	/* Without a handler, SIGALRM ends the process. */
	pid_t pid = fork();
	if (pid == 0) {
		signal(SIGALRM, SIG_DFL);
		alarm(1);
		for (;;)
			pause();
	}
	CHECK(killed_by(status_of(pid), SIGALRM));
	return true;
}

/* SIGCHLD when a child ends, waited for without a race: blocked, then sigsuspend. */
static bool signal_sigchld(void)
{
	struct sigaction a = {.sa_handler = count};
	sigset_t chld, was;

	hits = 0;
	CHECK(sigaction(SIGCHLD, &a, NULL) == 0);
	sigemptyset(&chld);
	sigaddset(&chld, SIGCHLD);
	CHECK(sigprocmask(SIG_BLOCK, &chld, &was) == 0);
	pid_t pid = fork();
	if (pid == 0)
		_exit(3);
	CHECK(pid > 0 && hits == 0);
	CHECK(sigsuspend(&was) == -1 && errno == EINTR);
	CHECK(hits == 1 && last_sig == SIGCHLD);
	sigset_t now;
	CHECK(sigprocmask(SIG_SETMASK, NULL, &now) == 0 && sigismember(&now, SIGCHLD));
	CHECK(exited_with(status_of(pid), 3));
	return true;
}

static sigjmp_buf escape;
static volatile int *volatile unmapped = (volatile int *)8; /* page 0 is never mapped */

static void segv_escape(int sig)
{
	siglongjmp(escape, sig);
}

/* A SIGSEGV handler gets the fault and leaves it with siglongjmp, twice. */
static bool signal_segv_handler(void)
{
	struct sigaction a = {.sa_handler = segv_escape};

	CHECK(sigaction(SIGSEGV, &a, NULL) == 0);
	for (int round = 0; round < 2; round++) {
		int got = sigsetjmp(escape, 1);
		if (got == 0) {
			*unmapped = 1;
			CHECK(!"the store did not fault");
		}
		CHECK(got == SIGSEGV);
	}
	/* A fault in the handler of the same signal (blocked then) ends the process. */
	pid_t pid = fork();
	if (pid == 0) {
		struct sigaction bad = {.sa_handler = (void (*)(int))8};
		sigaction(SIGSEGV, &bad, NULL);
		*unmapped = 1;
		_exit(0);
	}
	CHECK(killed_by(status_of(pid), SIGSEGV));
	return true;
}

static void returns(int sig)
{
	(void)sig;
}

/* abort() ends with SIGABRT, even when a handler returns. */
static bool signal_abort(void)
{
	pid_t pid = fork();

	if (pid == 0)
		abort();
	CHECK(killed_by(status_of(pid), SIGABRT));
	pid = fork();
	if (pid == 0) {
		signal(SIGABRT, returns);
		abort();
	}
	CHECK(killed_by(status_of(pid), SIGABRT));
	return true;
}

/* A handler without SA_RESTART cuts nanosleep short with EINTR and the time left. */
static bool signal_eintr(void)
{
	struct sigaction a = {.sa_handler = count};
	struct timespec req = {5, 0}, rem = {0, 0};

	hits = 0;
	CHECK(sigaction(SIGALRM, &a, NULL) == 0);
	alarm(1);
	CHECK(nanosleep(&req, &rem) == -1 && errno == EINTR && hits == 1);
	CHECK(rem.tv_sec >= 1 && rem.tv_sec <= 4);
	return true;
}

/*
 * A handler interrupts a read of an empty pipe and a write to a full one
 * (which fs keeps waiting): EINTR without SA_RESTART, the bytes a write
 * moved, and with SA_RESTART the read goes on and gets what comes later.
 */
static bool signal_interrupts_pipe_io(void)
{
	static char big[3 * 65536]; /* more than a pipe holds (fs's PIPE_SIZE) */
	struct sigaction a = {.sa_handler = count};
	int p[2];
	char c = 0;

	hits = 0;
	CHECK(sigaction(SIGALRM, &a, NULL) == 0);
	CHECK(pipe(p) == 0);
	alarm(1);
	CHECK(read(p[0], &c, 1) == -1 && errno == EINTR && hits == 1);

	/* A full pipe: the write returns what it moved, and all of it can be read. */
	memset(big, 'w', sizeof(big));
	alarm(1);
	ssize_t moved = write(p[1], big, sizeof(big));
	CHECK(hits == 2 && moved > 0 && moved < (ssize_t)sizeof(big));
	for (ssize_t got = 0; got < moved;) {
		ssize_t r = read(p[0], big, sizeof(big));
		CHECK(r > 0);
		for (ssize_t i = 0; i < r; i++)
			CHECK(big[i] == 'w');
		got += r;
		CHECK(got <= moved);
	}

	a.sa_flags = SA_RESTART;
	CHECK(sigaction(SIGALRM, &a, NULL) == 0);
	pid_t pid = fork();
	if (pid == 0) {
		sleep(2);
		_exit(write(p[1], "x", 1) == 1 ? 0 : 1);
	}
	CHECK(pid > 0);
	alarm(1);
	CHECK(read(p[0], &c, 1) == 1 && c == 'x' && hits == 3);
	CHECK(exited_with(status_of(pid), 0));
	close(p[0]);
	close(p[1]);
	return true;
}

/*
 * A process group takes a signal whole: kill(-pgid) reaches a child's own
 * children; spawn can start a process in a new group or an existing one.
 */
static bool signal_process_groups(void)
{
	char *spin[] = {"systest", "spin", NULL};
	int p[2];
	pid_t g = 0, pid;

	CHECK(pipe(p) == 0);
	pid = fork();
	if (pid == 0) {
		setpgid(0, 0);
		pid_t c = fork();
		if (c == 0)
			for (;;)
				pause();
		_exit(write(p[1], &c, sizeof(c)) == sizeof(c) ? pause() : 1);
	}
	CHECK(pid > 0);
	setpgid(pid, pid); /* from both sides, as a shell does: whichever comes first */
	CHECK(read(p[0], &g, sizeof(g)) == sizeof(g) && g > 0);
	close(p[0]);
	close(p[1]);
	CHECK(getpgid(pid) == pid && getpgid(g) == pid && getpgrp() != pid);
	CHECK(kill(-pid, 0) == 0 && kill(0, 0) == 0);
	CHECK(kill(-pid, SIGTERM) == 0);
	CHECK(killed_by(status_of(pid), SIGTERM));
	for (int i = 0; i < 200 && kill(g, 0) == 0; i++)
		usleep(10000); /* an orphan now, reaped by proc */
	CHECK(kill(g, 0) == -1 && errno == ESRCH);
	CHECK(kill(-pid, SIGTERM) == -1 && errno == ESRCH);

	pid = strata_spawn_pgroup("systest", spin, 0, 0);
	CHECK(pid > 0 && getpgid(pid) == pid);
	pid_t q = strata_spawn_pgroup("systest", spin, 0, pid);
	CHECK(q > 0 && getpgid(q) == pid);
	CHECK(strata_spawn_pgroup("systest", spin, 0, 0x7ffffff0) == -1 && errno == EPERM);
	CHECK(setpgid(0x7ffffff0, 0) == -1 && errno == ESRCH); /* no such process */
	if (getppid() > 0)
		CHECK(setpgid(getppid(), 0) == -1 && errno == ESRCH); /* not a child */
	CHECK(setpgid(q, 0x7ffffff0) == -1 && errno == EPERM);	      /* no such group */
	CHECK(kill(-pid, SIGKILL) == 0);
	CHECK(killed_by(status_of(pid), SIGKILL) && killed_by(status_of(q), SIGKILL));
	return true;
}

/* exec keeps SIG_IGN and drops handlers (the new program has none of them). */
static bool signal_exec_keeps_ignored(void)
{
	char *argv[] = {"systest", "raise-usr1", NULL};
	pid_t pid = fork();

	if (pid == 0) {
		signal(SIGUSR1, SIG_IGN);
		execv("systest", argv);
		_exit(9);
	}
	CHECK(exited_with(status_of(pid), 0));
	pid = fork();
	if (pid == 0) {
		signal(SIGUSR1, count);
		execv("systest", argv);
		_exit(9);
	}
	CHECK(killed_by(status_of(pid), SIGUSR1));
	return true;
}

/* SIGSTOP and SIGTSTP stop (waitpid WUNTRACED sees it), SIGCONT continues; a sleep goes on. */
static bool signal_stop_and_continue(void)
{
	int st;
	pid_t pid = fork();

	if (pid == 0) {
		struct timespec t0, t1;
		clock_gettime(CLOCK_MONOTONIC, &t0);
		sleep(1); /* stopped in the middle: it sleeps the rest once continued */
		clock_gettime(CLOCK_MONOTONIC, &t1);
		_exit(t1.tv_sec - t0.tv_sec >= 1 ? 4 : 5);
	}
	CHECK(pid > 0);
	usleep(100000);
	CHECK(kill(pid, SIGSTOP) == 0);
	CHECK(waitpid(pid, &st, WUNTRACED) == pid && WIFSTOPPED(st) && WSTOPSIG(st) == SIGSTOP);
	CHECK(waitpid(pid, &st, WNOHANG | WUNTRACED) == 0); /* reported once */
	CHECK(kill(pid, SIGCONT) == 0);
	CHECK(exited_with(status_of(pid), 4));
	/* SIGTSTP too, and a stopped process still dies of SIGTERM. */
	pid = fork();
	if (pid == 0)
		for (;;)
			;
	CHECK(kill(pid, SIGTSTP) == 0);
	CHECK(waitpid(pid, &st, WUNTRACED) == pid && WIFSTOPPED(st) && WSTOPSIG(st) == SIGTSTP);
	CHECK(kill(pid, SIGTERM) == 0 && killed_by(status_of(pid), SIGTERM));
	CHECK(waitpid(getpid(), &st, 3 << 8) == -1 && errno == EINVAL); /* unknown options */
	return true;
}

const struct systest signal_tests[] = {
    {"signal_raise_handle_ignore_default", signal_raise_handle_ignore_default},
    {"signal_reaches_a_spinning_process", signal_reaches_a_spinning_process},
    {"signal_blocked_waits", signal_blocked_waits},
    {"signal_alarm_and_pause", signal_alarm_and_pause},
    {"signal_sigchld", signal_sigchld},
    {"signal_segv_handler", signal_segv_handler},
    {"signal_abort", signal_abort},
    {"signal_eintr", signal_eintr},
    {"signal_interrupts_pipe_io", signal_interrupts_pipe_io},
    {"signal_process_groups", signal_process_groups},
    {"signal_exec_keeps_ignored", signal_exec_keeps_ignored},
    {"signal_stop_and_continue", signal_stop_and_continue},
    {0, 0},
};
