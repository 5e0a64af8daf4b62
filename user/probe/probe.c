/*
 * probe: a hostile program for the in-guest tests. main's argument picks
 * one forbidden thing to try; each must end in an exception reported to
 * the supervisor, never in a kernel crash.
 */
#include <stdint.h>

#include "lib/user/syscall.h"

enum probe {
	PROBE_READ_KERNEL = 1,	/* load from the direct map */
	PROBE_WRITE_KERNEL = 2, /* store into the kernel image */
	PROBE_READ_UNMAPPED = 3,
	PROBE_WRITE_TEXT = 4,	/* store into our own code */
	PROBE_EXEC_DATA = 5,	/* jump into a data page */
	PROBE_PRIVILEGED = 6,	/* touch a supervisor CSR */
	PROBE_BAD_SYSCALLS = 7, /* kernel pointers and junk in system calls: errors, then exit 0 */
	PROBE_EXIT = 8,		/* just exit with status 42 */
	PROBE_SPIN = 9,		/* run forever (until killed) */
	PROBE_QUOTA = 10,	/* allocate frames until the quota says no: exit 0 if it did */
};

static volatile uint64_t data_word = 0x00008067; /* "ret", in a data page */

static int bad_syscalls(void)
{
	int bad = 0;
	/* Each must fail cleanly: a kernel address, a wrapping range, junk numbers. */
	bad += sys_debug_write((void *)0xffffffc000000000ull, 16) != ERR_FAULT;
	bad += sys_debug_write((void *)0x3ffffffff0ull, 0x100) != ERR_FAULT;
	bad += sys_debug_write((void *)0x10000, 1ull << 40) != ERR_RANGE;
	bad += sys0(999, 0, 0, 0, 0, 0, 0) != ERR_UNSUPPORTED;
	bad += sys0(SYS_COUNT, 0, 0, 0, 0, 0, 0) != ERR_UNSUPPORTED;
	bad += sys_handle_close(0) != ERR_BADHANDLE;
	bad += sys_handle_close(-5) != ERR_BADHANDLE;
	bad += sys_handle_close(0x7fffffff) != ERR_BADHANDLE;
	bad += sys_space_ad(1, 0x10000, 1, (uint8_t *)0xffffffff80200000ull, 0) == ERR_OK;
	return bad;
}

int main(uint64_t mode)
{
	switch (mode) {
	case PROBE_READ_KERNEL:
		return (int)*(volatile uint64_t *)0xffffffc080000000ull;
	case PROBE_WRITE_KERNEL:
		*(volatile uint64_t *)0xffffffff80200000ull = 0;
		return 1;
	case PROBE_READ_UNMAPPED:
		return (int)*(volatile uint64_t *)0x123456000ull;
	case PROBE_WRITE_TEXT:
		*(volatile uint32_t *)(uintptr_t)main = 0;
		return 1;
	case PROBE_EXEC_DATA:
		((void (*)(void))(uintptr_t)&data_word)();
		return 1;
	case PROBE_PRIVILEGED: {
		unsigned long v;
		__asm__ volatile("csrr %0, sstatus" : "=r"(v));
		return (int)v;
	}
	case PROBE_BAD_SYSCALLS:
		return bad_syscalls();
	case PROBE_EXIT:
		return 42;
	case PROBE_SPIN:
		for (;;)
			;
	case PROBE_QUOTA: {
		handle_t f;
		int n = 0, e;
		while ((e = sys_frame_alloc(0, 0, &f)) == ERR_OK)
			n++;
		return (e == ERR_QUOTA && n > 0) ? 0 : 1;
	}
	default:
		return 99;
	}
}
