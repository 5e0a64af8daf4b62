/*
 * The console's foreground: the processes Ctrl-C interrupts and Ctrl-Z
 * stops. The shell
 * names them (CON_FOREGROUND) while it waits for a command, and clears the
 * list when the command is done; on Ctrl-C the input thread asks proc to
 * send each SIGINT (through a handle root minted that may only kill).
 */
#ifndef STRATA_USER_CON_FOREGROUND_H
#define STRATA_USER_CON_FOREGROUND_H

#include <stdint.h>

#include "lib/user/ipc.h"

/* proc: con's handle to proc (0: Ctrl-C only drops the line). */
void foreground_init(handle_t proc);
/* The request's pids become the foreground (n = 0 clears it). ERR_INVALID: a bad pid or count. */
int foreground_set(const struct msg *m);
/* Ctrl-C or Ctrl-Z: sig (SIGINT, SIGTSTP) to every foreground process. */
void foreground_signal(int sig);

#endif
