/*
 * Time for C programs: the clocks and sleep (SYS_CLOCK, SYS_SLEEP).
 *
 * The monotonic clock counts from boot. The real-time clock is the
 * wall-clock time the kernel read from the board's RTC at boot plus the
 * monotonic clock; on a board without an RTC the kernel says 0, and the
 * real-time clock counts from 1970-01-01 at boot. Nothing sets it: the
 * kernel reads the RTC once and never writes it.
 */
#include <errno.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "lib/error.h"
#include "lib/libc/sys.h"
#include "lib/user/syscall.h"

#define NS_PER_S 1000000000ull

/* The nanoseconds clock id reads now: 0, or -1 (EINVAL) for a clock Strata does not have. */
static int clock_ns(clockid_t id, uint64_t *ns)
{
	struct clock_info c = sys_clock_info();

	switch (id) {
	case CLOCK_REALTIME:
	case CLOCK_REALTIME_COARSE:
		*ns = c.boot_wall + c.since_boot;
		return 0;
	case CLOCK_MONOTONIC:
	case CLOCK_MONOTONIC_RAW:
	case CLOCK_MONOTONIC_COARSE:
	case CLOCK_BOOTTIME:
		*ns = c.since_boot;
		return 0;
	/* A process runs one thread (fork makes a process, there are no threads): the same. */
	case CLOCK_PROCESS_CPUTIME_ID:
	case CLOCK_THREAD_CPUTIME_ID:
		*ns = c.user + c.kernel;
		return 0;
	default:
		errno = EINVAL;
		return -1;
	}
}

int clock_gettime(clockid_t id, struct timespec *ts)
{
	uint64_t ns;

	if (clock_ns(id, &ns) < 0)
		return -1;
	ts->tv_sec = (time_t)(ns / NS_PER_S);
	ts->tv_nsec = (long)(ns % NS_PER_S);
	return 0;
}

/* One tick of the time counter, rounded up to whole nanoseconds. */
int clock_getres(clockid_t id, struct timespec *res)
{
	uint64_t ns, hz = __strata_us ? __strata_us->timebase_hz : 0;

	if (clock_ns(id, &ns) < 0)
		return -1;
	if (res)
		*res = (struct timespec){0, hz ? (long)((NS_PER_S + hz - 1) / hz) : 1};
	return 0;
}

int clock_settime(clockid_t id, const struct timespec *ts)
{
	(void)id;
	(void)ts;
	errno = EPERM;
	return -1;
}

int gettimeofday(struct timeval *restrict tv, void *restrict tz)
{
	uint64_t ns;

	(void)tz;
	clock_ns(CLOCK_REALTIME, &ns);
	tv->tv_sec = (time_t)(ns / NS_PER_S);
	tv->tv_usec = (suseconds_t)(ns / 1000 % 1000000);
	return 0;
}

int settimeofday(const struct timeval *tv, const struct timezone *tz)
{
	(void)tv;
	(void)tz;
	errno = EPERM;
	return -1;
}

/*
 * Sleep ns; a signal handler cuts it short (never restarted, as POSIX has
 * it for all three): the nanoseconds left, 0 if it slept them all.
 */
static uint64_t sleep_ns(uint64_t ns)
{
	uint64_t start = sys_clock();

	if (sys_sleep(ns) != ERR_INTERRUPTED)
		return 0;
	uint64_t slept = sys_clock() - start;
	return slept < ns ? ns - slept : 1;
}

int nanosleep(const struct timespec *req, struct timespec *rem)
{
	if (req->tv_nsec < 0 || req->tv_nsec >= 1000000000l || req->tv_sec < 0) {
		errno = EINVAL;
		return -1;
	}
	uint64_t left = sleep_ns((uint64_t)req->tv_sec * NS_PER_S + (uint64_t)req->tv_nsec);
	if (rem)
		*rem = (struct timespec){(time_t)(left / NS_PER_S), (long)(left % NS_PER_S)};
	if (left) {
		errno = EINTR;
		return -1;
	}
	return 0;
}

unsigned sleep(unsigned s)
{
	return (unsigned)((sleep_ns((uint64_t)s * NS_PER_S) + 999999999ull) / NS_PER_S);
}

int usleep(useconds_t us)
{
	if (sleep_ns((uint64_t)us * 1000ull)) {
		errno = EINTR;
		return -1;
	}
	return 0;
}
