/* Bytes in message words: see msgbytes.h. */
#include "lib/user/msgbytes.h"

unsigned msgbytes_put(struct msg *m, struct ipc_buffer *b, unsigned first, const void *src,
		      size_t n)
{
	if (n > MSGBYTES_MAX(first))
		n = MSGBYTES_MAX(first);
	size_t words = (n + 7) / 8;
	if (words)
		b->words[first + words - 1] = 0; /* no stale bytes after the end */
	__builtin_memcpy(&b->words[first], src, n);
	/* The kernel takes words 0..4 from registers, not from the buffer. */
	for (unsigned i = first; i < MSG_REG_WORDS && i < first + words; i++)
		m->w[i] = b->words[i];
	return first + (unsigned)words;
}

void msgbytes_get(const struct msg *m, struct ipc_buffer *b, unsigned first, void *dst, size_t n)
{
	if (n > MSGBYTES_MAX(first))
		n = MSGBYTES_MAX(first);
	for (unsigned i = first; i < MSG_REG_WORDS; i++)
		b->words[i] = m->w[i];
	__builtin_memcpy(dst, &b->words[first], n);
}
