/*
 * Small system helpers of the disk side of the file server (lib/user/fsdisk):
 * memory the library maps for itself and gives back, threads it starts and
 * joins (their stacks and IPC buffers go with them, so a test sees free
 * memory return to where it was), and a sleeping mutex.
 */
#ifndef STRATA_LIB_USER_FSDISK_SYS_H
#define STRATA_LIB_USER_FSDISK_SYS_H

#include <stdint.h>

#include "lib/user/syscall.h"

/* Zeroed pages mapped read-write in the caller's space, with their frame. */
struct fsd_mem {
	handle_t frame;
	void *va;
	uint64_t bytes;
};

/* Map at least bytes (rounded up to a power-of-two number of pages). 0 or an enum err. */
int fsd_mem_alloc(struct fsd_mem *m, uint64_t bytes);
/* Unmap and free; a zeroed struct is left alone. */
void fsd_mem_free(struct fsd_mem *m);

/* A thread of the library: fn(arg) on its own stack and IPC buffer. */
struct fsd_thread {
	handle_t t;
	struct fsd_mem stack, ipc;
	void (*fn)(void *);
	void *arg;
};

/* Start fn(arg) at priority prio. 0 or an enum err (nothing is left behind). */
int fsd_thread_start(struct fsd_thread *t, void (*fn)(void *), void *arg, unsigned prio);
/* Wait until t has returned from fn, then free its thread, stack and IPC buffer. */
void fsd_thread_join(struct fsd_thread *t);

/*
 * A mutex that sleeps: a count of holders and waiters, and a notification
 * that hands the lock to the next waiter. A notification keeps at most one
 * pending signal, which is all this needs: only the holder signals, and
 * the lock passes to the one waiter it wakes.
 */
struct fsd_mutex {
	int32_t count; /* holder + waiters */
	handle_t n;
};

int fsd_mutex_init(struct fsd_mutex *m);
void fsd_mutex_fini(struct fsd_mutex *m);

static inline void fsd_mutex_lock(struct fsd_mutex *m)
{
	uint64_t bits;

	if (__atomic_fetch_add(&m->count, 1, __ATOMIC_ACQUIRE) > 0)
		sys_notify_wait(m->n, &bits);
}

static inline void fsd_mutex_unlock(struct fsd_mutex *m)
{
	if (__atomic_fetch_sub(&m->count, 1, __ATOMIC_RELEASE) > 1)
		sys_notify_signal(m->n, 1);
}

#endif
