/*
 * crashwrite: the program of the crash test (scripts/check.sh). It writes
 * /home/synced.bin, makes it durable with fsync, says so, and then writes
 * other files for ever, until the machine is killed in the middle. The
 * host then repairs the file system with e2fsck -fy and checks that the
 * synced file came through whole: what fsync said was on the disk is.
 */
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

#define SYNCED_BYTES (256u * 1024)
#define SCRATCH	     16

/* Byte i of the synced file (the host computes the same). */
static unsigned char pattern(unsigned i)
{
	return (unsigned char)(i * 7 + (i >> 8));
}

static int write_all(int fd, const unsigned char *p, size_t n)
{
	while (n) {
		ssize_t k = write(fd, p, n);
		if (k <= 0)
			return -1;
		p += k;
		n -= (size_t)k;
	}
	return 0;
}

int main(void)
{
	static unsigned char buf[4096];
	int fd = open("/home/synced.bin", O_WRONLY | O_CREAT | O_TRUNC, 0644);

	if (fd < 0) {
		perror("crashwrite: /home/synced.bin");
		return 1;
	}
	for (unsigned off = 0; off < SYNCED_BYTES; off += sizeof(buf)) {
		for (unsigned i = 0; i < sizeof(buf); i++)
			buf[i] = pattern(off + i);
		if (write_all(fd, buf, sizeof(buf)) != 0) {
			perror("crashwrite: write");
			return 1;
		}
	}
	if (fsync(fd) != 0 || close(fd) != 0) {
		perror("crashwrite: fsync");
		return 1;
	}
	printf("crashwrite: synced\n");
	fflush(stdout);
	for (unsigned n = 0;; n++) {
		char name[32];
		snprintf(name, sizeof(name), "/home/scratch%u", n % SCRATCH);
		fd = open(name, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		for (unsigned k = 0; fd >= 0 && k < 16; k++)
			write_all(fd, buf, sizeof(buf));
		if (fd >= 0)
			close(fd);
	}
}
