/*
 * The shell's loop: report finished background jobs, prompt, read a line,
 * run it, remember its status as $?. End of input ends the shell with
 * status 0; `sh -c LINE` runs one line and exits with its status.
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "lib/libc/strata.h"
#include "user/c/sh/sh.h"

struct sh_state sh;

enum line_result { LINE_OK, LINE_TOO_LONG, LINE_EOF };

/* Read one line into buf; a longer one is skipped whole and reported. */
static enum line_result read_line(char *buf, size_t size)
{
	size_t len;
	int c;

	if (!fgets(buf, (int)size, stdin))
		return LINE_EOF;
	len = strlen(buf);
	if (len < size - 1 || buf[len - 1] == '\n')
		return LINE_OK;
	while ((c = getchar()) != EOF && c != '\n')
		;
	return LINE_TOO_LONG;
}

/* Run one command line; returns its status (an empty line keeps the last one). */
static int execute(const char *line)
{
	static struct line l; /* kilobytes of text and words: not on the stack */
	const char *err = sh_parse(line, &l);

	if (err) {
		fprintf(stderr, "sh: %s\n", err);
		return 2;
	}
	if (l.n == 1 && l.p[0].ncmd == 1 && l.p[0].cmd[0].argc == 0)
		return sh.status;
	return sh_run_line(&l, line);
}

int main(int argc, char **argv)
{
	char line[SH_LINE];

	if (argc >= 2 && strcmp(argv[1], "-c") == 0) {
		if (argc != 3) {
			fprintf(stderr, "usage: sh [-c COMMANDS]\n");
			return 2;
		}
		return execute(argv[2]);
	}
	if (argc > 1) {
		fprintf(stderr,
			"usage: sh [-c COMMANDS]   (scripts are read from standard input)\n");
		return 2;
	}
	sh.monitor = isatty(0);
	for (;;) {
		jobs_reap();
		const char *ps1 = sh_var("PS1");
		printf("%s", ps1 ? ps1 : "$ ");
		fflush(stdout);
		enum line_result r = read_line(line, sizeof(line));
		if (r == LINE_EOF)
			break;
		if (r == LINE_TOO_LONG) {
			fprintf(stderr, "sh: line too long\n");
			sh.status = 2;
			continue;
		}
		sh.status = execute(line);
	}
	printf("\n"); /* leave the line the last prompt started */
	return 0;
}
