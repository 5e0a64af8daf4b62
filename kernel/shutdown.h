#ifndef STRATA_KERNEL_SHUTDOWN_H
#define STRATA_KERNEL_SHUTDOWN_H

#define EXIT_PASS  0
#define EXIT_FAIL  1
#define EXIT_PANIC 3

/* Map the test finisher if the platform has one. */
void shutdown_init(void);

/*
 * Power off with an exit status visible to whoever started the machine:
 * QEMU's test finisher (virt), else semihosting exit (with -semihosting),
 * else SBI system reset (status 0 only). Never returns.
 */
void machine_exit(int code) __attribute__((noreturn));

#endif
