/*
 * A small spinlock for the threads of a server (con's request loop and
 * input thread, blk's workers and interrupt thread), which may run on
 * different harts. Critical sections are short
 * and never block; a waiter yields now and then so that on a single hart
 * the holder, preempted inside its section, gets to finish it.
 */
#ifndef STRATA_LIB_USER_SPINLOCK_H
#define STRATA_LIB_USER_SPINLOCK_H

#include <stdint.h>

#include "lib/user/syscall.h"

#define SPIN_BEFORE_YIELD 64

/* A 32-bit word: RISC-V has atomic swaps of words, not of bytes. */
struct spinlock {
	uint32_t held;
};

static inline void spin_lock(struct spinlock *l)
{
	for (unsigned n = 1;; n++) {
		if (!__atomic_exchange_n(&l->held, 1, __ATOMIC_ACQUIRE))
			return;
		if (n % SPIN_BEFORE_YIELD == 0)
			sys_yield();
	}
}

static inline void spin_unlock(struct spinlock *l)
{
	__atomic_store_n(&l->held, 0, __ATOMIC_RELEASE);
}

#endif
