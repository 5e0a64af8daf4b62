/* In-guest tests: endpoints, badges, long messages, handle transfer, SMP load. */
#include "user/utest/harness.h"

#define LABEL_ADD  1
#define LABEL_STOP 2
#define LABEL_LONG 3

struct server {
	handle_t ep;
	volatile int served;
};

/* Replies to LABEL_ADD with w0 + w1 and the badge in w2, until LABEL_STOP. */
static void add_server(void *arg)
{
	struct server *s = arg;
	struct msg m = {0};
	int e = ipc_recv(s->ep, &m);

	while (e == ERR_OK) {
		if (msg_label(m.tag) == LABEL_STOP) {
			m = (struct msg){.tag = msg_tag(LABEL_STOP, 0, 0)};
			ipc_reply(&m);
			break;
		}
		uint64_t sum = m.w[0] + m.w[1], badge = m.badge;
		__atomic_fetch_add(&s->served, 1, __ATOMIC_RELAXED);
		m = (struct msg){.tag = msg_tag(LABEL_ADD, 3, 0), .w = {sum, 0, badge}};
		e = ipc_reply_recv(s->ep, &m);
	}
}

static bool stop_server(handle_t ep)
{
	struct msg m = {.tag = msg_tag(LABEL_STOP, 0, 0)};
	return ipc_call(ep, &m) == ERR_OK;
}

static bool call_reply_badges(void)
{
	struct server s = {0};
	struct uthread t;
	handle_t badged;

	OK(sys_endpoint_create(&s.ep));
	OK(sys_handle_mint(s.ep, RIGHT_WRITE, 0xbad6e, &badged));
	OK(spawn(&t, add_server, &s, 10));
	struct msg m = {.tag = msg_tag(LABEL_ADD, 2, 0), .w = {40, 2}};
	OK(ipc_call(badged, &m));
	CHECK(msg_label(m.tag) == LABEL_ADD && m.w[0] == 42 && m.w[2] == 0xbad6e);
	m = (struct msg){.tag = msg_tag(LABEL_ADD, 2, 0), .w = {1, 2}};
	OK(ipc_call(s.ep, &m));
	CHECK(m.w[0] == 3 && m.w[2] == 0);
	CHECK(stop_server(s.ep));
	join(&t);
	CHECK(s.served == 2);
	/* Nobody receives now: a send does not block, it reports. */
	m = (struct msg){.tag = msg_tag(1, 0, 0)};
	CHECK_ERR(ipc_send(s.ep, &m), ERR_WOULDBLOCK);
	CHECK_ERR(ipc_reply(&m), ERR_STATE); /* nobody to reply to */
	m.tag = msg_tag(1, MSG_MAX_WORDS + 1, 0);
	CHECK_ERR(ipc_send(s.ep, &m), ERR_INVALID);
	m.tag = (1ull << 31) | 1; /* the kernel's own bit */
	CHECK_ERR(ipc_send(s.ep, &m), ERR_INVALID);
	OK(sys_handle_close(badged));
	OK(sys_handle_close(s.ep));
	return true;
}

struct long_server {
	handle_t ep;
	uint64_t ipcbuf; /* the server thread's IPC buffer */
	volatile uint64_t got_sum;
	volatile int ok;
};

/* Receives a 20-word message with a notification handle, signals through it, replies. */
static void long_server(void *arg)
{
	struct long_server *s = arg;
	struct msg m = {0};

	if (ipc_recv(s->ep, &m) != ERR_OK)
		return;
	struct ipc_buffer *buf = (struct ipc_buffer *)s->ipcbuf;
	int ok = msg_words(m.tag) == 20 && msg_handles(m.tag) == 1 && buf->handles[0] > 0;
	for (int i = 5; i < 20; i++)
		ok &= buf->words[i] == (uint64_t)i * 11;
	s->ok = ok && sys_handle_close(buf->handles[0]) == ERR_OK;
	s->got_sum = m.w[0] + m.w[4];
	m = (struct msg){.tag = msg_tag(LABEL_LONG, 0, 0)};
	ipc_reply(&m);
}

static bool long_messages_and_handles(void)
{
	struct long_server s = {0};
	struct uthread t;

	OK(sys_endpoint_create(&s.ep));
	OK(spawn(&t, long_server, &s, 10));
	s.ipcbuf = t.ipcbuf;
	struct ipc_buffer *mine = (struct ipc_buffer *)(BOOTINFO_VA + 4096);
	handle_t n;
	OK(sys_notify_create(&n));
	for (int i = 5; i < 20; i++)
		mine->words[i] = (uint64_t)i * 11;
	mine->handles[0] = n;
	mine->handle_rights[0] = RIGHT_WRITE | RIGHT_READ;
	struct msg m = {.tag = msg_tag(LABEL_LONG, 20, 1), .w = {100, 1, 2, 3, 4}};
	OK(ipc_call(s.ep, &m));
	CHECK(msg_label(m.tag) == LABEL_LONG);
	join(&t);
	CHECK(s.ok && s.got_sum == 104);
	mine->handles[0] = 12345; /* not a handle */
	m = (struct msg){.tag = msg_tag(LABEL_LONG, 0, 1)};
	CHECK_ERR(ipc_send(s.ep, &m), ERR_BADHANDLE);
	handle_t nogrant;
	OK(sys_handle_dup(n, RIGHT_WRITE, &nogrant));
	mine->handles[0] = nogrant;
	CHECK_ERR(ipc_send(s.ep, &m), ERR_PERM); /* no RIGHT_GRANT */
	OK(sys_handle_close(nogrant));
	OK(sys_handle_close(n));
	OK(sys_handle_close(s.ep));
	return true;
}

/* The receiver's view of a transferred handle: it can use it. */
struct grant_server {
	handle_t ep;
	volatile int ok;
	uint64_t ipcbuf;
};

static void grant_server(void *arg)
{
	struct grant_server *s = arg;
	struct msg m = {0};

	if (ipc_recv(s->ep, &m) != ERR_OK)
		return;
	struct ipc_buffer *buf = (struct ipc_buffer *)s->ipcbuf;
	handle_t got = buf->handles[0], ep2 = buf->handles[1];
	struct sysret info = syscall7(SYS_HANDLE_INFO, (uint64_t)ep2, 0, 0, 0, 0, 0, 0);
	s->ok = msg_handles(m.tag) == 2 && got > 0 && buf->words[7] == 77 &&
		sys_notify_signal(got, 0x40) == ERR_OK && info.err == ERR_OK &&
		info.r[2] == 0x5151; /* the badge came with the endpoint handle */
	sys_handle_close(got);
	sys_handle_close(ep2);
	m = (struct msg){.tag = msg_tag(1, 0, 0)};
	ipc_reply(&m);
}

static bool handle_transfer(void)
{
	struct grant_server s = {0};
	struct uthread t;
	handle_t n;
	uint64_t bits = 0;

	OK(sys_endpoint_create(&s.ep));
	OK(sys_notify_create(&n));
	OK(spawn(&t, grant_server, &s, 10));
	s.ipcbuf = t.ipcbuf;
	struct ipc_buffer *mine = (struct ipc_buffer *)(BOOTINFO_VA + 4096);
	mine->words[7] = 77;
	handle_t badged;
	OK(sys_handle_mint(s.ep, RIGHTS_ALL, 0x5151, &badged));
	mine->handles[0] = n;
	mine->handle_rights[0] = RIGHTS_ALL;
	mine->handles[1] = badged;
	mine->handle_rights[1] = RIGHT_WRITE;
	struct msg m = {.tag = msg_tag(1, 8, 2)};
	OK(ipc_call(s.ep, &m));
	OK(sys_handle_close(badged));
	join(&t);
	CHECK(s.ok);
	OK(sys_notify_poll(n, &bits));
	CHECK(bits == 0x40);
	OK(sys_handle_close(n));
	OK(sys_handle_close(s.ep));
	return true;
}

static void recv_twice(void *arg)
{
	struct server *s = arg;
	struct msg m = {0};

	if (ipc_recv(s->ep, &m) != ERR_OK)
		return;
	/* Still owing a reply: another receive is refused. */
	s->served = ipc_recv(s->ep, &m) == ERR_STATE;
	m = (struct msg){.tag = msg_tag(1, 0, 0)};
	ipc_reply(&m);
}

static bool recv_while_owing_reply(void)
{
	struct server s = {0};
	struct uthread t;

	OK(sys_endpoint_create(&s.ep));
	OK(spawn(&t, recv_twice, &s, 10));
	struct msg m = {.tag = msg_tag(1, 0, 0)};
	OK(ipc_call(s.ep, &m));
	join(&t);
	CHECK(s.served == 1);
	OK(sys_handle_close(s.ep));
	return true;
}

/* The server dies holding our call: we get ERR_PEER, not a hang. */
static void recv_and_die(void *arg)
{
	struct server *s = arg;
	struct msg m = {0};

	ipc_recv(s->ep, &m);
	sys_thread_exit(0);
}

static bool server_dies_mid_call(void)
{
	struct server s = {0};
	struct uthread t;

	OK(sys_endpoint_create(&s.ep));
	OK(spawn(&t, recv_and_die, &s, 10));
	struct msg m = {.tag = msg_tag(1, 0, 0)};
	CHECK_ERR(ipc_call(s.ep, &m), ERR_PEER);
	join(&t);
	OK(sys_handle_close(s.ep));
	return true;
}

/* Closing the last receive handle fails queued and later callers. */
struct closer {
	handle_t ep;
	volatile int result;
};

static void queued_caller(void *arg)
{
	struct closer *c = arg;
	struct msg m = {.tag = msg_tag(1, 0, 0)};
	c->result = ipc_call(c->ep, &m);
}

static bool endpoint_closed(void)
{
	handle_t ep, sendonly;
	struct closer c = {0};
	struct uthread t;

	OK(sys_endpoint_create(&ep));
	OK(sys_handle_dup(ep, RIGHT_WRITE, &sendonly));
	c.ep = sendonly;
	c.result = 1;
	OK(spawn(&t, queued_caller, &c, 10));
	sys_sleep(5000000);
	OK(sys_handle_close(ep)); /* the only handle that could receive */
	join(&t);
	CHECK(c.result == ERR_PEER);
	struct msg m = {.tag = msg_tag(1, 0, 0)};
	CHECK_ERR(ipc_call(sendonly, &m), ERR_PEER);
	OK(sys_handle_close(sendonly));
	return true;
}

#define STRESS_CLIENTS 8
#define STRESS_SERVERS 2
#define STRESS_CALLS   300

struct stress_client {
	handle_t ep;
	int id;
	volatile int good;
};

static void stress_client(void *arg)
{
	struct stress_client *c = arg;

	for (int i = 0; i < STRESS_CALLS; i++) {
		struct msg m = {.tag = msg_tag(LABEL_ADD, 2, 0),
				.w = {(uint64_t)c->id * 1000, (uint64_t)i}};
		if (ipc_call(c->ep, &m) == ERR_OK && m.w[0] == (uint64_t)c->id * 1000 + (uint64_t)i)
			c->good++;
	}
}

/* Many clients and servers on every hart: each answer matches its question. */
static bool ipc_smp_stress(void)
{
	struct server srv = {0};
	struct uthread st[STRESS_SERVERS], ct[STRESS_CLIENTS];
	struct stress_client cl[STRESS_CLIENTS];

	OK(sys_endpoint_create(&srv.ep));
	for (int i = 0; i < STRESS_SERVERS; i++)
		OK(spawn(&st[i], add_server, &srv, 12));
	for (int i = 0; i < STRESS_CLIENTS; i++) {
		cl[i] = (struct stress_client){srv.ep, i + 1, 0};
		OK(spawn(&ct[i], stress_client, &cl[i], 11));
	}
	for (int i = 0; i < STRESS_CLIENTS; i++)
		join(&ct[i]);
	for (int i = 0; i < STRESS_SERVERS; i++)
		CHECK(stop_server(srv.ep));
	for (int i = 0; i < STRESS_SERVERS; i++)
		join(&st[i]);
	for (int i = 0; i < STRESS_CLIENTS; i++)
		CHECK(cl[i].good == STRESS_CALLS);
	CHECK(srv.served == STRESS_CLIENTS * STRESS_CALLS);
	OK(sys_handle_close(srv.ep));
	return true;
}

const struct test ipc_tests[] = {
    {"ipc_call_reply_badges", call_reply_badges},
    {"ipc_long_messages", long_messages_and_handles},
    {"ipc_handle_transfer", handle_transfer},
    {"ipc_recv_while_owing_reply", recv_while_owing_reply},
    {"ipc_server_dies_mid_call", server_dies_mid_call},
    {"ipc_endpoint_closed", endpoint_closed},
    {"ipc_smp_stress", ipc_smp_stress},
    {0, 0},
};
