/*
 * Page-table watch: a debug facility for hunting page tables changed under
 * a running process. Built only with `make KDEBUG=ptewatch`; otherwise
 * every hook below is an empty inline and costs nothing.
 *
 * With it, every change the kernel makes to a user leaf PTE, and every
 * page-table page a space gives back, goes into a ring of recent events
 * (hart, current thread and its system call, space, va, old and new PTE).
 * When a thread dies of a page fault, the kernel prints the walk of its
 * page table at the faulting address (each level's entry, the frame
 * object behind the leaf, and whether the leaf already permits the access:
 * then the fault was spurious) and the ring's events for that space and
 * page, so an unmapped page can be told from a stale translation. The
 * same report comes for every fault space_fix_fault finds spurious (the
 * thread lives on), and a line for every handle with RIGHT_MAP to a space
 * that is installed in that space's own table by a transfer or a give
 * (how a process comes to be able to unmap itself).
 */
#ifndef STRATA_KERNEL_PTEWATCH_H
#define STRATA_KERNEL_PTEWATCH_H

#include <stdint.h>

#include "mm/pt.h"

struct object;
struct space;
struct thread;

enum ptewatch_kind {
	PW_MAP,	     /* a leaf installed where there was none */
	PW_REPLACE,  /* a leaf replaced (space_apply_items) */
	PW_UNMAP,    /* a leaf removed */
	PW_PROTECT,  /* rights lowered */
	PW_AD,	     /* A/D bits changed by the kernel */
	PW_UNDO,     /* a failed space_apply_items undone */
	PW_TEARDOWN, /* a leaf removed by teardown */
	PW_TABLE,    /* a page-table page freed (va: its physical address) */
	PW_FRAME,    /* a frame object's block freed (va: its physical address, old: pages) */
	PW_CREATE,   /* a space created (an older space at the same address is another one) */
};

#ifdef KDEBUG_PTEWATCH
void ptewatch_leaf(struct space *s, enum ptewatch_kind kind, uint64_t va, pte_t old, pte_t new);
void ptewatch_death(struct thread *t, uint64_t cause, uint64_t va);
void ptewatch_spurious(struct space *s, uint64_t va, unsigned access);
void ptewatch_handle(struct space *to, struct object *o, uint32_t rights, int handle,
		     const char *how);
#else
static inline void ptewatch_leaf(struct space *s, enum ptewatch_kind kind, uint64_t va, pte_t old,
				 pte_t new)
{
	(void)s, (void)kind, (void)va, (void)old, (void)new;
}
static inline void ptewatch_death(struct thread *t, uint64_t cause, uint64_t va)
{
	(void)t, (void)cause, (void)va;
}
static inline void ptewatch_spurious(struct space *s, uint64_t va, unsigned access)
{
	(void)s, (void)va, (void)access;
}
static inline void ptewatch_handle(struct space *to, struct object *o, uint32_t rights, int handle,
				   const char *how)
{
	(void)to, (void)o, (void)rights, (void)handle, (void)how;
}
#endif

#endif
