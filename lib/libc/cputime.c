/*
 * CPU time of the process: times() and clock(). The kernel counts the
 * calling thread's user and kernel time (SYS_CLOCK); proc counts what the
 * children the process waited for used (PROC_TIMES). A process is one
 * thread, so the thread's time is the process's, from the start of the
 * program it runs now: exec starts the count again, fork starts the
 * child's at 0.
 */
#include <sys/times.h>
#include <time.h>

#include "lib/libc/sys.h"
#include "lib/user/proc_proto.h"
#include "lib/user/syscall.h"

/* Nanoseconds in units of `per_s` a second (clock_t counts CLK_TCK or CLOCKS_PER_SEC). */
static clock_t ns_to(uint64_t ns, uint64_t per_s)
{
	return (clock_t)(ns / (1000000000ull / per_s));
}

clock_t times(struct tms *buf)
{
	struct clock_info c = sys_clock_info();
	struct msg m = {.tag = msg_tag(PROC_TIMES, 0, 0)};

	/* Without proc (or if it fails) there are no waited-for children to count. */
	if (!__strata_us || !__strata_us->proc || __strata_call(__strata_us->proc, &m) != 0)
		m.w[0] = m.w[1] = 0;
	buf->tms_utime = ns_to(c.user, CLK_TCK);
	buf->tms_stime = ns_to(c.kernel, CLK_TCK);
	buf->tms_cutime = ns_to(m.w[0], CLK_TCK);
	buf->tms_cstime = ns_to(m.w[1], CLK_TCK);
	return ns_to(c.since_boot, CLK_TCK);
}

/*
 * The process's own CPU time, as POSIX has it (picolibc's would add the
 * children's from times(), and ask proc for them on every call).
 */
clock_t clock(void)
{
	struct clock_info c = sys_clock_info();

	return ns_to(c.user + c.kernel, CLOCKS_PER_SEC);
}
