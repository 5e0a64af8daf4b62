/*
 * sh: the Strata shell. It reads a line at a time from the console (which
 * does the line editing and echo), splits it into words, and either runs a
 * builtin or starts the program of that name from the initrd with
 * strata_spawn. Commands may be joined into a pipeline with |, and have
 * their input and output redirected (<, >, >>, 2>, 2>>, 2>&1); pipelines
 * are joined by ; && || and & (which runs the one before it in the
 * background). Syntax it does not have is an error, never ignored.
 *
 *   main.c      the read-run loop, the prompt, showing type-ahead again
 *   parse.c     words, quotes, $VAR, $? / $! / $$, pipes, redirections, ; & && ||
 *   vars.c      shell variables, export, unset, env
 *   run.c       pipelines, redirections, starting programs, wait statuses as $?
 *   jobs.c      background and stopped jobs: reaping, jobs, wait, fg, bg
 *   builtins.c  the builtin table, help, exit, echo, status, kill, sleep, cd, pwd
 *   stats.c     ps, free, vmstat
 */
#ifndef STRATA_USER_C_SH_H
#define STRATA_USER_C_SH_H

#include <stdbool.h>
#include <stddef.h>

#define SH_LINE	  512  /* longest input line (con's lines are at most 256 bytes) */
#define SH_WORDS  64   /* most words in one command */
#define SH_TEXT	  2048 /* bytes of expanded words of one line */
#define SH_STAGES 8    /* most commands in one pipeline */
#define SH_REDIRS 4    /* most redirections of one command */
#define SH_LIST	  16   /* most pipelines in one line (joined by ; & && ||) */
#define SH_VARS	  64   /* most shell variables not in the environment */

/* One redirection, applied in the order written: `< f`, `> f`, `>> f`, `2> f`, `2>> f`, `2>&1`. */
struct redir {
	int fd;	    /* the descriptor redirected: 0, 1 or 2 */
	int flags;  /* open flags for a file; -1 for 2>&1 */
	char *path; /* the file (into the line's text) */
};

/* One command of a pipeline. */
struct words {
	int argc;
	char *argv[SH_WORDS + 1]; /* NULL-terminated; point into the line's text */
	int nredir;
	struct redir redir[SH_REDIRS];
};

/* A pipeline of one or more commands. */
struct pipeline {
	int ncmd;
	struct words cmd[SH_STAGES];
	bool background;   /* ended with & */
	size_t start, end; /* its source: bytes [start, end) of the line */
};

/* How a pipeline is joined to the next one: `;` (or `&`), `&&`, `||`. */
enum join { JOIN_SEQ, JOIN_AND, JOIN_OR };

/* A parsed command line: pipelines joined by ; & && ||. */
struct line {
	int n;
	struct pipeline p[SH_LIST];
	enum join join[SH_LIST]; /* join[i]: between p[i] and p[i + 1] */
	size_t used;		 /* bytes of text in use */
	char text[SH_TEXT];
};

/* What the shell remembers between commands. */
struct sh_state {
	int status;  /* $?: the last command's status */
	int last_bg; /* $!: pid of the last background job, 0 if none yet */
	/*
	 * Job control: each pipeline is a process group of its own, the
	 * console's foreground while the shell waits for it. Only when the
	 * shell reads commands from the console: a script's or `sh -c`'s
	 * commands stay in the group of the job that runs the script, so
	 * Ctrl-C reaches them with it.
	 */
	bool monitor;
};

extern struct sh_state sh;

/* parse.c: split a line into l; NULL, or a message saying what is wrong. */
const char *sh_parse(const char *text, struct line *l);
/* parse.c: s as a decimal number in [0, INT_MAX]: true and *out, or false. */
bool sh_number(const char *s, int *out);

/*
 * run.c: run every pipeline of the line (parsed from text) as its joins
 * say; the last status. Each is parsed again just before it runs, so that
 * `false; echo $?` sees the status of false.
 */
int sh_run_line(const struct line *l, const char *text);
int sh_status_of(int wait_status);

/* jobs.c */
void jobs_add(int pid, char *const argv[]);
/* pid (of the command argv) stopped: a stopped job, said so. */
void jobs_stopped(int pid, char *const argv[]);
/* pid was sent SIGCONT: a stopped job of it runs again. */
void jobs_continued(int pid);
int sh_fg(int argc, char **argv);
int sh_bg(int argc, char **argv);
void jobs_reap(void);
int sh_jobs(int argc, char **argv);
int sh_wait(int argc, char **argv);

/* vars.c: shell variables (unexported) and the environment. */
const char *sh_var(const char *name);
/* The length of the variable name s starts with (0: none). */
size_t sh_name_len(const char *s);
/* The len bytes at s are a variable name. */
bool sh_var_name(const char *s, size_t len);
int sh_assign(const char *assignment, bool export);
void sh_unset(const char *name);
int sh_export(int argc, char **argv);
int sh_unset_builtin(int argc, char **argv);
int sh_env(int argc, char **argv);

/* builtins.c: run w if it names a builtin; false if it does not. */
bool sh_builtin(struct words *w, int *status);
bool sh_is_builtin(const char *name);

/* stats.c */
int sh_ps(int argc, char **argv);
int sh_free(int argc, char **argv);
int sh_vmstat(int argc, char **argv);

#endif
