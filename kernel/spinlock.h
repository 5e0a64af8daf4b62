/*
 * Spinlocks. Taking one disables interrupts on this hart (so an interrupt
 * handler cannot deadlock against the code it interrupted) and restores the
 * previous state on release.
 *
 * They are test-and-set locks that count their waiters. The kernel's long
 * operations release the big lock between bounded slices of work
 * (sched_preempt_point), and a hart that just released it would usually win
 * it straight back; spin_yield_to_waiters waits until a waiting hart has it.
 * (Ticket locks would hand it over in order, but under QEMU with more harts
 * than host cores a ticket holder whose host thread is not running stalls
 * every hart behind it: the ipc stress test took minutes instead of seconds.)
 */
#ifndef STRATA_KERNEL_SPINLOCK_H
#define STRATA_KERNEL_SPINLOCK_H

#include <stdbool.h>
#include <stdint.h>

struct spinlock {
	volatile uint32_t locked;
	volatile uint32_t waiters; /* harts spinning for it */
	int holder;		   /* hart index of the holder, -1 when free */
	unsigned long intr_was_on; /* written by the holder only */
	const char *name;
	/* Hold times (cycles) if track_hold: the longest since the last reset. */
	bool track_hold;
	uint64_t acquired, max_hold;
};

#define SPINLOCK_INIT(n)                                                                           \
	{                                                                                          \
		.locked = 0, .waiters = 0, .holder = -1, .intr_was_on = 0, .name = (n)             \
	}

void spin_lock(struct spinlock *l);
void spin_unlock(struct spinlock *l);
/* True if this hart holds l. */
bool spin_held(const struct spinlock *l);
/*
 * Release l (held) and take it again, letting a hart that was waiting for
 * it have it first; with interrupts enabled in between if intr is true.
 */
void spin_yield_to_waiters(struct spinlock *l, bool intr);

#endif
