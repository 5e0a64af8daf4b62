/* System calls for IPC: endpoints, notifications, interrupts. */
#include "kernel/irq.h"
#include "kernel/syscall.h"
#include "kernel/uaccess.h"
#include "lib/error.h"

#define TAG_RESERVED 0xfc000000ull /* bits 26..31: must be 0 from user space */

/*
 * Stage the message the calling thread sends: tag in a1, words 0..4 in
 * a2..a6, further words and handles from its IPC buffer. Every handle
 * needs RIGHT_GRANT. On error nothing stays staged.
 */
static int stage(struct thread *t, struct trapframe *tf)
{
	uint64_t tag = ARG(1);
	unsigned nw = msg_words(tag), nh = msg_handles(tag);
	struct kmsg *m = &t->out;

	kmsg_release(m);
	if ((tag & TAG_RESERVED) || nw > MSG_MAX_WORDS || nh > MSG_MAX_HANDLES)
		return ERR_INVALID;
	if ((nw > MSG_REG_WORDS || nh) && !t->ipcbuf)
		return ERR_STATE;
	m->tag = tag;
	for (unsigned i = 0; i < MSG_REG_WORDS; i++)
		m->words[i] = ARG(2 + i);
	const struct ipc_buffer *ub = (const struct ipc_buffer *)(uintptr_t)t->ipcbuf;
	if (nw > MSG_REG_WORDS && copyin(&m->words[MSG_REG_WORDS], &ub->words[MSG_REG_WORDS],
					 (nw - MSG_REG_WORDS) * sizeof(uint64_t)) != ERR_OK)
		return ERR_FAULT;
	if (!nh)
		return ERR_OK;
	handle_t hs[MSG_MAX_HANDLES];
	uint32_t rs[MSG_MAX_HANDLES];
	if (copyin(hs, ub->handles, sizeof(hs)) != ERR_OK ||
	    copyin(rs, ub->handle_rights, sizeof(rs)) != ERR_OK)
		return ERR_FAULT;
	for (unsigned i = 0; i < nh; i++) {
		struct object *o;
		uint32_t rights;
		int e = handle_get(&t->space->handles, hs[i], OBJ_NONE, RIGHT_GRANT, &o, &rights);
		if (e != ERR_OK) {
			kmsg_release(m);
			return e;
		}
		object_get(o);
		m->objs[i] = o;
		m->rights[i] = rights & rs[i];
		m->badges[i] = handle_badge(&t->space->handles, hs[i]);
	}
	return ERR_OK;
}

/* Hand a received message to the thread: registers, then its IPC buffer. */
static int deliver(struct thread *t, struct trapframe *tf, int status)
{
	struct kmsg *m = &t->in;

	if (status != ERR_OK)
		return status;
	unsigned nw = msg_words(m->tag), nh = msg_handles(m->tag);
	RET(1, m->tag);
	for (unsigned i = 0; i < MSG_REG_WORDS; i++)
		RET(2 + i, i < nw ? m->words[i] : 0);
	RET(7, m->badge);
	if (nw <= MSG_REG_WORDS && !nh)
		return ERR_OK;
	struct ipc_buffer *ub = (struct ipc_buffer *)(uintptr_t)t->ipcbuf;
	if (!ub)
		return ERR_TRUNCATED;
	if (nw > MSG_REG_WORDS && copyout(&ub->words[MSG_REG_WORDS], &m->words[MSG_REG_WORDS],
					  (nw - MSG_REG_WORDS) * sizeof(uint64_t)) != ERR_OK)
		return ERR_FAULT;
	if (nh && (copyout(ub->handles, m->handles, nh * sizeof(handle_t)) != ERR_OK ||
		   copyout(ub->handle_rights, m->rights, nh * sizeof(uint32_t)) != ERR_OK))
		return ERR_FAULT;
	return ERR_OK;
}

/*
 * The endpoint in a0. If the message to stage goes beyond the registers,
 * staging reads the IPC buffer, which can fault into a pager and block
 * while another thread closes the handle: then the call holds the endpoint
 * until it returns, and ipc_* re-check that it is still open. A message in
 * registers alone stages without blocking (the fast, common case).
 */
static int get_endpoint(struct thread *t, struct trapframe *tf, uint32_t need, struct endpoint **ep,
			uint64_t *badge)
{
	int e = get(t, ARG(0), OBJ_ENDPOINT, need, ep);

	if (e != ERR_OK)
		return e;
	if (badge)
		*badge = handle_badge(&t->space->handles, (handle_t)ARG(0));
	if (msg_words(ARG(1)) > MSG_REG_WORDS || msg_handles(ARG(1)))
		thread_hold(t, &(*ep)->obj);
	return ERR_OK;
}

int sys_endpoint_create(struct thread *t, struct trapframe *tf)
{
	struct endpoint *ep;
	int e = endpoint_create(my_quota(t), &ep);

	if (e != ERR_OK)
		return e;
	return return_handle(t, tf, &ep->obj, RIGHTS_ALL & ~RIGHT_DEVICE);
}

int sys_call(struct thread *t, struct trapframe *tf)
{
	struct endpoint *ep;
	uint64_t badge;
	int e = get_endpoint(t, tf, RIGHT_WRITE, &ep, &badge);

	if (e == ERR_OK)
		e = stage(t, tf);
	if (e != ERR_OK)
		return e;
	return deliver(t, tf, ipc_call(t, ep, badge));
}

int sys_send(struct thread *t, struct trapframe *tf)
{
	struct endpoint *ep;
	uint64_t badge;
	int e = get_endpoint(t, tf, RIGHT_WRITE, &ep, &badge);

	if (e == ERR_OK)
		e = stage(t, tf);
	if (e != ERR_OK)
		return e;
	return ipc_send(t, ep, badge);
}

int sys_recv(struct thread *t, struct trapframe *tf)
{
	struct endpoint *ep;
	int e = get(t, ARG(0), OBJ_ENDPOINT, RIGHT_READ,
		    &ep); /* nothing blocks before the queue holds it */

	if (e != ERR_OK)
		return e;
	return deliver(t, tf, ipc_recv(t, ep));
}

int sys_reply(struct thread *t, struct trapframe *tf)
{
	int e = stage(t, tf);

	if (e != ERR_OK)
		return e;
	return ipc_reply(t);
}

int sys_reply_recv(struct thread *t, struct trapframe *tf)
{
	struct endpoint *ep;
	int e = get_endpoint(t, tf, RIGHT_READ, &ep, NULL);

	if (e == ERR_OK && t->reply_to)
		e = stage(t, tf);
	if (e != ERR_OK)
		return e;
	/* A caller that died meanwhile does not stop the server from receiving. */
	if (t->reply_to)
		ipc_reply(t);
	return deliver(t, tf, ipc_recv(t, ep));
}

/* Keep the reply this thread owes as a handle, to answer later (and receive meanwhile). */
int sys_reply_save(struct thread *t, struct trapframe *tf)
{
	struct reply *r;
	int e = ipc_reply_save(t, my_quota(t), &r);

	if (e != ERR_OK)
		return e;
	return return_handle(t, tf, &r->obj, RIGHT_WRITE | RIGHT_GRANT);
}

int sys_reply_to(struct thread *t, struct trapframe *tf)
{
	struct reply *r;
	int e = get(t, ARG(0), OBJ_REPLY, RIGHT_WRITE, &r);

	if (e != ERR_OK)
		return e;
	if (msg_words(ARG(1)) > MSG_REG_WORDS || msg_handles(ARG(1)))
		thread_hold(t, &r->obj); /* staging may block */
	e = stage(t, tf);
	if (e != ERR_OK)
		return e;
	return ipc_reply_saved(t, r);
}

int sys_notify_create(struct thread *t, struct trapframe *tf)
{
	struct notify *n;
	int e = notify_create(my_quota(t), &n);

	if (e != ERR_OK)
		return e;
	return return_handle(t, tf, &n->obj, RIGHTS_ALL & ~RIGHT_DEVICE);
}

int sys_notify_signal(struct thread *t, struct trapframe *tf)
{
	struct notify *n;
	int e = get(t, ARG(0), OBJ_NOTIFY, RIGHT_WRITE, &n);

	if (e != ERR_OK)
		return e;
	notify_signal(n, ARG(1));
	return ERR_OK;
}

int sys_notify_wait(struct thread *t, struct trapframe *tf)
{
	struct notify *n;
	uint64_t bits = 0;
	int e = get(t, ARG(0), OBJ_NOTIFY, RIGHT_READ, &n);

	if (e == ERR_OK)
		e = notify_wait(t, n, &bits);
	if (e == ERR_OK)
		RET(1, bits);
	return e;
}

int sys_notify_poll(struct thread *t, struct trapframe *tf)
{
	struct notify *n;
	int e = get(t, ARG(0), OBJ_NOTIFY, RIGHT_READ, &n);

	if (e != ERR_OK)
		return e;
	RET(1, n->bits);
	n->bits = 0;
	return ERR_OK;
}

int sys_irq_bind(struct thread *t, struct trapframe *tf)
{
	struct irq *irq;
	struct notify *n;
	int e = get(t, ARG(0), OBJ_IRQ, RIGHT_MANAGE, &irq);

	if (e == ERR_OK)
		e = get(t, ARG(1), OBJ_NOTIFY, RIGHT_WRITE, &n);
	if (e != ERR_OK)
		return e;
	return irq_bind(irq, n, ARG(2));
}

int sys_irq_ack(struct thread *t, struct trapframe *tf)
{
	struct irq *irq;
	int e = get(t, ARG(0), OBJ_IRQ, RIGHT_MANAGE, &irq);

	if (e != ERR_OK)
		return e;
	return irq_ack(irq);
}
