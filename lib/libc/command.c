/*
 * Running a command line through the shell: system(), popen() and
 * pclose(). The command runs as `/bin/sh -c COMMAND`, a child started with
 * strata_spawn, which gives it a copy of the caller's descriptors: so the
 * caller points its own descriptor 0 or 1 at the pipe for the spawn and
 * puts it back after, as the shell does for its commands.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lib/libc/strata.h"

#define POPEN_MAX 16 /* streams open at once */

static struct {
	FILE *f;
	pid_t pid;
} opened[POPEN_MAX];

/* Start sh -c command with descriptor fd (0 or 1) replaced by `with` (-1: kept). */
static pid_t spawn_shell(const char *command, int fd, int with)
{
	char *argv[] = {"sh", "-c", (char *)command, NULL};
	int saved = -1;

	if (with >= 0) {
		saved = fcntl(fd, F_DUPFD_CLOEXEC, 3);
		if (saved < 0 || dup2(with, fd) < 0) {
			if (saved >= 0)
				close(saved);
			return -1;
		}
	}
	pid_t pid = strata_spawn("sh", argv, 0);
	int err = errno;
	if (saved >= 0) {
		dup2(saved, fd);
		close(saved);
	}
	errno = err;
	return pid;
}

int system(const char *command)
{
	int status;

	if (!command)
		return 1; /* a shell is there: /bin/sh */
	pid_t pid = spawn_shell(command, 0, -1);
	if (pid < 0)
		return 127 << 8; /* as if the shell had exited with 127 (POSIX) */
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -1;
	return status;
}

FILE *popen(const char *command, const char *mode)
{
	int p[2], slot = 0;

	if (!command || !mode || (mode[0] != 'r' && mode[0] != 'w') ||
	    (mode[1] && strcmp(mode + 1, "e") != 0)) {
		errno = EINVAL;
		return NULL;
	}
	while (slot < POPEN_MAX && opened[slot].f)
		slot++;
	if (slot == POPEN_MAX) {
		errno = EMFILE;
		return NULL;
	}
	if (pipe(p) < 0)
		return NULL;
	bool reading = mode[0] == 'r';
	int ours = reading ? p[0] : p[1], theirs = reading ? p[1] : p[0];
	/* Our end must not reach the shell or any later child. */
	fcntl(ours, F_SETFD, FD_CLOEXEC);
	fcntl(theirs, F_SETFD, FD_CLOEXEC);
	pid_t pid = spawn_shell(command, reading ? 1 : 0, theirs);
	int err = errno;
	close(theirs);
	FILE *f = pid < 0 ? NULL : fdopen(ours, reading ? "r" : "w");
	if (!f) {
		err = pid < 0 ? err : errno;
		close(ours);
		if (pid > 0)
			waitpid(pid, NULL, 0);
		errno = err;
		return NULL;
	}
	opened[slot].f = f;
	opened[slot].pid = pid;
	return f;
}

int pclose(FILE *f)
{
	int slot = 0, status;

	while (slot < POPEN_MAX && (!f || opened[slot].f != f))
		slot++;
	if (slot == POPEN_MAX) {
		errno = ECHILD; /* not a stream popen gave */
		return -1;
	}
	pid_t pid = opened[slot].pid;
	opened[slot].f = NULL;
	fclose(f); /* the command sees end of file, or its output ends */
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -1;
	return status;
}
