/*
 * Hostile probes: the probe program runs in its own address space and
 * tries one forbidden thing; the kernel must turn each into an exception
 * for the supervisor (us) with the right cause and address, and keep going.
 */
#include "user/utest/harness.h"

#define PAGE	    4096ull
#define CHILD_QUOTA (256 * PAGE)

enum { CAUSE_ILLEGAL = 2, CAUSE_INST_PAGE = 12, CAUSE_LOAD_PAGE = 13, CAUSE_STORE_PAGE = 15 };

struct child {
	handle_t quota, exc;
	struct uprocess p;
};

static int start_probe(struct child *c, uint64_t mode, uint64_t quota_bytes)
{
	char err[96];
	int e = sys_quota_split(uenv.quota, quota_bytes, &c->quota);

	if (e == ERR_OK)
		e = sys_endpoint_create(&c->exc);
	if (e == ERR_OK)
		e = uload_program(&initrd, "probe", c->quota, mode, 10, &c->p, err, sizeof(err));
	if (e != ERR_OK)
		uprintf("    probe: %s\n", err);
	if (e == ERR_OK)
		e = sys_thread_set_exception(c->p.thread, c->exc, mode);
	if (e == ERR_OK)
		e = sys_thread_start(c->p.thread);
	return e;
}

static bool finish(struct child *c)
{
	CHECK(wait_dead(c->p.thread));
	OK(sys_handle_close(c->p.thread));
	OK(sys_handle_close(c->p.space));
	OK(sys_handle_close(c->exc));
	uint64_t limit = 0, used = 0;
	OK(sys_quota_info(c->quota, &limit, &used));
	CHECK(used == 0); /* the child's space, thread and tables are all gone */
	OK(sys_handle_close(c->quota));
	return true;
}

/* Run probe `mode`, expect an exception with cause (and address if addr_lo < addr_hi). */
static bool expect_exception(uint64_t mode, uint64_t cause, uint64_t addr_lo, uint64_t addr_hi)
{
	struct child c = {0};
	struct msg m = {0};

	OK(start_probe(&c, mode, CHILD_QUOTA));
	OK(ipc_recv(c.exc, &m));
	CHECK(msg_label(m.tag) == MSG_EXCEPTION && m.badge == mode);
	if (m.w[0] != cause)
		uprintf("    cause %lu, expected %lu (addr %#lx pc %#lx)\n", m.w[0], cause, m.w[1],
			m.w[2]);
	CHECK(m.w[0] == cause);
	if (addr_lo < addr_hi)
		CHECK(m.w[1] >= addr_lo && m.w[1] < addr_hi);
	m = (struct msg){.tag = msg_error_tag(MSG_EXCEPTION, ERR_FAULT)};
	OK(ipc_reply(&m));
	return finish(&c);
}

static bool probe_read_kernel(void)
{
	return expect_exception(1, CAUSE_LOAD_PAGE, 0xffffffc080000000ull, 0xffffffc080000001ull);
}

static bool probe_write_kernel(void)
{
	return expect_exception(2, CAUSE_STORE_PAGE, 0xffffffff80200000ull, 0xffffffff80200001ull);
}

static bool probe_read_unmapped(void)
{
	return expect_exception(3, CAUSE_LOAD_PAGE, 0x123456000ull, 0x123456001ull);
}

static bool probe_write_text(void)
{
	return expect_exception(4, CAUSE_STORE_PAGE, 0x10000, 0x20000);
}

static bool probe_exec_data(void)
{
	return expect_exception(5, CAUSE_INST_PAGE, 0x10000, 0x40000);
}

static bool probe_privileged(void)
{
	return expect_exception(6, CAUSE_ILLEGAL, 0, 0);
}

/* Runs to its end: exit status as expected, no exception. */
static bool expect_exit(uint64_t mode, uint64_t quota_bytes, int64_t status)
{
	struct child c = {0};
	struct thread_info ti = {0};

	OK(start_probe(&c, mode, quota_bytes));
	CHECK(wait_dead(c.p.thread));
	OK(sys_thread_info(c.p.thread, &ti));
	if (ti.exit_status != status)
		uprintf("    exit status %ld, expected %ld\n", ti.exit_status, status);
	CHECK(ti.exit_status == status);
	return finish(&c);
}

static bool probe_bad_syscalls(void)
{
	return expect_exit(7, CHILD_QUOTA, 0);
}

static bool probe_exit_status(void)
{
	return expect_exit(8, CHILD_QUOTA, 42);
}

/* A child with a small quota allocates until it is refused: ERR_QUOTA, no panic. */
static bool probe_quota_exhaustion(void)
{
	return expect_exit(10, 64 * PAGE, 0);
}

/* A spinning child does not starve us, and can be killed. */
static bool probe_spinner_killed(void)
{
	struct child c = {0};
	struct thread_info ti = {0};

	OK(start_probe(&c, 9, CHILD_QUOTA));
	for (int i = 0; i < 5; i++)
		OK(sys_yield());
	OK(sys_sleep(20000000));
	OK(sys_thread_kill(c.p.thread, 9));
	CHECK(wait_dead(c.p.thread));
	OK(sys_thread_info(c.p.thread, &ti));
	CHECK(ti.exit_status == 9);
	return finish(&c);
}

const struct test probe_tests[] = {
    {"probe_read_kernel", probe_read_kernel},
    {"probe_write_kernel", probe_write_kernel},
    {"probe_read_unmapped", probe_read_unmapped},
    {"probe_write_own_text", probe_write_text},
    {"probe_exec_data", probe_exec_data},
    {"probe_privileged_csr", probe_privileged},
    {"probe_bad_syscalls", probe_bad_syscalls},
    {"probe_exit_status", probe_exit_status},
    {"probe_quota_exhaustion", probe_quota_exhaustion},
    {"probe_spinner_killed", probe_spinner_killed},
    {0, 0},
};
