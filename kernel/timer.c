#include "kernel/timer.h"

#include "kernel/arch.h"
#include "kernel/boot.h"
#include "kernel/hart.h"
#include "kernel/sbi.h"
#include "kernel/trap.h"
#include "lib/error.h"

static bool use_sstc;
static uint64_t interval;

/*
 * Sstc needs two things: the ISA string says so, and the firmware enabled
 * S-mode access (menvcfg.STCE); the probe checks the second.
 */
void timer_init(void)
{
	const struct plat_hart *h = dt_platform_hart(&platform, this_hart()->hartid);

	use_sstc = h && dt_isa_has(h->isa, "sstc") && probe_stimecmp() == ERR_OK;
	interval = platform.timebase_hz / TIMER_HZ;
	if (interval == 0)
		interval = 1;
}

static void arm(uint64_t when)
{
	if (use_sstc)
		csr_write(0x14d, when);
	else
		sbi_set_timer(when);
}

void timer_init_hart(void)
{
	arm(arch_time() + interval);
	csr_set(sie, SIE_STIE);
}

void timer_interrupt(void)
{
	this_hart()->ticks++;
	arm(arch_time() + interval);
}

bool timer_uses_sstc(void)
{
	return use_sstc;
}

uint64_t timer_timebase_hz(void)
{
	return platform.timebase_hz;
}
