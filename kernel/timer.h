/* The per-hart timer tick: Sstc (stimecmp) where the ISA has it, else SBI TIME. */
#ifndef STRATA_KERNEL_TIMER_H
#define STRATA_KERNEL_TIMER_H

#include <stdbool.h>
#include <stdint.h>

#define TIMER_HZ 100

/* Decide how to program the timer (call once, on the boot hart, after the DTB is read). */
void timer_init(void);
/* Arm this hart's first tick and enable timer interrupts. */
void timer_init_hart(void);
void timer_interrupt(void);
bool timer_uses_sstc(void);
uint64_t timer_timebase_hz(void);

#endif
