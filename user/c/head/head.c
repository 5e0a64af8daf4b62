/* head [-n N] [FILE...]: the first N (default 10) lines of each file or standard input. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void head(FILE *f, long n)
{
	int c;

	while (n > 0 && (c = getc(f)) != EOF) {
		putchar(c);
		if (c == '\n')
			n--;
	}
}

int main(int argc, char **argv)
{
	long n = 10;
	int i = 1, status = 0;

	if (argc > 2 && strcmp(argv[1], "-n") == 0) {
		char *end;
		n = strtol(argv[2], &end, 10);
		if (*end || n < 0) {
			fprintf(stderr, "usage: head [-n N] [FILE...]\n");
			return 2;
		}
		i = 3;
	}
	if (i == argc)
		head(stdin, n);
	for (int first = i; i < argc; i++) {
		FILE *f = fopen(argv[i], "r");
		if (!f) {
			fprintf(stderr, "head: %s: %s\n", argv[i], strerror(errno));
			status = 1;
			continue;
		}
		if (argc - first > 1)
			printf("%s==> %s <==\n", i > first ? "\n" : "", argv[i]);
		head(f, n);
		fclose(f);
	}
	return status;
}
