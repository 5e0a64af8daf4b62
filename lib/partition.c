/*
 * GPT and MBR partition tables: see partition.h. Freestanding: no libc
 * beyond what lib/ provides, no allocation; the disk is read a sector at a
 * time through the caller's callback.
 */
#include "lib/partition.h"

#include <stdarg.h>

#include "lib/error.h"
#include "lib/fmt.h"

const uint8_t part_type_linux_fs[16] = {0xaf, 0x3d, 0xc6, 0x0f, 0x83, 0x84, 0x72, 0x47,
					0x8e, 0x79, 0x3d, 0x69, 0xd8, 0x47, 0x7d, 0xe4};
const uint8_t part_type_linux_swap[16] = {0x6d, 0xfd, 0x57, 0x06, 0xab, 0xa4, 0xc4, 0x43,
					  0x84, 0xe5, 0x09, 0x33, 0xc8, 0x4b, 0x4f, 0x4f};

#define MBR_ENTRIES    446
#define MBR_PROTECTIVE 0xee
#define GPT_HDR_MIN    92

/* GPT header field offsets (UEFI 2.x, table 5.20). */
enum {
	GH_SIG = 0,
	GH_REV = 8,
	GH_SIZE = 12,
	GH_CRC = 16,
	GH_MY_LBA = 24,
	GH_ALT_LBA = 32,
	GH_FIRST = 40,
	GH_LAST = 48,
	GH_ENTS_LBA = 72,
	GH_NENTS = 80,
	GH_ENT_SIZE = 84,
	GH_ENTS_CRC = 88,
};

/* GPT entry field offsets. */
enum { GE_TYPE = 0, GE_GUID = 16, GE_FIRST = 32, GE_LAST = 40, GE_ATTRS = 48, GE_NAME = 56 };

struct parse {
	part_read_fn read;
	void *ctx;
	uint64_t sectors;
	struct part_table *t;
	char *err;
	size_t errlen;
	uint8_t sec[PART_SECTOR];
};

static int fail(struct parse *p, int e, const char *fmt, ...)
{
	va_list ap;

	if (p->err && p->errlen) {
		va_start(ap, fmt);
		fmt_vsnprintf(p->err, p->errlen, fmt, ap);
		va_end(ap);
	}
	return e;
}

static uint32_t le32(const uint8_t *b)
{
	return (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
}

static uint64_t le64(const uint8_t *b)
{
	return (uint64_t)le32(b) | (uint64_t)le32(b + 4) << 32;
}

uint32_t part_crc32(uint32_t crc, const void *data, size_t len)
{
	const uint8_t *b = data;

	crc = ~crc;
	for (size_t i = 0; i < len; i++) {
		crc ^= b[i];
		for (int k = 0; k < 8; k++)
			crc = (crc >> 1) ^ (0xedb88320u & -(crc & 1));
	}
	return ~crc;
}

static void clear(struct part_table *t)
{
	uint8_t *b = (uint8_t *)t;

	for (size_t i = 0; i < sizeof(*t); i++)
		b[i] = 0;
}

static int read_sector(struct parse *p, uint64_t lba)
{
	if (lba >= p->sectors)
		return fail(p, ERR_CORRUPT, "sector %lu is beyond the disk's %lu", lba, p->sectors);
	int e = p->read(p->ctx, lba, p->sec);
	if (e != ERR_OK)
		return fail(p, e, "cannot read sector %lu", lba);
	return ERR_OK;
}

/* Two used slots a, b must not share a sector. */
static int check_overlaps(struct parse *p)
{
	const struct part *s = p->t->slot;

	for (unsigned a = 0; a < p->t->nslots; a++)
		for (unsigned b = a + 1; s[a].count && b < p->t->nslots; b++)
			if (s[b].count && s[a].first < s[b].first + s[b].count &&
			    s[b].first < s[a].first + s[a].count)
				return fail(p, ERR_CORRUPT, "partitions %u and %u overlap", a + 1,
					    b + 1);
	return ERR_OK;
}

static void gpt_name(char *out, const uint8_t *utf16)
{
	unsigned i = 0;

	for (; i < PART_NAME_MAX; i++) {
		unsigned c = utf16[2 * i] | (unsigned)utf16[2 * i + 1] << 8;
		if (c == 0)
			break;
		out[i] = c >= 0x20 && c < 0x7f ? (char)c : '?';
	}
	out[i] = 0;
}

struct gpt_hdr {
	uint64_t first, last, ents_lba;
	uint32_t nents, ent_size, ents_crc;
};

/* Read and check the GPT header in sector lba (1, or the last one for the backup). */
static int gpt_header(struct parse *p, uint64_t lba, struct gpt_hdr *h)
{
	static const char sig[8] = "EFI PART";
	int e = read_sector(p, lba);

	if (e != ERR_OK)
		return e;
	for (int i = 0; i < 8; i++)
		if (p->sec[GH_SIG + i] != (uint8_t)sig[i])
			return fail(p, ERR_CORRUPT, "no GPT header signature in sector %lu", lba);
	uint32_t size = le32(p->sec + GH_SIZE), crc = le32(p->sec + GH_CRC);
	if (size < GPT_HDR_MIN || size > PART_SECTOR)
		return fail(p, ERR_CORRUPT, "GPT header size %u is not in 92..512", size);
	for (int i = 0; i < 4; i++)
		p->sec[GH_CRC + i] = 0;
	if (part_crc32(0, p->sec, size) != crc)
		return fail(p, ERR_CORRUPT, "GPT header CRC mismatch in sector %lu", lba);
	if (le64(p->sec + GH_MY_LBA) != lba)
		return fail(p, ERR_CORRUPT, "GPT header in sector %lu says it is at %lu", lba,
			    le64(p->sec + GH_MY_LBA));
	h->first = le64(p->sec + GH_FIRST);
	h->last = le64(p->sec + GH_LAST);
	h->ents_lba = le64(p->sec + GH_ENTS_LBA);
	h->nents = le32(p->sec + GH_NENTS);
	h->ent_size = le32(p->sec + GH_ENT_SIZE);
	h->ents_crc = le32(p->sec + GH_ENTS_CRC);
	if (h->ent_size < 128 || (h->ent_size & (h->ent_size - 1)))
		return fail(p, ERR_CORRUPT, "GPT entry size %u is not 128 times a power of two",
			    h->ent_size);
	if (h->ent_size > PART_SECTOR)
		return fail(p, ERR_UNSUPPORTED, "GPT entries of %u bytes (at most 512 taken)",
			    h->ent_size);
	if (h->nents > PART_GPT_MAX_ENTS)
		return fail(p, ERR_UNSUPPORTED, "%u GPT entries (at most %u taken)", h->nents,
			    PART_GPT_MAX_ENTS);
	if (h->first > h->last + 1 || h->first < 2)
		return fail(p, ERR_CORRUPT, "GPT usable range %lu..%lu is wrong", h->first,
			    h->last);
	uint64_t nsec = ((uint64_t)h->nents * h->ent_size + PART_SECTOR - 1) / PART_SECTOR;
	if (h->ents_lba < 2 || h->ents_lba >= p->sectors || nsec > p->sectors - h->ents_lba)
		return fail(p, ERR_CORRUPT, "GPT entry array at sector %lu lies outside the disk",
			    h->ents_lba);
	/* The entry array must not overlap the usable range or the header itself. */
	if ((h->ents_lba + nsec > h->first && h->ents_lba <= h->last) ||
	    (lba >= h->ents_lba && lba < h->ents_lba + nsec))
		return fail(p, ERR_CORRUPT, "GPT entry array overlaps the partitions or header");
	return ERR_OK;
}

/* Decode one entry into slot i, or check that it is empty when i >= PART_MAX. */
static int gpt_entry(struct parse *p, const struct gpt_hdr *h, unsigned i, const uint8_t *ent)
{
	int used = 0;

	for (int k = 0; k < 16; k++)
		used |= ent[GE_TYPE + k];
	if (!used)
		return ERR_OK;
	if (i >= PART_MAX)
		return fail(p, ERR_UNSUPPORTED, "GPT entry %u is used (at most %u taken)", i + 1,
			    PART_MAX);
	uint64_t first = le64(ent + GE_FIRST), last = le64(ent + GE_LAST);
	if (first > last || first < h->first || last > h->last)
		return fail(p, ERR_CORRUPT, "GPT entry %u: sectors %lu..%lu outside %lu..%lu",
			    i + 1, first, last, h->first, h->last);
	struct part *s = &p->t->slot[i];
	s->first = first;
	s->count = last - first + 1;
	for (int k = 0; k < 16; k++) {
		s->type[k] = ent[GE_TYPE + k];
		s->guid[k] = ent[GE_GUID + k];
	}
	s->attrs = le64(ent + GE_ATTRS);
	if (h->ent_size >= GE_NAME + 2 * PART_NAME_MAX)
		gpt_name(s->name, ent + GE_NAME);
	return ERR_OK;
}

/* Read the entry array of header h into the table, checking its CRC. */
static int gpt_entries(struct parse *p, const struct gpt_hdr *h)
{
	uint64_t bytes = (uint64_t)h->nents * h->ent_size;
	uint32_t crc = 0;
	unsigned per = PART_SECTOR / h->ent_size, i = 0;

	p->t->nslots = h->nents < PART_MAX ? h->nents : PART_MAX;
	for (uint64_t lba = h->ents_lba; bytes; lba++) {
		int e = read_sector(p, lba);
		if (e != ERR_OK)
			return e;
		uint64_t n = bytes < PART_SECTOR ? bytes : PART_SECTOR;
		crc = part_crc32(crc, p->sec, n);
		bytes -= n;
		for (unsigned k = 0; k < per && i < h->nents; k++, i++) {
			e = gpt_entry(p, h, i, p->sec + k * h->ent_size);
			if (e != ERR_OK)
				return e;
		}
	}
	if (crc != h->ents_crc)
		return fail(p, ERR_CORRUPT, "GPT entry array CRC mismatch");
	return check_overlaps(p);
}

static int gpt_parse(struct parse *p)
{
	struct gpt_hdr h;
	int e = gpt_header(p, 1, &h);

	if (e == ERR_OK)
		e = gpt_entries(p, &h);
	if (e == ERR_OK || e == ERR_UNSUPPORTED || p->sectors < 3)
		return e;
	/* The primary is damaged: try the backup in the last sector. */
	clear(p->t);
	p->t->kind = PART_GPT;
	p->t->backup = 1;
	e = gpt_header(p, p->sectors - 1, &h);
	if (e == ERR_OK)
		e = gpt_entries(p, &h);
	return e;
}

static int mbr_parse(struct parse *p)
{
	p->t->nslots = 4;
	for (unsigned i = 0; i < 4; i++) {
		const uint8_t *ent = p->sec + MBR_ENTRIES + 16 * i;
		struct part *s = &p->t->slot[i];
		uint32_t first = le32(ent + 8), count = le32(ent + 12);
		if (ent[4] == 0 || count == 0)
			continue;
		if (first == 0)
			return fail(p, ERR_CORRUPT, "MBR entry %u starts at sector 0", i + 1);
		s->first = first;
		s->count = count;
		s->type[0] = ent[4];
		s->attrs = ent[0] & 0x80;
	}
	return check_overlaps(p);
}

int part_parse(part_read_fn read, void *ctx, uint64_t disk_sectors, struct part_table *t, char *err,
	       size_t errlen)
{
	struct parse p = {read, ctx, disk_sectors, t, err, errlen, {0}};
	int e;

	if (err && errlen)
		err[0] = 0;
	clear(t);
	if (disk_sectors == 0)
		return ERR_OK;
	e = read_sector(&p, 0);
	if (e != ERR_OK)
		return e;
	if (p.sec[510] != 0x55 || p.sec[511] != 0xaa)
		return ERR_OK;
	int protective = 0;
	for (unsigned i = 0; i < 4; i++)
		if (p.sec[MBR_ENTRIES + 16 * i + 4] == MBR_PROTECTIVE)
			protective = 1;
	t->kind = protective ? PART_GPT : PART_MBR;
	e = protective ? gpt_parse(&p) : mbr_parse(&p);
	if (e != ERR_OK)
		clear(t);
	return e;
}
