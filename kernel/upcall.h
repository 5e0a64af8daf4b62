/*
 * Upcalls: one thread makes another run a function of its own, between
 * two instructions, and then go on as if nothing happened — what a C
 * library needs for signals (proc posts them; lib/libc/signal.c runs the
 * handlers).
 *
 * SYS_THREAD_UPCALL(thread, n, entry) posts upcall n (1..63). The next
 * time the thread goes back to user mode with no upcall running, the
 * kernel keeps its user registers (integer and FP) and makes it continue
 * at entry with a0 = n, on its own stack. The function ends with
 * SYS_UPCALL_RETURN(0), which puts the kept registers back. Meanwhile
 * posted upcalls wait (as a set: posting n twice runs it once), then the
 * lowest goes first. An upcall that may nest, or never return (a signal
 * handler that longjmps), first moves the kept registers to its own stack
 * with SYS_UPCALL_SAVE(ctx) — from then on the next upcall may start —
 * and ends with SYS_UPCALL_RETURN(ctx). A thread waiting on a
 * notification or sleeping is woken for an upcall: the wait returns
 * ERR_INTERRUPTED; any other wait (an IPC, a page fault) ends first.
 */
#ifndef STRATA_KERNEL_UPCALL_H
#define STRATA_KERNEL_UPCALL_H

#include <stdint.h>

#include "kernel/thread.h"

#define UPCALL_MAX 63

/* Post upcall n (1..UPCALL_MAX) to t at entry; the caller checked the arguments. */
void upcall_post(struct thread *t, unsigned n, uint64_t entry);
/* On the way back to user mode: start the lowest posted upcall, if one may run. */
void upcall_deliver(struct thread *t);
/*
 * SYS_UPCALL_RETURN for t: to ctx (a user address), or with ctx 0 to the
 * kept registers. ERR_NO_RESULT (kernel/syscall.h) when done.
 */
int upcall_return(struct thread *t, uint64_t ctx);
/* SYS_UPCALL_SAVE for t: the kept registers to ctx; ERR_STATE if none are kept. */
int upcall_save(struct thread *t, uint64_t ctx);

#endif
