#include "kernel/spinlock.h"

#include "kernel/arch.h"
#include "kernel/hart.h"
#include "kernel/panic.h"

void spin_lock(struct spinlock *l)
{
	unsigned long was_on = arch_intr_off();

	if (spin_held(l))
		panic("spin_lock: %s already held by this hart", l->name);
	while (__atomic_exchange_n(&l->locked, 1, __ATOMIC_ACQUIRE))
		;
	l->holder = (int)this_hart()->index;
	l->intr_was_on = was_on;
}

void spin_unlock(struct spinlock *l)
{
	unsigned long was_on = l->intr_was_on;

	if (!spin_held(l))
		panic("spin_unlock: %s not held by this hart", l->name);
	l->holder = -1;
	__atomic_store_n(&l->locked, 0, __ATOMIC_RELEASE);
	arch_intr_restore(was_on);
}

bool spin_held(const struct spinlock *l)
{
	return l->locked && l->holder == (int)this_hart()->index;
}
