#include "lib/sdcard.h"

uint8_t sd_crc7(const uint8_t *b, size_t n)
{
	uint8_t crc = 0; /* the 7 bits, kept in bits 6..0 */

	for (size_t i = 0; i < n; i++)
		for (int bit = 7; bit >= 0; bit--) {
			unsigned in = (b[i] >> bit & 1) ^ (crc >> 6 & 1);
			crc = (uint8_t)((crc << 1) & 0x7f);
			if (in)
				crc ^= 0x09;
		}
	return crc;
}

/*
 * A nibble at a time: nibble_crc[n] is the CRC register after shifting n
 * (in its top four bits) through the polynomial four times. Every byte of
 * a block read or written goes through here, so not a bit at a time.
 */
static const uint16_t nibble_crc[16] = {0x0000, 0x1021, 0x2042, 0x3063, 0x4084, 0x50a5,
					0x60c6, 0x70e7, 0x8108, 0x9129, 0xa14a, 0xb16b,
					0xc18c, 0xd1ad, 0xe1ce, 0xf1ef};

uint16_t sd_crc16(const uint8_t *b, size_t n)
{
	uint16_t crc = 0;

	for (size_t i = 0; i < n; i++) {
		crc = (uint16_t)(crc << 4 ^ nibble_crc[(crc >> 12) ^ (b[i] >> 4)]);
		crc = (uint16_t)(crc << 4 ^ nibble_crc[(crc >> 12) ^ (b[i] & 0xf)]);
	}
	return crc;
}

/* CSD bits [hi:lo] (bit 127 is the first byte's top bit), at most 32 of them. */
static uint32_t csd_bits(const uint8_t csd[16], unsigned hi, unsigned lo)
{
	uint32_t v = 0;

	for (unsigned bit = hi + 1; bit-- > lo;)
		v = v << 1 | (csd[15 - bit / 8] >> (bit % 8) & 1);
	return v;
}

uint64_t sd_csd_sectors(const uint8_t csd[16])
{
	switch (csd_bits(csd, 127, 126)) {
	case 0: { /* 1.0: (C_SIZE + 1) * 2^(C_SIZE_MULT + 2) blocks of 2^READ_BL_LEN bytes */
		uint64_t blocks = (uint64_t)(csd_bits(csd, 73, 62) + 1)
				  << (csd_bits(csd, 49, 47) + 2);
		unsigned bl_len = csd_bits(csd, 83, 80);
		return bl_len < 9 || bl_len > 11 ? 0 : blocks << (bl_len - 9);
	}
	case 1: /* version 2.0: (C_SIZE + 1) * 512 KiB, C_SIZE in [69:48] */
		return (uint64_t)(csd_bits(csd, 69, 48) + 1) * 1024;
	case 2: /* version 3.0: C_SIZE in [75:48] */
		return (uint64_t)(csd_bits(csd, 75, 48) + 1) * 1024;
	default:
		return 0;
	}
}
