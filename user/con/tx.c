/* The transmitter: see tx.h. */
#include "user/con/tx.h"

#include "lib/user/spinlock.h"
#include "user/con/input.h"
#include "user/con/uart.h"

#define TAIL_MAX 512 /* bytes of the screen line kept: a prompt and a typed line fit */

static struct spinlock tx_lock;

/*
 * The line on the screen since the last newline, as sent (the prompt, then
 * the echo of what is being typed), so that it can be shown again. Only
 * under tx_lock.
 */
static struct {
	char last; /* the last byte sent */
	char line[TAIL_MAX];
	size_t len;
	bool cut; /* longer than TAIL_MAX: not shown again */
	/*
	 * A reader was told to wait for a line (CON_READ said ERR_WOULDBLOCK)
	 * and none has been read since: the line on the screen is its prompt.
	 * A hint: a reader that stops waiting without reading (killed, a
	 * signal) leaves it set until the next write that starts a line or
	 * the next Ctrl-C.
	 */
	bool reader_waits;
} screen;

static void send(char c)
{
	con_uart.drv->tx_byte(con_uart.regs, (uint8_t)c);
	screen.last = c;
	if (c == '\n') {
		screen.len = 0;
		screen.cut = false;
	} else if (c == '\b') {
		if (screen.len)
			screen.len--;
	} else if (c != '\r') {
		if (screen.len < TAIL_MAX)
			screen.line[screen.len++] = c;
		else
			screen.cut = true;
	}
}

static void send_all(const char *s, size_t n, bool crlf)
{
	for (size_t i = 0; i < n; i++) {
		/* A program's own "\r\n" stays "\r\n", not "\r\r\n". */
		if (crlf && s[i] == '\n' && screen.last != '\r')
			send('\r');
		send(s[i]);
	}
}

void tx_reader_waits(bool waits)
{
	spin_lock(&tx_lock);
	screen.reader_waits = waits;
	spin_unlock(&tx_lock);
}

/*
 * Polling the UART for every byte is slow on real hardware (about 87 us per
 * byte at 115200 baud) but the lock is held for the whole call only so that
 * an echo does not land inside a line of output; both users keep their
 * calls short (a message is at most CON_DATA_MAX bytes, an echo a few).
 *
 * Output that comes while someone is typing a line, or while a reader
 * waits at its prompt (a background job, a server's message), must not
 * land inside it: it goes on a line of its own, and the prompt — with what
 * is typed after it — is shown again after it, where typing goes on.
 */
void tx_write(const char *s, size_t n, bool crlf)
{
	char again[TAIL_MAX];
	size_t again_len = 0;

	spin_lock(&tx_lock);
	if (!screen.len)
		screen.reader_waits = false; /* nothing of a prompt is on the screen */
	if (crlf && n && (input_typed() || screen.reader_waits) && screen.len && !screen.cut) {
		again_len = screen.len;
		for (size_t i = 0; i < again_len; i++)
			again[i] = screen.line[i];
		send_all("\r\n", 2, false);
	}
	send_all(s, n, crlf);
	if (again_len) {
		if (screen.len)
			send_all("\r\n", 2, false);
		send_all(again, again_len, false);
	}
	spin_unlock(&tx_lock);
}
