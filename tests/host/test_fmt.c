/* Host tests for lib/fmt.c against the C library's snprintf, and lib/error.c. */
#include "lib/fmt.h"

#include <stdint.h>
#include <string.h>

#include "lib/error.h"
#include "tests/host/check.h"

static int (*raw_snprintf)(char *, size_t, const char *, ...) = fmt_snprintf;

#define SAME(...)                                                                                  \
	do {                                                                                       \
		char a[128], b[128];                                                               \
		int na = fmt_snprintf(a, sizeof(a), __VA_ARGS__);                                  \
		int nb = snprintf(b, sizeof(b), __VA_ARGS__);                                      \
		CHECKF(na == nb && strcmp(a, b) == 0, "got \"%s\" (%d), libc \"%s\" (%d)", a, na,  \
		       b, nb);                                                                     \
	} while (0)

static void integers(void)
{
	SAME("%d %i %u", -42, 7, 3000000000u);
	SAME("%ld %lu %lx", (long)INT64_MIN, (unsigned long)UINT64_MAX, 0xdeadbeefcafeul);
	SAME("%lld %llx %zu %zx", -1ll, 0x123ull, (size_t)99, (size_t)0xff);
	SAME("%x %X %o", 0xabcu, 0xabcu, 8u);
	SAME("%5d|%-5d|%05d|", 42, 42, 42);
	SAME("%05d %5d", -42, -42);
	SAME("%#x %#012lx %#lx", 0x1fu, 0x80200000ul, 0ul);
	SAME("%016lx", 0x1234ul);
	SAME("%*d|%-*d", 6, 1, 6, 2);
	/* Through a pointer: the compiler cannot check (or reject) the format. */
	char a[32];
	raw_snprintf(a, sizeof(a), "%hhu %hu %hhd %hd", 300, 70000, 255, 65535);
	CHECKF(strcmp(a, "44 4464 -1 -1") == 0, "got %s", a);
}

static void strings_and_chars(void)
{
	SAME("%s|%10s|%-10s|", "abc", "abc", "abc");
	SAME("%.2s|%.*s|%5.1s|", "abcdef", 3, "abcdef", "xyz");
	SAME("%c%c%3c%-3c|", 'a', 'b', 'c', 'd');
	SAME("100%% %s", "done");
}

static void pointers(void)
{
	char a[64];
	fmt_snprintf(a, sizeof(a), "%p", (void *)0xffffffff80200000ul);
	CHECK(strcmp(a, "0xffffffff80200000") == 0);
}

static void truncation(void)
{
	char a[8];
	memset(a, 'x', sizeof(a));
	CHECK(fmt_snprintf(a, 5, "%s", "abcdefgh") == 8);
	CHECK(strcmp(a, "abcd") == 0);
	CHECK(a[5] == 'x'); /* nothing written past n */
	CHECK(fmt_snprintf(a, 0, "%d", 12345) == 5);
	CHECK(a[0] == 'a');
	CHECK(fmt_snprintf(a, 1, "%d", 12345) == 5 && a[0] == '\0');
}

static void unknown_conversion_is_shown(void)
{
	char a[16];
	raw_snprintf(a, sizeof(a), "%q|%");
	CHECK(strcmp(a, "%q|%") == 0);
}

static void error_names(void)
{
	CHECK(strcmp(err_name(ERR_OK), "ERR_OK") == 0);
	CHECK(strcmp(err_name(ERR_NOMEM), "ERR_NOMEM") == 0);
	CHECK(strcmp(err_name(ERR_LAST), "ERR_INTERRUPTED") == 0);
	CHECK(strcmp(err_name(ERR_IO), "ERR_IO") == 0);
	CHECK(strcmp(err_name(ERR_WOULDBLOCK), "ERR_WOULDBLOCK") == 0);
	CHECK(strcmp(err_name(ERR_LAST - 1), "ERR_?") == 0);
	CHECK(strcmp(err_name(5), "ERR_?") == 0);
	for (int e = ERR_LAST; e <= 0; e++)
		CHECKF(strcmp(err_name(e), "ERR_?") != 0, "code %d has no name", e);
}

int main(void)
{
	check_suite = "fmt";
	RUN(integers);
	RUN(strings_and_chars);
	RUN(pointers);
	RUN(truncation);
	RUN(unknown_conversion_is_shown);
	RUN(error_names);
	return check_done();
}
