/*
 * Memory for C programs: the heap (sbrk, which malloc uses: lib/libc/malloc.c)
 * grows through mem's MEM_BRK, and mmap/munmap make anonymous mappings
 * through MEM_MMAP/MEM_MUNMAP: private ones (copy-on-write after fork) or
 * shared ones (MAP_SHARED: the children forked later see the same pages). Pages are demand-zero:
 * they cost nothing until touched, but mem counts them against the process's commit limit when they
 * are asked for, so running out shows up here as ENOMEM (malloc returns NULL) rather than as a
 * crash later. A program started without servers gets a small fixed heap instead.
 */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/mman.h>
#include <unistd.h>

#include "lib/libc/sys.h"
#include "lib/user/mem_proto.h"

#define STANDALONE_HEAP (256u << 10)

static char standalone_heap[STANDALONE_HEAP] __attribute__((aligned(16)));
static uintptr_t brk_cur; /* current end of the heap; 0 until first asked */

/* Ask mem to move the end of the heap to `end` (0: only ask). */
static int mem_brk(uintptr_t end, uintptr_t *now)
{
	struct msg m = {.tag = msg_tag(MEM_BRK, 1, 0), .w = {end}};
	int e = __strata_call(__strata_us->mem, &m);

	if (e == ERR_OK)
		*now = m.w[0];
	return e;
}

void *sbrk(ptrdiff_t incr)
{
	if (!__strata_us || !__strata_us->mem) {
		if (!brk_cur)
			brk_cur = (uintptr_t)standalone_heap;
		uintptr_t lo = (uintptr_t)standalone_heap, hi = lo + STANDALONE_HEAP;
		if ((incr > 0 && (uintptr_t)incr > hi - brk_cur) ||
		    (incr < 0 && (uintptr_t)-incr > brk_cur - lo)) {
			errno = ENOMEM;
			return (void *)-1;
		}
		brk_cur += incr;
		return (void *)(brk_cur - incr);
	}
	if (!brk_cur && mem_brk(0, &brk_cur) != ERR_OK) {
		errno = ENOMEM;
		return (void *)-1;
	}
	uintptr_t old = brk_cur, want = old + incr;
	if ((incr > 0 && want < old) || (incr < 0 && want > old) || want < __strata_us->heap_base) {
		errno = ENOMEM;
		return (void *)-1;
	}
	if (incr != 0) {
		uintptr_t now;
		int e = mem_brk(want, &now);
		if (e != ERR_OK) {
			errno = ENOMEM;
			return (void *)-1;
		}
		brk_cur = now;
	}
	return (void *)old;
}

void *mmap(void *addr, size_t len, int prot, int flags, int fd, off_t off)
{
	int sharing = flags & (MAP_SHARED | MAP_PRIVATE), shm = __strata_shm_slot(fd);

	if (!(flags & MAP_ANONYMOUS) && shm >= 0 &&
	    !(flags & ~(MAP_SHARED | MAP_PRIVATE | MAP_FIXED)) && prot &&
	    sharing != (MAP_SHARED | MAP_PRIVATE))
		return __strata_shm_map(shm, addr, len, prot, flags, off);
	if (!(flags & MAP_ANONYMOUS) && fd >= 0) {
		errno = ENODEV; /* files are not mapped (yet): only anonymous memory */
		return MAP_FAILED;
	}
	if (!(flags & MAP_ANONYMOUS) || fd != -1 || off != 0 ||
	    (flags & ~(MAP_SHARED | MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED)) ||
	    (sharing != MAP_SHARED && sharing != MAP_PRIVATE) ||
	    !(prot & (PROT_READ | PROT_WRITE | PROT_EXEC))) {
		errno = EINVAL;
		return MAP_FAILED;
	}
	if (!__strata_us || !__strata_us->mem) {
		errno = ENOMEM;
		return MAP_FAILED;
	}
	struct msg m = {.tag = msg_tag(MEM_MMAP, 4, 0),
			.w = {(uintptr_t)addr, len, (unsigned)prot,
			      ((flags & MAP_FIXED) ? MEM_MMAP_FIXED : 0) |
				  (sharing == MAP_SHARED ? MEM_MMAP_SHARED : 0)}};
	int e = __strata_call(__strata_us->mem, &m);
	if (e != ERR_OK) {
		__strata_fail(e);
		return MAP_FAILED;
	}
	return (void *)m.w[0];
}

int mprotect(void *addr, size_t len, int prot)
{
	if (!__strata_us || !__strata_us->mem)
		return __strata_fail(ERR_INVALID);
	struct msg m = {.tag = msg_tag(MEM_MPROTECT, 3, 0),
			.w = {(uintptr_t)addr, len, (uint64_t)(unsigned)prot}};
	int e = __strata_call(__strata_us->mem, &m);
	if (e == ERR_PERM) {
		errno = EACCES;
		return -1;
	}
	return e == ERR_OK ? 0 : __strata_fail(e);
}

int munmap(void *addr, size_t len)
{
	if (!__strata_us || !__strata_us->mem)
		return __strata_fail(ERR_INVALID);
	struct msg m = {.tag = msg_tag(MEM_MUNMAP, 2, 0), .w = {(uintptr_t)addr, len}};
	int e = __strata_call(__strata_us->mem, &m);
	return e == ERR_OK ? 0 : __strata_fail(e);
}
