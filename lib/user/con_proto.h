/*
 * The con protocol: messages to the console server (user/con).
 *
 * con drives the UART. Output is written as it arrives. Input is read a
 * line at a time: con echoes what is typed, handles backspace (DEL or BS)
 * and hands out a line when Enter is pressed (as "...\n"). Ctrl-D on an
 * empty line is end of file (a read of 0 bytes). Ctrl-C drops the line
 * and interrupts the foreground processes (CON_FOREGROUND).
 *
 * Every request is a SYS_CALL; text travels as bytes from word 1 on
 * (lib/user/msgbytes.h).
 */
#ifndef STRATA_LIB_USER_CON_PROTO_H
#define STRATA_LIB_USER_CON_PROTO_H

#include <stdint.h>

#define CON_DATA_WORD 1
#define CON_DATA_MAX  MSGBYTES_MAX(CON_DATA_WORD) /* 504 bytes */

/* clang-format off */
enum con_label {
	/* w0 = n, n bytes from word 1 on. Writes them; -> w0 = n. ERR_INVALID: n too big. */
	CON_WRITE = 0x300,
	/*
	 * w0 = most bytes wanted (1..CON_DATA_MAX) -> w0 = n, bytes from word 1.
	 * n = 0 is end of file. ERR_WOULDBLOCK: no complete line yet; wait on
	 * the con_input notification (struct ustart) and ask again.
	 */
	CON_READ  = 0x301,
	/*
	 * w0 = a process group (0: none), or CON_FG_ASK -> w0 = the foreground
	 * group before the call. Ctrl-C sends the foreground group SIGINT and
	 * Ctrl-Z SIGTSTP (through proc's PROC_KILL). A shell names its job's
	 * group while it waits for it (tcsetpgrp). ERR_INVALID: a number out
	 * of range.
	 */
	CON_FOREGROUND = 0x302,
};
#define CON_FG_ASK UINT64_MAX /* CON_FOREGROUND w0: only tell which group it is */
/* clang-format on */

#endif
