#ifndef STRATA_KERNEL_SELFTEST_H
#define STRATA_KERNEL_SELFTEST_H

/*
 * In-kernel self-tests, run when the command line says "selftest": the
 * frame allocator, slab, Sv39 on the real MMU (map, access, unmap, take and
 * recover the expected fault), the timer on every hart, and that no frame
 * leaked. Prints "ok - kernel/NAME" / "not ok - kernel/NAME" lines and a
 * summary; returns the number of failures.
 */
int selftest_run(void);

#endif
