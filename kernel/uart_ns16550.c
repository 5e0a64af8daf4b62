/*
 * NS16550A UART (QEMU virt), polled transmit. Registers are
 * 1 << reg-shift bytes apart; the firmware has set the line up already.
 */
#include "kernel/arch.h"
#include "kernel/console.h"
#include "lib/dt_platform.h"

#define REG_THR	 0
#define REG_LSR	 5
#define LSR_THRE 0x20

static unsigned reg_shift;

static void ns16550_init(const struct plat_device *dev, unsigned long base)
{
	(void)base;
	reg_shift = dev->reg_shift;
}

static void ns16550_putc(unsigned long base, char c)
{
	while (!(mmio_read8(base + (REG_LSR << reg_shift)) & LSR_THRE))
		;
	mmio_write8(base + (REG_THR << reg_shift), (uint8_t)c);
}

const struct uart_driver uart_ns16550 = {
    .compatible = "ns16550a",
    .init = ns16550_init,
    .putc = ns16550_putc,
};
