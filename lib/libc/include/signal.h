/*
 * picolibc's <signal.h>, with the sa_flags Strata's signals have
 * (lib/libc/signal.c) that picolibc's header leaves out.
 */
#ifndef STRATA_LIBC_SIGNAL_H
#define STRATA_LIBC_SIGNAL_H

#include_next <signal.h>

#ifndef SA_RESTART
#define SA_RESTART 0x10000000 /* a wait the signal cut short starts again */
#endif
#ifndef SA_NODEFER
#define SA_NODEFER 0x40000000 /* the signal is not blocked while its handler runs */
#endif
#ifndef SA_RESETHAND
#define SA_RESETHAND 0x80000000 /* back to SIG_DFL when the handler starts */
#endif

#endif
