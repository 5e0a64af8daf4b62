/*
 * The proc protocol: messages to the process server (user/proc).
 *
 * proc starts, forks, execs, waits for and kills processes, and is the
 * exception handler of every process it starts. A process talks to it
 * through a handle badged with its pid; root's handle has badge 0 and
 * counts as the parent of the processes it spawns (pid 0).
 *
 * Every request is a SYS_CALL with the label below; failure is an error
 * reply msg_error_tag(label, err), success a reply with the same label.
 *
 * Waiting never blocks inside proc: PROC_WAIT answers at once, and a parent
 * with nothing to reap yet waits on its child_event notification (struct
 * ustart), which proc signals whenever one of its children ends, then asks
 * again.
 */
#ifndef STRATA_LIB_USER_PROC_PROTO_H
#define STRATA_LIB_USER_PROC_PROTO_H

#include <stdint.h>

#include "lib/user/msgbytes.h"

/*
 * Program and arguments, for PROC_SPAWN and PROC_EXEC: in words 5.. as bytes
 * (msgbytes), the path (a name in the initrd), then argc argument strings,
 * then envc environment strings, each NUL-terminated.
 */
#define PROC_ARGS_WORD 5
#define PROC_ARGS_MAX  MSGBYTES_MAX(PROC_ARGS_WORD) /* 472 bytes */

/* clang-format off */
enum proc_label {
	/*
	 * w0 = flags (0 or PROC_SPAWN_PGROUP, below, with its group in the
	 * high 32 bits), w1 = commit limit in pages (0: the default), w2 = argc,
	 * w3 = envc, w4 = bytes of the argument block -> w0 = pid. The new
	 * process is the caller's child, in the caller's process group unless
	 * w0 says. ERR_NOENT: no such program; ERR_PERM: w0 names a group with no process; ERR_CORRUPT:
	 * not a loadable ELF, a segment outside [UIMAGE_BASE,
	 * UHEAP_END) among others (one may end exactly at UHEAP_END: the heap
	 * is then empty); ERR_INVALID: unknown flags, a malformed block, or
	 * arguments that do not fit the start-up page; ERR_QUOTA: a commit
	 * limit beyond reason, or no quota left; ERR_NOMEM / ERR_FULL: out of
	 * memory or process slots.
	 */
	PROC_SPAWN  = 0x200,
	/*
	 * As PROC_SPAWN (w0 must be 0; w1 ignored: the limit stays), replacing the caller's
	 * program. On success there is no reply: the caller's thread is
	 * replaced by one running the new program. Errors leave it untouched.
	 */
	PROC_EXEC   = 0x201,
	/*
	 * w0 = child's entry pc, w1 = child's sp, w2 = child's a0 -> w0 = child
	 * pid. The child gets a copy-on-write copy of the caller's memory and
	 * starts one thread at entry; its start-up page carries its own pid and
	 * handles (same values as the parent's are not guaranteed).
	 */
	PROC_FORK   = 0x202,
	/* w0 = status (0..255). Ends the caller; there is no reply. */
	PROC_EXIT   = 0x203,
	/*
	 * w0 = pid, or -1 for any child, w1 = flags (PROC_WAIT_STOPPED, below;
	 * optional) -> w0 = pid, w1 = wait status (below). Reaps one ended
	 * child, or reports one stopped since its last report. ERR_WOULDBLOCK:
	 * such children exist but none has ended; ERR_NOENT: no such child.
	 */
	PROC_WAIT   = 0x204,
	/*
	 * w0 = who (signed), w1 = signal number (0..31). who > 0: that
	 * process; who < -1: every process of group -who, the last started
	 * first; who = 0: the caller's group. Signal 0 only checks that there
	 * is one. ERR_NOENT: no such running process or group; ERR_INVALID:
	 * who = -1 (everyone) or 0 from root or con, or a bad signal.
	 */
	PROC_KILL   = 0x205,
	/* -> w0 = pid, w1 = parent's pid. */
	PROC_GETPID = 0x206,
	/*
	 * w0 = cursor (0 to start) -> w0 = next cursor (0 after the last),
	 * struct proc_info in words 1.. (msgbytes). ERR_NOENT: no process at or
	 * after the cursor.
	 */
	PROC_LIST   = 0x207,
	/*
	 * w0 = signals with a handler, w1 = signals ignored, w2 = signals
	 * blocked, w3 = the handler entry (an upcall entry, see below), w4 =
	 * signals not blocked while their own handler runs (SA_NODEFER); bit n
	 * is signal n (1..31). -> w0 = signals pending (blocked and not yet
	 * delivered). The caller's signal dispositions from now on: a signal
	 * with a handler runs it through SYS_THREAD_UPCALL(thread, n, entry)
	 * and is blocked until the handler returns (the caller's next
	 * PROC_SIGNALS); an ignored one is dropped; any other has its default
	 * action (end the process, or nothing for SIGCHLD, SIGURG, SIGWINCH,
	 * SIGCONT, SIGTSTP, SIGTTIN, SIGTTOU). SIGKILL and SIGSTOP cannot be
	 * handled, ignored or blocked. A blocked signal waits, whatever its
	 * disposition. ERR_INVALID: a handler but no entry, or SIGKILL/SIGSTOP
	 * in a mask.
	 */
	PROC_SIGNALS = 0x208,
	/*
	 * w0 = nanoseconds from now until SIGALRM (0: none) -> w0 = nanoseconds
	 * that were left of the alarm before (0: none). Resolution 50 ms.
	 */
	PROC_ALARM  = 0x209,
	/*
	 * -> w0 = user, w1 = kernel CPU nanoseconds of the caller's ended
	 * children it waited for (PROC_WAIT), and of theirs in turn: times()'s
	 * tms_cutime and tms_cstime. A child's figure counts every program it
	 * ran (exec). Root (pid 0) gets 0.
	 */
	PROC_TIMES  = 0x20a,
	/*
	 * w0 = pid (0: the caller), w1 = process group (0: that pid) -> 0.
	 * The process joins the group, or starts one named by its own pid.
	 * Every process is in a group: one root starts is in its own, a child
	 * starts in its parent's (PROC_SPAWN_PGROUP chooses another). PROC_KILL
	 * and con's Ctrl-C (CON_FOREGROUND) signal a whole group. ERR_NOENT: pid
	 * is neither the caller nor a running child of it; ERR_PERM: the group
	 * is not pid and has no process (running, or ended and not yet
	 * waited for); ERR_INVALID: a negative or
	 * too large number.
	 */
	PROC_SETPGID = 0x20b,
	/* w0 = pid (0: the caller) -> w0 = its process group. ERR_NOENT: no such running process. */
	PROC_GETPGID = 0x20c,
	/*
	 * Publish an endpoint or a notification under a name (/srv): w0 =
	 * length of the name, its bytes from word 1 (1..PROC_SRV_NAME_MAX of
	 * [A-Za-z0-9._-]), handles[0] = the object (WRITE|GRANT) -> nothing.
	 * The name lasts until the publishing process withdraws it or ends.
	 * ERR_INVALID: a bad name, or no endpoint or notification with those
	 * rights; ERR_EXISTS: the name is taken; ERR_FULL:
	 * PROC_SRV_MAX names are.
	 */
	PROC_SRV_PUBLISH = 0x20d,
	/*
	 * w0, words 1.. = a name as above -> handles[0] = a copy of the
	 * endpoint published under it (WRITE|GRANT). ERR_NOENT: no such name.
	 */
	PROC_SRV_LOOKUP = 0x20e,
	/* -> w0 = length, words 1.. = every published name, each ending in '\n'. */
	PROC_SRV_LIST = 0x20f,
	/* A process: w0, words 1.. = a name it published -> nothing: the name goes. ERR_NOENT: not its. */
	PROC_SRV_WITHDRAW = 0x210,
	/*
	 * w0 = pid (0: the caller), w1 = 1 to set it to w2 (PROC_OOM_ADJ_MIN ..
	 * PROC_OOM_ADJ_MAX, as a signed word) or 0 only to read -> w0 = the
	 * process's OOM adjustment before (signed). How proc's OOM killer weighs
	 * a process when memory is overcommitted (`overcommit=1`) and a fault
	 * finds none: it ends the process with the highest resident + swapped
	 * pages + adj / 1000 of the commit limit; PROC_OOM_ADJ_MIN never. A child
	 * starts with its parent's value. Any process may set any process's, as
	 * it may signal any. ERR_NOENT: no such running process; ERR_INVALID:
	 * out of range, w1 not 0 or 1, or root asking for itself.
	 */
	PROC_OOM_ADJ = 0x211,
};
/* clang-format on */

#define PROC_OOM_ADJ_MIN (-1000) /* never chosen by the OOM killer */
#define PROC_OOM_ADJ_MAX 1000	 /* chosen first */

#define PROC_SRV_NAME_MAX 31
#define PROC_SRV_MAX	  16

/* PROC_SPAWN w0: the child starts in process group w0 >> 32 (0: a new one, its own pid). */
#define PROC_SPAWN_PGROUP 1ull

/*
 * The badge of con's handle to proc (root mints it): con may only
 * PROC_KILL, to deliver Ctrl-C (SIGINT) to the console's foreground
 * process group (CON_FOREGROUND).
 */
#define PROC_BADGE_CON (1ull << 60)

/* Wait status, as POSIX encodes it (picolibc's <sys/wait.h> macros apply). */
#define PROC_STATUS_EXITED(code)  (((code)&0xff) << 8)
#define PROC_STATUS_SIGNALED(sig) ((sig)&0x7f)
#define PROC_STATUS_STOPPED(sig)  ((((sig)&0xff) << 8) | 0x7f)
#define PROC_WAIT_STOPPED	  2 /* PROC_WAIT w1: report stopped children too (WUNTRACED) */

/* Signals proc knows by name; numbers as picolibc's <signal.h>. */
#define PROC_SIGILL  4
#define PROC_SIGTRAP 5
#define PROC_SIGKILL 9
#define PROC_SIGBUS  10
#define PROC_SIGSEGV 11
#define PROC_SIGTERM 15
#define PROC_SIGALRM 14
#define PROC_SIGSTOP 17
#define PROC_SIGTSTP 18
#define PROC_SIGCONT 19
#define PROC_SIGCHLD 20
#define PROC_NSIG    32 /* signals 1..31 */

enum proc_state {
	PROC_RUNNING = 1,
	PROC_ZOMBIE = 2, /* ended, not yet reaped by its parent */
};

struct proc_info {
	int32_t pid, ppid;
	uint32_t state;	   /* enum proc_state */
	int32_t status;	   /* wait status once ended */
	int32_t pgid;	   /* process group */
	int32_t oom_adj;   /* PROC_OOM_ADJ's value */
	uint64_t resident; /* pages mapped (mem) */
	uint64_t faults;   /* page faults taken (mem) */
	uint64_t cow_copies;
	uint64_t committed; /* pages */
	char name[32];
	uint64_t vs;	  /* its memory space at mem (MEM_VS_STATS, MEM_VS_MAPS), 0 for a zombie */
	uint64_t shared;  /* of the resident pages, those another space maps too (mem) */
	uint64_t file;	  /* pages of fs's page cache mapped (program text, mapped files): one
			     copy however many processes map them (mem) */
	uint64_t swapped; /* pages of it in swap (mem) */
	uint32_t flags;	  /* PROC_INFO_* */
	uint32_t reserved2;
};

#define PROC_INFO_HELD	  1u /* held by load control while paging thrashes (suspended) */
#define PROC_INFO_STOPPED 2u /* stopped by a signal */

#endif
