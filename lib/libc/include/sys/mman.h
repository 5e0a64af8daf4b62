/* Memory mappings for Strata C programs: anonymous, private memory from the mem server. */
#ifndef STRATA_SYS_MMAN_H
#define STRATA_SYS_MMAN_H

#include <stddef.h>
#include <sys/types.h>

#define PROT_NONE  0
#define PROT_READ  1
#define PROT_WRITE 2
#define PROT_EXEC  4

#define MAP_SHARED    0x01
#define MAP_PRIVATE   0x02
#define MAP_FIXED     0x10
#define MAP_ANONYMOUS 0x20
#define MAP_ANON      MAP_ANONYMOUS

#define MAP_FAILED ((void *)-1)

#define MS_ASYNC      1
#define MS_INVALIDATE 2
#define MS_SYNC	      4

/*
 * Anonymous memory: MAP_PRIVATE | MAP_ANONYMOUS (copy-on-write after fork)
 * or MAP_SHARED | MAP_ANONYMOUS (parent and children forked later share
 * the pages), optionally MAP_FIXED; shared-memory objects (shm_open,
 * MAP_SHARED); and files: MAP_SHARED (stores reach the file, and read()
 * and write() see the same pages at once) or MAP_PRIVATE (copy-on-write
 * over the file's pages), from a page-aligned offset. A touch beyond the
 * page holding the end of the file is SIGBUS. Errors: EINVAL (flags,
 * unaligned offset, length 0, PROT_NONE, PROT_WRITE with PROT_EXEC),
 * EACCES (a descriptor not open for reading, or MAP_SHARED with
 * PROT_WRITE on one not open for writing), ENODEV (not a regular file,
 * or a file system that cannot map), ENOMEM.
 */
void *mmap(void *addr, size_t len, int prot, int flags, int fd, off_t off);
/*
 * Write the dirty pages of the file mappings (MAP_SHARED) in [addr, addr +
 * len) to the file's disk: MS_SYNC waits for them, and so does MS_ASYNC
 * (allowed: the writes are done when it returns); MS_INVALIDATE has nothing
 * to do (one page cache). 0, or -1: EINVAL (unaligned, flags), ENOMEM (not
 * mapped), EIO.
 */
int msync(void *addr, size_t len, int flags);

/*
 * POSIX shared memory: an object named "/NAME" (1..31 of [A-Za-z0-9._-]
 * after the slash), of zero-filled pages; oflag O_RDONLY or O_RDWR, with
 * O_CREAT, O_EXCL, O_TRUNC (mode is ignored: no permissions). ftruncate
 * sizes it, fstat tells its size, mmap maps it (MAP_SHARED only), close
 * closes the descriptor (from 1000 up, close-on-exec). The object lives
 * while it has its name or a mapping.
 */
int shm_open(const char *name, int oflag, mode_t mode);
int shm_unlink(const char *name);
int munmap(void *addr, size_t len);
/*
 * New rights (PROT_NONE too) for every page of [addr, addr + len), which
 * must be mapped (not the brk heap): 0, or -1 (EINVAL unaligned, W with X,
 * unknown bits; ENOMEM a page not mapped; EACCES write to a shared-memory
 * object opened read-only).
 */
int mprotect(void *addr, size_t len, int prot);

#endif
