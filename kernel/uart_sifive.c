/* SiFive UART (HiFive Unleashed), polled transmit. */
#include "kernel/arch.h"
#include "kernel/console.h"
#include "lib/dt_platform.h"

#define REG_TXDATA  0x00
#define REG_TXCTRL  0x08
#define TXDATA_FULL (1u << 31)
#define TXCTRL_TXEN 1u

static void sifive_init(const struct plat_device *dev, unsigned long base)
{
	(void)dev;
	mmio_write32(base + REG_TXCTRL, mmio_read32(base + REG_TXCTRL) | TXCTRL_TXEN);
}

static void sifive_putc(unsigned long base, char c)
{
	while (mmio_read32(base + REG_TXDATA) & TXDATA_FULL)
		;
	mmio_write32(base + REG_TXDATA, (uint8_t)c);
}

const struct uart_driver uart_sifive = {
    .compatible = "sifive,uart0",
    .init = sifive_init,
    .putc = sifive_putc,
};
