/*
 * Shell variables. NAME=value alone sets a shell variable, which programs
 * do not see; `export` moves it (or NAME=value) into the environment, which
 * every program the shell starts inherits. A variable already exported
 * stays exported when assigned. $NAME looks in the shell's own first.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "user/c/sh/sh.h"

extern char **environ;

static char *vars[SH_VARS]; /* "NAME=value", malloc'd; NULL: free slot */

size_t sh_name_len(const char *s)
{
	size_t n = 0;

	while ((s[n] >= 'a' && s[n] <= 'z') || (s[n] >= 'A' && s[n] <= 'Z') || s[n] == '_' ||
	       (n > 0 && s[n] >= '0' && s[n] <= '9'))
		n++;
	return n;
}

bool sh_var_name(const char *s, size_t len)
{
	return len > 0 && sh_name_len(s) >= len;
}

/* The slot of the shell variable name, or -1. */
static int find(const char *name)
{
	size_t n = strlen(name);

	for (int i = 0; i < SH_VARS; i++)
		if (vars[i] && strncmp(vars[i], name, n) == 0 && vars[i][n] == '=')
			return i;
	return -1;
}

const char *sh_var(const char *name)
{
	int i = find(name);

	return i >= 0 ? vars[i] + strlen(name) + 1 : getenv(name);
}

void sh_unset(const char *name)
{
	int i = find(name);

	if (i >= 0) {
		free(vars[i]);
		vars[i] = NULL;
	}
	unsetenv(name);
}

/* Keep "name=value" as a shell variable; 0, or 1 (said why). */
static int keep_local(const char *assignment, const char *name)
{
	int i = find(name);

	if (i < 0)
		for (i = 0; i < SH_VARS && vars[i]; i++)
			;
	if (i == SH_VARS) {
		fprintf(stderr, "sh: %s: too many shell variables (export some)\n", name);
		return 1;
	}
	char *copy = strdup(assignment);
	if (!copy) {
		fprintf(stderr, "sh: %s: out of memory\n", name);
		return 1;
	}
	free(vars[i]);
	vars[i] = copy;
	return 0;
}

/* NAME=value: into the environment if exported (or export), else a shell variable. */
int sh_assign(const char *assignment, bool export)
{
	const char *eq = strchr(assignment, '=');
	char name[64];

	if (!eq || !sh_var_name(assignment, (size_t)(eq - assignment)) ||
	    (size_t)(eq - assignment) >= sizeof(name)) {
		fprintf(stderr, "sh: %s: not a variable name\n", assignment);
		return 1;
	}
	memcpy(name, assignment, (size_t)(eq - assignment));
	name[eq - assignment] = 0;
	if (!export && !getenv(name))
		return keep_local(assignment, name);
	if (setenv(name, eq + 1, 1) != 0) { /* before the free: assignment may be vars[i] */
		fprintf(stderr, "sh: %s: cannot export\n", name);
		return 1;
	}
	int i = find(name);
	if (i >= 0) {
		free(vars[i]);
		vars[i] = NULL;
	}
	return 0;
}

int sh_export(int argc, char **argv)
{
	int status = 0;

	if (argc == 1)
		return sh_env(argc, argv);
	for (int i = 1; i < argc; i++) {
		if (strchr(argv[i], '=')) {
			status |= sh_assign(argv[i], true);
			continue;
		}
		if (!sh_var_name(argv[i], strlen(argv[i]))) {
			fprintf(stderr, "sh: export: %s: not a variable name\n", argv[i]);
			status = 1;
			continue;
		}
		int k = find(argv[i]);
		if (k >= 0)
			status |= sh_assign(vars[k], true);
	}
	return status;
}

int sh_unset_builtin(int argc, char **argv)
{
	int status = 0;

	for (int i = 1; i < argc; i++) {
		if (!sh_var_name(argv[i], strlen(argv[i]))) {
			fprintf(stderr, "sh: unset: %s: not a variable name\n", argv[i]);
			status = 1;
			continue;
		}
		sh_unset(argv[i]);
	}
	return status;
}

int sh_env(int argc, char **argv)
{
	(void)argv;
	if (argc > 1) {
		fprintf(stderr, "usage: env   (prints the environment)\n");
		return 2;
	}
	for (char **e = environ; e && *e; e++)
		printf("%s\n", *e);
	return 0;
}
