/*
 * Host tests for lib/elf.c. Two kinds of input:
 *   - fixtures in tests/data/elf/ built by a real RISC-V toolchain
 *     (tests/data/elf/build.sh; run the tests from the repository root);
 *   - images built in memory by img_*() below, one field changed per test,
 *     to reach every check.
 * Every parse runs on an exactly-sized malloc copy so AddressSanitizer
 * reports any read past the end.
 */
#include "lib/elf.h"

#include <stdint.h>
#include <string.h>

#include "lib/error.h"
#include "lib/user/ustart.h"
#include "tests/host/check.h"
#include "tests/host/fixture.h"

#define USER_TOP (1ull << 38)
#define PAGE	 4096ull

#define PT_NULL		    0
#define PT_LOAD		    1
#define PT_DYNAMIC	    2
#define PT_INTERP	    3
#define PT_NOTE		    4
#define PT_PHDR		    6
#define PT_TLS		    7
#define PT_GNU_STACK	    0x6474e551u
#define PT_RISCV_ATTRIBUTES 0x70000003u

#define RX (ELF_SEG_R | ELF_SEG_X)
#define RW (ELF_SEG_R | ELF_SEG_W)

/* Returned by parse() instead of an error code when the error contract is broken. */
#define BAD_SENTENCE 1000
#define BAD_OUTPUT   1001

/* ------------------------------------------------------------ helpers */

static char last_err[256];

/*
 * elf_parse on an exactly-sized copy of buf[0..len). Also checks that a
 * failure comes with a sentence and leaves *out zeroed.
 */
static int parse_at(const uint8_t *buf, size_t len, uint64_t user_top, uint64_t page,
		    struct elf_image *out)
{
	static const struct elf_image zero;
	uint8_t *copy = malloc(len ? len : 1);
	int r;

	if (len)
		memcpy(copy, buf, len);
	memset(out, 0xa5, sizeof(*out));
	memset(last_err, 'x', sizeof(last_err));
	r = elf_parse(len ? copy : NULL, len, user_top, page, out, last_err, sizeof(last_err));
	free(copy);
	if (strnlen(last_err, sizeof(last_err)) == sizeof(last_err))
		return BAD_SENTENCE;
	if (r != ERR_OK && (last_err[0] == '\0' || memcmp(out, &zero, sizeof(zero)) != 0))
		return r != ERR_OK && last_err[0] == '\0' ? BAD_SENTENCE : BAD_OUTPUT;
	if (r == ERR_OK && last_err[0] != '\0')
		return BAD_SENTENCE;
	return r;
}

static int parse(const uint8_t *buf, size_t len, struct elf_image *out)
{
	return parse_at(buf, len, USER_TOP, PAGE, out);
}

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static void put32(uint8_t *p, uint32_t v)
{
	put16(p, (uint16_t)v);
	put16(p + 2, (uint16_t)(v >> 16));
}

static void put64(uint8_t *p, uint64_t v)
{
	put32(p, (uint32_t)v);
	put32(p + 4, (uint32_t)(v >> 32));
}

static uint64_t get64(const uint8_t *p)
{
	uint64_t v = 0;

	for (int i = 7; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
}

/* ------------------------------------------------------------ image builder */

/* ELF header field offsets. */
#define O_CLASS	    4
#define O_DATA	    5
#define O_IDVERSION 6
#define O_TYPE	    16
#define O_MACHINE   18
#define O_VERSION   20
#define O_ENTRY	    24
#define O_PHOFF	    32
#define O_EHSIZE    52
#define O_PHENTSIZE 54
#define O_PHNUM	    56

struct img {
	uint8_t b[8192];
	size_t len;
};

/* A valid header with nph program headers right after it; file length len. */
static void img_init(struct img *im, unsigned nph, uint64_t entry, size_t len)
{
	memset(im, 0, sizeof(*im));
	for (size_t i = 64 + 56 * nph; i < sizeof(im->b); i++)
		im->b[i] = (uint8_t)(i * 7 + 3); /* segment bytes: a pattern */
	memcpy(im->b,
	       "\x7f"
	       "ELF",
	       4);
	im->b[O_CLASS] = 2;
	im->b[O_DATA] = 1;
	im->b[O_IDVERSION] = 1;
	put16(im->b + O_TYPE, 2);
	put16(im->b + O_MACHINE, 243);
	put32(im->b + O_VERSION, 1);
	put64(im->b + O_ENTRY, entry);
	put64(im->b + O_PHOFF, 64);
	put16(im->b + O_EHSIZE, 64);
	put16(im->b + O_PHENTSIZE, 56);
	put16(im->b + O_PHNUM, (uint16_t)nph);
	im->len = len;
}

static void img_ph(struct img *im, unsigned i, uint32_t type, uint32_t flags, uint64_t offset,
		   uint64_t vaddr, uint64_t filesz, uint64_t memsz)
{
	uint8_t *p = im->b + 64 + 56 * i;

	put32(p, type);
	put32(p + 4, flags);
	put64(p + 8, offset);
	put64(p + 16, vaddr);
	put64(p + 24, vaddr); /* p_paddr */
	put64(p + 32, filesz);
	put64(p + 40, memsz);
	put64(p + 48, PAGE);
}

/*
 * The standard valid image (0x240 bytes):
 *   text  RX  file 0x000+0x200 -> 0x10000, memsz 0x200 (headers included)
 *   data  RW  file 0x200+0x040 -> 0x11200, memsz 0x1000 (bss to 0x12200)
 *   entry 0x10100
 */
static void img_std(struct img *im)
{
	img_init(im, 2, 0x10100, 0x240);
	img_ph(im, 0, PT_LOAD, RX, 0, 0x10000, 0x200, 0x200);
	img_ph(im, 1, PT_LOAD, RW, 0x200, 0x11200, 0x40, 0x1000);
}

static int seg_is(const struct elf_segment *s, uint64_t vaddr, uint64_t memsz, uint64_t offset,
		  uint64_t filesz, uint32_t flags)
{
	return s->vaddr == vaddr && s->memsz == memsz && s->offset == offset &&
	       s->filesz == filesz && s->flags == flags;
}

/* Parse im and expect code; the sentence is printed on a mismatch. */
#define EXPECT(im, code)                                                                           \
	do {                                                                                       \
		struct elf_image out_;                                                             \
		int r_ = parse((im)->b, (im)->len, &out_);                                         \
		CHECKF(r_ == (code), "got %d (%s), want %s: \"%s\"", r_, err_name(r_), #code,      \
		       last_err);                                                                  \
	} while (0)

/* ------------------------------------------------------------ fixtures */

static void fixture_two_seg(void)
{
	struct blob b = load("tests/data/elf/two_seg.elf");
	struct elf_image im;

	CHECK(b.len > 0);
	CHECKF(parse(b.data, b.len, &im) == ERR_OK, "%s", last_err);
	CHECK(im.entry == 0x100e8);
	CHECK(im.nseg == 2);
	CHECK(seg_is(&im.seg[0], 0x10000, 0x10b, 0, 0x10b, RX));
	CHECK(seg_is(&im.seg[1], 0x11110, 0x108, 0x110, 8, RW));
	/* .data holds the dword 41; .text starts at the entry point. */
	CHECK(get64(b.data + im.seg[1].offset) == 41);
	CHECK(im.entry - im.seg[0].vaddr + im.seg[0].offset == 0xe8);
	free(b.data);
}

static void fixture_bss_only(void)
{
	struct blob b = load("tests/data/elf/bss_only.elf");
	struct elf_image im;

	CHECK(b.len > 0);
	CHECKF(parse(b.data, b.len, &im) == ERR_OK, "%s", last_err);
	CHECK(im.entry == 0x100e8);
	CHECK(im.nseg == 2);
	CHECK(seg_is(&im.seg[0], 0x10000, 0xf6, 0, 0xf6, RX));
	CHECK(seg_is(&im.seg[1], 0x11100, 0x2000, 0x100, 0, RW));
	free(b.data);
}

/*
 * Every prefix of a fixture: shorter than what the loader needs (header,
 * program headers, PT_LOAD bytes) gives ERR_TRUNCATED; anything longer
 * (only section headers and the like are cut) gives the same image.
 */
static void fixture_truncations(void)
{
	const char *const files[] = {"tests/data/elf/two_seg.elf", "tests/data/elf/bss_only.elf"};

	for (size_t f = 0; f < sizeof(files) / sizeof(files[0]); f++) {
		struct blob b = load(files[f]);
		struct elf_image full, im;
		uint64_t need;

		CHECK(b.len > 0);
		CHECK(parse(b.data, b.len, &full) == ERR_OK);
		need = get64(b.data + O_PHOFF) +
		       56 * (uint64_t)(b.data[O_PHNUM] | b.data[O_PHNUM + 1] << 8);
		for (unsigned i = 0; i < full.nseg; i++)
			if (full.seg[i].offset + full.seg[i].filesz > need)
				need = full.seg[i].offset + full.seg[i].filesz;
		CHECK(need < b.len);
		for (size_t n = 0; n < b.len; n++) {
			int r = parse(b.data, n, &im);

			if (n < need)
				CHECKF(r == ERR_TRUNCATED, "%s cut to %zu: %s \"%s\"", files[f], n,
				       err_name(r), last_err);
			else
				CHECKF(r == ERR_OK && memcmp(&im, &full, sizeof(im)) == 0,
				       "%s cut to %zu: %s \"%s\"", files[f], n, err_name(r),
				       last_err);
		}
		free(b.data);
	}
}

/* ------------------------------------------------------------ valid in-memory images */

static void valid_standard(void)
{
	struct img m;
	struct elf_image im;

	img_std(&m);
	CHECKF(parse(m.b, m.len, &im) == ERR_OK, "%s", last_err);
	CHECK(im.entry == 0x10100 && im.nseg == 2);
	CHECK(seg_is(&im.seg[0], 0x10000, 0x200, 0, 0x200, RX));
	CHECK(seg_is(&im.seg[1], 0x11200, 0x1000, 0x200, 0x40, RW));

	/* The same bytes at an odd address: no aligned loads are assumed. */
	uint8_t *odd = malloc(m.len + 1);
	memcpy(odd + 1, m.b, m.len);
	CHECK(elf_parse(odd + 1, m.len, USER_TOP, PAGE, &im, NULL, 0) == ERR_OK);
	CHECK(im.nseg == 2 && im.entry == 0x10100);
	free(odd);
}

static void sorted_by_vaddr(void)
{
	struct img m;
	struct elf_image im;

	/* Listed data, rodata, text: reported text, rodata, data. */
	img_init(&m, 3, 0x10080, 0x400);
	img_ph(&m, 0, PT_LOAD, RW, 0x300, 0x40300, 0x100, 0x100);
	img_ph(&m, 1, PT_LOAD, ELF_SEG_R, 0x200, 0x20200, 0x100, 0x100);
	img_ph(&m, 2, PT_LOAD, RX, 0, 0x10000, 0x200, 0x200);
	CHECKF(parse(m.b, m.len, &im) == ERR_OK, "%s", last_err);
	CHECK(im.nseg == 3);
	CHECK(seg_is(&im.seg[0], 0x10000, 0x200, 0, 0x200, RX));
	CHECK(seg_is(&im.seg[1], 0x20200, 0x100, 0x200, 0x100, ELF_SEG_R));
	CHECK(seg_is(&im.seg[2], 0x40300, 0x100, 0x300, 0x100, RW));
}

/* Program headers a static loader does not need are skipped, whatever they hold. */
static void ignored_headers(void)
{
	static const uint32_t types[] = {
	    PT_NULL, PT_NOTE, PT_PHDR, PT_TLS, PT_GNU_STACK, PT_RISCV_ATTRIBUTES, 0x6fffffffu};
	struct img m;
	struct elf_image im;

	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		img_init(&m, 3, 0x10100, 0x240);
		img_ph(&m, 0, types[i], 7, ~0ull, ~0ull, ~0ull, 1);
		img_ph(&m, 1, PT_LOAD, RX, 0, 0x10000, 0x200, 0x200);
		img_ph(&m, 2, PT_LOAD, RW, 0x200, 0x11200, 0x40, 0x1000);
		CHECKF(parse(m.b, m.len, &im) == ERR_OK, "type 0x%x: %s", types[i], last_err);
		CHECK(im.nseg == 2);
	}
	/* A PT_LOAD of zero bytes occupies nothing and is left out. */
	img_init(&m, 3, 0x10100, 0x240);
	img_ph(&m, 0, PT_LOAD, RX, 0, 0x10000, 0x200, 0x200);
	img_ph(&m, 1, PT_LOAD, RW, 0x200, 0x10200, 0, 0);
	img_ph(&m, 2, PT_LOAD, RW, 0x200, 0x11200, 0x40, 0x1000);
	CHECKF(parse(m.b, m.len, &im) == ERR_OK, "%s", last_err);
	CHECK(im.nseg == 2 && im.seg[1].vaddr == 0x11200);
	/* Flag bits other than R, W, X (PF_MASKOS, PF_MASKPROC) are dropped. */
	img_std(&m);
	put32(m.b + 64 + 4, RX | 0xf0f00000u);
	CHECKF(parse(m.b, m.len, &im) == ERR_OK, "%s", last_err);
	CHECK(im.seg[0].flags == RX);
}

static void limits_inclusive(void)
{
	struct img m;
	struct elf_image im;

	/* Starting at page_size and ending exactly at user_top are both fine. */
	img_init(&m, 2, 0x1000, 0x240);
	img_ph(&m, 0, PT_LOAD, RX, 0, 0x1000, 0x200, 0x200);
	img_ph(&m, 1, PT_LOAD, RW, 0x200, USER_TOP - 0x1000 + 0x200, 0x40, 0xe00);
	CHECKF(parse(m.b, m.len, &im) == ERR_OK, "%s", last_err);
	CHECK(im.seg[1].vaddr + im.seg[1].memsz == USER_TOP);
	/* Segments on adjacent pages do not overlap. */
	img_init(&m, 2, 0x10000, 0x240);
	img_ph(&m, 0, PT_LOAD, RX, 0, 0x10000, 0x200, 0x1000);
	img_ph(&m, 1, PT_LOAD, RW, 0x200, 0x11200, 0x40, 0x40);
	CHECKF(parse(m.b, m.len, &im) == ERR_OK, "%s", last_err);
	/* The entry may be the last byte of the executable segment. */
	img_std(&m);
	put64(m.b + O_ENTRY, 0x101ff);
	EXPECT(&m, ERR_OK);
	/* Exactly ELF_MAX_SEGMENTS loads are accepted. */
	img_init(&m, ELF_MAX_SEGMENTS, 0x10000, 64 + 56 * ELF_MAX_SEGMENTS);
	for (unsigned i = 0; i < ELF_MAX_SEGMENTS; i++)
		img_ph(&m, i, PT_LOAD, i ? ELF_SEG_R : RX, 0, 0x10000 + 0x1000 * i, 0x40, 0x40);
	CHECKF(parse(m.b, m.len, &im) == ERR_OK, "%s", last_err);
	CHECK(im.nseg == ELF_MAX_SEGMENTS);
}

/*
 * proc parses programs with user_top = UHEAP_END and starts the heap at the
 * page above the last segment. A segment ending exactly at UHEAP_END is
 * loadable and leaves an empty heap at UHEAP_END, which mem must accept
 * (it once refused it with ERR_RANGE, failing PROC_SPAWN); one byte more is
 * refused by elf_parse.
 */
static void uheap_end_exact(void)
{
	struct img m;
	struct elf_image im;

	img_std(&m);
	img_ph(&m, 1, PT_LOAD, RW, 0x200, UHEAP_END - 0x1000 + 0x200, 0x40, 0xe00);
	CHECKF(parse_at(m.b, m.len, UHEAP_END, PAGE, &im) == ERR_OK, "%s", last_err);
	uint64_t end = im.seg[1].vaddr + im.seg[1].memsz;
	CHECK(end == UHEAP_END);
	CHECK(uheap_base_ok((end + PAGE - 1) & ~(PAGE - 1)));
	CHECK(!uheap_base_ok(UHEAP_END + PAGE));
	CHECK(!uheap_base_ok(UHEAP_END - 1));
	CHECK(!uheap_base_ok(UIMAGE_BASE - PAGE));
	CHECK(uheap_base_ok(UIMAGE_BASE));
	/* One byte over the end. */
	img_ph(&m, 1, PT_LOAD, RW, 0x200, UHEAP_END - 0x1000 + 0x200, 0x40, 0xe01);
	CHECK(parse_at(m.b, m.len, UHEAP_END, PAGE, &im) == ERR_RANGE);
	CHECKF(strstr(last_err, "outside user space") != NULL, "%s", last_err);
}

/* ------------------------------------------------------------ header errors */

static void bad_magic(void)
{
	struct img m;

	for (int i = 0; i < 4; i++) {
		img_std(&m);
		m.b[i] ^= 0x20;
		EXPECT(&m, ERR_CORRUPT);
	}
	/* A two-byte file that is not an ELF prefix is not "truncated". */
	img_std(&m);
	m.b[1] = 'X';
	m.len = 2;
	EXPECT(&m, ERR_CORRUPT);
	m.len = 0;
	EXPECT(&m, ERR_TRUNCATED);
}

static void bad_ident(void)
{
	struct img m;

	img_std(&m);
	m.b[O_CLASS] = 1;
	EXPECT(&m, ERR_UNSUPPORTED); /* 32-bit */
	m.b[O_CLASS] = 0;
	EXPECT(&m, ERR_CORRUPT);
	m.b[O_CLASS] = 3;
	EXPECT(&m, ERR_CORRUPT);
	img_std(&m);
	m.b[O_DATA] = 2;
	EXPECT(&m, ERR_UNSUPPORTED); /* big endian */
	m.b[O_DATA] = 0;
	EXPECT(&m, ERR_CORRUPT);
	img_std(&m);
	m.b[O_IDVERSION] = 2;
	EXPECT(&m, ERR_UNSUPPORTED);
	img_std(&m);
	put32(m.b + O_VERSION, 0);
	EXPECT(&m, ERR_UNSUPPORTED);
}

static void bad_type_machine(void)
{
	struct img m;

	img_std(&m);
	put16(m.b + O_MACHINE, 62); /* x86-64 */
	EXPECT(&m, ERR_UNSUPPORTED);
	put16(m.b + O_MACHINE, 243 + 256);
	EXPECT(&m, ERR_UNSUPPORTED);
	img_std(&m);
	put16(m.b + O_TYPE, 3); /* ET_DYN */
	EXPECT(&m, ERR_UNSUPPORTED);
	put16(m.b + O_TYPE, 1); /* ET_REL */
	EXPECT(&m, ERR_UNSUPPORTED);
	put16(m.b + O_TYPE, 4); /* ET_CORE */
	EXPECT(&m, ERR_UNSUPPORTED);
	put16(m.b + O_TYPE, 2 + 256);
	EXPECT(&m, ERR_UNSUPPORTED);
}

static void bad_header_sizes(void)
{
	struct img m;

	img_std(&m);
	put16(m.b + O_EHSIZE, 52);
	EXPECT(&m, ERR_CORRUPT);
	img_std(&m);
	put16(m.b + O_PHENTSIZE, 32); /* Elf32_Phdr */
	EXPECT(&m, ERR_CORRUPT);
	put16(m.b + O_PHENTSIZE, 64);
	EXPECT(&m, ERR_CORRUPT);
	img_std(&m);
	put16(m.b + O_PHNUM, 0);
	EXPECT(&m, ERR_CORRUPT);
}

static void bad_phdr_table(void)
{
	struct img m;

	img_std(&m);
	put64(m.b + O_PHOFF, m.len); /* starts at the end */
	EXPECT(&m, ERR_TRUNCATED);
	put64(m.b + O_PHOFF, m.len - 56 + 1); /* the one header sticks out by a byte */
	put16(m.b + O_PHNUM, 1);
	EXPECT(&m, ERR_TRUNCATED);
	put64(m.b + O_PHOFF, ~0ull - 8); /* phoff + size wraps */
	EXPECT(&m, ERR_TRUNCATED);
	put64(m.b + O_PHOFF, 1ull << 63);
	EXPECT(&m, ERR_TRUNCATED);
	img_std(&m);
	put16(m.b + O_PHNUM, 0xffff); /* PN_XNUM */
	EXPECT(&m, ERR_UNSUPPORTED);
	put16(m.b + O_PHNUM, 65);
	EXPECT(&m, ERR_UNSUPPORTED);
	put16(m.b + O_PHNUM, 64); /* allowed count, but the table runs off the file */
	EXPECT(&m, ERR_TRUNCATED);
}

/* ------------------------------------------------------------ segment errors */

static void segment_outside_file(void)
{
	struct img m;

	img_std(&m);
	img_ph(&m, 1, PT_LOAD, RW, 0x200, 0x11200, 0x41, 0x1000); /* one byte past */
	EXPECT(&m, ERR_TRUNCATED);
	img_ph(&m, 1, PT_LOAD, RW, 0x241, 0x11241, 0, 0x1000); /* offset past, no bytes */
	EXPECT(&m, ERR_TRUNCATED);
	img_ph(&m, 1, PT_LOAD, RW, 0x240, 0x11240, 0, 0x1000); /* at the end, no bytes: fine */
	EXPECT(&m, ERR_OK);
	/* offset + filesz wraps to a small number. */
	img_ph(&m, 1, PT_LOAD, RW, ~0ull - 0xfff + 0x200, 0x11200, 0x2000, 0x2000);
	EXPECT(&m, ERR_TRUNCATED);
	img_ph(&m, 1, PT_LOAD, RW, 0x200, 0x11200, ~0ull, ~0ull);
	EXPECT(&m, ERR_TRUNCATED);
}

static void filesz_over_memsz(void)
{
	struct img m;

	img_std(&m);
	img_ph(&m, 1, PT_LOAD, RW, 0x200, 0x11200, 0x40, 0x3f);
	EXPECT(&m, ERR_CORRUPT);
}

static void address_wraps(void)
{
	struct img m;

	img_std(&m);
	img_ph(&m, 1, PT_LOAD, RW, 0x200, 0xfffffffffffff200ull, 0x40, 0x1000);
	EXPECT(&m, ERR_CORRUPT);
	img_ph(&m, 1, PT_LOAD, RW, 0x200, 0x11200, 0x40, ~0ull - 0x11200 + 1);
	EXPECT(&m, ERR_CORRUPT);
	img_ph(&m, 1, PT_LOAD, RW, 0x200, 0x11200, 0x40, ~0ull - 0x11200); /* ends at 2^64-1 */
	EXPECT(&m, ERR_RANGE);
}

static void outside_user_space(void)
{
	struct img m;

	img_std(&m);
	img_ph(&m, 0, PT_LOAD, RX, 0, 0, 0x200, 0x200); /* page zero */
	put64(m.b + O_ENTRY, 0x100);
	EXPECT(&m, ERR_RANGE);
	img_ph(&m, 0, PT_LOAD, RX, 0x40, 0x40, 0x200, 0x200); /* below page_size */
	EXPECT(&m, ERR_RANGE);
	img_std(&m);
	img_ph(&m, 1, PT_LOAD, RW, 0x200, USER_TOP - 0x1000 + 0x200, 0x40, 0xe01); /* 1 past */
	EXPECT(&m, ERR_RANGE);
	img_ph(&m, 1, PT_LOAD, RW, 0x200, USER_TOP + 0x200, 0x40, 0x40); /* above */
	EXPECT(&m, ERR_RANGE);
	img_ph(&m, 1, PT_LOAD, RW, 0x200, 0xffffffc000000200ull, 0x40, 0x40); /* kernel half */
	EXPECT(&m, ERR_RANGE);
	/* A different user_top and page size move the limits. */
	img_std(&m);
	struct elf_image im;
	CHECK(parse_at(m.b, m.len, 0x12000, PAGE, &im) == ERR_RANGE);
	CHECK(parse_at(m.b, m.len, 0x13000, PAGE, &im) == ERR_OK);
	CHECK(parse_at(m.b, m.len, USER_TOP, 0x20000, &im) == ERR_RANGE); /* below 128 KiB */
}

static void misaligned_offset(void)
{
	struct img m;

	img_std(&m);
	img_ph(&m, 1, PT_LOAD, RW, 0x200, 0x11201, 0x40, 0x1000);
	EXPECT(&m, ERR_CORRUPT);
	img_ph(&m, 1, PT_LOAD, RW, 0x200, 0x11a00, 0x40, 0x1000);
	EXPECT(&m, ERR_CORRUPT);
	img_ph(&m, 1, PT_LOAD, RW, 0x200, 0x7f200, 0x40, 0x1000); /* any page, same offset: fine */
	EXPECT(&m, ERR_OK);
}

static void overlapping_segments(void)
{
	struct img m;

	img_std(&m);
	/* Data starts in the page where text ends. */
	img_ph(&m, 1, PT_LOAD, RW, 0x200, 0x10200, 0x40, 0x1000);
	EXPECT(&m, ERR_CORRUPT);
	/* Text's bss reaches into data's first page. */
	img_std(&m);
	img_ph(&m, 0, PT_LOAD, RX, 0, 0x10000, 0x200, 0x1001);
	EXPECT(&m, ERR_CORRUPT);
	/* The same segment twice; and one inside another, listed second. */
	img_std(&m);
	img_ph(&m, 1, PT_LOAD, ELF_SEG_R, 0, 0x10000, 0x200, 0x200);
	EXPECT(&m, ERR_CORRUPT);
	img_init(&m, 2, 0x10100, 0x240);
	img_ph(&m, 0, PT_LOAD, RX, 0, 0x10000, 0x200, 0x5000);
	img_ph(&m, 1, PT_LOAD, RW, 0x200, 0x12200, 0x40, 0x40);
	EXPECT(&m, ERR_CORRUPT);
	img_ph(&m, 0, PT_LOAD, RX, 0, 0x13000, 0x200, 0x200);
	img_ph(&m, 1, PT_LOAD, RW, 0x200, 0x10200, 0x40, 0x5000);
	put64(m.b + O_ENTRY, 0x13000);
	EXPECT(&m, ERR_CORRUPT);
}

static void write_and_execute(void)
{
	struct img m;

	img_std(&m);
	img_ph(&m, 0, PT_LOAD, RX | ELF_SEG_W, 0, 0x10000, 0x200, 0x200);
	EXPECT(&m, ERR_PERM);
	img_std(&m);
	img_ph(&m, 1, PT_LOAD, ELF_SEG_W | ELF_SEG_X, 0x200, 0x11200, 0x40, 0x1000);
	EXPECT(&m, ERR_PERM);
}

static void entry_outside_text(void)
{
	static const uint64_t bad[] = {0, 0xfff, 0x10200, 0x11200, 0x11300, 0x12200, ~0ull};
	struct img m;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		img_std(&m);
		put64(m.b + O_ENTRY, bad[i]);
		EXPECT(&m, ERR_CORRUPT);
	}
	/* Inside a readable, non-executable segment. */
	img_std(&m);
	img_ph(&m, 0, PT_LOAD, ELF_SEG_R, 0, 0x10000, 0x200, 0x200);
	EXPECT(&m, ERR_CORRUPT);
}

static void no_load_segment(void)
{
	struct img m;

	img_init(&m, 2, 0x10100, 0x240);
	img_ph(&m, 0, PT_NOTE, ELF_SEG_R, 0x100, 0, 0x20, 0);
	img_ph(&m, 1, PT_GNU_STACK, RW, 0, 0, 0, 0);
	EXPECT(&m, ERR_CORRUPT);
}

static void dynamic(void)
{
	struct img m;

	img_init(&m, 3, 0x10100, 0x240);
	img_ph(&m, 0, PT_INTERP, ELF_SEG_R, 0x100, 0x10100, 0x10, 0x10);
	img_ph(&m, 1, PT_LOAD, RX, 0, 0x10000, 0x200, 0x200);
	img_ph(&m, 2, PT_LOAD, RW, 0x200, 0x11200, 0x40, 0x1000);
	EXPECT(&m, ERR_UNSUPPORTED);
	img_ph(&m, 0, PT_DYNAMIC, RW, 0x200, 0x11200, 0x10, 0x10);
	EXPECT(&m, ERR_UNSUPPORTED);
	/* After the loads too. */
	img_init(&m, 3, 0x10100, 0x240);
	img_ph(&m, 0, PT_LOAD, RX, 0, 0x10000, 0x200, 0x200);
	img_ph(&m, 1, PT_LOAD, RW, 0x200, 0x11200, 0x40, 0x1000);
	img_ph(&m, 2, PT_DYNAMIC, RW, 0x200, 0x11200, 0x10, 0x10);
	EXPECT(&m, ERR_UNSUPPORTED);
}

static void too_many_segments(void)
{
	struct img m;

	img_init(&m, ELF_MAX_SEGMENTS + 1, 0x10000, 64 + 56 * (ELF_MAX_SEGMENTS + 1));
	for (unsigned i = 0; i <= ELF_MAX_SEGMENTS; i++)
		img_ph(&m, i, PT_LOAD, i ? ELF_SEG_R : RX, 0, 0x10000 + 0x1000 * i, 0x40, 0x40);
	EXPECT(&m, ERR_FULL);
}

static void bad_arguments(void)
{
	struct img m;
	struct elf_image im;
	char err[64];

	img_std(&m);
	CHECK(parse_at(m.b, m.len, USER_TOP, 0, &im) == ERR_INVALID);
	CHECK(parse_at(m.b, m.len, USER_TOP, 3000, &im) == ERR_INVALID);
	CHECK(parse_at(m.b, m.len, USER_TOP + 1, PAGE, &im) == ERR_INVALID);
	CHECK(parse_at(m.b, m.len, PAGE, PAGE, &im) == ERR_INVALID);
	CHECK(elf_parse(m.b, m.len, USER_TOP, PAGE, NULL, err, sizeof(err)) == ERR_INVALID);
	CHECK(err[0] != '\0');
	CHECK(elf_parse(NULL, 10, USER_TOP, PAGE, &im, err, sizeof(err)) == ERR_INVALID);
}

/* ------------------------------------------------------------ truncation, sentences */

/* Every prefix of a valid image, down to zero bytes, is ERR_TRUNCATED. */
static void every_truncation(void)
{
	struct img m;
	struct elf_image im;

	img_std(&m);
	for (size_t n = 0; n < m.len; n++)
		CHECKF(parse(m.b, n, &im) == ERR_TRUNCATED, "cut to %zu: \"%s\"", n, last_err);
	CHECK(parse(m.b, m.len, &im) == ERR_OK);
}

static void sentences(void)
{
	struct img m;
	struct elf_image im;
	char err[12];

	img_std(&m);
	img_ph(&m, 0, PT_LOAD, RX | ELF_SEG_W, 0, 0x10000, 0x200, 0x200);
	CHECK(parse(m.b, m.len, &im) == ERR_PERM);
	CHECKF(strstr(last_err, "writable and executable") != NULL, "%s", last_err);
	/* Short buffers are cut and terminated; no buffer at all is fine. */
	memset(err, 'x', sizeof(err));
	CHECK(elf_parse(m.b, m.len, USER_TOP, PAGE, &im, err, 8) == ERR_PERM);
	CHECK(strlen(err) == 7 && err[8] == 'x');
	CHECK(elf_parse(m.b, m.len, USER_TOP, PAGE, &im, err, 1) == ERR_PERM && err[0] == '\0');
	CHECK(elf_parse(m.b, m.len, USER_TOP, PAGE, &im, NULL, 100) == ERR_PERM);
	CHECK(elf_parse(m.b, m.len, USER_TOP, PAGE, &im, err, 0) == ERR_PERM);
}

/*
 * elf_parse_head: only the head of the file is there; headers must lie in
 * it, segments in the whole file (which the parser never reads).
 */
static void head_only(void)
{
	struct img m;
	struct elf_image im;
	char err[160];
	const size_t head = 64 + 2 * 56;
	uint8_t *copy;

	img_std(&m);
	copy = malloc(head); /* exactly the headers: ASan catches a read past them */
	memcpy(copy, m.b, head);
	CHECK(elf_parse_head(copy, head, m.len, USER_TOP, PAGE, &im, err, sizeof(err)) == ERR_OK);
	CHECK(im.nseg == 2 && seg_is(&im.seg[1], 0x11200, 0x1000, 0x200, 0x40, RW));
	/* A segment past the end of the file, though the head is whole. */
	CHECK(elf_parse_head(copy, head, 0x220, USER_TOP, PAGE, &im, err, sizeof(err)) ==
	      ERR_TRUNCATED);
	CHECK(im.nseg == 0 && err[0]);
	/* Program headers past the head. */
	CHECK(elf_parse_head(copy, head - 1, m.len, USER_TOP, PAGE, &im, err, sizeof(err)) ==
	      ERR_TRUNCATED);
	CHECK(elf_parse_head(copy, head, head - 1, USER_TOP, PAGE, &im, err, sizeof(err)) ==
	      ERR_INVALID);
	free(copy);
}

int main(void)
{
	check_suite = "elf";
	RUN(fixture_two_seg);
	RUN(fixture_bss_only);
	RUN(fixture_truncations);
	RUN(valid_standard);
	RUN(sorted_by_vaddr);
	RUN(ignored_headers);
	RUN(limits_inclusive);
	RUN(uheap_end_exact);
	RUN(bad_magic);
	RUN(bad_ident);
	RUN(bad_type_machine);
	RUN(bad_header_sizes);
	RUN(bad_phdr_table);
	RUN(segment_outside_file);
	RUN(filesz_over_memsz);
	RUN(address_wraps);
	RUN(outside_user_space);
	RUN(misaligned_offset);
	RUN(overlapping_segments);
	RUN(write_and_execute);
	RUN(entry_outside_text);
	RUN(no_load_segment);
	RUN(dynamic);
	RUN(too_many_segments);
	RUN(bad_arguments);
	RUN(every_truncation);
	RUN(sentences);
	RUN(head_only);
	return check_done();
}
