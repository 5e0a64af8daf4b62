/*
 * forktest: after fork each process has its own memory. The parent sets a
 * global and a heap buffer of several pages to a new value before each
 * fork, so every child must see the value of its own moment of fork even
 * though earlier children still share those pages. Each child then writes
 * its own value and checks it; the last child forks a grandchild that does
 * the same and checks that its own values survived the grandchild's
 * writes. The parent checks each child's exit code and that its own
 * values are untouched. Prints "forktest: ok" and exits 0, or says what
 * failed and exits 1.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#define NCHILD	   4
#define HEAP_WORDS (3 * 4096 / sizeof(long)) /* three pages of heap */
#define GRANDCHILD NCHILD		     /* the grandchild's number */
#define CODE(i)	   (10 + (i))		     /* exit code of process number i */

static volatile long global = -1; /* in .data: a page from the program file */
static volatile long *heap;

/* The value process number i writes; the parent uses parent_value(). */
static long child_value(int i)
{
	return 1000003l * (i + 1);
}

static long parent_value(int round)
{
	return -1000l - round;
}

static void stamp(long v)
{
	global = v;
	for (size_t i = 0; i < HEAP_WORDS; i++)
		heap[i] = v + (long)i;
}

static bool holds(long v)
{
	if (global != v)
		return false;
	for (size_t i = 0; i < HEAP_WORDS; i++)
		if (heap[i] != v + (long)i)
			return false;
	return true;
}

/* A failed check in a child: say which, and the exit code that tells the parent. */
static int fail(int i, const char *what)
{
	printf("forktest: process %d (pid %d): %s\n", i, (int)getpid(), what);
	return 1;
}

/* The grandchild: sees its parent's values, writes its own. */
static int grandchild(void)
{
	if (!holds(child_value(NCHILD - 1)))
		return fail(GRANDCHILD, "does not see its parent's values");
	stamp(child_value(GRANDCHILD));
	return holds(child_value(GRANDCHILD)) ? CODE(GRANDCHILD) : fail(GRANDCHILD, "lost its own");
}

/* Fork the grandchild from child i and check that its writes stay its own. */
static int fork_grandchild(int i)
{
	int st, pid = fork();

	if (pid == 0)
		_exit(grandchild());
	if (pid < 0)
		return fail(i, "cannot fork the grandchild");
	if (waitpid(pid, &st, 0) != pid || !WIFEXITED(st) || WEXITSTATUS(st) != CODE(GRANDCHILD))
		return fail(i, "the grandchild failed");
	if (!holds(child_value(i)))
		return fail(i, "sees the grandchild's writes");
	return CODE(i);
}

/* Child number i, forked by parent when the parent's values were parent_value(i). */
static int child(int i, int parent)
{
	if (getppid() != parent)
		return fail(i, "has the wrong parent pid");
	if (!holds(parent_value(i)))
		return fail(i, "does not see the parent's values of its fork");
	stamp(child_value(i));
	if (!holds(child_value(i)))
		return fail(i, "does not see its own writes");
	return i == NCHILD - 1 ? fork_grandchild(i) : CODE(i);
}

/* Wait for child i (pid) and check its exit code; true if it is the expected one. */
static bool reap(int i, int pid)
{
	int st;

	if (waitpid(pid, &st, 0) != pid) {
		printf("forktest: cannot wait for child %d (pid %d)\n", i, pid);
		return false;
	}
	if (WIFEXITED(st) && WEXITSTATUS(st) == CODE(i))
		return true;
	printf("forktest: child %d (pid %d) ended with wait status %#x, expected exit %d\n", i, pid,
	       st, CODE(i));
	return false;
}

int main(void)
{
	int pids[NCHILD], me = getpid();
	bool ok = true;

	heap = malloc(HEAP_WORDS * sizeof(long));
	if (!heap) {
		printf("forktest: out of memory\n");
		return 1;
	}
	for (int i = 0; i < NCHILD; i++) {
		stamp(parent_value(i)); /* earlier children still share these pages */
		pids[i] = fork();
		if (pids[i] == 0)
			_exit(child(i, me));
		if (pids[i] < 0) {
			printf("forktest: fork %d failed\n", i);
			return 1;
		}
	}
	stamp(parent_value(NCHILD));
	for (int i = 0; i < NCHILD; i++)
		ok = reap(i, pids[i]) && ok;
	if (!holds(parent_value(NCHILD))) {
		printf("forktest: the parent sees a child's writes\n");
		ok = false;
	}
	printf("forktest: %s\n", ok ? "ok" : "FAILED");
	return ok ? 0 : 1;
}
