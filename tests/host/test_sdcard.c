/*
 * Host tests for lib/sdcard.c: the command CRC7 of commands whose last
 * byte every SPI-mode driver knows by heart, the data CRC16 of the
 * specification's example, and card sizes from CSD registers of each
 * version built bit by bit.
 */
#include "lib/sdcard.h"

#include <stdint.h>
#include <string.h>

#include "tests/host/check.h"

static uint8_t cmd_crc(uint8_t cmd, uint32_t arg)
{
	uint8_t b[5] = {(uint8_t)(0x40 | cmd), (uint8_t)(arg >> 24), (uint8_t)(arg >> 16),
			(uint8_t)(arg >> 8), (uint8_t)arg};

	return (uint8_t)(sd_crc7(b, 5) << 1 | 1);
}

static void crc7(void)
{
	CHECK(cmd_crc(0, 0) == 0x95);
	CHECK(cmd_crc(8, 0x1aa) == 0x87);
	CHECK(cmd_crc(17, 0) == 0x55);
	CHECK(cmd_crc(55, 0) == 0x65);
	CHECK(cmd_crc(41, 0x40000000) == 0x77);
	CHECK(sd_crc7((const uint8_t *)"", 0) == 0);
}

static void crc16(void)
{
	uint8_t block[512];

	memset(block, 0xff, sizeof(block));
	CHECK(sd_crc16(block, sizeof(block)) == 0x7fa1); /* the spec's example (4.5) */
	CHECK(sd_crc16((const uint8_t *)"123456789", 9) == 0x31c3);
	CHECK(sd_crc16(block, 0) == 0);
	/* Against the polynomial a bit at a time. */
	for (unsigned i = 0; i < sizeof(block); i++)
		block[i] = (uint8_t)(i * 37 + (i >> 3));
	uint16_t slow = 0;
	for (unsigned i = 0; i < sizeof(block); i++) {
		slow ^= (uint16_t)(block[i] << 8);
		for (int k = 0; k < 8; k++)
			slow = (uint16_t)(slow & 0x8000 ? slow << 1 ^ 0x1021 : slow << 1);
	}
	CHECK(sd_crc16(block, sizeof(block)) == slow);
}

/* Set CSD bits [hi:lo] to v. */
static void put(uint8_t csd[16], unsigned hi, unsigned lo, uint32_t v)
{
	for (unsigned bit = lo; bit <= hi; bit++, v >>= 1) {
		uint8_t m = (uint8_t)(1u << (bit % 8));
		csd[15 - bit / 8] = (uint8_t)((csd[15 - bit / 8] & ~m) | (v & 1 ? m : 0));
	}
}

static void csd(void)
{
	uint8_t c[16];

	memset(c, 0, sizeof(c)); /* 1.0: 64 MiB = 256 * 2^9 blocks of 512 bytes */
	put(c, 83, 80, 9);
	put(c, 73, 62, 255);
	put(c, 49, 47, 7);
	CHECK(sd_csd_sectors(c) == 131072);
	put(c, 83, 80, 10); /* 1 KiB blocks: twice as many sectors */
	CHECK(sd_csd_sectors(c) == 262144);
	put(c, 83, 80, 12); /* not a block length the spec allows */
	CHECK(sd_csd_sectors(c) == 0);
	memset(c, 0xff, sizeof(c)); /* every other bit set: only the fields count */
	put(c, 127, 126, 0);
	put(c, 83, 80, 9);
	put(c, 73, 62, 255);
	put(c, 49, 47, 7);
	CHECK(sd_csd_sectors(c) == 131072);

	memset(c, 0, sizeof(c)); /* 2.0: (C_SIZE + 1) * 512 KiB */
	put(c, 127, 126, 1);
	put(c, 69, 48, 0x3b37);
	CHECK(sd_csd_sectors(c) == 0x3b38ull * 1024);
	put(c, 69, 48, 0x3fffff);
	CHECK(sd_csd_sectors(c) == 0x400000ull * 1024); /* 2 TiB */
	put(c, 127, 126, 2);
	put(c, 75, 48, 0xfffffff);
	CHECK(sd_csd_sectors(c) == 0x10000000ull * 1024);
	put(c, 127, 126, 3);
	CHECK(sd_csd_sectors(c) == 0);
}

int main(void)
{
	check_suite = "sdcard";
	RUN(crc7);
	RUN(crc16);
	RUN(csd);
	return check_done();
}
