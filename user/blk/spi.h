/*
 * The SiFive SPI controller (sifive,spi0; FU540-C000 manual, chapter
 * "Serial Peripheral Interface"), as blk's SD backend uses it: one chip
 * select held low across a command, 8-bit frames, most significant bit
 * first, mode 0, by programmed I/O through the 8-byte FIFOs.
 *
 * Polled, not interrupt-driven: at 20 MHz eight bytes take 3.2 us, less
 * than waking a thread would, so blk polls the receive FIFO (its IRQ, 6 on
 * the HiFive, stays unbound). Every poll is bounded: a controller that
 * stops moving bytes makes the exchange fail with ERR_IO.
 */
#ifndef STRATA_USER_BLK_SPI_H
#define STRATA_USER_BLK_SPI_H

#include <stddef.h>
#include <stdint.h>

/* Take the controller at regs (mapped) for chip select cs: reset its FIFOs, 8-bit frames. */
void spi_init(volatile uint32_t *regs, unsigned cs);

/* Set the bus clock to at most hz, from the controller's input clock (tlclk). */
void spi_clock(uint32_t hz);

/* Hold the chip select low (selected) or let it go high (deselected). */
void spi_select(void);
void spi_deselect(void);

/*
 * Exchange n bytes: send tx (0xff for each byte if tx is NULL), keep what
 * comes back in rx (dropped if rx is NULL). ERR_OK, or ERR_IO if the
 * controller stalls.
 */
int spi_xfer(const uint8_t *tx, uint8_t *rx, size_t n);

/* Exchange one byte: the byte received, or -1 if the controller stalls. */
int spi_byte(uint8_t tx);

#endif
