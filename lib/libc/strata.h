/*
 * Strata-specific calls for C programs, beyond POSIX: starting a program
 * without fork, the process and memory statistics ps, free and vmstat
 * show, and the file server's (df). Each returns as described, and sets errno on failure.
 */
#ifndef STRATA_LIB_LIBC_STRATA_H
#define STRATA_LIB_LIBC_STRATA_H

#include <stdint.h>

#include "lib/user/fs_proto.h"
#include "lib/user/mem_proto.h"
#include "lib/user/proc_proto.h"

/*
 * Start program path (a name in the initrd) as a child with arguments argv
 * (NULL-terminated; argv[0] is by convention the name), the caller's
 * environment, and a memory commit limit of limit_pages (0: the default).
 * Returns the child's pid, or -1 (ENOENT no such program, ENOEXEC not
 * loadable, E2BIG arguments too long, ENOMEM, EAGAIN no process slot).
 */
int strata_spawn(const char *path, char *const argv[], uint64_t limit_pages);
/*
 * As strata_spawn, the child in process group pgid: -1 the caller's, 0 a
 * new one of its own, else that group (EPERM: it has no process), as
 * posix_spawnattr_setpgroup: the child is in it before it runs.
 */
int strata_spawn_pgroup(const char *path, char *const argv[], uint64_t limit_pages, int pgid);

/* Process at or after cursor (0 to start): next cursor (0 = last), or -1 (ENOENT: none). */
int strata_proc_list(int cursor, struct proc_info *out);
/* The running process pid (one with a memory space): 0, or -1 (ENOENT: none). */
int strata_proc_find(int pid, struct proc_info *out);

/*
 * The OOM adjustment of process pid (0: the caller), PROC_OOM_ADJ_MIN
 * (never killed) .. PROC_OOM_ADJ_MAX (killed first): its value in *before
 * (if not NULL), then set to *set (if not NULL). 0, or -1 (ESRCH: no such
 * process; EINVAL: out of range).
 */
int strata_oom_adj(int pid, const int *set, int *before);

/*
 * Have mem move the pages of its mostly empty chunks into others and give
 * the emptied chunks back to the kernel (MEM_COMPACT): the chunks given
 * back in *chunks (if not NULL). 0, or -1.
 */
int strata_mem_compact(uint64_t *chunks);

/* The memory server's statistics: 0, or -1. */
int strata_mem_stats(struct mem_stats *out);

/* A process's memory statistics by memory-space id (0: the caller's own): 0, or -1. */
int strata_vs_stats(uint64_t vs, struct mem_vs_stats *out);

/*
 * Mapping `index` (0 first) of memory space vs (0: the caller's own, else
 * struct proc_info's vs): the next index to ask with (0: it was the last),
 * or -1 (ENOENT: no such space or mapping).
 */
int strata_vs_maps(uint64_t vs, int index, struct mem_map_info *out);

/*
 * Trace the page references of memory space vs (0: stop): its faults and
 * samples of its A/D bits (MEM_TRACE). 0, or -1 (ENOENT: no such space).
 */
int strata_vs_trace(uint64_t vs);
/*
 * Take a sample of the traced space and read up to MEM_TRACE_RECORDS
 * records (page number << 1 | written) into out; *lost: records dropped so
 * far. The count, or -1 (ENOENT: vs is not traced, or it ended).
 */
int strata_vs_trace_read(uint64_t vs, uint64_t *out, uint64_t *lost);

/* Sizes and free counts of the file system path lies in: 0, or -1. */
int strata_statfs(const char *path, struct fs_statfs *out);

/* What the file server holds (tables, open files, pipes, pages): 0, or -1. */
int strata_fs_stats(struct fs_stats *out);

/*
 * The process group the console's Ctrl-C interrupts (SIGINT) and Ctrl-Z
 * stops from now on (0: none), as tcsetpgrp but able to clear it. A shell
 * sets it while it waits for a foreground job. The group before, or -1
 * (EINVAL).
 */
int strata_console_foreground(int pgid);

/* ---- Pagers in ordinary programs (lib/libc/pager.c, docs/writing-a-pager.md) */

/* A page fault, as a pager receives it from the kernel. */
struct strata_fault {
	uint64_t addr;	 /* the address the client touched */
	unsigned access; /* PROT_READ, PROT_WRITE or PROT_EXEC: what it tried */
	unsigned ahead;	 /* pages of the range after the touched one (at most 255) */
	uint64_t offset; /* where addr lies in the object the range shows */
	uint64_t badge;	 /* the range's badge: which object */
	uint64_t thread; /* the faulting thread's id */
};

/* A new endpoint of the caller's (every right): faults and calls arrive on it. 0, or -1. */
int strata_endpoint(handle_t *ep);
/*
 * Memory a pager hands out: bytes (rounded up to a power of two pages, at
 * most 4 MiB) mapped read-write in the caller, and the frame behind it in
 * *frame, whose pages fault replies name. It counts against the caller's
 * commit limit. The address, or MAP_FAILED (EINVAL, ENOMEM).
 */
void *strata_pager_memory(size_t bytes, handle_t *frame);
/*
 * Have length bytes of the caller's address space served by the pager on
 * ep: at addr (MAP_FIXED) or where mem finds room, with rights prot (the
 * most the pager may map there), showing the pager's object `badge` (0:
 * the one ep's badge names) from byte `offset` on. munmap gives the range
 * back; fork shares it with the child. The address, or MAP_FAILED (EINVAL,
 * EPERM a badge ep may not name, ENOMEM).
 */
void *strata_pager_map(void *addr, size_t length, int prot, int flags, handle_t ep, uint64_t badge,
		       uint64_t offset);
/*
 * Publish ep (an endpoint, or a notification others may signal) under name
 * (/srv) until the caller withdraws it or ends: 0, or -1 (EINVAL, EEXIST,
 * EAGAIN).
 */
int strata_srv_publish(const char *name, handle_t ep);
/* Take back a name the caller published: 0, or -1 (ENOENT: not the caller's). */
int strata_srv_withdraw(const char *name);
/* The endpoint published under name, in *ep (call only): 0, or -1 (ENOENT, EINVAL). */
int strata_srv_lookup(const char *name, handle_t *ep);
/*
 * Wait on ep for the next fault (other messages are refused and skipped).
 * 0 with *f, or -1. Answer it with strata_pager_supply or _refuse before
 * waiting again.
 */
int strata_pager_wait(handle_t ep, struct strata_fault *f);
/*
 * Answer the fault: map pages (1..16) pages at va (page aligned) in the
 * client with rights prot, pages first, first + 1, ... of frame. The
 * kernel checks them; a refused reply fails the client's access. 0, or -1.
 */
int strata_pager_supply(uint64_t va, unsigned pages, int prot, handle_t frame, uint64_t first);
/*
 * Answer the fault with an error: the client gets SIGBUS for ERANGE or
 * ENXIO (beyond the object) and EIO, SIGSEGV for anything else. 0, or -1.
 */
int strata_pager_refuse(int err);
/*
 * Hold the fault just received instead of answering it now (while the
 * page is read from a disk, say): *reply keeps it, and the pager may wait
 * for and answer other faults meanwhile. The faulting thread waits until
 * strata_pager_supply_later or _refuse_later answers it (which closes
 * reply); closing reply unanswered fails its access (SIGBUS). 0, or -1.
 */
int strata_pager_defer(handle_t *reply);
int strata_pager_supply_later(handle_t reply, uint64_t va, unsigned pages, int prot, handle_t frame,
			      uint64_t first);
int strata_pager_refuse_later(handle_t reply, int err);

/* The name of an enum err code (lib/error.h), e.g. "ERR_NOMEM". */
const char *strata_strerror(int err);

#endif
