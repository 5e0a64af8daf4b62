#include "kernel/console.h"

#include "kernel/sbi.h"
#include "kernel/spinlock.h"
#include "lib/dt_platform.h"
#include "lib/fmt.h"
#include "lib/str.h"

static const struct uart_driver *const drivers[] = {&uart_ns16550, &uart_sifive};

static const struct uart_driver *uart; /* NULL: SBI console */
static unsigned long uart_base;
static struct spinlock console_lock = SPINLOCK_INIT("console");

bool console_use_uart(const struct plat_device *dev, unsigned long base)
{
	for (unsigned i = 0; i < sizeof(drivers) / sizeof(drivers[0]); i++) {
		if (strcmp(drivers[i]->compatible, dev->compatible) == 0) {
			drivers[i]->init(dev, base);
			uart_base = base;
			uart = drivers[i];
			return true;
		}
	}
	return false;
}

const char *console_name(void)
{
	return uart ? uart->compatible : "sbi";
}

static void console_putc(void *ctx, char c)
{
	(void)ctx;
	if (!uart) {
		sbi_console_putc(c); /* OpenSBI's console puts a \r before each \n itself */
		return;
	}
	if (c == '\n')
		uart->putc(uart_base, '\r');
	uart->putc(uart_base, c);
}

int kvprintf(const char *fmt, va_list ap)
{
	spin_lock(&console_lock);
	int n = fmt_vformat(console_putc, NULL, fmt, ap);
	spin_unlock(&console_lock);
	return n;
}

int kprintf(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	int n = kvprintf(fmt, ap);
	va_end(ap);
	return n;
}

void console_force_unlock(void)
{
	console_lock.holder = -1;
	__atomic_store_n(&console_lock.locked, 0, __ATOMIC_RELEASE);
}
