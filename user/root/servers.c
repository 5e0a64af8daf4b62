/*
 * Starting a server: root loads it eagerly (no pager serves the servers),
 * hands it its handles with SYS_HANDLE_GIVE and tells it their values
 * through its start-up page, a read-only struct ustart at USTART_VA.
 */
#include "user/root/servers.h"

#include "lib/error.h"
#include "lib/str.h"
#include "lib/user/syscall.h"
#include "lib/user/ulib.h"

/* Give the server each handle and record its value in the start-up page. */
static int give_handles(handle_t space, const struct grant *g, unsigned n, struct ustart *us)
{
	for (unsigned i = 0; i < n; i++) {
		handle_t v;
		int e = sys_handle_give(space, g[i].h, g[i].rights, &v);
		if (e != ERR_OK)
			return e;
		*(handle_t *)((char *)us + g[i].field) = v;
	}
	return ERR_OK;
}

/*
 * Map the start-up page (read-only, holding *us) and the IPC buffer page
 * (read-write) at USTART_VA in space. One two-page frame; root writes the
 * first page through a temporary mapping of its own.
 */
static int map_start_page(handle_t space, const struct ustart *us)
{
	handle_t f;
	int e = sys_frame_alloc(1, FRAME_ZEROED, &f);

	if (e != ERR_OK)
		return e;
	uint64_t va = uvm_reserve(4096);
	e = sys_space_map(uenv.space, va, f, 0, 1, PROT_R | PROT_W);
	if (e == ERR_OK) {
		memcpy((void *)va, us, sizeof(*us));
		sys_space_unmap(uenv.space, va, 4096);
		e = sys_space_map(space, USTART_VA, f, 0, 1, PROT_R);
	}
	if (e == ERR_OK)
		e = sys_space_map(space, USTART_IPCBUF, f, 1, 1, PROT_R | PROT_W);
	sys_handle_close(f); /* the mappings hold the frame */
	return e;
}

int server_start(struct server *s, const struct initrd *rd, const char *name, uint64_t quota_bytes,
		 unsigned prio, const struct grant *grants, unsigned n, struct ustart *us)
{
	char err[96];
	handle_t q;
	int e = sys_quota_split(uenv.quota, quota_bytes, &q);

	s->name = name;
	if (e != ERR_OK) {
		uprintf("root: no quota of %lu KiB for %s: %s\n", quota_bytes >> 10, name,
			err_name(e));
		return e;
	}
	e = uload_program(rd, name, q, USTART_VA, prio, &s->p, err, sizeof(err));
	if (e != ERR_OK) {
		uprintf("root: cannot load %s: %s\n", name, err);
		sys_handle_close(q);
		return e;
	}
	us->magic = USTART_MAGIC;
	e = sys_handle_give(s->p.space, s->p.space, RIGHTS_ALL, &us->self_space);
	if (e == ERR_OK)
		e = sys_handle_give(s->p.space, s->p.thread, RIGHTS_ALL, &us->self_thread);
	if (e == ERR_OK)
		e = sys_handle_give(s->p.space, q, RIGHTS_ALL, &us->quota);
	if (e == ERR_OK)
		e = give_handles(s->p.space, grants, n, us);
	if (e == ERR_OK)
		e = map_start_page(s->p.space, us);
	if (e == ERR_OK)
		e = sys_thread_set_ipcbuf(s->p.thread, USTART_IPCBUF);
	if (e == ERR_OK)
		e = sys_thread_start(s->p.thread);
	sys_handle_close(q); /* the server's space holds its quota now */
	if (e != ERR_OK) {
		uprintf("root: cannot start %s: %s\n", name, err_name(e));
		sys_handle_close(s->p.thread);
		sys_handle_close(s->p.space);
		s->p = (struct uprocess){0};
	}
	return e;
}
