#include "kernel/notify.h"

#include "kernel/sched.h"
#include "lib/error.h"

int notify_create(struct quota *q, struct notify **out)
{
	int err;
	struct notify *n = object_alloc(OBJ_NOTIFY, sizeof(*n), q, &err);

	if (!n)
		return err;
	*out = n;
	return ERR_OK;
}

void notify_destroy(struct notify *n)
{
	/* Waiters hold references, so there are none here. */
	(void)n;
}

void notify_signal(struct notify *n, uint64_t bits)
{
	n->bits |= bits;
	struct thread *t = n->wait_head;
	if (!t || !n->bits)
		return;
	n->wait_head = t->next;
	if (!n->wait_head)
		n->wait_tail = NULL;
	t->next = NULL;
	t->in.words[0] = n->bits;
	n->bits = 0;
	t->blocked_on = NULL;
	t->wake_status = ERR_OK;
	sched_ready(t);
	object_put(&n->obj);
}

int notify_wait(struct thread *t, struct notify *n, uint64_t *bits)
{
	if (n->bits) {
		*bits = n->bits;
		n->bits = 0;
		return ERR_OK;
	}
	object_get(&n->obj);
	t->blocked_on = (void *)n;
	t->next = NULL;
	if (n->wait_tail)
		n->wait_tail->next = t;
	else
		n->wait_head = t;
	n->wait_tail = t;
	int status = sched_block(WAIT_NOTIFY);
	if (status == ERR_OK)
		*bits = t->in.words[0];
	return status;
}

void notify_cancel(struct thread *t)
{
	struct notify *n = (struct notify *)t->blocked_on;
	struct thread *prev = NULL;

	if (!n)
		return;
	for (struct thread *c = n->wait_head; c; prev = c, c = c->next) {
		if (c != t)
			continue;
		if (prev)
			prev->next = c->next;
		else
			n->wait_head = c->next;
		if (n->wait_tail == c)
			n->wait_tail = prev;
		break;
	}
	t->next = NULL;
	t->blocked_on = NULL;
	object_put(&n->obj);
}
