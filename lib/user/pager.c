/*
 * libpager (lib/user/pager.h): the receive loop, fault decoding, map
 * replies with fault-around, frame helpers and replacement policies.
 */
#include "lib/user/pager.h"

#include "lib/str.h"
#include "lib/user/syscall.h"
#include "lib/user/ulib.h"

#define PAGE PAGER_PAGE

/* The pages one reply covers: [va, va + n pages). */
struct pager_span {
	uint64_t va;
	unsigned n;
};

/* Everything a fault reply holds until it is sent. */
struct pager_reply {
	struct pager_frame frames[PAGER_MAX_WINDOW];
	uint64_t words[2 * PAGER_MAX_WINDOW];
	unsigned nframes, nitems;
};

/* ----------------------------------------------------------------- setup */

static bool window_ok(unsigned window)
{
	return window >= 1 && window <= PAGER_MAX_WINDOW;
}

int pager_set_window(struct pager *pg, unsigned window)
{
	if (!window_ok(window))
		return ERR_INVALID;
	if (2 * window > MSG_REG_WORDS && !pg->ipcbuf)
		return ERR_STATE;
	pg->window = window;
	return ERR_OK;
}

int pager_init(struct pager *pg, handle_t ep, handle_t self, struct ipc_buffer *ipcbuf,
	       unsigned window)
{
	memset(pg, 0, sizeof(*pg));
	if (!ep)
		return ERR_INVALID;
	pg->ep = ep;
	pg->self = self;
	pg->ipcbuf = ipcbuf;
	int e = pager_set_window(pg, window);
	if (e == ERR_OK)
		pg->fill_va = uvm_reserve(PAGER_MAX_WINDOW * PAGE);
	return e;
}

/* ----------------------------------------------------------------- attachments */

static uint64_t badge_of(const struct pager *pg, unsigned slot)
{
	return ((uint64_t)pg->generation << 32) | (slot + 1);
}

struct pager_attachment *pager_find(struct pager *pg, uint64_t badge)
{
	uint64_t slot = (badge & 0xffffffffull) - 1;

	if (slot >= PAGER_MAX_ATTACH)
		return 0;
	struct pager_attachment *a = &pg->att[slot];
	return (a->obj && a->badge == badge) ? a : 0;
}

static struct pager_attachment *free_slot(struct pager *pg)
{
	for (unsigned i = 0; i < PAGER_MAX_ATTACH; i++)
		if (!pg->att[i].obj)
			return &pg->att[i];
	return 0;
}

int pager_attach(struct pager *pg, struct pager_object *obj, handle_t space, uint64_t va,
		 uint64_t len, unsigned maxprot, struct pager_attachment **out)
{
	struct pager_attachment *a = free_slot(pg);

	if (!a)
		return ERR_FULL;
	if (!obj || !obj->ops || !obj->ops->fill)
		return ERR_INVALID;
	pg->generation++; /* a new badge each time: late faults of an old region find nothing */
	uint64_t badge = badge_of(pg, (unsigned)(a - pg->att));
	int e = sys_region_add(space, va, len, pg->ep, badge, maxprot);
	if (e != ERR_OK)
		return e;
	*a = (struct pager_attachment){obj, space, va, len, maxprot, badge};
	if (out)
		*out = a;
	return ERR_OK;
}

int pager_detach(struct pager *pg, struct pager_attachment *att)
{
	(void)pg;
	int e = sys_region_remove(att->space, att->va);
	int u = sys_space_unmap(att->space, att->va, att->len);

	*att = (struct pager_attachment){0};
	return e != ERR_OK ? e : u;
}

/* ----------------------------------------------------------------- frames */

int pager_frame_get(struct pager *pg, unsigned slot, struct pager_frame *f)
{
	uint64_t va = pg->fill_va + slot * PAGE;
	int e = sys_frame_alloc(0, FRAME_ZEROED, &f->h);

	if (e != ERR_OK)
		return e;
	e = sys_space_map(pg->self, va, f->h, 0, 1, PROT_R | PROT_W);
	if (e != ERR_OK) {
		sys_handle_close(f->h);
		return e;
	}
	f->page = (void *)va;
	return ERR_OK;
}

void pager_frames_unmap(struct pager *pg, unsigned n)
{
	if (n)
		sys_space_unmap(pg->self, pg->fill_va, n * PAGE);
}

void pager_frames_close(struct pager_frame *f, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		sys_handle_close(f[i].h);
}

/* ----------------------------------------------------------------- faults */

int pager_fault_decode(const struct msg *m, struct pager_fault *f)
{
	if (msg_label(m->tag) != MSG_FAULT || !(m->tag & MSG_FROM_KERNEL) ||
	    msg_words(m->tag) != 5 || msg_handles(m->tag) != 0)
		return ERR_INVALID;
	*f = (struct pager_fault){
	    .addr = m->w[0],
	    .access = fault_msg_access(m->w[1]),
	    .ahead = fault_msg_ahead(m->w[1]),
	    .offset = m->w[2],
	    .pc = m->w[3],
	    .thread_id = m->w[4],
	    .badge = m->badge,
	};
	return ERR_OK;
}

/*
 * The window around the fault: window-aligned relative to the region base
 * (so the counts do not depend on where the region lies), clipped to the
 * region and to the object's size.
 */
static struct pager_span fault_window(const struct pager *pg, const struct pager_attachment *a,
				      const struct pager_fault *f)
{
	uint64_t page = f->offset / PAGE;
	uint64_t first = page - page % pg->window;
	uint64_t limit = a->len < a->obj->size ? a->len : a->obj->size;
	uint64_t end = (limit + PAGE - 1) / PAGE;

	if (first + pg->window < end)
		end = first + pg->window;
	return (struct pager_span){a->va + first * PAGE, (unsigned)(end - first)};
}

/* Rights for the items: the region's, with W^X settled by the access. */
static unsigned item_prot(const struct pager_attachment *a, const struct pager_fault *f)
{
	unsigned prot = a->maxprot & (PROT_R | PROT_W | PROT_X);

	if ((prot & PROT_W) && (prot & PROT_X))
		prot &= (f->access & PROT_X) ? ~PROT_W : ~PROT_X;
	return prot;
}

/*
 * Which pages of the span to map: the faulting page always, a neighbour
 * only if nothing is mapped there yet (a reply replaces mappings, and a
 * neighbour may hold the client's writes). If the A/D bits cannot be read,
 * only the faulting page.
 */
static void pick_pages(const struct pager_attachment *a, const struct pager_fault *f,
		       struct pager_span s, bool want[])
{
	uint8_t ad[PAGER_MAX_WINDOW];
	uint64_t fault_va = a->va + (f->offset & ~(PAGE - 1));
	bool known = s.n > 1 && sys_space_ad(a->space, s.va, s.n, ad, 0) == ERR_OK;

	for (unsigned i = 0; i < s.n; i++) {
		uint64_t va = s.va + i * PAGE;
		want[i] = va == fault_va || (known && !(ad[i] & PAGE_MAPPED));
	}
}

/* Fill one page into a fresh frame and add its map item to r. */
static int add_page(struct pager *pg, const struct pager_attachment *a, uint64_t va, unsigned prot,
		    struct pager_reply *r)
{
	struct pager_frame *fr = &r->frames[r->nframes];
	int e = pager_frame_get(pg, r->nframes, fr);

	if (e != ERR_OK)
		return e;
	r->nframes++;
	e = a->obj->ops->fill(a->obj, va - a->va, va, fr->page);
	if (e != ERR_OK)
		return e;
	r->words[2 * r->nitems] = fault_item_va(va, prot);
	r->words[2 * r->nitems + 1] = fault_item_frame(fr->h, 0);
	r->nitems++;
	return ERR_OK;
}

/* Fill every page of the window that needs it; r holds what was made, even on error. */
static int build_reply(struct pager *pg, const struct pager_attachment *a,
		       const struct pager_fault *f, struct pager_reply *r)
{
	if (f->offset >= a->len || (f->offset & ~(PAGE - 1)) >= a->obj->size)
		return ERR_RANGE;
	struct pager_span s = fault_window(pg, a, f);
	bool want[PAGER_MAX_WINDOW];
	unsigned prot = item_prot(a, f);
	int e = ERR_OK;

	pick_pages(a, f, s, want);
	for (unsigned i = 0; i < s.n && e == ERR_OK; i++)
		if (want[i])
			e = add_page(pg, a, s.va + i * PAGE, prot, r);
	pager_frames_unmap(pg, r->nframes);
	return e;
}

/* Put n items' words into *m (words 0..4) and the IPC buffer (words 5..). */
static void stage_items(struct pager *pg, const uint64_t *words, unsigned n, struct msg *m)
{
	unsigned nwords = 2 * n;

	*m = (struct msg){.tag = msg_tag(MSG_FAULT, nwords, 0)};
	for (unsigned i = 0; i < nwords; i++) {
		if (i < MSG_REG_WORDS)
			m->w[i] = words[i];
		else
			pg->ipcbuf->words[i] = words[i];
	}
}

int pager_items_add(struct pager_items *it, uint64_t va, unsigned prot, handle_t frame,
		    uint64_t page)
{
	if (it->n >= PAGER_MAX_WINDOW)
		return ERR_FULL;
	it->words[2 * it->n] = fault_item_va(va, prot);
	it->words[2 * it->n + 1] = fault_item_frame(frame, page);
	it->n++;
	return ERR_OK;
}

/*
 * Reply to the fault with n items, or with error e if it is not ERR_OK;
 * count the outcome. Returns the reply's result.
 */
static int reply_items(struct pager *pg, int e, const uint64_t *words, unsigned n)
{
	struct msg m;

	if (e == ERR_OK) {
		stage_items(pg, words, n, &m);
		e = ipc_reply(&m);
	} else {
		m = (struct msg){.tag = msg_error_tag(MSG_FAULT, e)};
		ipc_reply(&m);
	}
	if (e == ERR_OK)
		pg->stats.pages += n;
	else
		pg->stats.errors++;
	return e;
}

/* A fault answered by the program's own hook (struct pager's fault). */
/* Tell the policy (if any) of n items just mapped in space. */
static void tell_policy(struct pager *pg, handle_t space, const uint64_t *words, unsigned n)
{
	for (unsigned i = 0; pg->policy && space && i < n; i++)
		pg->policy->on_map(pg->policy, space, words[2 * i] & ~(PAGE - 1));
}

static void serve_fault_hook(struct pager *pg, const struct pager_fault *f)
{
	struct pager_items it = {.n = 0, .space = 0};
	int e = pg->fault(pg, f, &it);

	if (e == ERR_OK && 2 * it.n > MSG_REG_WORDS && !pg->ipcbuf)
		e = ERR_STATE;
	if (reply_items(pg, e, it.words, it.n) == ERR_OK && e == ERR_OK)
		tell_policy(pg, it.space, it.words, it.n);
}

/* Answer one kernel fault: all items in one reply, or an error reply. */
static void serve_fault(struct pager *pg, const struct pager_fault *f)
{
	struct pager_attachment *a = pager_find(pg, f->badge);
	struct pager_reply r;
	int e;

	r.nframes = r.nitems = 0;
	e = a ? build_reply(pg, a, f, &r) : ERR_NOENT;
	if (reply_items(pg, e, r.words, r.nitems) == ERR_OK)
		tell_policy(pg, a->space, r.words, r.nitems);
	pager_frames_close(r.frames, r.nframes); /* the client's mappings keep the frames */
}

/*
 * Close the handles a refused message carried: they were installed in our
 * table on delivery, and nothing else would ever close them (a client could
 * pin any object in the pager, a frame for instance, by sending it with a
 * forged MSG_FAULT). Without an IPC buffer such a message came as
 * ERR_TRUNCATED, its handle values lost.
 */
static void close_carried(const struct pager *pg, const struct msg *m)
{
	for (unsigned i = 0; pg->ipcbuf && i < msg_handles(m->tag); i++)
		if (pg->ipcbuf->handles[i] > 0)
			sys_handle_close(pg->ipcbuf->handles[i]);
}

/*
 * Not a fault from the kernel: the control callback (which owns the
 * handles the message carried), or an error reply.
 */
static int serve_other(struct pager *pg, struct msg *m)
{
	int r = ERR_OK;

	if (pg->control && msg_label(m->tag) != MSG_FAULT && !(m->tag & MSG_FROM_KERNEL)) {
		r = pg->control(pg, m);
	} else {
		pg->stats.rejected++;
		close_carried(pg, m);
		*m = (struct msg){.tag = msg_error_tag(msg_label(m->tag), ERR_INVALID)};
	}
	ipc_reply(m); /* ERR_STATE if it was a send: nobody waits */
	return r == PAGER_STOP ? PAGER_STOP : ERR_OK;
}

int pager_handle(struct pager *pg, struct msg *m)
{
	struct pager_fault f;

	if (pager_fault_decode(m, &f) == ERR_OK) {
		pg->stats.faults++;
		if (pg->fault)
			serve_fault_hook(pg, &f);
		else
			serve_fault(pg, &f);
		return ERR_OK;
	}
	return serve_other(pg, m);
}

int pager_run(struct pager *pg)
{
	struct msg m;

	while (!pg->stop) {
		m = (struct msg){0};
		int e = ipc_recv(pg->ep, &m);
		if (e == ERR_TRUNCATED || e == ERR_FAULT) {
			/* Taken but unreadable (words or handles we cannot hold): refuse it. */
			pg->stats.rejected++;
			m = (struct msg){.tag = msg_error_tag(0, ERR_INVALID)};
			ipc_reply(&m);
			continue;
		}
		if (e != ERR_OK)
			return e;
		if (pager_handle(pg, &m) == PAGER_STOP)
			pg->stop = true;
		else if (pg->after_reply)
			pg->after_reply(pg);
	}
	return ERR_OK;
}

void pager_stats(const struct pager *pg, struct pager_stats *out)
{
	const volatile struct pager_stats *s = &pg->stats;

	out->faults = s->faults;
	out->pages = s->pages;
	out->errors = s->errors;
	out->rejected = s->rejected;
}

/* ----------------------------------------------------------------- policies */

static int policy_add(struct pager_policy *pol, handle_t space, uint64_t va)
{
	if (pol->count == pol->cap)
		return ERR_FULL;
	pol->pages[pol->count++] = (struct pager_page){space, va & ~(PAGE - 1), 0, 0};
	return ERR_OK;
}

/* Remove pages[i], keeping the others in order; the clock hand keeps its page. */
static struct pager_page policy_take(struct pager_policy *pol, unsigned i)
{
	struct pager_page p = pol->pages[i];

	memmove(&pol->pages[i], &pol->pages[i + 1], (pol->count - i - 1) * sizeof(p));
	pol->count--;
	if (pol->hand > i)
		pol->hand--;
	if (pol->hand >= pol->count)
		pol->hand = 0;
	return p;
}

static int fifo_scan(struct pager_policy *pol)
{
	(void)pol; /* FIFO ignores use */
	return ERR_OK;
}

/*
 * Was the victim written? FIFO scans nothing, so read its D bit now,
 * before the caller unmaps it (the bit goes with the mapping). If it cannot
 * be read, say dirty: writing a clean page out costs a write, losing a
 * dirty one loses data.
 */
static void fifo_sample_dirty(struct pager_page *p)
{
	uint8_t ad = 0;

	if (sys_space_ad(p->space, p->va, 1, &ad, 0) != ERR_OK)
		ad = PAGE_D;
	p->dirty |= (ad & PAGE_D) != 0;
}

static int fifo_pick(struct pager_policy *pol, struct pager_page *victim)
{
	if (!pol->count)
		return ERR_NOENT;
	*victim = policy_take(pol, 0);
	fifo_sample_dirty(victim);
	return ERR_OK;
}

static void policy_init(struct pager_policy *pol, struct pager_page *pages, unsigned cap)
{
	*pol = (struct pager_policy){.pages = pages, .cap = cap, .on_map = policy_add};
}

void pager_policy_fifo_init(struct pager_policy *pol, struct pager_page *pages, unsigned cap)
{
	policy_init(pol, pages, cap);
	pol->name = "fifo";
	pol->on_access_scan = fifo_scan;
	pol->pick_victim = fifo_pick;
}

#define SCAN_RUN 64 /* pages one A/D call reads at most */

/* Pages from p on that lie one after another in the same space (at most max). */
static unsigned run_length(const struct pager_page *p, unsigned max)
{
	unsigned n = 1;

	while (n < max && n < SCAN_RUN && p[n].space == p[0].space && p[n].va == p[0].va + n * PAGE)
		n++;
	return n;
}

/*
 * Read and clear the A/D bits of every resident page into its ref and
 * (sticky) dirty flags. Pages are kept in the order they were mapped, so
 * a fault-around window or a sequential sweep lies in runs: one
 * SYS_SPACE_AD call per run, not per page.
 */
static int clock_scan(struct pager_policy *pol)
{
	int first = ERR_OK;
	uint8_t ad[SCAN_RUN];

	for (unsigned i = 0; i < pol->count;) {
		struct pager_page *p = &pol->pages[i];
		unsigned n = run_length(p, pol->count - i);
		int e = sys_space_ad(p->space, p->va, n, ad, 1);
		for (unsigned k = 0; e == ERR_OK && k < n; k++) {
			p[k].ref = (ad[k] & PAGE_A) != 0;
			p[k].dirty |= (ad[k] & PAGE_D) != 0;
		}
		if (first == ERR_OK)
			first = e;
		i += n;
	}
	return first;
}

static int clock_pick(struct pager_policy *pol, struct pager_page *victim)
{
	if (!pol->count)
		return ERR_NOENT;
	/* At most one full turn clears every ref, so the second turn finds a victim. */
	while (pol->pages[pol->hand].ref) {
		pol->pages[pol->hand].ref = 0;
		pol->hand = (pol->hand + 1) % pol->count;
	}
	*victim = policy_take(pol, pol->hand);
	return ERR_OK;
}

void pager_policy_clock_init(struct pager_policy *pol, struct pager_page *pages, unsigned cap)
{
	policy_init(pol, pages, cap);
	pol->name = "clock";
	pol->on_access_scan = clock_scan;
	pol->pick_victim = clock_pick;
}
