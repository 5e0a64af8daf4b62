/*
 * malloc and friends for C programs: Strata's allocator (lib/alloc) on the
 * heap (sbrk, MEM_BRK) and anonymous mappings (mmap, MEM_MMAP). These
 * definitions replace picolibc's allocator entirely: every function of
 * picolibc's nano-malloc that a program or picolibc itself may call is
 * defined here, so none of its objects is pulled from libc.a (two
 * definitions of malloc would not link).
 *
 * C programs on Strata have no threads, so there is no lock. A forked
 * child gets a copy of the heap and of the allocator's state with it.
 */
#include <errno.h>
#include <malloc.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "lib/alloc/alloc.h"
#include "lib/libc/sys.h"

static void *heap_grow(void *ctx, intptr_t incr)
{
	(void)ctx;
	/*
	 * Without servers the heap is a fixed array (lib/libc/memory.c): pages
	 * given back and taken again would not be zero, so it never shrinks.
	 */
	if (incr < 0 && (!__strata_us || !__strata_us->mem))
		return NULL;
	void *p = sbrk(incr);
	return p == (void *)-1 ? NULL : p;
}

static void *pages_map(void *ctx, void *hint, size_t len)
{
	(void)ctx;
	void *p = mmap(hint, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	return p == MAP_FAILED ? NULL : p;
}

static void pages_unmap(void *ctx, void *p, size_t len)
{
	(void)ctx;
	munmap(p, len);
}

/* Say what went wrong on stderr without allocating, and abort. */
static void alloc_failed(void *ctx, const char *op, const char *why, const void *p)
{
	char buf[160], *b = buf;
	const char *parts[] = {"malloc: ", op, "(", 0, "): ", why, "\n"};
	char hex[19] = "0x";
	uintptr_t u = (uintptr_t)p;

	(void)ctx;
	for (int i = 0; i < 16; i++)
		hex[2 + i] = "0123456789abcdef"[(u >> (60 - 4 * i)) & 15];
	hex[18] = 0;
	parts[3] = hex;
	for (unsigned i = 0; i < sizeof(parts) / sizeof(parts[0]); i++) {
		size_t l = strlen(parts[i]);
		if (l > sizeof(buf) - 1 - (size_t)(b - buf))
			l = sizeof(buf) - 1 - (size_t)(b - buf);
		memcpy(b, parts[i], l);
		b += l;
	}
	write(2, buf, (size_t)(b - buf));
	abort();
}

/* Set up at compile time: no first-call check on the way in. */
static struct alloc heap = {
    .pages = {.grow = heap_grow, .map = pages_map, .unmap = pages_unmap, .fail = alloc_failed}};
#define A() (&heap)

/* NULL from the allocator always means no memory (or a size past any that could be had). */
static void *nomem(void *p)
{
	if (!p)
		errno = ENOMEM;
	return p;
}

void *malloc(size_t n)
{
	return nomem(alloc_malloc(A(), n));
}

void free(void *p)
{
	alloc_free(A(), p);
}

void cfree(void *p)
{
	alloc_free(A(), p);
}

void *calloc(size_t nmemb, size_t size)
{
	return nomem(alloc_calloc(A(), nmemb, size));
}

/* realloc(p, 0) frees p and returns NULL (as glibc and picolibc do), errno untouched. */
void *realloc(void *p, size_t n)
{
	if (p && n == 0)
		return alloc_realloc(A(), p, 0);
	return nomem(alloc_realloc(A(), p, n));
}

void *reallocarray(void *p, size_t nmemb, size_t size)
{
	size_t n;

	if (__builtin_mul_overflow(nmemb, size, &n)) {
		errno = ENOMEM;
		return NULL;
	}
	return realloc(p, n);
}

void *memalign(size_t align, size_t n)
{
	if (!align || (align & (align - 1))) {
		errno = EINVAL;
		return NULL;
	}
	return nomem(alloc_memalign(A(), align, n));
}

void *aligned_alloc(size_t align, size_t n)
{
	return memalign(align, n);
}

int posix_memalign(void **out, size_t align, size_t n)
{
	if (align < sizeof(void *) || (align & (align - 1)))
		return EINVAL;
	void *p = alloc_memalign(A(), align, n);
	if (!p)
		return ENOMEM;
	*out = p;
	return 0;
}

void *valloc(size_t n)
{
	return memalign(ALLOC_PAGE, n);
}

void *pvalloc(size_t n)
{
	if (n > SIZE_MAX - ALLOC_PAGE) {
		errno = ENOMEM;
		return NULL;
	}
	return memalign(ALLOC_PAGE, (n + ALLOC_PAGE - 1) & ~(ALLOC_PAGE - 1));
}

size_t malloc_usable_size(void *p)
{
	return alloc_usable(A(), p);
}

/* Give back what can be given back now; pad is ignored. 1 if the heap is smaller. */
int malloc_trim(size_t pad)
{
	struct alloc_stats before, after;

	(void)pad;
	alloc_stats(A(), &before);
	alloc_trim(A());
	alloc_stats(A(), &after);
	return after.heap_bytes < before.heap_bytes;
}

/* No tunables: every option is refused (0), as mallopt allows. */
int mallopt(int param, int value)
{
	(void)param;
	(void)value;
	return 0;
}

struct mallinfo mallinfo(void)
{
	struct alloc_stats st;

	alloc_stats(A(), &st);
	return (struct mallinfo){.arena = st.heap_bytes,
				 .hblks = st.large_blocks,
				 .uordblks = st.heap_bytes - st.free_bytes,
				 .fordblks = st.free_bytes};
}

void malloc_stats(void)
{
	struct alloc_stats st;

	alloc_stats(A(), &st);
	fprintf(stderr, "heap: %zu bytes, %zu free; mapped blocks: %zu\n", st.heap_bytes,
		st.free_bytes, st.large_blocks);
}
