/*
 * Ready input: completed lines and end-of-file marks, in the order they
 * were typed, waiting for CON_READ. Filled by the input thread, emptied by
 * the request loop; every function takes the queue's lock itself.
 */
#ifndef STRATA_USER_CON_READY_H
#define STRATA_USER_CON_READY_H

#include <stdbool.h>
#include <stddef.h>

#define READY_BYTES 4096 /* bytes of lines that may wait */
#define READY_EOFS  16	 /* end-of-file marks that may wait */

/* Queue a whole line (its "\n" included); false (nothing queued) if it does not fit. */
bool ready_put_line(const char *s, size_t n);

/* Queue an end of file after what is queued; false if too many wait already. */
bool ready_put_eof(void);

/*
 * Take up to max (> 0) bytes, never past the end of the first line, into
 * dst. Returns the count, 0 for an end of file (which is used up), or -1
 * if nothing waits.
 */
long ready_take(char *dst, size_t max);

/* Does a line or an end of file wait? */
bool ready_waiting(void);

#endif
