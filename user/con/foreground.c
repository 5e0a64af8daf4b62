#include "user/con/foreground.h"

#include "lib/error.h"
#include "lib/user/con_proto.h"
#include "lib/user/proc_proto.h"
#include "lib/user/spinlock.h"
#include "user/con/tx.h"

static struct {
	struct spinlock lock; /* the request loop sets, the input thread reads */
	int32_t pgid;	      /* 0: none */
	handle_t proc;
} fg;

void foreground_init(handle_t proc)
{
	fg.proc = proc;
}

int foreground_set(struct msg *m)
{
	uint64_t pgid = m->w[0];
	int32_t before;

	if (msg_words(m->tag) < 1 || (pgid > INT32_MAX && pgid != CON_FG_ASK))
		return ERR_INVALID;
	spin_lock(&fg.lock);
	before = fg.pgid;
	if (pgid != CON_FG_ASK)
		fg.pgid = (int32_t)pgid;
	spin_unlock(&fg.lock);
	*m = (struct msg){.tag = msg_tag(CON_FOREGROUND, 1, 0), .w = {(uint64_t)before}};
	return ERR_OK;
}

/*
 * The call to proc is made with the lock released: proc may be calling
 * con itself (printing) while the request loop waits for the lock. proc
 * signals the whole group at once, last started first.
 */
void foreground_signal(int sig)
{
	int32_t pgid;

	tx_reader_waits(false); /* the line is dropped; whoever waited may be gone */
	spin_lock(&fg.lock);
	pgid = fg.pgid;
	spin_unlock(&fg.lock);
	if (!fg.proc || !pgid)
		return;
	struct msg m = {.tag = msg_tag(PROC_KILL, 2, 0),
			.w = {(uint64_t) - (int64_t)pgid, (uint64_t)sig}};
	ipc_call(fg.proc, &m); /* ERR_NOENT: it ended already */
}
