/*
 * SiFive UART (sifive_u, HiFive Unleashed). 32-bit registers. The receive
 * watermark interrupt with rxcnt 0 is pending while at least one byte
 * waits. Transmit control and the divisor are left as they are (the kernel
 * enabled the transmitter).
 */
#include "user/con/uart.h"

#define REG_TXDATA 0x00
#define REG_RXDATA 0x04
#define REG_RXCTRL 0x0c
#define REG_IE	   0x10

#define TXDATA_FULL  (1u << 31)
#define RXDATA_EMPTY (1u << 31)
#define RXCTRL_RXEN  (1u << 0)
#define RXCTRL_RXCNT (7u << 16)
#define IE_RXWM	     (1u << 1)

static volatile uint32_t *reg(volatile uint8_t *regs, unsigned off)
{
	return (volatile uint32_t *)(regs + off);
}

/*
 * Only the receive watermark interrupt: output is polled, and the transmit
 * watermark, if the firmware left it on, would fire while the FIFO is empty.
 */
static void sifive_rx_enable(volatile uint8_t *regs)
{
	*reg(regs, REG_RXCTRL) = (*reg(regs, REG_RXCTRL) & ~RXCTRL_RXCNT) | RXCTRL_RXEN;
	*reg(regs, REG_IE) = IE_RXWM;
}

/* Reading rxdata pops the FIFO, so it is read exactly once per byte. */
static int sifive_rx_byte(volatile uint8_t *regs)
{
	uint32_t v = *reg(regs, REG_RXDATA);

	return (v & RXDATA_EMPTY) ? -1 : (int)(v & 0xff);
}

static void sifive_tx_byte(volatile uint8_t *regs, uint8_t c)
{
	while (*reg(regs, REG_TXDATA) & TXDATA_FULL)
		;
	*reg(regs, REG_TXDATA) = c;
}

const struct uart_driver uart_sifive = {
    .compatible = "sifive,uart0",
    .rx_enable = sifive_rx_enable,
    .rx_byte = sifive_rx_byte,
    .tx_byte = sifive_tx_byte,
};
