/*
 * Pagers in ordinary programs (docs/writing-a-pager.md): a program that
 * serves page faults for a range of other processes, and the calls that
 * give a process such a range.
 *
 *   pager                                     client
 *   strata_endpoint(&ep)
 *   strata_pager_memory(bytes, &frame)        (pages to hand out, from mem)
 *   strata_srv_publish("name", ep)    ----->  strata_srv_lookup("name", &ep)
 *                                             p = strata_pager_map(0, len, prot, 0, ep, 0, 0)
 *   strata_pager_wait(ep, &f)         <-----  a fault in [p, p + len)
 *   strata_pager_supply(...)          ----->  the page is mapped; the access is retried
 *
 * The faults come from the kernel itself (one message per fault, to the
 * pager, never through mem); the reply names pages of a frame the pager
 * holds, and they are mapped in the client before its access is retried.
 */
#include <errno.h>
#include <string.h>
#include <sys/mman.h>

#include "lib/error.h"
#include "lib/libc/strata.h"
#include "lib/libc/sys.h"
#include "lib/user/msgbytes.h"
#include "lib/user/syscall.h"

int strata_endpoint(handle_t *ep)
{
	int e = sys_endpoint_create(ep);

	return e == ERR_OK ? 0 : __strata_fail(e);
}

void *strata_pager_memory(size_t bytes, handle_t *frame)
{
	struct msg m = {.tag = msg_tag(MEM_FRAME, 1, 0), .w = {bytes}};
	int e = __strata_us ? __strata_call(__strata_us->mem, &m) : ERR_UNSUPPORTED;

	if (e != ERR_OK) {
		__strata_fail(e);
		return MAP_FAILED;
	}
	*frame = (handle_t)m.w[1];
	return (void *)m.w[0];
}

void *strata_pager_map(void *addr, size_t length, int prot, int flags, handle_t ep, uint64_t badge,
		       uint64_t offset)
{
	struct ipc_buffer *b = __strata_ipcbuf();

	if (!b || (flags & ~MAP_FIXED)) {
		errno = EINVAL;
		return MAP_FAILED;
	}
	struct msg m = {.tag = msg_tag(MEM_MAP_PAGER, 6, 1),
			.w = {(uintptr_t)addr, length, (unsigned)prot,
			      (flags & MAP_FIXED) ? MEM_MMAP_FIXED : 0, offset}};
	b->words[5] = badge;
	b->handles[0] = ep;
	b->handle_rights[0] = RIGHT_WRITE;
	int e = __strata_call(__strata_us->mem, &m);
	if (e != ERR_OK) {
		__strata_fail(e);
		return MAP_FAILED;
	}
	return (void *)m.w[0];
}

/* A name message for proc: w0 = length, the bytes from word 1. */
static int name_msg(struct msg *m, unsigned label, const char *name, unsigned handles)
{
	size_t n = strlen(name);

	if (n == 0 || n > PROC_SRV_NAME_MAX)
		return ERR_INVALID;
	*m = (struct msg){0};
	m->tag = msg_tag(label, msgbytes_put_name(m, __strata_ipcbuf(), 0, name, n), handles);
	return ERR_OK;
}

/* A /srv request to proc about name, carrying ep if it is not 0. */
static int srv_call(unsigned label, const char *name, handle_t ep, struct msg *m)
{
	if (!__strata_us)
		return ERR_UNSUPPORTED;
	int e = name_msg(m, label, name, ep ? 1 : 0);
	if (e == ERR_OK && ep) {
		__strata_ipcbuf()->handles[0] = ep;
		__strata_ipcbuf()->handle_rights[0] = RIGHT_WRITE | RIGHT_GRANT;
	}
	return e == ERR_OK ? __strata_call(__strata_us->proc, m) : e;
}

int strata_srv_publish(const char *name, handle_t ep)
{
	struct msg m;
	int e = ep > 0 ? srv_call(PROC_SRV_PUBLISH, name, ep, &m) : ERR_INVALID;

	return e == ERR_OK ? 0 : __strata_fail(e);
}

int strata_srv_withdraw(const char *name)
{
	struct msg m;
	int e = srv_call(PROC_SRV_WITHDRAW, name, 0, &m);

	return e == ERR_OK ? 0 : __strata_fail(e);
}

int strata_srv_lookup(const char *name, handle_t *ep)
{
	struct msg m;
	int e = srv_call(PROC_SRV_LOOKUP, name, 0, &m);

	if (e == ERR_OK && (msg_handles(m.tag) != 1 || __strata_ipcbuf()->handles[0] <= 0))
		e = ERR_NOMEM; /* the handle did not fit in our table */
	if (e != ERR_OK)
		return __strata_fail(e);
	*ep = __strata_ipcbuf()->handles[0];
	return 0;
}

int strata_pager_wait(handle_t ep, struct strata_fault *f)
{
	for (;;) {
		struct msg m = {0};
		int e = ipc_recv(ep, &m);
		if (e == ERR_OK && msg_label(m.tag) == MSG_FAULT && (m.tag & MSG_FROM_KERNEL) &&
		    msg_words(m.tag) == 5) {
			*f = (struct strata_fault){.addr = m.w[0],
						   .access = fault_msg_access(m.w[1]),
						   .ahead = fault_msg_ahead(m.w[1]),
						   .offset = m.w[2],
						   .thread = m.w[4],
						   .badge = m.badge};
			return 0;
		}
		if (e != ERR_OK && e != ERR_TRUNCATED && e != ERR_FAULT)
			return __strata_fail(e);
		/* Not a fault from the kernel: refuse it, drop what it carried, wait on. */
		for (unsigned i = 0; e == ERR_OK && i < msg_handles(m.tag); i++)
			if (__strata_ipcbuf()->handles[i] > 0)
				sys_handle_close(__strata_ipcbuf()->handles[i]);
		m = (struct msg){.tag = msg_error_tag(msg_label(m.tag), ERR_INVALID)};
		ipc_reply(&m);
	}
}

/* Send the answer: to the fault just received (reply 0), or to a deferred one (then closed). */
static int answer(handle_t reply, struct msg *m)
{
	if (!reply)
		return ipc_reply(m);
	int e = ipc_reply_to(reply, m);
	sys_handle_close(reply);
	return e;
}

static int supply(handle_t reply, uint64_t va, unsigned pages, int prot, handle_t frame,
		  uint64_t first)
{
	struct ipc_buffer *b = __strata_ipcbuf();

	if (!b || pages == 0 || pages > FAULT_MAX_ITEMS || (va & 4095) || (prot & ~7)) {
		struct msg m = {.tag = msg_error_tag(MSG_FAULT, ERR_INVALID)};
		answer(reply, &m);
		return __strata_fail(ERR_INVALID);
	}
	uint64_t items[2 * FAULT_MAX_ITEMS];
	for (unsigned i = 0; i < pages; i++) {
		items[2 * i] = fault_item_va(va + 4096ull * i, (unsigned)prot);
		items[2 * i + 1] = fault_item_frame(frame, first + i);
	}
	struct msg m = {0}; /* the words go where the kernel takes them: registers, then buffer */
	m.tag = msg_tag(MSG_FAULT, msgbytes_put(&m, b, 0, items, 16 * pages), 0);
	int e = answer(reply, &m);
	return e == ERR_OK ? 0 : __strata_fail(e);
}

static int refuse(handle_t reply, int err)
{
	int code = err == EIO ? ERR_IO : err == ERANGE || err == ENXIO ? ERR_RANGE : ERR_FAULT;
	struct msg m = {.tag = msg_error_tag(MSG_FAULT, code)};
	int e = answer(reply, &m);

	return e == ERR_OK ? 0 : __strata_fail(e);
}

int strata_pager_supply(uint64_t va, unsigned pages, int prot, handle_t frame, uint64_t first)
{
	return supply(0, va, pages, prot, frame, first);
}

int strata_pager_refuse(int err)
{
	return refuse(0, err);
}

int strata_pager_defer(handle_t *reply)
{
	int e = ipc_reply_save(reply);

	return e == ERR_OK ? 0 : __strata_fail(e);
}

int strata_pager_supply_later(handle_t reply, uint64_t va, unsigned pages, int prot, handle_t frame,
			      uint64_t first)
{
	if (reply <= 0)
		return __strata_fail(ERR_BADHANDLE);
	return supply(reply, va, pages, prot, frame, first);
}

int strata_pager_refuse_later(handle_t reply, int err)
{
	if (reply <= 0)
		return __strata_fail(ERR_BADHANDLE);
	return refuse(reply, err);
}
