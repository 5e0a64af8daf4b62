/* The transmitter: see tx.h. */
#include "user/con/tx.h"

#include "lib/user/spinlock.h"
#include "user/con/uart.h"

static struct spinlock tx_lock;

/*
 * Polling the UART for every byte is slow on real hardware (about 87 us per
 * byte at 115200 baud) but the lock is held for the whole call only so that
 * an echo does not land inside a line of output; both users keep their
 * calls short (a message is at most CON_DATA_MAX bytes, an echo a few).
 */
void tx_write(const char *s, size_t n, bool crlf)
{
	static char last; /* the last byte sent, across calls */

	spin_lock(&tx_lock);
	for (size_t i = 0; i < n; i++) {
		/* A program's own "\r\n" stays "\r\n", not "\r\r\n". */
		if (crlf && s[i] == '\n' && last != '\r')
			con_uart.drv->tx_byte(con_uart.regs, '\r');
		con_uart.drv->tx_byte(con_uart.regs, (uint8_t)s[i]);
		last = s[i];
	}
	spin_unlock(&tx_lock);
}
