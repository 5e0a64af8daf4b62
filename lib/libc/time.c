/* Time for C programs: the kernel's clock and sleep (SYS_CLOCK, SYS_SLEEP). */
#include <errno.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "lib/error.h"
#include "lib/libc/sys.h"
#include "lib/user/syscall.h"

/* Both clocks count from boot: there is no battery-backed clock to read. */
int clock_gettime(clockid_t id, struct timespec *ts)
{
	if (id != CLOCK_MONOTONIC && id != CLOCK_REALTIME) {
		errno = EINVAL;
		return -1;
	}
	uint64_t ns = sys_clock();
	ts->tv_sec = (time_t)(ns / 1000000000ull);
	ts->tv_nsec = (long)(ns % 1000000000ull);
	return 0;
}

int gettimeofday(struct timeval *restrict tv, void *restrict tz)
{
	(void)tz;
	uint64_t ns = sys_clock();
	tv->tv_sec = (time_t)(ns / 1000000000ull);
	tv->tv_usec = (suseconds_t)(ns / 1000 % 1000000);
	return 0;
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
	uint64_t left = sleep_ns((uint64_t)req->tv_sec * 1000000000ull + (uint64_t)req->tv_nsec);
	if (rem)
		*rem =
		    (struct timespec){(time_t)(left / 1000000000ull), (long)(left % 1000000000ull)};
	if (left) {
		errno = EINTR;
		return -1;
	}
	return 0;
}

unsigned sleep(unsigned s)
{
	return (unsigned)((sleep_ns((uint64_t)s * 1000000000ull) + 999999999ull) / 1000000000ull);
}

int usleep(useconds_t us)
{
	if (sleep_ns((uint64_t)us * 1000ull)) {
		errno = EINTR;
		return -1;
	}
	return 0;
}
