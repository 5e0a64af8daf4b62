/*
 * fs, the file server: shared state and the pieces it is built from.
 *
 * One thread serves every request (main.c) and never blocks: a read from an
 * empty pipe or a write to a full one saves its reply (SYS_REPLY_SAVE) and
 * is answered when the pipe changes (pipe.c).
 *
 *   main.c     start-up, the receive loop, dispatch by badge and label
 *   client.c   per-process descriptor tables and windows; FS_PROC_*
 *   fd.c       open-file descriptions and descriptors: dup, close, fdinfo
 *   file.c     open, read, write, seek, stat, truncate, readdir on files
 *   path.c     mounts, path walks and the namespace calls (unlink, mkdir, ...)
 *   pipe.c     pipes and the requests waiting on them
 *   page.c     pages of memory for file data and pipes
 *   map.c      mapped files: the objects mem maps, the faults of shared mappings
 *   image.c    programs loaded for proc (FS_PROC_IMAGE)
 *   backend.h  the interface a file system implements; ramfs.c is one
 */
#ifndef STRATA_USER_FS_FS_H
#define STRATA_USER_FS_FS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/user/fs_proto.h"
#include "lib/user/ipc.h"
#include "lib/user/ustart.h"
#include "user/fs/backend.h"

#define FS_CLIENTS    80  /* processes with a table (proc has 64 slots) */
#define FS_FILES      512 /* open-file descriptions */
#define FS_PIPES      64
#define FS_MOUNTS     4
#define PIPE_PAGES    4
#define PIPE_SIZE     (PIPE_PAGES * 4096u)
#define PAGE	      4096ull
#define FS_NO_REPLY   INT64_MIN	      /* a handler saved the reply: nothing to send now */
#define FS_RAW_REPLY  (INT64_MIN + 1) /* the handler made the whole reply in *m */
#define FS_IPCBUF     ((struct ipc_buffer *)USTART_IPCBUF)
#define FS_MOUNT_PATH 64

/* A mounted file system. */
struct mount {
	const struct fs_backend *ops; /* NULL: free slot */
	void *priv;
	uint64_t root;		  /* inode of its root directory */
	char path[FS_MOUNT_PATH]; /* "/" or "/tmp": absolute, no trailing slash but for "/" */
	size_t pathlen;
};

struct pipe;

/* An open-file description: what open, pipe and the console make; shared by dup and fork. */
struct ofile {
	unsigned refs;	/* descriptors (in every table) naming it; 0: free */
	uint8_t kind;	/* FS_KIND_* */
	bool write_end; /* pipes: this is the write end */
	uint32_t flags; /* FS_O_* it was opened with */
	uint64_t pos;
	struct mount *mnt; /* files and directories */
	uint64_t ino;
	struct pipe *pipe;
};

enum wait_kind { WAIT_NONE, WAIT_READ, WAIT_WRITE };

/* A request of a client answered later, through its saved reply. */
struct waiter {
	enum wait_kind kind;
	handle_t reply;
	unsigned label;
	struct ofile *of;
	uint64_t want, done; /* bytes asked for, bytes moved so far (writes) */
};

/* A process's table. */
struct client {
	int32_t pid; /* 0: free slot */
	uint8_t *win;
	uint64_t win_bytes;
	struct ofile *fd[FS_FDS_MAX];
	uint8_t fdflags[FS_FDS_MAX]; /* FS_FD_CLOEXEC */
	struct waiter wait;
};

struct pipe {
	bool used;
	uint8_t *buf;
	uint32_t head, len;	   /* bytes at buf[head..] wrapping round PIPE_SIZE */
	unsigned readers, writers; /* open-file descriptions of each end */
};

extern struct client clients[FS_CLIENTS];
extern struct fs_stats fs_stats;
extern unsigned fs_reply_words;	  /* words of the reply being made: 1, or 2..5 with w1.. set */
extern unsigned fs_reply_handles; /* handles it carries (in FS_IPCBUF): 0 or 1 */

/* ---- main.c */
int64_t fs_now(void); /* seconds since boot */

/* ---- page.c: pages mapped in fs (2^order, order <= 2), zeroed; NULL when out of memory */
int page_init(void);
void *page_alloc(unsigned order);
void page_free(void *p, unsigned order);
/* The frame of page p (page_alloc's), kept by fs, to be mapped elsewhere (taken back at free). */
handle_t page_frame(const void *p);

/* ---- client.c */
int client_init(void);
struct client *client_find(int32_t pid);
int64_t do_proc_fork(struct msg *m);
int64_t do_proc_exec(struct msg *m);
int64_t do_proc_exit(struct msg *m);
int64_t do_proc_interrupt(struct msg *m);

/* ---- image.c */
int64_t do_proc_image(struct msg *m);
int64_t do_proc_map(struct msg *m);

/* ---- fd.c */
struct ofile *ofile_new(uint8_t kind, uint32_t flags);
void ofile_put(struct ofile *of); /* drop one reference */
struct ofile *fd_get(struct client *c, uint64_t fd);
int fd_lowest_free(struct client *c);
void fd_close(struct client *c, int fd);
int64_t do_close(struct client *c, struct msg *m);
int64_t do_dup(struct client *c, struct msg *m);
int64_t do_fdinfo(struct client *c, struct msg *m);
int64_t do_setfd(struct client *c, struct msg *m);
int64_t do_fdtable(struct client *c, struct msg *m);

/* ---- path.c */
struct walk {
	struct mount *mnt;
	uint64_t dir;	  /* the parent directory of the last component */
	uint64_t ino;	  /* the thing named, 0 if it does not exist */
	const char *name; /* the last component (in the walk's buffer), NULL for a mount's root */
	size_t len;
	bool trailing_slash;
	char buf[FS_PATH_MAX];
};
int mount_add(const char *path, const struct fs_backend *ops, void *priv, uint64_t root);
int path_from_msg(const struct msg *m, char *out, size_t *len);
int path_walk(const char *path, struct walk *w);
/* Walk the request's path to something that exists, and stat it. */
int path_stat_msg(const struct msg *m, struct walk *w, struct fs_stat *st);
int mount_sync_all(void);
int64_t do_stat(struct client *c, struct msg *m);
int64_t do_unlink(struct client *c, struct msg *m);
int64_t do_mkdir(struct client *c, struct msg *m);
int64_t do_rmdir(struct client *c, struct msg *m);
int64_t do_rename(struct client *c, struct msg *m);
int64_t do_statfs(struct client *c, struct msg *m);

/* ---- file.c */
int64_t do_open(struct client *c, struct msg *m);
int64_t do_read(struct client *c, struct msg *m);
int64_t do_write(struct client *c, struct msg *m);
int64_t do_seek(struct client *c, struct msg *m);
int64_t do_fstat(struct client *c, struct msg *m);
int64_t do_truncate(struct client *c, struct msg *m);
int64_t do_fsync(struct client *c, struct msg *m);
int64_t do_readdir(struct client *c, struct msg *m);

/* ---- map.c: mapped files */
int64_t do_map(struct client *c, struct msg *m);
int64_t map_mem_request(unsigned label, struct msg *m);
void map_fault(struct msg *m); /* a kernel fault message in, its reply out */
void map_client_gone(int32_t pid);
/* A reference for proc on the mapping object of (mnt, ino) (FS_PROC_MAP): *id. */
int map_proc_ref(struct mount *mnt, uint64_t ino, uint64_t *id);
/* One reference on mapping object id fewer (proc's or mem's): 0, or -FS_EINVAL. */
int map_unref(uint64_t id);

/* ---- pipe.c */
int64_t do_pipe(struct client *c, struct msg *m);
int64_t pipe_read(struct client *c, struct ofile *of, uint64_t n);
int64_t pipe_write(struct client *c, struct ofile *of, uint64_t n);
void pipe_close_end(struct pipe *p, bool write_end);
void waiter_drop(struct client *c);
/* c's waiting read or write ends: the bytes a write moved, else -FS_EINTR. */
void waiter_interrupt(struct client *c);

#endif
