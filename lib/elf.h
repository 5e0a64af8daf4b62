/*
 * ELF64 loader checks (RISC-V executables). elf_parse validates a whole
 * image before anything is loaded: a corrupt or hostile file is refused
 * with a sentence saying what is wrong, never half-loaded.
 */
#ifndef STRATA_LIB_ELF_H
#define STRATA_LIB_ELF_H

#include <stddef.h>
#include <stdint.h>

#define ELF_MAX_SEGMENTS 16

#define ELF_SEG_R 4 /* PF_R */
#define ELF_SEG_W 2 /* PF_W */
#define ELF_SEG_X 1 /* PF_X */

struct elf_segment {
	uint64_t vaddr;	 /* where the segment starts in memory */
	uint64_t memsz;	 /* bytes in memory (>= filesz; the rest is zero) */
	uint64_t offset; /* file offset of the first byte */
	uint64_t filesz; /* bytes taken from the file */
	uint32_t flags;	 /* ELF_SEG_R | ELF_SEG_W | ELF_SEG_X */
};

struct elf_image {
	uint64_t entry;
	unsigned nseg; /* PT_LOAD segments, sorted by vaddr */
	struct elf_segment seg[ELF_MAX_SEGMENTS];
};

/*
 * Parse and validate an ELF64 little-endian RISC-V ET_EXEC image of len
 * bytes. Every PT_LOAD segment must: lie inside the file (offset + filesz),
 * have filesz <= memsz, not wrap, lie inside [page_size, user_top), have
 * vaddr % page_size == offset % page_size, not overlap another segment at
 * page granularity, and not be both writable and executable (W^X). The
 * entry point must lie inside an executable segment. At least one PT_LOAD.
 * Returns ERR_OK, or ERR_TRUNCATED / ERR_CORRUPT / ERR_UNSUPPORTED / ERR_PERM
 * (W^X) / ERR_RANGE (outside user space) / ERR_FULL (too many segments)
 * with a sentence in err.
 */
int elf_parse(const void *data, size_t len, uint64_t user_top, uint64_t page_size,
	      struct elf_image *out, char *err, size_t errlen);
/*
 * The same from the head of a file: data holds its first len bytes, the
 * file has file_len: the ELF and program headers must lie in those len
 * bytes (ERR_TRUNCATED otherwise), the segments in the file. A loader that
 * maps segments from the file itself needs no more than its head.
 */
int elf_parse_head(const void *data, size_t len, uint64_t file_len, uint64_t user_top,
		   uint64_t page_size, struct elf_image *out, char *err, size_t errlen);

#endif
