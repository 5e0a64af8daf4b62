/*
 * libctest: a conformance suite for the C library as Strata's programs get
 * it (picolibc and the glue in lib/libc), run as init: `init=libctest` on
 * the kernel command line. Each area is a function in a file of its own
 * that makes many checks with exact expected values (tolerances only in
 * math.c). A failed check prints its place and expression and the area
 * goes on, so one run shows every failure; main prints "ok - libc/AREA" or
 * "not ok - libc/AREA" per area, then "libctest: N passed, M failed (C
 * checks)", and exits with the number of failed areas.
 */
#ifndef STRATA_USER_C_LIBCTEST_H
#define STRATA_USER_C_LIBCTEST_H

#include <stdbool.h>
#include <stdio.h>

/* Checks made and failed so far, over every area. */
extern unsigned long libctest_checks, libctest_failures;

/* Count a check; if c is false, print its place and expression. */
#define CHECK(c)                                                                                   \
	do {                                                                                       \
		libctest_checks++;                                                                 \
		if (!(c))                                                                          \
			libctest_fail(__FILE__, __LINE__, #c);                                     \
	} while (0)

/* As CHECK, and leave the area on failure: what follows depends on it. */
#define REQUIRE(c)                                                                                 \
	do {                                                                                       \
		libctest_checks++;                                                                 \
		if (!(c)) {                                                                        \
			libctest_fail(__FILE__, __LINE__, #c);                                     \
			return;                                                                    \
		}                                                                                  \
	} while (0)

/* Two strings are equal; on failure both are printed. */
#define CHECK_STR(got, want) libctest_check_str(__FILE__, __LINE__, #got, (got), (want))

/*
 * snprintf(FORMAT, ...) (through vsnprintf) gives exactly want and returns
 * its length: CHECK_FMT("  42", "%4d", 42).
 */
#define CHECK_FMT(want, ...) libctest_check_fmt(__FILE__, __LINE__, #__VA_ARGS__, want, __VA_ARGS__)

/*
 * A check picolibc fails where the standard requires otherwise and our
 * glue (lib/libc) cannot make up for it: kept, compiled, not run, and
 * counted in the summary. why names the deviation.
 */
#define DEVIATION(why, check)                                                                      \
	do {                                                                                       \
		(void)(why);                                                                       \
		libctest_deviations++;                                                             \
		if (0)                                                                             \
			check;                                                                     \
	} while (0)

/* Checks left out as DEVIATION. */
extern unsigned long libctest_deviations;

void libctest_fail(const char *file, int line, const char *expr);
void libctest_check_str(const char *file, int line, const char *expr, const char *got,
			const char *want);
void libctest_check_fmt(const char *file, int line, const char *expr, const char *want,
			const char *format, ...) __attribute__((format(printf, 5, 6)));

/* A small deterministic generator (xorshift64*), independent of rand(). */
unsigned long libctest_random(unsigned long *state);

/* The areas, one per file. */
void test_printf(void);
void test_scanf(void);
void test_stream(void);
void test_string(void);
void test_stdlib(void);
void test_jump(void);
void test_ctype(void);
void test_math(void);
void test_malloc(void);

#endif
