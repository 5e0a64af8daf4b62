/*
 * setjmp/longjmp (C11 7.13): the value passed (0 becomes 1), jumps out of
 * nested calls, volatile locals keep what they were given after setjmp;
 * and <stdarg.h>: integers, longs and doubles mixed, va_copy walking the
 * same arguments twice, a va_list passed on to vsnprintf.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <string.h>

#include "user/c/libctest/libctest.h"

static jmp_buf env;
static int depth_reached;

static void nested(int depth, int value)
{
	volatile char pad[64]; /* each level uses its own stack */

	if (depth < 0)
		return; /* not called so: it lets the compiler see a way out */
	pad[0] = (char)depth;
	depth_reached = pad[0];
	if (depth == 0)
		longjmp(env, value);
	nested(depth - 1, value);
	depth_reached = -1000; /* never reached */
}

/*
 * setjmp appears only where C11 7.13.1.1 allows it (a whole controlling
 * expression, or compared with a constant), so each value is told by a switch.
 */
static void jumps(void)
{
	volatile int got = 0, counter = 0;

	switch (setjmp(env)) {
	case 0:
		longjmp(env, 0);
	case 1:
		got = 1; /* longjmp(env, 0) makes setjmp return 1 */
		break;
	default:
		got = -1;
	}
	CHECK(got == 1);

	depth_reached = -1;
	switch (setjmp(env)) {
	case 0:
		nested(10, 5);
		got = 0;
		break;
	case 5:
		got = 5;
		break;
	default:
		got = -1;
	}
	CHECK(got == 5 && depth_reached == 0);

	/* 100 jumps back to the same setjmp, each with the next value. */
	if (setjmp(env) < 100) {
		counter++;
		longjmp(env, counter);
	}
	CHECK(counter == 100);

	/* Volatile locals changed after setjmp keep their new values. */
	volatile double d = 1.5;
	volatile long big = 0x123456789abcdefL;
	switch (setjmp(env)) {
	case 0:
		d = 2.5;
		big = -1;
		nested(3, -7);
		got = 0;
		break;
	case -7:
		got = -7;
		break;
	default:
		got = -1;
	}
	CHECK(got == -7 && d == 2.5 && big == -1);
}

/* The sum of n ints. */
static long sum_ints(int n, ...)
{
	va_list ap;
	long s = 0;

	va_start(ap, n);
	for (int i = 0; i < n; i++)
		s += va_arg(ap, int);
	va_end(ap);
	return s;
}

/* Arguments described by kinds: 'i' int, 'l' long long, 'd' double, 's' string; also walked twice.
 */
static bool mixed(const char *kinds, ...)
{
	va_list ap, again;
	char one[256] = "", two[256] = "";
	size_t n1 = 0, n2 = 0;

	va_start(ap, kinds);
	va_copy(again, ap);
	for (const char *k = kinds; *k; k++) {
		switch (*k) {
		case 'i':
			n1 += (size_t)snprintf(one + n1, sizeof(one) - n1, "%d ", va_arg(ap, int));
			break;
		case 'l':
			n1 += (size_t)snprintf(one + n1, sizeof(one) - n1, "%lld ",
					       va_arg(ap, long long));
			break;
		case 'd':
			n1 +=
			    (size_t)snprintf(one + n1, sizeof(one) - n1, "%g ", va_arg(ap, double));
			break;
		case 's':
			n1 +=
			    (size_t)snprintf(one + n1, sizeof(one) - n1, "%s ", va_arg(ap, char *));
			break;
		}
	}
	va_end(ap);
	/* The copy starts where ap was when copied: at the first argument. */
	n2 = (size_t)vsnprintf(two, sizeof(two), "%d %lld %g %s %d %g ", again);
	va_end(again);
	CHECK_STR(one, two);
	return n1 == n2 && strcmp(one, "-3 -9223372036854775807 2.5 word 7 -0.125 ") == 0;
}

/* va_copy in the middle: the copy goes on from there. */
static int second_half(int n, ...)
{
	va_list ap, rest;
	int a = 0, b = 0;

	va_start(ap, n);
	for (int i = 0; i < n / 2; i++)
		(void)va_arg(ap, int);
	va_copy(rest, ap);
	for (int i = n / 2; i < n; i++)
		a = a * 10 + va_arg(ap, int);
	for (int i = n / 2; i < n; i++)
		b = b * 10 + va_arg(rest, int);
	va_end(rest);
	va_end(ap);
	return a == b ? a : -1;
}

static void variadic(void)
{
	CHECK(sum_ints(0) == 0);
	CHECK(sum_ints(3, 1, 2, 3) == 6);
	CHECK(sum_ints(10, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10) == 55); /* past the argument registers */
	CHECK(sum_ints(2, -1, -2147483647 - 1) == -2147483649L);
	CHECK(mixed("ildsid", -3, -9223372036854775807LL, 2.5, "word", 7, -0.125));
	CHECK(second_half(8, 9, 9, 9, 9, 1, 2, 3, 4) == 1234);
	/* char, short and float are promoted to int and double. */
	char c = 'a';
	short s = -2;
	float f = 0.5f;
	CHECK_FMT("a -2 0.5", "%c %d %g", c, s, f);
}

void test_jump(void)
{
	jumps();
	variadic();
}
