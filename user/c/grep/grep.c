/*
 * grep [-v] [-c] [-n] STRING [FILE...]: the lines holding STRING (a fixed
 * string, not a pattern); -v those that do not, -c only how many, -n with
 * their numbers. Status 0 if a line was selected, 1 if none, 2 on error.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

static int invert, count_only, numbers;

static long grep(FILE *f, const char *s, const char *name, int many)
{
	static char line[1024];
	long hits = 0, lineno = 0;

	while (fgets(line, sizeof(line), f)) {
		lineno++;
		if ((strstr(line, s) != NULL) == invert)
			continue;
		hits++;
		if (count_only)
			continue;
		if (many)
			printf("%s:", name);
		if (numbers)
			printf("%ld:", lineno);
		fputs(line, stdout);
		if (!strchr(line, '\n'))
			putchar('\n');
	}
	if (count_only)
		many ? printf("%s:%ld\n", name, hits) : printf("%ld\n", hits);
	return hits;
}

int main(int argc, char **argv)
{
	int i = 1, status = 2;
	long hits = 0;

	for (; i < argc && argv[i][0] == '-' && argv[i][1]; i++) {
		for (const char *o = argv[i] + 1; *o; o++) {
			if (*o == 'v')
				invert = 1;
			else if (*o == 'c')
				count_only = 1;
			else if (*o == 'n')
				numbers = 1;
			else {
				fprintf(stderr, "usage: grep [-v] [-c] [-n] STRING [FILE...]\n");
				return 2;
			}
		}
	}
	if (i == argc) {
		fprintf(stderr, "usage: grep [-v] [-c] [-n] STRING [FILE...]\n");
		return 2;
	}
	const char *s = argv[i++];
	if (i == argc)
		return grep(stdin, s, "-", 0) ? 0 : 1;
	int many = argc - i > 1, failed = 0;
	for (; i < argc; i++) {
		FILE *f = fopen(argv[i], "r");
		if (!f) {
			fprintf(stderr, "grep: %s: %s\n", argv[i], strerror(errno));
			failed = 1;
			continue;
		}
		hits += grep(f, s, argv[i], many);
		fclose(f);
	}
	status = failed ? 2 : hits ? 0 : 1;
	return status;
}
