/*
 * Processes: fork, exec, exit, wait, kill and ids, through the process
 * server (lib/user/proc_proto.h).
 */
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lib/libc/strata.h"
#include "lib/libc/sys.h"
#include "lib/user/msgbytes.h"
#include "lib/user/proc_proto.h"
#include "lib/user/syscall.h"

extern char **environ;
extern void __strata_fork_child(void *jb);

static int proc_ep(void)
{
	return __strata_us ? __strata_us->proc : 0;
}

pid_t getpid(void)
{
	return __strata_us ? __strata_us->pid : 0;
}

pid_t getppid(void)
{
	return __strata_us ? __strata_us->ppid : 0;
}

/* Append string s (with its NUL) to block; false if it does not fit. */
static bool append(char *block, size_t *n, const char *s)
{
	size_t l = strlen(s) + 1;

	if (l > PROC_ARGS_MAX - *n)
		return false;
	memcpy(block + *n, s, l);
	*n += l;
	return true;
}

/*
 * Pack path, argv and envp into a PROC_SPAWN/PROC_EXEC message. Returns
 * ERR_OK, or ERR_RANGE if they do not fit (E2BIG).
 */
static int pack_args(struct msg *m, unsigned label, const char *path, char *const argv[],
		     char *const envp[], uint64_t limit)
{
	char block[PROC_ARGS_MAX];
	size_t n = 0;
	uint64_t argc = 0, envc = 0;

	if (!append(block, &n, path))
		return ERR_RANGE;
	for (; argv && argv[argc]; argc++)
		if (!append(block, &n, argv[argc]))
			return ERR_RANGE;
	for (; envp && envp[envc]; envc++)
		if (!append(block, &n, envp[envc]))
			return ERR_RANGE;
	*m = (struct msg){.w = {0, limit, argc, envc, n}};
	unsigned words = msgbytes_put(m, __strata_ipcbuf(), PROC_ARGS_WORD, block, n);
	m->tag = msg_tag(label, words, 0);
	return ERR_OK;
}

int strata_spawn_pgroup(const char *path, char *const argv[], uint64_t limit_pages, int pgid)
{
	struct msg m;
	int e = proc_ep() ? pack_args(&m, PROC_SPAWN, path, argv, environ, limit_pages)
			  : ERR_UNSUPPORTED;

	if (pgid >= 0)
		m.w[0] = PROC_SPAWN_PGROUP | (uint64_t)pgid << 32;
	if (e == ERR_OK)
		e = __strata_call(proc_ep(), &m);
	return e == ERR_OK ? (int)m.w[0] : __strata_fail(e);
}

int strata_spawn(const char *path, char *const argv[], uint64_t limit_pages)
{
	return strata_spawn_pgroup(path, argv, limit_pages, -1);
}

int execve(const char *path, char *const argv[], char *const envp[])
{
	struct msg m;
	int e = proc_ep() ? pack_args(&m, PROC_EXEC, path, argv, envp, 0) : ERR_UNSUPPORTED;

	if (e == ERR_OK) {
		__strata_flush_all();
		e = __strata_call(proc_ep(), &m); /* returns only if exec failed */
	}
	return __strata_fail(e);
}

int execv(const char *path, char *const argv[])
{
	return execve(path, argv, environ);
}

int execvp(const char *file, char *const argv[])
{
	return execve(file, argv, environ);
}

/*
 * The child starts at __strata_fork_child with sp as it is here and a0 =
 * &jb: it longjmps back into this frame (in its own copy of the stack)
 * and returns 0.
 */
pid_t fork(void)
{
	jmp_buf jb;
	uint64_t sp;

	if (!proc_ep())
		return __strata_fail(ERR_UNSUPPORTED);
	__strata_flush_all(); /* or the child would print the parent's buffered output too */
	if (setjmp(jb))
		return 0;
	__asm__ volatile("mv %0, sp" : "=r"(sp));
	struct msg m = {.tag = msg_tag(PROC_FORK, 3, 0),
			.w = {(uint64_t)__strata_fork_child, sp & ~15ull, (uint64_t)&jb}};
	int e = __strata_call(proc_ep(), &m);
	return e == ERR_OK ? (pid_t)m.w[0] : __strata_fail(e);
}

void _exit(int status)
{
	__strata_flush_all();
	if (proc_ep()) {
		struct msg m = {.tag = msg_tag(PROC_EXIT, 1, 0), .w = {(uint64_t)status & 0xff}};
		__strata_call(proc_ep(), &m); /* proc ends this thread */
	}
	sys_thread_exit(status);
	for (;;)
		;
}

pid_t waitpid(pid_t pid, int *status, int options)
{
	if (options & ~(WNOHANG | WUNTRACED))
		return __strata_fail(ERR_INVALID);
	for (;;) {
		struct msg m = {.tag = msg_tag(PROC_WAIT, 2, 0),
				.w = {(uint64_t)(pid > 0 ? pid : -1),
				      (options & WUNTRACED) ? PROC_WAIT_STOPPED : 0}};
		int e = proc_ep() ? __strata_call(proc_ep(), &m) : ERR_NOENT;
		if (e == ERR_OK) {
			if (status)
				*status = (int)m.w[1];
			return (pid_t)m.w[0];
		}
		if (e != ERR_WOULDBLOCK) {
			errno = e == ERR_NOENT ? ECHILD : __strata_errno(e);
			return -1;
		}
		if (options & WNOHANG)
			return 0;
		uint64_t bits;
		if (sys_notify_wait(__strata_us->child_event, &bits) == ERR_INTERRUPTED &&
		    !__strata_signal_restart()) {
			errno = EINTR;
			return -1;
		}
	}
}

pid_t wait(int *status)
{
	return waitpid(-1, status, 0);
}

int kill(pid_t pid, int sig)
{
	/* proc reads pid as signed: > 0 a process, < -1 a group, 0 the caller's group. */
	struct msg m = {.tag = msg_tag(PROC_KILL, 2, 0),
			.w = {(uint64_t)(int64_t)pid, (uint64_t)(int64_t)sig}};
	int e = proc_ep() ? __strata_call(proc_ep(), &m) : ERR_UNSUPPORTED;
	if (e == ERR_NOENT) {
		errno = ESRCH;
		return -1;
	}
	return e == ERR_OK ? 0 : __strata_fail(e);
}

int setpgid(pid_t pid, pid_t pgid)
{
	if (pid < 0 || pgid < 0) {
		errno = EINVAL;
		return -1;
	}
	struct msg m = {.tag = msg_tag(PROC_SETPGID, 2, 0), .w = {(uint64_t)pid, (uint64_t)pgid}};
	int e = proc_ep() ? __strata_call(proc_ep(), &m) : ERR_UNSUPPORTED;
	if (e == ERR_NOENT) {
		errno = ESRCH;
		return -1;
	}
	return e == ERR_OK ? 0 : __strata_fail(e);
}

int setpgrp(void)
{
	return setpgid(0, 0);
}

pid_t getpgid(pid_t pid)
{
	if (pid < 0) {
		errno = ESRCH;
		return -1;
	}
	struct msg m = {.tag = msg_tag(PROC_GETPGID, 1, 0), .w = {(uint64_t)pid}};
	int e = proc_ep() ? __strata_call(proc_ep(), &m) : ERR_UNSUPPORTED;
	if (e == ERR_NOENT) {
		errno = ESRCH;
		return -1;
	}
	return e == ERR_OK ? (pid_t)m.w[0] : __strata_fail(e);
}

pid_t getpgrp(void)
{
	return getpgid(0);
}

int strata_oom_adj(int pid, const int *set, int *before)
{
	if (pid < 0) {
		errno = ESRCH;
		return -1;
	}
	struct msg m = {.tag = msg_tag(PROC_OOM_ADJ, 3, 0),
			.w = {(uint64_t)pid, set ? 1 : 0, set ? (uint64_t)(int64_t)*set : 0}};
	int e = proc_ep() ? __strata_call(proc_ep(), &m) : ERR_UNSUPPORTED;
	if (e == ERR_NOENT) {
		errno = ESRCH;
		return -1;
	}
	if (e != ERR_OK)
		return __strata_fail(e);
	if (before)
		*before = (int)(int64_t)m.w[0];
	return 0;
}

int strata_proc_list(int cursor, struct proc_info *out)
{
	struct msg m = {.tag = msg_tag(PROC_LIST, 1, 0), .w = {(uint64_t)cursor}};
	int e = __strata_call_bytes(proc_ep(), &m, 1, out, sizeof(*out));

	return e == ERR_OK ? (int)m.w[0] : __strata_fail(e);
}

int strata_proc_find(int pid, struct proc_info *out)
{
	int cursor = 0;

	do {
		cursor = strata_proc_list(cursor, out);
		if (cursor < 0)
			return -1;
		if (out->pid == pid && out->vs)
			return 0;
	} while (cursor != 0);
	errno = ENOENT;
	return -1;
}
