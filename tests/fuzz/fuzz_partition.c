/*
 * libFuzzer target for lib/partition.c: the input is a disk image (its
 * whole 512-byte sectors; a trailing partial sector is ignored). The table
 * is parsed twice, once for the disk as given and once for a disk that
 * claims more sectors than the input has (reads past the input fail, as a
 * short disk's would). Checked: every sector read lies inside the claimed
 * disk, an error comes with a sentence and an empty table, and every used
 * slot of a table that parsed lies inside the disk (GPT) and overlaps no
 * other. Any violation aborts. Seed corpus: tests/fuzz/corpus/fuzz_partition/
 * (the sfdisk disks of tests/data and damaged copies).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lib/error.h"
#include "lib/partition.h"

struct disk {
	const uint8_t *b;
	uint64_t have;	  /* sectors in the input */
	uint64_t claimed; /* sectors the parser is told about */
};

static int disk_read(void *ctx, uint64_t lba, void *buf)
{
	struct disk *d = ctx;

	if (lba >= d->claimed)
		abort(); /* asked for a sector beyond the disk */
	if (lba >= d->have)
		return ERR_TIMEOUT;
	memcpy(buf, d->b + lba * PART_SECTOR, PART_SECTOR);
	return ERR_OK;
}

static void check(struct disk *d)
{
	static struct part_table t;
	char err[128];
	int e = part_parse(disk_read, d, d->claimed, &t, err, sizeof(err));

	if (e != ERR_OK) {
		if (e > 0 || e < ERR_LAST || (e != ERR_TIMEOUT && err[0] == 0))
			abort();
		if (t.kind != PART_NONE || t.nslots != 0)
			abort();
		return;
	}
	if (t.kind > PART_GPT || t.nslots > PART_MAX)
		abort();
	for (unsigned i = 0; i < t.nslots; i++) {
		const struct part *a = &t.slot[i];
		if (!a->count)
			continue;
		if (a->first + a->count < a->first || a->first == 0)
			abort();
		if (t.kind == PART_GPT && a->first + a->count > d->claimed)
			continue; /* a GPT's usable range may exceed a short disk */
		if (strnlen(a->name, sizeof(a->name)) > PART_NAME_MAX)
			abort();
		for (unsigned j = i + 1; j < t.nslots; j++) {
			const struct part *b = &t.slot[j];
			if (b->count && a->first < b->first + b->count &&
			    b->first < a->first + a->count)
				abort();
		}
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct disk d = {data, size / PART_SECTOR, size / PART_SECTOR};

	check(&d);
	d.claimed = d.have + 64;
	check(&d);
	return 0;
}
