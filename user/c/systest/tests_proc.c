/* systest: processes through proc — fork, exec, wait, kill, crashes, scheduling, demos. */
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "lib/libc/strata.h"
#include "user/c/systest/systest.h"

#define PAGE   4096ul
#define NPAGES 16

static unsigned char data[NPAGES * PAGE] __attribute__((aligned(4096)));

static int wait_for(int pid)
{
	int st = -1;
	return waitpid(pid, &st, 0) == pid ? st : -1;
}

/* The child's side of fork_cow: reads share, writes copy, each counted by mem. */
static int cow_child(void)
{
	struct mem_vs_stats s0, s1, s2;
	unsigned sum = 0;

	if (strata_vs_stats(0, &s0) != 0)
		return 10;
	for (int i = 0; i < NPAGES; i++)
		sum += data[i * PAGE] + data[i * PAGE + PAGE - 1];
	if (strata_vs_stats(0, &s1) != 0)
		return 11;
	for (int i = 0; i < NPAGES / 2; i++)
		data[i * PAGE] = 0xee;
	if (strata_vs_stats(0, &s2) != 0)
		return 12;
	if (sum != 2u * 0xab * NPAGES)
		return 13; /* the child sees the parent's data */
	if (s1.cow_copies != s0.cow_copies || s1.cow_shared - s0.cow_shared < 1)
		return 14; /* reading copies nothing */
	if (s2.cow_copies - s1.cow_copies != NPAGES / 2)
		return 15; /* each page written is copied once */
	return 0;
}

/* After fork, both sides see their own data; pages are shared until written. */
static bool fork_cow(void)
{
	memset(data, 0xab, sizeof(data));
	int pid = fork();
	if (pid == 0)
		_exit(cow_child());
	CHECK(pid > 0);
	data[NPAGES * PAGE - 1] = 0x11; /* the parent writes too: its copy only */
	int st = wait_for(pid);
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
		printf("    child status %#x\n", st);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	for (int i = 0; i < NPAGES; i++)
		CHECK(data[i * PAGE] == 0xab);
	CHECK(data[NPAGES * PAGE - 1] == 0x11);
	return true;
}

/* Exit codes reach the parent; a child can fork too; ids are right. */
static bool fork_tree(void)
{
	int me = getpid(), pids[3];

	for (int i = 0; i < 3; i++) {
		pids[i] = fork();
		if (pids[i] == 0) {
			if (getppid() != me)
				_exit(99);
			int g = fork(); /* a grandchild */
			if (g == 0)
				_exit(getppid() == me ? 98 : 7);
			int st = wait_for(g);
			_exit(WIFEXITED(st) && WEXITSTATUS(st) == 7 ? 3 + i : 97);
		}
		CHECK(pids[i] > 0 && pids[i] != me);
	}
	for (int i = 2; i >= 0; i--) {
		int st = wait_for(pids[i]);
		CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 3 + i);
	}
	errno = 0;
	CHECK(waitpid(-1, NULL, 0) == -1 && errno == ECHILD);
	CHECK(waitpid(-1, NULL, WNOHANG) == -1 && errno == ECHILD);
	return true;
}

/* exec replaces the program and passes arguments; a failed exec returns to the caller. */
static bool exec_args(void)
{
	int pid = fork();
	if (pid == 0) {
		char *bad[] = {"no-such-program", 0};
		errno = 0;
		if (execv("no-such-program", bad) != -1 || errno != ENOENT)
			_exit(5);
		char *argv[] = {"systest", "exec-target", "alpha", "beta gamma", 0};
		execv("systest", argv);
		_exit(6);
	}
	CHECK(pid > 0);
	int st = wait_for(pid);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 42);
	return true;
}

/* A crashing child is reported and reaped; the parent and others go on. */
static bool crash_reported(void)
{
	char *segv[] = {"systest", "segv", 0}, *ill[] = {"systest", "illegal", 0};
	char *hello[] = {"hello", 0};

	int st = run_child(segv, 0);
	CHECK(st != -1 && WIFSIGNALED(st) && WTERMSIG(st) == 11);
	st = run_child(ill, 0);
	CHECK(st != -1 && WIFSIGNALED(st) && WTERMSIG(st) == 4);
	CHECK(run_child(hello, 0) == 0);
	return true;
}

/* A process that spins does not starve the others (same priority); kill ends it. */
static bool spinner_fair(void)
{
	char *argv[] = {"systest", "spin", 0};
	struct timespec a, b;
	int pid = strata_spawn("systest", argv, 0);

	CHECK(pid > 0);
	clock_gettime(CLOCK_MONOTONIC, &a);
	volatile unsigned long x = 0;
	for (unsigned long i = 0; i < 2000000; i++)
		x += i;
	usleep(20000);
	clock_gettime(CLOCK_MONOTONIC, &b);
	CHECK(b.tv_sec > a.tv_sec || b.tv_nsec > a.tv_nsec);
	CHECK(kill(pid, 0) == 0);
	CHECK(kill(pid, SIGTERM) == 0);
	int st = wait_for(pid);
	CHECK(WIFSIGNALED(st) && WTERMSIG(st) == SIGTERM);
	errno = 0;
	CHECK(kill(pid, SIGTERM) == -1 && errno == ESRCH);
	return true;
}

/* Spawning checks its arguments. */
static bool spawn_errors(void)
{
	static char big[600];
	char *argv[] = {"x", big, 0};

	errno = 0;
	CHECK(strata_spawn("no-such-program", argv, 0) == -1 && errno == ENOENT);
	memset(big, 'a', sizeof(big) - 1);
	errno = 0;
	CHECK(strata_spawn("hello", argv, 0) == -1 && errno == E2BIG);
	errno = 0;
	CHECK(kill(getpid(), 0) == 0);
	CHECK(kill(1 << 30, SIGTERM) == -1 && errno == ESRCH);
	CHECK(kill(getpid(), 99) == -1 && errno == EINVAL);
	return true;
}

/* The orphan (parent -1 in proc's list) whose pid's low byte is low, or -1. */
static int find_orphan(int low)
{
	struct proc_info pi;

	for (int c = 0;;) {
		int next = strata_proc_list(c, &pi);
		if (next < 0)
			return -1;
		if ((pi.pid & 0xff) == low && pi.ppid == -1)
			return pi.pid;
		if (next == 0)
			return -1;
		c = next;
	}
}

/*
 * A parent that ends without waiting: its ended child (a zombie) goes with
 * it, its running child becomes an orphan (listed with parent -1) that is
 * reaped as soon as it ends; the runner's check then finds every frame back.
 */
static bool orphans(void)
{
	int hold[2]; /* the orphan lives until we close our end: no timing to guess */

	CHECK(pipe(hold) == 0);
	int mid = fork();
	if (mid == 0) {
		if (fork() == 0) /* a zombie: ends at once, never waited for */
			_exit(0);
		int orphan = fork();
		if (orphan == 0) {
			char c;
			close(hold[1]);
			read(hold[0], &c, 1); /* end of file once every writer is gone */
			_exit(0);
		}
		_exit(orphan & 0xff); /* the orphan's pid, as far as a status can say */
	}
	CHECK(mid > 0);
	close(hold[0]);
	int st = wait_for(mid);
	CHECK(WIFEXITED(st));
	int orphan = find_orphan(WEXITSTATUS(st));
	CHECK(orphan > 0);
	close(hold[1]);
	for (int i = 0; i < 200 && kill(orphan, 0) == 0; i++)
		usleep(10000);
	CHECK(kill(orphan, 0) == -1 && errno == ESRCH);
	errno = 0;
	CHECK(waitpid(-1, NULL, WNOHANG) == -1 && errno == ECHILD);
	return true;
}

/* The process list shows us, with our memory counters. */
static bool ps_lists_self(void)
{
	struct proc_info pi;
	bool found = false;

	for (int c = 0;;) {
		int next = strata_proc_list(c, &pi);
		CHECK(next >= 0);
		if (pi.pid == getpid()) {
			found = true;
			CHECK(pi.ppid == getppid() && pi.state == PROC_RUNNING);
			CHECK(strcmp(pi.name, "systest") == 0);
			CHECK(pi.resident > 0 && pi.faults > 0);
		}
		if (next == 0)
			break;
		c = next;
	}
	CHECK(found);
	return true;
}

/* The demo programs succeed; memhog of more than there is fails cleanly. */
static bool demos(void)
{
	char *hog[] = {"memhog", "8", 0}, *fork_t[] = {"forktest", 0}, *cow[] = {"cowdemo", 0};
	char *too_big[] = {"memhog", "1000000", 0};

	CHECK(run_child(hog, 0) == 0);
	CHECK(run_child(fork_t, 0) == 0);
	CHECK(run_child(cow, 0) == 0);
	/* Under a limit of its own: the system's (RAM and swap) would take long to fill. */
	int st = run_child(too_big, 8192);
	CHECK(st != -1 && WIFEXITED(st) && WEXITSTATUS(st) == 1);
	return true;
}

const struct systest proc_tests[] = {
    {"fork_cow", fork_cow},
    {"fork_tree", fork_tree},
    {"exec_args", exec_args},
    {"crash_reported", crash_reported},
    {"spinner_fair", spinner_fair},
    {"spawn_errors", spawn_errors},
    {"ps_lists_self", ps_lists_self},
    {"orphans", orphans},
    {"demos", demos},
    {0, 0},
};
