/*
 * The line discipline: turns typed bytes into lines of ready input and
 * echo. Used by the input thread only, so it needs no lock.
 *
 *   printable bytes and Tab   added to the line and echoed
 *   CR or LF                  end the line: echo "\r\n", queue "...\n"
 *                             (an LF right after a CR is the same Enter)
 *   BS or DEL                 erase one byte: echo "\b \b"
 *   Ctrl-U                    erase the line
 *   Ctrl-C                    drop the line: echo "^C\r\n", note SIGINT
 *   Ctrl-Z                    drop the line: echo "^Z\r\n", note SIGTSTP
 *   Ctrl-D on an empty line   end of file
 *   Up, Down (ESC [ A, ESC [ B)
 *                             the line entered before / after the one shown
 *                             (the last 16 lines)
 *   other ESC sequences       (other keys) ignored whole
 *   anything else             ignored
 *
 * A byte that does not fit in the line, or a line (or end of file) that
 * does not fit in the ready queue, is dropped; editing goes on.
 */
#ifndef STRATA_USER_CON_LDISC_H
#define STRATA_USER_CON_LDISC_H

#include <stdbool.h>
#include <stddef.h>

#include "user/con/echo.h"

/* Longest line, without its "\n" (a whole line then fits one 256-byte read). */
#define LDISC_LINE_MAX 255
#define LDISC_HISTORY  16 /* lines Up and Down can bring back */

struct ldisc {
	char line[LDISC_LINE_MAX + 1]; /* + the "\n" */
	size_t len;
	bool after_cr;
	unsigned char esc;   /* where in an escape sequence (enum in ldisc.c) */
	unsigned esc_params; /* bytes between the sequence's start and its final byte */
	char arrow;	     /* 'A' (up) or 'B' (down) just ended a sequence */
	char hist[LDISC_HISTORY][LDISC_LINE_MAX + 1]; /* lines entered, a ring */
	unsigned hist_count;			      /* lines ever entered */
	unsigned hist_pos; /* 0: the line being typed; k: the k-th newest entered */
	bool queued;	   /* a line or end of file was queued since the caller last cleared it */
	int signal; /* Ctrl-C (SIGINT) or Ctrl-Z (SIGTSTP) typed since the caller cleared it */
};

/* Process one received byte; echo goes to *e. */
void ldisc_byte(struct ldisc *ld, unsigned char c, struct echo *e);

#endif
