/*
 * UART drivers for con. The firmware and the kernel have set the line up
 * (baud rate, framing); con only turns on receive interrupts and moves
 * bytes. Registers are reached through con's mapping of the device frame,
 * whose first byte is the UART's first register.
 */
#ifndef STRATA_USER_CON_UART_H
#define STRATA_USER_CON_UART_H

#include <stdint.h>

struct uart_driver {
	const char *compatible; /* device-tree compatible string */
	/* Make the UART raise its interrupt while received bytes wait. */
	void (*rx_enable)(volatile uint8_t *regs);
	/* The next received byte, or -1 if none waits. */
	int (*rx_byte)(volatile uint8_t *regs);
	/* Send one byte, waiting (polling) until the transmitter takes it. */
	void (*tx_byte)(volatile uint8_t *regs, uint8_t c);
};

extern const struct uart_driver uart_ns16550;
extern const struct uart_driver uart_sifive;

/* The driver for a compatible string, or NULL if con has none. */
const struct uart_driver *uart_find(const char *compatible);

/* con's UART: set once at start, before the input thread exists. */
struct uart_dev {
	const struct uart_driver *drv;
	volatile uint8_t *regs;
};
extern struct uart_dev con_uart;

#endif
