/*
 * The blk protocol: messages to the block-device server (user/blk).
 *
 * blk drives one disk: a virtio-blk device (virt) or the SD card on SPI
 * (sifive_u, the HiFive Unleashed). Clients — pagers and file servers:
 * mem's swap, fs — read and write 512-byte sectors of a partition straight
 * into and out of pages of a frame they pass in the message (no bounce
 * buffer: virtio DMAs into the client's frame; for the SD card blk maps the
 * frame and copies through the SPI FIFO). The frame is held by blk until
 * the device is done with it, so a client that dies in the middle of a
 * request frees nothing the device still writes to.
 *
 * Partitions are addressed by index: 0 is the whole disk, 1.. are the slots
 * of the partition table (GPT entries in table order, or the four MBR
 * primaries), as Linux numbers vda1, vda2, ... A request is checked against
 * its partition's end and the disk's capacity before it is issued.
 *
 * Every request is a SYS_CALL. Data requests carry the frame as handle 0
 * (with the rights below); other handles are closed unread. blk serves
 * many requests at once (one thread per request in flight), so clients may
 * have as many calls outstanding as they have threads.
 *
 * DMA addresses (see docs/user-space.md, "blk"): a client lends an
 * ordinary frame (sys_frame_alloc) and never learns where it lies; blk
 * learns its physical address with SYS_FRAME_PHYS (root gives blk the
 * system object's DEVICE right, and nothing else of it) and points the
 * device at it. blk keeps the frame's handle until the device is done, so
 * the frame cannot be freed under the transfer.
 */
#ifndef STRATA_LIB_USER_BLK_PROTO_H
#define STRATA_LIB_USER_BLK_PROTO_H

#include "lib/abi.h"

#define BLK_SECTOR	512
#define BLK_MAX_SECTORS 2048 /* 1 MiB per request at most (see BLK_INFO w3) */
#define BLK_NAME_WORD	5    /* BLK_PART: the name from word 5 on */
#define BLK_NAME_WORDS	5    /* 40 bytes, NUL-padded ASCII */

/*
 * The rights a data request's frame needs (the handle as it arrives in
 * blk). MAP: a disk without DMA (the SD card on SPI) is fed through the
 * CPU, and blk maps the frame for the transfer; a frame mapped writable
 * must be readable too. Every disk asks the same rights.
 */
#define BLK_READ_RIGHTS	 (RIGHT_READ | RIGHT_WRITE | RIGHT_MAP)
#define BLK_WRITE_RIGHTS (RIGHT_READ | RIGHT_MAP)

/* BLK_INFO w2 flags. */
#define BLK_F_RO     (1u << 0) /* the disk is read-only: writes get ERR_PERM */
#define BLK_F_FLUSH  (1u << 1) /* the device has a write cache that BLK_FLUSH empties */
#define BLK_F_MODERN (1u << 2) /* virtio-mmio version 2 (else legacy, version 1; never for SD) */

/* clang-format off */
enum blk_label {
	/*
	 * -> w0 = capacity in sectors, w1 = partition slots (indexes 1..w1),
	 * w2 = BLK_F_* flags, w3 = most sectors per request, w4 = table kind
	 * (lib/partition.h enum part_kind: 0 none, 1 MBR, 2 GPT).
	 */
	BLK_INFO  = 0x500,
	/*
	 * w0 = partition index -> w0 = first sector on the disk, w1 = sectors,
	 * w2, w3 = GPT type GUID bytes 0..7 and 8..15 as stored on disk (little
	 * endian words; MBR: w2 = the type byte), w4 = attributes; words
	 * 5..9 = the GPT name (NUL-padded ASCII; needs the client's IPC buffer).
	 * Index 0 describes the whole disk. ERR_NOENT: an empty or absent slot.
	 */
	BLK_PART  = 0x501,
	/*
	 * Handle 0 = frame, w0 = partition index, w1 = first sector in the
	 * partition, w2 = sectors (1..BLK_INFO w3), w3 = byte offset in the
	 * frame (a multiple of 512) -> w0 = sectors transferred (all of them).
	 * BLK_READ fills the frame from the disk (the frame needs
	 * BLK_READ_RIGHTS), BLK_WRITE writes it to the disk (BLK_WRITE_RIGHTS).
	 * Errors: ERR_INVALID (no frame, not a frame, 0 sectors, a device
	 * register frame), ERR_PERM (a right missing, the disk is read-only),
	 * ERR_NOENT (no such partition), ERR_RANGE (beyond the partition, the
	 * disk or the frame, or too many sectors), ERR_ALIGN (offset),
	 * ERR_IO (the device reported an error), ERR_UNSUPPORTED (the device
	 * refused the request).
	 */
	BLK_READ  = 0x502,
	BLK_WRITE = 0x503,
	/* Write the device's cache to the disk (a no-op without BLK_F_FLUSH). */
	BLK_FLUSH = 0x504,
	/*
	 * -> w0 = requests completed, w1 = most requests ever in flight at
	 * once, w2 = requests the device failed, w3 = requests in flight now.
	 */
	BLK_STATS = 0x505,
};
/* clang-format on */

#endif
