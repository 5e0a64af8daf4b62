/* The C library's process-level services: the environment, system(), popen(). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "user/c/systest/systest.h"

/* The whole output of popen(command, "r"), in buf; pclose's status. */
static int read_command(const char *command, char *buf, size_t size)
{
	FILE *f = popen(command, "r");
	size_t n = 0;

	if (!f)
		return -1;
	while (n + 1 < size && fgets(buf + n, (int)(size - n), f))
		n += strlen(buf + n);
	buf[n] = 0;
	return pclose(f);
}

/* init's environment reaches us; what we set reaches our children, unset does not. */
static bool libc_environment(void)
{
	char out[128];
	const char *path = getenv("PATH"), *home = getenv("HOME"), *term = getenv("TERM");

	CHECK(path && strcmp(path, "/bin") == 0);
	CHECK(home && strcmp(home, "/home") == 0);
	CHECK(term && strcmp(term, "vt100") == 0);
	CHECK(setenv("SYSTEST_VAR", "value one", 1) == 0);
	CHECK(read_command("echo \"[$SYSTEST_VAR]\"", out, sizeof(out)) == 0);
	CHECK(strcmp(out, "[value one]\n") == 0);
	CHECK(setenv("SYSTEST_VAR", "other", 0) == 0 &&
	      strcmp(getenv("SYSTEST_VAR"), "value one") == 0);
	CHECK(unsetenv("SYSTEST_VAR") == 0 && getenv("SYSTEST_VAR") == NULL);
	CHECK(read_command("echo \"[$SYSTEST_VAR]\"", out, sizeof(out)) == 0);
	CHECK(strcmp(out, "[]\n") == 0);
	CHECK(setenv("BAD=NAME", "x", 1) == -1 && errno == EINVAL);
	CHECK(getppid() > 0 && getppid() != getpid());
	return true;
}

/* system(): the shell's exit status as wait status; 127 for a command that is not there. */
static bool libc_system(void)
{
	int st;

	CHECK(system(NULL) != 0);
	st = system("exit 3");
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 3);
	st = system("true && echo ran > /tmp/sys.out");
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	FILE *f = fopen("/tmp/sys.out", "r");
	char line[16] = "";
	CHECK(f && fgets(line, sizeof(line), f) && strcmp(line, "ran\n") == 0 && fclose(f) == 0);
	CHECK(unlink("/tmp/sys.out") == 0);
	st = system("no-such-program-here");
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 127);
	st = system("systest segv");
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 128 + 11); /* the shell reports the signal */
	return true;
}

/* popen() both ways, pclose's status, and misuse. */
static bool libc_popen(void)
{
	char out[128];

	CHECK(read_command("echo one; echo two | cat", out, sizeof(out)) == 0);
	CHECK(strcmp(out, "one\ntwo\n") == 0);
	int st = read_command("echo partial; exit 5", out, sizeof(out));
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 5 && strcmp(out, "partial\n") == 0);
	return true;
}

/* popen for writing: the command reads what we write, up to pclose. */
static bool libc_popen_write(void)
{
	char out[128];
	int st;
	FILE *w = popen("cat > /tmp/popen.out", "w");
	CHECK(w && fprintf(w, "through a pipe %d\n", 42) > 0);
	st = pclose(w);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	CHECK(read_command("cat /tmp/popen.out", out, sizeof(out)) == 0);
	CHECK(strcmp(out, "through a pipe 42\n") == 0 && unlink("/tmp/popen.out") == 0);
	errno = 0;
	CHECK(popen("echo x", "rw") == NULL && errno == EINVAL);
	CHECK(popen("echo x", "") == NULL && errno == EINVAL);
	CHECK(pclose(stdout) == -1);
	return true;
}

/* Several streams at once, closed in another order than opened. */
static bool libc_popen_many(void)
{
	char out[16];
	FILE *a = popen("echo a", "r"), *b = popen("echo b", "r");

	CHECK(a && b && fgets(out, sizeof(out), b) && strcmp(out, "b\n") == 0);
	CHECK(pclose(b) == 0 && fgets(out, sizeof(out), a) && strcmp(out, "a\n") == 0);
	CHECK(pclose(a) == 0);
	return true;
}

const struct systest libc_tests[] = {
    {"libc_environment", libc_environment},
    {"libc_system", libc_system},
    {"libc_popen", libc_popen},
    {"libc_popen_write", libc_popen_write},
    {"libc_popen_many", libc_popen_many},
    {0, 0},
};
