/*
 * SD memory cards in SPI mode: the parts of the SD Physical Layer
 * Simplified Specification (sections 4.5, 5.3 and 7) that are plain
 * computation — the CRCs and the card's size from its CSD register — kept
 * freestanding so that host tests reach them. The driver is user/blk/sd.c.
 */
#ifndef STRATA_LIB_SDCARD_H
#define STRATA_LIB_SDCARD_H

#include <stddef.h>
#include <stdint.h>

/*
 * The CRC7 of a command (polynomial x^7 + x^3 + 1, from 0) over its first
 * n bytes; a command's sixth byte is crc7 << 1 | 1.
 */
uint8_t sd_crc7(const uint8_t *b, size_t n);

/* The CRC16 of a data block (CRC-CCITT, polynomial x^16 + x^12 + x^5 + 1, from 0). */
uint16_t sd_crc16(const uint8_t *b, size_t n);

/*
 * The card's capacity in 512-byte sectors from its 16-byte CSD register
 * (as sent, most significant byte first): CSD version 1.0 (SDSC: C_SIZE,
 * C_SIZE_MULT, READ_BL_LEN), 2.0 (SDHC/SDXC) or 3.0 (SDUC: C_SIZE in 512
 * KiB units). 0 for a reserved CSD_STRUCTURE.
 */
uint64_t sd_csd_sectors(const uint8_t csd[16]);

#endif
