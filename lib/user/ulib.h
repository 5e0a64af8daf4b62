/* Small runtime for Strata user programs that do not use libc. */
#ifndef STRATA_LIB_USER_ULIB_H
#define STRATA_LIB_USER_ULIB_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/abi.h"

/* The calling process's own handles, filled in by the program at start. */
struct uenv {
	handle_t space, thread, quota, system;
};
extern struct uenv uenv;

/* printf to the kernel console (SYS_DEBUG_WRITE). */
int uprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void uexit(int status) __attribute__((noreturn));

/*
 * Anonymous memory in the caller's space: npages zeroed pages mapped R+W at a
 * fresh address (from a simple bump allocator above UHEAP_BASE). Returns the
 * address, or 0; *frame (if not NULL) gets the frame handle.
 */
#define UHEAP_BASE 0x2000000000ull
void *umap_pages(unsigned order, handle_t *frame);
/* Reserve address space without mapping it (for regions). */
uint64_t uvm_reserve(uint64_t bytes);

/*
 * Start fn(arg) on a new thread in the caller's space with its own stack,
 * and ipcbuf (a mapped page) as its IPC buffer, or a fresh page if 0.
 */
int uthread_spawn(void (*fn)(void *), void *arg, unsigned prio, uint64_t ipcbuf, handle_t *thread);

#endif
