#include "kernel/ipc.h"
#include "kernel/ptewatch.h"

#include "kernel/fault.h"
#include "kernel/notify.h"
#include "kernel/sched.h"
#include "kernel/space.h"
#include "lib/error.h"
#include "lib/str.h"

static void queue_push(struct thread **head, struct thread **tail, struct thread *t)
{
	t->next = NULL;
	if (*tail)
		(*tail)->next = t;
	else
		*head = t;
	*tail = t;
}

static struct thread *queue_pop(struct thread **head, struct thread **tail)
{
	struct thread *t = *head;

	if (!t)
		return NULL;
	*head = t->next;
	if (!*head)
		*tail = NULL;
	t->next = NULL;
	return t;
}

static void queue_remove(struct thread **head, struct thread **tail, struct thread *t)
{
	struct thread *prev = NULL;

	for (struct thread *c = *head; c; prev = c, c = c->next) {
		if (c != t)
			continue;
		if (prev)
			prev->next = c->next;
		else
			*head = c->next;
		if (*tail == c)
			*tail = prev;
		c->next = NULL;
		return;
	}
}

int endpoint_create(struct quota *q, struct endpoint **out)
{
	int err;
	struct endpoint *ep = object_alloc(OBJ_ENDPOINT, sizeof(*ep), q, &err);

	if (!ep)
		return err;
	*out = ep;
	return ERR_OK;
}

/* Wait in ep's queue (a reference on ep is held while queued). */
static int wait_on(struct thread *t, struct endpoint *ep, enum thread_wait w)
{
	object_get(&ep->obj);
	t->blocked_on = ep;
	if (w == WAIT_SEND)
		queue_push(&ep->send_head, &ep->send_tail, t);
	else
		queue_push(&ep->recv_head, &ep->recv_tail, t);
	return sched_block(w);
}

/* t left ep's queue: drop the queue's reference. */
static void left_queue(struct thread *t)
{
	struct endpoint *ep = t->blocked_on;

	t->blocked_on = NULL;
	object_put(&ep->obj);
}

void endpoint_close(struct endpoint *ep)
{
	ep->closed = true;
	struct thread *t;
	while ((t = queue_pop(&ep->send_head, &ep->send_tail)) ||
	       (t = queue_pop(&ep->recv_head, &ep->recv_tail))) {
		t->wake_status = ERR_PEER;
		left_queue(t);
		sched_ready(t);
	}
}

void endpoint_destroy(struct endpoint *ep)
{
	/* Queued threads hold references, so the queues are empty here. */
	(void)ep;
}

void kmsg_release(struct kmsg *m)
{
	for (unsigned i = 0; i < MSG_MAX_HANDLES; i++) {
		if (m->objs[i]) {
			object_put(m->objs[i]);
			m->objs[i] = NULL;
		}
	}
}

/*
 * Move the staged message from -> to. Handles are installed in the
 * receiver's table now; a handle that does not fit arrives as 0.
 */
static void transfer(struct thread *from, struct thread *to, uint64_t badge)
{
	struct kmsg *o = &from->out, *in = &to->in;
	unsigned nw = msg_words(o->tag), nh = msg_handles(o->tag);

	kmsg_release(in);
	in->tag = o->tag;
	in->badge = badge;
	memcpy(in->words, o->words, nw * sizeof(uint64_t));
	for (unsigned i = 0; i < nh; i++) {
		in->handles[i] = 0;
		if (o->objs[i] &&
		    handle_install_badged(&to->space->handles, o->objs[i], o->rights[i],
					  o->badges[i], &in->handles[i]) != 0)
			in->handles[i] = 0;
		if (in->handles[i])
			ptewatch_handle(to->space, o->objs[i], o->rights[i], in->handles[i],
					"ipc transfer");
		in->rights[i] = o->rights[i];
	}
	kmsg_release(o);
}

/* Receiver r takes caller c's call: r now owes c a reply. */
static void begin_reply_wait(struct thread *r, struct thread *c)
{
	object_get(&c->obj);
	r->reply_to = c;
	c->wait = WAIT_REPLY;
	c->replier = r;
}

int ipc_call(struct thread *t, struct endpoint *ep, uint64_t badge)
{
	if (ep->closed) {
		kmsg_release(&t->out);
		return ERR_PEER;
	}
	t->is_call = true;
	struct thread *r = queue_pop(&ep->recv_head, &ep->recv_tail);
	if (r) {
		left_queue(r);
		transfer(t, r, badge);
		begin_reply_wait(r, t);
		r->wake_status = ERR_OK;
		sched_ready(r);
		t->state = TS_BLOCKED;
		return sched_block(WAIT_REPLY);
	}
	t->out.badge = badge;
	return wait_on(t, ep, WAIT_SEND);
}

int ipc_send(struct thread *t, struct endpoint *ep, uint64_t badge)
{
	if (ep->closed) {
		kmsg_release(&t->out);
		return ERR_PEER;
	}
	struct thread *r = queue_pop(&ep->recv_head, &ep->recv_tail);
	if (!r) {
		kmsg_release(&t->out);
		return ERR_WOULDBLOCK;
	}
	left_queue(r);
	transfer(t, r, badge);
	r->wake_status = ERR_OK;
	sched_ready(r);
	return ERR_OK;
}

int ipc_recv(struct thread *t, struct endpoint *ep)
{
	if (t->reply_to)
		return ERR_STATE;
	if (ep->closed)
		return ERR_PEER; /* held by a call that began before the last receive handle went */
	struct thread *c = queue_pop(&ep->send_head, &ep->send_tail);
	if (c) {
		left_queue(c);
		transfer(c, t, c->out.badge);
		begin_reply_wait(t, c);
		return ERR_OK;
	}
	return wait_on(t, ep, WAIT_RECV);
}

/* Answer caller c, who waits for token (the thread that owed it, or a saved reply). */
static int answer(struct thread *t, struct thread *c, void *token)
{
	int status = ERR_OK;

	if (c->state != TS_BLOCKED || c->wait != WAIT_REPLY || c->replier != token) {
		status = ERR_STATE; /* the caller was killed or woken meanwhile */
		kmsg_release(&t->out);
	} else if (c->in_fault) {
		status = fault_reply(t, c);
		kmsg_release(&t->out);
		c->replier = NULL;
		c->wake_status = status;
		sched_ready(c);
	} else {
		transfer(t, c, 0);
		c->replier = NULL;
		c->wake_status = ERR_OK;
		sched_ready(c);
	}
	object_put(&c->obj);
	return status;
}

int ipc_reply(struct thread *t)
{
	struct thread *c = t->reply_to;

	if (!c) {
		kmsg_release(&t->out);
		return ERR_STATE;
	}
	t->reply_to = NULL;
	return answer(t, c, t);
}

int ipc_reply_save(struct thread *t, struct quota *q, struct reply **out)
{
	struct thread *c = t->reply_to;
	int err;

	if (!c)
		return ERR_STATE;
	struct reply *r = object_alloc(OBJ_REPLY, sizeof(*r), q, &err);
	if (!r)
		return err;
	r->caller = c; /* the reference t held moves to r */
	t->reply_to = NULL;
	if (c->state == TS_BLOCKED && c->wait == WAIT_REPLY && c->replier == t)
		c->replier = r;
	*out = r;
	return ERR_OK;
}

int ipc_reply_saved(struct thread *t, struct reply *r)
{
	struct thread *c = r->caller;

	if (!c) {
		kmsg_release(&t->out);
		return ERR_STATE;
	}
	r->caller = NULL;
	return answer(t, c, r);
}

void reply_destroy(struct reply *r)
{
	struct thread *c = r->caller;

	if (!c)
		return;
	r->caller = NULL;
	if (c->state == TS_BLOCKED && c->wait == WAIT_REPLY && c->replier == r) {
		c->replier = NULL;
		c->wake_status = ERR_PEER; /* nobody will answer */
		sched_ready(c);
	}
	object_put(&c->obj);
}

void ipc_cancel(struct thread *t)
{
	if (t->wait == WAIT_NOTIFY) {
		notify_cancel(t);
		return;
	}
	struct endpoint *ep = t->blocked_on;
	if (!ep)
		return;
	if (t->wait == WAIT_SEND)
		queue_remove(&ep->send_head, &ep->send_tail, t);
	else
		queue_remove(&ep->recv_head, &ep->recv_tail, t);
	left_queue(t);
}

void ipc_thread_exit(struct thread *t)
{
	struct thread *c = t->reply_to;

	kmsg_release(&t->out);
	kmsg_release(&t->in);
	if (!c)
		return;
	t->reply_to = NULL;
	if (c->state == TS_BLOCKED && c->wait == WAIT_REPLY && c->replier == t) {
		c->replier = NULL;
		c->wake_status = ERR_PEER;
		sched_ready(c);
	}
	object_put(&c->obj);
}
