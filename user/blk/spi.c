/*
 * The SiFive SPI controller by programmed I/O (see spi.h). Registers, from
 * the FU540-C000 manual's SPI chapter: sckdiv 0x00 (f_sck = f_in / (2 *
 * (div + 1))), sckmode 0x04, csid 0x10, csdef 0x14, csmode 0x18 (0 AUTO:
 * deasserted between frames, 2 HOLD: asserted from the first frame until
 * csmode changes), fmt 0x40 (proto [1:0], endian [2], dir [3], len
 * [19:16]), txdata 0x48 (full [31]), rxdata 0x4c (empty [31]), txmark
 * 0x50, rxmark 0x54, ie 0x70, ip 0x74.
 *
 * Both FIFOs hold 8 bytes; every byte sent brings one back. We never have
 * more than FIFO_DEPTH bytes sent and not yet read, so the transmit FIFO
 * cannot be full and the receive FIFO never overflows (a full receive FIFO
 * drops bytes).
 */
#include "user/blk/spi.h"

#include "lib/error.h"

enum {
	R_SCKDIV = 0x00,
	R_SCKMODE = 0x04,
	R_CSID = 0x10,
	R_CSDEF = 0x14,
	R_CSMODE = 0x18,
	R_FMT = 0x40,
	R_TXDATA = 0x48,
	R_RXDATA = 0x4c,
	R_TXMARK = 0x50,
	R_RXMARK = 0x54,
	R_IE = 0x70,
};

#define CSMODE_AUTO 0
#define CSMODE_HOLD 2
#define FMT_8BIT    (8u << 16) /* len 8, single proto, MSB first, dir rx */
#define RX_EMPTY    (1u << 31)
#define FIFO_DEPTH  8
/* The HiFive's tlclk, the controller's input: coreclk (1 GHz) / 2. */
#define INPUT_HZ 500000000u
/*
 * Polls of rxdata before a stall is declared: a byte takes 20 us at the
 * 400 kHz of card start-up, a poll far less than 1 us.
 */
#define POLL_MAX 1000000u

static volatile uint32_t *regs;

static uint32_t rd(unsigned off)
{
	return regs[off / 4];
}

static void wr(unsigned off, uint32_t v)
{
	regs[off / 4] = v;
}

void spi_init(volatile uint32_t *r, unsigned cs)
{
	regs = r;
	wr(R_IE, 0);
	wr(R_CSMODE, CSMODE_AUTO);
	wr(R_CSID, cs);
	wr(R_SCKMODE, 0); /* SD cards in SPI mode: CPOL 0, CPHA 0 */
	wr(R_FMT, FMT_8BIT);
	wr(R_TXMARK, 1);
	wr(R_RXMARK, 0);
	for (unsigned i = 0; i < 4 * FIFO_DEPTH && !(rd(R_RXDATA) & RX_EMPTY); i++)
		; /* drop what an earlier user left */
}

void spi_clock(uint32_t hz)
{
	uint32_t div = (INPUT_HZ / 2 + hz - 1) / hz; /* div + 1, rounded up: never too fast */

	wr(R_SCKDIV, div ? (div - 1) & 0xfff : 0);
}

void spi_select(void)
{
	wr(R_CSMODE, CSMODE_HOLD);
}

void spi_deselect(void)
{
	wr(R_CSMODE, CSMODE_AUTO);
}

/* One byte out of the receive FIFO, or -1 after POLL_MAX empty reads. */
static int rx_byte(void)
{
	for (uint32_t i = 0; i < POLL_MAX; i++) {
		uint32_t v = rd(R_RXDATA);
		if (!(v & RX_EMPTY))
			return (int)(v & 0xff);
	}
	return -1;
}

int spi_xfer(const uint8_t *tx, uint8_t *rx, size_t n)
{
	while (n) {
		size_t chunk = n < FIFO_DEPTH ? n : FIFO_DEPTH;
		for (size_t i = 0; i < chunk; i++)
			wr(R_TXDATA, tx ? tx[i] : 0xff);
		for (size_t i = 0; i < chunk; i++) {
			int b = rx_byte();
			if (b < 0)
				return ERR_IO;
			if (rx)
				rx[i] = (uint8_t)b;
		}
		if (tx)
			tx += chunk;
		if (rx)
			rx += chunk;
		n -= chunk;
	}
	return ERR_OK;
}

int spi_byte(uint8_t tx)
{
	wr(R_TXDATA, tx);
	return rx_byte();
}
