#include "kernel/uaccess.h"

#include "kernel/fault.h"
#include "kernel/hart.h"
#include "kernel/memlayout.h"
#include "kernel/trap.h"
#include "lib/error.h"

#define MAX_FAULTS_PER_COPY 64

int user_range_ok(uint64_t uaddr, size_t n)
{
	return uaddr < USER_TOP && n <= USER_TOP - uaddr;
}

/* Copy, resolving faults on the user side through the pager path. */
static int copy_user(void *dst, const void *src, size_t n, unsigned access)
{
	struct thread *t = thread_current();

	for (int tries = 0; tries < MAX_FAULTS_PER_COPY; tries++) {
		if (uaccess_copy(dst, src, n) == ERR_OK)
			return ERR_OK;
		uint64_t addr = this_hart()->fixup_addr;
		uint64_t cause = trap_last_fixup_cause();
		if (!fault_access(cause) || addr >= USER_TOP)
			return ERR_FAULT;
		if (fault_resolve(t, addr, access, t->utf->tf.sepc) != ERR_OK)
			return ERR_FAULT;
	}
	return ERR_FAULT;
}

int copyin(void *dst, const void __user *usrc, size_t n)
{
	if (!user_range_ok((uint64_t)(uintptr_t)usrc, n))
		return ERR_FAULT;
	return copy_user(dst, usrc, n, PROT_R);
}

int copyout(void __user *udst, const void *src, size_t n)
{
	if (!user_range_ok((uint64_t)(uintptr_t)udst, n))
		return ERR_FAULT;
	return copy_user(udst, src, n, PROT_W);
}
