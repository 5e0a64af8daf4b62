/*
 * The transmitter, shared by the request loop (CON_WRITE) and the input
 * thread (echo). Each call sends its bytes without another writer's bytes
 * in between (except the kernel's own console output, which polls the
 * same UART).
 */
#ifndef STRATA_USER_CON_TX_H
#define STRATA_USER_CON_TX_H

#include <stdbool.h>
#include <stddef.h>

/* Send n bytes; with crlf, each "\n" goes out as "\r\n". */
void tx_write(const char *s, size_t n, bool crlf);

/*
 * Whether a reader waits for a line (so the partial line on the screen is
 * its prompt, shown again after output that interrupts it).
 */
void tx_reader_waits(bool waits);

#endif
