/*
 * Running programs: every word that is not a builtin names a program in
 * the initrd. strata_spawn starts it as our child directly, without the
 * copy of the shell that fork and exec would make first.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>

#include "lib/libc/strata.h"
#include "user/c/sh/sh.h"

/* The shell's status for a wait status: the exit code, or 128 + the signal. */
int sh_status_of(int wait_status)
{
	if (WIFEXITED(wait_status))
		return WEXITSTATUS(wait_status);
	if (WIFSIGNALED(wait_status))
		return 128 + WTERMSIG(wait_status);
	return 128;
}

/* Say why name did not start; 127 if there is no such program, else 126 (as POSIX shells). */
static int spawn_failed(const char *name)
{
	if (errno == ENOENT) {
		fprintf(stderr, "sh: %s: not found\n", name);
		return 127;
	}
	fprintf(stderr, "sh: %s: %s\n", name, strerror(errno));
	return 126;
}

/*
 * Start w's program. In the foreground, wait for it and return its status;
 * in the background, note the job, print its pid and return 0 at once.
 */
int sh_run_program(struct words *w)
{
	int pid = strata_spawn(w->argv[0], w->argv, 0);
	int st;

	if (pid < 0)
		return spawn_failed(w->argv[0]);
	if (w->background) {
		jobs_add(pid, w->argv);
		sh.last_bg = pid;
		printf("[%d]\n", pid);
		return 0;
	}
	if (waitpid(pid, &st, 0) != pid) {
		fprintf(stderr, "sh: %s: cannot wait for pid %d: %s\n", w->argv[0], pid,
			strerror(errno));
		return 126;
	}
	return sh_status_of(st);
}
