/*
 * date [+FORMAT]: print the time of day, UTC, as strftime's FORMAT
 * (default "%a %b %e %H:%M:%S UTC %Y"). It comes from the board's RTC as
 * the kernel read it at boot, or counts from 1970 at boot on a board
 * without one. Setting the time is not supported.
 */
#include <stdio.h>
#include <time.h>

int main(int argc, char **argv)
{
	const char *fmt = "%a %b %e %H:%M:%S UTC %Y";
	char buf[256];
	struct tm tm;
	time_t now = time(NULL);

	if (argc > 2 || (argc == 2 && argv[1][0] != '+')) {
		fprintf(stderr, "usage: date [+FORMAT]\n");
		return 2;
	}
	if (argc == 2)
		fmt = argv[1] + 1;
	if (!gmtime_r(&now, &tm)) {
		fprintf(stderr, "date: the time is out of range\n");
		return 1;
	}
	/* An empty result is a legitimate output of an empty format, not an error. */
	buf[0] = '\0';
	strftime(buf, sizeof(buf), fmt, &tm);
	printf("%s\n", buf);
	return 0;
}
