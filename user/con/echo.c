/* Echo output: see echo.h. */
#include "user/con/echo.h"

#include "user/con/tx.h"

void echo_put(struct echo *e, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (e->n == ECHO_BUF)
			echo_flush(e);
		e->buf[e->n++] = s[i];
	}
}

void echo_flush(struct echo *e)
{
	if (e->n)
		tx_write(e->buf, e->n, false);
	e->n = 0;
}
