/* The wall clock at boot, from the board's RTC (see rtc.h). */
#include "kernel/rtc.h"

#include "kernel/arch.h"
#include "kernel/boot.h"
#include "kernel/console.h"
#include "kernel/kvm.h"
#include "kernel/timer.h"
#include "lib/error.h"

/* Goldfish RTC registers: nanoseconds since 1970; reading TIME_LOW latches TIME_HIGH. */
#define GOLDFISH_TIME_LOW  0x00
#define GOLDFISH_TIME_HIGH 0x04

static uint64_t boot_ns;

static uint64_t goldfish_read(uintptr_t base)
{
	uint64_t lo = mmio_read32(base + GOLDFISH_TIME_LOW);

	return (uint64_t)mmio_read32(base + GOLDFISH_TIME_HIGH) << 32 | lo;
}

void rtc_init(void)
{
	const struct plat_device *d = &platform.rtc;
	int e;

	if (!d->present) {
		kprintf("rtc: %s; the wall clock counts from 1970 at boot\n",
			platform.rtc_unusable ? "a google,goldfish-rtc node without a usable reg, "
						"ignored"
					      : "none");
		return;
	}
	/* Only the two registers: a node claiming a larger window maps no more. */
	if ((e = kvm_map_device(d->base, DT_RTC_REGS_SIZE)) != ERR_OK) {
		kprintf("rtc: cannot map %s at %#lx (%s), ignored; the wall clock counts from "
			"1970 at boot\n",
			d->compatible, d->base, err_name(e));
		return;
	}
	uint64_t now = goldfish_read(DIRECT_VA(d->base));
	uint64_t up = timer_ticks_to_ns(arch_time());

	/* A clock set before the machine started cannot be honoured: count from 1970. */
	boot_ns = now > up ? now - up : 0;
	kprintf("rtc: %s at %#lx: %lu s since 1970\n", d->compatible, d->base,
		(unsigned long)(now / NS_PER_S));
}

uint64_t rtc_boot_ns(void)
{
	return boot_ns;
}
