/*
 * Kernel lifetime and bounded work: the regression tests for the defects a
 * hostile program found. Each builds the exact shape that broke:
 *  - an object closed while a system call using it is blocked in a fault
 *    (the endpoint of SYS_SEND / SYS_CALL / SYS_REPLY_RECV, the space of
 *    SYS_SPACE_AD), which used to be freed under the call;
 *  - kill, then suspend: the kill must win;
 *  - handle cycles in spaces that never ran a thread;
 *  - unmap and protect of the whole user range, which used to walk every
 *    4 KiB of it (a minute with the kernel locked) — here they run many
 *    times over, so a walk that is not bounded by what is mapped runs into
 *    the boot's timeout.
 * After every test the harness runs the kernel's reference-count self-check.
 */
#include "user/utest/harness.h"

#define PAGE	 4096ull
#define WORDS	 8 /* more than fit in registers: staging reads the IPC buffer */
#define USER_END USER_TOP_ABI

/* A pager that takes one fault, says so, and answers only when let through. */
struct slow_pager {
	handle_t ep, gate;
	uint64_t base;
	bool fail; /* answer with an error: the kernel's copy fails */
	volatile int got_fault, answered;
};

static void slow_pager_loop(void *arg)
{
	struct slow_pager *p = arg;
	struct msg m = {0};

	while (ipc_recv(p->ep, &m) == ERR_OK) {
		uint64_t bits, va = m.w[0] & ~(PAGE - 1);
		handle_t f;
		p->got_fault = 1;
		sys_notify_wait(p->gate, &bits);
		if (p->fail) {
			m = (struct msg){.tag = msg_error_tag(MSG_FAULT, ERR_NOMEM)};
			ipc_reply(&m);
			continue;
		}
		if (sys_frame_alloc(0, FRAME_ZEROED, &f) != ERR_OK)
			return;
		m = (struct msg){.tag = msg_tag(MSG_FAULT, 2, 0)};
		m.w[0] = fault_item_va(va, PROT_R | PROT_W);
		m.w[1] = fault_item_frame(f, 0);
		ipc_reply(&m);
		sys_handle_close(f);
		p->answered = 1;
	}
}

enum blocked_op { OP_SEND, OP_CALL, OP_REPLY_RECV, OP_SPACE_AD };

struct victim {
	enum blocked_op op;
	handle_t target; /* the object closed under the call */
	handle_t go, reply_ep;
	uint64_t buf; /* the IPC buffer or result buffer, in the slow pager's region */
	volatile int result, done;
	volatile int
	    replied; /* OP_REPLY_RECV: the caller's call returned with its reply (1) or not (-1) */
};

/* Caller for OP_REPLY_RECV: the victim owes it a reply while it stages. */
static void caller(void *arg)
{
	struct victim *v = arg;
	struct msg m = {.tag = msg_tag(1, 0, 0)};

	v->replied = ipc_call(v->reply_ep, &m) == ERR_OK ? 1 : -1;
}

static void victim_run(void *arg)
{
	struct victim *v = arg;
	uint64_t bits;
	struct msg m = {0};

	sys_notify_wait(v->go, &bits);
	switch (v->op) {
	case OP_SEND:
	case OP_CALL:
		v->result = (int)syscall7(v->op == OP_SEND ? SYS_SEND : SYS_CALL,
					  (uint64_t)v->target, msg_tag(1, WORDS, 0), 1, 2, 3, 4, 5)
				.err;
		break;
	case OP_REPLY_RECV:
		if (ipc_recv(v->reply_ep, &m) != ERR_OK)
			break;
		v->result = (int)syscall7(SYS_REPLY_RECV, (uint64_t)v->target, msg_tag(1, WORDS, 0),
					  1, 2, 3, 4, 5)
				.err;
		break;
	case OP_SPACE_AD:
		v->result = sys_space_ad(v->target, 0x10000, 4, (uint8_t *)v->buf, 1);
		break;
	}
	v->done = 1;
}

/* The object op uses, with a page mapped in it for OP_SPACE_AD. */
static int make_target(enum blocked_op op, handle_t *h)
{
	if (op != OP_SPACE_AD)
		return sys_endpoint_create(h);
	handle_t f;
	int e = sys_space_create(uenv.quota, h);
	if (e == ERR_OK)
		e = sys_frame_alloc(0, FRAME_ZEROED, &f);
	if (e == ERR_OK) {
		e = sys_space_map(*h, 0x10000, f, 0, 1, PROT_R | PROT_W);
		sys_handle_close(f);
	}
	return e;
}

/* Objects of every size, to take over the closed object's memory if it was freed. */
static void churn(handle_t *hs, unsigned n)
{
	for (unsigned i = 0; i < n; i++) {
		hs[i] = 0;
		if (i % 2)
			sys_frame_alloc(2, FRAME_ZEROED, &hs[i]);
		else
			sys_endpoint_create(&hs[i]);
	}
}

static bool closed_while_blocked(enum blocked_op op, int want)
{
	struct slow_pager p = {0};
	struct victim v = {.op = op};
	struct uthread pt, vt, ct = {0};
	handle_t junk[32];

	p.base = uvm_reserve(2 * PAGE);
	p.fail = op == OP_SPACE_AD; /* the failed copy puts the bits back: into the space */
	OK(sys_endpoint_create(&p.ep));
	OK(sys_notify_create(&p.gate));
	OK(sys_notify_create(&v.go));
	OK(sys_endpoint_create(&v.reply_ep));
	OK(sys_region_add(uenv.space, p.base, PAGE, p.ep, 0, PROT_R | PROT_W));
	OK(make_target(op, &v.target));
	v.buf = p.base;
	OK(spawn(&pt, slow_pager_loop, &p, 20));
	OK(spawn(&vt, victim_run, &v, 10));
	if (op == OP_REPLY_RECV)
		OK(spawn(&ct, caller, &v, 10));
	if (op != OP_SPACE_AD)
		OK(sys_thread_set_ipcbuf(vt.h, p.base)); /* staging reads it: it faults */
	OK(sys_notify_signal(v.go, 1));
	for (int i = 0; i < 2000 && !p.got_fault; i++)
		sys_sleep(1000000);
	CHECK(p.got_fault);
	OK(sys_handle_close(v.target)); /* the only handle, while the call is blocked */
	churn(junk, 32);
	OK(sys_notify_signal(p.gate, 1));
	for (int i = 0; i < 2000 && !v.done; i++)
		sys_sleep(1000000);
	CHECK(v.done);
	CHECK_ERR(v.result, want);
	if (op == OP_REPLY_RECV) {
		CHECK(join(&ct) == 0);
		CHECK(v.replied == 1); /* the caller got its reply */
	}
	CHECK(join(&vt) == 0);
	for (unsigned i = 0; i < 32; i++)
		if (junk[i])
			sys_handle_close(junk[i]);
	OK(sys_region_remove(uenv.space, p.base));
	OK(sys_space_unmap(uenv.space, p.base, PAGE));
	sys_thread_kill(pt.h, 0);
	join(&pt);
	OK(sys_handle_close(p.ep));
	OK(sys_handle_close(p.gate));
	OK(sys_handle_close(v.go));
	OK(sys_handle_close(v.reply_ep));
	return true;
}

/* Staging faults, the endpoint's last handle goes: the send finds it closed. */
static bool send_endpoint_closed_while_staging(void)
{
	return closed_while_blocked(OP_SEND, ERR_PEER);
}

static bool call_endpoint_closed_while_staging(void)
{
	return closed_while_blocked(OP_CALL, ERR_PEER);
}

/* The reply goes out; the receive on the closed endpoint fails. */
static bool reply_recv_endpoint_closed_while_staging(void)
{
	return closed_while_blocked(OP_REPLY_RECV, ERR_PEER);
}

/* The A/D bits were read; the space goes while they are copied out, and the copy fails. */
static bool space_ad_space_closed_while_copying(void)
{
	return closed_while_blocked(OP_SPACE_AD, ERR_FAULT);
}

static void spin(void *arg)
{
	(void)arg;
	for (;;)
		sys_yield();
}

/* A killed thread cannot be suspended: it dies, whatever is asked of it after. */
static bool kill_then_suspend_still_dies(void)
{
	for (int round = 0; round < 20; round++) {
		struct uthread t;
		OK(spawn(&t, spin, NULL, 10));
		if (round % 2)
			sys_yield(); /* sometimes READY, sometimes RUNNING on another hart */
		OK(sys_thread_kill(t.h, 7));
		CHECK_ERR(sys_thread_suspend(t.h), ERR_STATE);
		CHECK_ERR(sys_thread_start(t.h), ERR_STATE);
		/* A second kill changes nothing (ERR_STATE once it is dead): the first status
		 * stays. */
		int e = sys_thread_kill(t.h, 8);
		CHECK(e == ERR_OK || e == ERR_STATE);
		CHECK(join(&t) == 7);
	}
	return true;
}

/* Suspended, then killed: the kill takes it out of the suspension. */
static bool suspend_then_kill_dies(void)
{
	struct uthread t;

	OK(spawn(&t, spin, NULL, 10));
	OK(sys_thread_suspend(t.h));
	OK(sys_thread_kill(t.h, 3));
	CHECK(join(&t) == 3);
	return true;
}

/* Quota and space for a cycle test; used must return to zero once the cycle is freed. */
static bool quota_drained(handle_t q)
{
	uint64_t limit, used = 1;

	OK(sys_quota_info(q, &limit, &used));
	if (used != 0)
		uprintf("    quota still has %lu bytes used\n", used);
	return used == 0;
}

/* A space that never ran a thread holds a handle to itself. */
static bool cycle_space_holds_itself(void)
{
	handle_t q, s, in;

	OK(sys_quota_split(uenv.quota, 1 << 20, &q));
	OK(sys_space_create(q, &s));
	OK(sys_handle_give(s, s, RIGHTS_ALL, &in));
	OK(sys_handle_close(s));
	CHECK(quota_drained(q));
	OK(sys_handle_close(q));
	return true;
}

/* ... or to its own never-started thread, which holds the space. */
static bool cycle_space_holds_its_new_thread(void)
{
	handle_t q, s, t, in;

	OK(sys_quota_split(uenv.quota, 1 << 20, &q));
	OK(sys_space_create(q, &s));
	OK(sys_thread_create(s, 0x1000, 0x2000, 0, 1, &t));
	OK(sys_handle_give(s, t, RIGHTS_ALL, &in));
	OK(sys_handle_give(s, s, RIGHTS_ALL, &in));
	OK(sys_handle_close(t));
	OK(sys_handle_close(s));
	CHECK(quota_drained(q));
	OK(sys_handle_close(q));
	return true;
}

/* Two spaces holding each other, one with a pager region and a mapped page. */
static bool cycle_two_spaces(void)
{
	handle_t q, a, b, ep, f, in;

	OK(sys_quota_split(uenv.quota, 1 << 20, &q));
	OK(sys_space_create(q, &a));
	OK(sys_space_create(q, &b));
	OK(sys_endpoint_create(&ep));
	OK(sys_frame_alloc(0, FRAME_ZEROED, &f));
	OK(sys_space_map(a, 0x10000, f, 0, 1, PROT_R));
	OK(sys_region_add(b, 0x100000, 0x10000, ep, 0, PROT_R));
	OK(sys_handle_give(a, b, RIGHTS_ALL, &in));
	OK(sys_handle_give(b, a, RIGHTS_ALL, &in));
	OK(sys_handle_give(b, ep, RIGHTS_ALL, &in));
	OK(sys_handle_close(a));
	OK(sys_handle_close(b));
	CHECK(quota_drained(q));
	OK(sys_handle_close(f));
	OK(sys_handle_close(ep));
	OK(sys_handle_close(q));
	return true;
}

/* A cycle still reachable from a handle of ours is not collected. */
static bool cycle_reachable_stays(void)
{
	handle_t q, s, t, in;
	struct thread_info ti = {0};

	OK(sys_quota_split(uenv.quota, 1 << 20, &q));
	OK(sys_space_create(q, &s));
	OK(sys_thread_create(s, 0x1000, 0x2000, 0, 1, &t));
	OK(sys_handle_give(s, s, RIGHTS_ALL, &in));
	OK(sys_handle_give(s, t, RIGHTS_ALL, &in));
	OK(sys_handle_close(s)); /* t still ours: it holds s, s holds itself */
	OK(sys_thread_info(t, &ti));
	CHECK(ti.state == THREAD_NEW);
	OK(sys_handle_close(t));
	CHECK(quota_drained(q));
	OK(sys_handle_close(q));
	return true;
}

/* Which of pages[] are mapped in s, through SYS_SPACE_AD. */
static bool mapped(handle_t s, uint64_t va)
{
	uint8_t bits = 0;

	return sys_space_ad(s, va, 1, &bits, 0) == ERR_OK && (bits & PAGE_MAPPED);
}

/*
 * Unmap and protect of the whole user range, on an empty space and on one
 * with pages far apart, 200 times each: bounded by what is mapped.
 */
static bool whole_range_operations_are_bounded(void)
{
	static const uint64_t at[] = {0, 0x40000000 - PAGE, 0x40000000, 0x1234567000ull,
				      USER_END - PAGE};
	const unsigned n = sizeof(at) / sizeof(at[0]);
	handle_t q, s, f;

	OK(sys_quota_split(uenv.quota, 1 << 20, &q));
	OK(sys_space_create(q, &s));
	OK(sys_frame_alloc(0, FRAME_ZEROED, &f));
	for (int i = 0; i < 200; i++) {
		OK(sys_space_unmap(s, 0, USER_END));
		OK(sys_space_protect(s, 0, USER_END, PROT_R));
	}
	for (unsigned i = 0; i < n; i++)
		OK(sys_space_map(s, at[i], f, 0, 1, PROT_R | PROT_W));
	for (int i = 0; i < 200; i++)
		CHECK_ERR(sys_space_protect(s, 0, USER_END, PROT_X), ERR_PERM);
	OK(sys_space_protect(s, 0, USER_END, PROT_R));
	/* Read-only now: writable again is a right protect cannot give. */
	CHECK_ERR(sys_space_protect(s, 0, USER_END, PROT_R | PROT_W), ERR_PERM);
	CHECK_ERR(sys_space_map(s, at[3], f, 0, 1, PROT_R), ERR_EXISTS);
	/* Unmap all but the first and last, in one call over the range between. */
	OK(sys_space_unmap(s, PAGE, USER_END - 2 * PAGE));
	CHECK(mapped(s, at[0]) && mapped(s, at[n - 1]));
	for (unsigned i = 1; i < n - 1; i++)
		CHECK(!mapped(s, at[i]));
	for (int i = 0; i < 200; i++)
		OK(sys_space_unmap(s, 0, USER_END));
	for (unsigned i = 0; i < n; i++)
		CHECK(!mapped(s, at[i]));
	OK(sys_handle_close(f));
	OK(sys_handle_close(s));
	CHECK(quota_drained(q));
	OK(sys_handle_close(q));
	return true;
}

/* Many pages in one map and one unmap: done in slices, all or nothing. */
static bool large_map_and_unmap_in_slices(void)
{
	handle_t q, s, f, f2;
	const uint64_t pages = 2048, base = 0x40000000 - 1024 * PAGE;

	OK(sys_quota_split(uenv.quota, 12 << 20, &q));
	OK(sys_space_create(q, &s));
	OK(sys_frame_alloc(11, FRAME_ZEROED, &f)); /* 8 MiB */
	OK(sys_frame_alloc(0, FRAME_ZEROED, &f2));
	/* A page in the way at the far end: the whole map fails, nothing stays. */
	OK(sys_space_map(s, base + (pages - 1) * PAGE, f2, 0, 1, PROT_R));
	CHECK_ERR(sys_space_map(s, base, f, 0, pages, PROT_R | PROT_W), ERR_EXISTS);
	CHECK(!mapped(s, base) && !mapped(s, base + (pages - 2) * PAGE));
	OK(sys_space_unmap(s, base + (pages - 1) * PAGE, PAGE));
	OK(sys_space_map(s, base, f, 0, pages, PROT_R | PROT_W));
	CHECK(mapped(s, base) && mapped(s, base + 1024 * PAGE) &&
	      mapped(s, base + (pages - 1) * PAGE));
	OK(sys_frame_zero(f, 0, pages));
	OK(sys_frame_copy(f, 1, f, 0, pages - 1));
	OK(sys_space_unmap(s, base, pages * PAGE));
	CHECK(!mapped(s, base) && !mapped(s, base + (pages - 1) * PAGE));
	OK(sys_handle_close(f));
	OK(sys_handle_close(f2));
	OK(sys_handle_close(s));
	CHECK(quota_drained(q));
	OK(sys_handle_close(q));
	return true;
}

/* Closing a space with many pages mapped: torn down in slices before the close returns. */
static bool large_space_closed(void)
{
	handle_t q, s, f;
	const uint64_t pages = 4096, base = 0x80000000ull;

	OK(sys_quota_split(uenv.quota, 1 << 20, &q));
	OK(sys_space_create(q, &s));
	OK(sys_frame_alloc(9, FRAME_ZEROED, &f)); /* 2 MiB, ours: mapped 8 times */
	for (uint64_t i = 0; i < pages; i += 512)
		OK(sys_space_map(s, base + i * PAGE, f, 0, 512, PROT_R));
	OK(sys_handle_close(s));
	CHECK(quota_drained(q)); /* its page tables are gone */
	OK(sys_handle_close(f));
	OK(sys_handle_close(q));
	return true;
}

/* A driver's look at a client's frame needs the system handle's DEVICE right. */
static bool frame_phys_for_drivers(void)
{
	handle_t f, dev, weak;
	uint64_t pa = 0, pages = 0, devpa = 0, devpages = 0;

	OK(sys_frame_alloc(2, FRAME_ZEROED, &f));
	OK(sys_frame_alloc_device(0, uenv.system, &dev));
	OK(sys_frame_phys(f, uenv.system, &pa, &pages));
	CHECK(pa != 0 && (pa & 0xfff) == 0 && pages == 4);
	OK(sys_frame_info(dev, &devpages, &devpa));
	OK(sys_frame_phys(dev, uenv.system, &pa, &pages));
	CHECK(pa == devpa && pages == devpages);
	OK(sys_handle_dup(uenv.system, RIGHT_READ | RIGHT_MANAGE, &weak));
	CHECK_ERR(sys_frame_phys(f, weak, &pa, NULL), ERR_PERM);
	CHECK_ERR(sys_frame_phys(weak, uenv.system, &pa, NULL), ERR_INVALID);
	CHECK_ERR(sys_frame_phys(f, f, &pa, NULL), ERR_INVALID);
	CHECK_ERR(sys_frame_phys(0x7fff0001, uenv.system, &pa, NULL), ERR_BADHANDLE);
	OK(sys_handle_close(weak));
	OK(sys_handle_close(dev));
	OK(sys_handle_close(f));
	return true;
}

/* A server that keeps the first caller's reply, serves the second, then answers the first. */
struct saver {
	handle_t ep;
	uint64_t ipcbuf;
	volatile int step, second_reply, again;
};

static void saving_server(void *arg)
{
	struct saver *s = arg;
	struct msg first = {0}, second = {0};
	handle_t reply = 0;

	if (ipc_recv(s->ep, &first) != ERR_OK || ipc_reply_save(&reply) != ERR_OK)
		return;
	s->step = 1;
	if (ipc_recv(s->ep, &second) != ERR_OK) /* a thread owing nothing may receive again */
		return;
	second = (struct msg){.tag = msg_tag(2, 1, 0), .w = {second.w[0] + 1}};
	s->second_reply = ipc_reply(&second);
	/* The first answer is long: words beyond the registers come from the IPC buffer. */
	struct ipc_buffer *b = (struct ipc_buffer *)s->ipcbuf;
	for (int i = MSG_REG_WORDS; i < 8; i++)
		b->words[i] = 100 + i;
	first = (struct msg){.tag = msg_tag(1, 8, 0), .w = {first.w[0] + 1}};
	s->step = ipc_reply_to(reply, &first) == ERR_OK ? 2 : -2;
	s->again = ipc_reply_to(reply, &first); /* used up */
	sys_handle_close(reply);
}

struct caller_rec {
	handle_t ep;
	uint64_t w0;
	volatile int result;
	volatile uint64_t got, w7;
	uint64_t ipcbuf;
};

static void plain_caller(void *arg)
{
	struct caller_rec *c = arg;
	struct msg m = {.tag = msg_tag(1, 1, 0), .w = {c->w0}};

	c->result = ipc_call(c->ep, &m);
	c->got = m.w[0];
	if (msg_words(m.tag) == 8)
		c->w7 = ((struct ipc_buffer *)c->ipcbuf)->words[7];
}

static bool reply_saved_and_answered_later(void)
{
	struct saver s = {0};
	struct caller_rec a = {0}, b = {0};
	struct uthread st, at, bt;

	OK(sys_endpoint_create(&s.ep));
	OK(spawn(&st, saving_server, &s, 12));
	s.ipcbuf = st.ipcbuf;
	a = (struct caller_rec){.ep = s.ep, .w0 = 10, .result = 1};
	b = (struct caller_rec){.ep = s.ep, .w0 = 20, .result = 1};
	OK(spawn(&at, plain_caller, &a, 10));
	a.ipcbuf = at.ipcbuf;
	for (int i = 0; i < 2000 && s.step < 1; i++)
		sys_sleep(1000000);
	CHECK(s.step == 1);
	OK(spawn(&bt, plain_caller, &b, 10));
	CHECK(join(&bt) == 0);
	CHECK(b.result == ERR_OK && b.got == 21);
	CHECK(join(&st) == 0);
	CHECK(join(&at) == 0);
	CHECK(s.step == 2 && s.second_reply == ERR_OK);
	CHECK_ERR(s.again, ERR_STATE);
	CHECK(a.result == ERR_OK && a.got == 11 && a.w7 == 107);
	struct msg m = {0};
	handle_t r;
	CHECK_ERR(ipc_reply_save(&r), ERR_STATE); /* we owe nobody */
	CHECK_ERR(ipc_reply_to(s.ep, &m), ERR_INVALID);
	OK(sys_handle_close(s.ep));
	return true;
}

/* A saved reply closed unanswered: the caller learns nobody will answer. */
static void save_and_drop(void *arg)
{
	struct saver *s = arg;
	struct msg m = {0};
	handle_t reply = 0;

	if (ipc_recv(s->ep, &m) == ERR_OK && ipc_reply_save(&reply) == ERR_OK) {
		s->step = 1;
		sys_handle_close(reply);
	}
}

static bool reply_saved_then_dropped(void)
{
	struct saver s = {0};
	struct caller_rec a = {0};
	struct uthread st, at;

	OK(sys_endpoint_create(&s.ep));
	OK(spawn(&st, save_and_drop, &s, 12));
	a = (struct caller_rec){.ep = s.ep, .w0 = 1, .result = 1};
	OK(spawn(&at, plain_caller, &a, 10));
	CHECK(join(&at) == 0);
	CHECK(join(&st) == 0);
	CHECK(s.step == 1);
	CHECK_ERR(a.result, ERR_PEER);
	OK(sys_handle_close(s.ep));
	return true;
}

const struct test lifetime_tests[] = {
    {"send_endpoint_closed_while_staging", send_endpoint_closed_while_staging},
    {"call_endpoint_closed_while_staging", call_endpoint_closed_while_staging},
    {"reply_recv_endpoint_closed_while_staging", reply_recv_endpoint_closed_while_staging},
    {"space_ad_space_closed_while_copying", space_ad_space_closed_while_copying},
    {"kill_then_suspend_still_dies", kill_then_suspend_still_dies},
    {"suspend_then_kill_dies", suspend_then_kill_dies},
    {"cycle_space_holds_itself", cycle_space_holds_itself},
    {"cycle_space_holds_its_new_thread", cycle_space_holds_its_new_thread},
    {"cycle_two_spaces", cycle_two_spaces},
    {"cycle_reachable_stays", cycle_reachable_stays},
    {"whole_range_operations_are_bounded", whole_range_operations_are_bounded},
    {"large_map_and_unmap_in_slices", large_map_and_unmap_in_slices},
    {"large_space_closed", large_space_closed},
    {"frame_phys_for_drivers", frame_phys_for_drivers},
    {"reply_saved_and_answered_later", reply_saved_and_answered_later},
    {"reply_saved_then_dropped", reply_saved_then_dropped},
    {NULL, NULL},
};
