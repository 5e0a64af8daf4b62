/*
 * utest: the root task of the test initrd. Runs every in-guest test,
 * checks after each that free memory came back to where it was, prints
 * "ok - user/NAME" or "not ok - user/NAME", a summary line, and powers the
 * machine off with the result as its exit status.
 */
#include "user/utest/harness.h"

#define SETTLE_TRIES 200
#define STACK_ORDER  2

struct bootinfo *bi;
struct initrd initrd;
static int passed, failed;

static uint64_t free_pages(void)
{
	uint64_t f = 0;
	sys_mem_info(uenv.system, &f, 0);
	return f;
}

void *map_pages(unsigned order)
{
	return umap_pages(order, 0);
}

void unmap_pages(void *va, unsigned order)
{
	sys_space_unmap(uenv.space, (uint64_t)va, 4096ull << order);
}

bool wait_dead(handle_t t)
{
	struct thread_info ti = {0};

	for (int i = 0; i < 2000; i++) {
		if (sys_thread_info(t, &ti) != ERR_OK || ti.state == THREAD_DEAD)
			return true;
		sys_sleep(1000000);
	}
	return false;
}

struct spawn_rec {
	void (*fn)(void *);
	void *arg;
};

static void entry(struct spawn_rec *r)
{
	r->fn(r->arg);
	sys_thread_exit(0);
}

int spawn(struct uthread *t, void (*fn)(void *), void *arg, unsigned prio)
{
	return spawn_ex(t, fn, arg, prio, 0, 0);
}

int spawn_ex(struct uthread *t, void (*fn)(void *), void *arg, unsigned prio, handle_t exc,
	     uint64_t badge)
{
	uint8_t *stack = map_pages(STACK_ORDER), *buf = map_pages(0);

	if (!stack || !buf)
		return ERR_NOMEM;
	t->stack = (uint64_t)stack;
	t->ipcbuf = (uint64_t)buf;
	uint64_t top = t->stack + (4096ull << STACK_ORDER) - 64;
	struct spawn_rec *r = (struct spawn_rec *)top;
	r->fn = fn;
	r->arg = arg;
	int e = sys_thread_create(uenv.space, (uint64_t)entry, top, (uint64_t)r, prio, &t->h);
	if (e == ERR_OK)
		e = sys_thread_set_ipcbuf(t->h, t->ipcbuf);
	if (e == ERR_OK && exc)
		e = sys_thread_set_exception(t->h, exc, badge);
	if (e == ERR_OK)
		e = sys_thread_start(t->h);
	return e;
}

int64_t join(struct uthread *t)
{
	struct thread_info ti = {0};

	bool died = wait_dead(t->h);
	if (!died) {
		sys_thread_kill(t->h, -1);
		wait_dead(t->h);
	}
	sys_thread_info(t->h, &ti);
	if (!died || ti.state != THREAD_DEAD)
		ti.exit_status = JOIN_STUCK; /* it had to be killed, or would not even die */
	sys_handle_close(t->h);
	unmap_pages((void *)t->stack, STACK_ORDER);
	unmap_pages((void *)t->ipcbuf, 0);
	return ti.exit_status;
}

static void run(const struct test *t)
{
	uint64_t before = free_pages(), after = 0;
	bool ok = t->fn();
	/* Dead threads are reaped by the scheduler: give it a moment. */
	for (int i = 0; i < SETTLE_TRIES; i++) {
		after = free_pages();
		if (after == before)
			break;
		sys_sleep(1000000);
	}
	/* Every object's reference count against what holds it. */
	uint64_t bad = 0;
	int e = sys_kernel_check(uenv.system, &bad);
	if (ok && e != ERR_OK) {
		uprintf("    kernel self-check: %s, %lu objects with wrong reference counts\n",
			err_name(e), bad);
		ok = false;
	}
	if (ok && after != before) {
		uprintf("    leaked %ld pages (%lu free before, %lu after)\n",
			(long)before - (long)after, before, after);
		ok = false;
	}
	uprintf("%s - user/%s\n", ok ? "ok" : "not ok", t->name);
	if (ok)
		passed++;
	else
		failed++;
}

static void run_all(const struct test *list)
{
	for (; list->name; list++)
		run(list);
}

int main(struct bootinfo *info)
{
	bi = info;
	uenv = (struct uenv){bi->self_space, bi->self_thread, bi->quota, bi->system};
	uprintf("utest: %u harts, %lu pages free\n", bi->nharts, bi->free_pages);
	if (!bi->initrd ||
	    initrd_map(bi->initrd, bi->initrd_offset, bi->initrd_size, &initrd) != ERR_OK) {
		uprintf("utest: cannot map the initrd\n");
		sys_system_exit(uenv.system, 2);
	}
	/* fuzzonly=1: the system-call fuzzer alone (to repeat or lengthen its runs). */
	if (!bootarg("fuzzonly", 0, 0)) {
		run_all(kernel_api_tests);
		run_all(ipc_tests);
		run_all(pager_tests);
		run_all(probe_tests);
		run_all(hw_tests);
		run_all(libpager_tests);
		run_all(fpu_tests);
		run_all(libc_tests);
		run_all(lifetime_tests);
		run_all(upcall_tests);
	}
	/* fuzzseeds=0: this boot leaves the fuzzer to others (no test line that cannot fail). */
	if (bootarg("fuzzseeds", 1, 0) != 0)
		run_all(sysfuzz_tests);
	uprintf("usertest: %d passed, %d failed\n", passed, failed);
	sys_system_exit(uenv.system, failed ? 1 : 0);
}
