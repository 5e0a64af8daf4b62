/*
 * libFuzzer target for lib/cpio.c: the input is a newc cpio archive. Every
 * entry is read from an exactly-sized copy and checked (name terminated
 * and stripped of "./", data inside the buffer, offsets moving forward),
 * the error contract is checked (a sentence, the iterator stays failed),
 * and cpio_find is run for some names and for every regular file seen.
 * Any violation aborts. Seed corpus: tests/fuzz/corpus/fuzz_cpio/.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lib/cpio.h"
#include "lib/error.h"

#define MAX_REMEMBERED 8

static const char *const names[] = {"init", "bin/root", "./bin/root", "hello.txt", ".", "", "a"};

static void find(const uint8_t *buf, size_t len, const char *name)
{
	struct cpio_entry e;
	char err[128];
	int r = cpio_find(buf, len, name, &e, err, sizeof(err));

	if (r == ERR_OK) {
		while (name[0] == '.' && name[1] == '/' && name[2])
			name += 2;
		if ((e.mode & 0170000u) != 0100000u || strcmp(e.name, name) != 0)
			abort();
		if (e.size &&
		    ((const uint8_t *)e.data < buf || (const uint8_t *)e.data + e.size > buf + len))
			abort();
	} else if (r >= 0 || r < ERR_LAST || err[0] == '\0') {
		abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t *buf = size ? malloc(size) : NULL;
	char seen[MAX_REMEMBERED][CPIO_NAME_MAX + 1];
	unsigned nseen = 0;
	struct cpio_iter it;
	struct cpio_entry e;
	char err[128];
	size_t last_off = 0;
	int r;

	if (size)
		memcpy(buf, data, size);
	cpio_iter_init(&it, buf, size);
	while ((r = cpio_next(&it, &e, err, sizeof(err))) == ERR_OK) {
		size_t n = strnlen(e.name, sizeof(e.name));

		if (n == 0 || n > CPIO_NAME_MAX || err[0] != '\0')
			abort();
		if (n > 2 && e.name[0] == '.' && e.name[1] == '/')
			abort(); /* every leading "./" must have been stripped */
		if (it.off <= last_off || it.off > size)
			abort(); /* every entry moves forward, and stays inside */
		last_off = it.off;
		if (e.size && ((const uint8_t *)e.data < buf ||
			       (const uint8_t *)e.data + e.size > buf + size))
			abort();
		if ((e.mode & 0170000u) == 0100000u && nseen < MAX_REMEMBERED)
			memcpy(seen[nseen++], e.name, n + 1);
	}
	if (r >= 0 || r < ERR_LAST || err[0] == '\0')
		abort();
	/* Finished or failed: it stays so, with a sentence. */
	err[0] = '\0';
	if (cpio_next(&it, &e, err, sizeof(err)) != r || err[0] == '\0')
		abort();
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		find(buf, size, names[i]);
	for (unsigned i = 0; i < nseen; i++) {
		find(buf, size, seen[i]);
		if (r == ERR_NOENT && cpio_find(buf, size, seen[i], &e, NULL, 0) != ERR_OK)
			abort(); /* a file seen in a valid archive is found */
	}
	free(buf);
	return 0;
}
