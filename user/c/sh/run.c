/*
 * Running a line: a pipeline of one or more commands, each with its
 * redirections. A program is started with strata_spawn, which gives the
 * child a copy of the shell's descriptors (without the close-on-exec ones):
 * so the shell points its own 0, 1 and 2 where the child's must go, spawns
 * it, and puts them back. A builtin alone runs in the shell with the same
 * redirections around it; a builtin inside a pipeline runs in a forked
 * copy of the shell.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lib/libc/strata.h"
#include "user/c/sh/sh.h"

#define SAVE_FD 10 /* the shell's own 0..2 are kept at or above this while a command is set up */

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

/* Apply c's redirections to the current descriptors, in order; false (said why) on failure. */
static bool redirect(const struct words *c)
{
	for (int i = 0; i < c->nredir; i++) {
		const struct redir *r = &c->redir[i];
		if (r->flags == -1) {
			if (dup2(1, 2) < 0) {
				fprintf(stderr, "sh: 2>&1: %s\n", strerror(errno));
				return false;
			}
			continue;
		}
		int fd = open(r->path, r->flags, 0666);
		if (fd < 0) {
			fprintf(stderr, "sh: %s: %s\n", r->path, strerror(errno));
			return false;
		}
		if (fd != r->fd) {
			dup2(fd, r->fd);
			close(fd);
		}
	}
	return true;
}

/* Keep copies of 0..2 (close-on-exec, so no child gets them) to put back later. */
static void save_std(int saved[3])
{
	fflush(stdout);
	fflush(stderr);
	for (int fd = 0; fd < 3; fd++)
		saved[fd] = fcntl(fd, F_DUPFD_CLOEXEC, SAVE_FD);
}

static void restore_std(const int saved[3])
{
	fflush(stdout);
	fflush(stderr);
	for (int fd = 0; fd < 3; fd++)
		if (saved[fd] >= 0) {
			dup2(saved[fd], fd);
			close(saved[fd]);
		}
}

/* A builtin alone: in the shell itself, redirected, then everything put back. */
static int run_builtin_here(struct words *c)
{
	int saved[3], status = 1;

	save_std(saved);
	if (redirect(c))
		sh_builtin(c, &status);
	restore_std(saved);
	return status;
}

/*
 * Start command c with its input from in and output to out (-1: the
 * shell's own), redirected as it says. The pid, or -1 (reported; *status
 * says why).
 */
static int start(struct words *c, int in, int out, int *status)
{
	int saved[3], pid = -1;

	save_std(saved);
	if (in >= 0)
		dup2(in, 0);
	if (out >= 0)
		dup2(out, 1);
	if (!redirect(c)) {
		*status = 1;
	} else if (sh_is_builtin(c->argv[0])) {
		pid = fork();
		if (pid == 0) {
			for (int fd = 3; fd < 64; fd++)
				close(fd); /* the pipes' other ends and the saved copies */
			int st = 0;
			sh_builtin(c, &st);
			fflush(stdout);
			_exit(st);
		}
		if (pid < 0)
			*status = spawn_failed(c->argv[0]);
	} else {
		pid = strata_spawn(c->argv[0], c->argv, 0);
		if (pid < 0)
			*status = spawn_failed(c->argv[0]);
	}
	restore_std(saved);
	return pid;
}

/* Wait for pid; its $? status. */
static int wait_status(int pid, const char *name)
{
	int st;

	if (waitpid(pid, &st, 0) != pid) {
		fprintf(stderr, "sh: %s: cannot wait for pid %d: %s\n", name, pid, strerror(errno));
		return 126;
	}
	return sh_status_of(st);
}

/*
 * Run the line. In the foreground, wait for every command and return the
 * last one's status; in the background, note each as a job, print the
 * last pid and return 0 at once. A pipe between two commands is made
 * close-on-exec in the shell, so that only the two commands hold its ends.
 */
int sh_run_line(struct line *l)
{
	int pids[SH_STAGES], status = 0, in = -1;

	if (l->ncmd == 1 && sh_is_builtin(l->cmd[0].argv[0]))
		return run_builtin_here(&l->cmd[0]);
	for (int i = 0; i < l->ncmd; i++) {
		int p[2] = {-1, -1};
		if (i + 1 < l->ncmd) {
			if (pipe(p) < 0) {
				fprintf(stderr, "sh: pipe: %s\n", strerror(errno));
				status = 1;
				pids[i] = -1;
				if (in >= 0)
					close(in);
				in = -1;
				continue;
			}
			fcntl(p[0], F_SETFD, FD_CLOEXEC);
			fcntl(p[1], F_SETFD, FD_CLOEXEC);
		}
		pids[i] = start(&l->cmd[i], in, p[1], &status);
		if (in >= 0)
			close(in);
		if (p[1] >= 0)
			close(p[1]);
		in = p[0];
	}
	for (int i = 0; i < l->ncmd; i++) {
		if (pids[i] < 0)
			continue;
		if (l->background) {
			jobs_add(pids[i], l->cmd[i].argv);
			sh.last_bg = pids[i];
		} else {
			int st = wait_status(pids[i], l->cmd[i].argv[0]);
			if (i == l->ncmd - 1)
				status = st;
		}
	}
	if (l->background) {
		printf("[%d]\n", sh.last_bg);
		return 0;
	}
	return status;
}
