/*
 * Backend: an SD memory card in SPI mode (SD Physical Layer Simplified
 * Specification, chapter 7), behind the SiFive SPI controller (spi.c).
 *
 * Start-up (7.2.1): 80 clocks deselected, CMD0 (GO_IDLE_STATE) until the
 * card is idle, CMD8 (SEND_IF_COND, 2.7-3.6 V, check pattern 0xaa: only
 * version 2.00 cards know it), ACMD41 (CMD55 + SD_SEND_OP_COND, HCS set for
 * version 2.00 cards) until the card leaves the idle state, CMD58
 * (READ_OCR): CCS says block addressing (SDHC/SDXC: the argument is a
 * sector) or byte addressing (SDSC: sector * 512, after CMD16 sets 512-byte
 * blocks), then CMD59 turns CRC checking on and CMD9 (SEND_CSD) gives the
 * capacity (lib/sdcard.c). The clock is 400 kHz until then, 20 MHz after.
 *
 * Transfers: CMD17 (one block) or CMD18 (several, ended by CMD12) to read;
 * CMD24 (one block, token 0xfe) or CMD25 (several, token 0xfc each, stop
 * token 0xfd) to write, each block's data response checked and the busy
 * signal waited out. Every command carries its CRC7 and every block its
 * CRC16, and the CRC16 of every block read is checked. (QEMU 7.2's card
 * model checks neither; a real card in SPI mode checks them after CMD59.)
 *
 * One card, one bus: the workers take turns (a hand-off queue, so that a
 * waiting worker sleeps on its notification instead of spinning), and the
 * data moves between the FIFO and the client's frame, which the request
 * layer has mapped (blk.maps). Every wait is bounded by the spec's
 * timeouts; one that runs out fails the request with ERR_IO, says so on the
 * console, and leaves the card ready for the next command.
 */
#include "lib/error.h"
#include "lib/sdcard.h"
#include "lib/str.h"
#include "lib/user/blk_proto.h"
#include "lib/user/spinlock.h"
#include "lib/user/syscall.h"
#include "lib/user/ulib.h"
#include "user/blk/blk.h"
#include "user/blk/spi.h"

#define MS 1000000ul /* nanoseconds */

#define INIT_HZ	   400000u
#define FAST_HZ	   20000000u
#define INIT_LIMIT (1000 * MS) /* ACMD41 (4.2.3: 1 s) */
#define READ_LIMIT (100 * MS)  /* start of a data block (4.6.2.1) */
#define BUSY_LIMIT (500 * MS)  /* programming a block (4.6.2.2: 250 ms; SDXC 500 ms) */
#define NCR_MAX	   16	       /* bytes until a response (7.5.4: 1 to 8) */
/*
 * Sectors per request: a request holds the one bus until it is done and
 * the bytes go through the CPU (at 20 MHz, 2.5 MB/s; about as fast under
 * QEMU, whose every FIFO access is a trip into the device model), so 128
 * KiB at most keeps the wait of the clients behind it near 0.1 s.
 */
#define SD_MAX_SECTORS 256

/* R1 bits (7.3.2.1). */
#define R1_IDLE	   0x01
#define R1_ILLEGAL 0x04

/* Tokens (7.3.3). */
#define TOKEN_BLOCK	   0xfe /* start block: CMD17, CMD18, CMD24 */
#define TOKEN_MULTI	   0xfc /* start block: CMD25 */
#define TOKEN_STOP	   0xfd /* stop transmission: CMD25 */
#define DATA_RESP_MASK	   0x1f
#define DATA_RESP_ACCEPTED 0x05

#define OCR_BUSY (1u << 31) /* power-up done: CCS valid */
#define OCR_CCS	 (1u << 30)

#define SLOT_BIT 1ull

static struct {
	bool block_addr; /* SDHC/SDXC: arguments are sectors */
	/* The bus: held by one worker; the others wait in order, each on its notification. */
	struct spinlock lock;
	bool held;
	unsigned waiting[NSLOTS_MAX], head, count;
	handle_t turn[NSLOTS_MAX];
} sd;

/* ------------------------------------------------------------ the bus */

static void bus_take(unsigned slot)
{
	spin_lock(&sd.lock);
	if (!sd.held) {
		sd.held = true;
		spin_unlock(&sd.lock);
		return;
	}
	sd.waiting[(sd.head + sd.count++) % NSLOTS_MAX] = slot;
	spin_unlock(&sd.lock);
	uint64_t bits;
	sys_notify_wait(sd.turn[slot], &bits); /* bus_give hands it to us */
}

static void bus_give(void)
{
	spin_lock(&sd.lock);
	if (sd.count == 0) {
		sd.held = false;
		spin_unlock(&sd.lock);
		return;
	}
	unsigned next = sd.waiting[sd.head];
	sd.head = (sd.head + 1) % NSLOTS_MAX;
	sd.count--;
	spin_unlock(&sd.lock);
	sys_notify_signal(sd.turn[next], SLOT_BIT);
}

/* ------------------------------------------------------------ commands */

/* Read bytes until one is not 0xff (or limit ns pass): it, or -1. */
static int wait_byte(uint64_t limit)
{
	uint64_t end = sys_clock() + limit;

	for (unsigned n = 0;; n++) {
		int b = spi_byte(0xff);
		if (b != 0xff)
			return b;
		if (n >= 8 && sys_clock() > end)
			return -1;
	}
}

/* Wait until the card stops holding the line low (busy): ERR_OK, or ERR_IO after limit ns. */
static int wait_ready(uint64_t limit)
{
	uint64_t end = sys_clock() + limit;

	for (unsigned n = 0;; n++) {
		int b = spi_byte(0xff);
		if (b == 0xff)
			return ERR_OK;
		if (b < 0 || (n >= 8 && sys_clock() > end))
			return ERR_IO;
	}
}

/*
 * Send command cmd with arg (and its CRC7); the R1 response, or -1 if the
 * card is busy too long or never answers. Extra response bytes (R3, R7)
 * are the caller's to read. CMD12 comes in the middle of a data stream:
 * no waiting for the card first, and the byte after it is a stuff byte.
 */
static int command(unsigned cmd, uint32_t arg)
{
	uint8_t c[6] = {(uint8_t)(0x40 | cmd), (uint8_t)(arg >> 24), (uint8_t)(arg >> 16),
			(uint8_t)(arg >> 8),   (uint8_t)arg,	     0};

	if (cmd != 0 && cmd != 12 && wait_ready(BUSY_LIMIT) != ERR_OK)
		return -1;
	c[5] = (uint8_t)(sd_crc7(c, 5) << 1 | 1);
	if (spi_xfer(c, 0, 6) != ERR_OK || (cmd == 12 && spi_byte(0xff) < 0))
		return -1;
	for (unsigned i = 0; i < NCR_MAX; i++) {
		int b = spi_byte(0xff);
		if (b < 0)
			return -1;
		if (!(b & 0x80))
			return b;
	}
	return -1;
}

/* An application command: CMD55, then cmd. */
static int app_command(unsigned cmd, uint32_t arg)
{
	int r = command(55, 0);

	return r < 0 || (r & ~R1_IDLE) ? r : command(cmd, arg);
}

/* The 4 bytes after an R3/R7 R1, most significant first. */
static int read_u32(uint32_t *v)
{
	uint8_t b[4];
	int e = spi_xfer(0, b, 4);

	*v = (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
	return e;
}

/* Receive one data block of n bytes into buf, with its CRC16 checked: ERR_OK or ERR_IO. */
static int read_block(uint8_t *buf, size_t n, const char **why)
{
	uint8_t crc[2];
	int t = wait_byte(READ_LIMIT);

	if (t != TOKEN_BLOCK) {
		*why = t < 0 ? "no data within 100 ms" : "the card sent an error token";
		return ERR_IO;
	}
	if (spi_xfer(0, buf, n) != ERR_OK || spi_xfer(0, crc, 2) != ERR_OK) {
		*why = "the SPI controller stalled";
		return ERR_IO;
	}
	if ((uint16_t)(crc[0] << 8 | crc[1]) != sd_crc16(buf, n)) {
		*why = "CRC16 mismatch";
		return ERR_IO;
	}
	return ERR_OK;
}

/* Send one data block of 512 bytes after token, and wait while the card programs it. */
static int write_block(uint8_t token, const uint8_t *buf, const char **why)
{
	uint16_t crc = sd_crc16(buf, BLK_SECTOR);
	uint8_t tail[2] = {(uint8_t)(crc >> 8), (uint8_t)crc};

	if (spi_byte(0xff) < 0 || spi_byte(token) < 0 || spi_xfer(buf, 0, BLK_SECTOR) != ERR_OK ||
	    spi_xfer(tail, 0, 2) != ERR_OK) {
		*why = "the SPI controller stalled";
		return ERR_IO;
	}
	int r = wait_byte(READ_LIMIT);
	if (r < 0 || (r & DATA_RESP_MASK) != DATA_RESP_ACCEPTED) {
		*why = r < 0			      ? "no data response"
		       : (r & DATA_RESP_MASK) == 0x0b ? "the card saw a CRC error"
						      : "the card failed to write";
		return ERR_IO;
	}
	if (wait_ready(BUSY_LIMIT) != ERR_OK) {
		*why = "the card stayed busy over 500 ms";
		return ERR_IO;
	}
	return ERR_OK;
}

/* Leave the bus: deselect, then 8 clocks so that the card lets go of its output. */
static void release(void)
{
	spi_deselect();
	spi_byte(0xff);
}

/* ------------------------------------------------------------ transfers */

static int sd_read(const struct blk_io *io, const char **why)
{
	uint32_t n = io->bytes / BLK_SECTOR;
	uint32_t arg = (uint32_t)(sd.block_addr ? io->sector : io->sector * BLK_SECTOR);
	int r = command(n == 1 ? 17 : 18, arg), e = ERR_OK;

	if (r != 0) {
		*why = r < 0 ? "no response to the read command" : "the read command was refused";
		return ERR_IO;
	}
	for (uint32_t i = 0; i < n && e == ERR_OK; i++)
		e = read_block(io->va + (size_t)i * BLK_SECTOR, BLK_SECTOR, why);
	if (n > 1 || e != ERR_OK) {
		/* CMD12 ends the stream: R1b (7.2.3). */
		int s = command(12, 0);
		if (s < 0 && e == ERR_OK) {
			*why = "no response to STOP_TRANSMISSION";
			e = ERR_IO;
		}
		if (wait_ready(BUSY_LIMIT) != ERR_OK && e == ERR_OK) {
			*why = "the card stayed busy after STOP_TRANSMISSION";
			e = ERR_IO;
		}
	}
	return e;
}

static int sd_write(const struct blk_io *io, const char **why)
{
	uint32_t n = io->bytes / BLK_SECTOR;
	uint32_t arg = (uint32_t)(sd.block_addr ? io->sector : io->sector * BLK_SECTOR);
	int r = command(n == 1 ? 24 : 25, arg), e = ERR_OK;

	if (r != 0) {
		*why = r < 0 ? "no response to the write command" : "the write command was refused";
		return ERR_IO;
	}
	for (uint32_t i = 0; i < n && e == ERR_OK; i++)
		e = write_block(n == 1 ? TOKEN_BLOCK : TOKEN_MULTI, io->va + (size_t)i * BLK_SECTOR,
				why);
	if (n > 1) {
		spi_byte(TOKEN_STOP); /* also after a failed block: the card leaves receive state */
		spi_byte(0xff);
		if (wait_ready(BUSY_LIMIT) != ERR_OK && e == ERR_OK) {
			*why = "the card stayed busy after the stop token";
			e = ERR_IO;
		}
	}
	return e;
}

static int sdspi_rw(unsigned slot, const struct blk_io *io)
{
	const char *why = "";

	bus_take(slot);
	spi_select();
	int e = io->write ? sd_write(io, &why) : sd_read(io, &why);
	release();
	bus_give();
	if (e != ERR_OK)
		uprintf("blk: SD %s of %u sectors at %lu failed: %s\n",
			io->write ? "write" : "read", io->bytes / BLK_SECTOR, io->sector, why);
	return e;
}

/* Start-up's reads: one block through a buffer of blk's own. */
static int sdspi_read_sector(uint64_t lba, void *buf)
{
	return sdspi_rw(0, &(struct blk_io){.sector = lba, .bytes = BLK_SECTOR, .va = buf});
}

static int sdspi_flush(unsigned slot)
{
	(void)slot;
	return ERR_OK; /* never called: a card in SPI mode has no cache to empty (no BLK_F_FLUSH) */
}

static const struct blk_ops sdspi_ops = {sdspi_rw, sdspi_flush, sdspi_read_sector};

/* ------------------------------------------------------------ start-up */

/* CMD0 until the card is idle in SPI mode: ERR_OK, or ERR_IO with *why. */
static int go_idle(const char **why)
{
	int r = -1;

	for (int i = 0; i < 10 && r != R1_IDLE; i++)
		r = command(0, 0);
	if (r == R1_IDLE)
		return ERR_OK;
	*why = r < 0 ? "no answer to GO_IDLE_STATE (CMD0)" : "GO_IDLE_STATE (CMD0) refused";
	return ERR_IO;
}

/* CMD8: is this a version 2.00 card? ERR_OK (*v2 says), or ERR_IO with *why. */
static int if_cond(bool *v2, const char **why)
{
	uint32_t r7 = 0;
	int r = command(8, 0x1aa);

	*v2 = false;
	if (r == (R1_IDLE | R1_ILLEGAL))
		return ERR_OK; /* version 1.x: no CMD8 */
	if (r != R1_IDLE || read_u32(&r7) != ERR_OK || (r7 & 0xfff) != 0x1aa) {
		*why = "SEND_IF_COND (CMD8) answered wrongly: not a usable card";
		return ERR_IO;
	}
	*v2 = true;
	return ERR_OK;
}

/* ACMD41 until the card has left the idle state, then CMD58 for CCS. */
static int op_cond(bool v2, const char **why)
{
	uint64_t end = sys_clock() + INIT_LIMIT;
	uint32_t ocr = 0;
	int r;

	while ((r = app_command(41, v2 ? 1u << 30 : 0)) == R1_IDLE && sys_clock() < end)
		sys_sleep(MS);
	if (r != 0) {
		*why = r == R1_IDLE ? "still initialising after 1 s (ACMD41)"
				    : "SD_SEND_OP_COND (ACMD41) refused";
		return ERR_IO;
	}
	for (int i = 0; i < 100 && !(ocr & OCR_BUSY); i++) {
		r = command(58, 0);
		if (r < 0 || (r & ~R1_IDLE) || read_u32(&ocr) != ERR_OK) {
			*why = "READ_OCR (CMD58) failed";
			return ERR_IO;
		}
		if (!(ocr & OCR_BUSY))
			sys_sleep(MS);
	}
	if (!(ocr & OCR_BUSY)) {
		*why = "the OCR never said power-up done";
		return ERR_IO;
	}
	sd.block_addr = v2 && (ocr & OCR_CCS);
	return ERR_OK;
}

/* CMD16 (SDSC), CMD59 and CMD9: block length, CRC checking, capacity. */
static int configure(const char **why)
{
	uint8_t csd[16];

	if (!sd.block_addr && command(16, BLK_SECTOR) != 0) {
		*why = "SET_BLOCKLEN (CMD16) 512 refused";
		return ERR_IO;
	}
	command(59, 1); /* CRC on: a card that does not know CMD59 checks nothing either */
	if (command(9, 0) != 0 || read_block(csd, sizeof(csd), why) != ERR_OK) {
		*why = "SEND_CSD (CMD9) failed";
		return ERR_IO;
	}
	blk.capacity = sd_csd_sectors(csd);
	if (blk.capacity == 0) {
		*why = "a CSD of an unknown version";
		return ERR_IO;
	}
	return ERR_OK;
}

static int card_start(const char **why, bool *v2)
{
	int e;

	spi_clock(INIT_HZ);
	spi_deselect();
	spi_xfer(0, 0, 10); /* 80 clocks with the card deselected (6.4.1.1) */
	spi_select();
	e = go_idle(why);
	if (e == ERR_OK)
		e = if_cond(v2, why);
	if (e == ERR_OK)
		e = op_cond(*v2, why);
	if (e == ERR_OK)
		e = configure(why);
	release();
	if (e == ERR_OK)
		spi_clock(FAST_HZ);
	return e;
}

int sdspi_start(volatile uint32_t *regs, unsigned cs)
{
	const char *why = "";
	bool v2 = false;

	blk.ops = &sdspi_ops;
	blk.maps = true;
	blk.max_sectors = SD_MAX_SECTORS;
	blk.nslots = NWORKERS;
	for (unsigned s = 0; s < blk.nslots; s++)
		if (sys_notify_create(&sd.turn[s]) != ERR_OK) {
			uprintf("blk: out of memory at start\n");
			return ERR_NOMEM;
		}
	spi_init(regs, cs);
	uint64_t t0 = sys_clock();
	if (card_start(&why, &v2) != ERR_OK) {
		uprintf("blk: no usable SD card in the slot: %s; every request fails\n", why);
		blk.what = "SD card slot, empty";
		blk.broken = true;
		blk.capacity = 0;
		return ERR_OK;
	}
	blk.what = sd.block_addr ? "SD card (SDHC/SDXC, block addressing)"
		   : v2		 ? "SD card (SDSC 2.00, byte addressing)"
				 : "SD card (SDSC 1.x, byte addressing)";
	uprintf("blk: SD card on SPI ready in %lu ms\n", (sys_clock() - t0) / MS);
	return ERR_OK;
}
