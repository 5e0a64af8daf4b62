/*
 * mem: start-up, and the receive loop. libpager drives it: kernel faults go
 * to fault_serve (the pager's fault hook), every other message to
 * control(), which tells requests apart by the sender's badge — proc's
 * admin badge, a memory-space id, or anyone for the statistics.
 */
#include "user/mem/mem.h"

#include "lib/user/fs_proto.h"

#include "lib/error.h"
#include "lib/user/loader.h"
#include "lib/user/syscall.h"
#include "lib/user/ulib.h"

struct mem_env env;
static struct pager pager;

/*
 * Only VS_CREATE, VS_FORK, IMAGE and a memory space's MAP_PAGER carry a
 * handle: close any other that came, so none pile up.
 */
static void close_stray_handles(const struct msg *m, bool admin, const struct vs *v)
{
	unsigned label = msg_label(m->tag);
	bool expected = admin ? label == MEM_VS_CREATE || label == MEM_VS_FORK || label == MEM_IMAGE
			      : v && label == MEM_MAP_PAGER;

	for (unsigned i = expected ? 1 : 0; i < msg_handles(m->tag); i++)
		if (IPCBUF->handles[i] > 0)
			sys_handle_close(IPCBUF->handles[i]);
}

static int control(struct pager *pg, struct msg *m)
{
	(void)pg;
	unsigned label = msg_label(m->tag);
	bool admin = m->badge == MEM_BADGE_ADMIN;
	struct vs *v = admin ? 0 : vs_find(m->badge);
	int e;

	file_after_reply();
	swap_probe();
	swap_reserve(SWAP_RESERVE);
	close_stray_handles(m, admin, v);
	if (label == MEM_STATS || label == MEM_VS_STATS || label == MEM_VS_MAPS)
		e = stats_request(admin ? 0 : m->badge, m);
	else if (label == MEM_COMPACT)
		e = compact_request(m);
	else if (label == MEM_TRACE || label == MEM_TRACE_READ)
		e = trace_request(m);
	else if (admin)
		e = admin_request(m);
	else if (v)
		e = client_request(v, m);
	else
		e = ERR_PERM;
	if (e != ERR_OK)
		*m = (struct msg){.tag = msg_error_tag(label, e)};
	lent_trim();
	pool_trim();
	return ERR_OK;
}

/*
 * Between requests: memory is freed ahead of demand, and the pool is
 * compacted if the kernel could not give mem a chunk as big as it asked.
 */
static void after_reply(struct pager *pg)
{
	(void)pg;
	swap_background();
	if (pool_fragmented())
		compact_counted();
}

static int init(const struct ustart *us)
{
	struct initrd rd;

	if (us->magic != USTART_MAGIC || us->role != ROLE_MEM || !us->serve || !us->system ||
	    !us->initrd)
		return ERR_INVALID;
	uenv = (struct uenv){us->self_space, us->self_thread, us->quota, us->system};
	env = (struct mem_env){.self = us->self_space,
			       .quota = us->quota,
			       .system = us->system,
			       .serve = us->serve,
			       .fs = us->fs,
			       .blk = us->blk,
			       .no_swap = us->mem_flags & MEM_BOOT_NOSWAP,
			       .overcommit = us->mem_flags & MEM_BOOT_OVERCOMMIT,
			       .no_load = us->mem_flags & MEM_BOOT_NOLOAD};
	if (us->mem_policy[0] && swap_set_policy(us->mem_policy) != ERR_OK)
		uprintf(
		    "mem: mem.policy=%s is not a policy (fifo second clock nru lru nfu aging ws "
		    "wsclock); using %s\n",
		    us->mem_policy, "aging");
	/* fs's handle for FS_MEM_*: without fs, files cannot be mapped (mmap says ENOENT). */
	if (env.fs && sys_handle_mint(env.fs, RIGHT_WRITE, FS_BADGE_MEM, &env.fs_mem) != ERR_OK)
		env.fs_mem = 0;
	int e = initrd_map(us->initrd, us->initrd_offset, us->initrd_size, &rd);
	if (e != ERR_OK)
		return e;
	env.initrd = rd.data;
	env.initrd_size = rd.size;
	e = pager_init(&pager, env.serve, env.self, IPCBUF, AROUND);
	if (e != ERR_OK)
		return e;
	pager.fault = fault_serve;
	pager.control = control;
	pager.after_reply = after_reply;
	e = pool_init(env.self, env.quota);
	if (e == ERR_OK)
		e = pressure_start(env.system);
	return e;
}

int main(const struct ustart *us)
{
	int e = init(us);

	if (e != ERR_OK) {
		uprintf("mem: cannot start: %s\n", err_name(e));
		return 1;
	}
	uprintf("mem: ready, %lu pages to give\n", pool_capacity());
	e = pager_run(&pager);
	uprintf("mem: stopped: %s\n", err_name(e));
	return 1;
}
