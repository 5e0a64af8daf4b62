/* The input thread: receive interrupts, line discipline, ready input. */
#ifndef STRATA_USER_CON_INPUT_H
#define STRATA_USER_CON_INPUT_H

#include <stddef.h>

#include "lib/abi.h"

/* con's own priority: root starts con at 30 (user/root/main.c) and the input thread runs beside it.
 */
#define CON_PRIO 30

/*
 * Bind irq to a new notification, turn on the UART's receive interrupt
 * and start the input thread, which signals bit 1 on ready_signal
 * whenever a line or end of file is queued. Returns ERR_OK or the error
 * (the UART's interrupt then stays off).
 */
int input_start(handle_t irq, handle_t ready_signal);

/*
 * Signal ready_signal again. The notification wakes one waiting reader per
 * signal, however many lines the signal was for: a read that leaves input
 * behind calls this so that the next waiting reader wakes up for it.
 */
void input_wake_reader(void);

/* Bytes of the line being typed, not yet entered (read without a lock: a hint for output). */
size_t input_typed(void);

#endif
