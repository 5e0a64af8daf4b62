/* cat [FILE...]: copy each file (or standard input, also for -) to standard output. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static char buf[8192];

/* Copy fd to standard output: 0, or 1 (said why). */
static int copy(int fd, const char *name)
{
	for (;;) {
		ssize_t n = read(fd, buf, sizeof(buf));
		if (n == 0)
			return 0;
		if (n < 0) {
			fprintf(stderr, "cat: %s: %s\n", name, strerror(errno));
			return 1;
		}
		for (ssize_t done = 0; done < n;) {
			ssize_t k = write(1, buf + done, (size_t)(n - done));
			if (k < 0) {
				fprintf(stderr, "cat: write: %s\n", strerror(errno));
				return 1;
			}
			done += k;
		}
	}
}

int main(int argc, char **argv)
{
	int status = 0;

	if (argc == 1)
		return copy(0, "-");
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "-") == 0) {
			status |= copy(0, "-");
			continue;
		}
		int fd = open(argv[i], O_RDONLY);
		if (fd < 0) {
			fprintf(stderr, "cat: %s: %s\n", argv[i], strerror(errno));
			status = 1;
			continue;
		}
		status |= copy(fd, argv[i]);
		close(fd);
	}
	return status;
}
