/*
 * The Strata side of picolibc: the standard streams and _exit. Everything
 * else printf, malloc and exit need comes from picolibc itself (malloc's
 * sbrk takes memory from __heap_start .. __heap_end, set by strata.ld).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "lib/user/syscall.h"

/* The a0 the program was started with (crt0.S stores it before main). */
uint64_t strata_startup_arg;

#define LINE 256

/* A write-only stream to the kernel console, buffered per line. */
struct dbg_stream {
	FILE file; /* first, so a FILE * is a struct dbg_stream * */
	size_t n;
	char buf[LINE];
};

/*
 * Write out what stream f has buffered with SYS_DEBUG_WRITE. Returns 0, or
 * EOF if the kernel refused the write (the buffer is emptied either way).
 */
static int dbg_flush(FILE *f)
{
	struct dbg_stream *s = (struct dbg_stream *)f;
	int e = s->n ? sys_debug_write(s->buf, s->n) : ERR_OK;

	s->n = 0;
	return e == ERR_OK ? 0 : EOF;
}

/*
 * Append c to stream f's buffer, writing the buffer out at a newline or
 * when it is full. Returns c (as unsigned char), or EOF on a failed write.
 */
static int dbg_put(char c, FILE *f)
{
	struct dbg_stream *s = (struct dbg_stream *)f;

	s->buf[s->n++] = c;
	if ((c == '\n' || s->n == LINE) && dbg_flush(f) != 0)
		return EOF;
	return (unsigned char)c;
}

/* There is no console input yet: reading stdin gives end of file. */
static int dbg_get(FILE *f)
{
	(void)f;
	return EOF;
}

static struct dbg_stream dbg_out = {
    .file = FDEV_SETUP_STREAM(dbg_put, NULL, dbg_flush, _FDEV_SETUP_WRITE)};
static struct dbg_stream dbg_err = {
    .file = FDEV_SETUP_STREAM(dbg_put, NULL, dbg_flush, _FDEV_SETUP_WRITE)};
static FILE dbg_in = FDEV_SETUP_STREAM(NULL, dbg_get, NULL, _FDEV_SETUP_READ);

FILE *const stdin = &dbg_in;
FILE *const stdout = &dbg_out.file;
FILE *const stderr = &dbg_err.file;

/*
 * End the program (picolibc's exit and abort end here): write out what
 * stdout and stderr still hold, then end the calling thread with status.
 * Does not return.
 */
void _exit(int status)
{
	dbg_flush(stdout);
	dbg_flush(stderr);
	sys_thread_exit(status);
}
