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

unsigned msgbytes_put_name(struct msg *m, struct ipc_buffer *b, unsigned first, const char *name,
			   size_t n)
{
	if (first < MSG_REG_WORDS)
		m->w[first] = n;
	b->words[first] = n;
	return msgbytes_put(m, b, first + 1, name, n);
}

static int name_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '.' || c == '_' || c == '-';
}

int msgbytes_get_name(const struct msg *m, struct ipc_buffer *b, unsigned first, char *out,
		      size_t max)
{
	uint64_t n = first < MSG_REG_WORDS ? m->w[first] : b->words[first];

	if (msg_words(m->tag) <= first || n == 0 || n > max || !msgbytes_fit(m->tag, first + 1, n))
		return 0;
	msgbytes_get(m, b, first + 1, out, n);
	out[n] = 0;
	for (uint64_t i = 0; i < n; i++)
		if (!name_char(out[i]))
			return 0;
	return 1;
}

void msgbytes_get(const struct msg *m, struct ipc_buffer *b, unsigned first, void *dst, size_t n)
{
	if (n > MSGBYTES_MAX(first))
		n = MSGBYTES_MAX(first);
	for (unsigned i = first; i < MSG_REG_WORDS; i++)
		b->words[i] = m->w[i];
	__builtin_memcpy(dst, &b->words[first], n);
}
