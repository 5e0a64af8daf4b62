/*
 * A tiny test harness for host unit tests. Each test is a function; RUN()
 * runs it and prints "ok - suite/name" or "not ok - suite/name", which
 * scripts/check.sh counts. CHECK() stops the current test on failure and
 * says where and what.
 */
#ifndef STRATA_TESTS_CHECK_H
#define STRATA_TESTS_CHECK_H

#include <stdio.h>
#include <stdlib.h>

static int check_test_failed;
static int check_nfailed, check_npassed;
static const char *check_suite = "host";

#define CHECK(cond)                                                                                \
	do {                                                                                       \
		if (!(cond)) {                                                                     \
			printf("    %s:%d: check failed: %s\n", __FILE__, __LINE__, #cond);        \
			check_test_failed = 1;                                                     \
			return;                                                                    \
		}                                                                                  \
	} while (0)

/* CHECK with a formatted explanation. */
#define CHECKF(cond, ...)                                                                          \
	do {                                                                                       \
		if (!(cond)) {                                                                     \
			printf("    %s:%d: check failed: %s: ", __FILE__, __LINE__, #cond);        \
			printf(__VA_ARGS__);                                                       \
			printf("\n");                                                              \
			check_test_failed = 1;                                                     \
			return;                                                                    \
		}                                                                                  \
	} while (0)

static inline void check_run(const char *name, void (*fn)(void))
{
	check_test_failed = 0;
	fn();
	if (check_test_failed)
		check_nfailed++;
	else
		check_npassed++;
	printf("%s - %s/%s\n", check_test_failed ? "not ok" : "ok", check_suite, name);
	fflush(stdout);
}

#define RUN(fn) check_run(#fn, fn)

/* Exit status for main(): 0 if every test passed. */
static inline int check_done(void)
{
	return check_nfailed ? 1 : 0;
}

#endif
