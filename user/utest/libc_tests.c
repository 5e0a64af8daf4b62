/*
 * C programs with picolibc (user/c/, lib/libc): run each from the initrd in
 * its own space, with its own quota, and check it exits with status 0.
 */
#include "user/utest/harness.h"

/* Wired into main.c by run_all(libc_tests). */
extern const struct test libc_tests[];

#define PAGE 4096ull
/* Run standalone (no servers), a C program gets a 256 KiB heap in its .bss. */
#define LIBC_QUOTA (1024 * PAGE)

/* Run program `name` to its end; true if it exited with status 0 and left nothing behind. */
static bool run_program(const char *name)
{
	char err[96];
	handle_t quota = 0;
	struct uprocess p = {0};
	struct thread_info ti = {0};
	uint64_t limit = 0, used = 0;
	int e;

	OK(sys_quota_split(uenv.quota, LIBC_QUOTA, &quota));
	e = uload_program(&initrd, name, quota, 0, 10, &p, err, sizeof(err));
	if (e != ERR_OK)
		uprintf("    %s: %s\n", name, err);
	OK(e);
	OK(sys_thread_start(p.thread));
	CHECK(wait_dead(p.thread));
	OK(sys_thread_info(p.thread, &ti));
	if (ti.exit_status != 0)
		uprintf("    %s: exit status %ld, expected 0\n", name, (long)ti.exit_status);
	CHECK(ti.exit_status == 0);
	OK(sys_handle_close(p.thread));
	OK(sys_handle_close(p.space));
	OK(sys_quota_info(quota, &limit, &used));
	CHECK(used == 0); /* the child's space, thread and tables are all gone */
	OK(sys_handle_close(quota));
	return true;
}

/* printf (an int and a double), malloc/realloc/free with contents checked. */
static bool libc_hello(void)
{
	return run_program("hello");
}

const struct test libc_tests[] = {
    {"libc_hello", libc_hello},
    {0, 0},
};
