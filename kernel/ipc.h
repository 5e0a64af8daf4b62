/*
 * Synchronous IPC through endpoints. A caller blocks until a receiver takes
 * its message and replies; a receiver blocks until a message arrives. The
 * message is staged in kernel memory: the sender's words and handles are
 * copied into its struct thread (out) in its own context, moved to the
 * receiver's (in) at the rendezvous, and written to the receiver's
 * registers and IPC buffer when the receiver runs again.
 *
 * An endpoint is open while some handle with RIGHT_READ (the right to
 * receive) exists. When the last one closes, queued callers fail with
 * ERR_PEER, and so does every later call: a pager that exits cannot leave
 * its clients waiting. All state is guarded by the big kernel lock.
 */
#ifndef STRATA_KERNEL_IPC_H
#define STRATA_KERNEL_IPC_H

#include <stdbool.h>

#include "kernel/object.h"
#include "kernel/thread.h"

struct endpoint {
	struct object obj;
	struct thread *send_head, *send_tail; /* WAIT_SEND, FIFO */
	struct thread *recv_head, *recv_tail; /* WAIT_RECV, FIFO */
	bool closed;
};

/*
 * A saved reply (SYS_REPLY_SAVE): the right to answer one caller, taken
 * from the thread that received the call so that it can receive again
 * and answer later, from any thread of its process. Used up by the answer;
 * destroyed unanswered, the caller gets ERR_PEER.
 */
struct reply {
	struct object obj;
	struct thread *caller; /* reference held; NULL once answered */
};

int endpoint_create(struct quota *q, struct endpoint **out);
void endpoint_destroy(struct endpoint *ep);
/* The last receive handle was closed. */
void endpoint_close(struct endpoint *ep);

/*
 * Call ep with the message staged in t->out and badge; block until the
 * reply (in t->in). Returns ERR_OK, ERR_PEER (endpoint closed, receiver
 * died) or the status the replier handed over.
 */
int ipc_call(struct thread *t, struct endpoint *ep, uint64_t badge);
/* Deliver t->out to a waiting receiver, or ERR_WOULDBLOCK. */
int ipc_send(struct thread *t, struct endpoint *ep, uint64_t badge);
/* Receive on ep into t->in (blocks). ERR_STATE if t still owes a reply. */
int ipc_recv(struct thread *t, struct endpoint *ep);
/* Reply with t->out to the caller t owes. ERR_STATE if there is none waiting. */
int ipc_reply(struct thread *t);
/* Move the reply t owes into a new reply object charged to q. ERR_STATE if t owes none. */
int ipc_reply_save(struct thread *t, struct quota *q, struct reply **out);
/* Answer a saved reply with t->out. ERR_STATE if it was used or its caller gave up. */
int ipc_reply_saved(struct thread *t, struct reply *r);
void reply_destroy(struct reply *r);

/* Take t off the endpoint or notification queue it waits in. */
void ipc_cancel(struct thread *t);
/* t is exiting: fail the caller it owed a reply. */
void ipc_thread_exit(struct thread *t);
/* Drop the references a staged message holds. */
void kmsg_release(struct kmsg *m);

#endif
