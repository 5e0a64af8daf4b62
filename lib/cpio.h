/*
 * Reader for "newc" cpio archives (cpio -H newc: magic "070701", ASCII hex
 * header fields, name and data each padded to 4 bytes, ending with the
 * entry "TRAILER!!!"). Bounds-checked: a truncated or corrupt archive gives
 * an error with a sentence, never a read outside the buffer.
 */
#ifndef STRATA_LIB_CPIO_H
#define STRATA_LIB_CPIO_H

#include <stddef.h>
#include <stdint.h>

#define CPIO_NAME_MAX 255

struct cpio_entry {
	char name[CPIO_NAME_MAX + 1]; /* NUL terminated; a leading "./" is removed */
	const void *data;	      /* inside the archive buffer */
	size_t size;
	uint32_t mode; /* st_mode: type and permission bits */
};

struct cpio_iter {
	const uint8_t *base;
	size_t len;
	size_t off; /* offset of the next header */
	int done;
};

void cpio_iter_init(struct cpio_iter *it, const void *data, size_t len);

/*
 * Next entry: ERR_OK and *e filled, ERR_NOENT after the trailer, or
 * ERR_TRUNCATED / ERR_CORRUPT (bad magic, non-hex field, name too long,
 * name not NUL terminated, sizes past the end) with a sentence in err.
 * After an error the iterator stays failed.
 */
int cpio_next(struct cpio_iter *it, struct cpio_entry *e, char *err, size_t errlen);

/* Find a regular file by name ("bin/root" matches "./bin/root"). ERR_NOENT if absent. */
int cpio_find(const void *data, size_t len, const char *name, struct cpio_entry *e, char *err,
	      size_t errlen);

#endif
