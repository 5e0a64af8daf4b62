/*
 * libFuzzer target for lib/elf.c: the input is an ELF file. It is parsed
 * from an exactly-sized copy; on success every promise of lib/elf.h is
 * checked again here (segments sorted, inside the file and user space,
 * page-congruent, not sharing pages, no W+X, entry in an X segment), on
 * failure the sentence and the zeroed image. Any violation aborts.
 * Seed corpus: tests/fuzz/corpus/fuzz_elf/ (the tests/data/elf/ fixtures).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lib/elf.h"
#include "lib/error.h"

#define USER_TOP (1ull << 38)

static void check_image(const struct elf_image *im, size_t len, uint64_t page)
{
	int entry_ok = 0;

	if (im->nseg == 0 || im->nseg > ELF_MAX_SEGMENTS)
		abort();
	for (unsigned i = 0; i < im->nseg; i++) {
		const struct elf_segment *s = &im->seg[i];

		if (s->memsz == 0 || s->filesz > s->memsz)
			abort();
		if (s->offset > len || s->filesz > len - s->offset)
			abort();
		if (s->vaddr < page || s->vaddr > USER_TOP || s->memsz > USER_TOP - s->vaddr)
			abort();
		if ((s->vaddr - s->offset) % page != 0)
			abort();
		if (s->flags & ~(uint32_t)(ELF_SEG_R | ELF_SEG_W | ELF_SEG_X))
			abort();
		if ((s->flags & ELF_SEG_W) && (s->flags & ELF_SEG_X))
			abort();
		if (i > 0) {
			const struct elf_segment *p = &im->seg[i - 1];
			uint64_t last_page = (p->vaddr + p->memsz - 1) / page;

			if (s->vaddr <= p->vaddr || s->vaddr / page <= last_page)
				abort();
		}
		if ((s->flags & ELF_SEG_X) && im->entry >= s->vaddr &&
		    im->entry - s->vaddr < s->memsz)
			entry_ok = 1;
	}
	if (!entry_ok)
		abort();
}

static void run(const uint8_t *buf, size_t len, uint64_t page)
{
	static const struct elf_image zero;
	struct elf_image im;
	char err[160];
	int r;

	memset(err, 'x', sizeof(err));
	r = elf_parse(buf, len, USER_TOP, page, &im, err, sizeof(err));
	if (!memchr(err, '\0', sizeof(err)))
		abort();
	if (r == ERR_OK) {
		if (err[0] != '\0')
			abort();
		check_image(&im, len, page);
	} else {
		if (r > 0 || r < ERR_LAST || err[0] == '\0' || memcmp(&im, &zero, sizeof(im)) != 0)
			abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t *buf = malloc(size ? size : 1);

	if (size)
		memcpy(buf, data, size);
	run(size ? buf : NULL, size, 4096);
	run(size ? buf : NULL, size, 65536);
	free(buf);
	return 0;
}
