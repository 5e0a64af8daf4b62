/*
 * wc [-l] [-w] [-c] [FILE...]: lines, words and bytes of each file (or
 * standard input), and a total; with options only the counts named.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

struct counts {
	unsigned long lines, words, bytes;
};

static int count(int fd, const char *name, struct counts *c)
{
	static char buf[4096];
	int in_word = 0;

	*c = (struct counts){0};
	for (;;) {
		ssize_t n = read(fd, buf, sizeof(buf));
		if (n == 0)
			return 0;
		if (n < 0) {
			fprintf(stderr, "wc: %s: %s\n", name, strerror(errno));
			return 1;
		}
		c->bytes += (unsigned long)n;
		for (ssize_t i = 0; i < n; i++) {
			unsigned char ch = (unsigned char)buf[i];
			if (ch == '\n')
				c->lines++;
			if (isspace(ch))
				in_word = 0;
			else if (!in_word) {
				in_word = 1;
				c->words++;
			}
		}
	}
}

static int want_l, want_w, want_c;

static void show(const struct counts *c, const char *name)
{
	if (want_l)
		printf("%7lu", c->lines);
	if (want_w)
		printf("%s%7lu", want_l ? " " : "", c->words);
	if (want_c)
		printf("%s%7lu", want_l || want_w ? " " : "", c->bytes);
	printf("%s%s\n", name ? " " : "", name ? name : "");
}

int main(int argc, char **argv)
{
	struct counts c, total = {0};
	int status = 0, i = 1;

	for (; i < argc && argv[i][0] == '-' && argv[i][1]; i++)
		for (const char *o = argv[i] + 1; *o; o++) {
			if (*o == 'l')
				want_l = 1;
			else if (*o == 'w')
				want_w = 1;
			else if (*o == 'c')
				want_c = 1;
			else {
				fprintf(stderr, "usage: wc [-l] [-w] [-c] [FILE...]\n");
				return 2;
			}
		}
	if (!want_l && !want_w && !want_c)
		want_l = want_w = want_c = 1;
	argv += i - 1;
	argc -= i - 1;
	if (argc == 1) {
		status = count(0, "-", &c);
		show(&c, NULL);
		return status;
	}
	for (int i = 1; i < argc; i++) {
		int fd = open(argv[i], O_RDONLY);
		if (fd < 0) {
			fprintf(stderr, "wc: %s: %s\n", argv[i], strerror(errno));
			status = 1;
			continue;
		}
		status |= count(fd, argv[i], &c);
		close(fd);
		show(&c, argv[i]);
		total.lines += c.lines;
		total.words += c.words;
		total.bytes += c.bytes;
	}
	if (argc > 2)
		show(&total, "total");
	return status;
}
