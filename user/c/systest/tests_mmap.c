/*
 * Mapped files: mmap of a descriptor, MAP_SHARED and MAP_PRIVATE, against
 * read() and write() on the same file (one page cache), fork, truncation,
 * unlink, msync and the errors. Files live in /tmp; every test removes
 * what it made, and the runner checks the memory came back.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lib/libc/strata.h"
#include "user/c/systest/systest.h"

#define PAGE 4096

/*
 * Where the test files go: /tmp (a RAM file system) and then / (the disk's
 * ext2 file system when the boot has a disk): every test runs in both.
 */
static const char *dir = "/tmp";

/* A new file in `dir` of `bytes` bytes, byte i = (i * 7 + seed) & 0xff: its descriptor (O_RDWR). */
static int make_file(char *name, size_t cap, const char *tag, size_t bytes, unsigned seed)
{
	static unsigned char buf[PAGE];

	snprintf(name, cap, "%s/%s-%d", dir, tag, getpid());
	int fd = open(name, O_RDWR | O_CREAT | O_TRUNC, 0644);
	for (size_t done = 0; fd >= 0 && done < bytes;) {
		size_t n = bytes - done < PAGE ? bytes - done : PAGE;
		for (size_t i = 0; i < n; i++)
			buf[i] = (unsigned char)((done + i) * 7 + seed);
		if (write(fd, buf, n) != (ssize_t)n)
			return -1;
		done += n;
	}
	return fd;
}

static bool pattern_at(const volatile unsigned char *p, size_t from, size_t n, unsigned seed)
{
	for (size_t i = from; i < from + n; i++)
		if (p[i] != (unsigned char)(i * 7 + seed))
			return false;
	return true;
}

/* The signal a child dies of touching p (write: storing), 0 if it did not, -1 on error. */
static int touch(volatile unsigned char *p, bool write)
{
	int st;
	pid_t pid = fork();

	if (pid == 0) {
		if (write)
			*p = 1;
		else
			(void)*p;
		_exit(0);
	}
	if (pid < 0 || waitpid(pid, &st, 0) != pid)
		return -1;
	return WIFSIGNALED(st) ? WTERMSIG(st) : WEXITSTATUS(st) ? -2 : 0;
}

static unsigned char read_byte(int fd, off_t at)
{
	unsigned char c = 0xee;

	return pread(fd, &c, 1, at) == 1 ? c : 0xee;
}

/*
 * MAP_SHARED: the mapping shows the file; a store is seen by read() at
 * once, a write() by the mapping at once, a second mapping and a forked
 * child see the same pages, and so does another program that maps the file
 * on its own.
 */
static bool mmap_file_shared(void)
{
	char name[64];
	int fd = make_file(name, sizeof(name), "mmsh", 3 * PAGE, 1);
	int st;

	CHECK(fd >= 0);
	volatile unsigned char *p = mmap(0, 3 * PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	CHECK(p != MAP_FAILED);
	CHECK(pattern_at(p, 0, 3 * PAGE, 1));
	p[5] = 0xa5;
	CHECK(read_byte(fd, 5) == 0xa5); /* the store is in the file's page */
	unsigned char b = 0x5a;
	CHECK(pwrite(fd, &b, 1, 2 * PAGE + 9) == 1);
	CHECK(p[2 * PAGE + 9] == 0x5a); /* and write() lands in the mapping */
	volatile unsigned char *q = mmap(0, PAGE, PROT_READ, MAP_SHARED, fd, PAGE);
	CHECK(q != MAP_FAILED && pattern_at(q, 0, PAGE, (1 + PAGE * 7) & 0xff));
	pid_t pid = fork();
	if (pid == 0) {
		p[PAGE + 1] = 0x42;
		_exit(q[1] == 0x42 ? 0 : 1); /* the child's two mappings: one page */
	}
	CHECK(pid > 0 && waitpid(pid, &st, 0) == pid && WIFEXITED(st) && WEXITSTATUS(st) == 0);
	CHECK(p[PAGE + 1] == 0x42 && read_byte(fd, PAGE + 1) == 0x42);
	char *argv[] = {"systest", "mmap-peer", name, 0};
	CHECK(run_child(argv, 0) == 0);
	CHECK(p[PAGE * 2] == 0x77 && read_byte(fd, 2 * PAGE) == 0x77);
	CHECK(msync((void *)p, 3 * PAGE, MS_SYNC) == 0 && msync((void *)p, PAGE, MS_ASYNC) == 0);
	CHECK(msync((void *)p, PAGE, MS_INVALIDATE) == 0);
	CHECK(munmap((void *)q, PAGE) == 0 && munmap((void *)p, 3 * PAGE) == 0);
	CHECK(close(fd) == 0 && unlink(name) == 0);
	return true;
}

/* Helper for mmap_file_shared: map the file by name and store into page 2. */
int mmap_peer(const char *name)
{
	int fd = open(name, O_RDWR);
	volatile unsigned char *p =
	    fd >= 0 ? mmap(0, 3 * PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0) : MAP_FAILED;

	if (p == MAP_FAILED || p[5] != 0xa5)
		return 1;
	p[2 * PAGE] = 0x77;
	return munmap((void *)p, 3 * PAGE) == 0 && close(fd) == 0 ? 0 : 1;
}

/*
 * MAP_PRIVATE: copy-on-write over the file's pages. Until a page is written
 * the mapping shows the file, a later write() included; once written, the
 * page is the process's own (the file keeps its bytes, a forked child gets
 * the copy).
 */
static bool mmap_file_private(void)
{
	char name[64];
	int fd = make_file(name, sizeof(name), "mmpr", 2 * PAGE, 3);
	int st;

	CHECK(fd >= 0);
	volatile unsigned char *p = mmap(0, 2 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
	CHECK(p != MAP_FAILED && pattern_at(p, 0, 2 * PAGE, 3));
	unsigned char b = 0x11;
	CHECK(pwrite(fd, &b, 1, PAGE + 2) == 1);
	CHECK(p[PAGE + 2] == 0x11); /* not written yet: still the file's page */
	p[3] = 0x99;
	CHECK(p[3] == 0x99 && read_byte(fd, 3) == (unsigned char)(3 * 7 + 3));
	b = 0x22;
	CHECK(pwrite(fd, &b, 1, 4) == 1);
	CHECK(p[4] == (unsigned char)(4 * 7 + 3)); /* the copy does not follow the file */
	pid_t pid = fork();
	if (pid == 0) {
		p[3] = 0x55; /* the child's own copy */
		_exit(p[PAGE + 2] == 0x11 ? 0 : 1);
	}
	CHECK(pid > 0 && waitpid(pid, &st, 0) == pid && WIFEXITED(st) && WEXITSTATUS(st) == 0);
	CHECK(p[3] == 0x99);
	/* Reading a private mapping maps up to 4 of the file's pages per fault: both here. */
	struct mem_vs_stats v0, v1;
	volatile unsigned char *q = mmap(0, 2 * PAGE, PROT_READ, MAP_PRIVATE, fd, 0);
	CHECK(q != MAP_FAILED && strata_vs_stats(0, &v0) == 0);
	CHECK(q[0] == (unsigned char)(0 * 7 + 3) && q[PAGE + 2] == 0x11);
	CHECK(strata_vs_stats(0, &v1) == 0);
	CHECK(v1.faults - v0.faults == 1 && munmap((void *)q, 2 * PAGE) == 0);
	/* Read-only and executable private mappings of the same file. */
	volatile unsigned char *r = mmap(0, PAGE, PROT_READ, MAP_PRIVATE, fd, 0);
	CHECK(r != MAP_FAILED && r[4] == 0x22 && touch(r, true) == SIGSEGV);
	CHECK(mprotect((void *)r, PAGE, PROT_READ | PROT_WRITE) == 0); /* private: W is fine */
	r[4] = 0x33;
	CHECK(read_byte(fd, 4) == 0x22);
	CHECK(munmap((void *)r, PAGE) == 0 && munmap((void *)p, 2 * PAGE) == 0);
	CHECK(close(fd) == 0 && unlink(name) == 0);
	return true;
}

/*
 * The end of the file: the rest of its last page reads as zeros, a page
 * wholly beyond it is SIGBUS (shared and private); ftruncate cuts pages
 * out of every mapping (SIGBUS then), and growing the file again gives
 * zeros, not what was stored past the old end.
 */
static bool mmap_file_end(void)
{
	char name[64];
	int fd = make_file(name, sizeof(name), "mmend", PAGE + 100, 5);

	CHECK(fd >= 0);
	volatile unsigned char *s = mmap(0, 3 * PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	volatile unsigned char *p = mmap(0, 3 * PAGE, PROT_READ, MAP_PRIVATE, fd, 0);
	CHECK(s != MAP_FAILED && p != MAP_FAILED);
	CHECK(pattern_at(s, 0, PAGE + 100, 5) && s[PAGE + 100] == 0 && s[2 * PAGE - 1] == 0);
	CHECK(touch(s + 2 * PAGE, false) == SIGBUS && touch(p + 2 * PAGE, false) == SIGBUS);
	s[PAGE + 200] = 0xcc; /* past the end, in the last page: not in the file */
	struct stat sb;
	CHECK(fstat(fd, &sb) == 0 && sb.st_size == PAGE + 100);
	CHECK(p[PAGE] == s[PAGE]);
	CHECK(ftruncate(fd, 50) == 0);
	CHECK(touch(s + PAGE, false) == SIGBUS && touch(p + PAGE, false) == SIGBUS);
	CHECK(s[49] == (unsigned char)(49 * 7 + 5) && s[50] == 0); /* cut bytes read as zeros */
	CHECK(ftruncate(fd, 2 * PAGE) == 0);
	CHECK(s[PAGE + 200] == 0 && s[PAGE] == 0 && p[PAGE + 200] == 0);
	CHECK(touch(s + PAGE, true) == 0 && read_byte(fd, PAGE) == 1);
	CHECK(munmap((void *)s, 3 * PAGE) == 0 && munmap((void *)p, 3 * PAGE) == 0);
	CHECK(close(fd) == 0 && unlink(name) == 0);
	return true;
}

/* A mapping keeps its file: closed and unlinked, the pages stay until munmap. */
static bool mmap_file_unlinked(void)
{
	char name[64];
	int fd = make_file(name, sizeof(name), "mmul", 4 * PAGE, 9);

	CHECK(fd >= 0);
	volatile unsigned char *p = mmap(0, 4 * PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	CHECK(p != MAP_FAILED);
	CHECK(close(fd) == 0 && unlink(name) == 0 && open(name, O_RDONLY) == -1);
	CHECK(pattern_at(p, 0, 4 * PAGE, 9));
	p[3 * PAGE] = 1;
	CHECK(p[3 * PAGE] == 1);
	CHECK(munmap((void *)p, 4 * PAGE) == 0);
	return true;
}

/* What mmap and msync refuse, and why. */
static bool mmap_file_errors(void)
{
	char name[64];
	const int rw = PROT_READ | PROT_WRITE;
	int fd = make_file(name, sizeof(name), "mmerr", PAGE, 0);
	int ro = open(name, O_RDONLY), wo = open(name, O_WRONLY), dir = open("/tmp", O_RDONLY);
	int pfd[2];

	CHECK(fd >= 0 && ro >= 0 && wo >= 0 && dir >= 0 && pipe(pfd) == 0);
	errno = 0;
	CHECK(mmap(0, PAGE, PROT_READ, MAP_SHARED, wo, 0) == MAP_FAILED && errno == EACCES);
	CHECK(mmap(0, PAGE, rw, MAP_SHARED, ro, 0) == MAP_FAILED && errno == EACCES);
	CHECK(mmap(0, PAGE, PROT_READ, MAP_SHARED, dir, 0) == MAP_FAILED && errno == ENODEV);
	CHECK(mmap(0, PAGE, PROT_READ, MAP_SHARED, pfd[0], 0) == MAP_FAILED && errno == ENODEV);
	CHECK(mmap(0, PAGE, PROT_READ, MAP_SHARED, 63, 0) == MAP_FAILED && errno == EBADF);
	CHECK(mmap(0, PAGE, PROT_READ, MAP_SHARED, fd, 100) == MAP_FAILED && errno == EINVAL);
	CHECK(mmap(0, 0, PROT_READ, MAP_SHARED, fd, 0) == MAP_FAILED && errno == EINVAL);
	CHECK(mmap(0, PAGE, PROT_NONE, MAP_SHARED, fd, 0) == MAP_FAILED && errno == EINVAL);
	CHECK(mmap(0, PAGE, PROT_WRITE | PROT_EXEC, MAP_SHARED, fd, 0) == MAP_FAILED &&
	      errno == EINVAL);
	CHECK(mmap(0, PAGE, PROT_READ, MAP_SHARED | MAP_PRIVATE, fd, 0) == MAP_FAILED &&
	      errno == EINVAL);
	/* A private writable mapping of a read-only descriptor is fine: stores stay private. */
	volatile unsigned char *p = mmap(0, PAGE, rw, MAP_PRIVATE, ro, 0);
	CHECK(p != MAP_FAILED);
	p[0] = 0xfe;
	CHECK(read_byte(fd, 0) == 0 && munmap((void *)p, PAGE) == 0);
	/* Shared read-only from a read-only descriptor: W cannot be added later. */
	p = mmap(0, PAGE, PROT_READ, MAP_SHARED, ro, 0);
	CHECK(p != MAP_FAILED && touch(p, true) == SIGSEGV);
	CHECK(mprotect((void *)p, PAGE, rw) == -1 && errno == EACCES);
	CHECK(msync((void *)(p + 1), PAGE, MS_SYNC) == -1 && errno == EINVAL);
	CHECK(msync((void *)p, PAGE, MS_SYNC | MS_ASYNC) == -1 && errno == EINVAL);
	CHECK(msync((void *)p, PAGE, 8) == -1 && errno == EINVAL);
	CHECK(msync((void *)p, 2 * PAGE, MS_SYNC) == -1 && errno == ENOMEM);
	CHECK(munmap((void *)p, PAGE) == 0);
	CHECK(msync((void *)p, PAGE, MS_SYNC) == -1 && errno == ENOMEM);
	/* MAP_FIXED over a file mapping, and a mapping longer than the file. */
	p = mmap(0, 4 * PAGE, rw, MAP_SHARED, fd, 0);
	CHECK(p != MAP_FAILED);
	CHECK(mmap((void *)p, PAGE, rw, MAP_PRIVATE | MAP_FIXED | MAP_ANONYMOUS, -1, 0) ==
	      (void *)p);
	p[0] = 3;
	CHECK(read_byte(fd, 0) == 0 && touch(p + 2 * PAGE, false) == SIGBUS);
	CHECK(munmap((void *)p, 4 * PAGE) == 0);
	CHECK(close(pfd[0]) == 0 && close(pfd[1]) == 0 && close(dir) == 0);
	CHECK(close(wo) == 0 && close(ro) == 0 && close(fd) == 0 && unlink(name) == 0);
	return true;
}

/*
 * Many processes, one file: each child maps the file shared and adds to its
 * own counter many times; the file read afterwards has every count, and
 * the parent's mapping saw them as they came (no copies anywhere).
 */
static bool mmap_file_many(void)
{
	enum { KIDS = 4, ADDS = 2000 };
	char name[64];
	int fd = make_file(name, sizeof(name), "mmmany", PAGE, 0);
	int st;

	CHECK(fd >= 0 && ftruncate(fd, 0) == 0 && ftruncate(fd, PAGE) == 0);
	volatile uint64_t *c = mmap(0, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	CHECK(c != MAP_FAILED);
	pid_t pid[KIDS];
	for (int k = 0; k < KIDS; k++) {
		pid[k] = fork();
		if (pid[k] == 0) {
			int f = open(name, O_RDWR);
			volatile uint64_t *m =
			    mmap(0, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, f, 0);
			if (m == MAP_FAILED)
				_exit(2);
			for (int i = 0; i < ADDS; i++)
				__atomic_fetch_add(&m[k], 1, __ATOMIC_SEQ_CST);
			_exit(0);
		}
		CHECK(pid[k] > 0);
	}
	for (int k = 0; k < KIDS; k++)
		CHECK(waitpid(pid[k], &st, 0) == pid[k] && WIFEXITED(st) && WEXITSTATUS(st) == 0);
	uint64_t got[KIDS];
	CHECK(pread(fd, got, sizeof(got), 0) == (ssize_t)sizeof(got));
	for (int k = 0; k < KIDS; k++)
		CHECK(got[k] == ADDS && c[k] == ADDS);
	/*
	 * And the other way: a child counts up with pwrite() while this process
	 * watches through its mapping; every value it sees is one written, in
	 * order, and the last one arrives.
	 */
	pid_t w = fork();
	if (w == 0) {
		for (uint64_t i = 1; i <= ADDS; i++)
			if (pwrite(fd, &i, sizeof(i), 8 * KIDS) != (ssize_t)sizeof(i))
				_exit(1);
		_exit(0);
	}
	CHECK(w > 0);
	uint64_t last = 0;
	bool ended = false;
	while (last < ADDS && !ended) {
		ended = waitpid(w, &st, WNOHANG) == w; /* then one more look: all must be there */
		uint64_t now = c[KIDS];
		CHECK(now >= last && now <= ADDS);
		last = now;
	}
	CHECK(last == ADDS);
	CHECK((ended || waitpid(w, &st, 0) == w) && WIFEXITED(st) && WEXITSTATUS(st) == 0);
	CHECK(munmap((void *)c, PAGE) == 0 && close(fd) == 0 && unlink(name) == 0);
	return true;
}

/*
 * A file whose bytes reach the disk only through a mapping: written with
 * write() and synced, then overwritten through MAP_SHARED and unmapped
 * without msync. It is left in /home (on the disk's file system when the
 * boot has one): the host reads it after the power-off (scripts/check.sh),
 * which holds only if the stores' D bits made the cache page dirty.
 */
static bool mmap_file_reaches_disk(void)
{
	static const char text[] = "written through a mapping\n";
	const size_t n = sizeof(text) - 1;
	struct stat sb;
	const char *name = stat("/home", &sb) == 0 ? "/home/mmap.txt" : "/tmp/mmap.txt";
	int fd = open(name, O_RDWR | O_CREAT | O_TRUNC, 0644);
	char buf[sizeof(text)];

	CHECK(fd >= 0);
	memset(buf, 'x', n);
	CHECK(write(fd, buf, n) == (ssize_t)n && fsync(fd) == 0);
	char *p = mmap(0, n, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	CHECK(p != MAP_FAILED);
	memcpy(p, text, n);
	CHECK(munmap(p, n) == 0 && close(fd) == 0);
	fd = open(name, O_RDONLY);
	CHECK(fd >= 0 && read(fd, buf, n) == (ssize_t)n && memcmp(buf, text, n) == 0);
	CHECK(close(fd) == 0);
	return true;
}

/*
 * The same through msync, the mapping kept: the host compares this file
 * with what was stored, after the power-off (scripts/check.sh).
 */
static bool mmap_file_msync_to_disk(void)
{
	static const char text[] = "synced through a mapping\n";
	const size_t n = sizeof(text) - 1;
	struct stat sb;
	const char *name = stat("/home", &sb) == 0 ? "/home/msync.txt" : "/tmp/msync.txt";
	int fd = open(name, O_RDWR | O_CREAT | O_TRUNC, 0644);

	CHECK(fd >= 0 && ftruncate(fd, (off_t)n) == 0);
	char *p = mmap(0, n, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	CHECK(p != MAP_FAILED);
	memcpy(p, text, n);
	CHECK(msync(p, n, MS_SYNC) == 0);
	CHECK(close(fd) == 0 && munmap(p, n) == 0);
	return true;
}

/*
 * Two processes running the same program from the file system share its
 * text: each maps pages of the page cache (proc_info's file pages), not
 * copies of its own.
 */
static bool exec_shares_text(void)
{
	pid_t pid[2];
	struct proc_info pi;
	int st;

	for (int k = 0; k < 2; k++) {
		pid[k] = fork();
		if (pid[k] == 0) {
			char *argv[] = {"/bin/systest", "spin", 0};
			execv(argv[0], argv);
			_exit(127);
		}
		CHECK(pid[k] > 0);
	}
	for (int k = 0; k < 2; k++) {
		uint64_t file = 0;
		for (int tries = 0; tries < 500 && file == 0; tries++) {
			if (strata_proc_find(pid[k], &pi) == 0)
				file = pi.file;
			if (file == 0)
				usleep(2000);
		}
		CHECK(file > 0);
	}
	for (int k = 0; k < 2; k++)
		CHECK(kill(pid[k], SIGKILL) == 0 && waitpid(pid[k], &st, 0) == pid[k] &&
		      WIFSIGNALED(st));
	return true;
}

/* Run a test body in /tmp, then in /. */
static bool in_both(bool (*body)(void))
{
	dir = "/tmp";
	if (!body())
		return false;
	dir = "";
	return body();
}

#define BOTH(name)                                                                                 \
	static bool name##_both(void)                                                              \
	{                                                                                          \
		return in_both(name);                                                              \
	}
BOTH(mmap_file_shared)
BOTH(mmap_file_private)
BOTH(mmap_file_end)
BOTH(mmap_file_unlinked)
BOTH(mmap_file_errors)
BOTH(mmap_file_many)

const struct systest mmap_tests[] = {
    {"mmap_file_shared", mmap_file_shared_both},
    {"mmap_file_private", mmap_file_private_both},
    {"mmap_file_end", mmap_file_end_both},
    {"mmap_file_unlinked", mmap_file_unlinked_both},
    {"mmap_file_errors", mmap_file_errors_both},
    {"mmap_file_many", mmap_file_many_both},
    {"mmap_file_reaches_disk", mmap_file_reaches_disk},
    {"mmap_file_msync_to_disk", mmap_file_msync_to_disk},
    {"exec_shares_text", exec_shares_text},
    {0, 0},
};
