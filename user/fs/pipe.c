/*
 * Pipes: a ring of PIPE_SIZE bytes in fs's memory between a read end and a
 * write end (open-file descriptions, shared by dup and fork like any).
 *
 * fs never blocks: a read of an empty pipe whose write end is open, and a
 * write that does not fit, save their reply (SYS_REPLY_SAVE) in the
 * client's struct waiter. Whenever a pipe changes — bytes in, bytes out, an
 * end closed — pipe_service moves what it can for the waiters of that pipe
 * and answers those that are done: a reader gets what is there (at least
 * one byte) or 0 once every write end is closed; a writer gets its whole
 * count, or -EPIPE (the bytes written so far, if any) once every read end
 * is closed.
 */
#include "user/fs/fs.h"

#include "lib/error.h"
#include "lib/str.h"
#include "lib/user/syscall.h"

static struct pipe pipes[FS_PIPES];

/* Copy up to n bytes out of p into dst; the count. */
static uint32_t pipe_take(struct pipe *p, uint8_t *dst, uint64_t n)
{
	uint32_t k = n < p->len ? (uint32_t)n : p->len;

	for (uint32_t done = 0; done < k;) {
		uint32_t run = PIPE_SIZE - p->head < k - done ? PIPE_SIZE - p->head : k - done;
		memcpy(dst + done, p->buf + p->head, run);
		p->head = (p->head + run) % PIPE_SIZE;
		done += run;
	}
	p->len -= k;
	return k;
}

/* Copy up to n bytes from src into p's free room; the count. */
static uint32_t pipe_put(struct pipe *p, const uint8_t *src, uint64_t n)
{
	uint32_t room = PIPE_SIZE - p->len;
	uint32_t k = n < room ? (uint32_t)n : room;

	for (uint32_t done = 0; done < k;) {
		uint32_t tail = (p->head + p->len) % PIPE_SIZE;
		uint32_t run = PIPE_SIZE - tail < k - done ? PIPE_SIZE - tail : k - done;
		memcpy(p->buf + tail, src + done, run);
		p->len += run;
		done += run;
	}
	return k;
}

/* Answer c's saved reply with result and forget the wait. */
static void waiter_answer(struct client *c, int64_t result)
{
	struct msg m = {.tag = msg_tag(c->wait.label, 1, 0), .w = {(uint64_t)result}};

	ipc_reply_to(c->wait.reply, &m); /* ERR_STATE if the caller is gone: nothing to do */
	sys_handle_close(c->wait.reply);
	c->wait = (struct waiter){0};
	fs_stats.waiting--;
}

void waiter_interrupt(struct client *c)
{
	if (c->wait.kind == WAIT_NONE)
		return;
	waiter_answer(c, c->wait.done ? (int64_t)c->wait.done : -FS_EINTR);
}

void waiter_drop(struct client *c)
{
	if (c->wait.kind == WAIT_NONE)
		return;
	sys_handle_close(c->wait.reply); /* the caller, if alive, gets ERR_PEER */
	c->wait = (struct waiter){0};
	fs_stats.waiting--;
}

/* One pass over p's waiters; true if anything moved or was answered. */
static bool pipe_pass(struct pipe *p)
{
	bool progress = false;

	for (unsigned i = 0; i < FS_CLIENTS; i++) {
		struct client *c = &clients[i];
		struct waiter *w = &c->wait;

		if (w->kind == WAIT_NONE || w->of->pipe != p)
			continue;
		if (w->kind == WAIT_READ && (p->len || !p->writers)) {
			waiter_answer(c, pipe_take(p, c->win, w->want));
			progress = true;
		} else if (w->kind == WAIT_WRITE && !p->readers) {
			waiter_answer(c, w->done ? (int64_t)w->done : -FS_EPIPE);
			progress = true;
		} else if (w->kind == WAIT_WRITE && p->len < PIPE_SIZE) {
			w->done += pipe_put(p, c->win + w->done, w->want - w->done);
			if (w->done == w->want)
				waiter_answer(c, (int64_t)w->want);
			progress = true;
		}
	}
	return progress;
}

static void pipe_service(struct pipe *p)
{
	while (pipe_pass(p))
		;
}

static void waiter_save(struct client *c, enum wait_kind kind, struct ofile *of, uint64_t want,
			uint64_t done, unsigned label, int64_t *r)
{
	handle_t h = 0;

	if (ipc_reply_save(&h) != ERR_OK) {
		*r = -FS_ENOMEM;
		return;
	}
	c->wait = (struct waiter){kind, h, label, of, want, done};
	fs_stats.waiting++;
	*r = FS_NO_REPLY;
}

int64_t pipe_read(struct client *c, struct ofile *of, uint64_t n)
{
	struct pipe *p = of->pipe;
	int64_t r;

	if (of->write_end)
		return -FS_EBADF;
	if (n == 0)
		return 0;
	if (p->len) {
		r = pipe_take(p, c->win, n);
		pipe_service(p); /* room for waiting writers */
		return r;
	}
	if (!p->writers)
		return 0;
	waiter_save(c, WAIT_READ, of, n, 0, FS_READ, &r);
	return r;
}

int64_t pipe_write(struct client *c, struct ofile *of, uint64_t n)
{
	struct pipe *p = of->pipe;
	int64_t r;

	if (!of->write_end)
		return -FS_EBADF;
	if (!p->readers)
		return -FS_EPIPE;
	uint64_t done = pipe_put(p, c->win, n);
	pipe_service(p); /* waiting readers take what came */
	while (done < n && p->len < PIPE_SIZE) {
		done += pipe_put(p, c->win + done, n - done);
		pipe_service(p);
	}
	if (done == n)
		return (int64_t)n;
	waiter_save(c, WAIT_WRITE, of, n, done, FS_WRITE, &r);
	return r;
}

void pipe_close_end(struct pipe *p, bool write_end)
{
	if (write_end)
		p->writers--;
	else
		p->readers--;
	pipe_service(p);
	if (p->readers == 0 && p->writers == 0) {
		page_free(p->buf, 2);
		*p = (struct pipe){0};
		fs_stats.pipes--;
	}
}

/* -> read fd; w1 = write fd. */
int64_t do_pipe(struct client *c, struct msg *m)
{
	struct pipe *p = 0;
	int rfd = fd_lowest_free(c), wfd = -1;

	_Static_assert(PIPE_PAGES == 4, "a pipe's ring is one order-2 allocation");
	if (rfd < 0)
		return rfd;
	c->fd[rfd] = (struct ofile *)1; /* hold the slot while looking for the second */
	wfd = fd_lowest_free(c);
	c->fd[rfd] = 0;
	if (wfd < 0)
		return wfd;
	for (unsigned i = 0; i < FS_PIPES && !p; i++)
		if (!pipes[i].used)
			p = &pipes[i];
	if (!p)
		return -FS_ENOMEM;
	/* Kind NONE until both ends are whole, so that putting one back frees only it. */
	struct ofile *r = ofile_new(FS_KIND_NONE, FS_O_RDONLY);
	struct ofile *w = r ? ofile_new(FS_KIND_NONE, FS_O_WRONLY) : 0;
	uint8_t *buf = w ? page_alloc(2) : 0;
	if (!buf) {
		if (w)
			ofile_put(w);
		if (r)
			ofile_put(r);
		return -FS_ENOMEM;
	}
	*p = (struct pipe){.used = true, .buf = buf, .readers = 1, .writers = 1};
	fs_stats.pipes++;
	r->kind = w->kind = FS_KIND_PIPE;
	r->pipe = p;
	w->pipe = p;
	w->write_end = true;
	c->fd[rfd] = r;
	c->fd[wfd] = w;
	m->w[1] = (uint64_t)wfd;
	m->w[2] = 0;
	fs_reply_words = 2;
	return rfd;
}
