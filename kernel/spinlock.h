/*
 * Spinlocks. Taking one disables interrupts on this hart (so an interrupt
 * handler cannot deadlock against the code it interrupted) and restores the
 * previous state on release.
 *
 * They are ticket locks: harts get the lock in the order they asked for it.
 * The kernel's long operations release the big lock between bounded slices
 * of work (sched_preempt_point); with a plain test-and-set lock the releasing
 * hart could win it straight back and a waiting hart would still starve.
 */
#ifndef STRATA_KERNEL_SPINLOCK_H
#define STRATA_KERNEL_SPINLOCK_H

#include <stdbool.h>
#include <stdint.h>

struct spinlock {
	volatile uint32_t next;	   /* next ticket to hand out */
	volatile uint32_t owner;   /* ticket now served */
	int holder;		   /* hart index of the holder, -1 when free */
	unsigned long intr_was_on; /* written by the holder only */
	const char *name;
	/* Hold times (cycles) if track_hold: the longest since the last reset. */
	bool track_hold;
	uint64_t acquired, max_hold;
};

#define SPINLOCK_INIT(n)                                                                           \
	{                                                                                          \
		.next = 0, .owner = 0, .holder = -1, .intr_was_on = 0, .name = (n)                 \
	}

void spin_lock(struct spinlock *l);
void spin_unlock(struct spinlock *l);
/* True if this hart holds l. */
bool spin_held(const struct spinlock *l);
/* True if another hart is waiting for l (which this hart holds). */
bool spin_contended(const struct spinlock *l);

#endif
