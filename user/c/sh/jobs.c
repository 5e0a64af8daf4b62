/*
 * Background and stopped jobs. The shell remembers each one's pid and
 * command so `jobs` can list them; a job that ends is reported, before the
 * next prompt or by `wait`, as "[pid] done, status N" (N as $? would be).
 * Ctrl-Z stops the foreground command (con sends SIGTSTP): its processes
 * become stopped jobs, which `fg` brings back to the foreground and `bg`
 * lets run in the background (SIGCONT).
 */
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lib/libc/strata.h"

#include "user/c/sh/sh.h"

#define SH_JOBS	 16
#define JOB_TEXT 48

struct job {
	int pid; /* 0: free slot */
	bool stopped;
	unsigned long order; /* when it became a job or last changed: fg and bg take the latest */
	char cmd[JOB_TEXT];
};

static unsigned long job_clock;

static struct job jobs[SH_JOBS];

static struct job *job_find(int pid)
{
	for (int i = 0; i < SH_JOBS; i++)
		if (jobs[i].pid == pid)
			return &jobs[i];
	return NULL;
}

/* The words of argv joined by blanks, cut to fit cmd. */
static void job_text(char *cmd, size_t size, char *const argv[])
{
	size_t n = 0;

	cmd[0] = '\0';
	for (int i = 0; argv[i] && n + 1 < size; i++)
		n += (size_t)snprintf(cmd + n, size - n, "%s%s", i ? " " : "", argv[i]);
}

/*
 * Remember a background job. When the table is full the job still runs
 * and is still reported when it ends; only `jobs` does not list it.
 */
void jobs_add(int pid, char *const argv[])
{
	struct job *j = job_find(0);

	if (j) {
		j->pid = pid;
		j->stopped = false;
		j->order = ++job_clock;
		job_text(j->cmd, sizeof(j->cmd), argv);
	}
}

void jobs_stopped(int pid, char *const argv[])
{
	struct job *j = job_find(pid);

	if (!j) {
		jobs_add(pid, argv);
		j = job_find(pid);
	}
	if (j) {
		j->stopped = true;
		j->order = ++job_clock;
		printf("[%d] stopped  %s\n", pid, j->cmd);
	} else {
		printf("[%d] stopped\n", pid);
	}
}

/* Report that child pid ended with wait status st and forget it; its $? status. */
static int job_done(int pid, int st)
{
	struct job *j = job_find(pid);
	int status = sh_status_of(st);

	if (j)
		j->pid = 0;
	printf("[%d] done, status %d\n", pid, status);
	return status;
}

/* Report every background job that has ended or stopped, without waiting. */
void jobs_reap(void)
{
	int pid, st;

	while ((pid = waitpid(-1, &st, WNOHANG | WUNTRACED)) > 0) {
		if (WIFSTOPPED(st)) {
			struct job *j = job_find(pid);
			if (j && !j->stopped) {
				j->stopped = true;
				j->order = ++job_clock;
				printf("[%d] stopped  %s\n", pid, j->cmd);
			}
			continue;
		}
		job_done(pid, st);
	}
}

void jobs_continued(int pid)
{
	struct job *j = job_find(pid);

	if (j && pid)
		j->stopped = false;
}

/* jobs: the background jobs still running. */
int sh_jobs(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	jobs_reap();
	for (int i = 0; i < SH_JOBS; i++)
		if (jobs[i].pid)
			printf("[%d] %s  %s\n", jobs[i].pid,
			       jobs[i].stopped ? "stopped" : "running", jobs[i].cmd);
	return 0;
}

/* The job fg or bg means: argv[1], or the latest one. NULL (said why) if none. */
static struct job *job_named(const char *cmd, int argc, char **argv)
{
	struct job *j = NULL;
	int pid;

	if (argc > 2) {
		fprintf(stderr, "sh: %s: too many arguments\n", cmd);
		return NULL;
	}
	if (argc == 2) {
		if (!sh_number(argv[1], &pid) || !(j = job_find(pid)) || pid == 0)
			fprintf(stderr, "sh: %s: %s: no such job\n", cmd, argv[1]);
		return j;
	}
	for (int i = 0; i < SH_JOBS; i++)
		if (jobs[i].pid && (!j || jobs[i].order > j->order))
			j = &jobs[i];
	if (!j)
		fprintf(stderr, "sh: %s: no current job\n", cmd);
	return j;
}

/* The process group of job pid, which fg and bg continue whole: -1 without job control. */
static int job_group(int pid)
{
	int pg = sh.monitor ? getpgid(pid) : -1;

	return pg > 1 ? pg : -1;
}

/* fg [PID]: the job in the foreground again (continued if stopped); its status. */
int sh_fg(int argc, char **argv)
{
	struct job *j = job_named("fg", argc, argv);

	if (!j)
		return 1;
	int pid = j->pid, st;
	printf("%s\n", j->cmd);
	j->stopped = false;
	int pg = job_group(pid);
	if (pg > 0)
		strata_console_foreground(pg);
	kill(pg > 0 ? -pg : pid, SIGCONT);
	int got = waitpid(pid, &st, WUNTRACED);
	if (pg > 0)
		strata_console_foreground(0);
	if (got != pid) {
		fprintf(stderr, "sh: fg: cannot wait for %d\n", pid);
		j->pid = 0;
		return 126;
	}
	if (WIFSTOPPED(st)) {
		char *none[] = {NULL};
		jobs_stopped(pid, none);
		return 128 + WSTOPSIG(st);
	}
	j->pid = 0;
	return sh_status_of(st);
}

/* bg [PID]: a stopped job runs on in the background. */
int sh_bg(int argc, char **argv)
{
	struct job *j = job_named("bg", argc, argv);

	if (!j)
		return 1;
	j->stopped = false;
	j->order = ++job_clock;
	int pg = job_group(j->pid);
	if (kill(pg > 0 ? -pg : j->pid, SIGCONT) != 0) {
		fprintf(stderr, "sh: bg: %d: no such process\n", j->pid);
		return 1;
	}
	sh.last_bg = j->pid; /* $! is the job bg sent on */
	printf("[%d] running  %s\n", j->pid, j->cmd);
	return 0;
}

/* wait [PID...]: wait for the given jobs, or all; the status of the last one. */
int sh_wait(int argc, char **argv)
{
	int pid, st, status = 0;

	if (argc == 1) {
		while ((pid = waitpid(-1, &st, 0)) > 0)
			status = job_done(pid, st);
		return status;
	}
	for (int i = 1; i < argc; i++) {
		if (!sh_number(argv[i], &pid) || pid == 0) {
			fprintf(stderr, "sh: wait: %s: not a pid\n", argv[i]);
			status = 2;
		} else if (waitpid(pid, &st, 0) != pid) {
			fprintf(stderr, "sh: wait: %d: not a child of this shell\n", pid);
			status = 127;
		} else {
			status = job_done(pid, st);
		}
	}
	return status;
}
