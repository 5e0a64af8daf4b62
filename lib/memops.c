/*
 * memcpy, memmove and memset for everything Strata builds for the target:
 * the kernel, programs on lib/user, and C programs, where they replace
 * picolibc's (built for size, one byte per loop turn: picolibc's malloc
 * clears every block it returns, so memset's speed is malloc's — 16k
 * instructions per 4 KiB page byte by byte, under 1k here). They move
 * aligned 8-byte words, four per turn, and bytes at the edges.
 *
 * The loops must stay loops: GCC would otherwise recognise them and call
 * memset/memcpy, that is, these very functions.
 */
#include <stdint.h>

#include "lib/str.h"

#define NO_LIBCALL __attribute__((optimize("no-tree-loop-distribute-patterns")))

NO_LIBCALL void *memset(void *dst, int c, size_t n)
{
	unsigned char *d = dst;
	uint64_t v = (unsigned char)c * 0x0101010101010101ull;

	for (; n && ((uintptr_t)d & 7); n--)
		*d++ = (unsigned char)c;
	for (; n >= 32; n -= 32, d += 32) {
		uint64_t *w = (uint64_t *)d;
		w[0] = v;
		w[1] = v;
		w[2] = v;
		w[3] = v;
	}
	for (; n >= 8; n -= 8, d += 8)
		*(uint64_t *)d = v;
	while (n--)
		*d++ = (unsigned char)c;
	return dst;
}

NO_LIBCALL void *memcpy(void *restrict dst, const void *restrict src, size_t n)
{
	unsigned char *d = dst;
	const unsigned char *s = src;

	if ((((uintptr_t)d ^ (uintptr_t)s) & 7) == 0) {
		for (; n && ((uintptr_t)d & 7); n--)
			*d++ = *s++;
		for (; n >= 32; n -= 32, d += 32, s += 32) {
			uint64_t *w = (uint64_t *)d;
			const uint64_t *r = (const uint64_t *)s;
			w[0] = r[0];
			w[1] = r[1];
			w[2] = r[2];
			w[3] = r[3];
		}
		for (; n >= 8; n -= 8, d += 8, s += 8)
			*(uint64_t *)d = *(const uint64_t *)s;
	}
	while (n--)
		*d++ = *s++;
	return dst;
}

NO_LIBCALL void *memmove(void *dst, const void *src, size_t n)
{
	unsigned char *d = dst;
	const unsigned char *s = src;

	if (d == s || n == 0)
		return dst;
	if (d < s || d >= s + n)
		return memcpy(dst, src, n);
	while (n--)
		d[n] = s[n];
	return dst;
}
