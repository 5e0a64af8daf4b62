/*
 * The system-call fuzzer as in-guest tests. Each seed runs the sysfuzz
 * program (user/sysfuzz) in its own space and its own quota, with a
 * watchdog; afterwards every handle to its objects is closed and the
 * quota's `used` must be back to 0, free memory (free pages plus kernel
 * slab pages) back where it was, and the kernel's reference-count check
 * clean.
 *
 * Boot arguments:
 *   fuzzseeds=N    seeds per group (default 3; make stress passes more)
 *   fuzzseed=X     run seed X alone (repeat a failure), in its own group
 *   fuzzops=N      main-thread steps per seed (default 1000)
 *   fuzztrace=1    the fuzzer prints every raw call it makes
 *   fuzzavoid=M    steer around known kernel bugs (FUZZ_AVOID_* in lib/user/sysfuzz_ctl.h)
 * Seed X runs with ((X >> 16) & 3) * 2 worker threads: the groups differ there.
 */
#include "lib/fmt.h"
#include "lib/str.h"
#include "lib/user/sysfuzz_ctl.h"
#include "user/utest/harness.h"

#define PAGE	      4096ull
#define FUZZ_QUOTA    (4ull << 20)
#define SEED_BASE     0x5eed0000ull
#define WATCHDOG_NS   10000000000ull /* a seed that runs longer has hung */
#define POLL_NS	      5000000ull
#define DRAIN_TRIES   400 /* times POLL_NS: for dead threads to be reaped */
#define DEFAULT_SEEDS 3
#define DEFAULT_OPS   1000

static uint64_t ctl_va; /* our window on the control page, reserved once */

static uint64_t mem_now(void)
{
	uint64_t free = 0, slab = 0;
	sys_mem_info_orders(uenv.system, &free, 0, 0, &slab);
	return free + slab;
}

static uint64_t parse_num(const char *s)
{
	uint64_t v = 0;
	unsigned base = 10;

	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = 16;
		s += 2;
	}
	for (;; s++) {
		unsigned d;
		if (*s >= '0' && *s <= '9')
			d = (unsigned)(*s - '0');
		else if (base == 16 && *s >= 'a' && *s <= 'f')
			d = (unsigned)(*s - 'a' + 10);
		else if (base == 16 && *s >= 'A' && *s <= 'F')
			d = (unsigned)(*s - 'A' + 10);
		else
			return v;
		v = v * base + d;
	}
}

uint64_t bootarg(const char *name, uint64_t def, bool *found)
{
	size_t n = strlen(name);
	const char *p = bi->bootargs;

	if (found)
		*found = false;
	for (size_t len = strnlen(p, sizeof(bi->bootargs)); len > n; p++, len--) {
		if ((p == bi->bootargs || p[-1] == ' ') && strncmp(p, name, n) == 0 &&
		    p[n] == '=') {
			if (found)
				*found = true;
			return parse_num(p + n + 1);
		}
	}
	return def;
}

static unsigned seed_workers(uint64_t seed)
{
	return (unsigned)((seed >> 16) & 3) * 2;
}

struct seed_run {
	handle_t quota, ctl_frame;
	struct uprocess p;
	struct sysfuzz_ctl *ctl;
	uint64_t calls, exceptions;
	char why[200];
};

static int seed_start(struct seed_run *s, uint64_t seed)
{
	char err[96] = "";
	handle_t h;
	int e = sys_quota_split(uenv.quota, FUZZ_QUOTA, &s->quota);

	if (e == ERR_OK)
		e = sys_frame_alloc(1, FRAME_ZEROED, &s->ctl_frame);
	if (e == ERR_OK)
		e = sys_space_map(uenv.space, ctl_va, s->ctl_frame, 0, 2, PROT_R | PROT_W);
	if (e != ERR_OK)
		return e;
	s->ctl = (struct sysfuzz_ctl *)ctl_va;
	*s->ctl = (struct sysfuzz_ctl){.magic = SYSFUZZ_MAGIC,
				       .seed = seed,
				       .ops = (uint32_t)bootarg("fuzzops", DEFAULT_OPS, 0),
				       .workers = seed_workers(seed),
				       .avoid = (uint32_t)bootarg("fuzzavoid", 0, 0),
				       .nharts = bi->nharts,
				       .trace = (uint32_t)bootarg("fuzztrace", 0, 0)};
	e = uload_program(&initrd, "sysfuzz", s->quota, SYSFUZZ_CTL_VA, 10, &s->p, err,
			  sizeof(err));
	if (e == ERR_OK)
		e = sys_space_map(s->p.space, SYSFUZZ_CTL_VA, s->ctl_frame, 0, 2, PROT_R | PROT_W);
	if (e == ERR_OK && (e = sys_handle_give(s->p.space, s->quota, RIGHTS_ALL, &h)) == ERR_OK)
		s->ctl->quota = h;
	if (e == ERR_OK && (e = sys_handle_give(s->p.space, s->p.space, RIGHTS_ALL, &h)) == ERR_OK)
		s->ctl->space = h;
	if (e == ERR_OK &&
	    (e = sys_handle_give(s->p.space, uenv.system, RIGHT_READ | RIGHT_GRANT, &h)) == ERR_OK)
		s->ctl->system = h;
	if (e == ERR_OK)
		e = sys_thread_set_ipcbuf(s->p.thread, SYSFUZZ_CTL_IPCBUF);
	if (e == ERR_OK)
		e = sys_thread_start(s->p.thread);
	if (e != ERR_OK)
		fmt_snprintf(s->why, sizeof(s->why), "could not start: %s %s", err_name(e), err);
	return e;
}

/* Wait for the fuzzer's main thread; on a hang, say where it was and kill it. */
static void seed_watch(struct seed_run *s)
{
	struct thread_info ti = {0};
	uint64_t deadline = sys_clock() + WATCHDOG_NS;
	volatile struct sysfuzz_ctl *c = s->ctl;

	while (sys_thread_info(s->p.thread, &ti) == ERR_OK && ti.state != THREAD_DEAD &&
	       sys_clock() < deadline)
		sys_sleep(POLL_NS);
	if (ti.state != THREAD_DEAD) {
		fmt_snprintf(
		    s->why, sizeof(s->why),
		    "hung: phase %lu step %lu, %lu calls; last call %lu (%#lx, %#lx, %#lx, "
		    "%#lx, %#lx, %#lx, %#lx)",
		    c->phase, c->step, c->calls, c->last[0], c->last[1], c->last[2], c->last[3],
		    c->last[4], c->last[5], c->last[6], c->last[7]);
		sys_thread_kill(s->p.thread, -2);
		if (!wait_dead(s->p.thread))
			uprintf("    sysfuzz: its main thread does not die either\n");
		return;
	}
	s->calls = c->calls;
	s->exceptions = c->exceptions;
	if (ti.exit_status == 0)
		return;
	char why[sizeof(c->why) + 1];
	memcpy(why, (const void *)c->why, sizeof(c->why));
	why[sizeof(c->why)] = 0;
	fmt_snprintf(s->why, sizeof(s->why), "exit status %ld at phase %lu step %lu: %s",
		     ti.exit_status, c->phase, c->step, why[0] ? why : "(no reason given)");
}

/* Close our handles, then everything the seed charged must drain away. */
static void seed_finish(struct seed_run *s, uint64_t before)
{
	uint64_t limit = 0, used = 0, after = 0;

	sys_space_unmap(uenv.space, ctl_va, 2 * PAGE);
	if (s->ctl_frame)
		sys_handle_close(s->ctl_frame);
	if (s->p.thread)
		sys_handle_close(s->p.thread);
	if (s->p.space)
		sys_handle_close(s->p.space);
	for (int i = 0; s->quota && i < DRAIN_TRIES; i++) {
		if (sys_quota_info(s->quota, &limit, &used) != ERR_OK || used == 0)
			break;
		sys_sleep(POLL_NS);
	}
	if (used && !s->why[0])
		fmt_snprintf(s->why, sizeof(s->why),
			     "quota still has %lu bytes used after every handle was closed", used);
	if (s->quota)
		sys_handle_close(s->quota);
	for (int i = 0; i < DRAIN_TRIES; i++) {
		if ((after = mem_now()) == before)
			break;
		sys_sleep(POLL_NS);
	}
	if (after != before && !s->why[0])
		fmt_snprintf(s->why, sizeof(s->why), "free memory %lu pages, %lu before the seed",
			     after, before);
	uint64_t bad = 0;
	int e = sys_kernel_check(uenv.system, &bad);
	if (e != ERR_OK && !s->why[0])
		fmt_snprintf(s->why, sizeof(s->why), "kernel check: %s, %lu objects wrong",
			     err_name(e), bad);
}

static bool run_seed(uint64_t seed)
{
	struct seed_run s = {0};
	uint64_t before = mem_now(), t0 = sys_clock();

	if (!ctl_va)
		ctl_va = uvm_reserve(2 * PAGE);
	uprintf("sysfuzz: seed %#lx\n", seed);
	if (seed_start(&s, seed) == ERR_OK)
		seed_watch(&s);
	seed_finish(&s, before);
	if (s.why[0]) {
		uprintf("sysfuzz: seed %#lx failed: %s\n", seed, s.why);
		return false;
	}
	uprintf("    %lu calls, %lu exceptions, %lu ms\n", s.calls, s.exceptions,
		(sys_clock() - t0) / 1000000);
	return true;
}

/* Seeds SEED_BASE + group << 16 + 0, 1, ...; or only the fuzzseed=X of the command line. */
static bool run_group(unsigned group)
{
	bool ok = true, one;
	uint64_t seed = bootarg("fuzzseed", 0, &one);
	uint64_t n = bootarg("fuzzseeds", DEFAULT_SEEDS, 0);

	if (one)
		return group != 0 || run_seed(seed);

	for (uint64_t i = 0; i < n; i++)
		ok &= run_seed(SEED_BASE + ((uint64_t)group << 16) + i);
	return ok;
}

static bool fuzz_solo(void)
{
	sys_kernel_stats(uenv.system, true, NULL, NULL,
			 NULL); /* the lock-hold figure starts here */
	return run_group(0);
}

static bool fuzz_few(void)
{
	return run_group(1);
}

/* Ends with the longest kernel-lock hold of the whole run (make bench reads it). */
static bool fuzz_many(void)
{
	bool ok = run_group(2);
	uint64_t hold = 0;

	if (sys_kernel_stats(uenv.system, false, &hold, NULL, NULL) == ERR_OK)
		uprintf("bench: longest kernel-lock hold during the system-call fuzzer run: %lu "
			"cycles\n",
			hold);
	return ok;
}

const struct test sysfuzz_tests[] = {
    {"sysfuzz_solo", fuzz_solo},
    {"sysfuzz_2_workers", fuzz_few},
    {"sysfuzz_4_workers", fuzz_many},
    {0, 0},
};
