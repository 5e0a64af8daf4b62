/*
 * Builtins: commands the shell runs itself, because they change the shell
 * (exit, wait) or only print what the shell or the servers know. Each one
 * takes argc/argv like main and returns its status.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "lib/libc/strata.h"
#include "lib/user/proc_proto.h"
#include "user/c/sh/sh.h"

struct builtin {
	const char *name, *args, *what;
	int (*run)(int argc, char **argv);
};

static int sh_help(int argc, char **argv);
static int sh_echo(int argc, char **argv);
static int sh_status(int argc, char **argv);
static int sh_exit(int argc, char **argv);
static int sh_kill(int argc, char **argv);
static int sh_oomadj(int argc, char **argv);
static int sh_sleep(int argc, char **argv);
static int sh_cd(int argc, char **argv);
static int sh_pwd(int argc, char **argv);

static const struct builtin builtins[] = {
    {"help", "", "this list", sh_help},
    {"echo", "[-n] WORD...", "print the words (-n: without a newline)", sh_echo},
    {"status", "", "print the last command's status (also $? in any word)", sh_status},
    {"exit", "[N]", "leave the shell with status N (default: the last status)", sh_exit},
    {"ps", "",
     "processes: pid, parent, group, state, resident, shared and page-cache pages, faults, COW, "
     "commit",
     sh_ps},
    {"free", "[-c]", "physical memory, free buddy blocks, commit (-c: compact mem's chunks first)",
     sh_free},
    {"vmstat", "", "paging counters of the memory server", sh_vmstat},
    {"kill", "[-SIG] PID...", "send a signal (default TERM; kill -l lists them)", sh_kill},
    {"oomadj", "PID [-1000..1000]",
     "print or set how the OOM killer weighs a process (-1000: never, 1000: first)", sh_oomadj},
    {"jobs", "", "background jobs still running", sh_jobs},
    {"wait", "[PID...]", "wait for background jobs (all of them without PID)", sh_wait},
    {"fg", "[PID]", "bring a job (the latest without PID) back to the foreground", sh_fg},
    {"bg", "[PID]", "let a stopped job (the latest without PID) run in the background", sh_bg},
    {"sleep", "SECONDS", "do nothing for that long", sh_sleep},
    {"cd", "[DIR]", "change the working directory (default /)", sh_cd},
    {"pwd", "", "print the working directory", sh_pwd},
    {"export", "[NAME[=VALUE]...]", "put variables in the environment (alone: list it)", sh_export},
    {"unset", "NAME...", "forget variables", sh_unset_builtin},
    {"env", "", "print the environment", sh_env},
};

#define NBUILTINS (sizeof(builtins) / sizeof(builtins[0]))

bool sh_is_builtin(const char *name)
{
	for (size_t i = 0; i < NBUILTINS; i++)
		if (strcmp(name, builtins[i].name) == 0)
			return true;
	return false;
}

bool sh_builtin(struct words *w, int *status)
{
	for (size_t i = 0; i < NBUILTINS; i++)
		if (strcmp(w->argv[0], builtins[i].name) == 0) {
			*status = builtins[i].run(w->argc, w->argv);
			return true;
		}
	return false;
}

/* The initrd cannot be listed from here, so help names the usual programs. */
static int sh_help(int argc, char **argv)
{
	char left[32];

	(void)argc;
	(void)argv;
	printf("Builtins:\n");
	for (size_t i = 0; i < NBUILTINS; i++) {
		snprintf(left, sizeof(left), "%s %s", builtins[i].name, builtins[i].args);
		printf("  %-20s %s\n", left, builtins[i].what);
	}
	printf("Any other word runs the program of that name from the initrd, e.g.\n"
	       "hello, date, memhog MiB, forktest, cowdemo, systest [TEST], and the file\n"
	       "tools cat wc head grep ls mkdir rmdir rm touch cp mv stat sync df.\n"
	       "cmd | cmd joins commands by a pipe; < f, > f, >> f, 2> f, 2>&1\n"
	       "redirect input, output and errors. A command ending in & runs in the\n"
	       "background. '...' and \"...\" keep blanks inside a word; $? is the last\n"
	       "status, $! the last background pid, $$ the shell's pid; # starts a\n"
	       "comment. / and /tmp are file systems in memory: nothing is kept.\n");
	return 0;
}

static int sh_echo(int argc, char **argv)
{
	bool newline = true;
	int i = 1;

	if (argc > 1 && strcmp(argv[1], "-n") == 0) {
		newline = false;
		i = 2;
	}
	for (int first = i; i < argc; i++)
		printf("%s%s", i > first ? " " : "", argv[i]);
	if (newline)
		printf("\n");
	fflush(stdout); /* -n output has no newline to push it out */
	return 0;
}

/* status: print $?, and keep it. */
static int sh_status(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	printf("%d\n", sh.status);
	return sh.status;
}

static int sh_exit(int argc, char **argv)
{
	int code = sh.status;

	if (argc > 2) {
		fprintf(stderr, "sh: exit: too many arguments\n");
		return 2;
	}
	if (argc == 2 && !sh_number(argv[1], &code)) {
		fprintf(stderr, "sh: exit: %s: not a number\n", argv[1]);
		return 2;
	}
	exit(code & 0xff);
}

/* Signal names, with picolibc's numbers, which proc's are (lib/user/proc_proto.h). */
static const struct {
	const char *name;
	int sig;
} signals[] = {
    {"HUP", SIGHUP},   {"INT", SIGINT},	  {"QUIT", SIGQUIT}, {"ILL", SIGILL},	{"TRAP", SIGTRAP},
    {"ABRT", SIGABRT}, {"FPE", SIGFPE},	  {"KILL", SIGKILL}, {"BUS", SIGBUS},	{"SEGV", SIGSEGV},
    {"PIPE", SIGPIPE}, {"ALRM", SIGALRM}, {"TERM", SIGTERM}, {"USR1", SIGUSR1}, {"USR2", SIGUSR2},
    {"STOP", SIGSTOP}, {"TSTP", SIGTSTP}, {"CONT", SIGCONT}, {"CHLD", SIGCHLD},
};

#define NSIGNALS (sizeof(signals) / sizeof(signals[0]))

/* A signal given as a number (0..31) or a name with or without SIG; -1 if neither. */
static int signal_number(const char *s)
{
	int n;

	if (sh_number(s, &n))
		return n <= 31 ? n : -1;
	if (strncasecmp(s, "SIG", 3) == 0)
		s += 3;
	for (size_t i = 0; i < NSIGNALS; i++)
		if (strcasecmp(s, signals[i].name) == 0)
			return signals[i].sig;
	return -1;
}

static int kill_list(void)
{
	for (size_t i = 0; i < NSIGNALS; i++)
		printf("%2d %s\n", signals[i].sig, signals[i].name);
	return 0;
}

/* kill [-SIG] PID...: status 0 if every signal went out, 1 if one did not, 2 for bad usage. */
static int sh_kill(int argc, char **argv)
{
	int sig = PROC_SIGTERM, i = 1, status = 0, pid;

	if (argc == 2 && strcmp(argv[1], "-l") == 0)
		return kill_list();
	if (argc > 1 && argv[1][0] == '-') {
		sig = signal_number(argv[1] + 1);
		if (sig < 0) {
			fprintf(stderr, "sh: kill: %s: unknown signal\n", argv[1] + 1);
			return 2;
		}
		i = 2;
	}
	if (i == argc) {
		fprintf(stderr, "sh: kill: usage: kill [-SIG] PID...\n");
		return 2;
	}
	for (; i < argc; i++) {
		if (!sh_number(argv[i], &pid) || pid == 0) {
			fprintf(stderr, "sh: kill: %s: not a pid\n", argv[i]);
			status = 1;
		} else if (kill(pid, sig) != 0) {
			fprintf(stderr, "sh: kill: %d: %s\n", pid,
				errno == ESRCH ? "no such process" : strerror(errno));
			status = 1;
		} else if (sig == SIGCONT) {
			jobs_continued(pid);
		}
	}
	return status;
}

/* An OOM adjustment: a number in PROC_OOM_ADJ_MIN..PROC_OOM_ADJ_MAX, with an optional '-'. */
static bool oom_value(const char *s, int *out)
{
	int v;

	if (!sh_number(s[0] == '-' ? s + 1 : s, &v) || v > PROC_OOM_ADJ_MAX)
		return false;
	*out = s[0] == '-' ? -v : v;
	return true;
}

/* oomadj PID [VALUE]: print PID's OOM adjustment (the value before, when setting it). */
static int sh_oomadj(int argc, char **argv)
{
	int pid, value, before;

	if (argc < 2 || argc > 3 || !sh_number(argv[1], &pid) || pid == 0 ||
	    (argc == 3 && !oom_value(argv[2], &value))) {
		fprintf(stderr, "sh: oomadj: usage: oomadj PID [%d..%d]\n", PROC_OOM_ADJ_MIN,
			PROC_OOM_ADJ_MAX);
		return 2;
	}
	if (strata_oom_adj(pid, argc == 3 ? &value : NULL, &before) != 0) {
		fprintf(stderr, "sh: oomadj: %d: %s\n", pid,
			errno == ESRCH ? "no such process" : strerror(errno));
		return 1;
	}
	if (argc == 3)
		printf("%d: oom_adj %d (was %d)\n", pid, value, before);
	else
		printf("%d: oom_adj %d\n", pid, before);
	return 0;
}

/* sleep SECONDS: a builtin, as there is no sleep program to run. */
static int sh_sleep(int argc, char **argv)
{
	int s;

	if (argc != 2 || !sh_number(argv[1], &s)) {
		fprintf(stderr, "sh: sleep: usage: sleep SECONDS\n");
		return 2;
	}
	sleep((unsigned)s);
	return 0;
}

/* cd [DIR]: the working directory (the C library keeps it, and passes it on in PWD). */
static int sh_cd(int argc, char **argv)
{
	const char *dir = argc > 1 ? argv[1] : "/";

	if (argc > 2) {
		fprintf(stderr, "sh: cd: too many arguments\n");
		return 2;
	}
	if (chdir(dir) != 0) {
		fprintf(stderr, "sh: cd: %s: %s\n", dir, strerror(errno));
		return 1;
	}
	return 0;
}

static int sh_pwd(int argc, char **argv)
{
	char buf[512];

	(void)argc;
	(void)argv;
	if (!getcwd(buf, sizeof(buf))) {
		fprintf(stderr, "sh: pwd: %s\n", strerror(errno));
		return 1;
	}
	printf("%s\n", buf);
	return 0;
}
