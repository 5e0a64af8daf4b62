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
	uint32_t ticket = __atomic_fetch_add(&l->next, 1, __ATOMIC_RELAXED);
	while (__atomic_load_n(&l->owner, __ATOMIC_ACQUIRE) != ticket)
		;
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
	__atomic_store_n(&l->owner, l->owner + 1, __ATOMIC_RELEASE);
	arch_intr_restore(was_on);
}

bool spin_held(const struct spinlock *l)
{
	return l->owner != l->next && l->holder == (int)this_hart()->index;
}

bool spin_contended(const struct spinlock *l)
{
	return __atomic_load_n(&l->next, __ATOMIC_RELAXED) - l->owner > 1;
}
