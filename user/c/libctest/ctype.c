/*
 * <ctype.h> in the "C" locale, over every unsigned char value and EOF:
 * each class against its definition from the ASCII table (C11 7.4, the
 * "C" locale of 7.11.1.1); bytes 128..255 are in no class and map to
 * themselves.
 */
#include <ctype.h>
#include <locale.h>
#include <string.h>

#include "user/c/libctest/libctest.h"

struct class
{
	const char *name;
	int (*fn)(int);
	bool (*want)(int);
};

static bool w_upper(int c)
{
	return c >= 'A' && c <= 'Z';
}

static bool w_lower(int c)
{
	return c >= 'a' && c <= 'z';
}

static bool w_digit(int c)
{
	return c >= '0' && c <= '9';
}

static bool w_alpha(int c)
{
	return w_upper(c) || w_lower(c);
}

static bool w_alnum(int c)
{
	return w_alpha(c) || w_digit(c);
}

static bool w_xdigit(int c)
{
	return w_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

static bool w_space(int c)
{
	return c == ' ' || (c >= '\t' && c <= '\r'); /* \t \n \v \f \r */
}

static bool w_blank(int c)
{
	return c == ' ' || c == '\t';
}

static bool w_cntrl(int c)
{
	return (c >= 0 && c < 32) || c == 127;
}

static bool w_print(int c)
{
	return c >= 32 && c < 127;
}

static bool w_graph(int c)
{
	return c > 32 && c < 127;
}

static bool w_punct(int c)
{
	return w_graph(c) && !w_alnum(c);
}

static int f_alpha(int c)
{
	return isalpha(c);
}
static int f_alnum(int c)
{
	return isalnum(c);
}
static int f_digit(int c)
{
	return isdigit(c);
}
static int f_xdigit(int c)
{
	return isxdigit(c);
}
static int f_upper(int c)
{
	return isupper(c);
}
static int f_lower(int c)
{
	return islower(c);
}
static int f_space(int c)
{
	return isspace(c);
}
static int f_blank(int c)
{
	return isblank(c);
}
static int f_cntrl(int c)
{
	return iscntrl(c);
}
static int f_print(int c)
{
	return isprint(c);
}
static int f_graph(int c)
{
	return isgraph(c);
}
static int f_punct(int c)
{
	return ispunct(c);
}

/* Through functions, so the library's functions are checked and not only its macros. */
static const struct class classes[] = {
    {"isalpha", f_alpha, w_alpha},    {"isalnum", f_alnum, w_alnum}, {"isdigit", f_digit, w_digit},
    {"isxdigit", f_xdigit, w_xdigit}, {"isupper", f_upper, w_upper}, {"islower", f_lower, w_lower},
    {"isspace", f_space, w_space},    {"isblank", f_blank, w_blank}, {"iscntrl", f_cntrl, w_cntrl},
    {"isprint", f_print, w_print},    {"isgraph", f_graph, w_graph}, {"ispunct", f_punct, w_punct},
};

void test_ctype(void)
{
	CHECK(setlocale(LC_ALL, NULL) != NULL && strcmp(setlocale(LC_ALL, NULL), "C") == 0);
	for (size_t k = 0; k < sizeof(classes) / sizeof(classes[0]); k++) {
		const struct class *cl = &classes[k];
		int wrong = 0;
		for (int c = EOF; c < 256; c++) {
			bool want = c != EOF && cl->want(c);
			if ((cl->fn(c) != 0) != want) {
				if (wrong++ < 4)
					printf("    %s(%d) is %d\n", cl->name, c, cl->fn(c));
			}
		}
		CHECK(wrong == 0);
	}
	int wrong = 0;
	for (int c = EOF; c < 256; c++) {
		int up = w_lower(c) ? c - 'a' + 'A' : c, low = w_upper(c) ? c - 'A' + 'a' : c;
		if (toupper(c) != up || tolower(c) != low) {
			if (wrong++ < 4)
				printf("    toupper(%d) is %d, tolower(%d) is %d\n", c, toupper(c),
				       c, tolower(c));
		}
		if ((isalpha(c) != 0) != (c != EOF && w_alpha(c)) ||
		    (isdigit(c) != 0) != (c != EOF && w_digit(c)) ||
		    (isspace(c) != 0) != (c != EOF && w_space(c)) ||
		    (ispunct(c) != 0) != (c != EOF && w_punct(c)))
			wrong++;
	}
	CHECK(wrong == 0);
	CHECK(toupper(EOF) == EOF && tolower(EOF) == EOF);
	CHECK(toupper('a') == 'A' && tolower('Z') == 'z' && toupper('1') == '1');
}
