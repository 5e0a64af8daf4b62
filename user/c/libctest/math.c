/*
 * <math.h> basics: exact results where IEEE 754 makes them exact (sqrt of
 * squares, pow of small integers, the rounding functions, fmod, frexp and
 * ldexp), known points of sin, cos, exp and log within a few ulps, and the
 * special values (NaN, infinities, signed zeros).
 */
#include <float.h>
#include <math.h>

#include "user/c/libctest/libctest.h"

/* a is within n units in the last place of b (relative DBL_EPSILON). */
static bool near(double a, double b, double n)
{
	if (a == b)
		return true;
	return fabs(a - b) <= n * DBL_EPSILON * fmax(fabs(b), DBL_MIN);
}

#define PI 3.14159265358979323846
#define E  2.71828182845904523536

/* Values the compiler cannot fold: the library must compute them. */
static volatile double zero = 0.0, one = 1.0, two = 2.0, half = 0.5;

static void exact(void)
{
	CHECK(sqrt(4.0 * one) == 2.0 && sqrt(1e100 * one) == 1e50 && sqrt(zero) == 0);
	CHECK(near(sqrt(two), 1.41421356237309504880, 1));
	CHECK(sqrt(two) * sqrt(two) != 0 && fabs(sqrt(two) * sqrt(two) - 2) <= 2 * DBL_EPSILON * 2);
	CHECK(signbit(sqrt(-zero)) && sqrt(-zero) == 0);
	CHECK(isnan(sqrt(-one)));
	CHECK(pow(two, 10) == 1024 && pow(two, -2) == 0.25 && pow(-two, 3) == -8);
	CHECK(pow(10 * one, 15) == 1e15);
	CHECK(near(pow(two, half), 1.41421356237309504880, 2));
	CHECK(pow(zero, zero) == 1 && pow((double)NAN, zero) == 1 && pow(one, (double)NAN) == 1);
	CHECK(isnan(pow(-8 * one, 1.0 / 3)));
	CHECK(pow(zero, -one) == INFINITY && pow(two, 2000 * one) == INFINITY);
	CHECK(floor(2.5 * one) == 2 && floor(-2.5 * one) == -3 && floor(-0.5 * one) == -1);
	CHECK(ceil(2.5 * one) == 3 && ceil(-2.5 * one) == -2);
	CHECK(signbit(ceil(-0.5 * one)) && ceil(-0.5 * one) == 0); /* -0 */
	CHECK(round(2.5 * one) == 3 && round(-2.5 * one) == -3 && round(0.5 * one) == 1);
	CHECK(round(2.4 * one) == 2 && round(-0.4 * one) == 0 && signbit(round(-0.4 * one)));
	CHECK(round(0.49999999999999994 * one) == 0); /* the value below a half */
	CHECK(trunc(2.7 * one) == 2 && trunc(-2.7 * one) == -2);
	CHECK(lround(-2.5 * one) == -3 && llround(1e15 + 0.5 * one) == 1000000000000001LL);
	CHECK(signbit(floor(-zero)) && floor(-zero) == 0);
	CHECK(floor(1e300 * one) == 1e300 && isinf(floor((double)INFINITY)));
	CHECK(fmod(5.5 * one, 2) == 1.5 && fmod(-5.5 * one, 2) == -1.5 &&
	      fmod(5.5 * one, -2) == 1.5);
	CHECK(fmod(1e300 * one, 3) == fmod(1e300, 3)); /* exact: 1e300 mod 3 is 1 */
	CHECK(isnan(fmod(one, zero)) && isnan(fmod((double)INFINITY, one)));
	CHECK(fabs(-3 * one) == 3 && fabs(-zero) == 0 && !signbit(fabs(-zero)));
	CHECK(hypot(3 * one, 4) == 5);
}

static void frexp_ldexp(void)
{
	int e = -99;

	CHECK(frexp(8 * one, &e) == 0.5 && e == 4);
	CHECK(frexp(-3 * one, &e) == -0.75 && e == 2);
	CHECK(frexp(zero, &e) == 0 && e == 0);
	CHECK(frexp(DBL_MIN * one, &e) == 0.5 && e == -1021);
	CHECK(frexp(5e-324 * one, &e) == 0.5 && e == -1073); /* a subnormal */
	CHECK(ldexp(half, 4) == 8 && ldexp(one, -1074) == 5e-324 && ldexp(one, 1024) == INFINITY);
	CHECK(ldexp(3 * one, -1) == 1.5);
	double m = 0;
	CHECK(modf(-3.25 * one, &m) == -0.25 && m == -3);
}

static void transcendental(void)
{
	CHECK(sin(zero) == 0 && cos(zero) == 1);
	CHECK(near(sin(PI / 2 * one), 1, 1) && near(cos(PI * one), -1, 1));
	CHECK(near(sin(PI / 6 * one), 0.5, 2) && near(cos(PI / 3 * one), 0.5, 2));
	CHECK(fabs(sin(PI * one)) < 1e-15 && fabs(cos(PI / 2 * one)) < 1e-15);
	CHECK(near(tan(PI / 4 * one), 1, 2));
	CHECK(near(atan2(one, one), PI / 4, 1) && near(atan(one) * 4, PI, 1));
	CHECK(near(asin(one), PI / 2, 1) && near(acos(-one), PI, 1));
	CHECK(near(sin(-PI / 2 * one), -1, 1));		      /* odd */
	CHECK(near(sin(1e6 * one), -0.34999350217129294, 4)); /* argument reduction */
	CHECK(exp(zero) == 1 && near(exp(one), E, 1) && near(exp(-one), 1 / E, 1));
	CHECK(near(exp(10 * one), 22026.465794806718, 2));
	CHECK(exp(-1000 * one) == 0 && exp(1000 * one) == INFINITY && exp(-(double)INFINITY) == 0);
	CHECK(log(one) == 0 && near(log(E * one), 1, 1) &&
	      near(log(1024 * one), 10 * 0.6931471805599453, 2));
	CHECK(log(zero) == -INFINITY && isnan(log(-one)) && log((double)INFINITY) == INFINITY);
	CHECK(log2(1024 * one) == 10 && log10(1000 * one) == 3 &&
	      near(log10(two), 0.3010299956639812, 2));
	CHECK(near(cbrt(27 * one), 3, 1) && cbrt(-8 * one) == -2);
}

static void classes(void)
{
	double inf = (double)INFINITY * one, nan = (double)NAN;

	CHECK(isnan(nan) && !isnan(inf) && !isnan(one));
	CHECK(isinf(inf) && isinf(-inf) && !isinf(nan) && !isinf(DBL_MAX * one));
	CHECK(isfinite(one) && !isfinite(inf) && !isfinite(nan));
	CHECK(isnan(zero / zero) && isinf(one / zero) && one / zero > 0 && one / -zero < 0);
	CHECK(isnan(inf - inf) && isnan(inf * zero));
	CHECK(nan != nan && !(nan < one) && !(nan > one)); /* NaN is unordered */
	CHECK(fpclassify(zero) == FP_ZERO && fpclassify(one) == FP_NORMAL &&
	      fpclassify(5e-324 * one) == FP_SUBNORMAL && fpclassify(inf) == FP_INFINITE &&
	      fpclassify(nan) == FP_NAN);
	CHECK(signbit(-zero) && !signbit(zero) && copysign(3 * one, -zero) == -3);
	CHECK(isnan(nanf("")) && isinf(HUGE_VAL) && HUGE_VALF == INFINITY);
	CHECK(fmax(one, nan) == 1 && fmin(nan, two) == 2);
	CHECK(sqrtf(2.25f) == 1.5f && floorf(-1.5f) == -2.0f && powf(2.0f, 3.0f) == 8.0f);
}

void test_math(void)
{
	exact();
	frexp_ldexp();
	transcendental();
	classes();
}
