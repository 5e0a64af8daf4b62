/*
 * Formatted output for freestanding code: the printf subset the kernel and
 * servers use. Conversions: %d %i %u %x %X %o %p %s %c %%, flags '-' '0' '#',
 * a width (or '*'), a precision for %s (or '.*'), and the length modifiers
 * hh h l ll z j t.
 */
#ifndef STRATA_LIB_FMT_H
#define STRATA_LIB_FMT_H

#include <stdarg.h>
#include <stddef.h>

typedef void (*fmt_putc_fn)(void *ctx, char c);

/* Format into putc; returns the number of characters produced. */
int fmt_vformat(fmt_putc_fn putc, void *ctx, const char *fmt, va_list ap);

/* snprintf: always NUL terminates when n > 0; returns the full length. */
int fmt_snprintf(char *buf, size_t n, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
int fmt_vsnprintf(char *buf, size_t n, const char *fmt, va_list ap);

#endif
