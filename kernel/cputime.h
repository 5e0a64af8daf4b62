/*
 * CPU time of threads, in timebase ticks (the `time` CSR).
 *
 * A thread's time is split where it changes hands: user time runs from
 * user_return's sret to the next trap (kernel/usertrap.c), kernel time from
 * that trap until sret again, and the scheduler (kernel/sched.c run())
 * opens a kernel stretch when it switches a thread in and closes it when the
 * thread gives the hart back. cpu_mark is where the open stretch began;
 * time in the idle loop and on another thread's behalf belongs to nobody.
 * Waiting for the big lock at a trap counts as kernel time.
 *
 * All fields are written by the hart running the thread, under the big
 * kernel lock, and read by system calls under it.
 */
#ifndef STRATA_KERNEL_CPUTIME_H
#define STRATA_KERNEL_CPUTIME_H

#include <stdint.h>

#include "kernel/arch.h"
#include "kernel/thread.h"
#include "kernel/timer.h"

/* t is switched in: a kernel stretch begins. */
static inline void cputime_switch_in(struct thread *t)
{
	t->cpu_mark = arch_time();
}

/* t gave the hart back (it was in the kernel): close its kernel stretch. */
static inline void cputime_switch_out(struct thread *t)
{
	t->cpu_stime += arch_time() - t->cpu_mark;
}

/* t trapped from user mode at time now (read before the big lock): its user stretch ends. */
static inline void cputime_trap(struct thread *t, uint64_t now)
{
	t->cpu_utime += now - t->cpu_mark;
	t->cpu_mark = now;
}

/* t is about to return to user mode: its kernel stretch ends. */
static inline void cputime_return(struct thread *t)
{
	uint64_t now = arch_time();

	t->cpu_stime += now - t->cpu_mark;
	t->cpu_mark = now;
}

struct cputime {
	uint64_t user_ns, kernel_ns;
};

/*
 * t's CPU time so far in nanoseconds. For the calling thread this includes
 * the system call in progress; a thread running on another hart is counted
 * up to its last kernel entry (at most a timer tick ago).
 */
static inline struct cputime cputime_of(const struct thread *t)
{
	uint64_t stime = t->cpu_stime;

	if (t == thread_current())
		stime += arch_time() - t->cpu_mark;
	return (struct cputime){timer_ticks_to_ns(t->cpu_utime), timer_ticks_to_ns(stime)};
}

#endif
