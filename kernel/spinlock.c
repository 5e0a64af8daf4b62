#include "kernel/spinlock.h"

#include "kernel/arch.h"
#include "kernel/hart.h"
#include "kernel/panic.h"

static inline uint64_t read_cycles(void)
{
	uint64_t c;

	__asm__ volatile("rdcycle %0" : "=r"(c));
	return c;
}

void spin_lock(struct spinlock *l)
{
	unsigned long was_on = arch_intr_off();

	if (spin_held(l))
		panic("spin_lock: %s already held by this hart", l->name);
	if (__atomic_exchange_n(&l->locked, 1, __ATOMIC_ACQUIRE)) {
		__atomic_fetch_add(&l->waiters, 1, __ATOMIC_RELAXED);
		while (__atomic_exchange_n(&l->locked, 1, __ATOMIC_ACQUIRE))
			;
		__atomic_fetch_sub(&l->waiters, 1, __ATOMIC_RELAXED);
	}
	l->holder = (int)this_hart()->index;
	l->intr_was_on = was_on;
	if (l->track_hold)
		l->acquired = read_cycles();
}

void spin_unlock(struct spinlock *l)
{
	unsigned long was_on = l->intr_was_on;

	if (!spin_held(l))
		panic("spin_unlock: %s not held by this hart", l->name);
	if (l->track_hold) {
		uint64_t held = read_cycles() - l->acquired;
		if (held > l->max_hold)
			l->max_hold = held;
	}
	l->holder = -1;
	__atomic_store_n(&l->locked, 0, __ATOMIC_RELEASE);
	arch_intr_restore(was_on);
}

bool spin_held(const struct spinlock *l)
{
	return l->locked && l->holder == (int)this_hart()->index;
}

#define HANDOVER_SPINS 100000 /* a waiter that does not come is not waited for forever */

void spin_yield_to_waiters(struct spinlock *l, bool intr)
{
	bool waited_for = __atomic_load_n(&l->waiters, __ATOMIC_RELAXED) != 0;

	spin_unlock(l);
	if (intr) {
		arch_intr_on();
		arch_intr_off();
	}
	/* Until some other hart has taken it (it shows locked without us). */
	for (unsigned i = 0; waited_for && i < HANDOVER_SPINS; i++) {
		if (__atomic_load_n(&l->locked, __ATOMIC_RELAXED))
			break;
	}
	spin_lock(l);
}
