/*
 * ls [-l] [-a] [PATH...]: the names in each directory (or the file named),
 * sorted; -l with type, permissions, links, size and modification time
 * (seconds since boot), -a with the names starting with a dot.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define MAX_NAMES 512

static int longform, all;

static void mode_string(mode_t m, char out[11])
{
	const char *rwx = "rwxrwxrwx";

	out[0] = S_ISDIR(m) ? 'd' : S_ISCHR(m) ? 'c' : S_ISFIFO(m) ? 'p' : '-';
	for (int i = 0; i < 9; i++)
		out[1 + i] = (m & (0400 >> i)) ? rwx[i] : '-';
	out[10] = '\0';
}

static void show(const char *path, const char *name)
{
	struct stat st;
	char mode[11];

	if (!longform) {
		printf("%s\n", name);
		return;
	}
	if (stat(path, &st) != 0) {
		printf("?????????? %s\n", name);
		return;
	}
	mode_string(st.st_mode, mode);
	printf("%s %2lu %8ld %8lld %s\n", mode, (unsigned long)st.st_nlink, (long)st.st_size,
	       (long long)st.st_mtime, name);
}

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int list(const char *path)
{
	static char *names[MAX_NAMES];
	static char full[512];
	struct stat st;
	int n = 0;

	if (stat(path, &st) != 0) {
		fprintf(stderr, "ls: %s: %s\n", path, strerror(errno));
		return 1;
	}
	if (!S_ISDIR(st.st_mode)) {
		show(path, path);
		return 0;
	}
	DIR *d = opendir(path);
	if (!d) {
		fprintf(stderr, "ls: %s: %s\n", path, strerror(errno));
		return 1;
	}
	struct dirent *e;
	errno = 0; /* readdir's end and its failure are told apart by errno */
	while ((e = readdir(d)) != NULL && n < MAX_NAMES)
		if (all || e->d_name[0] != '.')
			names[n++] = strdup(e->d_name);
	int failed = !e && errno != 0;
	if (failed)
		fprintf(stderr, "ls: %s: %s\n", path, strerror(errno));
	closedir(d);
	qsort(names, (size_t)n, sizeof(names[0]), by_name);
	for (int i = 0; i < n; i++) {
		snprintf(full, sizeof(full), "%s/%s", path, names[i]);
		show(full, names[i]);
		free(names[i]);
	}
	return failed;
}

int main(int argc, char **argv)
{
	int i = 1, status = 0;

	for (; i < argc && argv[i][0] == '-' && argv[i][1]; i++)
		for (const char *o = argv[i] + 1; *o; o++) {
			if (*o == 'l')
				longform = 1;
			else if (*o == 'a')
				all = 1;
			else {
				fprintf(stderr, "usage: ls [-l] [-a] [PATH...]\n");
				return 2;
			}
		}
	if (i == argc)
		return list(".");
	for (int first = i; i < argc; i++) {
		if (argc - first > 1)
			printf("%s%s:\n", i > first ? "\n" : "", argv[i]);
		status |= list(argv[i]);
	}
	return status;
}
