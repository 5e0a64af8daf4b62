/*
 * systest: files, directories, descriptors and pipes through fs and the C
 * library, on the RAM file system at /tmp. Every test removes what it
 * made; the runner checks that fs holds as much as before (tables, open
 * files, pipes, pages, waiting requests) once the test's processes are
 * gone.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "lib/libc/strata.h"
#include "user/c/systest/systest.h"

/* A call that must fail with errno e. */
#define FAILS(call, e) CHECK((call) == -1 && errno == (e))

static int wait_for(int pid)
{
	int st = -1;
	return waitpid(pid, &st, 0) == pid ? st : -1;
}

static bool exited_ok(int st)
{
	return WIFEXITED(st) && WEXITSTATUS(st) == 0;
}

/* Every POSIX error the file calls give, and that nothing changes when they do. */
static bool fs_errors(void)
{
	char name[300], path[600];
	int fds[FS_FDS_MAX];

	FAILS(open("/tmp/none", O_RDONLY), ENOENT);
	FAILS(open("/tmp/none/x", O_RDONLY | O_CREAT, 0666), ENOENT);
	FAILS(stat("/tmp/none", &(struct stat){0}), ENOENT);
	FAILS(unlink("/tmp/none"), ENOENT);
	FAILS(rmdir("/tmp/none"), ENOENT);
	FAILS(rename("/tmp/none", "/tmp/other"), ENOENT);
	FAILS(open("", O_RDONLY), ENOENT);

	int fd = open("/tmp/e", O_RDWR | O_CREAT | O_EXCL, 0644);
	CHECK(fd >= 0);
	FAILS(open("/tmp/e", O_RDWR | O_CREAT | O_EXCL, 0644), EEXIST);
	CHECK(mkdir("/tmp/d", 0755) == 0);
	FAILS(mkdir("/tmp/d", 0755), EEXIST);
	FAILS(mkdir("/tmp/e", 0755), EEXIST);

	FAILS(open("/tmp/e/x", O_RDONLY), ENOTDIR);
	FAILS(open("/tmp/e", O_RDONLY | O_DIRECTORY), ENOTDIR);
	FAILS(rmdir("/tmp/e"), ENOTDIR);
	FAILS(mkdir("/tmp/e/x", 0755), ENOTDIR);
	FAILS(chdir("/tmp/e"), ENOTDIR);
	FAILS(opendir("/tmp/e") ? 0 : -1, ENOTDIR);

	FAILS(open("/tmp/d", O_WRONLY), EISDIR);
	FAILS(open("/tmp/d", O_RDWR), EISDIR);
	FAILS(unlink("/tmp/d"), EISDIR);
	int dfd = open("/tmp/d", O_RDONLY);
	CHECK(dfd >= 0);
	FAILS(read(dfd, name, 1), EISDIR);
	CHECK(close(dfd) == 0);
	CHECK(rename("/tmp/e", "/tmp/d/e") == 0);
	FAILS(rmdir("/tmp/d"), ENOTEMPTY);
	FAILS(rename("/tmp/d", "/tmp/d/sub"), EINVAL);
	FAILS(rmdir("/tmp"), EBUSY);
	FAILS(rename("/tmp/d/e", "/elsewhere"), EXDEV);
	CHECK(rename("/tmp/d/e", "/tmp/e") == 0);

	FAILS(read(40, name, 1), EBADF);
	FAILS(write(40, name, 1), EBADF);
	FAILS(close(40), EBADF);
	FAILS(close(-1), EBADF);
	FAILS(lseek(40, 0, SEEK_SET), EBADF);
	FAILS(dup(40), EBADF);
	FAILS(dup2(40, 41), EBADF);
	FAILS(dup2(fd, FS_FDS_MAX), EBADF);
	FAILS(fstat(40, &(struct stat){0}), EBADF);
	FAILS(fcntl(40, F_GETFD), EBADF);
	int ro = open("/tmp/e", O_RDONLY);
	CHECK(ro >= 0);
	FAILS(write(ro, "x", 1), EBADF);
	FAILS(ftruncate(ro, 0), EINVAL);
	int wo = open("/tmp/e", O_WRONLY);
	CHECK(wo >= 0);
	FAILS(read(wo, name, 1), EBADF);

	FAILS(lseek(fd, -1, SEEK_SET), EINVAL);
	FAILS(lseek(fd, 0, 7), EINVAL);
	FAILS(lseek(1, 0, SEEK_SET), ESPIPE);
	FAILS(open("/tmp/e", O_RDONLY | O_ACCMODE), EINVAL);

	memset(name, 'n', sizeof(name));
	name[FS_NAME_MAX + 1] = '\0';
	snprintf(path, sizeof(path), "/tmp/%s", name);
	FAILS(open(path, O_RDONLY | O_CREAT, 0666), ENAMETOOLONG);
	FAILS(mkdir(path, 0755), ENAMETOOLONG);
	name[FS_NAME_MAX] = '\0'; /* exactly the longest name: fine */
	snprintf(path, sizeof(path), "/tmp/%s", name);
	CHECK(mkdir(path, 0755) == 0 && rmdir(path) == 0);
	memset(path, 'p', sizeof(path));
	path[0] = '/';
	path[sizeof(path) - 1] = '\0';
	FAILS(open(path, O_RDONLY), ENAMETOOLONG);

	/* EMFILE: every descriptor in use; the table is whole again afterwards. */
	int n = 0;
	for (; n < FS_FDS_MAX; n++) {
		fds[n] = open("/tmp/e", O_RDONLY);
		if (fds[n] < 0)
			break;
	}
	CHECK(n < FS_FDS_MAX && fds[n] == -1 && errno == EMFILE);
	FAILS(dup(fd), EMFILE);
	FAILS(pipe((int[2]){0}), EMFILE);
	for (int i = 0; i < n; i++)
		CHECK(close(fds[i]) == 0);
	CHECK(dup(fd) >= 0);

	CHECK(unlink("/tmp/e") == 0 && rmdir("/tmp/d") == 0);
	return true;
}

/* Reading, writing, seeking, sizes, appending, renaming and listing. */
static bool fs_files(void)
{
	enum { SIZE = 40000 };
	char *buf = malloc(SIZE),
	     *back = malloc(SIZE); /* not static: systest's image stays small */
	struct stat st;

	CHECK(buf && back);
	for (size_t i = 0; i < SIZE; i++)
		buf[i] = (char)(i * 7 + 3);
	int fd = open("/tmp/f", O_RDWR | O_CREAT | O_TRUNC, 0640);
	CHECK(fd >= 0);
	CHECK(write(fd, buf, SIZE) == (ssize_t)SIZE); /* several windows */
	CHECK(fstat(fd, &st) == 0 && st.st_size == (off_t)SIZE && S_ISREG(st.st_mode) &&
	      (st.st_mode & 0777) == 0640 && st.st_nlink == 1);
	CHECK(lseek(fd, 0, SEEK_CUR) == (off_t)SIZE);
	CHECK(lseek(fd, 0, SEEK_SET) == 0);
	CHECK(read(fd, back, SIZE) == (ssize_t)SIZE);
	CHECK(memcmp(buf, back, SIZE) == 0);
	CHECK(read(fd, back, 10) == 0); /* the end */
	CHECK(pread(fd, back, 5, 100) == 5 && memcmp(back, buf + 100, 5) == 0);
	CHECK(pwrite(fd, "HELLO", 5, 8192) == 5);
	CHECK(lseek(fd, 0, SEEK_CUR) == (off_t)SIZE); /* pread/pwrite leave it */
	CHECK(lseek(fd, -5, SEEK_END) == (off_t)SIZE - 5);
	CHECK(ftruncate(fd, 10) == 0 && fstat(fd, &st) == 0 && st.st_size == 10);
	CHECK(ftruncate(fd, 9000) == 0);
	CHECK(pread(fd, back, 9000, 0) == 9000);
	CHECK(memcmp(back, buf, 10) == 0 && back[10] == 0 && back[8192] == 0); /* zeros */
	CHECK(lseek(fd, 20000, SEEK_SET) == 20000 && write(fd, "x", 1) == 1);
	CHECK(fstat(fd, &st) == 0 && st.st_size == 20001);
	CHECK(pread(fd, back, 4, 15000) == 4 && memcmp(back, "\0\0\0\0", 4) == 0); /* a hole */
	CHECK(close(fd) == 0);

	fd = open("/tmp/f", O_WRONLY | O_APPEND);
	CHECK(fd >= 0 && lseek(fd, 0, SEEK_SET) == 0);
	CHECK(write(fd, "end", 3) == 3 && lseek(fd, 0, SEEK_CUR) == 20004);
	CHECK(close(fd) == 0);
	fd = open("/tmp/f", O_RDWR | O_TRUNC);
	CHECK(fd >= 0 && fstat(fd, &st) == 0 && st.st_size == 0);

	/* Unlinked while open: the data stays until the last close. */
	CHECK(write(fd, "kept", 4) == 4 && unlink("/tmp/f") == 0);
	FAILS(stat("/tmp/f", &st), ENOENT);
	CHECK(pread(fd, back, 4, 0) == 4 && memcmp(back, "kept", 4) == 0);
	CHECK(fstat(fd, &st) == 0 && st.st_nlink == 0);
	CHECK(close(fd) == 0);

	/* Directories: listing, renames (replacing a file, moving a directory). */
	CHECK(mkdir("/tmp/dir", 0755) == 0 && mkdir("/tmp/dir/sub", 0700) == 0);
	CHECK(close(open("/tmp/dir/a", O_WRONLY | O_CREAT, 0666)) == 0);
	CHECK(close(open("/tmp/dir/b", O_WRONLY | O_CREAT, 0666)) == 0);
	CHECK(rename("/tmp/dir/a", "/tmp/dir/b") == 0);
	FAILS(rename("/tmp/dir/b", "/tmp/dir/sub"), EISDIR);
	FAILS(rename("/tmp/dir/sub", "/tmp/dir/b"), ENOTDIR);
	CHECK(rename("/tmp/dir/sub", "/tmp/moved") == 0);
	CHECK(stat("/tmp/dir/../moved/.", &st) == 0 && S_ISDIR(st.st_mode));
	DIR *d = opendir("/tmp/dir");
	CHECK(d);
	int dots = 0, b = 0, others = 0;
	for (struct dirent *e; (e = readdir(d)) != NULL;) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			dots++;
		else if (strcmp(e->d_name, "b") == 0 && e->d_type == DT_REG)
			b++;
		else
			others++;
	}
	CHECK(closedir(d) == 0);
	CHECK(dots == 2 && b == 1 && others == 0);

	/* The working directory, relative paths, . and .. */
	char cwd[64];
	CHECK(chdir("/tmp/dir") == 0 && getcwd(cwd, sizeof(cwd)) && strcmp(cwd, "/tmp/dir") == 0);
	CHECK(stat("b", &st) == 0 && stat("./../dir/b", &st) == 0);
	CHECK(chdir("..") == 0 && getcwd(cwd, sizeof(cwd)) && strcmp(cwd, "/tmp") == 0);
	FAILS(getcwd(cwd, 3) ? 0 : -1, ERANGE);
	CHECK(unlink("dir/b") == 0 && rmdir("dir") == 0 && rmdir("/tmp/moved") == 0);

	/* stdio on files. */
	FILE *f = fopen("/tmp/s", "w");
	CHECK(f);
	for (int i = 0; i < 500; i++)
		fprintf(f, "line %d\n", i);
	CHECK(fclose(f) == 0);
	f = fopen("/tmp/s", "r");
	CHECK(f);
	char line[32];
	int lines = 0;
	while (fgets(line, sizeof(line), f)) {
		char want[32];
		snprintf(want, sizeof(want), "line %d\n", lines++);
		CHECK(strcmp(line, want) == 0);
	}
	CHECK(lines == 500 && fclose(f) == 0);
	f = fopen("/tmp/s", "a+");
	CHECK(f && fputs("more\n", f) >= 0 && fclose(f) == 0);
	CHECK(stat("/tmp/s", &st) == 0 && st.st_size == 4390 + 5);
	FAILS(fopen("/tmp/none/s", "r") ? 0 : -1, ENOENT);
	CHECK(unlink("/tmp/s") == 0);
	free(buf);
	free(back);
	return true;
}

/* dup, dup2, close-on-exec flags, and pipes: data, end of file, EPIPE. */
static bool fs_dup_pipe(void)
{
	int p[2];
	char buf[64];

	int fd = open("/tmp/dp", O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	CHECK(fd >= 0 && fcntl(fd, F_GETFD) == FD_CLOEXEC);
	CHECK((fcntl(fd, F_GETFL) & O_ACCMODE) == O_RDWR);
	int d = dup(fd);
	CHECK(d > fd && fcntl(d, F_GETFD) == 0); /* dup clears close-on-exec */
	CHECK(write(fd, "abcdef", 6) == 6);
	CHECK(lseek(d, 0, SEEK_CUR) == 6); /* one description: one position */
	CHECK(lseek(d, 1, SEEK_SET) == 1 && read(fd, buf, 2) == 2 && memcmp(buf, "bc", 2) == 0);
	CHECK(dup2(fd, 20) == 20 && dup2(20, 20) == 20 && dup2(d, 20) == 20);
	CHECK(fcntl(fd, F_SETFD, 0) == 0 && fcntl(fd, F_GETFD) == 0);
	CHECK(fcntl(fd, F_DUPFD, 30) == 30 && fcntl(fd, F_DUPFD_CLOEXEC, 30) == 31);
	CHECK(fcntl(31, F_GETFD) == FD_CLOEXEC);
	CHECK(close(30) == 0 && close(31) == 0 && close(20) == 0 && close(d) == 0);
	CHECK(close(fd) == 0 && unlink("/tmp/dp") == 0);

	/* Standard output through a descriptor of our choice. */
	CHECK(isatty(1) && !isatty(40) && errno == EBADF);

	CHECK(pipe(p) == 0 && !isatty(p[0]) && errno == ENOTTY);
	FAILS(lseek(p[0], 0, SEEK_SET), ESPIPE);
	FAILS(write(p[0], "x", 1), EBADF);
	FAILS(read(p[1], buf, 1), EBADF);
	CHECK(write(p[1], "hello", 5) == 5);
	CHECK(read(p[0], buf, 2) == 2 && memcmp(buf, "he", 2) == 0);
	CHECK(read(p[0], buf, sizeof(buf)) == 3 && memcmp(buf, "llo", 3) == 0);
	int w2 = dup(p[1]);
	CHECK(close(p[1]) == 0 && write(w2, "!", 1) == 1 && close(w2) == 0);
	CHECK(read(p[0], buf, sizeof(buf)) == 1 && buf[0] == '!');
	CHECK(read(p[0], buf, sizeof(buf)) == 0); /* every write end closed: the end */
	CHECK(close(p[0]) == 0);

	CHECK(pipe(p) == 0 && close(p[0]) == 0);
	FAILS(write(p[1], "x", 1), EPIPE); /* no reader */
	CHECK(close(p[1]) == 0);

	/* stdout redirected into a pipe, as the shell does it. */
	CHECK(pipe(p) == 0);
	int saved = dup(1);
	CHECK(saved >= 0 && dup2(p[1], 1) == 1);
	printf("through the pipe\n");
	fflush(stdout);
	CHECK(dup2(saved, 1) == 1 && close(saved) == 0 && close(p[1]) == 0);
	CHECK(read(p[0], buf, sizeof(buf)) == 17 && memcmp(buf, "through the pipe\n", 17) == 0);
	CHECK(close(p[0]) == 0);
	return true;
}

/* fork shares open files (one position); exec keeps them but for close-on-exec ones. */
static bool fs_fork_exec(void)
{
	char buf[16];
	int fd = open("/tmp/fe", O_RDWR | O_CREAT | O_TRUNC, 0600);
	int ce = open("/tmp/fe", O_RDONLY | O_CLOEXEC);

	CHECK(fd >= 0 && ce >= 0);
	CHECK(write(fd, "parent", 6) == 6);
	int pid = fork();
	if (pid == 0) {
		/* The child sees the parent's descriptors and position, and moves it for both. */
		if (lseek(fd, 0, SEEK_CUR) != 6 || write(fd, "child", 5) != 5 ||
		    fcntl(ce, F_GETFD) != FD_CLOEXEC)
			_exit(1);
		_exit(0);
	}
	CHECK(pid > 0 && exited_ok(wait_for(pid)));
	CHECK(lseek(fd, 0, SEEK_CUR) == 11);
	CHECK(pread(fd, buf, 11, 0) == 11 && memcmp(buf, "parentchild", 11) == 0);

	/* After exec the plain descriptor is open and the close-on-exec one is not. */
	char a[8], b[8];
	snprintf(a, sizeof(a), "%d", fd);
	snprintf(b, sizeof(b), "%d", ce);
	pid = fork();
	if (pid == 0) {
		char *argv[] = {"systest", "fd-check", a, b, 0};
		execv("systest", argv);
		_exit(9);
	}
	int st = wait_for(pid);
	if (!exited_ok(st))
		printf("    fd-check after exec: status %#x\n", st);
	CHECK(exited_ok(st));
	/* A spawned child (fork and exec in one) inherits the same way. */
	char *argv[] = {"systest", "fd-check", a, b, 0};
	st = run_child(argv, 0);
	CHECK(exited_ok(st));
	CHECK(close(ce) == 0 && close(fd) == 0 && unlink("/tmp/fe") == 0);
	return true;
}

/* A reader waits in fs for a slow writer; a big transfer goes through a small pipe whole. */
static bool fs_pipe_slow(void)
{
	int p[2];
	char buf[64];
	struct timespec t0, t1;

	CHECK(pipe(p) == 0);
	int pid = fork();
	if (pid == 0) {
		close(p[0]);
		usleep(200000);
		if (write(p[1], "late", 4) != 4)
			_exit(1);
		usleep(100000);
		_exit(0); /* the write end closes with the process */
	}
	CHECK(pid > 0 && close(p[1]) == 0);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	CHECK(read(p[0], buf, sizeof(buf)) == 4 && memcmp(buf, "late", 4) == 0);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	long ms = (t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000;
	CHECK(ms >= 150); /* it waited for the data */
	CHECK(read(p[0], buf, sizeof(buf)) == 0);
	CHECK(exited_ok(wait_for(pid)) && close(p[0]) == 0);

	/* 256 KiB through a 16 KiB pipe: the writer waits for room, the reader for data. */
	enum { TOTAL = 256 * 1024 };
	CHECK(pipe(p) == 0);
	pid = fork();
	if (pid == 0) {
		unsigned char *out = malloc(TOTAL);
		close(p[0]);
		if (!out)
			_exit(2);
		for (int i = 0; i < TOTAL; i++)
			out[i] = (unsigned char)(i % 251);
		_exit(write(p[1], out, TOTAL) == TOTAL ? 0 : 1);
	}
	CHECK(pid > 0 && close(p[1]) == 0);
	unsigned char *in = malloc(TOTAL);
	size_t got = 0;
	CHECK(in);
	for (ssize_t n; (n = read(p[0], in + got, TOTAL - got)) > 0;)
		got += (size_t)n;
	CHECK(got == TOTAL);
	for (int i = 0; i < TOTAL; i++)
		CHECK(in[i] == (unsigned char)(i % 251));
	free(in);
	CHECK(exited_ok(wait_for(pid)) && close(p[0]) == 0);
	return true;
}

/* A process killed while it holds files and pipes, and waits in fs, leaves nothing behind. */
static bool fs_kill_holder(void)
{
	struct fs_stats s0, s1;
	char *argv[] = {"systest", "fs-hold", 0};

	CHECK(strata_fs_stats(&s0) == 0);
	int pid = strata_spawn("systest", argv, 0);
	CHECK(pid > 0);
	for (int i = 0; i < 200; i++) { /* until it waits in fs */
		CHECK(strata_fs_stats(&s1) == 0);
		if (s1.waiting > s0.waiting)
			break;
		usleep(10000);
	}
	CHECK(s1.waiting == s0.waiting + 1 && s1.tables == s0.tables + 1);
	CHECK(s1.files > s0.files && s1.pipes > s0.pipes && s1.pages > s0.pages);
	CHECK(kill(pid, SIGKILL) == 0);
	int st = wait_for(pid);
	CHECK(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL);
	CHECK(strata_fs_stats(&s1) == 0);
	CHECK(s1.tables == s0.tables && s1.files == s0.files && s1.pipes == s0.pipes);
	CHECK(s1.waiting == s0.waiting);
	/* Its file in /tmp stays (it was not unlinked); the rest of its pages are gone. */
	CHECK(unlink("/tmp/held") == 0);
	CHECK(strata_fs_stats(&s1) == 0 && s1.pages == s0.pages);
	return true;
}

/* Several processes at once, each with its own files, all through one pipe to the parent. */
static bool fs_many(void)
{
	enum { N = 4, LINES = 50 };
	int p[2], pids[N];

	CHECK(pipe(p) == 0);
	for (int k = 0; k < N; k++) {
		pids[k] = fork();
		if (pids[k] == 0) {
			char path[32], line[64];
			close(p[0]);
			snprintf(path, sizeof(path), "/tmp/many%d", k);
			FILE *f = fopen(path, "w+");
			if (!f)
				_exit(1);
			for (int i = 0; i < LINES; i++)
				fprintf(f, "%d %d\n", k, i);
			fflush(f);
			rewind(f);
			int n = 0;
			while (fgets(line, sizeof(line), f)) {
				/* whole lines, each one write: pipes keep small writes whole */
				if (write(p[1], line, strlen(line)) != (ssize_t)strlen(line))
					_exit(2);
				n++;
			}
			fclose(f);
			_exit(n == LINES && unlink(path) == 0 ? 0 : 3);
		}
		CHECK(pids[k] > 0);
	}
	CHECK(close(p[1]) == 0);
	FILE *in = fdopen(p[0], "r");
	CHECK(in);
	int count[N] = {0}, lines = 0, k, i;
	char line[64];
	while (fgets(line, sizeof(line), in)) {
		CHECK(sscanf(line, "%d %d", &k, &i) == 2 && k >= 0 && k < N && i == count[k]);
		count[k]++;
		lines++;
	}
	CHECK(fclose(in) == 0);
	CHECK(lines == N * LINES);
	for (k = 0; k < N; k++)
		CHECK(exited_ok(wait_for(pids[k])));
	return true;
}

/* Standard input from a file: its end is end of file (feof), not an error (ferror). */
static bool fs_stdin_eof(void)
{
	int fd = open("/tmp/in", O_RDWR | O_CREAT | O_TRUNC, 0600);

	CHECK(fd >= 0 && write(fd, "ab\n", 3) == 3 && lseek(fd, 0, SEEK_SET) == 0);
	int pid = fork();
	if (pid == 0) {
		int n = 0;
		if (dup2(fd, 0) != 0)
			_exit(2);
		while (getchar() != EOF)
			n++;
		_exit(n == 3 && feof(stdin) && !ferror(stdin) ? 0 : 1);
	}
	int st;
	CHECK(pid > 0 && waitpid(pid, &st, 0) == pid && exited_ok(st));
	CHECK(close(fd) == 0 && unlink("/tmp/in") == 0);
	return true;
}

const struct systest fs_tests[] = {
    {"fs_errors", fs_errors},
    {"fs_files", fs_files},
    {"fs_dup_pipe", fs_dup_pipe},
    {"fs_fork_exec", fs_fork_exec},
    {"fs_pipe_slow", fs_pipe_slow},
    {"fs_kill_holder", fs_kill_holder},
    {"fs_many", fs_many},
    {"fs_stdin_eof", fs_stdin_eof},
    {0, 0},
};
