/*
 * Copies between kernel memory and the current thread's user memory.
 * The user range is checked first (below USER_TOP, no wrap). A copy that
 * faults goes through the fault path on behalf of the thread, exactly as a
 * user access would, and is retried; if the fault cannot be resolved the
 * copy fails with ERR_FAULT.
 */
#ifndef STRATA_KERNEL_UACCESS_H
#define STRATA_KERNEL_UACCESS_H

#include <stddef.h>
#include <stdint.h>

/* Marks a pointer that is a user address (documentation only). */
#define __user

int copyin(void *dst, const void __user *usrc, size_t n);
int copyout(void __user *udst, const void *src, size_t n);
/* True if [uaddr, uaddr + n) lies below USER_TOP without wrapping. */
int user_range_ok(uint64_t uaddr, size_t n);

/* kernel/uaccess.S: the raw copy; ERR_OK or ERR_FAULT (address in the hart's fixup record). */
int uaccess_copy(void *dst, const void *src, size_t n);

#endif
