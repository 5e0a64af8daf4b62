/*
 * The argument block of PROC_SPAWN and PROC_EXEC: w2 = argc, w3 = envc,
 * w4 = its length in bytes, the bytes themselves in words PROC_ARGS_WORD..
 * (msgbytes). It holds the path and then argc + envc strings, each NUL
 * terminated, and nothing else.
 */
#include "user/proc/proc.h"

#include "lib/error.h"
#include "lib/str.h"
#include "lib/user/msgbytes.h"

/* Count the NUL-terminated strings filling buf[0..len); -1 if the last one is open. */
static long count_strings(const char *buf, size_t len)
{
	long n = 0;
	size_t i = 0;

	while (i < len) {
		size_t l = strnlen(buf + i, len - i);

		if (i + l == len)
			return -1;
		i += l + 1;
		n++;
	}
	return n;
}

/*
 * Copy the block out of the received message into *a (the IPC buffer is
 * about to be reused for calls to mem) and check it: length within
 * PROC_ARGS_MAX and carried by the message, exactly 1 + argc + envc strings,
 * a non-empty path. ERR_INVALID otherwise.
 */
int args_decode(const struct msg *m, struct proc_args *a)
{
	uint64_t argc = m->w[2], envc = m->w[3], len = m->w[4];

	if (len == 0 || len > PROC_ARGS_MAX || !msgbytes_fit(m->tag, PROC_ARGS_WORD, len))
		return ERR_INVALID;
	if (argc > PROC_ARGS_MAX || envc > PROC_ARGS_MAX)
		return ERR_INVALID;
	msgbytes_get(m, IPCBUF, PROC_ARGS_WORD, a->buf, len);
	if (count_strings(a->buf, len) != (long)(1 + argc + envc))
		return ERR_INVALID;
	if (a->buf[0] == '\0')
		return ERR_INVALID;
	a->len = len;
	a->argc = (uint32_t)argc;
	a->envc = (uint32_t)envc;
	a->path = a->buf;
	size_t plen = strlen(a->path) + 1;
	a->strings = a->buf + plen;
	a->strings_len = len - plen;
	return ERR_OK;
}
