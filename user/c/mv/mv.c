/* mv FROM TO: rename (TO may be a directory: FROM goes in it under its own name). */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

int main(int argc, char **argv)
{
	char target[512];
	struct stat st;

	if (argc != 3) {
		fprintf(stderr, "usage: mv FROM TO\n");
		return 2;
	}
	const char *to = argv[2];
	if (stat(to, &st) == 0 && S_ISDIR(st.st_mode)) {
		const char *base = strrchr(argv[1], '/');
		snprintf(target, sizeof(target), "%s/%s", to, base ? base + 1 : argv[1]);
		to = target;
	}
	if (rename(argv[1], to) != 0) {
		fprintf(stderr, "mv: %s -> %s: %s\n", argv[1], to, strerror(errno));
		return 1;
	}
	return 0;
}
