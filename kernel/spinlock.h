/*
 * Spinlocks. Taking one disables interrupts on this hart (so an interrupt
 * handler cannot deadlock against the code it interrupted) and restores the
 * previous state on release.
 */
#ifndef STRATA_KERNEL_SPINLOCK_H
#define STRATA_KERNEL_SPINLOCK_H

#include <stdbool.h>
#include <stdint.h>

struct spinlock {
	volatile uint32_t locked;
	int holder;		   /* hart index of the holder, -1 when free */
	unsigned long intr_was_on; /* written by the holder only */
	const char *name;
};

#define SPINLOCK_INIT(n)                                                                           \
	{                                                                                          \
		.locked = 0, .holder = -1, .intr_was_on = 0, .name = (n)                           \
	}

void spin_lock(struct spinlock *l);
void spin_unlock(struct spinlock *l);
/* True if this hart holds l. */
bool spin_held(const struct spinlock *l);

#endif
