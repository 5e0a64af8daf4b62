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

/*
 * Only MAP_PRIVATE | MAP_ANONYMOUS (optionally MAP_FIXED) is supported;
 * anything else fails with EINVAL (no fd) or ENOTSUP (MAP_SHARED).
 * PROT_NONE mappings are refused (EINVAL), as is PROT_WRITE with PROT_EXEC.
 */
void *mmap(void *addr, size_t len, int prot, int flags, int fd, off_t off);
int munmap(void *addr, size_t len);

#endif
