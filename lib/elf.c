/*
 * ELF64 executable checks, written from the System V ABI "Object Files"
 * chapter and the RISC-V ELF psABI. Only what a static loader needs:
 *
 *   +-----------------------+ 0
 *   | ELF header (64 bytes) |  e_ident[16], e_type, e_machine, e_version,
 *   |                       |  e_entry, e_phoff, e_shoff, e_flags, e_ehsize,
 *   |                       |  e_phentsize, e_phnum, e_shentsize, e_shnum,
 *   |                       |  e_shstrndx
 *   +-----------------------+ e_phoff
 *   | program headers       |  e_phnum x 56 bytes: p_type, p_flags, p_offset,
 *   |                       |  p_vaddr, p_paddr, p_filesz, p_memsz, p_align
 *   +-----------------------+
 *   | segment bytes ...     |  PT_LOAD: file [p_offset, +p_filesz) goes to
 *   |                       |  memory [p_vaddr, +p_filesz), zeros up to p_memsz
 *   +-----------------------+
 *
 * Section headers are never read. Every field is loaded byte by byte
 * (little-endian, any alignment) and checked before it is used; all range
 * arithmetic is done so that it cannot wrap.
 */
#include "lib/elf.h"

#include <stdarg.h>

#include "lib/error.h"
#include "lib/fmt.h"
#include "lib/str.h"

#define EHDR_SIZE 64u
#define PHDR_SIZE 56u
/* Program headers read at most (PT_LOAD and the ignored kinds together). */
#define ELF_MAX_PHDRS 64u

#define ELFCLASS32  1
#define ELFCLASS64  2
#define ELFDATA2LSB 1
#define ELFDATA2MSB 2
#define EV_CURRENT  1
#define ET_EXEC	    2
#define ET_DYN	    3
#define EM_RISCV    243

#define PT_LOAD	   1
#define PT_DYNAMIC 2
#define PT_INTERP  3

/* ------------------------------------------------------------ helpers */

static int fail(char *err, size_t errlen, int code, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* Put a sentence ("elf: ...") into err and return code. */
static int fail(char *err, size_t errlen, int code, const char *fmt, ...)
{
	va_list ap;

	if (err && errlen) {
		size_t n = str_copy(err, "elf: ", errlen);

		if (n < errlen) {
			va_start(ap, fmt);
			fmt_vsnprintf(err + n, errlen - n, fmt, ap);
			va_end(ap);
		}
	}
	return code;
}

static uint16_t le16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static uint32_t le32(const uint8_t *p)
{
	return (uint32_t)le16(p) | (uint32_t)le16(p + 2) << 16;
}

static uint64_t le64(const uint8_t *p)
{
	return (uint64_t)le32(p) | (uint64_t)le32(p + 4) << 32;
}

static unsigned long long ull(uint64_t v)
{
	return v;
}

/* ------------------------------------------------------------ header */

struct ehdr {
	uint64_t entry, phoff;
	uint16_t type, machine, ehsize, phentsize, phnum;
	uint32_t version;
};

/* Check the ELF header (len >= EHDR_SIZE) and the program header table's place. */
static int check_ehdr(const uint8_t *p, size_t len, struct ehdr *h, char *err, size_t errlen)
{
	h->type = le16(p + 16);
	h->machine = le16(p + 18);
	h->version = le32(p + 20);
	h->entry = le64(p + 24);
	h->phoff = le64(p + 32);
	h->ehsize = le16(p + 52);
	h->phentsize = le16(p + 54);
	h->phnum = le16(p + 56);

	if (p[4] == ELFCLASS32)
		return fail(err, errlen, ERR_UNSUPPORTED, "32-bit ELF file (ELFCLASS32)");
	if (p[4] != ELFCLASS64)
		return fail(err, errlen, ERR_CORRUPT, "bad ELF class %u", p[4]);
	if (p[5] == ELFDATA2MSB)
		return fail(err, errlen, ERR_UNSUPPORTED, "big-endian ELF file (ELFDATA2MSB)");
	if (p[5] != ELFDATA2LSB)
		return fail(err, errlen, ERR_CORRUPT, "bad ELF data encoding %u", p[5]);
	if (p[6] != EV_CURRENT || h->version != EV_CURRENT)
		return fail(err, errlen, ERR_UNSUPPORTED, "ELF version %u/%u, not 1", p[6],
			    (unsigned)h->version);
	if (h->machine != EM_RISCV)
		return fail(err, errlen, ERR_UNSUPPORTED, "machine %u is not RISC-V (243)",
			    h->machine);
	if (h->type == ET_DYN)
		return fail(err, errlen, ERR_UNSUPPORTED,
			    "position-independent (ET_DYN) file; only ET_EXEC is loaded");
	if (h->type != ET_EXEC)
		return fail(err, errlen, ERR_UNSUPPORTED, "ELF type %u is not an executable",
			    h->type);
	if (h->ehsize != EHDR_SIZE)
		return fail(err, errlen, ERR_CORRUPT, "header size %u, not 64", h->ehsize);
	if (h->phentsize != PHDR_SIZE)
		return fail(err, errlen, ERR_CORRUPT, "program header size %u, not 56",
			    h->phentsize);
	if (h->phnum == 0)
		return fail(err, errlen, ERR_CORRUPT, "no program headers");
	if (h->phnum > ELF_MAX_PHDRS)
		return fail(err, errlen, ERR_UNSUPPORTED, "%u program headers; at most %u are read",
			    h->phnum, ELF_MAX_PHDRS);
	if (h->phoff > len || (uint64_t)h->phnum * PHDR_SIZE > len - h->phoff)
		return fail(err, errlen, ERR_TRUNCATED,
			    "program headers at 0x%llx (%u of them) end past the file (%llu bytes)",
			    ull(h->phoff), h->phnum, ull(len));
	return ERR_OK;
}

/* ------------------------------------------------------------ segments */

/*
 * Check one PT_LOAD program header at p and fill *s. page_size is a power
 * of two and user_top a multiple of it (elf_parse checked both).
 */
static int check_load(const uint8_t *p, unsigned idx, size_t len, uint64_t user_top,
		      uint64_t page_size, struct elf_segment *s, char *err, size_t errlen)
{
	s->flags = le32(p + 4) & (ELF_SEG_R | ELF_SEG_W | ELF_SEG_X);
	s->offset = le64(p + 8);
	s->vaddr = le64(p + 16);
	s->filesz = le64(p + 32);
	s->memsz = le64(p + 40);

	if (s->filesz > s->memsz)
		return fail(err, errlen, ERR_CORRUPT,
			    "segment %u: file size 0x%llx is larger than memory size 0x%llx", idx,
			    ull(s->filesz), ull(s->memsz));
	if (s->offset > len || s->filesz > len - s->offset)
		return fail(err, errlen, ERR_TRUNCATED,
			    "segment %u: bytes 0x%llx+0x%llx end past the file (%llu bytes)", idx,
			    ull(s->offset), ull(s->filesz), ull(len));
	if (s->memsz > UINT64_MAX - s->vaddr)
		return fail(err, errlen, ERR_CORRUPT,
			    "segment %u: 0x%llx+0x%llx wraps around the address space", idx,
			    ull(s->vaddr), ull(s->memsz));
	if (s->vaddr < page_size || s->vaddr + s->memsz > user_top)
		return fail(err, errlen, ERR_RANGE,
			    "segment %u: 0x%llx-0x%llx is outside user space 0x%llx-0x%llx", idx,
			    ull(s->vaddr), ull(s->vaddr + s->memsz), ull(page_size), ull(user_top));
	if ((s->vaddr ^ s->offset) & (page_size - 1))
		return fail(
		    err, errlen, ERR_CORRUPT,
		    "segment %u: address 0x%llx and file offset 0x%llx differ within a page", idx,
		    ull(s->vaddr), ull(s->offset));
	if ((s->flags & ELF_SEG_W) && (s->flags & ELF_SEG_X))
		return fail(err, errlen, ERR_PERM,
			    "segment %u at 0x%llx is both writable and executable", idx,
			    ull(s->vaddr));
	return ERR_OK;
}

/* Insertion sort by vaddr: at most ELF_MAX_SEGMENTS entries. */
static void sort_segments(struct elf_image *im)
{
	for (unsigned i = 1; i < im->nseg; i++) {
		struct elf_segment s = im->seg[i];
		unsigned j = i;

		for (; j > 0 && im->seg[j - 1].vaddr > s.vaddr; j--)
			im->seg[j] = im->seg[j - 1];
		im->seg[j] = s;
	}
}

/*
 * Sorted segments must not share a page: the first page of each must come
 * after the last page of the one before. Ends are <= user_top, a multiple
 * of page_size, so rounding up cannot wrap.
 */
static int check_overlap(const struct elf_image *im, uint64_t page_size, char *err, size_t errlen)
{
	for (unsigned i = 1; i < im->nseg; i++) {
		const struct elf_segment *a = &im->seg[i - 1], *b = &im->seg[i];
		uint64_t a_end = (a->vaddr + a->memsz + page_size - 1) & ~(page_size - 1);

		if ((b->vaddr & ~(page_size - 1)) < a_end)
			return fail(err, errlen, ERR_CORRUPT,
				    "segments 0x%llx+0x%llx and 0x%llx+0x%llx share a page",
				    ull(a->vaddr), ull(a->memsz), ull(b->vaddr), ull(b->memsz));
	}
	return ERR_OK;
}

static int entry_is_executable(const struct elf_image *im)
{
	for (unsigned i = 0; i < im->nseg; i++) {
		const struct elf_segment *s = &im->seg[i];

		if ((s->flags & ELF_SEG_X) && im->entry >= s->vaddr &&
		    im->entry - s->vaddr < s->memsz)
			return 1;
	}
	return 0;
}

/* ------------------------------------------------------------ parse */

/* Walk the program headers: collect PT_LOAD, refuse dynamic linking, skip the rest. */
static int collect(const uint8_t *p, size_t len, const struct ehdr *h, uint64_t user_top,
		   uint64_t page_size, struct elf_image *out, char *err, size_t errlen)
{
	for (unsigned i = 0; i < h->phnum; i++) {
		const uint8_t *ph = p + h->phoff + (size_t)i * PHDR_SIZE;
		uint32_t type = le32(ph);
		struct elf_segment s;
		int r;

		if (type == PT_INTERP || type == PT_DYNAMIC)
			return fail(
			    err, errlen, ERR_UNSUPPORTED,
			    "dynamically linked (has %s); only static executables are loaded",
			    type == PT_INTERP ? "PT_INTERP" : "PT_DYNAMIC");
		if (type != PT_LOAD)
			continue; /* PT_NOTE, PT_PHDR, PT_GNU_STACK, PT_RISCV_ATTRIBUTES, ... */
		r = check_load(ph, i, len, user_top, page_size, &s, err, errlen);
		if (r != ERR_OK)
			return r;
		if (s.memsz == 0)
			continue; /* occupies no memory */
		if (out->nseg == ELF_MAX_SEGMENTS)
			return fail(err, errlen, ERR_FULL, "more than %u loadable segments",
				    ELF_MAX_SEGMENTS);
		out->seg[out->nseg++] = s;
	}
	if (out->nseg == 0)
		return fail(err, errlen, ERR_CORRUPT, "no loadable (PT_LOAD) segment");
	return ERR_OK;
}

/*
 * p holds the first len bytes of a file of file_len bytes: the headers must
 * lie in those, the segments in the file.
 */
static int parse(const uint8_t *p, size_t len, uint64_t file_len, uint64_t user_top,
		 uint64_t page_size, struct elf_image *out, char *err, size_t errlen)
{
	static const uint8_t magic[4] = {0x7f, 'E', 'L', 'F'};
	struct ehdr h;
	int r;

	if (page_size == 0 || (page_size & (page_size - 1)) || user_top % page_size ||
	    user_top <= page_size)
		return fail(err, errlen, ERR_INVALID, "bad page size 0x%llx or user top 0x%llx",
			    ull(page_size), ull(user_top));
	if (len && memcmp(p, magic, len < sizeof(magic) ? len : sizeof(magic)) != 0)
		return fail(err, errlen, ERR_CORRUPT, "not an ELF file (bad magic)");
	if (len < EHDR_SIZE)
		return fail(err, errlen, ERR_TRUNCATED,
			    "file of %llu bytes is shorter than the header", ull(len));
	r = check_ehdr(p, len, &h, err, errlen);
	if (r != ERR_OK)
		return r;
	r = collect(p, file_len, &h, user_top, page_size, out, err, errlen);
	if (r != ERR_OK)
		return r;
	sort_segments(out);
	r = check_overlap(out, page_size, err, errlen);
	if (r != ERR_OK)
		return r;
	out->entry = h.entry;
	if (!entry_is_executable(out))
		return fail(err, errlen, ERR_CORRUPT,
			    "entry point 0x%llx is not inside an executable segment", ull(h.entry));
	return ERR_OK;
}

int elf_parse_head(const void *data, size_t len, uint64_t file_len, uint64_t user_top,
		   uint64_t page_size, struct elf_image *out, char *err, size_t errlen)
{
	int r;

	if (err && errlen)
		err[0] = '\0';
	if (!out)
		return fail(err, errlen, ERR_INVALID, "no output image");
	memset(out, 0, sizeof(*out));
	if (!data && len)
		return fail(err, errlen, ERR_INVALID, "no input");
	if (len > file_len)
		return fail(err, errlen, ERR_INVALID, "%llu bytes of a file of %llu", ull(len),
			    ull(file_len));
	r = parse(data, len, file_len, user_top, page_size, out, err, errlen);
	if (r != ERR_OK)
		memset(out, 0, sizeof(*out)); /* nothing half-filled on failure */
	return r;
}

int elf_parse(const void *data, size_t len, uint64_t user_top, uint64_t page_size,
	      struct elf_image *out, char *err, size_t errlen)
{
	return elf_parse_head(data, len, len, user_top, page_size, out, err, errlen);
}
