/* Printing through the console server (lib/user/conprint.h). */
#include "lib/user/conprint.h"

#include <stdarg.h>

#include "lib/fmt.h"
#include "lib/user/con_proto.h"
#include "lib/user/ipc.h"
#include "lib/user/msgbytes.h"
#include "lib/user/ulib.h"

/* One CON_WRITE of n bytes (n <= CON_DATA_MAX); ERR_OK or why not. */
static int con_write(const struct con_out *out, const char *text, size_t n)
{
	struct msg m = {.w = {n}};
	unsigned words = msgbytes_put(&m, out->ipcbuf, CON_DATA_WORD, text, n);

	m.tag = msg_tag(CON_WRITE, words, 0);
	int e = ipc_call(out->con, &m);
	if (e == ERR_OK && msg_error(m.tag))
		e = msg_error(m.tag) < 0 ? msg_error(m.tag) : ERR_INVALID;
	return e;
}

void con_printf(const struct con_out *out, const char *fmt, ...)
{
	char text[CONPRINT_MAX];
	va_list ap;

	va_start(ap, fmt);
	int n = fmt_vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	size_t len = n < 0 ? 0 : (size_t)n < sizeof(text) ? (size_t)n : sizeof(text) - 1;
	if (!out->con || !out->ipcbuf || con_write(out, text, len) != ERR_OK)
		uprintf("%s", text);
}
