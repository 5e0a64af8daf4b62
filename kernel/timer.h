/* The per-hart timer tick: Sstc (stimecmp) where the ISA has it, else SBI TIME. */
#ifndef STRATA_KERNEL_TIMER_H
#define STRATA_KERNEL_TIMER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define TIMER_HZ 100
#define NS_PER_S 1000000000ull

/*
 * Decide how to program the timer and check, on the boot hart with
 * interrupts off, that one tick arrives on time. Call once, after the DTB
 * is read. ERR_OK, or an error with a sentence in err naming what is
 * missing.
 */
int timer_init(char *err, size_t errlen);
/* Arm this hart's first tick and enable timer interrupts. */
void timer_init_hart(void);
void timer_interrupt(void);
bool timer_uses_sstc(void);
/* "sstc", "sbi" or "sbi legacy", for the banner. */
const char *timer_name(void);
uint64_t timer_timebase_hz(void);
/* A count of timebase ticks in nanoseconds (exact for counts up to years). */
uint64_t timer_ticks_to_ns(uint64_t ticks);

#endif
