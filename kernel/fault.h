/*
 * The page-fault path (docs/architecture.md, "The fault path"):
 *   1. a valid PTE missing only A (or D on a store) is fixed here;
 *   2. otherwise the region's pager gets a fault message, sent as if the
 *      faulting thread had called it, and the thread blocks;
 *   3. the pager's reply carries map items, checked against the region and
 *      the pager's handles, and installed all at once; or an error.
 * Faults the path cannot resolve become exceptions for the thread's
 * exception handler. Kernel copies from and to user memory use the same path.
 */
#ifndef STRATA_KERNEL_FAULT_H
#define STRATA_KERNEL_FAULT_H

#include <stdint.h>

#include "kernel/thread.h"

/*
 * Resolve a fault of t at va for access (PROT_R/W/X). ERR_OK: retry the
 * access. Otherwise why it failed: ERR_NOENT (no region), ERR_PERM (beyond
 * the region's rights), ERR_RANGE (not a user address), ERR_PEER (pager
 * gone), or the pager's error.
 */
int fault_resolve(struct thread *t, uint64_t va, unsigned access, uint64_t pc);

/* The pager's reply to a fault of faulter: check and install its map items. */
int fault_reply(struct thread *pager, struct thread *faulter);

/*
 * Report an exception of the current thread t to its exception endpoint
 * and wait for the verdict: resume (returns) or die (does not return).
 * Without an exception endpoint the thread dies with a console message.
 */
void exception_raise(struct thread *t, uint64_t cause, uint64_t addr, int err);

/* Access kind of a page-fault cause; 0 if scause is not a page fault. */
unsigned fault_access(uint64_t scause);

#endif
