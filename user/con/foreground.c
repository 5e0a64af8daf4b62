#include "user/con/foreground.h"

#include "lib/error.h"
#include "lib/user/con_proto.h"
#include "lib/user/proc_proto.h"
#include "lib/user/spinlock.h"
#include "user/con/tx.h"

static struct {
	struct spinlock lock; /* the request loop sets, the input thread reads */
	int32_t pids[CON_FG_MAX];
	unsigned n;
	handle_t proc;
} fg;

void foreground_init(handle_t proc)
{
	fg.proc = proc;
}

int foreground_set(const struct msg *m)
{
	uint64_t n = m->w[0];

	if (msg_words(m->tag) < 1 || n > CON_FG_MAX || msg_words(m->tag) < 1 + n)
		return ERR_INVALID;
	for (unsigned i = 0; i < n; i++)
		if (m->w[1 + i] == 0 || m->w[1 + i] > INT32_MAX)
			return ERR_INVALID;
	spin_lock(&fg.lock);
	fg.n = (unsigned)n;
	for (unsigned i = 0; i < n; i++)
		fg.pids[i] = (int32_t)m->w[1 + i];
	spin_unlock(&fg.lock);
	return ERR_OK;
}

/*
 * The calls to proc are made with the lock released: proc may be calling
 * con itself (printing) while the request loop waits for the lock.
 */
void foreground_signal(int sig)
{
	int32_t pids[CON_FG_MAX];
	unsigned n;

	tx_reader_waits(false); /* the line is dropped; whoever waited may be gone */
	spin_lock(&fg.lock);
	n = fg.n;
	for (unsigned i = 0; i < n; i++)
		pids[i] = fg.pids[i];
	spin_unlock(&fg.lock);
	/*
	 * Last first: the pipeline's status is its last command's, which must
	 * be the signal's, not an exit at the end of its input when an earlier
	 * command dies first (the calls are one by one, not at once).
	 */
	for (unsigned i = n; fg.proc && i-- > 0;) {
		struct msg m = {.tag = msg_tag(PROC_KILL, 2, 0),
				.w = {(uint64_t)pids[i], (uint64_t)sig}};
		ipc_call(fg.proc, &m); /* ERR_NOENT: it ended already */
	}
}
