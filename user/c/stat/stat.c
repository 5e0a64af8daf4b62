/* stat PATH...: what the file system says about each path. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

static const char *type(mode_t m)
{
	return S_ISDIR(m)    ? "directory"
	       : S_ISREG(m)  ? "regular file"
	       : S_ISCHR(m)  ? "character device"
	       : S_ISFIFO(m) ? "fifo"
			     : "other";
}

int main(int argc, char **argv)
{
	struct stat st;
	int status = 0;

	if (argc < 2) {
		fprintf(stderr, "usage: stat PATH...\n");
		return 2;
	}
	for (int i = 1; i < argc; i++) {
		if (stat(argv[i], &st) != 0) {
			fprintf(stderr, "stat: %s: %s\n", argv[i], strerror(errno));
			status = 1;
			continue;
		}
		printf("  File: %s\n", argv[i]);
		printf("  Size: %ld  Blocks: %ld  IO Block: %ld  %s\n", (long)st.st_size,
		       (long)st.st_blocks, (long)st.st_blksize, type(st.st_mode));
		printf(" Inode: %lu  Links: %lu  Mode: %04o\n", (unsigned long)st.st_ino,
		       (unsigned long)st.st_nlink, (unsigned)(st.st_mode & 07777));
		printf("Modify: %lld s after boot\n", (long long)st.st_mtime);
	}
	return status;
}
