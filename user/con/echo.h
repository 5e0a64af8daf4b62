/*
 * Echo output of the input thread, gathered while a burst of received
 * bytes is processed and sent in as few transmitter calls as fit.
 */
#ifndef STRATA_USER_CON_ECHO_H
#define STRATA_USER_CON_ECHO_H

#include <stddef.h>

#define ECHO_BUF 64

struct echo {
	char buf[ECHO_BUF];
	size_t n;
};

/* Add n bytes (sent as they are, no "\n" translation), sending what is gathered when full. */
void echo_put(struct echo *e, const char *s, size_t n);

/* Send what is gathered. */
void echo_flush(struct echo *e);

#endif
