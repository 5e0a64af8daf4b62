/*
 * stdio scanning (C11 7.21.6.2): integers in every base, floats, strings,
 * scan sets, %n, widths, suppression, and the return value on a partial
 * match, a matching failure and an input failure (EOF).
 */
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "user/c/libctest/libctest.h"

static void integers(void)
{
	int a = 0, b = 0, c = 0, d = 0;
	unsigned u = 0;
	long l = 0;
	long long ll = 0;
	unsigned long long ull = 0;
	signed char hh = 0;
	short h = 0;
	char rest[16] = "";

	CHECK(sscanf("42 -17 0x1f 017", "%d %i %i %i", &a, &b, &c, &d) == 4);
	CHECK(a == 42 && b == -17 && c == 31 && d == 15);
	CHECK(sscanf("  +7", "%d", &a) == 1 && a == 7);
	CHECK(sscanf("ff", "%x", &u) == 1 && u == 255);
	CHECK(sscanf("0xFF", "%x", &u) == 1 && u == 255);
	CHECK(sscanf("-1", "%x", &u) == 1 && u == UINT_MAX);
	CHECK(sscanf("777", "%o", &u) == 1 && u == 0777);
	CHECK(sscanf("019", "%o%d", &u, &a) == 2 && u == 1 && a == 9);
	CHECK(sscanf("4294967295", "%u", &u) == 1 && u == UINT_MAX);
	CHECK(sscanf("-9223372036854775808", "%ld", &l) == 1 && l == LONG_MIN);
	CHECK(sscanf("-9223372036854775808", "%lld", &ll) == 1 && ll == LLONG_MIN);
	CHECK(sscanf("18446744073709551615", "%llu", &ull) == 1 && ull == ULLONG_MAX);
	CHECK(sscanf("0x7fffffffffffffff", "%lli", &ll) == 1 && ll == LLONG_MAX);
	CHECK(sscanf("-5", "%hhd", &hh) == 1 && hh == -5);
	CHECK(sscanf("-300", "%hd", &h) == 1 && h == -300);
	/* Width: at most that many characters, the rest left for the next directive. */
	CHECK(sscanf("12345", "%3d%d", &a, &b) == 2 && a == 123 && b == 45);
	CHECK(sscanf("-12345", "%3d%s", &a, rest) == 2 && a == -12 && strcmp(rest, "345") == 0);
	CHECK(sscanf("0x1234", "%4x%x", &u, (unsigned *)&b) == 2 && u == 0x12 && b == 0x34);
	/* Suppression: read, not stored, not counted. */
	CHECK(sscanf("1 2 3", "%*d %d %*d", &a) == 1 && a == 2);
	/* Literal characters and %%. */
	CHECK(sscanf("5%6", "%d%%%d", &a, &b) == 2 && a == 5 && b == 6);
	CHECK(sscanf("x=3,y=4", "x=%d,y=%d", &a, &b) == 2 && a == 3 && b == 4);
	CHECK(sscanf("  a", " a%n", &a) == 0 && a == 3);
}

static void floats(void)
{
	float f = 0;
	double d = 0, e = 0;
	char rest[8] = "";

	CHECK(sscanf("3.25", "%f", &f) == 1 && f == 3.25f);
	CHECK(sscanf("0.1", "%f", &f) == 1 && f == 0.1f);
	CHECK(sscanf("0.1", "%lf", &d) == 1 && d == 0.1);
	CHECK(sscanf("-1e-3", "%lf", &d) == 1 && d == -1e-3);
	CHECK(sscanf("1.5E+2", "%le", &d) == 1 && d == 150.0);
	CHECK(sscanf("2", "%lg", &d) == 1 && d == 2.0);
	CHECK(sscanf("0x1.8p1", "%lf", &d) == 1 && d == 3.0);
	DEVIATION("picolibc 1.8's scanf has no %a: C11 7.21.6.2p12 treats it as %f",
		  CHECK(sscanf("0X10", "%la", &d) == 1 && d == 16.0));
	CHECK(sscanf("inf", "%lf", &d) == 1 && isinf(d) && d > 0);
	CHECK(sscanf("-INFINITY", "%lf", &d) == 1 && isinf(d) && d < 0);
	CHECK(sscanf("nan", "%lf", &d) == 1 && isnan(d));
	CHECK(sscanf("-0.0", "%lf", &d) == 1 && d == 0 && signbit(d));
	CHECK(sscanf("1.5 2.5", "%lf %lf", &d, &e) == 2 && d == 1.5 && e == 2.5);
	CHECK(sscanf("3.14159", "%4lf%s", &d, rest) == 2 && d == 3.14 && strcmp(rest, "159") == 0);
	CHECK(sscanf(".5", "%lf", &d) == 1 && d == 0.5);
	CHECK(sscanf("1e400", "%lf", &d) == 1 && isinf(d));
}

static void strings(void)
{
	char s[16], t[16];
	char c[4] = "xyz";
	int n = -1, m = -1;

	CHECK(sscanf("  hello world", "%s %s", s, t) == 2);
	CHECK_STR(s, "hello");
	CHECK_STR(t, "world");
	CHECK(sscanf("abcdefgh", "%5s%s", s, t) == 2);
	CHECK_STR(s, "abcde");
	CHECK_STR(t, "fgh");
	/* %c: no whitespace skipped, no terminator added, width is a count. */
	CHECK(sscanf(" ab", "%c", c) == 1 && c[0] == ' ' && c[1] == 'y');
	CHECK(sscanf("ab", "%2c", c) == 1 && c[0] == 'a' && c[1] == 'b' && c[2] == 'z');
	CHECK(sscanf("  q", " %c", c) == 1 && c[0] == 'q');
	/* Scan sets. */
	CHECK(sscanf("abc123", "%[a-z]%s", s, t) == 2);
	CHECK_STR(s, "abc");
	CHECK_STR(t, "123");
	CHECK(sscanf("key,value", "%[^,],%s", s, t) == 2);
	CHECK_STR(s, "key");
	CHECK_STR(t, "value");
	CHECK(sscanf("]]a]x", "%[]a]", s) == 1);
	CHECK_STR(s, "]]a]");
	CHECK(sscanf("ab-c-d", "%[-abc]", s) == 1);
	CHECK_STR(s, "ab-c-");
	CHECK(sscanf("  lead", "%[ ]%s", s, t) == 2);
	CHECK_STR(s, "  ");
	CHECK(sscanf("aaaaaa", "%3[a]", s) == 1);
	CHECK_STR(s, "aaa");
	CHECK(sscanf("123", "%[a-z]", s) == 0); /* an empty match is a matching failure */
	CHECK(sscanf("line one\nline two", "%[^\n]", s) == 1);
	CHECK_STR(s, "line one");
	/* %n: characters read so far, not counted in the result. */
	CHECK(sscanf("12 abc", "%d%n %s%n", &m, &n, s, &m) == 2 && n == 2 && m == 6);
}

static void counts(void)
{
	int a = -1, b = -1;
	char s[8];

	CHECK(sscanf("12 abc", "%d %d", &a, &b) == 1 && a == 12 && b == -1);
	CHECK(sscanf("abc", "%d", &a) == 0);
	CHECK(sscanf("", "%d", &a) == EOF);
	CHECK(sscanf("   ", "%d", &a) == EOF);
	CHECK(sscanf("", "%s", s) == EOF);
	CHECK(sscanf("7", "%d %d", &a, &b) == 1 && a == 7);
	CHECK(sscanf("x", "y%d", &a) == 0);
	/* "-" was read, so this is a matching failure (C11 7.21.6.2p4): 0, not EOF. */
	DEVIATION("picolibc 1.8 returns EOF", CHECK(sscanf("-", "%d", &a) == 0));
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-zero-length"
	CHECK(sscanf("", "") == 0);
#pragma GCC diagnostic pop
}

void test_scanf(void)
{
	integers();
	floats();
	strings();
	counts();
}
