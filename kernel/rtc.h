/*
 * The wall clock: the board's real-time clock, read once at boot. Programs
 * get the time of day as the wall-clock time at boot (SYS_CLOCK a2) plus the
 * time counter, so the RTC is never read again and its device stays free.
 */
#ifndef STRATA_KERNEL_RTC_H
#define STRATA_KERNEL_RTC_H

#include <stdint.h>

/*
 * Read the device tree's RTC, if it has one Strata can read (QEMU virt's
 * google,goldfish-rtc), and say on the console what the wall clock counts
 * from. A node it cannot use is ignored with a line, never a failure. Call
 * once, after the console and the timer are set up.
 */
void rtc_init(void);

/* Nanoseconds since 1970-01-01 UTC when the time counter read 0; 0 without an RTC. */
uint64_t rtc_boot_ns(void);

#endif
