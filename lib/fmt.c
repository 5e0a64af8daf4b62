#include "lib/fmt.h"

#include <stdbool.h>
#include <stdint.h>

struct spec {
	bool left, zero, alt;
	int width, precision; /* precision -1: none */
	int length;	      /* -2 char, -1 short, 0 int, 1 long, 2 long long / size_t */
};

struct out {
	fmt_putc_fn putc;
	void *ctx;
	int count;
};

static void emit(struct out *o, char c)
{
	o->putc(o->ctx, c);
	o->count++;
}

static void pad(struct out *o, int n, char c)
{
	while (n-- > 0)
		emit(o, c);
}

static void emit_str(struct out *o, const struct spec *s, const char *str)
{
	int len = 0;

	if (!str)
		str = "(null)";
	while (str[len] && (s->precision < 0 || len < s->precision))
		len++;
	if (!s->left)
		pad(o, s->width - len, ' ');
	for (int i = 0; i < len; i++)
		emit(o, str[i]);
	if (s->left)
		pad(o, s->width - len, ' ');
}

/* Print v in base with optional sign; handles width, zero padding, alignment. */
static void emit_num(struct out *o, const struct spec *s, uint64_t v, unsigned base, bool neg,
		     bool upper, const char *prefix)
{
	const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	char buf[24];
	int n = 0, plen = 0;

	do {
		buf[n++] = digits[v % base];
		v /= base;
	} while (v);
	while (prefix && prefix[plen])
		plen++;
	int total = n + plen + (neg ? 1 : 0);
	if (!s->left && !s->zero)
		pad(o, s->width - total, ' ');
	if (neg)
		emit(o, '-');
	for (int i = 0; i < plen; i++)
		emit(o, prefix[i]);
	if (!s->left && s->zero)
		pad(o, s->width - total, '0');
	while (n)
		emit(o, buf[--n]);
	if (s->left)
		pad(o, s->width - total, ' ');
}

static const char *parse_spec(const char *f, struct spec *s, va_list *ap)
{
	*s = (struct spec){.precision = -1};
	for (;; f++) {
		if (*f == '-')
			s->left = true;
		else if (*f == '0')
			s->zero = true;
		else if (*f == '#')
			s->alt = true;
		else
			break;
	}
	if (*f == '*') {
		s->width = va_arg(*ap, int);
		f++;
	}
	while (*f >= '0' && *f <= '9')
		s->width = s->width * 10 + (*f++ - '0');
	if (*f == '.') {
		f++;
		s->precision = 0;
		if (*f == '*') {
			s->precision = va_arg(*ap, int);
			f++;
		}
		while (*f >= '0' && *f <= '9')
			s->precision = s->precision * 10 + (*f++ - '0');
	}
	for (;; f++) {
		if (*f == 'l')
			s->length++;
		else if (*f == 'z' || *f == 'j' || *f == 't')
			s->length = 2;
		else if (*f == 'h')
			s->length--;
		else
			break;
	}
	return f;
}

static uint64_t arg_unsigned(const struct spec *s, va_list *ap)
{
	if (s->length >= 2)
		return va_arg(*ap, unsigned long long);
	if (s->length == 1)
		return va_arg(*ap, unsigned long);
	unsigned int v = va_arg(*ap, unsigned int);
	if (s->length == -1)
		return (unsigned short)v;
	if (s->length <= -2)
		return (unsigned char)v;
	return v;
}

static int64_t arg_signed(const struct spec *s, va_list *ap)
{
	if (s->length >= 2)
		return va_arg(*ap, long long);
	if (s->length == 1)
		return va_arg(*ap, long);
	int v = va_arg(*ap, int);
	if (s->length == -1)
		return (short)v;
	if (s->length <= -2)
		return (signed char)v;
	return v;
}

static void convert(struct out *o, char c, struct spec *s, va_list *ap)
{
	switch (c) {
	case 'd':
	case 'i': {
		int64_t v = arg_signed(s, ap);
		uint64_t mag = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
		emit_num(o, s, mag, 10, v < 0, false, NULL);
		break;
	}
	case 'u':
		emit_num(o, s, arg_unsigned(s, ap), 10, false, false, NULL);
		break;
	case 'x':
	case 'X': {
		uint64_t v = arg_unsigned(s, ap);
		/* As in C: '#' adds 0x only to non-zero values. */
		emit_num(o, s, v, 16, false, c == 'X', s->alt && v ? "0x" : NULL);
		break;
	}
	case 'o':
		emit_num(o, s, arg_unsigned(s, ap), 8, false, false, NULL);
		break;
	case 'p':
		emit_num(o, s, (uintptr_t)va_arg(*ap, void *), 16, false, false, "0x");
		break;
	case 's':
		emit_str(o, s, va_arg(*ap, const char *));
		break;
	case 'c': {
		char str[2] = {(char)va_arg(*ap, int), 0};
		s->precision = 1;
		emit_str(o, s, str);
		break;
	}
	case '%':
		emit(o, '%');
		break;
	default: /* unknown conversion: show it rather than guess */
		emit(o, '%');
		if (c)
			emit(o, c);
		break;
	}
}

int fmt_vformat(fmt_putc_fn putc, void *ctx, const char *fmt, va_list ap)
{
	struct out o = {putc, ctx, 0};
	va_list args;

	va_copy(args, ap);
	while (*fmt) {
		if (*fmt != '%') {
			emit(&o, *fmt++);
			continue;
		}
		struct spec s;
		fmt = parse_spec(fmt + 1, &s, &args);
		convert(&o, *fmt, &s, &args);
		if (*fmt)
			fmt++;
	}
	va_end(args);
	return o.count;
}

struct bufout {
	char *buf;
	size_t n, pos;
};

static void buf_putc(void *ctx, char c)
{
	struct bufout *b = ctx;

	if (b->pos + 1 < b->n)
		b->buf[b->pos] = c;
	b->pos++;
}

int fmt_vsnprintf(char *buf, size_t n, const char *fmt, va_list ap)
{
	struct bufout b = {buf, n, 0};
	int len = fmt_vformat(buf_putc, &b, fmt, ap);

	if (n)
		buf[b.pos < n ? b.pos : n - 1] = '\0';
	return len;
}

int fmt_snprintf(char *buf, size_t n, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	int len = fmt_vsnprintf(buf, n, fmt, ap);
	va_end(ap);
	return len;
}
