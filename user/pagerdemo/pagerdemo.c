/*
 * pagerdemo: a small, complete pager built on libpager (lib/user/pager.h).
 * It serves a computed pattern: every 8-byte word of an attached region
 * holds its own virtual address XOR a seed (pagerdemo_word()). It counts
 * faults and mapped pages. docs/writing-a-pager.md builds it step by step.
 *
 * Protocol. pagerdemo runs as a child process; its client is usually the
 * program that started it. Handles named in message words are values in
 * pagerdemo's own handle table, installed there by the client with
 * SYS_HANDLE_GIVE (a process cannot obtain handles to itself).
 *
 *   start    main(arg): arg = handle to an endpoint E with RIGHT_READ (to
 *            receive) and RIGHT_WRITE (to name E as the regions' pager),
 *            given with SYS_HANDLE_GIVE. pagerdemo receives everything on E.
 *   HELLO    first call on E, words {space, thread, window}: pagerdemo's
 *            own space (MAP: it fills frames there) and thread (MANAGE: to
 *            register its IPC buffer), and the fault-around window in pages
 *            (1..16). Reply: no error, or an error tag. Other messages
 *            before it get an ERR_STATE reply.
 *   ATTACH   words {space, va, len, seed, maxprot}: back [va, va + len) of
 *            the client space (MANAGE for the region, MAP and READ for
 *            fault-around and detach) with the pattern for seed.
 *            Reply w0 = the region's badge; errors: ERR_FULL (8 regions),
 *            or SYS_REGION_ADD's.
 *   DETACH   words {va}: remove the region that starts at va and unmap its
 *            pages. ERR_NOENT if none.
 *   STATS    reply w0..w3 = faults, pages mapped, faults failed, messages
 *            refused.
 *   QUIT     detach every region, reply, exit. The kernel closes all of
 *            pagerdemo's handles when it exits.
 *
 * Fault messages from the kernel are served with pager_run(); any other
 * message gets an error reply (ERR_INVALID; ERR_UNSUPPORTED for an unknown
 * label) and pagerdemo carries on.
 */
#include "lib/user/pager.h"
#include "lib/user/syscall.h"
#include "lib/user/ulib.h"
#include "user/pagerdemo/pagerdemo.h"

/* One attached pattern: the object and its seed. */
struct pattern {
	struct pager_object obj; /* obj.ops == NULL: free */
	uint64_t seed;
};

static struct pager pager;
static struct pattern patterns[PAGERDEMO_MAX_OBJECTS];

/* fill: every word of the page holds its client address XOR the seed. */
static int pattern_fill(struct pager_object *obj, uint64_t off, uint64_t va, void *page)
{
	const struct pattern *p = obj->data;
	uint64_t *w = page;

	(void)off;
	for (unsigned i = 0; i < PAGER_PAGE / 8; i++)
		w[i] = pagerdemo_word(va + 8 * i, p->seed);
	return ERR_OK;
}

static const struct pager_object_ops pattern_ops = {.fill = pattern_fill};

static struct pattern *pattern_new(uint64_t size, uint64_t seed)
{
	for (unsigned i = 0; i < PAGERDEMO_MAX_OBJECTS; i++) {
		struct pattern *p = &patterns[i];
		if (!p->obj.ops) {
			*p = (struct pattern){{&pattern_ops, size, p}, seed};
			return p;
		}
	}
	return 0;
}

/* ATTACH {space, va, len, seed, maxprot} -> {badge} */
static int do_attach(struct msg *m)
{
	struct pattern *p = pattern_new(m->w[2], m->w[3]);
	struct pager_attachment *a;

	if (!p)
		return ERR_FULL;
	int e = pager_attach(&pager, &p->obj, (handle_t)m->w[0], m->w[1], m->w[2],
			     (unsigned)m->w[4], &a);
	if (e != ERR_OK) {
		p->obj.ops = 0;
		return e;
	}
	*m = (struct msg){.tag = msg_tag(PAGERDEMO_ATTACH, 1, 0), .w = {a->badge}};
	return ERR_OK;
}

/* Detach one attachment and free its pattern. */
static int detach(struct pager_attachment *a)
{
	struct pager_object *obj = a->obj;
	int e = pager_detach(&pager, a);

	obj->ops = 0;
	return e;
}

/* DETACH {va}, or every region if all is set (QUIT). */
static int do_detach(uint64_t va, bool all)
{
	int e = all ? ERR_OK : ERR_NOENT;

	for (unsigned i = 0; i < PAGER_MAX_ATTACH; i++) {
		struct pager_attachment *a = &pager.att[i];
		if (a->obj && (all || a->va == va))
			e = detach(a);
	}
	return e;
}

static void do_stats(struct msg *m)
{
	struct pager_stats s;

	pager_stats(&pager, &s);
	*m = (struct msg){.tag = msg_tag(PAGERDEMO_STATS, 4, 0),
			  .w = {s.faults, s.pages, s.errors, s.rejected}};
}

/* libpager's control callback: every message that is not a kernel fault. */
static int control(struct pager *pg, struct msg *m)
{
	unsigned label = msg_label(m->tag);
	int e = ERR_OK;

	(void)pg;
	switch (label) {
	case PAGERDEMO_ATTACH:
		e = do_attach(m);
		break;
	case PAGERDEMO_DETACH:
		e = do_detach(m->w[0], false);
		break;
	case PAGERDEMO_STATS:
		do_stats(m);
		break;
	case PAGERDEMO_QUIT:
		do_detach(0, true);
		*m = (struct msg){.tag = msg_tag(PAGERDEMO_QUIT, 0, 0)};
		return PAGER_STOP;
	default:
		e = ERR_UNSUPPORTED;
	}
	if (e == ERR_OK && label != PAGERDEMO_ATTACH && label != PAGERDEMO_STATS)
		*m = (struct msg){.tag = msg_tag(label, 0, 0)};
	if (e != ERR_OK)
		*m = (struct msg){.tag = msg_error_tag(label, e)};
	return ERR_OK;
}

/* HELLO {space, thread, window}: learn our own handles, get an IPC buffer, set up the pager. */
static int hello(handle_t ep, const struct msg *m)
{
	uenv.space = (handle_t)m->w[0];
	uenv.thread = (handle_t)m->w[1];
	void *ipcbuf = umap_pages(0, 0);
	if (!ipcbuf)
		return ERR_NOMEM;
	int e = sys_thread_set_ipcbuf(uenv.thread, (uint64_t)ipcbuf);
	if (e == ERR_OK)
		e = pager_init(&pager, ep, uenv.space, ipcbuf, (unsigned)m->w[2]);
	pager.control = control;
	return e;
}

/* Wait for a HELLO that works; refuse everything before it. */
static int wait_hello(handle_t ep)
{
	struct msg m;

	for (;;) {
		m = (struct msg){0};
		int e = ipc_recv(ep, &m);
		if (e == ERR_PEER || e == ERR_BADHANDLE || e == ERR_INVALID || e == ERR_PERM)
			return e; /* the endpoint is unusable */
		unsigned label = msg_label(m.tag);
		if (e == ERR_OK && label == PAGERDEMO_HELLO && !(m.tag & MSG_FROM_KERNEL))
			e = hello(ep, &m);
		else if (e == ERR_OK)
			e = ERR_STATE;
		m = (struct msg){.tag =
				     e == ERR_OK ? msg_tag(label, 0, 0) : msg_error_tag(label, e)};
		ipc_reply(&m);
		if (e == ERR_OK)
			return ERR_OK;
	}
}

int main(uint64_t arg)
{
	handle_t ep = (handle_t)arg;
	int e = wait_hello(ep);

	if (e == ERR_OK)
		e = pager_run(&pager);
	return e == ERR_OK ? 0 : 1;
}
