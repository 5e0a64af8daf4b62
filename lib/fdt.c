/*
 * Flattened device tree reader, written from the Devicetree Specification
 * (v0.4, chapter 5 "Flattened Devicetree (DTB) Format").
 *
 * Blob layout, every field big-endian:
 *
 *   +-------------------+ 0
 *   | header (40 bytes) |   magic, totalsize, off_dt_struct, off_dt_strings,
 *   |                   |   off_mem_rsvmap, version, last_comp_version,
 *   |                   |   boot_cpuid_phys, size_dt_strings, size_dt_struct
 *   +-------------------+ off_mem_rsvmap (8-aligned)
 *   | {u64 addr, u64 size} ... {0, 0}
 *   +-------------------+ off_dt_struct (4-aligned)
 *   | tokens: BEGIN_NODE name\0 (pad to 4) | PROP u32 len, u32 nameoff,
 *   |         value (pad to 4) | END_NODE | NOP | END
 *   +-------------------+ off_dt_strings
 *   | property names, NUL terminated
 *   +-------------------+ totalsize
 *
 * Trust nothing: fdt_open() checks the header and scans the whole structure
 * block once (token kinds, names terminated, lengths inside the block,
 * nesting depth, a final FDT_END), and every accessor still re-checks each
 * offset it reads, so a struct fdt pointing at garbage is memory-safe too.
 * Every step moves forward by at least one token, so every walk ends.
 */
#include "lib/fdt.h"

#include <stdarg.h>

#include "lib/error.h"
#include "lib/str.h"

#define FDT_BEGIN_NODE 1u
#define FDT_END_NODE   2u
#define FDT_PROP       3u
#define FDT_NOP	       4u
#define FDT_END	       9u

#define HDR_V16_SIZE   36u /* version 16 has no size_dt_struct */
#define HDR_V17_SIZE   40u
#define OLDEST_VERSION 16u
#define OUR_VERSION    17u

/* ------------------------------------------------------------ sentences */

/*
 * Write a sentence into err (always NUL terminated, cut to fit). Formats:
 * %s string, %u unsigned, %x unsigned as 0x..., %U / %X the same for uint64_t.
 */
static void errf(char *err, size_t errlen, const char *fmt, ...)
{
	size_t n = 0;
	va_list ap;

	if (!err || errlen == 0)
		return;
	va_start(ap, fmt);
	for (const char *p = fmt; *p && n + 1 < errlen; p++) {
		char num[24];
		const char *s = num;
		uint64_t v;
		unsigned base = 10, i = sizeof(num) - 1;

		if (*p != '%' || !p[1]) {
			err[n++] = *p;
			continue;
		}
		p++;
		if (*p == 's') {
			s = va_arg(ap, const char *);
			if (!s)
				s = "(null)";
		} else {
			if (*p == 'U' || *p == 'X')
				v = va_arg(ap, uint64_t);
			else
				v = va_arg(ap, unsigned);
			if (*p == 'x' || *p == 'X')
				base = 16;
			num[i] = '\0';
			do {
				num[--i] = "0123456789abcdef"[v % base];
				v /= base;
			} while (v);
			if (base == 16) {
				num[--i] = 'x';
				num[--i] = '0';
			}
			s = &num[i];
		}
		while (*s && n + 1 < errlen)
			err[n++] = *s++;
	}
	va_end(ap);
	err[n] = '\0';
}

/* ------------------------------------------------------------ cells */

uint32_t fdt_be32(const void *p)
{
	const uint8_t *b = p;

	return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
}

uint64_t fdt_be64(const void *p)
{
	const uint8_t *b = p;

	return (uint64_t)fdt_be32(b) << 32 | fdt_be32(b + 4);
}

static uint64_t align4(uint64_t x)
{
	return (x + 3) & ~(uint64_t)3;
}

/* ------------------------------------------------------------ tokens */

/* One decoded token of the structure block. */
struct token {
	uint32_t tag;
	uint32_t next;	    /* offset of the following token */
	const char *name;   /* BEGIN_NODE: node name; PROP: property name */
	const uint8_t *val; /* PROP: value */
	uint32_t len;	    /* PROP: value length */
};

/*
 * Decode the token at structure offset off. Returns ERR_OK, ERR_TRUNCATED
 * if it runs past the structure block, ERR_CORRUPT if it is not a token or
 * a name is not terminated inside its block. On failure, a sentence goes to
 * err if err is not NULL.
 */
static int token_at(const struct fdt *f, uint64_t off, struct token *t, char *err, size_t errlen)
{
	const uint8_t *s = f->blob + f->off_struct;
	uint64_t end = f->size_struct, next;

	if (off & 3) {
		errf(err, errlen, "structure offset %X is not 4-byte aligned", off);
		return ERR_CORRUPT;
	}
	if (off + 4 > end) {
		errf(err, errlen, "structure block ends at %X before a token at %X (no FDT_END)",
		     end, off);
		return ERR_TRUNCATED;
	}
	t->tag = fdt_be32(s + off);
	t->name = NULL;
	t->val = NULL;
	t->len = 0;
	switch (t->tag) {
	case FDT_BEGIN_NODE: {
		size_t n = strnlen((const char *)s + off + 4, end - off - 4);

		if (off + 4 + n >= end) {
			errf(err, errlen, "node name at structure offset %X is not terminated",
			     off + 4);
			return ERR_CORRUPT;
		}
		t->name = (const char *)s + off + 4;
		next = align4(off + 4 + n + 1);
		break;
	}
	case FDT_PROP: {
		uint32_t nameoff;

		if (off + 12 > end) {
			errf(err, errlen,
			     "property header at structure offset %X runs past the block", off);
			return ERR_TRUNCATED;
		}
		t->len = fdt_be32(s + off + 4);
		nameoff = fdt_be32(s + off + 8);
		if ((uint64_t)off + 12 + t->len > end) {
			errf(err, errlen,
			     "property at structure offset %X has length %u, past the block end %X",
			     off, t->len, end);
			return ERR_TRUNCATED;
		}
		if (nameoff >= f->size_strings) {
			errf(err, errlen,
			     "property at structure offset %X names string %x, outside the %u-byte "
			     "strings block",
			     off, nameoff, f->size_strings);
			return ERR_CORRUPT;
		}
		t->name = (const char *)f->blob + f->off_strings + nameoff;
		if (strnlen(t->name, f->size_strings - nameoff) == f->size_strings - nameoff) {
			errf(err, errlen, "property name at strings offset %x is not terminated",
			     nameoff);
			return ERR_CORRUPT;
		}
		t->val = s + off + 12;
		next = align4(off + 12 + t->len);
		break;
	}
	case FDT_END_NODE:
	case FDT_NOP:
	case FDT_END:
		next = off + 4;
		break;
	default:
		errf(err, errlen, "unknown token %x at structure offset %X", t->tag, off);
		return ERR_CORRUPT;
	}
	/* Padding may end past the block; the next read then fails. Fits: end < 2^31. */
	t->next = (uint32_t)next;
	return ERR_OK;
}

/* Decode the token at node and check it opens a node. */
static int node_token(const struct fdt *f, int node, struct token *t)
{
	int r;

	if (!f || !f->blob || node < 0)
		return ERR_CORRUPT;
	r = token_at(f, (uint64_t)node, t, NULL, 0);
	if (r < 0)
		return r;
	return t->tag == FDT_BEGIN_NODE ? ERR_OK : ERR_CORRUPT;
}

/* ------------------------------------------------------------ opening */

/* One pass over the structure block: everything the walkers rely on. */
static int check_struct(struct fdt *f, int version, char *err, size_t errlen)
{
	uint64_t off = 0;
	unsigned depth = 0;
	bool root_seen = false;
	struct token t;

	for (;;) {
		int r = token_at(f, off, &t, err, errlen);

		if (r < 0)
			return r;
		switch (t.tag) {
		case FDT_BEGIN_NODE:
			if (depth == 0 && root_seen) {
				errf(err, errlen, "second root node at structure offset %X", off);
				return ERR_CORRUPT;
			}
			if (++depth > FDT_MAX_DEPTH) {
				errf(err, errlen,
				     "nodes nested deeper than %u at structure offset %X",
				     FDT_MAX_DEPTH, off);
				return ERR_CORRUPT;
			}
			root_seen = true;
			break;
		case FDT_END_NODE:
			if (depth == 0) {
				errf(err, errlen,
				     "FDT_END_NODE outside any node at structure offset %X", off);
				return ERR_CORRUPT;
			}
			depth--;
			break;
		case FDT_PROP:
			if (depth == 0) {
				errf(err, errlen,
				     "property outside any node at structure offset %X", off);
				return ERR_CORRUPT;
			}
			break;
		case FDT_END:
			if (depth != 0 || !root_seen) {
				errf(err, errlen, "FDT_END at structure offset %X %s", off,
				     root_seen ? "inside an open node" : "before the root node");
				return ERR_CORRUPT;
			}
			if (version < 17)
				f->size_struct = (uint32_t)off + 4;
			return ERR_OK;
		}
		off = t.next;
	}
}

/* The reservation map must end with a {0, 0} entry inside its room. */
static int check_rsvmap(const struct fdt *f, char *err, size_t errlen)
{
	uint64_t a, s;

	for (unsigned i = 0;; i++) {
		int r = fdt_rsvmap_entry(f, i, &a, &s);

		if (r == ERR_NOENT)
			return ERR_OK;
		if (r < 0) {
			errf(err, errlen,
			     "memory reservation block at %x has no terminating entry (%u entries "
			     "read)",
			     f->off_rsvmap, i);
			return r;
		}
	}
}

/* A block [off, off+size) must lie inside the blob after the header. */
static int check_block(const char *what, uint32_t off, uint64_t size, uint32_t hdr, uint64_t total,
		       char *err, size_t errlen)
{
	if (off < hdr || off > total || size > total - off) {
		errf(err, errlen,
		     "%s block [%x, +%U) lies outside the blob (header %u, totalsize %u)", what,
		     off, size, hdr, (unsigned)total);
		return ERR_CORRUPT;
	}
	return ERR_OK;
}

int fdt_open(struct fdt *f, const void *blob, size_t len, char *err, size_t errlen)
{
	const uint8_t *b = blob;
	uint32_t magic, total, version, last_comp, hdr;
	int r;

	errf(err, errlen, "");
	if (!f || !blob) {
		errf(err, errlen, "no blob given");
		return ERR_INVALID;
	}
	if (len < 4) {
		errf(err, errlen, "blob truncated: %U bytes given, the header needs %u",
		     (uint64_t)len, HDR_V17_SIZE);
		return ERR_TRUNCATED;
	}
	magic = fdt_be32(b);
	if (magic != FDT_MAGIC) {
		errf(err, errlen, "bad magic %x (a device tree blob starts with %x)", magic,
		     FDT_MAGIC);
		return ERR_CORRUPT;
	}
	if (len < 28) {
		errf(err, errlen, "blob truncated: %U bytes given, the header needs %u",
		     (uint64_t)len, HDR_V17_SIZE);
		return ERR_TRUNCATED;
	}
	total = fdt_be32(b + 4);
	version = fdt_be32(b + 20);
	last_comp = fdt_be32(b + 24);
	if (version < OLDEST_VERSION || last_comp > OUR_VERSION) {
		errf(err, errlen,
		     "unsupported version %u (compatible with %u); this reader handles %u to %u",
		     version, last_comp, OLDEST_VERSION, OUR_VERSION);
		return ERR_UNSUPPORTED;
	}
	hdr = version >= 17 ? HDR_V17_SIZE : HDR_V16_SIZE;
	if (len < hdr) {
		errf(err, errlen, "blob truncated: %U bytes given, the header needs %u",
		     (uint64_t)len, hdr);
		return ERR_TRUNCATED;
	}
	if (total < hdr) {
		errf(err, errlen, "totalsize %u is smaller than the %u-byte header", total, hdr);
		return ERR_CORRUPT;
	}
	if (total > len) {
		errf(err, errlen, "blob truncated: totalsize %u > %U bytes given", total,
		     (uint64_t)len);
		return ERR_TRUNCATED;
	}
	if (total > 0x7fffffffu) {
		errf(err, errlen, "totalsize %u is too large (offsets are ints)", total);
		return ERR_UNSUPPORTED;
	}

	f->blob = b;
	f->size = total;
	f->off_struct = fdt_be32(b + 8);
	f->off_strings = fdt_be32(b + 12);
	f->off_rsvmap = fdt_be32(b + 16);
	f->boot_cpuid = fdt_be32(b + 28);
	f->size_strings = fdt_be32(b + 32);
	if (version >= 17)
		f->size_struct = fdt_be32(b + 36);
	else if (f->off_struct <= total)
		f->size_struct = total - f->off_struct; /* narrowed to FDT_END below */
	else
		f->size_struct = 0;

	if ((r = check_block("structure", f->off_struct, f->size_struct, hdr, total, err, errlen)) <
		0 ||
	    (r = check_block("strings", f->off_strings, f->size_strings, hdr, total, err, errlen)) <
		0 ||
	    (r = check_block("memory reservation", f->off_rsvmap, 0, hdr, total, err, errlen)) < 0)
		goto fail;
	if (f->off_struct & 3) {
		errf(err, errlen, "structure block offset %x is not 4-byte aligned", f->off_struct);
		r = ERR_CORRUPT;
		goto fail;
	}
	if (f->off_rsvmap & 7) {
		errf(err, errlen, "memory reservation block offset %x is not 8-byte aligned",
		     f->off_rsvmap);
		r = ERR_CORRUPT;
		goto fail;
	}
	if ((r = check_rsvmap(f, err, errlen)) < 0 ||
	    (r = check_struct(f, version, err, errlen)) < 0)
		goto fail;
	return ERR_OK;
fail:
	f->blob = NULL;
	f->size = 0;
	return r;
}

int fdt_rsvmap_entry(const struct fdt *f, unsigned index, uint64_t *addr, uint64_t *size)
{
	uint64_t limit, off;

	if (!f || !f->blob)
		return ERR_CORRUPT;
	/* The map ends where the next block starts (or at totalsize). */
	limit = f->size;
	if (f->off_struct > f->off_rsvmap && f->off_struct < limit)
		limit = f->off_struct;
	if (f->off_strings > f->off_rsvmap && f->off_strings < limit)
		limit = f->off_strings;
	for (unsigned i = 0;; i++) {
		uint64_t a, s;

		off = (uint64_t)f->off_rsvmap + 16 * (uint64_t)i;
		if (off + 16 > limit)
			return ERR_CORRUPT;
		a = fdt_be64(f->blob + off);
		s = fdt_be64(f->blob + off + 8);
		if (a == 0 && s == 0)
			return ERR_NOENT;
		if (i == index) {
			if (addr)
				*addr = a;
			if (size)
				*size = s;
			return ERR_OK;
		}
	}
}

/* ------------------------------------------------------------ walking */

int fdt_root(const struct fdt *f)
{
	struct token t;
	uint32_t off = 0;

	if (!f || !f->blob)
		return ERR_CORRUPT;
	for (;;) {
		int r = token_at(f, off, &t, NULL, 0);

		if (r < 0)
			return r;
		if (t.tag == FDT_BEGIN_NODE)
			return (int)off;
		if (t.tag != FDT_NOP)
			return ERR_CORRUPT;
		off = t.next;
	}
}

int fdt_first_child(const struct fdt *f, int node)
{
	struct token t;
	uint32_t off;
	int r = node_token(f, node, &t);

	if (r < 0)
		return r;
	for (off = t.next;; off = t.next) {
		if ((r = token_at(f, off, &t, NULL, 0)) < 0)
			return r;
		switch (t.tag) {
		case FDT_BEGIN_NODE:
			return (int)off;
		case FDT_END_NODE:
			return ERR_NOENT;
		case FDT_END:
			return ERR_TRUNCATED;
		}
	}
}

int fdt_next_sibling(const struct fdt *f, int node)
{
	struct token t;
	uint32_t off;
	unsigned depth = 1; /* inside node */
	int r = node_token(f, node, &t);

	if (r < 0)
		return r;
	/* Skip node's subtree, then look for the next node at the same level. */
	for (off = t.next;; off = t.next) {
		if ((r = token_at(f, off, &t, NULL, 0)) < 0)
			return r;
		switch (t.tag) {
		case FDT_BEGIN_NODE:
			if (depth == 0)
				return (int)off;
			if (++depth > FDT_MAX_DEPTH)
				return ERR_CORRUPT;
			break;
		case FDT_END_NODE:
			if (depth == 0)
				return ERR_NOENT; /* the parent closes */
			depth--;
			break;
		case FDT_END:
			return depth == 0 ? ERR_NOENT : ERR_TRUNCATED;
		}
	}
}

const char *fdt_node_name(const struct fdt *f, int node)
{
	struct token t;

	return node_token(f, node, &t) < 0 ? NULL : t.name;
}

const void *fdt_getprop(const struct fdt *f, int node, const char *name, uint32_t *len)
{
	struct token t;
	uint32_t off;

	if (!name || node_token(f, node, &t) < 0)
		return NULL;
	for (off = t.next;; off = t.next) {
		if (token_at(f, off, &t, NULL, 0) < 0)
			return NULL;
		if (t.tag == FDT_NOP)
			continue;
		if (t.tag != FDT_PROP)
			return NULL; /* properties come before children */
		if (strcmp(t.name, name) == 0) {
			if (len)
				*len = t.len;
			return t.val;
		}
	}
}

/* Does node name match path component c (n bytes)? "uart" matches "uart@1000". */
static bool name_matches(const char *name, const char *c, size_t n)
{
	if (strncmp(name, c, n) != 0)
		return false;
	if (name[n] == '\0')
		return true;
	if (name[n] != '@')
		return false;
	for (size_t i = 0; i < n; i++)
		if (c[i] == '@')
			return false; /* the component gave a unit address: exact match only */
	return true;
}

int fdt_path(const struct fdt *f, const char *path)
{
	int node = fdt_root(f);

	if (node < 0)
		return node;
	if (!path || path[0] != '/')
		return ERR_INVALID;
	while (*path) {
		size_t n;
		int child;

		while (*path == '/')
			path++;
		if (!*path)
			break;
		for (n = 0; path[n] && path[n] != '/'; n++)
			;
		for (child = fdt_first_child(f, node); child >= 0;
		     child = fdt_next_sibling(f, child)) {
			const char *name = fdt_node_name(f, child);

			if (name && name_matches(name, path, n))
				break;
		}
		if (child < 0)
			return child;
		node = child;
		path += n;
	}
	return node;
}

int fdt_find_phandle(const struct fdt *f, uint32_t phandle)
{
	int stack[FDT_MAX_DEPTH];
	unsigned depth = 0;
	struct token t;
	uint32_t off = 0;

	if (!f || !f->blob)
		return ERR_CORRUPT;
	if (phandle == 0 || phandle == 0xffffffffu)
		return ERR_NOENT;
	for (;; off = t.next) {
		int r = token_at(f, off, &t, NULL, 0);

		if (r < 0)
			return r;
		switch (t.tag) {
		case FDT_BEGIN_NODE:
			if (depth == FDT_MAX_DEPTH)
				return ERR_CORRUPT;
			stack[depth++] = (int)off;
			break;
		case FDT_END_NODE:
			if (depth == 0)
				return ERR_CORRUPT;
			depth--;
			break;
		case FDT_PROP:
			if (depth > 0 && t.len == 4 && fdt_be32(t.val) == phandle &&
			    (strcmp(t.name, "phandle") == 0 ||
			     strcmp(t.name, "linux,phandle") == 0))
				return stack[depth - 1];
			break;
		case FDT_END:
			return ERR_NOENT;
		}
	}
}

/* ------------------------------------------------------------ values */

bool fdt_is_compatible(const struct fdt *f, int node, const char *compat)
{
	uint32_t len, i = 0;
	const char *v = fdt_getprop(f, node, "compatible", &len);
	size_t n;

	if (!v || !compat)
		return false;
	n = strlen(compat);
	/* The value is a list of NUL-terminated strings; an unterminated tail never matches. */
	while (i < len) {
		size_t l = strnlen(v + i, len - i);

		if (l == len - i)
			return false;
		if (l == n && memcmp(v + i, compat, n) == 0)
			return true;
		i += (uint32_t)l + 1;
	}
	return false;
}

const char *fdt_getprop_str(const struct fdt *f, int node, const char *name)
{
	uint32_t len;
	const char *v = fdt_getprop(f, node, name, &len);

	if (!v || len == 0 || strnlen(v, len) == len)
		return NULL;
	return v;
}

bool fdt_getprop_u32(const struct fdt *f, int node, const char *name, uint32_t *out)
{
	uint32_t len;
	const void *v = fdt_getprop(f, node, name, &len);

	if (!v || len != 4)
		return false;
	if (out)
		*out = fdt_be32(v);
	return true;
}
