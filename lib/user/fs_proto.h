/*
 * The fs protocol: messages to the file server (user/fs).
 *
 * fs serves the file system on the disk (ext2 over blk), pipes, and every
 * process's table of file descriptors. A process talks to it through a
 * handle badged with its pid (struct ustart's `fs`), which proc mints when
 * it starts the process; proc itself holds a handle with the badge
 * FS_BADGE_PROC for the FS_PROC_* messages that create, copy and drop the
 * tables. Descriptor numbers are fs's: fork copies a table, exec drops the
 * close-on-exec entries, exit closes everything — so no descriptor can
 * outlive its process, however it ends.
 *
 * A descriptor names a file, a directory, a pipe end or the console. fds 0,
 * 1 and 2 of a process root starts are the console; a descriptor of kind
 * FS_KIND_CONSOLE is served by con, not fs: the C library asks fs what its
 * descriptors are (FS_FDINFO, FS_FDTABLE) and writes to the console itself.
 *
 * Data moves through a window: frame pages mapped both in the process (at
 * UFSWIN_VA, lib/user/ustart.h) and in fs. A process cannot map frames
 * itself (it holds no handle to its own space), so proc makes the window:
 * it allocates the frame, maps it in the process and lends it to fs with
 * FS_PROC_FORK; the window lives as long as the process, across exec.
 * FS_READ leaves the bytes at the start of the window, FS_WRITE takes them
 * from there; directory entries, stat results and descriptor tables come
 * back there too. A process has one window; its C library does one
 * transfer at a time.
 *
 * Every request is a SYS_CALL with the label below; the reply has the same
 * label and w0 = the result, >= 0, or -errno (FS_E* below, the POSIX
 * numbers picolibc uses). A read from an empty pipe, and a write to a full
 * one, is answered when data, room or the end comes (fs saves the reply,
 * SYS_REPLY_SAVE: it is never blocked itself, and serves everyone else
 * meanwhile). A caller without a table (its pid unknown to fs) gets
 * -FS_EBADF for descriptor requests and -FS_EINVAL for the rest.
 *
 * Paths travel in the message as bytes from word FS_PATH_WORD (msgbytes),
 * NUL-terminated; they are absolute (the C library resolves the working
 * directory). A rename carries two: old, NUL, new, NUL.
 */
#ifndef STRATA_LIB_USER_FS_PROTO_H
#define STRATA_LIB_USER_FS_PROTO_H

#include <stdint.h>

#include "lib/user/msgbytes.h"

#define FS_PATH_WORD	3
#define FS_PATH_MAX	MSGBYTES_MAX(FS_PATH_WORD) /* bytes, the NULs included */
#define FS_NAME_MAX	255
#define FS_WINDOW_PAGES 16 /* the largest window: 64 KiB */
#define FS_FDS_MAX	64 /* descriptors per process: fds 0..63 */
#define FS_BADGE_PROC	(1ull << 62)
#define FS_BADGE_MEM	(1ull << 61) /* mem's handle: FS_MEM_* */
/*
 * A mapping object's id, which is also the badge of the regions fs pages
 * for it (mem mints them from an unbadged handle): FS_MAP_ID_FLAG |
 * generation << 12 | slot + 1. fs maps a page with the rights the fault
 * asked for (R, R|W or R|X): the region's rights bound them.
 */
#define FS_MAP_ID_FLAG	   (1ull << 60)
#define FS_MAP_ID_MASK	   (FS_MAP_ID_FLAG | 0xffffffffffull)
#define FS_MAP_WRITE	   1u
#define FS_MEM_PAGES_MAX   16 /* pages one FS_MEM_PAGE gives */
#define FS_MEM_FRAMES_MAX  4  /* frames they lie in: the handles a message carries */
#define FS_SYNC_ASYNC	   1u /* msync MS_ASYNC: start the writes */
#define FS_SYNC_INVALIDATE 2u /* msync MS_INVALIDATE: nothing to drop, there is one cache */
#define FS_SYNC_SYNC	   4u /* msync MS_SYNC: wait for them */
#define FS_IMAGE_MAX	   (64ull << 20) /* the largest program FS_PROC_IMAGE loads */

/* clang-format off */
enum fs_label {
	/*
	 * Reserved: windows are proc's to make (FS_PROC_FORK). A process's
	 * FS_WINDOW gets -FS_EINVAL.
	 */
	FS_WINDOW  = 0x300,
	/* w0 = FS_O_* flags, w1 = mode (creation), path -> fd; w1 = its FS_KIND_*. */
	FS_OPEN    = 0x301,
	/* w0 = fd -> 0. */
	FS_CLOSE   = 0x302,
	/* w0 = fd, w1 = bytes (<= the window), w2 = offset or FS_AT_POS -> bytes read (0: end). */
	FS_READ    = 0x303,
	/* w0 = fd, w1 = bytes, w2 = offset or FS_AT_POS -> bytes written. */
	FS_WRITE   = 0x304,
	/* w0 = fd, w1 = offset, w2 = FS_SEEK_* -> the new position. */
	FS_SEEK    = 0x305,
	/* w0 = fd -> 0, struct fs_stat in the window. */
	FS_FSTAT   = 0x306,
	/* path -> 0, struct fs_stat in the window. */
	FS_STAT    = 0x307,
	/* w0 = fd, w1 = length -> 0. */
	FS_TRUNCATE = 0x308,
	/* w0 = fd (FS_ALL: every dirty page and the metadata) -> 0, once it is on the disk. */
	FS_FSYNC   = 0x309,
	/* path -> 0. */
	FS_UNLINK  = 0x30a,
	/* w0 = mode, path -> 0. */
	FS_MKDIR   = 0x30b,
	/* path -> 0. */
	FS_RMDIR   = 0x30c,
	/* old path, new path -> 0. */
	FS_RENAME  = 0x30d,
	/*
	 * w0 = fd (a directory), w1 = bytes of window to fill -> bytes filled
	 * with struct fs_dirent records (0 at the end); the position advances.
	 */
	FS_READDIR = 0x30e,
	/*
	 * w0 = fd, w1 = the new fd or FS_ANY_FD (the lowest free), w2 = FS_FD_CLOEXEC
	 * or 0 -> the new fd; w1 = its FS_KIND_*. dup and dup2 (an open w1 is closed first).
	 */
	FS_DUP     = 0x30f,
	/* -> read fd; w1 = write fd. */
	FS_PIPE    = 0x310,
	/* w0 = fd -> FS_KIND_*; w1 = FS_O_* flags it was opened with, w2 = FS_FD_* flags. */
	FS_FDINFO  = 0x311,
	/* w0 = fd, w1 = FS_FD_* flags to set -> 0 (fcntl F_SETFD). */
	FS_SETFD   = 0x312,
	/* -> number of descriptors; the window holds one uint8_t FS_KIND_* per fd 0..FS_FDS_MAX-1. */
	FS_FDTABLE = 0x313,
	/* path (the mount it lies in) -> 0; struct fs_statfs in the window. */
	FS_STATFS  = 0x314,
	/*
	 * -> 0; struct fs_stats in the window (anyone). What fs holds: tables,
	 * open-file descriptions, pipes, pages, saved replies.
	 */
	FS_STATS   = 0x315,
	/*
	 * w0 = fd, w1 = FS_MAP_WRITE if the mapping will be shared and
	 * writable -> the mapping object's id (FS_MAP_ID_*), w1 = the file's
	 * size. The descriptor must be a regular file opened for reading
	 * (-EACCES), and for FS_MAP_WRITE also for writing (-EACCES); -ENODEV
	 * if its file system cannot map files. The id is what mmap gives mem
	 * (MEM_MMAP with MEM_MMAP_FILE): one object per file, whatever the
	 * descriptor, so every mapping of a file sees the same pages: the page
	 * cache's, which read and write use too.
	 */
	FS_MAP     = 0x316,

	/* From proc only (FS_BADGE_PROC). */
	/*
	 * w0 = parent pid (0: a fresh table, the console at 0..2), w1 = child
	 * pid, w2 = window pages (1..FS_WINDOW_PAGES), w3 = FS_FORK_EXEC or 0,
	 * handles[0] = the child's window frame (READ|WRITE|MAP) -> 0. The
	 * child's table is a copy of the parent's (every descriptor shares its
	 * open-file description); with FS_FORK_EXEC (a spawn: fork and exec in
	 * one) without the parent's close-on-exec descriptors.
	 */
	FS_PROC_FORK = 0x380,
	/* w0 = pid -> 0: drop the close-on-exec descriptors (the window stays). */
	FS_PROC_EXEC = 0x381,
	/*
	 * w0 = pid -> 0: close every descriptor, fail a read or write it has
	 * waiting (the saved reply is dropped), drop the window.
	 */
	FS_PROC_EXIT = 0x382,
	/*
	 * Load a program (for PROC_SPAWN/PROC_EXEC), in two steps so that proc
	 * pays for the memory: w0 = 0, path -> the size of the file (a regular
	 * file, at most FS_IMAGE_MAX bytes; -ENOEXEC past that, -EACCES if it is
	 * not a regular file); then w0 = bytes of the frame in handles[0]
	 * (READ|WRITE|MAP), path -> the file read into the frame, w0 = bytes
	 * read (-EFBIG if it no longer fits). The path is absolute.
	 */
	FS_PROC_IMAGE = 0x383,
	/*
	 * w0 = pid -> 0: a read or write it waits in (an empty or full pipe)
	 * is answered now: a write that moved some bytes with their count,
	 * else -FS_EINTR. proc sends it when it runs a signal handler in the
	 * process, which POSIX says interrupts such a call.
	 */
	FS_PROC_INTERRUPT = 0x384,
	/*
	 * A program to map rather than read (PROC_SPAWN/PROC_EXEC): path,
	 * handles[0] = a frame (READ|WRITE|MAP) for the head of the file ->
	 * w0 = the file's mapping object (as FS_MAP makes), w1 = its size; the
	 * first min(size, frame bytes) bytes are in the frame. proc holds a
	 * reference on the object until FS_PROC_UNMAP (mem takes its own with
	 * MEM_IMAGE_FILE). -EACCES not a regular file, -ENOEXEC too large,
	 * -ENODEV a file system that cannot map (proc reads the file instead).
	 */
	FS_PROC_MAP = 0x385,
	/* w0 = an id of FS_PROC_MAP -> 0: proc's reference goes. */
	FS_PROC_UNMAP = 0x386,

	/*
	 * From mem only (FS_BADGE_MEM), about the mapping objects of FS_MAP.
	 * A mapping of an object is a reference mem holds: fs keeps the file
	 * (even unlinked) while mem has one.
	 */
	/* w0 = id, w1 = FS_MAP_WRITE or 0 -> 0: mem maps it (-EACCES: W never granted). */
	FS_MEM_REF   = 0x390,
	/* w0 = id -> 0: one mapping fewer. */
	FS_MEM_UNREF = 0x391,
	/*
	 * w0 = id, w1 = byte offset, w2 = pages wanted (1..FS_MEM_PAGES_MAX)
	 * -> w0 = n pages given (1..w2), handles[0..] = the cache frames they
	 * lie in (at most FS_MEM_FRAMES_MAX; READ|MAP|EXEC|GRANT, never WRITE),
	 * word 1 + i = the index of page i's frame among the handles << 32 |
	 * its page in that frame: the page at the offset (made if it is a
	 * hole) and those after it that exist. For MAP_PRIVATE mappings and
	 * program files, which map them read-only and copy on write. -ENXIO
	 * at or beyond the end of the file.
	 */
	FS_MEM_PAGE  = 0x392,
	/* w0 = id, w1 = offset, w2 = bytes, w3 = FS_SYNC_* -> 0: msync of a shared mapping. */
	FS_MEM_SYNC  = 0x393,
};
/* clang-format on */

#define FS_AT_POS UINT64_MAX /* FS_READ/FS_WRITE: at (and advancing) the position */
#define FS_ANY_FD UINT64_MAX
#define FS_ALL	  UINT64_MAX

/* FS_OPEN flags (the C library translates its O_* into these). */
#define FS_O_RDONLY    0x0000
#define FS_O_WRONLY    0x0001
#define FS_O_RDWR      0x0002
#define FS_O_ACCMODE   0x0003
#define FS_O_APPEND    0x0008
#define FS_O_CREAT     0x0200
#define FS_O_TRUNC     0x0400
#define FS_O_EXCL      0x0800
#define FS_O_DIRECTORY 0x200000
#define FS_O_CLOEXEC   0x40000

#define FS_FD_CLOEXEC 1
#define FS_FORK_EXEC  1 /* FS_PROC_FORK w3: the child is spawned, not forked */

enum fs_kind {
	FS_KIND_NONE = 0, /* not open */
	FS_KIND_FILE = 1,
	FS_KIND_DIR = 2,
	FS_KIND_PIPE = 3,
	FS_KIND_CONSOLE = 4,
};

enum fs_seek { FS_SEEK_SET = 0, FS_SEEK_CUR = 1, FS_SEEK_END = 2 };

/* errno values (POSIX names, picolibc's numbers). */
#define FS_EPERM	1
#define FS_ENOENT	2
#define FS_EINTR	4
#define FS_EIO		5
#define FS_ENOEXEC	8
#define FS_EBADF	9
#define FS_EAGAIN	11
#define FS_ENOMEM	12
#define FS_EACCES	13
#define FS_EBUSY	16
#define FS_EEXIST	17
#define FS_EXDEV	18
#define FS_ENOTDIR	20
#define FS_EISDIR	21
#define FS_EINVAL	22
#define FS_EMFILE	24
#define FS_EFBIG	27
#define FS_ENOSPC	28
#define FS_ESPIPE	29
#define FS_EROFS	30
#define FS_EMLINK	31
#define FS_EPIPE	32
#define FS_ENAMETOOLONG 91
#define FS_ENOTEMPTY	90
#define FS_ENOSYS	88
#define FS_ENXIO	6
#define FS_ENODEV	19

struct fs_stat {
	uint64_t ino;
	uint64_t size;
	uint64_t blocks; /* 512-byte blocks allocated */
	uint32_t mode;	 /* S_IF* type bits and permissions, as ext2 stores them */
	uint32_t nlink;
	uint32_t uid, gid;
	int64_t atime, mtime, ctime; /* seconds */
	uint32_t blksize;
	uint32_t pad;
};

/* One directory entry in FS_READDIR's window; records are 8-byte aligned. */
struct fs_dirent {
	uint64_t ino;
	uint16_t reclen; /* bytes of this record, padding included */
	uint8_t type;	 /* FS_KIND_FILE, FS_KIND_DIR, or 0 (other) */
	uint8_t namelen;
	char name[]; /* namelen bytes, then a NUL */
};

struct fs_statfs {
	uint64_t block_size;
	uint64_t blocks, blocks_free;
	uint64_t inodes, inodes_free;
};

/* FS_STATS: what fs holds now; each count returns to where it was once a process's work is undone.
 */
struct fs_stats {
	uint64_t tables;  /* processes with a descriptor table */
	uint64_t files;	  /* open-file descriptions */
	uint64_t pipes;	  /* pipes */
	uint64_t pages;	  /* pages of memory fs took for data (files, pipes) */
	uint64_t waiting; /* reads and writes answered later (saved replies) */
	/*
	 * Pages of the disk's page cache (its frames, and the page tables that
	 * map them in fs): memory in waiting, as the kernel's object caches are
	 * — fs gives clean pages back under pressure.
	 */
	uint64_t cache_pages;
	uint64_t map_objects; /* files mapped (or about to be): FS_MAP objects */
	uint64_t map_faults;  /* faults fs served for MAP_SHARED ranges */
};

#endif
