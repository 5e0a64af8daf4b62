/*
 * Scheduling: fixed priorities (0 lowest .. SCHED_PRIOS-1 highest), FIFO
 * round-robin within a priority, one time slice of SCHED_SLICE_TICKS timer
 * ticks. All harts share the run queues; everything here runs under the
 * big kernel lock, which a hart holds whenever it is in the kernel outside
 * its idle wait (as seL4 does on SMP).
 */
#ifndef STRATA_KERNEL_SCHED_H
#define STRATA_KERNEL_SCHED_H

#include <stdbool.h>
#include <stdint.h>

#include "kernel/spinlock.h"
#include "kernel/thread.h"

#define SCHED_PRIOS	  32
#define SCHED_SLICE_TICKS 2

extern struct spinlock big_lock;

static inline void bkl_lock(void)
{
	spin_lock(&big_lock);
}

static inline void bkl_unlock(void)
{
	spin_unlock(&big_lock);
}

/* Put t on its run queue (state READY) and wake an idle hart for it. */
void sched_ready(struct thread *t);
/*
 * Block the current thread (state BLOCKED, wait = w) and run something
 * else. Returns the status given to thread_unblock when it is woken.
 */
int sched_block(enum thread_wait w);
/*
 * A preemption point inside a long system call, between two bounded
 * slices of its work: drop the big lock (so other harts get in), take
 * pending interrupts, take the lock back, and give way if the time slice
 * is over. The caller holds references on everything it goes on using
 * (thread_hold) and re-checks state afterwards. False if the thread has
 * been killed meanwhile: the call should stop (it dies on its way out).
 */
bool sched_preempt_point(void);
/* Give up the hart; the thread stays runnable. */
void sched_yield(void);
/* Leave the current thread without putting it anywhere (exit, suspend). */
void sched_leave(void);
/* Sleep until the time value deadline (or until woken). */
int sched_sleep_until(uint64_t deadline);
/* Take a sleeping t off the sleep list (it is being woken early). */
void sched_cancel_sleep(struct thread *t);
/* Take a READY t off its run queue (it is being suspended). */
void sched_unready(struct thread *t);
/* Timer tick on this hart, in the kernel with the lock held: sleepers, time slice. */
void sched_tick(void);
/* Run threads on this hart forever. Called with the lock held. */
void scheduler_loop(void) __attribute__((noreturn));
/* Threads ready to run (statistics, tests). */
unsigned sched_ready_count(void);

/* Switch the callee-saved context (kernel/switch.S). */
void switch_context(struct context *save, struct context *load);

#endif
