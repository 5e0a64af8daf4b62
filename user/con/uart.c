/* Choosing a UART driver by the device's compatible string. */
#include "user/con/uart.h"

#include "lib/str.h"

struct uart_dev con_uart;

static const struct uart_driver *const drivers[] = {&uart_ns16550, &uart_sifive};

const struct uart_driver *uart_find(const char *compatible)
{
	for (unsigned i = 0; i < sizeof(drivers) / sizeof(drivers[0]); i++)
		if (strcmp(drivers[i]->compatible, compatible) == 0)
			return drivers[i];
	return 0;
}
