/*
 * picolibc's <stdio.h>, and what it leaves out that Strata's C library
 * has: popen() and pclose() (lib/libc/command.c).
 */
#ifndef STRATA_LIBC_STDIO_H
#define STRATA_LIBC_STDIO_H

#include_next <stdio.h>

FILE *popen(const char *command, const char *mode);
int pclose(FILE *stream);

#endif
