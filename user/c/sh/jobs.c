/*
 * Background jobs. The shell remembers each one's pid and command so
 * `jobs` can list them; a job that ends is reported, before the next
 * prompt or by `wait`, as "[pid] done, status N" (N as $? would be).
 */
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>

#include "user/c/sh/sh.h"

#define SH_JOBS	 16
#define JOB_TEXT 48

struct job {
	int pid; /* 0: free slot */
	char cmd[JOB_TEXT];
};

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
		job_text(j->cmd, sizeof(j->cmd), argv);
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

/* Report every background job that has ended, without waiting. */
void jobs_reap(void)
{
	int pid, st;

	while ((pid = waitpid(-1, &st, WNOHANG)) > 0)
		job_done(pid, st);
}

/* jobs: the background jobs still running. */
int sh_jobs(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	jobs_reap();
	for (int i = 0; i < SH_JOBS; i++)
		if (jobs[i].pid)
			printf("[%d] running  %s\n", jobs[i].pid, jobs[i].cmd);
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
