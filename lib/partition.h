/*
 * Reader for disk partition tables: GPT (UEFI 2.x, "EFI PART") and the
 * classic MBR (four primary entries). The disk is read through a callback,
 * one 512-byte sector at a time, so the same code runs in the blk driver,
 * in host tests and under the fuzzer.
 *
 *   LBA 0        MBR: boot code, 4 entries at 446, 0x55 0xaa at 510.
 *                A GPT disk has a protective MBR (one entry of type 0xee).
 *   LBA 1        GPT header: "EFI PART", sizes, CRC32s, entry array LBA
 *   LBA 2..      GPT entries (usually 128 of 128 bytes: 32 sectors)
 *   ...          partitions
 *   last LBAs    backup entries, backup header (last sector)
 *
 * Every field is checked: header and entry-array CRC32s, locations inside
 * the disk, entries inside the usable range and not overlapping. A damaged
 * primary GPT header falls back to the backup header in the last sector.
 */
#ifndef STRATA_LIB_PARTITION_H
#define STRATA_LIB_PARTITION_H

#include <stddef.h>
#include <stdint.h>

#define PART_SECTOR	  512
#define PART_MAX	  128  /* slots kept; GPT entries beyond must be empty */
#define PART_GPT_MAX_ENTS 1024 /* GPT entry arrays larger than this are refused */
#define PART_NAME_MAX	  36   /* GPT names are 36 UTF-16 code units */

enum part_kind {
	PART_NONE = 0, /* no partition table: the disk is one piece */
	PART_MBR = 1,
	PART_GPT = 2,
};

/* One slot of the table. A slot with count 0 is empty. */
struct part {
	uint64_t first;	  /* first sector (LBA on the disk) */
	uint64_t count;	  /* sectors; 0: unused slot */
	uint8_t type[16]; /* GPT type GUID as stored on disk; MBR: type[0] = the type byte */
	uint8_t guid[16]; /* GPT unique partition GUID (zero for MBR) */
	uint64_t attrs;	  /* GPT attribute bits; MBR: 0x80 if marked bootable */
	char name[PART_NAME_MAX + 1]; /* GPT name in ASCII ('?' for other characters) */
};

struct part_table {
	unsigned kind;	 /* enum part_kind */
	unsigned nslots; /* slots: 4 for MBR, the GPT entry count (at most PART_MAX) */
	int backup;	 /* GPT: read from the backup header (the primary was damaged) */
	struct part slot[PART_MAX];
};

/*
 * Read sector lba into buf (PART_SECTOR bytes); ERR_OK or an error, which
 * part_parse passes on.
 */
typedef int (*part_read_fn)(void *ctx, uint64_t lba, void *buf);

/*
 * Read the partition table of a disk of disk_sectors sectors into *t.
 * ERR_OK with t->kind PART_NONE when sector 0 has no MBR signature;
 * ERR_CORRUPT (a sentence in err) for a table that is damaged, ERR_UNSUPPORTED
 * for a valid GPT this reader does not take (entries larger than 512 bytes,
 * more than PART_GPT_MAX_ENTS entries, a used entry beyond PART_MAX), or the
 * read callback's error. On error *t is left as PART_NONE with no slots.
 */
int part_parse(part_read_fn read, void *ctx, uint64_t disk_sectors, struct part_table *t, char *err,
	       size_t errlen);

/* The standard CRC-32 (IEEE 802.3, reflected, as GPT and zlib use), continued from crc. */
uint32_t part_crc32(uint32_t crc, const void *data, size_t len);

/* Well-known GPT type GUIDs in on-disk byte order. */
extern const uint8_t part_type_linux_fs[16];   /* 0fc63daf-8483-4772-8e79-3d69d8477de4 */
extern const uint8_t part_type_linux_swap[16]; /* 0657fd6d-a4ab-43c4-84e5-0933c84b4f4f */

#endif
