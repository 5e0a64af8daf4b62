/*
 * The libctest runner (see libctest.h): every area in turn, one result
 * line each, then the summary; the exit status is the number of areas
 * that failed (root powers the machine off with it when we are init).
 * `libctest AREA` runs that area alone.
 */
#include <stdarg.h>
#include <string.h>

#include "user/c/libctest/libctest.h"

unsigned long libctest_checks, libctest_failures, libctest_deviations;

void libctest_fail(const char *file, int line, const char *expr)
{
	libctest_failures++;
	printf("    %s:%d: check failed: %s\n", file, line, expr);
}

void libctest_check_str(const char *file, int line, const char *expr, const char *got,
			const char *want)
{
	libctest_checks++;
	if (got && strcmp(got, want) == 0)
		return;
	libctest_failures++;
	printf("    %s:%d: check failed: %s is \"%s\", want \"%s\"\n", file, line, expr,
	       got ? got : "(null)", want);
}

void libctest_check_fmt(const char *file, int line, const char *expr, const char *want,
			const char *format, ...)
{
	char buf[512];
	va_list ap;
	int n;

	va_start(ap, format);
	n = vsnprintf(buf, sizeof(buf), format, ap);
	va_end(ap);
	libctest_checks++;
	if (n == (int)strlen(want) && strcmp(buf, want) == 0)
		return;
	libctest_failures++;
	printf("    %s:%d: check failed: snprintf(%s) gave \"%s\" (%d), want \"%s\" (%d)\n", file,
	       line, expr, buf, n, want, (int)strlen(want));
}

unsigned long libctest_random(unsigned long *state)
{
	unsigned long x = *state;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	*state = x;
	return x * 0x2545f4914f6cdd1dUL;
}

static const struct area {
	const char *name;
	void (*run)(void);
} areas[] = {
    {"stdlib", test_stdlib}, /* first: rand() before any srand() */
    {"printf", test_printf}, {"scanf", test_scanf},	   {"stream", test_stream},
    {"string", test_string}, {"setjmp_stdarg", test_jump}, {"ctype", test_ctype},
    {"math", test_math},     {"malloc", test_malloc},
};

int main(int argc, char **argv)
{
	int passed = 0, failed = 0;

	for (size_t i = 0; i < sizeof(areas) / sizeof(areas[0]); i++) {
		const struct area *a = &areas[i];
		unsigned long before = libctest_failures;

		if (argc > 1 && strcmp(argv[1], a->name) != 0)
			continue;
		a->run();
		bool ok = libctest_failures == before;
		printf("%s - libc/%s\n", ok ? "ok" : "not ok", a->name);
		ok ? passed++ : failed++;
	}
	printf("libctest: %d passed, %d failed (%lu checks, %lu failed, %lu known deviations left "
	       "out)\n",
	       passed, failed, libctest_checks, libctest_failures, libctest_deviations);
	return failed;
}
