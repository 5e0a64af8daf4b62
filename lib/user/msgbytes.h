/*
 * Bytes in messages. Protocols that carry bytes (console text, argument
 * strings, statistics structures) put them in message words first..63:
 * words up to 4 travel in registers, the rest in the IPC buffer, and the
 * bytes are contiguous in struct ipc_buffer's words[] array. These helpers
 * move them between a struct msg, the IPC buffer and a byte array.
 */
#ifndef STRATA_LIB_USER_MSGBYTES_H
#define STRATA_LIB_USER_MSGBYTES_H

#include <stddef.h>
#include <stdint.h>

#include "lib/abi.h"
#include "lib/user/ipc.h"

/* Most bytes a message can carry from word `first` on. */
#define MSGBYTES_MAX(first) ((size_t)(MSG_MAX_WORDS - (first)) * 8)

/*
 * Put n bytes (at most MSGBYTES_MAX(first)) into words first.. of the
 * message being built in m and b. Returns the message's word count
 * (first + n rounded up to words). Does not touch words below first.
 */
unsigned msgbytes_put(struct msg *m, struct ipc_buffer *b, unsigned first, const void *src,
		      size_t n);

/*
 * Copy n bytes (at most MSGBYTES_MAX(first)) from words first.. of a
 * received message (registers in m, the rest in b) into dst. Bytes beyond
 * what the message carried read as whatever the buffer holds: check the
 * message's word count first with msgbytes_fit().
 */
void msgbytes_get(const struct msg *m, struct ipc_buffer *b, unsigned first, void *dst, size_t n);

/*
 * A name as the /srv and shared-memory protocols carry it: its length in
 * word `first`, its bytes from word first + 1. Put returns the word count.
 */
unsigned msgbytes_put_name(struct msg *m, struct ipc_buffer *b, unsigned first, const char *name,
			   size_t n);
/*
 * The name a received message carries so, into out (max + 1 bytes,
 * terminated): false unless it is 1..max bytes, all of [A-Za-z0-9._-],
 * and the message holds them.
 */
int msgbytes_get_name(const struct msg *m, struct ipc_buffer *b, unsigned first, char *out,
		      size_t max);

/* Does a message with tag carry n bytes from word first on? */
static inline int msgbytes_fit(uint64_t tag, unsigned first, size_t n)
{
	return n <= MSGBYTES_MAX(first) && msg_words(tag) >= first + (n + 7) / 8;
}

#endif
