/*
 * "newc" cpio reader (the format of cpio -H newc and of Linux initramfs).
 * Each entry, at an offset that is a multiple of 4 from the archive start:
 *
 *   +------------------------------+ off
 *   | "070701"                     |  magic, 6 bytes
 *   | 13 x 8 ASCII hex digits      |  ino mode uid gid nlink mtime filesize
 *   |                              |  devmajor devminor rdevmajor rdevminor
 *   |                              |  namesize check        (110 bytes in all)
 *   +------------------------------+ off + 110
 *   | name, namesize bytes, NUL    |  then zeros up to a multiple of 4
 *   +------------------------------+
 *   | data, filesize bytes         |  then zeros up to a multiple of 4
 *   +------------------------------+ next entry
 *
 * The archive ends with an entry named "TRAILER!!!" (anything after it,
 * such as block padding, is ignored). Every offset is checked against len
 * before it is read, with arithmetic that cannot wrap; each step moves
 * forward by at least one header, so iteration always ends.
 */
#include "lib/cpio.h"

#include <stdarg.h>

#include "lib/error.h"
#include "lib/fmt.h"
#include "lib/str.h"

#define HDR_SIZE  110u
#define MAGIC	  "070701"
#define MAGIC_LEN 6u
#define NFIELDS	  13
#define TRAILER	  "TRAILER!!!"
#define MODE_TYPE 0170000u
#define MODE_REG  0100000u

/* Field indexes in the header. */
enum { F_INO, F_MODE, F_UID, F_GID, F_NLINK, F_MTIME, F_FILESIZE, F_NAMESIZE = 11 };

/* Iterator states in cpio_iter.done besides 0 (more to read) and error codes (< 0). */
#define ITER_END 1

static int fail(char *err, size_t errlen, int code, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* Put a sentence ("cpio: ...") into err and return code. */
static int fail(char *err, size_t errlen, int code, const char *fmt, ...)
{
	va_list ap;

	if (err && errlen) {
		size_t n = str_copy(err, "cpio: ", errlen);

		if (n < errlen) {
			va_start(ap, fmt);
			fmt_vsnprintf(err + n, errlen - n, fmt, ap);
			va_end(ap);
		}
	}
	return code;
}

/* Round up to a multiple of 4, or SIZE_MAX if that does not fit. */
static size_t pad4(size_t n)
{
	return n > SIZE_MAX - 3 ? SIZE_MAX : (n + 3) & ~(size_t)3;
}

/* Parse 8 ASCII hex digits; -1 if one is not a hex digit. */
static int parse_hex8(const uint8_t *p, uint32_t *v)
{
	uint32_t x = 0;

	for (int i = 0; i < 8; i++) {
		uint8_t c = p[i];
		uint32_t d;

		if (c >= '0' && c <= '9')
			d = c - '0';
		else if (c >= 'a' && c <= 'f')
			d = c - 'a' + 10;
		else if (c >= 'A' && c <= 'F')
			d = c - 'A' + 10;
		else
			return -1;
		x = x << 4 | d;
	}
	*v = x;
	return 0;
}

void cpio_iter_init(struct cpio_iter *it, const void *data, size_t len)
{
	it->base = data;
	it->len = data ? len : 0;
	it->off = 0;
	it->done = 0;
}

/* Check the header at it->off and its name; fill f[] and the name into e. */
static int read_header(const struct cpio_iter *it, uint32_t f[NFIELDS], struct cpio_entry *e,
		       char *err, size_t errlen)
{
	size_t off = it->off, left = it->len - off;
	const uint8_t *h, *name;
	uint32_t namesize;

	if (left == 0)
		return fail(err, errlen, ERR_TRUNCATED, "archive ends without a %s entry", TRAILER);
	h = it->base + off;
	if (memcmp(h, MAGIC, left < MAGIC_LEN ? left : MAGIC_LEN) != 0)
		return fail(err, errlen, ERR_CORRUPT,
			    "bad magic at offset %zu (not a newc archive: use cpio -H newc)", off);
	if (left < HDR_SIZE)
		return fail(err, errlen, ERR_TRUNCATED, "header at offset %zu is cut short", off);
	for (int i = 0; i < NFIELDS; i++)
		if (parse_hex8(h + MAGIC_LEN + 8 * i, &f[i]) != 0)
			return fail(err, errlen, ERR_CORRUPT,
				    "header at offset %zu: field %d is not 8 hex digits", off, i);
	namesize = f[F_NAMESIZE];
	if (namesize <= 1)
		return fail(err, errlen, ERR_CORRUPT, "header at offset %zu: empty name", off);
	if (namesize - 1 > CPIO_NAME_MAX)
		return fail(err, errlen, ERR_CORRUPT,
			    "header at offset %zu: name of %u bytes is longer than %u", off,
			    (unsigned)(namesize - 1), CPIO_NAME_MAX);
	if (namesize > left - HDR_SIZE)
		return fail(err, errlen, ERR_TRUNCATED, "name at offset %zu is cut short",
			    off + HDR_SIZE);
	name = h + HDR_SIZE;
	if (name[namesize - 1] != '\0' || strnlen((const char *)name, namesize) != namesize - 1)
		return fail(err, errlen, ERR_CORRUPT,
			    "name at offset %zu is not one NUL-terminated string", off + HDR_SIZE);
	memcpy(e->name, name, namesize);
	return ERR_OK;
}

/* Skip leading "./" ("./bin/x", "././bin/x" -> "bin/x"); "." and "./" stay as they are. */
static const char *skip_dot_slash(const char *name)
{
	while (name[0] == '.' && name[1] == '/' && name[2])
		name += 2;
	return name;
}

/* One entry, or the trailer; advances it->off only on success. */
static int next_entry(struct cpio_iter *it, struct cpio_entry *e, char *err, size_t errlen)
{
	uint32_t f[NFIELDS];
	size_t data_off, end;
	const char *rest;
	int r = read_header(it, f, e, err, errlen);

	if (r != ERR_OK)
		return r;
	if (strcmp(e->name, TRAILER) == 0) {
		it->done = ITER_END;
		return fail(err, errlen, ERR_NOENT, "end of archive");
	}
	/* it->off + HDR_SIZE + namesize <= len, so only the padding can go past. */
	data_off = pad4(it->off + HDR_SIZE + f[F_NAMESIZE]);
	if (data_off > it->len || f[F_FILESIZE] > it->len - data_off)
		return fail(err, errlen, ERR_TRUNCATED,
			    "data of \"%s\" (%u bytes at offset %zu) ends past the archive",
			    e->name, (unsigned)f[F_FILESIZE], data_off);
	end = data_off + f[F_FILESIZE];
	rest = skip_dot_slash(e->name);
	memmove(e->name, rest, strlen(rest) + 1);
	e->data = it->base + data_off;
	e->size = f[F_FILESIZE];
	e->mode = f[F_MODE];
	/* Missing padding after the last data: the next call reports the cut. */
	end = pad4(end);
	it->off = end < it->len ? end : it->len;
	return ERR_OK;
}

int cpio_next(struct cpio_iter *it, struct cpio_entry *e, char *err, size_t errlen)
{
	int r;

	if (err && errlen)
		err[0] = '\0';
	if (!it || !e)
		return fail(err, errlen, ERR_INVALID, "no iterator or entry");
	if (it->done == ITER_END)
		return fail(err, errlen, ERR_NOENT, "end of archive (no entries after %s)",
			    TRAILER);
	if (it->done < 0)
		return fail(err, errlen, it->done, "archive already failed (%s)",
			    err_name(it->done));
	if (it->done != 0 || it->off > it->len || (!it->base && it->len))
		return fail(err, errlen, ERR_INVALID, "iterator is not initialized");
	r = next_entry(it, e, err, errlen);
	if (r != ERR_OK && r != ERR_NOENT)
		it->done = r;
	return r;
}

int cpio_find(const void *data, size_t len, const char *name, struct cpio_entry *e, char *err,
	      size_t errlen)
{
	struct cpio_iter it;
	int r;

	if (err && errlen)
		err[0] = '\0';
	if (!name || !e)
		return fail(err, errlen, ERR_INVALID, "no name or entry");
	name = skip_dot_slash(name);
	cpio_iter_init(&it, data, len);
	while ((r = cpio_next(&it, e, err, errlen)) == ERR_OK)
		if ((e->mode & MODE_TYPE) == MODE_REG && strcmp(e->name, name) == 0)
			return ERR_OK;
	if (r == ERR_NOENT)
		r = fail(err, errlen, ERR_NOENT, "no regular file \"%s\" in the archive", name);
	memset(e, 0, sizeof(*e));
	return r;
}
