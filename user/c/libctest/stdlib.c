/*
 * <stdlib.h>: the string conversions with their bases, overflow (ERANGE
 * and clamping) and end pointers; abs and div; qsort and bsearch; rand's
 * determinism; the environment; atexit order and exit status (in children).
 */
#include <errno.h>
#include <float.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "user/c/libctest/libctest.h"

/* strtol family: the value, errno (0 if untouched) and how much was read. */
#define CHECK_CONV(fn, text, base, want, want_errno, want_used)                                    \
	do {                                                                                       \
		const char *s_ = (text);                                                           \
		char *end_;                                                                        \
		errno = 0;                                                                         \
		CHECK(fn(s_, &end_, base) == (want) && errno == (want_errno) &&                    \
		      end_ - s_ == (want_used));                                                   \
	} while (0)

static void integers(void)
{
	CHECK_CONV(strtol, "  -123abc", 10, -123, 0, 6);
	CHECK_CONV(strtol, "+42", 10, 42, 0, 3);
	CHECK_CONV(strtol, "0x1A", 0, 26, 0, 4);
	CHECK_CONV(strtol, "0X1a", 16, 26, 0, 4);
	CHECK_CONV(strtol, "1a", 16, 26, 0, 2);
	CHECK_CONV(strtol, "017", 0, 15, 0, 3);
	CHECK_CONV(strtol, "019", 0, 1, 0, 2);
	CHECK_CONV(strtol, "0", 0, 0, 0, 1);
	CHECK_CONV(strtol, "0x", 16, 0, 0, 1); /* the subject is "0": "x" is left */
	CHECK_CONV(strtol, "0xg", 0, 0, 0, 1);
	CHECK_CONV(strtol, "101", 2, 5, 0, 3);
	CHECK_CONV(strtol, "1012", 2, 5, 0, 3);
	CHECK_CONV(strtol, "777", 8, 511, 0, 3);
	CHECK_CONV(strtol, "z", 36, 35, 0, 1);
	CHECK_CONV(strtol, "ZZ", 36, 1295, 0, 2);
	CHECK_CONV(strtol, "-zz", 36, -1295, 0, 3);
	CHECK_CONV(strtol, "abc", 10, 0, 0, 0); /* no digits: endptr is the start */
	CHECK_CONV(strtol, "   ", 10, 0, 0, 0);
	CHECK_CONV(strtol, "-", 10, 0, 0, 0);
	CHECK_CONV(strtol, "9223372036854775807", 10, LONG_MAX, 0, 19);
	CHECK_CONV(strtol, "9223372036854775808", 10, LONG_MAX, ERANGE, 19);
	CHECK_CONV(strtol, "-9223372036854775808", 10, LONG_MIN, 0, 20);
	CHECK_CONV(strtol, "-9223372036854775809", 10, LONG_MIN, ERANGE, 20);
	CHECK_CONV(strtol, "99999999999999999999999x", 10, LONG_MAX, ERANGE, 23);
	CHECK_CONV(strtol, "0x8000000000000000", 0, LONG_MAX, ERANGE, 18);
	CHECK_CONV(strtoll, "-9223372036854775808", 10, LLONG_MIN, 0, 20);
	CHECK_CONV(strtoll, "9223372036854775808", 0, LLONG_MAX, ERANGE, 19);
	CHECK_CONV(strtoll, "-0x8000000000000001", 0, LLONG_MIN, ERANGE, 19);
	CHECK_CONV(strtoll, "1y2p0ij32e8e7", 36, LLONG_MAX, 0, 13);
	CHECK_CONV(strtoul, "18446744073709551615", 10, ULONG_MAX, 0, 20);
	CHECK_CONV(strtoul, "18446744073709551616", 10, ULONG_MAX, ERANGE, 20);
	CHECK_CONV(strtoul, "-1", 10, ULONG_MAX, 0, 2); /* negated in the unsigned type */
	CHECK_CONV(strtoul, "-18446744073709551615", 10, 1, 0, 21);
	CHECK_CONV(strtoul, "0xffffffffffffffff", 0, ULONG_MAX, 0, 18);
	CHECK_CONV(strtoul, "1111111111111111111111111111111111111111111111111111111111111111", 2,
		   ULONG_MAX, 0, 64);
	CHECK_CONV(strtoull, "18446744073709551615", 0, ULLONG_MAX, 0, 20);
	CHECK_CONV(strtoull, "0x10000000000000000", 0, ULLONG_MAX, ERANGE, 19);
	CHECK_CONV(strtoull, "3w5e11264sgsf", 36, ULLONG_MAX, 0, 13);
	CHECK_CONV(strtoull, "01777777777777777777777", 0, ULLONG_MAX, 0, 23);
	CHECK(atoi("  42x") == 42 && atoi("-7") == -7 && atoi("x") == 0);
	CHECK(atol("-123456789012") == -123456789012L);
	CHECK(atoll("9223372036854775807") == LLONG_MAX);
}

/* strtod/strtof: the value (== want, NaN for NaN), errno and how much was read. */
#define CHECK_REAL(fn, text, want, want_errno, want_used)                                          \
	do {                                                                                       \
		const char *s_ = (text);                                                           \
		char *end_;                                                                        \
		errno = 0;                                                                         \
		__typeof__(fn(s_, NULL)) v_ = fn(s_, &end_);                                       \
		CHECK((isnan(want) ? isnan(v_) : v_ == (want)) && errno == (want_errno) &&         \
		      end_ - s_ == (want_used));                                                   \
	} while (0)

static void reals(void)
{
	char *end;
	double d;

	CHECK_REAL(strtod, "3.14159", 3.14159, 0, 7);
	CHECK_REAL(strtod, "  -2.5e3xyz", -2500.0, 0, 8);
	CHECK_REAL(strtod, "0.1", 0.1, 0, 3);
	CHECK_REAL(strtod, "1e23", 1e23, 0, 4); /* a classic hard case for rounding */
	CHECK_REAL(strtod, "2.2250738585072014e-308", DBL_MIN, 0, 23);
	CHECK_REAL(strtod, "1.7976931348623157e308", DBL_MAX, 0, 22);
	CHECK_REAL(strtod, "9007199254740993", 9007199254740992.0, 0, 16); /* tie: to even */
	CHECK_REAL(strtod, ".5", 0.5, 0, 2);
	CHECK_REAL(strtod, "5.", 5.0, 0, 2);
	CHECK_REAL(strtod, ".", 0.0, 0, 0);
	CHECK_REAL(strtod, "1e", 1.0, 0, 1);
	CHECK_REAL(strtod, "1e+", 1.0, 0, 1);
	CHECK_REAL(strtod, "-x", 0.0, 0, 0);
	CHECK_REAL(strtod, "0x1.8p1", 3.0, 0, 7);
	CHECK_REAL(strtod, "0x10", 16.0, 0, 4);
	DEVIATION("picolibc 1.8 reads -0x.8 as -4: C11 7.22.1.3p3 allows no digit before the point",
		  CHECK_REAL(strtod, "-0x.8", -0.5, 0, 5));
	CHECK_REAL(strtod, "0x1p-1074", 5e-324, 0, 9);
	CHECK_REAL(strtod, "0x1.fffffffffffffp1023", DBL_MAX, 0, 22);
	/* The subject is "0" when no hex digit follows 0x (C11 7.22.1.3p3, p7). */
	DEVIATION("picolibc 1.8 ends after the x", CHECK_REAL(strtod, "0x", 0.0, 0, 1));
	DEVIATION("picolibc 1.8 ends after p1", CHECK_REAL(strtod, "0xp1", 0.0, 0, 1));
	CHECK_REAL(strtod, "inf", (double)INFINITY, 0, 3);
	CHECK_REAL(strtod, "-Infinity", -(double)INFINITY, 0, 9);
	DEVIATION("picolibc 1.8 converts nothing: the subject is \"inf\" (C11 7.22.1.3p3)",
		  CHECK_REAL(strtod, "infinit", (double)INFINITY, 0, 3));
	CHECK_REAL(strtod, "NaN", (double)NAN, 0, 3);
	DEVIATION("picolibc 1.8 ends after nan: C11 7.22.1.3p3 takes nan(n-char-sequence)",
		  CHECK_REAL(strtod, "nan(123)x", (double)NAN, 0, 8));
	CHECK_REAL(strtod, "1e309", HUGE_VAL, ERANGE, 5);
	CHECK_REAL(strtod, "-1e309", -HUGE_VAL, ERANGE, 6);
	CHECK_REAL(strtod, "0x1p1024", HUGE_VAL, ERANGE, 8);
	/* Underflow: a value no larger than DBL_MIN (whether errno is ERANGE is up to the library).
	 */
	d = strtod("1e-400", &end);
	CHECK(d >= 0 && d <= DBL_MIN && *end == 0);
	CHECK(signbit(strtod("-0", NULL)) && strtod("-0", NULL) == 0);
	CHECK_REAL(strtof, "0.1", 0.1f, 0, 3);
	CHECK_REAL(strtof, "3.4028235e38", FLT_MAX, 0, 12);
	CHECK_REAL(strtof, "3.5e38", HUGE_VALF, ERANGE, 6);
	CHECK_REAL(strtof, "-0x1.fffffep127", -FLT_MAX, 0, 15);
	CHECK_REAL(strtof, "nan", (float)NAN, 0, 3);
	CHECK_REAL(strtof, "16777217", 16777216.0f, 0, 8); /* tie: to even */
	CHECK(atof("2.5") == 2.5 && atof("-1e2x") == -100.0 && atof("x") == 0.0);
}

static void arithmetic(void)
{
	div_t q = div(7, -2), r = div(-7, 2);
	ldiv_t l = ldiv(LONG_MAX, 10);
	lldiv_t ll = lldiv(-100, 7);

	CHECK(abs(-5) == 5 && abs(5) == 5 && abs(-INT_MAX) == INT_MAX);
	CHECK(labs(LONG_MIN + 1) == LONG_MAX && llabs(-3LL) == 3);
	/* Truncation toward zero (C99). */
	CHECK(q.quot == -3 && q.rem == 1);
	CHECK(r.quot == -3 && r.rem == -1);
	CHECK(l.quot == LONG_MAX / 10 && l.rem == 7);
	CHECK(ll.quot == -14 && ll.rem == -2);
}

struct item {
	int key;
	int index;
};

static int by_key(const void *a, const void *b)
{
	const struct item *x = a, *y = b;

	return (x->key > y->key) - (x->key < y->key);
}

static int by_string(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static int by_int(const void *a, const void *b)
{
	int x = *(const int *)a, y = *(const int *)b;

	return (x > y) - (x < y);
}

/* qsort N items made by kind (random, sorted, reversed, all equal): sorted and a permutation. */
static bool sort_one(struct item *v, bool *seen, int n, int kind, unsigned long *rng)
{
	bool ok = true;

	for (int i = 0; i < n; i++) {
		int r = (int)(libctest_random(rng) % 1000) - 500; /* duplicates likely */
		v[i].key = kind == 0 ? r : kind == 1 ? i : kind == 2 ? n - i : 7;
		v[i].index = i;
		seen[i] = false;
	}
	qsort(v, (size_t)n, sizeof(v[0]), by_key);
	for (int i = 0; i < n; i++) {
		if (i > 0 && v[i - 1].key > v[i].key)
			ok = false;
		if (v[i].index < 0 || v[i].index >= n || seen[v[i].index])
			ok = false;
		else
			seen[v[i].index] = true;
	}
	return ok;
}

static void sorting(void)
{
	static struct item v[1000];
	static bool seen[1000];
	unsigned long rng = 0x9e3779b97f4a7c15UL;
	const char *words[] = {"pear", "apple", "fig", "banana", "apple", "cherry"};
	int sorted[100], key;

	for (int kind = 0; kind < 4; kind++)
		for (int n = 0; n <= 1000; n += n < 70 ? 1 : 31) {
			bool ok = sort_one(v, seen, n, kind, &rng);
			CHECK(ok);
			if (!ok)
				printf("    qsort of %d items (kind %d) is wrong\n", n, kind);
		}
	CHECK(sort_one(v, seen, 1000, 0, &rng));
	qsort(words, 6, sizeof(words[0]), by_string);
	CHECK(strcmp(words[0], "apple") == 0 && strcmp(words[1], "apple") == 0 &&
	      strcmp(words[2], "banana") == 0 && strcmp(words[5], "pear") == 0);
	/* bsearch finds every element of a sorted array and nothing else. */
	for (int i = 0; i < 100; i++)
		sorted[i] = 3 * i;
	for (int i = 0; i < 100; i++) {
		key = 3 * i;
		int *hit = bsearch(&key, sorted, 100, sizeof(int), by_int);
		CHECK(hit == &sorted[i]);
		key = 3 * i + 1;
		CHECK(bsearch(&key, sorted, 100, sizeof(int), by_int) == NULL);
	}
	key = -1;
	CHECK(bsearch(&key, sorted, 100, sizeof(int), by_int) == NULL);
	key = 0;
	CHECK(bsearch(&key, sorted, 0, sizeof(int), by_int) == NULL);
	CHECK(bsearch(&key, sorted, 1, sizeof(int), by_int) == &sorted[0]);
}

static void random_numbers(void)
{
	int first[8], again[8];
	bool same = true, differ = false;

	/* Before any srand, rand gives srand(1)'s sequence (this runs first in the program). */
	for (int i = 0; i < 8; i++)
		first[i] = rand();
	srand(1);
	for (int i = 0; i < 8; i++) {
		again[i] = rand();
		same &= again[i] == first[i];
		CHECK(again[i] >= 0 && again[i] <= RAND_MAX);
	}
	CHECK(same);
	srand(2);
	for (int i = 0; i < 8; i++)
		differ |= rand() != first[i];
	CHECK(differ);
	srand(12345);
	for (int i = 0; i < 8; i++)
		first[i] = rand();
	srand(12345);
	same = true;
	for (int i = 0; i < 8; i++)
		same &= rand() == first[i];
	CHECK(same);
	CHECK(RAND_MAX >= 32767);
}

static void environment(void)
{
	CHECK(getenv("LIBCTEST_NOT_SET") == NULL);
	CHECK(setenv("LIBCTEST_A", "one", 0) == 0);
	CHECK_STR(getenv("LIBCTEST_A"), "one");
	CHECK(setenv("LIBCTEST_A", "two", 0) == 0);
	CHECK_STR(getenv("LIBCTEST_A"), "one");
	CHECK(setenv("LIBCTEST_A", "three", 1) == 0);
	CHECK_STR(getenv("LIBCTEST_A"), "three");
	CHECK(setenv("LIBCTEST_B", "", 1) == 0);
	CHECK_STR(getenv("LIBCTEST_B"), "");
	CHECK(getenv("LIBCTEST_") == NULL && getenv("LIBCTEST_AB") == NULL); /* whole names only */
	CHECK(unsetenv("LIBCTEST_A") == 0 && getenv("LIBCTEST_A") == NULL);
	CHECK(unsetenv("LIBCTEST_A") == 0); /* not there: still success */
	CHECK_STR(getenv("LIBCTEST_B"), "");
	CHECK(unsetenv("LIBCTEST_B") == 0);
	errno = 0;
	CHECK(setenv("BAD=NAME", "x", 1) == -1 && errno == EINVAL);
	errno = 0;
	CHECK(setenv("", "x", 1) == -1 && errno == EINVAL);
	errno = 0;
	CHECK(unsetenv("BAD=NAME") == -1 && errno == EINVAL);
	CHECK(getenv("BAD") == NULL);
}

static int exit_pipe = -1;

static void note(char c)
{
	if (write(exit_pipe, &c, 1) != 1)
		_exit(99);
}

static void at_exit_1(void)
{
	note('1');
}

static void at_exit_2(void)
{
	note('2');
}

static void at_exit_3(void)
{
	note('3');
}

/* Fork a child that registers the handlers and ends as how says; its status and what they wrote. */
static int child(int how, char *out, size_t size)
{
	int fds[2], st = -1;
	ssize_t n, got = 0;

	if (pipe(fds) != 0)
		return -1;
	fflush(stdout);
	pid_t pid = fork();
	if (pid == 0) {
		close(fds[0]);
		exit_pipe = fds[1];
		atexit(at_exit_1);
		atexit(at_exit_2);
		atexit(at_exit_3);
		if (how == 0)
			exit(42);
		if (how == 1)
			_exit(7); /* no handlers */
		exit(EXIT_FAILURE);
	}
	close(fds[1]);
	while (pid > 0 && (n = read(fds[0], out + got, size - 1 - (size_t)got)) > 0)
		got += n;
	out[got] = 0;
	close(fds[0]);
	if (pid < 0 || waitpid(pid, &st, 0) != pid)
		return -1;
	return st;
}

static void exiting(void)
{
	char out[16];
	int st;

	st = child(0, out, sizeof(out));
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 42);
	CHECK_STR(out, "321"); /* the reverse order of registration */
	st = child(1, out, sizeof(out));
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 7);
	CHECK_STR(out, "");
	st = child(2, out, sizeof(out));
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == EXIT_FAILURE && EXIT_FAILURE != 0);
	CHECK_STR(out, "321");
}

void test_stdlib(void)
{
	random_numbers();
	integers();
	reals();
	arithmetic();
	sorting();
	environment();
	exiting();
}
