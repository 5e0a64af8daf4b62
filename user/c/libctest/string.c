/*
 * <string.h> and <strings.h>: lengths, comparisons (bytes compare as
 * unsigned char), copies with strncpy's padding, concatenation, searches,
 * tokens, the mem* functions with overlapping moves, duplicates and
 * strerror for every errno value the suite and the glue use.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "user/c/libctest/libctest.h"

static void lengths_and_compares(void)
{
	CHECK(strlen("") == 0 && strlen("hello") == 5);
	CHECK(strnlen("abc", 2) == 2 && strnlen("abc", 10) == 3 && strnlen("", 5) == 0);
	CHECK(strcmp("abc", "abc") == 0);
	CHECK(strcmp("abc", "abd") < 0 && strcmp("abd", "abc") > 0);
	CHECK(strcmp("ab", "abc") < 0 && strcmp("abc", "ab") > 0);
	CHECK(strcmp("\xff", "a") > 0 && strcmp("a", "\x80") < 0); /* unsigned char */
	CHECK(strncmp("abcdef", "abcxyz", 3) == 0 && strncmp("abcdef", "abcxyz", 4) < 0);
	CHECK(strncmp("a", "b", 0) == 0);
	CHECK(strncmp("ab", "ab\0x", 4) == 0); /* stops at the terminator */
	CHECK(strcasecmp("HeLLo", "hello") == 0);
	CHECK(strcasecmp("a", "B") < 0 && strcasecmp("B", "a") > 0);
	CHECK(strncasecmp("ABCx", "abcy", 3) == 0 && strncasecmp("ABCx", "abcy", 4) < 0);
	CHECK(memcmp("\x80", "\x01", 1) > 0); /* unsigned char */
	CHECK(memcmp("abc", "abd", 2) == 0 && memcmp("abc", "abd", 3) < 0);
	CHECK(memcmp("a\0b", "a\0c", 3) < 0); /* not stopped by NUL */
	CHECK(memcmp("x", "y", 0) == 0);
}

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wstringop-truncation" /* unterminated copies on purpose */
static void copies(void)
{
	char b[16];

	memset(b, 'x', sizeof(b));
	CHECK(strcpy(b, "hello") == b);
	CHECK_STR(b, "hello");
	CHECK(b[6] == 'x');
	/* strncpy pads with NULs up to n, and does not terminate a long source. */
	memset(b, 'x', sizeof(b));
	CHECK(strncpy(b, "ab", 6) == b);
	CHECK(memcmp(b, "ab\0\0\0\0xx", 8) == 0);
	memset(b, 'x', sizeof(b));
	CHECK(strncpy(b, "abcdef", 3) == b && memcmp(b, "abcx", 4) == 0);
	strcpy(b, "ab");
	CHECK(strcat(b, "cd") == b);
	CHECK_STR(b, "abcd");
	CHECK(strncat(b, "12345", 3) == b); /* at most 3, then a terminator */
	CHECK_STR(b, "abcd123");
	CHECK(strncat(b, "xy", 10) == b);
	CHECK_STR(b, "abcd123xy");
	CHECK(strncat(b, "zzz", 0) == b);
	CHECK_STR(b, "abcd123xy");
}
#pragma GCC diagnostic pop

static void searches(void)
{
	const char *s = "hello, world";

	CHECK(strchr(s, 'o') == s + 4);
	CHECK(strrchr(s, 'o') == s + 8);
	CHECK(strchr(s, 'z') == NULL && strrchr(s, 'z') == NULL);
	CHECK(strchr(s, 0) == s + 12 && strrchr(s, 0) == s + 12); /* the terminator is searched */
	CHECK(strchr("a\xe9", 0xe9) != NULL);			  /* converted to char */
	CHECK(strstr(s, "world") == s + 7);
	CHECK(strstr(s, "") == s);
	CHECK(strstr(s, "worlds") == NULL);
	CHECK(strstr("aaab", "aab") != NULL && strcmp(strstr("aaab", "aab"), "aab") == 0);
	CHECK(strstr("", "a") == NULL);
	CHECK(strspn("abcde", "abc") == 3 && strspn("abc", "") == 0 && strspn("", "a") == 0);
	CHECK(strcspn("abcde", "dx") == 3 && strcspn("abc", "") == 3);
	CHECK(strpbrk(s, " ,") == s + 5 && strpbrk(s, "xyz") == NULL);
	CHECK(memchr(s, 'w', 12) == s + 7 && memchr(s, 'w', 7) == NULL);
	CHECK(memchr("a\0b", 'b', 3) != NULL);
	CHECK(memchr("\xff", 0xff, 1) != NULL); /* compared as unsigned char */
}

static void tokens(void)
{
	char a[] = ",,one,two;;three,", b[] = "a=1&b=2&c=3";
	char *save1, *save2, *t, *kv;
	char got[64] = "";

	CHECK_STR(strtok(a, ",;"), "one");
	CHECK_STR(strtok(NULL, ",;"), "two");
	CHECK_STR(strtok(NULL, ";"), "three,"); /* the delimiters may change */
	CHECK(strtok(NULL, ",;") == NULL);
	CHECK(strtok(NULL, ",;") == NULL);
	char empty[] = ",,,";
	CHECK(strtok(empty, ",") == NULL);
	/* strtok_r nested: pairs, then key and value inside each. */
	for (t = strtok_r(b, "&", &save1); t; t = strtok_r(NULL, "&", &save1)) {
		kv = strtok_r(t, "=", &save2);
		strcat(got, kv);
		strcat(got, ":");
		strcat(got, strtok_r(NULL, "=", &save2));
		strcat(got, " ");
	}
	CHECK_STR(got, "a:1 b:2 c:3 ");
}

static void memory(void)
{
	char b[32];
	unsigned char big[300];

	/* memmove in both directions over overlapping bytes. */
	strcpy(b, "0123456789");
	CHECK(memmove(b + 2, b, 6) == b + 2);
	CHECK_STR(b, "0101234589");
	strcpy(b, "0123456789");
	CHECK(memmove(b, b + 3, 7) == b);
	CHECK_STR(b, "3456789789");
	strcpy(b, "0123456789");
	CHECK(memmove(b, b, 10) == b && strcmp(b, "0123456789") == 0);
	/* Long overlapping moves at every small offset and misalignment. */
	for (int off = 1; off < 20; off++)
		for (int start = 0; start < 8; start++) {
			bool up = true, down = true;
			for (int i = 0; i < 300; i++)
				big[i] = (unsigned char)i;
			memmove(big + start + off, big + start, 200);
			for (int i = 0; i < 200; i++)
				up &= big[start + off + i] == (unsigned char)(start + i);
			for (int i = 0; i < 300; i++)
				big[i] = (unsigned char)i;
			memmove(big + start, big + start + off, 200);
			for (int i = 0; i < 200; i++)
				down &= big[start + i] == (unsigned char)(start + off + i);
			CHECK(up && down);
		}
	for (int i = 0; i < 300; i++)
		big[i] = (unsigned char)i;
	memmove(big + 1, big + 9, 250);
	CHECK(big[0] == 0 && big[1] == 9 && big[250] == 258 - 256);
	CHECK(memcpy(b, "abcdef", 7) == b && strcmp(b, "abcdef") == 0);
	CHECK(memcpy(b, "zz", 0) == b && b[0] == 'a');
	CHECK(memset(b, 'q', 5) == b && memcmp(b, "qqqqqf", 6) == 0);
	memset(big, 0x1ff, sizeof(big)); /* the value is converted to unsigned char */
	CHECK(big[0] == 0xff && big[299] == 0xff);
	for (int len = 0; len < 70; len++) {
		memset(big, 0, 100);
		memset(big + 3, 0xa5, (size_t)len);
		CHECK(big[2] == 0 && big[3 + len] == 0 && (len == 0 || big[2 + len] == 0xa5));
	}
}

static void duplicates(void)
{
	char src[] = "original";
	static const char ab[] = "ab"; /* shorter than strndup's bound: it stops at the NUL */
	volatile size_t five = 5;
	char *d = strdup(src), *n1 = strndup("abcdef", 3), *n2 = strndup(ab, five);

	REQUIRE(d && n1 && n2);
	CHECK(d != src);
	CHECK_STR(d, "original");
	src[0] = 'X';
	CHECK_STR(d, "original"); /* a copy, not the same bytes */
	CHECK_STR(n1, "abc");
	CHECK_STR(n2, "ab");
	free(d);
	free(n1);
	free(n2);
}

static void errors(void)
{
	static const int codes[] = {
	    EPERM,  ENOENT,    ESRCH,  EINTR,	EIO,	   E2BIG,    ENOEXEC, EBADF,
	    ECHILD, EAGAIN,    ENOMEM, EACCES,	EFAULT,	   EBUSY,    EEXIST,  EXDEV,
	    ENODEV, ENOTDIR,   EISDIR, EINVAL,	ENFILE,	   EMFILE,   ENOTTY,  EFBIG,
	    ENOSPC, ESPIPE,    EROFS,  EMLINK,	EPIPE,	   EDOM,     ERANGE,  ENAMETOOLONG,
	    ENOSYS, ENOTEMPTY, ELOOP,  ENOTSUP, ETIMEDOUT, EOVERFLOW};

	for (size_t i = 0; i < sizeof(codes) / sizeof(codes[0]); i++) {
		const char *m = strerror(codes[i]);
		CHECK(m != NULL && m[0] != 0);
		if (!m || !m[0])
			printf("    strerror(%d) is empty\n", codes[i]);
	}
	char *a = strdup(strerror(ENOENT));
	CHECK(a && strcmp(a, strerror(EINVAL)) != 0);
	free(a);
	CHECK(strerror(12345) != NULL); /* an unknown number still gets a string */
}

void test_string(void)
{
	lengths_and_compares();
	copies();
	searches();
	tokens();
	memory();
	duplicates();
	errors();
}
