/*
 * sh: the Strata shell. It reads a line at a time from the console (which
 * does the line editing and echo), splits it into words, and either runs a
 * builtin or starts the program of that name from the initrd with
 * strata_spawn. A trailing & runs a program in the background.
 *
 *   main.c      the read-run loop, the prompt, showing type-ahead again
 *   parse.c     words, quotes and $? / $! / $$
 *   run.c       starting programs and turning wait statuses into $?
 *   jobs.c      background jobs: reaping, jobs, wait
 *   builtins.c  the builtin table, help, exit, echo, status, kill, sleep
 *   stats.c     ps, free, vmstat
 */
#ifndef STRATA_USER_C_SH_H
#define STRATA_USER_C_SH_H

#include <stdbool.h>
#include <stddef.h>

#define SH_LINE	 512  /* longest input line (con's lines are at most 256 bytes) */
#define SH_WORDS 64   /* most words in one command */
#define SH_TEXT	 2048 /* bytes of expanded words of one command */

/* A parsed command line. */
struct words {
	int argc;
	char *argv[SH_WORDS + 1]; /* NULL-terminated; point into text */
	bool background;	  /* ended with & */
	size_t used;		  /* bytes of text in use */
	char text[SH_TEXT];
};

/* What the shell remembers between commands. */
struct sh_state {
	int status;  /* $?: the last command's status */
	int last_bg; /* $!: pid of the last background job, 0 if none yet */
};

extern struct sh_state sh;

/* parse.c: split line into w; NULL, or a message saying what is wrong. */
const char *sh_parse(const char *line, struct words *w);
/* parse.c: s as a decimal number in [0, INT_MAX]: true and *out, or false. */
bool sh_number(const char *s, int *out);

/* run.c */
int sh_run_program(struct words *w);
int sh_status_of(int wait_status);

/* jobs.c */
void jobs_add(int pid, char *const argv[]);
void jobs_reap(void);
int sh_jobs(int argc, char **argv);
int sh_wait(int argc, char **argv);

/* builtins.c: run w if it names a builtin; false if it does not. */
bool sh_builtin(struct words *w, int *status);

/* stats.c */
int sh_ps(int argc, char **argv);
int sh_free(int argc, char **argv);
int sh_vmstat(int argc, char **argv);

#endif
