#include "kernel/timer.h"

#include "kernel/arch.h"
#include "kernel/boot.h"
#include "kernel/hart.h"
#include "kernel/sbi.h"
#include "kernel/trap.h"
#include "lib/error.h"
#include "lib/fmt.h"

#define SIP_STIP SIE_STIE /* same bit in sip and sie */

/* How long the boot check lets a test tick take: 1 ms to fire, then 1 s of grace (loaded hosts). */
#define CHECK_DELAY_DIV 1000
#define CHECK_GRACE_DIV 1
/*
 * rdtime reads that must show a change. Enough for one tick of a 32 kHz
 * timebase on a fast core; a few milliseconds on QEMU even when the
 * firmware emulates rdtime with a trap.
 */
#define TIME_SPINS 100000

enum timer_kind { TIMER_SSTC, TIMER_SBI, TIMER_SBI_LEGACY };

static enum timer_kind kind;
static uint64_t interval;

static void arm(uint64_t when)
{
	if (kind == TIMER_SSTC)
		csr_write(0x14d, when);
	else
		sbi_set_timer(when);
}

/*
 * Which timer to program. Sstc needs two things: the ISA string says so,
 * and the firmware enabled S-mode access (menvcfg.STCE); the probe checks
 * the second. Otherwise the SBI TIME extension.
 *
 * The legacy set_timer call (SBI v0.1, extension 0) is used only when the
 * firmware predates v0.2 and so cannot be asked (no BASE extension). A
 * v0.2+ firmware that answers "no TIME" has no timer to offer: its legacy
 * call, where it still has one, ends in the same missing timer driver, so
 * falling back would trade a clear refusal for a hang.
 */
static int choose(char *err, size_t errlen)
{
	const struct plat_hart *h = dt_platform_hart(&platform, this_hart()->hartid);

	if (h && dt_isa_has(h->isa, "sstc") && probe_stimecmp() == ERR_OK)
		kind = TIMER_SSTC;
	else if (sbi_has(SBI_EXT_TIME))
		kind = TIMER_SBI;
	else if (sbi_is_legacy())
		kind = TIMER_SBI_LEGACY;
	else {
		fmt_snprintf(err, errlen,
			     "the ISA has no Sstc and the SBI %ld.%ld firmware has no TIME "
			     "extension",
			     (sbi_spec_version() >> 24) & 0x7f, sbi_spec_version() & 0xffffff);
		return ERR_NOENT;
	}
	return ERR_OK;
}

/*
 * Arm one tick and watch sip.STIP with interrupts off: the tick must come
 * neither before its deadline nor much after it. Firmware without a timer
 * device (OpenSBI given a device tree without a CLINT) still says it has
 * TIME; this is where it shows: rdtime stands still, or the tick fires at
 * once and forever, or never.
 */
static int check(char *err, size_t errlen)
{
	uint64_t hz = platform.timebase_hz;
	uint64_t t0 = arch_time(), now = t0;
	unsigned i;

	for (i = 0; i < TIME_SPINS && now == t0; i++)
		now = arch_time();
	if (now == t0) {
		fmt_snprintf(err, errlen,
			     "rdtime stands still at %lu (firmware without a timer device: "
			     "is there no CLINT in the device tree?)",
			     t0);
		return ERR_STATE;
	}
	uint64_t deadline = now + (hz / CHECK_DELAY_DIV ? hz / CHECK_DELAY_DIV : 1);
	uint64_t give_up = deadline + hz / CHECK_GRACE_DIV;
	int e = ERR_OK;

	arm(deadline);
	for (;;) {
		bool fired = csr_read(sip) & SIP_STIP;
		now = arch_time(); /* after the sip read: a fired tick saw at most this time */
		if (fired && now < deadline) {
			fmt_snprintf(
			    err, errlen,
			    "the %s tick fires at once, %lu ticks before its "
			    "deadline (firmware without a timer device: is there no CLINT in "
			    "the device tree?)",
			    timer_name(), deadline - now);
			e = ERR_STATE;
			break;
		}
		if (fired)
			break;
		if (now > give_up) {
			fmt_snprintf(err, errlen,
				     "the %s tick did not arrive within %d ms of its "
				     "deadline",
				     timer_name(), 1000 / CHECK_GRACE_DIV);
			e = ERR_STATE;
			break;
		}
	}
	arm(UINT64_MAX);
	return e;
}

int timer_init(char *err, size_t errlen)
{
	int e;

	if (platform.timebase_hz == 0) {
		fmt_snprintf(err, errlen, "/cpus has no timebase-frequency");
		return ERR_NOENT;
	}
	if ((e = choose(err, errlen)) != ERR_OK || (e = check(err, errlen)) != ERR_OK)
		return e;
	interval = platform.timebase_hz / TIMER_HZ;
	if (interval == 0)
		interval = 1;
	return ERR_OK;
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
	return kind == TIMER_SSTC;
}

const char *timer_name(void)
{
	static const char *const names[] = {"sstc", "sbi", "sbi legacy"};

	return names[kind];
}

uint64_t timer_timebase_hz(void)
{
	return platform.timebase_hz;
}

uint64_t timer_ticks_to_ns(uint64_t ticks)
{
	uint64_t hz = platform.timebase_hz;

	/* Whole seconds first: ticks * 10^9 alone overflows after 30 minutes at 10 MHz. */
	return (ticks / hz) * NS_PER_S + (ticks % hz) * NS_PER_S / hz;
}
