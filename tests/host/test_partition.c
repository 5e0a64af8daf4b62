/*
 * Host tests for lib/partition.c. The disks come from sfdisk (util-linux),
 * with fixed ids so the files are reproducible:
 *   tests/data/gpt-small.img: 48 KiB, GPT, "root" (linux, sectors 34..57)
 *     and "swap" (58..61):
 *       truncate -s 48K gpt-small.img; printf 'label: gpt\n
 *       label-id: 53545241-5441-4000-8000-000000000001\nfirst-lba: 34\n
 *       start=34, size=24, type=linux, name="root", uuid=...0002\n
 *       start=58, size=4, type=swap, name="swap", uuid=...0003\n' | sfdisk -q gpt-small.img
 *   tests/data/mbr-small.img: 8 KiB, DOS label 0x53545241, sectors 1..5
 *     type 83 (bootable) and 6..13 type 82.
 * Damaged variants are made here: bytes flipped, CRCs recomputed where a
 * check behind the CRC is the target. Run from the repository root.
 */
#include "lib/partition.h"

#include <stdint.h>
#include <string.h>

#include "lib/error.h"
#include "tests/host/check.h"
#include "tests/host/fixture.h"

struct disk {
	uint8_t *b;
	uint64_t sectors;
	int fail_lba; /* a sector whose read fails, or -1 */
	unsigned reads;
};

static int disk_read(void *ctx, uint64_t lba, void *buf)
{
	struct disk *d = ctx;

	d->reads++;
	if ((int64_t)lba == d->fail_lba)
		return ERR_TIMEOUT;
	if (lba >= d->sectors)
		return ERR_RANGE; /* the parser must not ask */
	memcpy(buf, d->b + lba * PART_SECTOR, PART_SECTOR);
	return ERR_OK;
}

static struct disk open_disk(const char *path)
{
	struct blob bl = load(path);

	return (struct disk){bl.data, bl.len / PART_SECTOR, -1, 0};
}

static int parse(struct disk *d, struct part_table *t, char *err, size_t n)
{
	return part_parse(disk_read, d, d->sectors, t, err, n);
}

static void put32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static void put64(uint8_t *p, uint64_t v)
{
	put32(p, (uint32_t)v);
	put32(p + 4, (uint32_t)(v >> 32));
}

/*
 * Recompute the entry-array CRC (when the array the header names is on the
 * disk) and the header CRC of the GPT header in sector lba.
 */
static void gpt_fix(struct disk *d, uint64_t lba)
{
	uint8_t *h = d->b + lba * PART_SECTOR;
	uint64_t ents = 0;
	uint32_t n, size;

	memcpy(&ents, h + 72, 8);
	memcpy(&n, h + 80, 4);
	memcpy(&size, h + 84, 4);
	if (ents < d->sectors && (uint64_t)n * size <= (d->sectors - ents) * PART_SECTOR)
		put32(h + 88, part_crc32(0, d->b + ents * PART_SECTOR, (size_t)n * size));
	put32(h + 16, 0);
	put32(h + 16, part_crc32(0, h, 92));
}

static uint8_t *primary_entry(struct disk *d, unsigned i)
{
	return d->b + 2 * PART_SECTOR + 128 * i;
}

/* The sfdisk layout, as read from either header. */
static void check_small_gpt(const struct part_table *t)
{
	CHECK(t->kind == PART_GPT && t->nslots == 128);
	CHECK(t->slot[0].first == 34 && t->slot[0].count == 24);
	CHECK(memcmp(t->slot[0].type, part_type_linux_fs, 16) == 0);
	CHECK(strcmp(t->slot[0].name, "root") == 0);
	CHECK(t->slot[0].guid[15] == 2 && t->slot[0].guid[0] == 0x41);
	CHECK(t->slot[1].first == 58 && t->slot[1].count == 4);
	CHECK(memcmp(t->slot[1].type, part_type_linux_swap, 16) == 0);
	CHECK(strcmp(t->slot[1].name, "swap") == 0);
	for (unsigned i = 2; i < t->nslots; i++)
		CHECK(t->slot[i].count == 0);
}

static int table_is_empty(const struct part_table *t)
{
	return t->kind == PART_NONE && t->nslots == 0 && t->slot[0].count == 0;
}

static void crc32_known(void)
{
	CHECK(part_crc32(0, "123456789", 9) == 0xcbf43926u);
	CHECK(part_crc32(part_crc32(0, "1234", 4), "56789", 5) == 0xcbf43926u);
	CHECK(part_crc32(0, "", 0) == 0);
}

static void gpt_sfdisk(void)
{
	struct disk d = open_disk("tests/data/gpt-small.img");
	struct part_table t;
	char err[128];

	CHECK(d.sectors == 96);
	CHECK(parse(&d, &t, err, sizeof(err)) == ERR_OK);
	CHECK(!t.backup && err[0] == 0);
	check_small_gpt(&t);
	free(d.b);
}

static void gpt_backup_header(void)
{
	struct disk d = open_disk("tests/data/gpt-small.img");
	struct part_table t;
	char err[128];

	d.b[PART_SECTOR + 20] ^= 1; /* the primary header's CRC */
	CHECK(parse(&d, &t, err, sizeof(err)) == ERR_OK);
	CHECK(t.backup);
	check_small_gpt(&t);
	/* And a damaged primary entry array. */
	d.b[PART_SECTOR + 20] ^= 1;
	primary_entry(&d, 0)[40] ^= 1;
	CHECK(parse(&d, &t, err, sizeof(err)) == ERR_OK);
	CHECK(t.backup);
	check_small_gpt(&t);
	/* Both gone: an error with a sentence, and an empty table. */
	memset(d.b + 95 * PART_SECTOR, 0, PART_SECTOR);
	CHECK(parse(&d, &t, err, sizeof(err)) == ERR_CORRUPT);
	CHECK(err[0] != 0 && table_is_empty(&t));
	free(d.b);
}

/* Damage the primary and remove the backup, so the primary's check is what fails. */
static int damaged(void (*damage)(struct disk *), int fix)
{
	struct disk d = open_disk("tests/data/gpt-small.img");
	struct part_table t;
	char err[128];

	memset(d.b + 95 * PART_SECTOR, 0, PART_SECTOR);
	damage(&d);
	if (fix)
		gpt_fix(&d, 1);
	int e = parse(&d, &t, err, sizeof(err));
	if (e != ERR_OK && (!err[0] || !table_is_empty(&t)))
		e = 1; /* an error must come with a sentence and an empty table */
	free(d.b);
	return e;
}

static void overlap(struct disk *d)
{
	put64(primary_entry(d, 1) + 32, 57); /* swap starts in root's last sector */
}
static void before_usable(struct disk *d)
{
	put64(primary_entry(d, 0) + 32, 33);
}
static void after_usable(struct disk *d)
{
	put64(primary_entry(d, 1) + 40, 63);
}
static void last_before_first(struct disk *d)
{
	put64(primary_entry(d, 0) + 40, 30);
}
static void entry_size_odd(struct disk *d)
{
	put32(d->b + PART_SECTOR + 84, 192);
}
static void entry_size_big(struct disk *d)
{
	put32(d->b + PART_SECTOR + 84, 1024);
	put32(d->b + PART_SECTOR + 80, 8);
}
static void too_many_entries(struct disk *d)
{
	put32(d->b + PART_SECTOR + 80, PART_GPT_MAX_ENTS + 1);
}
static void entries_off_disk(struct disk *d)
{
	put64(d->b + PART_SECTOR + 72, 90);
}
static void entries_in_usable(struct disk *d)
{
	put64(d->b + PART_SECTOR + 72, 34);
}
static void header_size_small(struct disk *d)
{
	put32(d->b + PART_SECTOR + 12, 91);
}
static void wrong_my_lba(struct disk *d)
{
	put64(d->b + PART_SECTOR + 24, 2);
}
static void usable_backwards(struct disk *d)
{
	put64(d->b + PART_SECTOR + 40, 70);
}
static void signature(struct disk *d)
{
	d->b[PART_SECTOR] = 'e';
}
static void nothing(struct disk *d)
{
	(void)d;
}

static void gpt_damage(void)
{
	CHECK(damaged(nothing, 0) == ERR_OK);
	CHECK(damaged(nothing, 1) == ERR_OK); /* gpt_fix itself changes nothing */
	CHECK(damaged(overlap, 1) == ERR_CORRUPT);
	CHECK(damaged(before_usable, 1) == ERR_CORRUPT);
	CHECK(damaged(after_usable, 1) == ERR_CORRUPT);
	CHECK(damaged(last_before_first, 1) == ERR_CORRUPT);
	CHECK(damaged(entry_size_odd, 1) == ERR_CORRUPT);
	CHECK(damaged(entry_size_big, 1) == ERR_UNSUPPORTED);
	CHECK(damaged(too_many_entries, 1) == ERR_UNSUPPORTED);
	CHECK(damaged(entries_off_disk, 1) == ERR_CORRUPT);
	CHECK(damaged(entries_in_usable, 1) == ERR_CORRUPT);
	CHECK(damaged(header_size_small, 1) == ERR_CORRUPT);
	CHECK(damaged(wrong_my_lba, 1) == ERR_CORRUPT);
	CHECK(damaged(usable_backwards, 1) == ERR_CORRUPT);
	CHECK(damaged(signature, 0) == ERR_CORRUPT);
	CHECK(damaged(overlap, 0) == ERR_CORRUPT); /* without fixing: the CRC */
}

/* A used entry beyond PART_MAX is refused; empty ones are fine. */
static void gpt_entry_beyond_max(void)
{
	struct disk d = open_disk("tests/data/gpt-small.img");
	struct part_table t;
	char err[128];

	memset(d.b + 95 * PART_SECTOR, 0, PART_SECTOR);
	/* 129 entries of 128 bytes: the array now ends in sector 34; move usable up. */
	put32(d.b + PART_SECTOR + 80, PART_MAX + 1);
	put64(d.b + PART_SECTOR + 40, 35);
	memcpy(primary_entry(&d, 0) + 32, "\x24\0\0\0\0\0\0\0", 8); /* root from 36 */
	gpt_fix(&d, 1);
	CHECK(parse(&d, &t, err, sizeof(err)) == ERR_OK);
	CHECK(t.nslots == PART_MAX && t.slot[0].first == 36 && t.slot[0].count == 22);
	memcpy(primary_entry(&d, PART_MAX), primary_entry(&d, 1), 128);
	memset(primary_entry(&d, 1), 0, 128);
	gpt_fix(&d, 1);
	CHECK(parse(&d, &t, err, sizeof(err)) == ERR_UNSUPPORTED);
	free(d.b);
}

/* A disk shorter than its table: the table still reads; bounds are the driver's business. */
static void gpt_short_disk(void)
{
	struct disk d = open_disk("tests/data/gpt-small.img");
	struct part_table t;
	char err[128];

	d.sectors = 60;
	CHECK(parse(&d, &t, err, sizeof(err)) == ERR_OK);
	check_small_gpt(&t);
	/* Too short for the entry array: corrupt, and no read past the end. */
	d.sectors = 20;
	CHECK(parse(&d, &t, err, sizeof(err)) == ERR_CORRUPT);
	free(d.b);
}

static void read_errors(void)
{
	struct disk d = open_disk("tests/data/gpt-small.img");
	struct part_table t;
	char err[128];

	d.fail_lba = 0;
	CHECK(parse(&d, &t, err, sizeof(err)) == ERR_TIMEOUT && table_is_empty(&t));
	d.fail_lba = 5; /* in the primary entry array: the backup's array is read instead */
	CHECK(parse(&d, &t, err, sizeof(err)) == ERR_OK && t.backup);
	d.fail_lba = 1;
	CHECK(parse(&d, &t, err, sizeof(err)) == ERR_OK && t.backup);
	memset(d.b + 95 * PART_SECTOR, 0, PART_SECTOR);
	CHECK(parse(&d, &t, err, sizeof(err)) == ERR_CORRUPT && table_is_empty(&t));
	free(d.b);
}

static void mbr_sfdisk(void)
{
	struct disk d = open_disk("tests/data/mbr-small.img");
	struct part_table t;
	char err[128];

	CHECK(parse(&d, &t, err, sizeof(err)) == ERR_OK);
	CHECK(t.kind == PART_MBR && t.nslots == 4);
	CHECK(t.slot[0].first == 1 && t.slot[0].count == 5 && t.slot[0].type[0] == 0x83);
	CHECK(t.slot[0].attrs == 0x80);
	CHECK(t.slot[1].first == 6 && t.slot[1].count == 8 && t.slot[1].type[0] == 0x82);
	CHECK(t.slot[1].attrs == 0 && t.slot[1].name[0] == 0);
	CHECK(t.slot[2].count == 0 && t.slot[3].count == 0);
	/* Overlapping entries and an entry at sector 0 are corrupt. */
	put32(d.b + 446 + 16 + 8, 5);
	CHECK(parse(&d, &t, err, sizeof(err)) == ERR_CORRUPT && table_is_empty(&t));
	put32(d.b + 446 + 16 + 8, 0);
	CHECK(parse(&d, &t, err, sizeof(err)) == ERR_CORRUPT);
	free(d.b);
}

static void no_table(void)
{
	uint8_t b[4 * PART_SECTOR] = {0};
	struct disk d = {b, 4, -1, 0};
	struct part_table t;

	CHECK(parse(&d, &t, NULL, 0) == ERR_OK && table_is_empty(&t));
	d.sectors = 0;
	CHECK(parse(&d, &t, NULL, 0) == ERR_OK && table_is_empty(&t) && d.reads == 1);
	/* A protective MBR on a disk with no GPT header: corrupt. */
	b[510] = 0x55;
	b[511] = 0xaa;
	b[446 + 4] = 0xee;
	d.sectors = 4;
	CHECK(parse(&d, &t, NULL, 0) == ERR_CORRUPT);
}

int main(void)
{
	check_suite = "partition";
	RUN(crc32_known);
	RUN(gpt_sfdisk);
	RUN(gpt_backup_header);
	RUN(gpt_damage);
	RUN(gpt_entry_beyond_max);
	RUN(gpt_short_disk);
	RUN(read_errors);
	RUN(mbr_sfdisk);
	RUN(no_table);
	return check_done();
}
