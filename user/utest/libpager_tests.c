/*
 * In-guest tests of libpager (lib/user/pager.h): the pagerdemo program as a
 * child process serving regions of our own space (pattern, exact fault
 * counts per fault-around window, clipping, resident neighbours left alone,
 * forged messages refused), a pager thread in our own space (fill errors
 * reach the faulting thread, the policy hears of every mapping), and the
 * FIFO and clock replacement policies over real mappings.
 */
#include "lib/user/pager.h"
#include "user/pagerdemo/pagerdemo.h"
#include "user/utest/harness.h"

#define PAGE	   4096ull
#define DEMO_QUOTA (512 * PAGE)
#define DEMO_PRIO  20
#define SEED	   0x5eed0000cafe0000ull

extern const struct test libpager_tests[];

/* ----------------------------------------------------------------- pagerdemo as a child */

struct demo {
	handle_t quota, ep, thread;
	handle_t client; /* our space, in the child's table */
	struct uprocess p;
};

/* Call the child; an error tag in the reply becomes the result. */
static int demo_call(struct demo *d, struct msg *m)
{
	int e = ipc_call(d->ep, m);

	return e != ERR_OK ? e : msg_error(m->tag);
}

static int demo_hello(struct demo *d, unsigned window)
{
	handle_t self, thread;
	int e = sys_handle_give(d->p.space, d->p.space, RIGHT_MAP | RIGHT_READ, &self);

	if (e == ERR_OK)
		e = sys_handle_give(d->p.space, d->thread, RIGHT_MANAGE, &thread);
	if (e == ERR_OK)
		e = sys_handle_give(d->p.space, uenv.space, RIGHT_MANAGE | RIGHT_MAP | RIGHT_READ,
				    &d->client);
	struct msg m = {.tag = msg_tag(PAGERDEMO_HELLO, 3, 0), .w = {self, thread, window}};
	return e != ERR_OK ? e : demo_call(d, &m);
}

/*
 * Start pagerdemo in a new process with its own quota: the program is
 * loaded, the endpoint given to it, and then its first thread made with
 * the endpoint's handle in its table as the argument.
 */
static int demo_start(struct demo *d, unsigned window)
{
	char err[96];
	handle_t cep;

	*d = (struct demo){0};
	int e = sys_quota_split(uenv.quota, DEMO_QUOTA, &d->quota);
	if (e == ERR_OK)
		e = sys_endpoint_create(&d->ep);
	if (e == ERR_OK)
		e = uload_space(&initrd, "pagerdemo", d->quota, &d->p, err, sizeof(err));
	if (e != ERR_OK)
		return e;
	e = sys_handle_give(d->p.space, d->ep, RIGHT_READ | RIGHT_WRITE, &cep);
	if (e == ERR_OK)
		e = uload_thread(&d->p, (uint64_t)cep, DEMO_PRIO);
	d->thread = d->p.thread;
	if (e == ERR_OK)
		e = sys_thread_start(d->thread);
	return e != ERR_OK ? e : demo_hello(d, window);
}

static int demo_attach(struct demo *d, uint64_t va, uint64_t len, uint64_t seed)
{
	struct msg m = {.tag = msg_tag(PAGERDEMO_ATTACH, 5, 0),
			.w = {d->client, va, len, seed, PROT_R | PROT_W}};

	return demo_call(d, &m);
}

static int demo_stats(struct demo *d, struct pager_stats *s)
{
	struct msg m = {.tag = msg_tag(PAGERDEMO_STATS, 0, 0)};
	int e = demo_call(d, &m);

	*s = (struct pager_stats){m.w[0], m.w[1], m.w[2], m.w[3]};
	return e;
}

/* QUIT (which detaches every region), then check the child left nothing behind. */
static bool demo_stop(struct demo *d)
{
	struct msg m = {.tag = msg_tag(PAGERDEMO_QUIT, 0, 0)};
	uint64_t limit = 0, used = 1;

	OK(demo_call(d, &m));
	CHECK(wait_dead(d->thread));
	OK(sys_handle_close(d->thread));
	OK(sys_handle_close(d->p.space));
	OK(sys_handle_close(d->ep));
	for (int i = 0; i < 100 && used; i++) {
		OK(sys_quota_info(d->quota, &limit, &used));
		if (used)
			sys_sleep(1000000);
	}
	CHECK(used == 0); /* every frame it made is unmapped again */
	OK(sys_handle_close(d->quota));
	return true;
}

/* A worker that reads every word of [va, va + pages) and checks the pattern. */
struct reader {
	uint64_t va, seed;
	unsigned first, pages;
	volatile int ok;
};

static void read_pattern(void *arg)
{
	struct reader *r = arg;
	int ok = 1;

	for (unsigned i = r->first; i < r->first + r->pages; i++) {
		volatile uint64_t *w = (uint64_t *)(r->va + i * PAGE);
		for (unsigned j = 0; j < PAGE / 8; j++)
			ok &= w[j] == pagerdemo_word((uint64_t)&w[j], r->seed);
	}
	r->ok = ok;
}

static bool read_pages(uint64_t va, unsigned first, unsigned pages)
{
	struct reader r = {va, SEED, first, pages, 0};
	struct uthread t;

	OK(spawn(&t, read_pattern, &r, 10));
	CHECK(join(&t) == 0);
	CHECK(r.ok);
	return true;
}

static bool mapped_count(uint64_t va, unsigned pages, unsigned want)
{
	uint8_t ad[64];
	unsigned n = 0;

	OK(sys_space_ad(uenv.space, va, pages, ad, 0));
	for (unsigned i = 0; i < pages; i++)
		n += (ad[i] & PAGE_MAPPED) != 0;
	CHECK(n == want);
	return true;
}

/* Serve `pages` pages with `window`; a worker reads them all; check the exact counts. */
static bool demo_counts(unsigned window, unsigned pages, uint64_t faults)
{
	struct demo d;
	struct pager_stats s;
	uint64_t va = uvm_reserve(pages * PAGE);

	OK(demo_start(&d, window));
	OK(demo_attach(&d, va, pages * PAGE, SEED));
	CHECK(read_pages(va, 0, pages));
	OK(demo_stats(&d, &s));
	if (s.faults != faults)
		uprintf("    %lu faults, expected %lu\n", s.faults, faults);
	CHECK(s.faults == faults && s.pages == pages && s.errors == 0 && s.rejected == 0);
	CHECK(mapped_count(va, pages, pages));
	CHECK(demo_stop(&d));
	CHECK(mapped_count(va, pages, 0)); /* detached: region gone, pages unmapped */
	CHECK_ERR(sys_region_remove(uenv.space, va), ERR_NOENT);
	return true;
}

/* (a) The pattern pager: 64 pages, window 16 = 4 faults. */
static bool demo_pattern_window_16(void)
{
	return demo_counts(16, 64, 4);
}

/* (b) Window 1: one fault per page. */
static bool demo_window_1(void)
{
	return demo_counts(1, 64, 64);
}

/* The window is clipped to the region: 20 pages with window 16 = 16 + 4. */
static bool demo_window_clipped(void)
{
	return demo_counts(16, 20, 2);
}

/* Window 3 (not a power of two), 10 pages: 3 + 3 + 3 + 1. */
static bool demo_window_3(void)
{
	return demo_counts(3, 10, 4);
}

struct writer {
	uint64_t va;
	volatile int done;
};

static void write_word(void *arg)
{
	struct writer *w = arg;

	*(volatile uint64_t *)w->va = 0x1234;
	w->done = 1;
}

/* Fault-around leaves resident pages alone: a refault maps only the missing page. */
static bool demo_around_keeps_resident(void)
{
	struct demo d;
	struct pager_stats s;
	struct uthread t;
	uint64_t va = uvm_reserve(16 * PAGE);
	struct writer w = {va + 3 * PAGE, 0};

	OK(demo_start(&d, 16));
	OK(demo_attach(&d, va, 16 * PAGE, SEED));
	OK(spawn(&t, write_word, &w, 10)); /* faults in all 16, then writes page 3 */
	CHECK(join(&t) == 0 && w.done);
	OK(sys_space_unmap(uenv.space, va + 7 * PAGE, PAGE));
	CHECK(read_pages(va, 7, 1)); /* refaults page 7 only */
	OK(demo_stats(&d, &s));
	CHECK(s.faults == 2 && s.pages == 17);
	CHECK(*(volatile uint64_t *)(va + 3 * PAGE) == 0x1234); /* not replaced */
	return demo_stop(&d);
}

/* (c) Messages that are not kernel faults get error replies; the pager carries on. */
static bool demo_refuses_forged(void)
{
	struct demo d;
	struct pager_stats s;
	uint64_t va = uvm_reserve(4 * PAGE);

	OK(demo_start(&d, 4));
	struct msg m = {.tag = msg_tag(MSG_FAULT, 5, 0), .w = {va, PROT_R, 0, 0, 1}};
	CHECK_ERR(demo_call(&d, &m), ERR_INVALID); /* a MSG_FAULT without the kernel's bit */
	m = (struct msg){.tag = msg_tag(MSG_FAULT, 5, 0) | MSG_FROM_KERNEL};
	CHECK_ERR(ipc_call(d.ep, &m), ERR_INVALID); /* only the kernel may set it */
	m = (struct msg){.tag = msg_tag(0x777, 1, 0), .w = {1}};
	CHECK_ERR(demo_call(&d, &m), ERR_UNSUPPORTED); /* unknown control label */
	m = (struct msg){.tag = msg_tag(MSG_FAULT, 0, 0)};
	int e = ipc_send(d.ep, &m); /* a send: refused with nobody to tell */
	CHECK(e == ERR_OK || e == ERR_WOULDBLOCK);
	OK(demo_stats(&d, &s));
	CHECK(s.rejected == 1u + (e == ERR_OK) && s.faults == 0);
	/* A forged fault carrying a frame: refused, and the frame not kept (its charge is back). */
	struct ipc_buffer *buf = (struct ipc_buffer *)(BOOTINFO_VA + 4096);
	uint64_t limit = 0, used0 = 0, used1 = 1;
	handle_t f;
	OK(sys_quota_info(uenv.quota, &limit, &used0));
	OK(sys_frame_alloc(2, 0, &f));
	buf->handles[0] = f;
	buf->handle_rights[0] = RIGHTS_ALL;
	m = (struct msg){.tag = msg_tag(MSG_FAULT, 5, 1), .w = {va, PROT_R, 0, 0, 1}};
	CHECK_ERR(demo_call(&d, &m), ERR_INVALID);
	OK(sys_handle_close(f));
	OK(sys_quota_info(uenv.quota, &limit, &used1));
	CHECK(used1 == used0);
	OK(demo_attach(&d, va, 4 * PAGE, SEED));
	CHECK(read_pages(va, 0, 4));
	OK(demo_stats(&d, &s));
	CHECK(s.faults == 1 && s.pages == 4 && s.errors == 0);
	return demo_stop(&d);
}

/* ----------------------------------------------------------------- a pager thread of our own */

#define BAD_PAGE 2

/* fill: page BAD_PAGE cannot be produced; the others hold their index. */
static int index_fill(struct pager_object *obj, uint64_t off, uint64_t va, void *page)
{
	(void)obj;
	(void)va;
	if (off / PAGE == BAD_PAGE)
		return ERR_NOMEM;
	*(uint64_t *)page = off / PAGE + 1;
	return ERR_OK;
}

static const struct pager_object_ops index_ops = {.fill = index_fill};

struct local {
	struct pager pg;
	struct uthread t;
	struct pager_object obj;
	struct pager_attachment *att;
	struct pager_policy pol;
	struct pager_page resident[8];
};

static void local_run(void *arg)
{
	struct local *l = arg;

	pager_run(&l->pg);
}

struct toucher {
	uint64_t va;
	volatile uint64_t sum;
};

static void touch_one(void *arg)
{
	struct toucher *t = arg;

	t->sum = *(volatile uint64_t *)t->va;
}

/* Touch one page from a worker whose exceptions go to exc; return its exception's error word. */
static int64_t touch_expect_exception(uint64_t va, handle_t exc)
{
	struct toucher t = {va, 0};
	struct uthread w;
	struct msg m = {0};

	if (spawn_ex(&w, touch_one, &t, 10, exc, 7) != ERR_OK || ipc_recv(exc, &m) != ERR_OK)
		return 1;
	int64_t why = msg_label(m.tag) == MSG_EXCEPTION ? (int64_t)m.w[4] : 1;
	m = (struct msg){.tag = msg_error_tag(MSG_EXCEPTION, ERR_FAULT)}; /* kill it */
	ipc_reply(&m);
	join(&w);
	return why;
}

/* A fill error reaches the faulting thread; the policy hears of each page mapped. */
static bool local_fill_error_and_policy(void)
{
	static struct local l;
	uint64_t va = uvm_reserve(8 * PAGE);
	handle_t ep, exc;
	struct pager_stats s;

	l = (struct local){.obj = {&index_ops, 8 * PAGE, 0}};
	OK(sys_endpoint_create(&ep));
	OK(sys_endpoint_create(&exc));
	OK(pager_init(&l.pg, ep, uenv.space, 0, 2));
	CHECK_ERR(pager_set_window(&l.pg, 3), ERR_STATE); /* no IPC buffer given */
	CHECK_ERR(pager_set_window(&l.pg, 17), ERR_INVALID);
	pager_policy_fifo_init(&l.pol, l.resident, 8);
	l.pg.policy = &l.pol;
	OK(pager_attach(&l.pg, &l.obj, uenv.space, va, 8 * PAGE, PROT_R, &l.att));
	OK(spawn(&l.t, local_run, &l, 20));
	struct toucher t = {va + 5 * PAGE, 0};
	struct uthread w;
	OK(spawn(&w, touch_one, &t, 10)); /* window 2: maps pages 4 and 5 */
	CHECK(join(&w) == 0 && t.sum == 6);
	CHECK(touch_expect_exception(va + BAD_PAGE * PAGE, exc) == ERR_NOMEM);
	/* Without a control callback, anything else is refused too. */
	struct msg m = {.tag = msg_tag(1, 0, 0)};
	OK(ipc_call(ep, &m));
	CHECK(msg_error(m.tag) == ERR_INVALID);
	pager_stats(&l.pg, &s);
	CHECK(s.faults == 2 && s.pages == 2 && s.errors == 1 && s.rejected == 1);
	CHECK(l.pol.count == 2 && l.pol.pages[0].va == va + 4 * PAGE);
	CHECK(mapped_count(va, 8, 2));
	sys_thread_kill(l.t.h, 0);
	join(&l.t);
	OK(pager_detach(&l.pg, l.att));
	CHECK(mapped_count(va, 8, 0));
	OK(sys_handle_close(ep));
	OK(sys_handle_close(exc));
	return true;
}

/* ----------------------------------------------------------------- the fault hook */

#define HOOK_BADGE 77
#define HOOK_WIDE  6 /* a fault here asks for 3 items: too many without an IPC buffer */
#define HOOK_NONE  7 /* refused */

/*
 * A pager that keeps its own frame: page i of the region is page i % 4 of
 * it, mapped read-only first and writable once written, as mem does for a
 * page shared copy-on-write.
 */
static int hook_fault(struct pager *pg, const struct pager_fault *f, struct pager_items *it)
{
	handle_t frame = (handle_t)(uintptr_t)pg->user;
	uint64_t page = f->offset / PAGE, va = f->addr & ~(PAGE - 1);

	if (f->badge != HOOK_BADGE || page == HOOK_NONE)
		return ERR_PERM;
	/* The fault says how much of the 8-page region follows the page: fault-around's bound. */
	if (f->ahead != 7 - page || (f->access & ~(unsigned)(PROT_R | PROT_W | PROT_X)))
		return ERR_PERM;
	unsigned prot = (f->access & PROT_W) ? PROT_R | PROT_W : PROT_R;
	for (unsigned i = 0; i < (page == HOOK_WIDE ? 3u : 1u); i++)
		pager_items_add(it, va - i * PAGE, prot, frame, (page - i) % 4);
	it->space = uenv.space; /* the policy hears of them */
	return ERR_OK;
}

struct writer_hook {
	uint64_t va;
};

static void write_one(void *arg)
{
	*(volatile uint64_t *)((struct writer_hook *)arg)->va = 42;
}

/*
 * The fault hook answers every fault with the pager's own frames and
 * rights; the pager's policy hears of every page a hook's reply mapped.
 */
static bool local_fault_hook(void)
{
	static struct local l;
	uint64_t va = uvm_reserve(8 * PAGE), mine = uvm_reserve(4 * PAGE);
	handle_t ep, exc, frame;
	struct pager_stats s;

	l = (struct local){0};
	OK(sys_endpoint_create(&ep));
	OK(sys_endpoint_create(&exc));
	OK(sys_frame_alloc(2, FRAME_ZEROED, &frame));
	OK(sys_space_map(uenv.space, mine, frame, 0, 4, PROT_R | PROT_W));
	((uint64_t *)mine)[512] = 11; /* page 1 of the frame */
	OK(pager_init(&l.pg, ep, uenv.space, 0, 2));
	pager_policy_fifo_init(&l.pol, l.resident, 8);
	l.pg.policy = &l.pol;
	l.pg.fault = hook_fault;
	l.pg.user = (void *)(uintptr_t)frame;
	OK(sys_region_add(uenv.space, va, 8 * PAGE, ep, HOOK_BADGE, PROT_R | PROT_W));
	OK(spawn(&l.t, local_run, &l, 20));

	struct toucher t = {va + 5 * PAGE, 0}; /* page 5 is the frame's page 1 */
	struct uthread w;
	OK(spawn(&w, touch_one, &t, 10));
	CHECK(join(&w) == 0 && t.sum == 11);
	uint8_t ad = 0;
	OK(sys_space_ad(uenv.space, va + 5 * PAGE, 1, &ad, 0));
	CHECK(ad & PAGE_MAPPED);
	struct writer_hook wr = {va + 5 * PAGE};
	OK(spawn(&w, write_one, &wr, 10)); /* read-only: faults again with W */
	CHECK(join(&w) == 0 && ((uint64_t *)mine)[512] == 42);
	CHECK(touch_expect_exception(va + HOOK_WIDE * PAGE, exc) == ERR_STATE);
	CHECK(touch_expect_exception(va + HOOK_NONE * PAGE, exc) == ERR_PERM);
	pager_stats(&l.pg, &s);
	CHECK(s.faults == 4 && s.pages == 2 && s.errors == 2);
	CHECK(l.pol.count == 2 && l.resident[0].va == va + 5 * PAGE &&
	      l.resident[1].va == va + 5 * PAGE);
	struct pager_page victim;
	OK(l.pol.pick_victim(&l.pol, &victim));
	CHECK(victim.space == uenv.space && victim.dirty); /* written through the second mapping */

	sys_thread_kill(l.t.h, 0);
	join(&l.t);
	OK(sys_region_remove(uenv.space, va));
	OK(sys_space_unmap(uenv.space, va, 8 * PAGE));
	OK(sys_space_unmap(uenv.space, mine, 4 * PAGE));
	OK(sys_handle_close(frame)); /* the hook's frames stay the pager's: nothing closed them */
	OK(sys_handle_close(ep));
	OK(sys_handle_close(exc));
	return true;
}

/* ----------------------------------------------------------------- replacement policies */

#define POL_PAGES 8

static bool policy_track(struct pager_policy *pol, uint8_t *mem, const unsigned *order)
{
	for (unsigned i = 0; i < POL_PAGES; i++)
		OK(pol->on_map(pol, uenv.space, (uint64_t)(mem + order[i] * PAGE)));
	CHECK_ERR(pol->on_map(pol, uenv.space, (uint64_t)mem), ERR_FULL);
	return true;
}

/* Pick victims; each must be the next page of want (page numbers in mem). */
static bool expect_victims(struct pager_policy *pol, uint8_t *mem, const unsigned *want, unsigned n)
{
	struct pager_page v;

	for (unsigned i = 0; i < n; i++) {
		OK(pol->pick_victim(pol, &v));
		if (v.va != (uint64_t)(mem + want[i] * PAGE))
			uprintf("    %s victim %u: page %lu, expected %u\n", pol->name, i,
				(unsigned long)((v.va - (uint64_t)mem) / PAGE), want[i]);
		CHECK(v.va == (uint64_t)(mem + want[i] * PAGE) && v.space == uenv.space);
	}
	return true;
}

static void touch(uint8_t *mem, unsigned page, bool write)
{
	volatile uint8_t *p = mem + page * PAGE;

	if (write)
		*p = 1;
	else
		(void)*p;
}

/*
 * (d) FIFO: victims in the order the pages arrived, whatever was used; a
 * victim's dirty flag says whether it was written (read at the pick).
 */
static bool policy_fifo(void)
{
	static const unsigned order[POL_PAGES] = {5, 2, 7, 0, 3, 6, 1, 4};
	struct pager_page store[POL_PAGES];
	struct pager_policy pol;
	struct pager_page v;
	uint8_t *mem = map_pages(3);

	CHECK(mem);
	pager_policy_fifo_init(&pol, store, POL_PAGES);
	CHECK(policy_track(&pol, mem, order));
	uint8_t ad[POL_PAGES];
	OK(sys_space_ad(uenv.space, (uint64_t)mem, POL_PAGES, ad, 1)); /* what mapping left */
	touch(mem, 5, false);
	touch(mem, 2, true);
	OK(pol.on_access_scan(&pol));
	for (unsigned i = 0; i < POL_PAGES; i++) {
		OK(pol.pick_victim(&pol, &v));
		CHECK(v.va == (uint64_t)(mem + order[i] * PAGE) && v.space == uenv.space);
		CHECK(v.dirty == (order[i] == 2));
	}
	CHECK_ERR(pol.pick_victim(&pol, &v), ERR_NOENT);
	unmap_pages(mem, 3);
	return true;
}

/* (d) Clock: touched pages get a second chance; the victim is an untouched page. */
static bool policy_clock(void)
{
	static const unsigned order[POL_PAGES] = {0, 1, 2, 3, 4, 5, 6, 7};
	static const unsigned victims[] = {3, 4, 6, 7, 0, 1, 2, 5};
	struct pager_page store[POL_PAGES];
	struct pager_policy pol;
	uint8_t *mem = map_pages(3);

	CHECK(mem);
	pager_policy_clock_init(&pol, store, POL_PAGES);
	CHECK(policy_track(&pol, mem, order));
	OK(pol.on_access_scan(&pol)); /* clear what mapping and zeroing left */
	OK(pol.on_access_scan(&pol));
	for (unsigned i = 0; i < POL_PAGES; i++)
		CHECK(!store[i].ref && !store[i].dirty);
	touch(mem, 0, false);
	touch(mem, 1, true);
	touch(mem, 2, false);
	touch(mem, 5, false);
	OK(pol.on_access_scan(&pol));
	for (unsigned i = 0; i < POL_PAGES; i++)
		CHECK(store[i].ref == (i == 0 || i == 1 || i == 2 || i == 5));
	CHECK(store[1].dirty && !store[0].dirty);
	OK(pol.on_access_scan(&pol)); /* D cleared in the page table, still known here */
	CHECK(store[1].dirty && !store[1].ref);
	touch(mem, 0, false);
	touch(mem, 1, false);
	touch(mem, 2, false);
	touch(mem, 5, false);
	OK(pol.on_access_scan(&pol));
	/* 0, 1, 2 skipped (second chance), 3 and 4 taken, 5 skipped, 6, 7, then 0 and 1 (refs
	 * cleared). */
	CHECK(expect_victims(&pol, mem, victims, 5));
	touch(mem, 5, false); /* after a scan only: this one must not count */
	CHECK(expect_victims(&pol, mem, victims + 5, 3));
	unmap_pages(mem, 3);
	return true;
}

const struct test libpager_tests[] = {
    {"libpager_pattern_window_16", demo_pattern_window_16},
    {"libpager_window_1", demo_window_1},
    {"libpager_window_clipped", demo_window_clipped},
    {"libpager_window_3", demo_window_3},
    {"libpager_around_keeps_resident", demo_around_keeps_resident},
    {"libpager_refuses_forged", demo_refuses_forged},
    {"libpager_fill_error_and_policy", local_fill_error_and_policy},
    {"libpager_fault_hook", local_fault_hook},
    {"libpager_policy_fifo", policy_fifo},
    {"libpager_policy_clock", policy_clock},
    {0, 0},
};
