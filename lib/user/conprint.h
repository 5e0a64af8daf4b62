/*
 * Printing through the console server, for servers and programs without
 * libc. Text written by con comes out whole, in the order con received it;
 * SYS_DEBUG_WRITE (uprintf) bypasses con and, on several harts, can land
 * in the middle of a line con is writing. The fallback when there is no
 * console (no handle, or con is gone) is uprintf.
 */
#ifndef STRATA_LIB_USER_CONPRINT_H
#define STRATA_LIB_USER_CONPRINT_H

#include "lib/abi.h"

/*
 * Where con_printf writes: con's endpoint (WRITE), 0 for uprintf, and the
 * IPC buffer of the thread that calls (the text travels in it).
 */
struct con_out {
	handle_t con;
	struct ipc_buffer *ipcbuf;
};

/* printf to the console; at most CONPRINT_MAX bytes of output, the rest cut. */
#define CONPRINT_MAX 256
void con_printf(const struct con_out *out, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

#endif
