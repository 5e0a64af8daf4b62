/*
 * systest: time — CPU time (clock, times, the CPU-time clocks), the
 * real-time clock (the RTC where the board has one) and the calendar.
 * No check depends on how fast the machine is: each compares two readings.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <sys/times.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "lib/user/syscall.h"
#include "user/c/systest/systest.h"

#define NS_PER_S  1000000000ull
#define SPIN_MAX  (10 * NS_PER_S) /* give up on a spin after this much wall time */
#define Y2024_UTC 1704067200	  /* 2024-01-01 00:00:00 UTC */

_Static_assert(CLOCKS_PER_SEC == CLK_TCK, "clock() and times() count the same ticks");

static uint64_t ns(clockid_t id)
{
	struct timespec ts = {0, 0};

	clock_gettime(id, &ts);
	return (uint64_t)ts.tv_sec * NS_PER_S + (uint64_t)ts.tv_nsec;
}

/* Compute in user mode until clock() has moved by ticks (or SPIN_MAX passed); clock() after. */
static clock_t spin_cpu(clock_t ticks)
{
	uint64_t give_up = ns(CLOCK_MONOTONIC) + SPIN_MAX;
	clock_t start = clock(), now = start;
	volatile unsigned long x = 0;

	while (now - start < ticks && ns(CLOCK_MONOTONIC) < give_up) {
		for (unsigned long i = 0; i < 100000; i++)
			x += i;
		now = clock();
	}
	return now;
}

/* CPU time grows while the process computes, and much less than wall time while it sleeps. */
static bool cpu_time(void)
{
	struct tms t0, t1;
	uint64_t c0 = ns(CLOCK_PROCESS_CPUTIME_ID);

	CHECK(times(&t0) != (clock_t)-1);
	spin_cpu(20);
	uint64_t c1 = ns(CLOCK_PROCESS_CPUTIME_ID);
	CHECK(times(&t1) != (clock_t)-1);
	CHECK(c1 > c0);
	CHECK(t1.tms_utime > t0.tms_utime); /* the spin is user code */
	CHECK(t1.tms_stime >= t0.tms_stime);

	uint64_t w2 = ns(CLOCK_MONOTONIC), c2 = ns(CLOCK_PROCESS_CPUTIME_ID);
	CHECK(usleep(200000) == 0);
	uint64_t c3 = ns(CLOCK_PROCESS_CPUTIME_ID), w3 = ns(CLOCK_MONOTONIC);
	CHECK(w3 - w2 >= 200000000ull);
	CHECK(c3 >= c2 && c3 - c2 < w3 - w2);

	/* One thread per process: the thread's clock is the process's. */
	uint64_t th0 = ns(CLOCK_THREAD_CPUTIME_ID), p = ns(CLOCK_PROCESS_CPUTIME_ID);
	uint64_t th1 = ns(CLOCK_THREAD_CPUTIME_ID);
	CHECK(th0 <= p && p <= th1);
	return true;
}

/* clock() is the user plus system time times() reports (each rounded down to a tick). */
static bool clock_matches_times(void)
{
	struct tms t;

	spin_cpu(5);
	clock_t a = clock();
	clock_t up = times(&t);
	clock_t b = clock();
	CHECK(a <= t.tms_utime + t.tms_stime + 1 && t.tms_utime + t.tms_stime <= b);
	CHECK(up != (clock_t)-1 && up > 0);	       /* times() returns ticks since boot */
	CHECK(t.tms_cutime == 0 && t.tms_cstime == 0); /* no child waited for yet */
	return true;
}

/* A child waited for counts in tms_cutime/tms_cstime; one not yet waited for does not. */
static bool children_times(void)
{
	struct tms t0, t1, t2;
	int st = -1;

	CHECK(times(&t0) != (clock_t)-1);
	int pid = fork();
	if (pid == 0) {
		spin_cpu(10);
		_exit(0);
	}
	CHECK(pid > 0);
	usleep(10000);
	CHECK(times(&t1) != (clock_t)-1);
	CHECK(t1.tms_cutime == t0.tms_cutime && t1.tms_cstime == t0.tms_cstime);
	CHECK(waitpid(pid, &st, 0) == pid && WIFEXITED(st) && WEXITSTATUS(st) == 0);
	CHECK(times(&t2) != (clock_t)-1);
	CHECK(t2.tms_cutime + t2.tms_cstime > t0.tms_cutime + t0.tms_cstime);
	CHECK(t2.tms_cutime > t0.tms_cutime); /* the child's spin was user code */
	return true;
}

/*
 * The real-time clock is the wall-clock time at boot (from the RTC, or 1970
 * without one) plus the monotonic clock; time() and gettimeofday() agree.
 */
static bool realtime(void)
{
	uint64_t boot = sys_clock_info().boot_wall;
	uint64_t m0 = ns(CLOCK_MONOTONIC), r = ns(CLOCK_REALTIME), m1 = ns(CLOCK_MONOTONIC);
	struct timespec rt;
	struct timeval tv;

	CHECK(m0 + boot <= r && r <= m1 + boot);
	CHECK(clock_gettime(CLOCK_REALTIME, &rt) == 0);
	time_t t = time(NULL);
	CHECK(gettimeofday(&tv, NULL) == 0);
	CHECK(rt.tv_sec <= t && t <= tv.tv_sec);
	CHECK(tv.tv_usec >= 0 && tv.tv_usec < 1000000);
	if (boot) {
		printf("    real-time clock from the RTC: %lld s since 1970\n", (long long)t);
		CHECK(t >= Y2024_UTC);
	} else {
		printf("    no RTC: the real-time clock counts from 1970 at boot (%lld s)\n",
		       (long long)t);
		CHECK(t < Y2024_UTC);
	}
	errno = 0;
	CHECK(settimeofday(&tv, NULL) == -1 && errno == EPERM);
	errno = 0;
	CHECK(clock_settime(CLOCK_REALTIME, &rt) == -1 && errno == EPERM);
	errno = 0;
	CHECK(clock_gettime((clockid_t)99, &rt) == -1 && errno == EINVAL);
	return true;
}

/* gmtime, localtime (TZ unset: UTC), mktime and strftime on a known instant and on now. */
static bool calendar(void)
{
	char buf[64];
	struct tm tm, lt;
	time_t known = Y2024_UTC;

	CHECK(gmtime_r(&known, &tm) != NULL);
	CHECK(tm.tm_year == 124 && tm.tm_mon == 0 && tm.tm_mday == 1 && tm.tm_wday == 1);
	CHECK(strftime(buf, sizeof(buf), "%Y-%m-%d %H:%M:%S %a", &tm) > 0);
	CHECK(strcmp(buf, "2024-01-01 00:00:00 Mon") == 0);

	time_t now = time(NULL);
	CHECK(gmtime_r(&now, &tm) != NULL && localtime_r(&now, &lt) != NULL);
	if (!getenv("TZ"))
		CHECK(memcmp(&tm, &lt, sizeof(tm)) == 0 && mktime(&lt) == now);
	CHECK(strftime(buf, sizeof(buf), "%Y-%m-%d %H:%M:%S UTC", &tm) == 23);
	printf("    now: %s\n", buf);
	CHECK(atoi(buf) == tm.tm_year + 1900);
	return true;
}

const struct systest time_tests[] = {
    {"cpu_time", cpu_time},
    {"clock_matches_times", clock_matches_times},
    {"children_times", children_times},
    {"realtime", realtime},
    {"calendar", calendar},
    {0, 0},
};
