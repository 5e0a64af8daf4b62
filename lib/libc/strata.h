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

/* The memory server's statistics: 0, or -1. */
int strata_mem_stats(struct mem_stats *out);

/* A process's memory statistics by memory-space id (0: the caller's own): 0, or -1. */
int strata_vs_stats(uint64_t vs, struct mem_vs_stats *out);

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

/* The name of an enum err code (lib/error.h), e.g. "ERR_NOMEM". */
const char *strata_strerror(int err);

#endif
