#ifndef STRATA_KERNEL_PANIC_H
#define STRATA_KERNEL_PANIC_H

struct trapframe;

/*
 * Report a broken kernel invariant: message, registers of the caller, a
 * frame-pointer backtrace; then stop every hart. With "panic=shutdown" on
 * the command line the machine exits with a failure status instead of
 * halting (tests use it).
 */
void panic(const char *fmt, ...) __attribute__((noreturn, format(printf, 1, 2)));
/* Panic for an unexpected trap: cause name, sepc, stval, all registers. */
void panic_trap(const struct trapframe *tf) __attribute__((noreturn));

#endif
