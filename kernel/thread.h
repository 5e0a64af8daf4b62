/*
 * Threads. Each thread has its own kernel stack; the top of it holds the
 * thread's user register frame (struct utrapframe), and a thread blocked in
 * the kernel (in IPC, in a fault, asleep) keeps its kernel context there.
 *
 *   kstack top  +----------------------+
 *               | struct utrapframe    |  user registers, saved on trap
 *   sscratch -> +----------------------+  (while in user mode)
 *               | kernel call frames   |
 *               |         ...          |
 *   kstack base +----------------------+
 *
 * All fields are guarded by the big kernel lock.
 */
#ifndef STRATA_KERNEL_THREAD_H
#define STRATA_KERNEL_THREAD_H

#include <stdbool.h>
#include <stdint.h>

#include "kernel/fpu.h"
#include "kernel/object.h"
#include "kernel/trap.h"
#include "lib/abi.h"

struct space;
struct endpoint;
struct hart;

/* Callee-saved registers for switch_context (kernel/switch.S). */
struct context {
	uint64_t ra, sp, s[12];
};

struct utrapframe {
	struct trapframe tf;
	uint64_t kernel_tp; /* the struct hart this thread runs on */
	uint64_t pad;
};

enum thread_state {
	TS_NEW,	      /* created, not started */
	TS_READY,     /* on a run queue */
	TS_RUNNING,   /* on a hart */
	TS_BLOCKED,   /* waiting: see wait */
	TS_SUSPENDED, /* stopped by SYS_THREAD_SUSPEND */
	TS_DEAD,
};

enum thread_wait {
	WAIT_NONE,
	WAIT_SEND,   /* queued on an endpoint to send (call or fault) */
	WAIT_RECV,   /* queued on an endpoint to receive */
	WAIT_REPLY,  /* called; waiting for the reply */
	WAIT_NOTIFY, /* waiting on a notification */
	WAIT_SLEEP,  /* until deadline */
};

_Static_assert((int)TS_DEAD == (int)THREAD_DEAD && (int)TS_SUSPENDED == (int)THREAD_SUSPENDED &&
		   (int)TS_BLOCKED == (int)THREAD_BLOCKED && (int)TS_NEW == (int)THREAD_NEW,
	       "thread states match lib/abi.h");

#define THREAD_HELD_MAX 2

/* A message in flight, staged in kernel memory. */
struct kmsg {
	uint64_t tag;
	uint64_t badge;
	uint64_t words[MSG_MAX_WORDS];
	struct object *objs[MSG_MAX_HANDLES]; /* handles being transferred (references held) */
	uint32_t rights[MSG_MAX_HANDLES];
	uint64_t badges[MSG_MAX_HANDLES];  /* badge of each transferred handle */
	handle_t handles[MSG_MAX_HANDLES]; /* as installed in the receiver */
};

struct thread {
	struct object obj;
	uint64_t id;
	struct space *space; /* reference held */
	enum thread_state state;
	enum thread_wait wait;
	unsigned priority;
	struct thread *next; /* run queue, endpoint queue or sleep list */
	struct context ctx;
	uint64_t kstack; /* kernel virtual address of the stack base */
	struct utrapframe *utf;
	uint64_t ipcbuf;   /* user address of struct ipc_buffer, 0 if none */
	uint64_t deadline; /* WAIT_SLEEP: time value */
	int wake_status;   /* result handed to a blocked thread when woken */
	bool kill_pending;
	bool suspend_pending;
	bool started;
	bool holds_self; /* started and not yet reaped: the thread holds a reference on itself */
	int exit_status;
	int running_on; /* hart index while TS_RUNNING, else -1 */

	/* IPC */
	struct endpoint *blocked_on; /* WAIT_SEND / WAIT_RECV: reference held */
	bool is_call;		     /* WAIT_SEND: the send is a call (expects a reply) */
	struct thread *reply_to;     /* the caller this thread owes a reply (reference held) */
	void *replier;	 /* WAIT_REPLY: who owes us, a thread or a saved reply (no reference) */
	struct kmsg out; /* staged outgoing message */
	struct kmsg in;	 /* delivered incoming message */

	/* faults and exceptions */
	bool in_fault; /* this thread's outstanding call is a fault message */
	uint64_t fault_va;
	unsigned fault_access;
	uint64_t fault_gen;	 /* the space's regions_gen when the fault went out */
	struct endpoint *exc_ep; /* exception endpoint (reference held), or NULL */
	uint64_t exc_badge;
	struct notify *death_note; /* signalled with death_bits when it dies (reference held) */
	uint64_t death_bits;

	/*
	 * User FP registers (kernel/fpu.h): valid whenever the thread is not in
	 * user mode, saved at trap entry if it left user mode with FS = Dirty.
	 * fpu_used: it has ever dirtied them (else they are all zero).
	 */
	struct fpu_state fpu;
	bool fpu_used;

	/*
	 * Upcalls (kernel/upcall.c): numbers posted and not yet run, the
	 * entry they run at, and while one runs (upcall_active) the user
	 * context it interrupted, put back by SYS_UPCALL_RETURN.
	 */
	uint64_t upcall_pending; /* bit n: upcall n (1..63) posted */
	uint64_t upcall_entry;
	bool upcall_active;
	bool upcall_fpu_used;
	struct trapframe upcall_tf;
	struct fpu_state upcall_fpu;

	/*
	 * Objects the current system call uses across a point where it can
	 * block (a user copy, an IPC, a preemption point): each holds a
	 * reference, dropped when the call returns or the thread dies.
	 */
	struct object *held[THREAD_HELD_MAX];

	/* statistics */
	uint64_t faults, syscalls;
	/* CPU time in timebase ticks, and where the open stretch began (kernel/cputime.h) */
	uint64_t cpu_utime, cpu_stime, cpu_mark;
};

/*
 * Create a thread in space with the given user entry state. Charged to the
 * space's quota. ERR_QUOTA / ERR_NOMEM on failure.
 */
int thread_create(struct space *s, uint64_t entry, uint64_t sp, uint64_t arg, unsigned prio,
		  struct thread **out);
void thread_destroy(struct thread *t);
/* Make a NEW or SUSPENDED thread runnable. */
int thread_start(struct thread *t);
/* Stop t: ERR_OK; takes effect at once if t is not running, else at its next kernel entry. */
int thread_suspend(struct thread *t);
/* Kill t (from another thread, or itself via thread_exit). */
void thread_kill(struct thread *t, int status);
/* End the calling thread. */
void thread_exit(int status) __attribute__((noreturn));
/* The thread running on this hart, or NULL in the scheduler/idle. */
struct thread *thread_current(void);

/* Hold o for the rest of the current system call (see struct thread's held). */
void thread_hold(struct thread *t, struct object *o);
/* Drop what the current system call held. */
void thread_release_held(struct thread *t);

/* Remove t from whatever it is blocked on and wake it with status. */
void thread_unblock(struct thread *t, int status);
/* Undo t's wait (endpoint or notification queue, sleep list, reply) without waking it. */
void thread_cancel_wait(struct thread *t);

#endif
