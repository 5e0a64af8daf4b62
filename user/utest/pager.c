/*
 * In-guest tests of the fault protocol with a pager written for the tests:
 * demand-zero with one page per reply and with 16 (fault-around), faults
 * taken by kernel copies, and every pager mistake the kernel must refuse.
 */
#include "user/utest/harness.h"

#define PAGE	     4096ull
#define REGION_PAGES 64

enum pager_mode {
	PAGER_OK,	 /* map zeroed pages */
	PAGER_OUTSIDE,	 /* map an address outside the region */
	PAGER_TOO_MUCH,	 /* map with rights beyond the region's */
	PAGER_BAD_FRAME, /* name a frame handle it does not hold */
	PAGER_BAD_PAGE,	 /* name a page beyond the end of its frame */
	PAGER_ERROR,	 /* reply with an error */
	PAGER_DIE,	 /* exit holding the fault */
	PAGER_HANG,	 /* take the fault and never answer */
};

struct pager {
	handle_t ep;
	uint64_t base;
	unsigned per_fault; /* pages mapped per reply: 1 or 16 */
	enum pager_mode mode;
	uint64_t ipcbuf;
	volatile int faults, from_kernel;
	volatile int reply_status;
};

/* Build and send the reply for one fault; returns the kernel's verdict on it. */
static int answer(struct pager *p, const struct msg *fault)
{
	uint64_t va = fault->w[0] & ~(PAGE - 1);
	unsigned n = p->per_fault;
	handle_t f;
	struct msg m = {0};

	if (p->mode == PAGER_ERROR) {
		m.tag = msg_error_tag(MSG_FAULT, ERR_NOMEM);
		return ipc_reply(&m);
	}
	if (n > 1)
		va &= ~(n * PAGE - 1); /* fault-around: the aligned block around the fault */
	if (sys_frame_alloc(n == 1 ? 0 : 4, FRAME_ZEROED, &f) != ERR_OK)
		return ERR_NOMEM;
	uint64_t words[2 * FAULT_MAX_ITEMS];
	for (unsigned i = 0; i < n; i++) {
		uint64_t target = va + i * PAGE;
		unsigned prot = PROT_R | PROT_W;
		handle_t fh = f;
		if (p->mode == PAGER_OUTSIDE)
			target = p->base + REGION_PAGES * PAGE + i * PAGE;
		if (p->mode == PAGER_TOO_MUCH)
			prot = PROT_R | PROT_X;
		if (p->mode == PAGER_BAD_FRAME)
			fh = 0x7ff0;
		words[2 * i] = fault_item_va(target, prot);
		words[2 * i + 1] = fault_item_frame(fh, p->mode == PAGER_BAD_PAGE ? n + i : i);
	}
	struct ipc_buffer *buf = (struct ipc_buffer *)p->ipcbuf;
	for (unsigned i = 0; i < 2 * n; i++) {
		if (i < MSG_REG_WORDS)
			m.w[i] = words[i];
		else
			buf->words[i] = words[i];
	}
	m.tag = msg_tag(MSG_FAULT, 2 * n, 0);
	int e = ipc_reply(&m);
	sys_handle_close(f); /* mappings hold the frame from here on */
	return e;
}

static void pager_loop(void *arg)
{
	struct pager *p = arg;
	struct msg m = {0};

	while (ipc_recv(p->ep, &m) == ERR_OK) {
		p->from_kernel += (m.tag & (1ull << 31)) != 0;
		if (msg_label(m.tag) != MSG_FAULT) {
			m = (struct msg){.tag = msg_error_tag(1, ERR_INVALID)};
			ipc_reply(&m);
			continue;
		}
		p->faults++;
		if (p->mode == PAGER_DIE)
			sys_thread_exit(0);
		if (p->mode == PAGER_HANG) {
			handle_t n;
			uint64_t bits;
			if (sys_notify_create(&n) == ERR_OK)
				sys_notify_wait(n, &bits); /* until killed */
		}
		p->reply_status = answer(p, &m);
	}
}

struct toucher {
	uint64_t base;
	unsigned pages;
	volatile int ok;
};

static void touch_pages(void *arg)
{
	struct toucher *t = arg;
	int ok = 1;

	for (unsigned i = 0; i < t->pages; i++) {
		volatile uint64_t *p = (uint64_t *)(t->base + i * PAGE);
		ok &= p[0] == 0 && p[511] == 0; /* demand zero */
		p[1] = i;
	}
	for (unsigned i = 0; i < t->pages; i++)
		ok &= ((volatile uint64_t *)(t->base + i * PAGE))[1] == i;
	t->ok = ok;
}

struct setup {
	struct pager p;
	struct uthread pt;
	handle_t exc;
};

static int setup(struct setup *s, unsigned per_fault, enum pager_mode mode)
{
	*s = (struct setup){0};
	s->p.per_fault = per_fault;
	s->p.mode = mode;
	s->p.base = uvm_reserve((REGION_PAGES + 16) * PAGE);
	s->p.base = (s->p.base + 16 * PAGE - 1) & ~(16 * PAGE - 1);
	int e = sys_endpoint_create(&s->p.ep);
	if (e == ERR_OK)
		e = sys_endpoint_create(&s->exc);
	if (e == ERR_OK)
		e = sys_region_add(uenv.space, s->p.base, REGION_PAGES * PAGE, s->p.ep, 0xabc,
				   PROT_R | PROT_W);
	if (e == ERR_OK)
		e = spawn(&s->pt, pager_loop, &s->p, 20);
	s->p.ipcbuf = s->pt.ipcbuf;
	return e;
}

static bool teardown(struct setup *s)
{
	OK(sys_region_remove(uenv.space, s->p.base));
	OK(sys_space_unmap(uenv.space, s->p.base, REGION_PAGES * PAGE));
	sys_thread_kill(s->pt.h, 0);
	join(&s->pt);
	OK(sys_handle_close(s->p.ep));
	OK(sys_handle_close(s->exc));
	return true;
}

static bool demand_zero(unsigned per_fault, int expect_faults)
{
	struct setup s;
	struct toucher t = {0};
	struct uthread w;

	OK(setup(&s, per_fault, PAGER_OK));
	t.base = s.p.base;
	t.pages = REGION_PAGES;
	OK(spawn(&w, touch_pages, &t, 10));
	join(&w);
	CHECK(t.ok);
	CHECK(s.p.faults == expect_faults);
	CHECK(s.p.from_kernel == expect_faults); /* every fault message came from the kernel */
	CHECK(s.p.reply_status == ERR_OK);
	uint8_t ad[REGION_PAGES];
	OK(sys_space_ad(uenv.space, s.p.base, REGION_PAGES, ad, 0));
	for (int i = 0; i < REGION_PAGES; i++)
		CHECK(ad[i] == (PAGE_MAPPED | PAGE_A | PAGE_D));
	return teardown(&s);
}

static bool pager_one_page(void)
{
	return demand_zero(1, REGION_PAGES);
}

static bool pager_fault_around(void)
{
	return demand_zero(16, REGION_PAGES / 16);
}

/* A system call reading a not-yet-mapped buffer: the kernel's copy faults to the pager. */
static bool pager_serves_kernel_copies(void)
{
	struct setup s;

	OK(setup(&s, 1, PAGER_OK));
	OK(sys_debug_write((void *)(s.p.base + 5 * PAGE), 1));
	CHECK(s.p.faults == 1);
	uint8_t ad[1];
	OK(sys_space_ad(uenv.space, s.p.base + 5 * PAGE, 1, ad, 0));
	CHECK(ad[0] & PAGE_MAPPED);
	/* Outside every region a copy fails with ERR_FAULT; nothing is asked of the pager. */
	CHECK_ERR(sys_debug_write((void *)(s.p.base + REGION_PAGES * PAGE), 1), ERR_FAULT);
	CHECK(s.p.faults == 1);
	return teardown(&s);
}

/*
 * A pager mistake: the faulting thread gets an exception carrying the
 * reason, the pager's reply gets the error, nothing is mapped.
 */
static bool pager_mistake(enum pager_mode mode, int pager_err, int thread_err)
{
	struct setup s;
	struct toucher t = {0};
	struct uthread w;
	struct msg m = {0};

	OK(setup(&s, 1, mode));
	t.base = s.p.base;
	t.pages = 1;
	OK(spawn_ex(&w, touch_pages, &t, 10, s.exc, 0x5e));
	OK(ipc_recv(s.exc, &m));
	CHECK(msg_label(m.tag) == MSG_EXCEPTION && (m.tag & (1ull << 31)));
	CHECK(m.w[0] == 13 && m.w[1] == s.p.base); /* load page fault at the region's first page */
	CHECK((int)(int64_t)m.w[4] == thread_err);
	CHECK(m.badge == 0x5e);
	m = (struct msg){.tag = msg_error_tag(MSG_EXCEPTION, ERR_FAULT)}; /* kill it */
	OK(ipc_reply(&m));
	join(&w);
	CHECK(!t.ok);
	if (pager_err)
		CHECK(s.p.reply_status == pager_err);
	uint8_t ad[1];
	OK(sys_space_ad(uenv.space, s.p.base, 1, ad, 0));
	CHECK(ad[0] == 0);
	return teardown(&s);
}

static bool pager_maps_outside_region(void)
{
	return pager_mistake(PAGER_OUTSIDE, ERR_RANGE, ERR_RANGE);
}

static bool pager_exceeds_rights(void)
{
	return pager_mistake(PAGER_TOO_MUCH, ERR_PERM, ERR_PERM);
}

static bool pager_bad_frame(void)
{
	return pager_mistake(PAGER_BAD_FRAME, ERR_BADHANDLE, ERR_BADHANDLE);
}

static bool pager_page_beyond_frame(void)
{
	return pager_mistake(PAGER_BAD_PAGE, ERR_RANGE, ERR_RANGE);
}

static bool pager_replies_error(void)
{
	return pager_mistake(PAGER_ERROR, 0, ERR_NOMEM);
}

static bool pager_dies_mid_fault(void)
{
	return pager_mistake(PAGER_DIE, 0, ERR_PEER);
}

/* A thread killed while its fault waits on a pager dies with the kill's status, quietly. */
static bool kill_during_fault(void)
{
	struct setup s;
	struct toucher t = {0};
	struct uthread w;

	OK(setup(&s, 1, PAGER_HANG));
	t.base = s.p.base;
	t.pages = 1;
	OK(spawn_ex(&w, touch_pages, &t, 10, s.exc, 1));
	for (int i = 0; i < 100 && s.p.faults == 0; i++)
		sys_sleep(1000000);
	CHECK(s.p.faults == 1);
	OK(sys_thread_kill(w.h, 33));
	/* Had it raised an exception it would wait for our verdict and not end with 33. */
	CHECK(join(&w) == 33);
	return teardown(&s);
}

const struct test pager_tests[] = {
    {"pager_kill_during_fault", kill_during_fault},
    {"pager_one_page_per_fault", pager_one_page},
    {"pager_fault_around_16", pager_fault_around},
    {"pager_serves_kernel_copies", pager_serves_kernel_copies},
    {"pager_maps_outside_region", pager_maps_outside_region},
    {"pager_exceeds_region_rights", pager_exceeds_rights},
    {"pager_names_foreign_frame", pager_bad_frame},
    {"pager_page_beyond_frame", pager_page_beyond_frame},
    {"pager_replies_error", pager_replies_error},
    {"pager_dies_mid_fault", pager_dies_mid_fault},
    {0, 0},
};
