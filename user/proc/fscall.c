/*
 * Descriptor tables in fs (lib/user/fs_proto.h): proc tells fs when a
 * process starts (a fresh table, or a copy of its parent's), execs and
 * ends, so that no descriptor outlives its process, however it ends. Each
 * process also gets its window here: a frame mapped at UFSWIN_VA in the
 * process and lent to fs. fs never calls proc, so these calls cannot
 * deadlock; fs answers each at once.
 */
#include "user/proc/proc.h"

#include "lib/error.h"
#include "lib/str.h"
#include "lib/user/msgbytes.h"
#include "lib/user/syscall.h"
#include "lib/user/ulib.h"

/* A label and words to fs's proc handle; ERR_OK or why not (fs's -errno as ERR_INVALID). */
static int fs_call(struct msg *m)
{
	int e = ipc_call(env.fs_admin, m);

	if (e == ERR_OK)
		e = msg_error(m->tag);
	if (e == ERR_OK && (int64_t)m->w[0] < 0)
		e = (int64_t)m->w[0] == -FS_ENOMEM ? ERR_NOMEM : ERR_INVALID;
	return e;
}

#define WINDOW_ORDER 2
_Static_assert(UFSWIN_PAGES == 1u << WINDOW_ORDER, "the window is one frame of 2^order pages");

/*
 * Give p a descriptor table in fs: a copy of parent's (0: a fresh one with
 * the console at 0..2; spawn: without its close-on-exec ones), and its window, mapped in p's space
 * and lent to fs. Without fs (no handle) there is nothing to do. On error p has no table; the
 * window mapping goes with p's space.
 */
int fs_attach(struct process *p, int32_t parent, bool spawn)
{
	handle_t f;

	if (!env.fs_admin)
		return ERR_OK;
	int e = sys_frame_alloc(WINDOW_ORDER, FRAME_ZEROED, &f);
	if (e != ERR_OK)
		return e;
	e = sys_space_map(p->space, UFSWIN_VA, f, 0, UFSWIN_PAGES, PROT_R | PROT_W);
	if (e == ERR_OK) {
		struct msg m = {.tag = msg_tag(FS_PROC_FORK, 4, 1),
				.w = {(uint64_t)(parent > 0 ? parent : 0), (uint64_t)p->pid,
				      UFSWIN_PAGES, spawn ? FS_FORK_EXEC : 0}};
		IPCBUF->handles[0] = f;
		IPCBUF->handle_rights[0] = RIGHT_READ | RIGHT_WRITE | RIGHT_MAP;
		e = fs_call(&m);
	}
	sys_handle_close(f); /* the mappings (ours in p, fs's) hold the frame */
	if (e != ERR_OK)
		uprintf("proc: fs table for pid %d: %s\n", p->pid, err_name(e));
	if (e == ERR_OK)
		p->fs_table = 1;
	return e;
}

/* p execs: fs drops its close-on-exec descriptors. */
int fs_exec(const struct process *p)
{
	if (!p->fs_table)
		return ERR_OK;
	struct msg m = {.tag = msg_tag(FS_PROC_EXEC, 1, 0), .w = {(uint64_t)p->pid}};
	return fs_call(&m);
}

/* A handler is to run in p: a pipe read or write it waits in returns (EINTR). */
void fs_interrupt(const struct process *p)
{
	if (!p->fs_table)
		return;
	struct msg m = {.tag = msg_tag(FS_PROC_INTERRUPT, 1, 0), .w = {(uint64_t)p->pid}};
	fs_call(&m);
}

/* p is gone (or never ran): fs closes its descriptors and drops its window. */
void fs_detach(struct process *p)
{
	if (!p->fs_table)
		return;
	struct msg m = {.tag = msg_tag(FS_PROC_EXIT, 1, 0), .w = {(uint64_t)p->pid}};
	int e = fs_call(&m);
	p->fs_table = 0;
	if (e != ERR_OK)
		uprintf("proc: fs did not drop the table of pid %d: %s\n", p->pid, err_name(e));
}

/* FS_PROC_IMAGE (or label) with path; w0 as given -> the reply's w0 (a size, bytes, or -errno). */
static int64_t path_call(unsigned label, const char *path, uint64_t w0, handle_t frame,
			 uint64_t *w1)
{
	struct msg m = {.w = {w0}};
	size_t len = strlen(path) + 1;

	if (len > FS_PATH_MAX)
		return -FS_ENAMETOOLONG;
	unsigned words = msgbytes_put(&m, IPCBUF, FS_PATH_WORD, path, len);
	m.tag = msg_tag(label, words, frame ? 1 : 0);
	if (frame) {
		IPCBUF->handles[0] = frame;
		IPCBUF->handle_rights[0] = RIGHT_READ | RIGHT_WRITE | RIGHT_MAP;
	}
	int e = ipc_call(env.fs_admin, &m);
	if (e == ERR_OK && msg_error(m.tag))
		e = msg_error(m.tag);
	if (e == ERR_OK && w1)
		*w1 = m.w[1];
	return e == ERR_OK ? (int64_t)m.w[0] : -FS_EIO;
}

static int64_t image_call(const char *path, uint64_t w0, handle_t frame)
{
	return path_call(FS_PROC_IMAGE, path, w0, frame, 0);
}

/* The smallest frame order holding bytes. */
static unsigned order_for(uint64_t bytes)
{
	unsigned order = 0;

	while ((PAGE << order) < bytes)
		order++;
	return order;
}

/*
 * A program file, read by fs into a frame proc allocates (proc pays for
 * the program's image; mem fills the program's pages from it). ERR_NOENT:
 * no such file (or no fs); ERR_CORRUPT: not a regular file, too large, or
 * it changed under the read; ERR_NOMEM / ERR_QUOTA: no frame for it.
 */
int fs_image(const char *path, handle_t *frame, uint64_t *size)
{
	if (!env.fs_admin)
		return ERR_NOENT;
	int64_t r = image_call(path, 0, 0);
	if (r == -FS_ENOENT || r == -FS_ENOTDIR)
		return ERR_NOENT;
	if (r <= 0)
		return r == -FS_EIO ? ERR_PEER
				    : ERR_CORRUPT; /* an empty file is no program either */
	uint64_t bytes = (uint64_t)r;
	handle_t f;
	int e = sys_frame_alloc(order_for(bytes), FRAME_ZEROED, &f);
	if (e != ERR_OK)
		return e;
	r = image_call(path, PAGE << order_for(bytes), f);
	if (r != (int64_t)bytes) {
		sys_handle_close(f);
		return r == -FS_ENOMEM ? ERR_NOMEM : ERR_CORRUPT;
	}
	*frame = f;
	*size = bytes;
	return ERR_OK;
}

int fs_map_image(const char *path, handle_t head, uint64_t *id, uint64_t *size)
{
	if (!env.fs_admin)
		return ERR_NOENT;
	int64_t r = path_call(FS_PROC_MAP, path, 0, head, size);
	if (r == -FS_ENOENT || r == -FS_ENOTDIR)
		return ERR_NOENT;
	if (r == -FS_ENODEV)
		return ERR_UNSUPPORTED;
	if (r < 0)
		return r == -FS_EIO ? ERR_PEER : r == -FS_ENOMEM ? ERR_NOMEM : ERR_CORRUPT;
	*id = (uint64_t)r;
	return ERR_OK;
}

void fs_unmap_image(uint64_t id)
{
	struct msg m = {.tag = msg_tag(FS_PROC_UNMAP, 1, 0), .w = {id}};

	if (env.fs_admin && ipc_call(env.fs_admin, &m) == ERR_OK && (int64_t)m.w[0] < 0)
		uprintf("proc: fs did not take back a program's mapping object\n");
}
