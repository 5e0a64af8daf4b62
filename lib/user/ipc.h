/*
 * IPC for user programs: a message is a tag and up to five words in
 * registers (struct msg); longer messages and handles use the thread's IPC
 * buffer (struct ipc_buffer, registered with sys_thread_set_ipcbuf).
 */
#ifndef STRATA_LIB_USER_IPC_H
#define STRATA_LIB_USER_IPC_H

#include "lib/user/syscall.h"

struct msg {
	uint64_t tag;
	uint64_t w[MSG_REG_WORDS];
	uint64_t badge; /* set on receive */
};

static inline int ipc_op(unsigned nr, handle_t ep, struct msg *m)
{
	struct sysret r =
	    syscall7(nr, (uint64_t)ep, m->tag, m->w[0], m->w[1], m->w[2], m->w[3], m->w[4]);
	if (r.err == 0 && nr != SYS_SEND && nr != SYS_REPLY && nr != SYS_REPLY_TO) {
		m->tag = r.r[0];
		for (int i = 0; i < MSG_REG_WORDS; i++)
			m->w[i] = r.r[1 + i];
		m->badge = r.r[6];
	}
	return (int)r.err;
}

/* Call ep with *m; the reply replaces *m. */
static inline int ipc_call(handle_t ep, struct msg *m)
{
	return ipc_op(SYS_CALL, ep, m);
}
/* Send without blocking (ERR_WOULDBLOCK if no receiver waits). */
static inline int ipc_send(handle_t ep, struct msg *m)
{
	return ipc_op(SYS_SEND, ep, m);
}
static inline int ipc_recv(handle_t ep, struct msg *m)
{
	return ipc_op(SYS_RECV, ep, m);
}
static inline int ipc_reply(struct msg *m)
{
	return ipc_op(SYS_REPLY, 0, m);
}
/* Reply with *m (if a caller waits), then receive the next message into *m. */
static inline int ipc_reply_recv(handle_t ep, struct msg *m)
{
	return ipc_op(SYS_REPLY_RECV, ep, m);
}
/*
 * Keep the reply this thread owes as a handle (*reply), so that the thread
 * can receive again and the reply be given later, by any thread of the
 * process, with ipc_reply_to. Closing the handle unanswered gives the
 * caller ERR_PEER.
 */
static inline int ipc_reply_save(handle_t *reply)
{
	struct sysret r = syscall7(SYS_REPLY_SAVE, 0, 0, 0, 0, 0, 0, 0);
	if (r.err == 0)
		*reply = (handle_t)r.r[0];
	return (int)r.err;
}
/* Answer a saved reply with *m (the handle stays open, used up: close it). */
static inline int ipc_reply_to(handle_t reply, struct msg *m)
{
	return ipc_op(SYS_REPLY_TO, reply, m);
}

#endif
