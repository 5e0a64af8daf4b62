/*
 * Descriptor tables, one per process, keyed by pid (the badge of the
 * process's fs handle), and the windows. Only proc makes and drops them
 * (FS_PROC_*), so a table lives exactly as long as its process.
 */
#include "user/fs/fs.h"

#include "lib/error.h"
#include "lib/user/syscall.h"
#include "lib/user/ulib.h"

struct client clients[FS_CLIENTS];
static uint64_t win_base; /* client i's window is mapped at win_base + i * the largest window */
static struct ofile *console;

#define WIN_SLOT ((uint64_t)FS_WINDOW_PAGES * PAGE)

int client_init(void)
{
	win_base = uvm_reserve(FS_CLIENTS * WIN_SLOT);
	/* The console's description: every fresh table's 0..2 share it; it never goes. */
	console = ofile_new(FS_KIND_CONSOLE, FS_O_RDWR);
	return console ? ERR_OK : ERR_NOMEM;
}

struct client *client_find(int32_t pid)
{
	for (unsigned i = 0; i < FS_CLIENTS; i++)
		if (clients[i].pid == pid)
			return &clients[i];
	return 0;
}

/*
 * w0 = parent pid (0: fresh), w1 = child pid, w2 = window pages, w3 =
 * FS_FORK_EXEC or 0, handles[0] = the window frame. Checked whole before anything changes.
 */
int64_t do_proc_fork(struct msg *m)
{
	int32_t parent_pid = (int32_t)m->w[0], pid = (int32_t)m->w[1];
	uint64_t pages = m->w[2];
	handle_t frame = msg_handles(m->tag) == 1 ? FS_IPCBUF->handles[0] : 0;
	struct client *parent = parent_pid ? client_find(parent_pid) : 0;
	struct client *c = client_find(0);
	int64_t r = 0;

	if (frame <= 0 || msg_handles(m->tag) != 1)
		r = -FS_EINVAL;
	else if (pid <= 0 || m->w[1] > 0x7fffffffull || client_find(pid) ||
		 (parent_pid && !parent) || pages == 0 || pages > FS_WINDOW_PAGES)
		r = -FS_EINVAL;
	else if (!c)
		r = -FS_ENOMEM;
	uint64_t va = c ? win_base + (uint64_t)(c - clients) * WIN_SLOT : 0;
	if (r == 0 && sys_space_map(uenv.space, va, frame, 0, pages, PROT_R | PROT_W) != ERR_OK)
		r = -FS_EINVAL;
	if (frame > 0)
		sys_handle_close(frame); /* the mapping holds it */
	if (r != 0)
		return r;
	*c = (struct client){.pid = pid, .win = (uint8_t *)va, .win_bytes = pages * PAGE};
	for (int fd = 0; fd < FS_FDS_MAX; fd++) {
		struct ofile *of = parent ? parent->fd[fd] : fd < 3 ? console : 0;
		bool skip =
		    parent && (m->w[3] & FS_FORK_EXEC) && (parent->fdflags[fd] & FS_FD_CLOEXEC);
		if (of && !skip) {
			of->refs++;
			c->fd[fd] = of;
			c->fdflags[fd] = parent ? parent->fdflags[fd] : 0;
		}
	}
	fs_stats.tables++;
	return 0;
}

/* w0 = pid: its close-on-exec descriptors go. */
int64_t do_proc_exec(struct msg *m)
{
	struct client *c = m->w[0] && m->w[0] <= 0x7fffffffull ? client_find((int32_t)m->w[0]) : 0;

	if (!c)
		return -FS_EINVAL;
	waiter_drop(c); /* none can wait: its thread called proc; but be sure */
	for (int fd = 0; fd < FS_FDS_MAX; fd++)
		if (c->fd[fd] && (c->fdflags[fd] & FS_FD_CLOEXEC))
			fd_close(c, fd);
	return 0;
}

/* w0 = pid: a read or write it waits in ends now (a signal handler is to run). */
int64_t do_proc_interrupt(struct msg *m)
{
	struct client *c = m->w[0] && m->w[0] <= 0x7fffffffull ? client_find((int32_t)m->w[0]) : 0;

	if (!c)
		return -FS_EINVAL;
	waiter_interrupt(c);
	return 0;
}

/* w0 = pid: everything of the process goes. */
int64_t do_proc_exit(struct msg *m)
{
	struct client *c = m->w[0] && m->w[0] <= 0x7fffffffull ? client_find((int32_t)m->w[0]) : 0;

	if (!c)
		return -FS_EINVAL;
	waiter_drop(c);
	for (int fd = 0; fd < FS_FDS_MAX; fd++)
		if (c->fd[fd])
			fd_close(c, fd);
	sys_space_unmap(uenv.space, (uint64_t)c->win, c->win_bytes);
	map_client_gone(c->pid);
	*c = (struct client){0};
	fs_stats.tables--;
	return 0;
}
