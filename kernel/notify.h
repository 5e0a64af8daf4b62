/*
 * Notifications: a word of signal bits. Signalling ORs bits in and wakes
 * one waiter, which receives and clears them all. Interrupts arrive this
 * way. Guarded by the big kernel lock.
 */
#ifndef STRATA_KERNEL_NOTIFY_H
#define STRATA_KERNEL_NOTIFY_H

#include "kernel/object.h"
#include "kernel/thread.h"

struct notify {
	struct object obj;
	uint64_t bits;
	struct thread *wait_head, *wait_tail;
};

int notify_create(struct quota *q, struct notify **out);
void notify_destroy(struct notify *n);
void notify_signal(struct notify *n, uint64_t bits);
/* Wait for bits (blocking); ERR_OK with *bits, or the wake status. */
int notify_wait(struct thread *t, struct notify *n, uint64_t *bits);
/* Take t off n's wait queue. */
void notify_cancel(struct thread *t);

#endif
