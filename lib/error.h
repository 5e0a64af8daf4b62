/*
 * One error type for the whole system: kernel, servers, libraries and host
 * tests all return these codes (negated errno style: 0 is success, every
 * failure is negative), and err_name() turns a code into a word for logs.
 */
#ifndef STRATA_LIB_ERROR_H
#define STRATA_LIB_ERROR_H

enum err {
	ERR_OK = 0,
	ERR_INVALID = -1,      /* malformed argument (bad flag, bad size, bad order) */
	ERR_NOMEM = -2,	       /* out of frames or kernel memory */
	ERR_RANGE = -3,	       /* address or length outside what is allowed */
	ERR_ALIGN = -4,	       /* address or length not aligned as required */
	ERR_EXISTS = -5,       /* something is already there (mapping, entry) */
	ERR_NOENT = -6,	       /* nothing there (no mapping, no such node) */
	ERR_PERM = -7,	       /* permissions forbid it (W^X, missing right) */
	ERR_BADHANDLE = -8,    /* handle is not valid in this table */
	ERR_STATE = -9,	       /* object in the wrong state (double free, not waiting) */
	ERR_QUOTA = -10,       /* the caller's memory quota is spent */
	ERR_TRUNCATED = -11,   /* input ends before the structure it describes */
	ERR_CORRUPT = -12,     /* input is malformed */
	ERR_UNSUPPORTED = -13, /* valid, but this system does not do it */
	ERR_BUSY = -14,	       /* resource in use */
	ERR_TIMEOUT = -15,     /* deadline passed */
	ERR_PEER = -16,	       /* the other side of an IPC is gone */
	ERR_FULL = -17,	       /* a table or queue has no free slot */
	ERR_FAULT = -18,       /* a user address could not be accessed */
	ERR_WOULDBLOCK = -19,  /* a non-blocking operation could not proceed */
	ERR_IO = -20,	       /* a device reported an error */
	ERR_INTERRUPTED = -21, /* a wait was cut short by an upcall (a signal) */
	ERR_LAST = -21,
};

/* The name of an error code ("ERR_NOMEM"), or "ERR_?" for unknown codes. */
const char *err_name(int code);

#endif
