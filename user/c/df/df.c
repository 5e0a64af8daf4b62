/* df [PATH...]: size and free space of the file systems / and /tmp, or those PATHs lie in. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "lib/libc/strata.h"

static int show(const char *path)
{
	struct fs_statfs s;

	if (strata_statfs(path, &s) != 0) {
		fprintf(stderr, "df: %s: %s\n", path, strerror(errno));
		return 1;
	}
	unsigned long kib = (unsigned long)(s.block_size / 1024);
	printf("%-12s %9lu %9lu %9lu %7lu %7lu\n", path, (unsigned long)s.blocks * kib,
	       (unsigned long)(s.blocks - s.blocks_free) * kib, (unsigned long)s.blocks_free * kib,
	       (unsigned long)s.inodes, (unsigned long)s.inodes_free);
	return 0;
}

int main(int argc, char **argv)
{
	int status = 0;

	printf("%-12s %9s %9s %9s %7s %7s\n", "path", "KiB", "used", "free", "inodes", "ifree");
	if (argc == 1)
		return show("/") | show("/tmp");
	for (int i = 1; i < argc; i++)
		status |= show(argv[i]);
	return status;
}
