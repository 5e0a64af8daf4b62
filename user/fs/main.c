/*
 * fs: the file server. Start-up, and the request loop: a message is told
 * apart by its badge (FS_BADGE_PROC: proc; anything else: the pid of a
 * process) and then by its label. Every reply has the request's label and
 * w0 = the result or -errno (lib/user/fs_proto.h); a handler that saved
 * the reply returns FS_NO_REPLY and the loop just receives again.
 */
#include "user/fs/fs.h"

#include "lib/error.h"
#include "lib/str.h"
#include "lib/user/syscall.h"
#include "lib/user/ulib.h"

struct fs_stats fs_stats;
unsigned fs_reply_words = 1;
unsigned fs_reply_handles;

int64_t fs_now(void)
{
	return (int64_t)(sys_clock() / 1000000000ull);
}

static int64_t do_stats(struct client *c, struct msg *m)
{
	(void)m;
	if (c->win_bytes < sizeof(fs_stats))
		return -FS_EINVAL;
	fs_stats.cache_pages = ext2fs_cache_pages();
	memcpy(c->win, &fs_stats, sizeof(fs_stats));
	return 0;
}

typedef int64_t (*handler_fn)(struct client *c, struct msg *m);

static handler_fn handler_for(unsigned label)
{
	switch (label) {
	case FS_OPEN:
		return do_open;
	case FS_MAP:
		return do_map;
	case FS_CLOSE:
		return do_close;
	case FS_READ:
		return do_read;
	case FS_WRITE:
		return do_write;
	case FS_SEEK:
		return do_seek;
	case FS_FSTAT:
		return do_fstat;
	case FS_STAT:
		return do_stat;
	case FS_TRUNCATE:
		return do_truncate;
	case FS_FSYNC:
		return do_fsync;
	case FS_UNLINK:
		return do_unlink;
	case FS_MKDIR:
		return do_mkdir;
	case FS_RMDIR:
		return do_rmdir;
	case FS_RENAME:
		return do_rename;
	case FS_READDIR:
		return do_readdir;
	case FS_DUP:
		return do_dup;
	case FS_PIPE:
		return do_pipe;
	case FS_FDINFO:
		return do_fdinfo;
	case FS_SETFD:
		return do_setfd;
	case FS_FDTABLE:
		return do_fdtable;
	case FS_STATFS:
		return do_statfs;
	case FS_STATS:
		return do_stats;
	default:
		return 0;
	}
}

/* Descriptor requests from a process fs has no table for: EBADF, the rest EINVAL. */
static bool is_fd_request(unsigned label)
{
	switch (label) {
	case FS_CLOSE:
	case FS_READ:
	case FS_WRITE:
	case FS_SEEK:
	case FS_FSTAT:
	case FS_TRUNCATE:
	case FS_READDIR:
	case FS_MAP:
	case FS_DUP:
	case FS_FDINFO:
	case FS_SETFD:
		return true;
	default:
		return false;
	}
}

static int64_t proc_request(unsigned label, struct msg *m)
{
	switch (label) {
	case FS_PROC_FORK:
		return do_proc_fork(m);
	case FS_PROC_EXEC:
		return do_proc_exec(m);
	case FS_PROC_EXIT:
		return do_proc_exit(m);
	case FS_PROC_INTERRUPT:
		return do_proc_interrupt(m);
	case FS_PROC_IMAGE:
		return do_proc_image(m);
	case FS_PROC_MAP:
		return do_proc_map(m);
	case FS_PROC_UNMAP:
		return map_unref(m->w[0]);
	default:
		return -FS_ENOSYS;
	}
}

/* Handle one received message; *m becomes the reply (FS_NO_REPLY: none now). */
static int64_t handle(struct msg *m)
{
	unsigned label = msg_label(m->tag);
	uint64_t badge = m->badge;

	fs_reply_words = 1;
	fs_reply_handles = 0;
	if (m->tag & MSG_FROM_KERNEL) {
		if (label != MSG_FAULT || !(badge & FS_MAP_ID_FLAG))
			return -FS_EINVAL; /* no other kernel message is ours */
		map_fault(m);
		return FS_RAW_REPLY;
	}
	if (badge == FS_BADGE_PROC)
		return proc_request(label, m);
	if (badge == FS_BADGE_MEM)
		return map_mem_request(label, m);
	/* root, before it powers the machine off: everything to the disks. */
	if (badge == 0 && label == FS_FSYNC && m->w[0] == FS_ALL)
		return mount_sync_all();
	/* Processes send no handles: close any that came, so they cannot pile up. */
	for (unsigned i = 0; i < msg_handles(m->tag); i++)
		if (FS_IPCBUF->handles[i] > 0)
			sys_handle_close(FS_IPCBUF->handles[i]);
	handler_fn fn = handler_for(label);
	if (!fn)
		return label == FS_WINDOW ? -FS_EINVAL : -FS_ENOSYS;
	struct client *c = badge && badge <= 0x7fffffffull ? client_find((int32_t)badge) : 0;
	if (!c)
		return is_fd_request(label) ? -FS_EBADF : -FS_EINVAL;
	return fn(c, m);
}

static void serve(handle_t ep)
{
	struct msg m = {.tag = msg_tag(0, 0, 0)};

	for (;;) {
		int e = ipc_reply_recv(ep, &m);

		if (e == ERR_TRUNCATED || e == ERR_FAULT) {
			m = (struct msg){.tag = msg_tag(0, 1, 0), .w = {(uint64_t)-FS_EINVAL}};
			continue;
		}
		if (e != ERR_OK) {
			uprintf("fs: receive failed: %s\n", err_name(e));
			m = (struct msg){.tag = msg_tag(0, 1, 0), .w = {(uint64_t)-FS_EINVAL}};
			sys_sleep(10000000);
			continue;
		}
		unsigned label = msg_label(m.tag);
		int64_t r = handle(&m);
		if (r == FS_NO_REPLY) {
			m = (struct msg){
			    .tag = msg_tag(0, 0, 0)}; /* nothing owed now: a plain receive */
			continue;
		}
		if (r == FS_RAW_REPLY)
			continue; /* m is the reply as it is (a fault's) */
		struct msg reply = {.tag = msg_tag(label, fs_reply_words, fs_reply_handles),
				    .w = {(uint64_t)r}};
		for (unsigned i = 1; i < fs_reply_words && i < MSG_REG_WORDS; i++)
			reply.w[i] = m.w[i];
		m = reply;
	}
}

/*
 * The file systems there are at start: the disk's root partition (ext2) at
 * / when fs was given the disk, else a RAM one; and a RAM one at /tmp,
 * emptied at every boot.
 */
static int mount_initial(handle_t blk)
{
	void *priv;
	uint64_t root, tmp;
	int e = blk ? ext2fs_mount_root(blk, &priv, &root) : -FS_ENOENT;

	if (e == 0) {
		e = mount_add("/", &ext2_backend, priv, root);
		uprintf("fs: / is the disk's root partition (ext2)\n");
	} else {
		e = ramfs_new(4096, &priv, &root);
		if (e == 0)
			e = mount_add("/", &ramfs_backend, priv, root);
		if (e == 0)
			e = ramfs_backend.mkdir(priv, root, "tmp", 3, 01777, &tmp);
	}
	if (e == 0)
		e = ramfs_new(4096, &priv, &root);
	if (e == 0)
		e = mount_add("/tmp", &ramfs_backend, priv, root);
	return e;
}

int main(const struct ustart *us)
{
	uenv = (struct uenv){us->self_space, us->self_thread, us->quota, us->system};
	if (us->magic != USTART_MAGIC || us->role != ROLE_FS || !us->serve) {
		uprintf("fs: cannot start: not started as fs\n");
		return 1;
	}
	int e = page_init();
	if (e == ERR_OK)
		e = client_init();
	if (e != ERR_OK || mount_initial(us->blk) != 0) {
		uprintf("fs: cannot start: out of memory\n");
		return 1;
	}
	uprintf("fs: ready\n");
	serve(us->serve);
	return 0;
}
