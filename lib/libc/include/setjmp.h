/*
 * picolibc's <setjmp.h>, with what it keeps for Cygwin and RTEMS only:
 * sigjmp_buf, sigsetjmp and siglongjmp (POSIX), which save and restore
 * the signal mask around setjmp/longjmp (lib/libc/signal.c's sigprocmask).
 */
#ifndef STRATA_LIBC_SETJMP_H
#define STRATA_LIBC_SETJMP_H

#include_next <setjmp.h>

#include <signal.h>

/* A jmp_buf, then whether the mask was saved, then the mask. */
typedef struct {
	jmp_buf jb;
	int savemask;
	sigset_t mask;
} sigjmp_buf[1];

#define sigsetjmp(env, save)                                                                      \
	((env)->savemask = (save),                                                                 \
	 ((env)->savemask ? sigprocmask(SIG_SETMASK, 0, &(env)->mask) : 0), setjmp((env)->jb))

#define siglongjmp(env, val)                                                                       \
	(((env)->savemask ? sigprocmask(SIG_SETMASK, &(env)->mask, 0) : 0), longjmp((env)->jb, (val)))

#endif
