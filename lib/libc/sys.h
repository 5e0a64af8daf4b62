/*
 * Internals of Strata's side of picolibc (lib/libc): how the C library
 * reaches the servers. Not for programs; they use the POSIX calls and
 * lib/libc/strata.h.
 */
#ifndef STRATA_LIB_LIBC_SYS_H
#define STRATA_LIB_LIBC_SYS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/user/ipc.h"
#include "lib/user/ustart.h"

/* The start-up page, or NULL when the program runs without servers (standalone). */
extern struct ustart *__strata_us;

/* The IPC buffer of the main thread (NULL when standalone). */
static inline struct ipc_buffer *__strata_ipcbuf(void)
{
	return __strata_us ? (struct ipc_buffer *)USTART_IPCBUF : 0;
}

/*
 * Call a server: send *m on ep and wait for the reply (into *m). Returns
 * ERR_OK, the transport's error, or the error carried in the reply's tag.
 * ERR_UNSUPPORTED if ep is 0 (no such server).
 */
int __strata_call(handle_t ep, struct msg *m);

/*
 * __strata_call, then copy n bytes of the reply from word `first` on into
 * out (msgbytes); ERR_CORRUPT if the reply is shorter.
 */
int __strata_call_bytes(handle_t ep, struct msg *m, unsigned first, void *out, size_t n);

/*
 * Shared-memory descriptors (shm.c): numbered from SHM_FD_BASE, never fs's.
 * __strata_shm_slot gives the slot of an open one, or -1; the others act
 * on a slot for close, ftruncate, fstat and mmap.
 */
#define SHM_FD_BASE 1000
struct stat;
int __strata_shm_slot(int fd);
int __strata_shm_close(int slot);
int __strata_shm_truncate(int slot, long len);
int __strata_shm_fstat(int slot, struct stat *st);
void *__strata_shm_map(int slot, void *addr, size_t len, int prot, int flags, long off);

/* Set errno from an enum err and return -1. */
int __strata_fail(int err);

/* The errno value for an enum err. */
int __strata_errno(int err);
/* The last signal handler run had SA_RESTART: a wait it cut short starts again (signal.c). */
bool __strata_signal_restart(void);

/* Write out stdout and stderr (before fork, exec and exit). */
void __strata_flush_all(void);

/* ---- file.c: descriptors (lib/user/fs_proto.h) */
/* Call fs: its result (>= 0), or -errno (a transport error as its errno). */
int64_t __strata_fs_call(struct msg *m);
/* The FS_KIND_* of descriptor fd (FS_KIND_NONE: not open, or out of range). */
int __strata_fd_kind(int fd);
void __strata_fd_set_kind(int fd, int kind);
/* Read or write a descriptor fs serves, at off or FS_AT_POS: the count, or -errno. */
int64_t __strata_fs_read(int fd, void *p, size_t n, uint64_t off);
int64_t __strata_fs_write(int fd, const void *p, size_t n, uint64_t off);

/* ---- path.c */
/* path made absolute and folded into abs (FS_PATH_MAX bytes): 0 or -errno. */
int __strata_path(const char *path, char *abs);
/* Start an fs request carrying the absolute path abs. */
void __strata_path_msg(struct msg *m, unsigned label, const char *abs);

#endif
