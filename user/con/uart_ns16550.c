/*
 * NS16550A (QEMU virt). Registers are one byte apart (reg-shift 0 on the
 * boards Strata runs on). Only IER and FCR are written: the divisor and
 * line control stay as the firmware left them, so the kernel's polled
 * output keeps working.
 */
#include "user/con/uart.h"

#define REG_RBR 0 /* read: receive buffer */
#define REG_THR 0 /* write: transmit holding */
#define REG_IER 1
#define REG_FCR 2 /* write only */
#define REG_LSR 5

#define IER_RDA	   0x01 /* received data available */
#define FCR_ENABLE 0x01 /* FIFOs on, receive trigger at 1 byte */
#define LSR_DR	   0x01 /* a received byte waits */
#define LSR_THRE   0x20 /* the transmitter takes a byte */

/*
 * Only the receive interrupt: output is polled, and a transmit interrupt
 * left on by the firmware would fire for as long as the transmitter is idle.
 */
static void ns16550_rx_enable(volatile uint8_t *regs)
{
	regs[REG_FCR] = FCR_ENABLE;
	regs[REG_IER] = IER_RDA;
}

static int ns16550_rx_byte(volatile uint8_t *regs)
{
	if (!(regs[REG_LSR] & LSR_DR))
		return -1;
	return regs[REG_RBR];
}

static void ns16550_tx_byte(volatile uint8_t *regs, uint8_t c)
{
	while (!(regs[REG_LSR] & LSR_THRE))
		;
	regs[REG_THR] = c;
}

const struct uart_driver uart_ns16550 = {
    .compatible = "ns16550a",
    .rx_enable = ns16550_rx_enable,
    .rx_byte = ns16550_rx_byte,
    .tx_byte = ns16550_tx_byte,
};
