/*
 * The console's foreground: the process group Ctrl-C interrupts and Ctrl-Z
 * stops. The shell names its job's group (CON_FOREGROUND) while it waits
 * for it, and clears it when the job is done; on Ctrl-C the input thread
 * asks proc to send the group SIGINT (through a handle root minted that
 * may only kill).
 */
#ifndef STRATA_USER_CON_FOREGROUND_H
#define STRATA_USER_CON_FOREGROUND_H

#include <stdint.h>

#include "lib/user/ipc.h"

/* proc: con's handle to proc (0: Ctrl-C only drops the line). */
void foreground_init(handle_t proc);
/* CON_FOREGROUND: m becomes the reply. ERR_INVALID: a bad group number. */
int foreground_set(struct msg *m);
/* Ctrl-C or Ctrl-Z: sig (SIGINT, SIGTSTP) to every process of the foreground group. */
void foreground_signal(int sig);

#endif
