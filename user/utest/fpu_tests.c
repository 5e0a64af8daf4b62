/*
 * In-guest tests of floating point (F/D) in user threads: each thread keeps
 * its own f0-f31 and fcsr across yields, sleeps, preemption and migration
 * between harts; a new thread starts with them all zero; arithmetic gives
 * the IEEE results. utest itself is built without FP (rv64imac), so the FP
 * code is assembly with the D extension enabled locally; the C code around
 * it never touches the f registers.
 */
#include "user/utest/harness.h"

extern const struct test fpu_tests[];

#define NREGS 32

/* All the FP state a thread has: f0-f31, then fcsr (8 bits). */
struct fpregs {
	uint64_t f[NREGS];
	uint64_t fcsr;
};

/* utest_fpu_load(const struct fpregs *): load every f register and fcsr. */
void utest_fpu_load(const struct fpregs *r);
/* utest_fpu_store(struct fpregs *): store every f register and fcsr. */
void utest_fpu_store(struct fpregs *r);

#define FLD(n)	    "fld f" #n ", " #n "*8(a0)\n"
#define FSD(n)	    "fsd f" #n ", " #n "*8(a0)\n"
#define EACH8(m, b) m(b##0) m(b##1) m(b##2) m(b##3) m(b##4) m(b##5) m(b##6) m(b##7)
#define FLD_ALL                                                                                    \
	FLD(0)                                                                                     \
	FLD(1)                                                                                     \
	FLD(2)                                                                                     \
	FLD(3)                                                                                     \
	FLD(4)                                                                                     \
	FLD(5)                                                                                     \
	FLD(6) FLD(7) FLD(8) FLD(9) EACH8(FLD, 1) FLD(18) FLD(19) EACH8(FLD, 2) FLD(28) FLD(29)    \
	    FLD(30) FLD(31)
#define FSD_ALL                                                                                    \
	FSD(0)                                                                                     \
	FSD(1)                                                                                     \
	FSD(2)                                                                                     \
	FSD(3)                                                                                     \
	FSD(4)                                                                                     \
	FSD(5)                                                                                     \
	FSD(6) FSD(7) FSD(8) FSD(9) EACH8(FSD, 1) FSD(18) FSD(19) EACH8(FSD, 2) FSD(28) FSD(29)    \
	    FSD(30) FSD(31)

__asm__(".pushsection .text\n"
	".option push\n"
	".option arch, +d\n"
	".globl utest_fpu_load\n"
	".type utest_fpu_load, @function\n"
	"utest_fpu_load:\n" FLD_ALL "ld t0, 256(a0)\n"
	"fscsr t0\n"
	"ret\n"
	".size utest_fpu_load, . - utest_fpu_load\n"
	".globl utest_fpu_store\n"
	".type utest_fpu_store, @function\n"
	"utest_fpu_store:\n" FSD_ALL "frcsr t0\n"
	"sd t0, 256(a0)\n"
	"ret\n"
	".size utest_fpu_store, . - utest_fpu_store\n"
	".option pop\n"
	".popsection\n");

_Static_assert(sizeof(struct fpregs) == 33 * 8, "fpregs matches the assembly");

/* A register image unique to (thread id, round): every value distinct and nonzero. */
static void pattern(struct fpregs *r, uint64_t id, uint64_t round)
{
	for (uint64_t i = 0; i < NREGS; i++)
		r->f[i] = 0x4000000000000000ull ^ (id << 48) ^ (round << 20) ^ (i << 8) ^ (i + 1);
	/* frm (7:5) one of the five valid modes, fflags (4:0) anything */
	r->fcsr = (((id + round) % 5) << 5) | ((id * 7 + round * 3 + 1) & 31);
}

/* Index of the first differing register (32 = fcsr), or -1 if equal. */
static int fpregs_diff(const struct fpregs *a, const struct fpregs *b)
{
	for (int i = 0; i < NREGS; i++)
		if (a->f[i] != b->f[i])
			return i;
	return a->fcsr != b->fcsr ? NREGS : -1;
}

static void report_diff(const char *who, int idx, const struct fpregs *got,
			const struct fpregs *want)
{
	if (idx == NREGS)
		uprintf("    %s: fcsr = %lx, expected %lx\n", who, got->fcsr, want->fcsr);
	else
		uprintf("    %s: f%d = %lx, expected %lx\n", who, idx, got->f[idx], want->f[idx]);
}

/* Integer-only busy work long enough to be preempted by the timer now and then. */
static void spin(unsigned n)
{
	for (volatile unsigned i = 0; i < n; i++)
		;
}

/* ---------------------------------------------------------------- preserved */

#define NWORKERS 6 /* more than the harts, so they share harts and migrate */
#define ROUNDS	 150

struct worker {
	uint64_t id;
	bool sleepy; /* dirty the registers and sleep every round */
	volatile int done;
	volatile int bad_round; /* -1 = all good */
	int bad_idx;
	struct fpregs got, want;
};

static void preserve_worker(void *arg)
{
	struct worker *w = arg;
	struct fpregs want, got;

	w->bad_round = -1;
	pattern(&want, w->id, 0);
	utest_fpu_load(&want);
	for (uint64_t round = 1; round <= ROUNDS; round++) {
		/* Two rounds in three dirty the registers again; the third leaves them Clean. */
		if (w->sleepy || round % 3 != 0) {
			pattern(&want, w->id, round);
			utest_fpu_load(&want);
		}
		switch (w->sleepy ? 1 : round % 4) {
		case 0:
			sys_yield();
			break;
		case 1:
			sys_sleep(200000);
			break;
		case 2:
			spin(20000);
			break;
		default:
			sys_yield();
			spin(5000);
			break;
		}
		utest_fpu_store(&got);
		int d = fpregs_diff(&got, &want);
		if (d >= 0) {
			w->bad_round = (int)round;
			w->bad_idx = d;
			w->got = got;
			w->want = want;
			break;
		}
	}
	w->done = 1;
}

/*
 * n threads each load their own values into all 32 f registers and fcsr,
 * then yield, sleep or get preempted, and check nothing changed; this thread
 * does the same around the joins.
 */
static bool run_workers(int n, bool sleepy)
{
	static struct worker w[NWORKERS];
	struct uthread t[NWORKERS];
	struct fpregs mine, got;

	pattern(&mine, 0x99, 7);
	utest_fpu_load(&mine);
	for (int i = 0; i < n; i++) {
		w[i] = (struct worker){.id = (uint64_t)i + 1, .sleepy = sleepy, .bad_round = -1};
		OK(spawn(&t[i], preserve_worker, &w[i], 10));
	}
	bool ok = true;
	for (int i = 0; i < n; i++) {
		int64_t st = join(&t[i]);
		if (st != 0 || !w[i].done) {
			uprintf("    worker %d did not finish (status %ld)\n", i, (long)st);
			ok = false;
		} else if (w[i].bad_round >= 0) {
			uprintf("    worker %d, round %d:\n", i, w[i].bad_round);
			report_diff("worker", w[i].bad_idx, &w[i].got, &w[i].want);
			ok = false;
		}
	}
	utest_fpu_store(&got);
	int d = fpregs_diff(&got, &mine);
	if (d >= 0) {
		report_diff("main thread", d, &got, &mine);
		ok = false;
	}
	return ok;
}

/* More threads than harts: they share harts and migrate between them. */
static bool fpu_registers_preserved(void)
{
	return run_workers(NWORKERS, false);
}

/*
 * Two threads, fewer than the harts (on SMP), load new values and sleep every
 * round: they wake on whichever hart is idle, often one they ran on before,
 * whose f registers still hold their older values.
 */
static bool fpu_registers_follow_migration(void)
{
	return run_workers(2, true);
}

/* ---------------------------------------------------------------- new threads */

struct dirtier {
	uint64_t id;
	volatile int stop, running;
};

static void dirty_forever(void *arg)
{
	struct dirtier *d = arg;
	struct fpregs r;

	for (uint64_t round = 0; !d->stop; round++) {
		pattern(&r, d->id, round);
		utest_fpu_load(&r);
		d->running = 1;
		if (round & 1)
			sys_yield();
		else
			spin(2000);
	}
}

static void store_first(void *arg)
{
	utest_fpu_store(arg); /* the first thing the thread does with FP */
}

#define NDIRTIERS 3
#define NFRESH	  24

/*
 * While other threads keep nonzero values in their f registers (on this and
 * other harts) and this thread has its own, new threads must still see
 * f0-f31 = 0 and fcsr = 0 on their first FP instruction.
 */
static bool fpu_new_thread_zeroed(void)
{
	static struct dirtier dt[NDIRTIERS];
	struct uthread td[NDIRTIERS], tf;
	static struct fpregs seen;
	const struct fpregs zero = {0};
	struct fpregs mine;
	bool ok = true;

	pattern(&mine, 0x77, 1);
	utest_fpu_load(&mine);
	for (int i = 0; i < NDIRTIERS; i++) {
		dt[i] = (struct dirtier){.id = 0x50 + (uint64_t)i};
		OK(spawn(&td[i], dirty_forever, &dt[i], 10));
	}
	for (int i = 0; i < 500; i++) {
		int n = 0;
		for (int j = 0; j < NDIRTIERS; j++)
			n += dt[j].running;
		if (n == NDIRTIERS)
			break;
		sys_sleep(1000000);
	}
	for (int round = 0; round < NFRESH && ok; round++) {
		for (int i = 0; i < NREGS; i++)
			seen.f[i] = 0x5a5a5a5a5a5a5a5aull;
		seen.fcsr = 0xff;
		OK(spawn(&tf, store_first, &seen, 10));
		if (join(&tf) != 0) {
			uprintf("    fresh thread %d did not finish\n", round);
			ok = false;
		}
		int d = fpregs_diff(&seen, &zero);
		if (d >= 0) {
			uprintf("    fresh thread %d:\n", round);
			report_diff("new thread", d, &seen, &zero);
			ok = false;
		}
		if (round % 4 == 3) {
			pattern(&mine, 0x77, (uint64_t)round);
			utest_fpu_load(&mine); /* dirty ours again */
		}
	}
	for (int i = 0; i < NDIRTIERS; i++)
		dt[i].stop = 1;
	for (int i = 0; i < NDIRTIERS; i++)
		CHECK(join(&td[i]) == 0);
	struct fpregs got;
	utest_fpu_store(&got);
	CHECK(fpregs_diff(&got, &mine) < 0);
	return ok;
}

/* ---------------------------------------------------------------- arithmetic */

#define FP_BEGIN ".option push\n.option arch, +d\n"
#define FP_END	 ".option pop\n"

/* fflags bits */
#define NX 0x01
#define DZ 0x08
#define NV 0x10

/* a / b in double with rounding mode rm (fcsr.frm, dynamic); *flags = fflags raised. */
static uint64_t fdiv_d(uint64_t a, uint64_t b, unsigned rm, uint64_t *flags)
{
	uint64_t r, f;
	__asm__ volatile(FP_BEGIN "fsflags x0\n"
				  "fsrm %4\n"
				  "fmv.d.x f1, %2\n"
				  "fmv.d.x f2, %3\n"
				  "fdiv.d f3, f1, f2\n"
				  "fmv.x.d %0, f3\n"
				  "frflags %1\n"
				  "fsrm x0\n" FP_END
			 : "=&r"(r), "=&r"(f)
			 : "r"(a), "r"(b), "r"((uint64_t)rm)
			 : "memory");
	*flags = f;
	return r;
}

static uint64_t fsqrt_d(uint64_t a, unsigned rm, uint64_t *flags)
{
	uint64_t r, f;
	__asm__ volatile(FP_BEGIN "fsflags x0\n"
				  "fsrm %3\n"
				  "fmv.d.x f4, %2\n"
				  "fsqrt.d f5, f4\n"
				  "fmv.x.d %0, f5\n"
				  "frflags %1\n"
				  "fsrm x0\n" FP_END
			 : "=&r"(r), "=&r"(f)
			 : "r"(a), "r"((uint64_t)rm)
			 : "memory");
	*flags = f;
	return r;
}

#define RNE 0
#define RTZ 1
#define RUP 3

#define D_1    0x3ff0000000000000ull
#define D_3    0x4008000000000000ull
#define D_2    0x4000000000000000ull
#define D_10   0x4024000000000000ull
#define D_M1   0xbff0000000000000ull
#define D_0    0x0000000000000000ull
#define D_INF  0x7ff0000000000000ull
#define D_QNAN 0x7ff8000000000000ull /* the canonical NaN */

/* IEEE results checked bit for bit, with rounding modes and exception flags. */
static bool fpu_arithmetic(void)
{
	uint64_t fl;

	CHECK(fdiv_d(D_1, D_3, RNE, &fl) == 0x3fd5555555555555ull && fl == NX);
	CHECK(fdiv_d(D_1, D_3, RUP, &fl) == 0x3fd5555555555556ull && fl == NX);
	CHECK(fdiv_d(D_1, D_3, RTZ, &fl) == 0x3fd5555555555555ull && fl == NX);
	CHECK(fdiv_d(D_10, D_2, RNE, &fl) == 0x4014000000000000ull && fl == 0); /* 5.0 exactly */
	CHECK(fdiv_d(D_1, D_0, RNE, &fl) == D_INF && fl == DZ);
	CHECK(fdiv_d(D_0, D_0, RNE, &fl) == D_QNAN && fl == NV);
	CHECK(fsqrt_d(D_2, RNE, &fl) == 0x3ff6a09e667f3bcdull && fl == NX);
	CHECK(fsqrt_d(D_10, RNE, &fl) == 0x40094c583ada5b53ull && fl == NX);
	CHECK(fsqrt_d(D_10, RTZ, &fl) == 0x40094c583ada5b52ull && fl == NX);
	CHECK(fsqrt_d(D_M1, RNE, &fl) == D_QNAN && fl == NV);

	/* fmadd.d 2*3+0.5 = 6.5, and single precision 1/3 through fcvt */
	uint64_t fma, s;
	__asm__ volatile(FP_BEGIN "fmv.d.x f6, %2\n"
				  "fmv.d.x f7, %3\n"
				  "fmv.d.x f8, %4\n"
				  "fmadd.d f9, f6, f7, f8\n"
				  "fmv.x.d %0, f9\n"
				  "li t0, 1\n"
				  "fcvt.s.l f10, t0\n"
				  "li t0, 3\n"
				  "fcvt.s.l f11, t0\n"
				  "fdiv.s f12, f10, f11\n"
				  "fmv.x.w %1, f12\n" FP_END
			 : "=&r"(fma), "=&r"(s)
			 : "r"(D_2), "r"(D_3), "r"(0x3fe0000000000000ull)
			 : "t0", "memory");
	CHECK(fma == 0x401a000000000000ull);
	CHECK((uint32_t)s == 0x3eaaaaabu);
	return true;
}

const struct test fpu_tests[] = {
    {"fpu_registers_preserved", fpu_registers_preserved},
    {"fpu_registers_follow_migration", fpu_registers_follow_migration},
    {"fpu_new_thread_zeroed", fpu_new_thread_zeroed},
    {"fpu_arithmetic", fpu_arithmetic},
    {0, 0},
};
