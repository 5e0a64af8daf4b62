/* cp FROM TO: copy a file (TO may be a directory: the copy goes in it under FROM's name). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char buf[16384];

int main(int argc, char **argv)
{
	char target[512];
	struct stat st;

	if (argc != 3) {
		fprintf(stderr, "usage: cp FROM TO\n");
		return 2;
	}
	const char *to = argv[2];
	if (stat(to, &st) == 0 && S_ISDIR(st.st_mode)) {
		const char *base = strrchr(argv[1], '/');
		snprintf(target, sizeof(target), "%s/%s", to, base ? base + 1 : argv[1]);
		to = target;
	}
	int in = open(argv[1], O_RDONLY);
	if (in < 0) {
		fprintf(stderr, "cp: %s: %s\n", argv[1], strerror(errno));
		return 1;
	}
	int out = open(to, O_WRONLY | O_CREAT | O_TRUNC, 0666);
	if (out < 0) {
		fprintf(stderr, "cp: %s: %s\n", to, strerror(errno));
		close(in);
		return 1;
	}
	int status = 0;
	for (;;) {
		ssize_t n = read(in, buf, sizeof(buf));
		if (n <= 0) {
			if (n < 0) {
				fprintf(stderr, "cp: %s: %s\n", argv[1], strerror(errno));
				status = 1;
			}
			break;
		}
		if (write(out, buf, (size_t)n) != n) {
			fprintf(stderr, "cp: %s: %s\n", to, strerror(errno));
			status = 1;
			break;
		}
	}
	close(in);
	close(out);
	return status;
}
