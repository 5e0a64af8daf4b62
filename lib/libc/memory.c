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
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/mman.h>
#include <unistd.h>

#include "lib/libc/sys.h"
#include "lib/user/fs_proto.h"
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

/* A mem error of a file mapping as errno. */
static int file_map_errno(int e)
{
	switch (e) {
	case ERR_NOENT:
	case ERR_PEER:
		return EBADF; /* the file's mapping object is gone, or there is no fs */
	case ERR_PERM:
		return EACCES;
	default:
		return __strata_errno(e);
	}
}

/*
 * mmap of a file: fs names the file's mapping object (FS_MAP checks the
 * descriptor's access), mem maps it — MAP_SHARED paged by fs from the file's
 * pages, MAP_PRIVATE copy-on-write over them.
 */
static void *map_file(void *addr, size_t len, int prot, int flags, int fd, off_t off)
{
	int sharing = flags & (MAP_SHARED | MAP_PRIVATE);
	bool shared = sharing == MAP_SHARED;

	if ((flags & ~(MAP_SHARED | MAP_PRIVATE | MAP_FIXED)) ||
	    (sharing != MAP_SHARED && sharing != MAP_PRIVATE) || off < 0 || (off & 4095) ||
	    len == 0 || !(prot & (PROT_READ | PROT_WRITE | PROT_EXEC)) ||
	    (prot & ~(PROT_READ | PROT_WRITE | PROT_EXEC))) {
		errno = EINVAL;
		return MAP_FAILED;
	}
	struct msg f = {.tag = msg_tag(FS_MAP, 2, 0),
			.w = {(uint64_t)fd, shared && (prot & PROT_WRITE) ? FS_MAP_WRITE : 0}};
	int64_t id = __strata_fs_call(&f);
	if (id < 0) {
		errno = (int)-id;
		return MAP_FAILED;
	}
	if (!__strata_us || !__strata_us->mem) {
		errno = ENOMEM;
		return MAP_FAILED;
	}
	struct msg m = {.tag = msg_tag(MEM_MMAP, 6, 0),
			.w = {(uintptr_t)addr, len, (unsigned)prot,
			      MEM_MMAP_FILE | ((flags & MAP_FIXED) ? MEM_MMAP_FIXED : 0) |
				  (shared ? MEM_MMAP_SHARED : 0),
			      (uint64_t)id}};
	__strata_ipcbuf()->words[5] = (uint64_t)off;
	int e = __strata_call(__strata_us->mem, &m);
	if (e != ERR_OK) {
		errno = file_map_errno(e);
		return MAP_FAILED;
	}
	return (void *)m.w[0];
}

int msync(void *addr, size_t len, int flags)
{
	if (!__strata_us || !__strata_us->mem)
		return __strata_fail(ERR_INVALID);
	if (flags & ~(MS_ASYNC | MS_SYNC | MS_INVALIDATE))
		return __strata_fail(ERR_INVALID);
	struct msg m = {.tag = msg_tag(MEM_MSYNC, 3, 0),
			.w = {(uintptr_t)addr, len,
			      ((flags & MS_ASYNC) ? MEM_MS_ASYNC : 0) |
				  ((flags & MS_SYNC) ? MEM_MS_SYNC : 0) |
				  ((flags & MS_INVALIDATE) ? MEM_MS_INVALIDATE : 0)}};
	int e = __strata_call(__strata_us->mem, &m);
	if (e == ERR_IO) {
		errno = EIO;
		return -1;
	}
	return e == ERR_OK ? 0 : __strata_fail(e);
}

void *mmap(void *addr, size_t len, int prot, int flags, int fd, off_t off)
{
	int sharing = flags & (MAP_SHARED | MAP_PRIVATE), shm = __strata_shm_slot(fd);

	if (!(flags & MAP_ANONYMOUS) && shm >= 0 &&
	    !(flags & ~(MAP_SHARED | MAP_PRIVATE | MAP_FIXED)) && prot &&
	    sharing != (MAP_SHARED | MAP_PRIVATE))
		return __strata_shm_map(shm, addr, len, prot, flags, off);
	if (!(flags & MAP_ANONYMOUS) && fd >= 0)
		return map_file(addr, len, prot, flags, fd, off);
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
