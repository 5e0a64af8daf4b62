/*
 * proc: the process server. Start-up, and the request loop: every message
 * on proc's endpoint is told apart by its badge (root, a process, an
 * exception, the reaper) and then by its label.
 */
#include "user/proc/proc.h"

#include "lib/error.h"
#include "lib/user/syscall.h"
#include "lib/user/ulib.h"

struct proc_env env;

/*
 * Take proc's handles from its start-up page. The admin handle to mem is
 * minted here from the unbadged one root gives (unless root minted it).
 */
static int init_env(const struct ustart *us)
{
	uenv = (struct uenv){us->self_space, us->self_thread, us->quota, us->system};
	env = (struct proc_env){
	    .space = us->self_space,
	    .quota = us->quota,
	    .serve = us->serve,
	    .mem = us->mem,
	    .mem_admin = us->mem_admin,
	    .con = us->con,
	    .con_input = us->con_input_signal,
	    .root_event = us->child_event,
	    .fs = us->fs,
	    .fs_admin = us->fs_admin,
	    .timebase_hz = us->timebase_hz,
	    .nharts = us->nharts,
	};
	env.out = (struct con_out){env.con, IPCBUF};
	if (us->magic != USTART_MAGIC || us->role != ROLE_PROC || !us->serve || !us->mem ||
	    !us->initrd)
		return ERR_INVALID;
	int e = ERR_OK;
	if (!env.mem_admin)
		e = sys_handle_mint(env.mem, RIGHT_WRITE, MEM_BADGE_ADMIN, &env.mem_admin);
	if (e == ERR_OK)
		e = initrd_map(us->initrd, us->initrd_offset, us->initrd_size, &env.rd);
	return e;
}

/* A request from root (pid 0) or from running process p; the reply goes into m. */
static int client_request(int32_t caller, struct process *p, struct msg *m)
{
	unsigned label = msg_label(m->tag);

	if (!p && (label == PROC_FORK || label == PROC_EXEC || label == PROC_EXIT ||
		   label == PROC_SIGNALS || label == PROC_ALARM))
		return ERR_INVALID;
	switch (label) {
	case PROC_SPAWN:
		return do_spawn(caller, m);
	case PROC_EXEC:
		return do_exec(p, m);
	case PROC_FORK:
		return do_fork(p, m);
	case PROC_EXIT:
		do_exit(p, m);
		*m = (struct msg){.tag = msg_tag(PROC_EXIT, 0, 0)}; /* the caller is gone */
		return ERR_OK;
	case PROC_WAIT:
		return do_wait(caller, m);
	case PROC_KILL:
		return do_kill(caller, m);
	case PROC_SETPGID:
		return do_setpgid(caller, m);
	case PROC_GETPGID:
		return do_getpgid(caller, m);
	case PROC_GETPID:
		return do_getpid(caller, m);
	case PROC_LIST:
		return do_list(m);
	case PROC_SIGNALS:
		return do_signals(p, m);
	case PROC_ALARM:
		return do_alarm(p, m);
	case PROC_TIMES:
		return do_times(caller, m);
	case PROC_OOM_ADJ:
		return do_oom_adj(caller, m);
	case PROC_SRV_LOOKUP:
		return do_srv_lookup(m);
	case PROC_SRV_LIST:
		return do_srv_list(m);
	case PROC_SRV_WITHDRAW:
		return p ? do_srv_withdraw(p->pid, m) : ERR_INVALID;
	default:
		return ERR_UNSUPPORTED;
	}
}

/*
 * Handle one received message; *m becomes the reply. A reply that finds
 * its caller gone (exit, exec, a process killing itself) is dropped by the
 * kernel, and one sent when nothing is owed (after an exception, which is
 * answered on the spot) is ignored.
 */
static void handle(struct msg *m)
{
	uint64_t badge = m->badge;
	unsigned label = msg_label(m->tag);
	int e;

	/*
	 * Only a process's PROC_SRV_PUBLISH carries a handle (one): close any
	 * other that came, so they cannot pile up.
	 */
	bool publish = label == PROC_SRV_PUBLISH && badge != 0 && badge <= PID_MASK &&
		       !(m->tag & MSG_FROM_KERNEL) && proc_running((int32_t)badge);
	handle_t carried = publish && msg_handles(m->tag) == 1 ? IPCBUF->handles[0] : 0;
	for (unsigned i = carried ? 1 : 0; i < msg_handles(m->tag); i++)
		if (IPCBUF->handles[i] > 0)
			sys_handle_close(IPCBUF->handles[i]);
	if (publish) {
		e = do_srv_publish((int32_t)badge, m, carried);
	} else if (m->tag & (1ull << 31)) {
		if (label == MSG_EXCEPTION && (badge & ~PID_MASK) == EXC_BADGE) {
			do_exception(m);
			*m = (struct msg){.tag = msg_tag(0, 0, 0)};
			return;
		}
		e = ERR_INVALID;
	} else if (badge == REAPER_BADGE) {
		reaper_scan();
		signal_alarms();
		load_tick();
		*m = (struct msg){.tag = msg_tag(label, 0, 0)};
		return;
	} else if (badge == PROC_BADGE_CON && msg_handles(m->tag) == 0) {
		e = label == PROC_KILL ? do_kill(0, m) : ERR_PERM;
	} else if (msg_handles(m->tag) != 0 || badge > PID_MASK) {
		e = ERR_INVALID;
	} else if (badge == 0) {
		e = client_request(0, NULL, m);
	} else {
		struct process *p = proc_running((int32_t)badge);
		e = p ? client_request(p->pid, p, m) : ERR_INVALID;
	}
	if (e != ERR_OK)
		*m = (struct msg){.tag = msg_error_tag(label, e)};
}

/*
 * The request loop. SYS_REPLY_RECV is a plain receive when no reply is
 * owed, so every turn replies with whatever handle() left in m.
 */
static void serve(void)
{
	struct msg m = {.tag = msg_tag(0, 0, 0)};

	for (;;) {
		int e = ipc_reply_recv(env.serve, &m);

		if (e == ERR_TRUNCATED || e == ERR_FAULT) {
			/* Taken but unreadable: refuse it (ignored if it was a send). */
			m = (struct msg){.tag = msg_error_tag(0, ERR_INVALID)};
			continue;
		}
		if (e != ERR_OK) {
			/* Nothing received; a reply that could not be staged is still owed. */
			uprintf("proc: receive failed: %s\n", err_name(e));
			m = (struct msg){.tag = msg_error_tag(0, ERR_INVALID)};
			sys_sleep(10000000);
			continue;
		}
		handle(&m);
	}
}

int main(const struct ustart *us)
{
	int e = init_env(us);

	if (e == ERR_OK)
		setup_default_limit();
	if (e == ERR_OK)
		e = reaper_start();
	if (e != ERR_OK) {
		uprintf("proc: cannot start: %s\n", err_name(e));
		return 1;
	}
	uprintf("proc: ready\n");
	serve();
	return 0;
}
