/*
 * Ready input: see ready.h. The bytes are a ring indexed by free-running
 * 64-bit counters (never wrapping in practice); an end of file is recorded
 * as the byte count at which it comes, so a read that reaches it returns
 * the bytes before it first and the end of file on the next read.
 */
#include "user/con/ready.h"

#include <stdint.h>

#include "lib/user/spinlock.h"

static struct {
	struct spinlock lock;
	char buf[READY_BYTES];
	uint64_t head, tail; /* bytes taken, bytes queued */
	uint64_t eof[READY_EOFS];
	unsigned eof_head, eof_tail; /* marks taken, marks queued (indices mod READY_EOFS) */
} rq;

bool ready_put_line(const char *s, size_t n)
{
	bool ok;

	spin_lock(&rq.lock);
	ok = n <= READY_BYTES - (rq.tail - rq.head);
	if (ok)
		for (size_t i = 0; i < n; i++)
			rq.buf[rq.tail++ % READY_BYTES] = s[i];
	spin_unlock(&rq.lock);
	return ok;
}

bool ready_put_eof(void)
{
	bool ok;

	spin_lock(&rq.lock);
	ok = rq.eof_tail - rq.eof_head < READY_EOFS;
	if (ok)
		rq.eof[rq.eof_tail++ % READY_EOFS] = rq.tail;
	spin_unlock(&rq.lock);
	return ok;
}

long ready_take(char *dst, size_t max)
{
	long n = 0;
	uint64_t limit;

	spin_lock(&rq.lock);
	limit = rq.tail;
	if (rq.eof_head != rq.eof_tail) {
		limit = rq.eof[rq.eof_head % READY_EOFS];
		if (limit == rq.head) {
			rq.eof_head++;
			spin_unlock(&rq.lock);
			return 0;
		}
	}
	if (rq.head == limit) {
		spin_unlock(&rq.lock);
		return -1;
	}
	while (rq.head < limit && (size_t)n < max) {
		char c = rq.buf[rq.head++ % READY_BYTES];
		dst[n++] = c;
		if (c == '\n')
			break;
	}
	spin_unlock(&rq.lock);
	return n;
}

bool ready_waiting(void)
{
	bool waiting;

	spin_lock(&rq.lock);
	waiting = rq.head != rq.tail || rq.eof_head != rq.eof_tail;
	spin_unlock(&rq.lock);
	return waiting;
}
