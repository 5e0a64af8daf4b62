/*
 * Host tests for lib/cpio.c. Archives come from two places:
 *   - tests/data/sample.cpio, made by GNU cpio from tests/data/cpio-src/
 *     (cd tests/data/cpio-src && find . | LC_ALL=C sort |
 *      cpio -o -H newc --reproducible --owner=0:0 > ../sample.cpio);
 *   - archives written in memory by ar_*() below, to reach every check.
 * Every parse runs on an exactly-sized malloc copy so AddressSanitizer
 * reports any read past the end. Run from the repository root.
 */
#include "lib/cpio.h"

#include <stdint.h>
#include <string.h>

#include "lib/error.h"
#include "tests/host/check.h"
#include "tests/host/fixture.h"

#define S_DIR 0040755u
#define S_REG 0100644u
#define S_EXE 0100755u
#define S_LNK 0120777u

/* ------------------------------------------------------------ helpers */

/* An exactly-sized copy (NULL for zero bytes). */
static uint8_t *copy(const uint8_t *src, size_t len)
{
	uint8_t *d = NULL;

	if (len) {
		d = malloc(len);
		memcpy(d, src, len);
	}
	return d;
}

/* ------------------------------------------------------------ archive writer */

struct ar {
	uint8_t b[16384];
	size_t len;
};

/* Header offsets: magic, then field i at 6 + 8 * i. */
#define FIELD(i)   (6 + 8 * (i))
#define F_MODE	   1
#define F_FILESIZE 6
#define F_NAMESIZE 11

static void ar_bytes(struct ar *a, const void *p, size_t n)
{
	if (n)
		memcpy(a->b + a->len, p, n);
	a->len += n;
}

static void ar_pad(struct ar *a)
{
	while (a->len % 4)
		a->b[a->len++] = 0;
}

/* A header with the given mode, filesize and namesize; other fields plausible. */
static void ar_hdr(struct ar *a, uint32_t mode, uint32_t filesize, uint32_t namesize)
{
	char h[111];
	static uint32_t ino = 100;

	snprintf(h, sizeof(h), "070701%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X", ino++,
		 mode, 0u, 0u, 1u, 0x6500000u, filesize, 0u, 0u, 0u, 0u, namesize, 0u);
	ar_bytes(a, h, 110);
}

/* A complete entry: header, name, padding, data, padding. */
static void ar_add(struct ar *a, const char *name, uint32_t mode, const void *data, size_t size)
{
	ar_hdr(a, mode, (uint32_t)size, (uint32_t)strlen(name) + 1);
	ar_bytes(a, name, strlen(name) + 1);
	ar_pad(a);
	ar_bytes(a, data, size);
	ar_pad(a);
}

static void ar_trailer(struct ar *a)
{
	ar_add(a, "TRAILER!!!", 0, NULL, 0);
}

/* Overwrite field i of the header at off with 8 characters. */
static void ar_field(struct ar *a, size_t off, int i, const char *eight)
{
	memcpy(a->b + off + FIELD(i), eight, 8);
}

/* The standard archive: a directory, three files (one empty), a symlink. */
static const char text[] = "hello, strata\n";
static const uint8_t binary[] = {0x7f, 'E', 'L', 'F', 0, 1, 2, 3, 0xff};

static void ar_std(struct ar *a)
{
	memset(a, 0, sizeof(*a));
	ar_add(a, ".", S_DIR, NULL, 0);
	ar_add(a, "./bin", S_DIR, NULL, 0);
	ar_add(a, "./bin/root", S_EXE, binary, sizeof(binary));
	ar_add(a, "hello.txt", S_REG, text, sizeof(text) - 1);
	ar_add(a, "./empty", S_REG, NULL, 0);
	ar_add(a, "./link", S_LNK, "hello.txt", 9);
	ar_trailer(a);
}

/*
 * Iterate over an exactly-sized copy of src. Returns the final code (ERR_NOENT
 * on a clean end) and the number of entries; stores up to max entries in es
 * (data pointers translated back into src).
 * Checks the error contract: sentence on error, stays failed, data inside.
 */
#define BAD_CONTRACT 1000

static char last_err[256];

static int walk(const uint8_t *src, size_t len, struct cpio_entry *es, size_t max, size_t *count)
{
	uint8_t *buf = copy(src, len);
	struct cpio_iter it;
	struct cpio_entry e;
	size_t n = 0;
	int r;

	cpio_iter_init(&it, buf, len);
	while ((r = cpio_next(&it, &e, last_err, sizeof(last_err))) == ERR_OK) {
		if ((const uint8_t *)e.data < buf || (const uint8_t *)e.data + e.size > buf + len ||
		    last_err[0] || strnlen(e.name, sizeof(e.name)) == sizeof(e.name)) {
			r = BAD_CONTRACT;
			break;
		}
		if (n < max) {
			/* Point into src: buf is freed below. */
			es[n] = e;
			es[n].data = src + ((const uint8_t *)e.data - buf);
		}
		n++;
	}
	if (r != BAD_CONTRACT) {
		char again[256];
		int r2 = cpio_next(&it, &e, again, sizeof(again));

		if (last_err[0] == '\0' || again[0] == '\0' || r2 != r)
			r = BAD_CONTRACT;
	}
	if (r != BAD_CONTRACT && r != ERR_NOENT) {
		/* After an error, cpio_find on the same bytes fails too (not ERR_NOENT). */
		struct cpio_entry f;
		int rf = cpio_find(buf, len, "no-such-file", &f, NULL, 0);

		if (rf == ERR_OK || rf == ERR_NOENT)
			r = BAD_CONTRACT;
	}
	free(buf);
	*count = n;
	return r;
}

#define EXPECT(a, code)                                                                            \
	do {                                                                                       \
		size_t n_;                                                                         \
		int r_ = walk((a)->b, (a)->len, NULL, 0, &n_);                                     \
		CHECKF(r_ == (code), "got %d (%s), want %s: \"%s\"", r_, err_name(r_), #code,      \
		       last_err);                                                                  \
	} while (0)

static int entry_is(const struct cpio_entry *e, const char *name, uint32_t mode, const void *data,
		    size_t size)
{
	return strcmp(e->name, name) == 0 && e->mode == mode && e->size == size &&
	       (size == 0 || memcmp(e->data, data, size) == 0);
}

/* ------------------------------------------------------------ valid archives */

static void iterate_std(void)
{
	struct ar a;
	struct cpio_entry es[8];
	size_t n;

	ar_std(&a);
	CHECKF(walk(a.b, a.len, es, 8, &n) == ERR_NOENT, "%s", last_err);
	CHECK(n == 6);
	CHECK(entry_is(&es[0], ".", S_DIR, NULL, 0));
	CHECK(entry_is(&es[1], "bin", S_DIR, NULL, 0));
	CHECK(entry_is(&es[2], "bin/root", S_EXE, binary, sizeof(binary)));
	CHECK(entry_is(&es[3], "hello.txt", S_REG, text, sizeof(text) - 1));
	CHECK(entry_is(&es[4], "empty", S_REG, NULL, 0));
	CHECK(entry_is(&es[5], "link", S_LNK, "hello.txt", 9));
}

/* The archive made by GNU cpio; entries are checked in any order. */
static void iterate_sample(void)
{
	static const struct {
		const char *name;
		uint32_t mode;
		const char *data;
		size_t size;
	} want[] = {
	    {".", S_DIR, NULL, 0},
	    {"bin", S_DIR, NULL, 0},
	    {"bin/root", S_EXE, "#!root\0\1\2binary\n", 16},
	    {"empty", S_REG, NULL, 0},
	    {"etc", S_DIR, NULL, 0},
	    {"etc/config", S_REG, "name=strata\n", 12},
	    {"hello.txt", S_REG, "hello, strata\n", 14},
	};
	const size_t nwant = sizeof(want) / sizeof(want[0]);
	struct blob b = load("tests/data/sample.cpio");
	struct cpio_entry es[16];
	int seen[16] = {0};
	size_t n;

	CHECK(b.len > 0);
	CHECKF(walk(b.data, b.len, es, 16, &n) == ERR_NOENT, "%s", last_err);
	CHECK(n == nwant);
	for (size_t i = 0; i < n; i++) {
		size_t j = 0;

		while (j < nwant && strcmp(want[j].name, es[i].name) != 0)
			j++;
		CHECKF(j < nwant && !seen[j], "unexpected or repeated entry \"%s\"", es[i].name);
		seen[j] = 1;
		CHECKF(entry_is(&es[i], want[j].name, want[j].mode, want[j].data, want[j].size),
		       "entry \"%s\": mode 0%o size %zu", es[i].name, es[i].mode, es[i].size);
	}
	free(b.data);
}

static void find(void)
{
	struct ar a;
	struct cpio_entry e;
	char err[128];

	ar_std(&a);
	CHECK(cpio_find(a.b, a.len, "bin/root", &e, err, sizeof(err)) == ERR_OK);
	CHECK(entry_is(&e, "bin/root", S_EXE, binary, sizeof(binary)));
	CHECK(err[0] == '\0');
	CHECK(cpio_find(a.b, a.len, "./bin/root", &e, err, sizeof(err)) == ERR_OK);
	CHECK(cpio_find(a.b, a.len, "hello.txt", &e, err, sizeof(err)) == ERR_OK);
	CHECK(entry_is(&e, "hello.txt", S_REG, text, sizeof(text) - 1));
	CHECK(cpio_find(a.b, a.len, "empty", &e, err, sizeof(err)) == ERR_OK && e.size == 0);
	/* Not found; directories, symlinks and prefixes do not match. */
	CHECK(cpio_find(a.b, a.len, "nothing", &e, err, sizeof(err)) == ERR_NOENT);
	CHECK(strstr(err, "nothing") != NULL);
	CHECK(cpio_find(a.b, a.len, "bin", &e, err, sizeof(err)) == ERR_NOENT);
	CHECK(cpio_find(a.b, a.len, ".", &e, err, sizeof(err)) == ERR_NOENT);
	CHECK(cpio_find(a.b, a.len, "link", &e, err, sizeof(err)) == ERR_NOENT);
	CHECK(cpio_find(a.b, a.len, "bin/roo", &e, err, sizeof(err)) == ERR_NOENT);
	CHECK(cpio_find(a.b, a.len, "bin/root/", &e, err, sizeof(err)) == ERR_NOENT);
	CHECK(cpio_find(a.b, a.len, "", &e, err, sizeof(err)) == ERR_NOENT);
	CHECK(cpio_find(a.b, a.len, "TRAILER!!!", &e, err, sizeof(err)) == ERR_NOENT);
	CHECK(cpio_find(a.b, a.len, NULL, &e, err, sizeof(err)) == ERR_INVALID);
	/* The GNU cpio sample. */
	struct blob b = load("tests/data/sample.cpio");
	uint8_t *s = copy(b.data, b.len);
	CHECK(cpio_find(s, b.len, "etc/config", &e, err, sizeof(err)) == ERR_OK);
	CHECK(entry_is(&e, "etc/config", S_REG, "name=strata\n", 12));
	CHECK(cpio_find(s, b.len, "etc", &e, err, sizeof(err)) == ERR_NOENT);
	free(s);
	free(b.data);
}

static void dot_slash(void)
{
	struct ar a;
	struct cpio_entry es[8];
	size_t n;

	memset(&a, 0, sizeof(a));
	ar_add(&a, "./", S_DIR, NULL, 0);
	ar_add(&a, "./a", S_REG, "x", 1);
	ar_add(&a, ".//b", S_REG, "y", 1);
	ar_add(&a, "../c", S_REG, "z", 1);
	ar_add(&a, "././d", S_REG, "w", 1);
	ar_add(&a, "./.", S_DIR, NULL, 0);
	ar_add(&a, ".hidden", S_REG, "v", 1);
	ar_trailer(&a);
	CHECKF(walk(a.b, a.len, es, 8, &n) == ERR_NOENT, "%s", last_err);
	CHECK(n == 7);
	CHECK(strcmp(es[0].name, "./") == 0); /* nothing left to strip to */
	CHECK(strcmp(es[1].name, "a") == 0);
	CHECK(strcmp(es[2].name, "/b") == 0); /* "./" then "/b" */
	CHECK(strcmp(es[3].name, "../c") == 0);
	CHECK(strcmp(es[4].name, "d") == 0); /* every leading "./" goes */
	CHECK(strcmp(es[5].name, ".") == 0);
	CHECK(strcmp(es[6].name, ".hidden") == 0);
	/* cpio_find strips the asked name the same way. */
	struct cpio_entry e;
	CHECK(cpio_find(a.b, a.len, "./././d", &e, NULL, 0) == ERR_OK && e.size == 1);
	CHECK(cpio_find(a.b, a.len, ".hidden", &e, NULL, 0) == ERR_OK);
}

/* Padding is counted from the archive start for every name length. */
static void name_lengths(void)
{
	struct ar a;
	struct cpio_entry es[16];
	char name[CPIO_NAME_MAX + 1];
	size_t n;

	memset(&a, 0, sizeof(a));
	for (int len = 1; len <= 12; len++) {
		memset(name, 'a' + len, (size_t)len);
		name[len] = '\0';
		ar_add(&a, name, S_REG, text, (size_t)len);
	}
	memset(name, 'z', CPIO_NAME_MAX);
	name[CPIO_NAME_MAX] = '\0';
	ar_add(&a, name, S_REG, text, 3); /* the longest name allowed */
	ar_trailer(&a);
	CHECKF(walk(a.b, a.len, es, 16, &n) == ERR_NOENT, "%s", last_err);
	CHECK(n == 13);
	for (int len = 1; len <= 12; len++) {
		CHECK(strlen(es[len - 1].name) == (size_t)len && es[len - 1].name[0] == 'a' + len);
		CHECK(entry_is(&es[len - 1], es[len - 1].name, S_REG, text, (size_t)len));
	}
	CHECK(strcmp(es[12].name, name) == 0 && es[12].size == 3);
}

/* Anything after the trailer (GNU cpio pads to 512 bytes) is ignored. */
static void after_trailer(void)
{
	struct ar a;

	ar_std(&a);
	memset(a.b + a.len, 0xee, 100);
	a.len += 100;
	EXPECT(&a, ERR_NOENT);
	/* The trailer's own padding and size are not needed. */
	memset(&a, 0, sizeof(a));
	ar_add(&a, "f", S_REG, "abc", 3);
	ar_hdr(&a, 0, 0x1000, 11);
	ar_bytes(&a, "TRAILER!!!", 11);
	EXPECT(&a, ERR_NOENT);
	/* A trailer first: an empty archive. */
	memset(&a, 0, sizeof(a));
	ar_trailer(&a);
	EXPECT(&a, ERR_NOENT);
}

/* ------------------------------------------------------------ errors */

static void every_truncation(void)
{
	struct ar a;
	struct blob b = load("tests/data/sample.cpio");
	size_t n, trailer_end;

	ar_std(&a);
	/* The trailer entry ends 124 bytes (110 + 11, padded) before the end. */
	for (size_t len = 0; len < a.len; len++) {
		int want = len >= a.len - 124 + 110 + 11 ? ERR_NOENT : ERR_TRUNCATED;

		CHECKF(walk(a.b, len, NULL, 0, &n) == want, "cut to %zu: \"%s\"", len, last_err);
	}
	CHECK(b.len > 0);
	/* GNU cpio: the trailer name ends where the 512-byte block padding begins. */
	for (trailer_end = b.len; trailer_end > 0 && b.data[trailer_end - 1] == 0; trailer_end--)
		;
	CHECK(trailer_end > 10 && memcmp(b.data + trailer_end - 10, "TRAILER!!!", 10) == 0);
	trailer_end++; /* its NUL */
	for (size_t len = 0; len < b.len; len++) {
		int want = len >= trailer_end ? ERR_NOENT : ERR_TRUNCATED;

		CHECKF(walk(b.data, len, NULL, 0, &n) == want, "sample cut to %zu: \"%s\"", len,
		       last_err);
	}
	free(b.data);
}

static void missing_trailer(void)
{
	struct ar a;
	struct cpio_entry es[8];
	size_t n;

	ar_std(&a);
	a.len -= 124;
	CHECK(walk(a.b, a.len, es, 8, &n) == ERR_TRUNCATED);
	CHECK(n == 6); /* every entry before the cut was delivered */
	CHECK(strstr(last_err, "TRAILER") != NULL);
	/* An empty buffer, and no buffer at all. */
	EXPECT(&(struct ar){.len = 0}, ERR_TRUNCATED);
	struct cpio_iter it;
	struct cpio_entry e;
	char err[64];
	cpio_iter_init(&it, NULL, 0);
	CHECK(cpio_next(&it, &e, err, sizeof(err)) == ERR_TRUNCATED);
	CHECK(cpio_find(NULL, 0, "x", &e, err, sizeof(err)) == ERR_TRUNCATED);
}

static void bad_magic(void)
{
	static const char *const magics[] = {"070707", "070702", "070700", "171701", "07070 "};
	struct ar a;

	for (size_t i = 0; i < sizeof(magics) / sizeof(magics[0]); i++) {
		ar_std(&a);
		memcpy(a.b, magics[i], 6);
		EXPECT(&a, ERR_CORRUPT);
	}
	/* In a later header, and cut to a few bytes. */
	ar_std(&a);
	a.b[a.len - 124] = '1';
	EXPECT(&a, ERR_CORRUPT);
	a.len = 3;
	a.b[1] = 'x';
	EXPECT(&a, ERR_CORRUPT);
}

static void non_hex(void)
{
	static const char *const bad[] = {"0000000g",  "000000 1", "-0000001", "0x000001",
					  "0000000\0", "G0000000", "0000:000", "0000@000"};
	struct ar a;

	for (int f = 0; f < 13; f++)
		for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
			ar_std(&a);
			ar_field(&a, 0, f, bad[i]);
			EXPECT(&a, ERR_CORRUPT);
		}
	/* Upper- and lower-case digits are both hex. */
	ar_std(&a);
	ar_field(&a, 0, 0, "abcdefAB");
	ar_field(&a, 0, 12, "FfFfFfFf");
	EXPECT(&a, ERR_NOENT);
}

static void bad_names(void)
{
	struct ar a;

	/* namesize 0, and 1 (an empty name). */
	for (uint32_t ns = 0; ns <= 1; ns++) {
		memset(&a, 0, sizeof(a));
		ar_hdr(&a, S_REG, 0, ns);
		ar_bytes(&a, "\0\0\0\0", 4);
		ar_pad(&a);
		ar_trailer(&a);
		EXPECT(&a, ERR_CORRUPT);
	}
	/* No NUL at the end of the name. */
	memset(&a, 0, sizeof(a));
	ar_hdr(&a, S_REG, 0, 4);
	ar_bytes(&a, "abcd", 4);
	ar_pad(&a);
	ar_trailer(&a);
	EXPECT(&a, ERR_CORRUPT);
	/* A NUL inside the name. */
	memset(&a, 0, sizeof(a));
	ar_hdr(&a, S_REG, 0, 6);
	ar_bytes(&a, "ab\0cd\0", 6);
	ar_pad(&a);
	ar_trailer(&a);
	EXPECT(&a, ERR_CORRUPT);
	/* A trailer name with a NUL too early is not the trailer. */
	memset(&a, 0, sizeof(a));
	ar_hdr(&a, 0, 0, 12);
	ar_bytes(&a, "TRAILER!!!\0\0", 12);
	EXPECT(&a, ERR_CORRUPT);
}

static void name_too_long(void)
{
	struct ar a;
	char name[CPIO_NAME_MAX + 2];

	memset(name, 'n', sizeof(name) - 1);
	name[sizeof(name) - 1] = '\0';
	memset(&a, 0, sizeof(a));
	ar_add(&a, name, S_REG, "x", 1);
	ar_trailer(&a);
	EXPECT(&a, ERR_CORRUPT);
	/* Huge namesize: refused for length, not read. */
	memset(&a, 0, sizeof(a));
	ar_hdr(&a, S_REG, 0, 0xffffffffu);
	ar_bytes(&a, "x", 2);
	EXPECT(&a, ERR_CORRUPT);
}

static void data_past_end(void)
{
	struct ar a;

	/* filesize one byte more than the rest of the archive. */
	memset(&a, 0, sizeof(a));
	ar_hdr(&a, S_REG, 8 + 1, 2);
	ar_bytes(&a, "f", 2);
	ar_pad(&a);
	ar_bytes(&a, "12345678", 8);
	EXPECT(&a, ERR_TRUNCATED);
	/* Huge sizes. */
	ar_std(&a);
	ar_field(&a, 0, F_FILESIZE, "ffffffff");
	EXPECT(&a, ERR_TRUNCATED);
	ar_field(&a, 0, F_FILESIZE, "FFFFFFFC");
	EXPECT(&a, ERR_TRUNCATED);
	ar_std(&a);
	ar_field(&a, 0, F_NAMESIZE, "000000ff"); /* within the limit, past the end */
	a.len = 110 + 0x80;
	EXPECT(&a, ERR_TRUNCATED);
}

/* Once failed, always failed: even if the bytes are repaired afterwards. */
static void stays_failed(void)
{
	struct ar a;
	struct cpio_iter it;
	struct cpio_entry e;
	char err[128];

	ar_std(&a);
	ar_field(&a, 0, 3, "zzzzzzzz");
	cpio_iter_init(&it, a.b, a.len);
	CHECK(cpio_next(&it, &e, err, sizeof(err)) == ERR_CORRUPT);
	CHECK(err[0] != '\0');
	ar_field(&a, 0, 3, "00000000");
	for (int i = 0; i < 3; i++) {
		err[0] = '\0';
		CHECK(cpio_next(&it, &e, err, sizeof(err)) == ERR_CORRUPT);
		CHECK(err[0] != '\0');
	}
	/* And after the trailer it stays at ERR_NOENT. */
	cpio_iter_init(&it, a.b, a.len);
	while (cpio_next(&it, &e, NULL, 0) == ERR_OK)
		;
	CHECK(cpio_next(&it, &e, err, sizeof(err)) == ERR_NOENT);
	CHECK(cpio_next(&it, &e, NULL, 0) == ERR_NOENT);
}

static void sentences(void)
{
	struct ar a;
	struct cpio_iter it;
	struct cpio_entry e;
	char err[10];

	ar_std(&a);
	ar_field(&a, 0, F_FILESIZE, "ffffffff");
	memset(err, 'x', sizeof(err));
	cpio_iter_init(&it, a.b, a.len);
	CHECK(cpio_next(&it, &e, err, 6) == ERR_TRUNCATED);
	CHECK(strlen(err) == 5 && err[6] == 'x');
	cpio_iter_init(&it, a.b, a.len);
	CHECK(cpio_next(&it, &e, err, 1) == ERR_TRUNCATED && err[0] == '\0');
	cpio_iter_init(&it, a.b, a.len);
	CHECK(cpio_next(&it, &e, NULL, 0) == ERR_TRUNCATED);
	cpio_iter_init(&it, a.b, a.len);
	CHECK(cpio_next(&it, NULL, err, sizeof(err)) == ERR_INVALID);
}

int main(void)
{
	check_suite = "cpio";
	RUN(iterate_std);
	RUN(iterate_sample);
	RUN(find);
	RUN(dot_slash);
	RUN(name_lengths);
	RUN(after_trailer);
	RUN(every_truncation);
	RUN(missing_trailer);
	RUN(bad_magic);
	RUN(non_hex);
	RUN(bad_names);
	RUN(name_too_long);
	RUN(data_past_end);
	RUN(stays_failed);
	RUN(sentences);
	return check_done();
}
