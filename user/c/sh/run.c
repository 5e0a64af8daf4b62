/*
 * Running a line: pipelines joined by ; & && ||, each of one or more
 * commands with their redirections and NAME=value prefixes. A program is started with strata_spawn,
 * which gives the child a copy of the shell's descriptors (without the close-on-exec ones): so the
 * shell points its own 0, 1 and 2 where the child's must go, spawns it, and puts them back. A
 * builtin alone runs in the shell with the same redirections around it; a builtin inside a pipeline
 * runs in a forked copy of the shell.
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

/* The number of NAME=value words c begins with. */
static int assignments(const struct words *c)
{
	int k = 0;

	while (k < c->argc) {
		const char *eq = strchr(c->argv[k], '=');
		if (!eq || !sh_var_name(c->argv[k], (size_t)(eq - c->argv[k])))
			break;
		k++;
	}
	return k;
}

/* The command c without its first k words (NAME=value prefixes). */
static struct words without_prefix(const struct words *c, int k)
{
	struct words w = *c;

	w.argc = c->argc - k;
	for (int i = 0; i <= w.argc; i++)
		w.argv[i] = c->argv[i + k];
	return w;
}

/* NAME=value words before a command: in its environment only, undone after (prefix_undo). */
struct prefix {
	int n;
	char *name[SH_WORDS];
	char *old[SH_WORDS]; /* the value before, malloc'd; NULL: was unset */
};

static void prefix_apply(const struct words *c, int k, struct prefix *px)
{
	px->n = 0;
	for (int i = 0; i < k; i++) {
		char *eq = strchr(c->argv[i], '=');
		*eq = 0;
		const char *old = getenv(c->argv[i]);
		px->name[px->n] = c->argv[i];
		px->old[px->n++] = old ? strdup(old) : NULL;
		setenv(c->argv[i], eq + 1, 1);
		*eq = '=';
	}
}

static void prefix_undo(struct prefix *px)
{
	while (px->n > 0) {
		px->n--;
		char *eq = strchr(px->name[px->n], '=');
		*eq = 0;
		if (px->old[px->n])
			setenv(px->name[px->n], px->old[px->n], 1);
		else
			unsetenv(px->name[px->n]);
		*eq = '=';
		free(px->old[px->n]);
	}
}

/* A builtin alone: in the shell itself, redirected, then everything put back. */
static int run_builtin_here(struct words *c)
{
	int saved[3], status = 1, k = assignments(c);
	struct words w = without_prefix(c, k);
	struct prefix px;

	save_std(saved);
	prefix_apply(c, k, &px);
	if (redirect(c))
		sh_builtin(&w, &status);
	prefix_undo(&px);
	restore_std(saved);
	return status;
}

/* Only NAME=value words: shell variables (exported ones stay exported). */
static int assign_all(const struct words *c)
{
	int status = 0;

	for (int i = 0; i < c->argc; i++)
		status |= sh_assign(c->argv[i], false);
	return status;
}

/*
 * A forked copy of the shell joins process group pg (0: its own), from
 * both sides, so it is in the group before either goes on (-1: stays).
 */
static void fork_join_group(int pid, int pg)
{
	if (pg < 0)
		return;
	if (pid == 0)
		setpgid(0, pg);
	else if (pid > 0)
		setpgid(pid, pg ? pg : pid);
}

/* Start c, all NAME=value words, in a copy of the shell that only applies its redirections. */
static int start_assignments(struct words *c, int in, int out, int pg, int *status)
{
	int pid = fork();

	fork_join_group(pid, pg);
	if (pid == 0) {
		if (in >= 0)
			dup2(in, 0);
		if (out >= 0)
			dup2(out, 1);
		_exit(redirect(c) ? assign_all(c) : 1);
	}
	if (pid < 0)
		*status = spawn_failed(c->argv[0]);
	return pid;
}

/*
 * Start command c with its input from in and output to out (-1: the
 * shell's own), redirected as it says, in process group pg (-1: the
 * shell's, 0: a new one). The pid, or -1 (reported; *status says why).
 */
static int start(struct words *c, int in, int out, int pg, int *status)
{
	int saved[3], pid = -1, k = assignments(c);
	struct words w = without_prefix(c, k);
	struct prefix px;

	if (k == c->argc) /* NAME=value alone in a pipeline: a copy of the shell would forget it */
		return start_assignments(c, in, out, pg, status);
	save_std(saved);
	prefix_apply(c, k, &px);
	c = &w;
	if (in >= 0)
		dup2(in, 0);
	if (out >= 0)
		dup2(out, 1);
	if (!redirect(c)) {
		*status = 1;
	} else if (sh_is_builtin(c->argv[0])) {
		pid = fork();
		fork_join_group(pid, pg);
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
		pid = strata_spawn_pgroup(c->argv[0], c->argv, 0, pg);
		if (pid < 0)
			*status = spawn_failed(c->argv[0]);
	}
	prefix_undo(&px);
	restore_std(saved);
	return pid;
}

/* Wait for pid (running argv); its $? status. Stopped (Ctrl-Z): it becomes a stopped job. */
static int wait_status(int pid, char *const argv[])
{
	int st;

	if (waitpid(pid, &st, WUNTRACED) != pid) {
		fprintf(stderr, "sh: %s: cannot wait for pid %d: %s\n", argv[0], pid,
			strerror(errno));
		return 126;
	}
	if (WIFSTOPPED(st)) {
		jobs_stopped(pid, argv);
		return 128 + WSTOPSIG(st);
	}
	return sh_status_of(st);
}

/*
 * Run a pipeline. In the foreground, wait for every command and return the
 * last one's status; in the background, note each as a job, print the
 * last pid and return 0 at once. A pipe between two commands is made
 * close-on-exec in the shell, so that only the two commands hold its ends.
 * A builtin (or NAME=value alone) in the foreground and alone runs in the
 * shell itself; anywhere else in a forked copy, so `sleep 3 &` does not block.
 */
static int run_pipeline(struct pipeline *l)
{
	int pids[SH_STAGES], status = 0, in = -1, pg = sh.monitor ? 0 : -1;

	if (l->ncmd == 1 && !l->background) {
		struct words *c = &l->cmd[0];
		int k = assignments(c);
		if (k == c->argc && c->nredir == 0)
			return assign_all(c);
		if (k < c->argc && sh_is_builtin(c->argv[k]))
			return run_builtin_here(c);
	}
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
		pids[i] = start(&l->cmd[i], in, p[1], pg, &status);
		if (pg == 0 && pids[i] > 0)
			pg = pids[i]; /* the first command started leads the job's group */
		if (in >= 0)
			close(in);
		if (p[1] >= 0)
			close(p[1]);
		in = p[0];
	}
	/* While it runs, Ctrl-C interrupts the job (con sends its group SIGINT). */
	bool fg = pg > 0 && !l->background;
	if (fg)
		strata_console_foreground(pg);
	for (int i = 0; i < l->ncmd; i++) {
		if (pids[i] < 0)
			continue;
		if (l->background) {
			jobs_add(pids[i], l->cmd[i].argv);
			sh.last_bg = pids[i];
		} else {
			int st = wait_status(pids[i], l->cmd[i].argv);
			if (i == l->ncmd - 1)
				status = st;
		}
	}
	if (fg)
		strata_console_foreground(0);
	if (l->background) {
		printf("[%d]\n", sh.last_bg);
		return 0;
	}
	return status;
}

int sh_run_line(const struct line *l, const char *text)
{
	static struct line one; /* one pipeline, parsed again when its turn comes */
	int status = sh.status;

	for (int i = 0; i < l->n; i++) {
		if (i > 0 && ((l->join[i - 1] == JOIN_AND && status != 0) ||
			      (l->join[i - 1] == JOIN_OR && status == 0)))
			continue; /* skipped: the status stays that of the last one run */
		size_t len = l->p[i].end - l->p[i].start;
		char *src = malloc(len + 1);
		const char *err = "out of memory";
		if (src) {
			memcpy(src, text + l->p[i].start, len);
			src[len] = 0;
			err = sh_parse(src, &one);
		}
		if (err) {
			fprintf(stderr, "sh: %s\n", err);
			status = 2;
		} else {
			one.p[0].background = l->p[i].background;
			status = run_pipeline(&one.p[0]);
		}
		free(src);
		sh.status = status;
	}
	return status;
}
