/*
 * The kernel console: polled output through the UART the device tree names
 * (ns16550a, sifive,uart0), or through SBI before the UART is known.
 */
#ifndef STRATA_KERNEL_CONSOLE_H
#define STRATA_KERNEL_CONSOLE_H

#include <stdarg.h>
#include <stdbool.h>

struct plat_device;

struct uart_driver {
	const char *compatible;
	void (*init)(const struct plat_device *dev, unsigned long base);
	void (*putc)(unsigned long base, char c);
};

extern const struct uart_driver uart_ns16550;
extern const struct uart_driver uart_sifive;

/* Switch output to the UART dev (mapped at virtual address base); false if no driver fits. */
bool console_use_uart(const struct plat_device *dev, unsigned long base);
/* The name of the console in use ("ns16550a", "sbi"). */
const char *console_name(void);

int kprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int kvprintf(const char *fmt, va_list ap);
/* Panic path: take the console even if another hart holds it. */
void console_force_unlock(void);

#endif
