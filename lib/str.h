/*
 * String and memory functions for freestanding code. In the kernel and user
 * programs they come from lib/str.c and lib/memops.c (C programs take
 * memcpy, memmove and memset from there too); in host tests (STRATA_HOST)
 * from libc.
 */
#ifndef STRATA_LIB_STR_H
#define STRATA_LIB_STR_H

#include <stddef.h>

#ifdef STRATA_HOST
#include <string.h>
#else
void *memcpy(void *restrict dst, const void *restrict src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
void *memset(void *dst, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);
size_t strnlen(const char *s, size_t max);
int strcmp(const char *a, const char *b);
int strncmp(const char *a, const char *b, size_t n);
char *strchr(const char *s, int c);
#endif

/* Copy src into dst of size n, always NUL terminated; returns strlen(src). */
size_t str_copy(char *dst, const char *src, size_t n);
/* True if s starts with prefix. */
int str_starts(const char *s, const char *prefix);

#endif
