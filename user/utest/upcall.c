/* SYS_THREAD_UPCALL and SYS_UPCALL_RETURN (kernel/upcall.c). */
#include "lib/error.h"
#include "lib/user/syscall.h"
#include "user/utest/harness.h"

/* f0-f31 and fcsr, as user/utest/fpu_tests.c's helpers load and store them. */
struct fpregs {
	uint64_t f[32];
	uint64_t fcsr;
};
void utest_fpu_load(const struct fpregs *r);
void utest_fpu_store(struct fpregs *r);

static struct fpregs upcall_fp;	      /* what an upcall puts in the FP registers */
static volatile handle_t self_thread; /* upcalls_nest_once_saved: the spinner's own handle */

/* What the upcalls saw: their numbers in the order they ran. */
static volatile unsigned seen[8], nseen;
static volatile int stop;

void upcall_entry(uint64_t n);
/* The function an upcall runs at: record n, maybe ask the thread to stop, go back. */
void upcall_record(uint64_t n)
{
	for (int i = 0; i < 32; i++)
		upcall_fp.f[i] = 0xdead0000ull + (uint64_t)i;
	utest_fpu_load(&upcall_fp); /* the interrupted code must not see these */
	if (nseen < 8)
		seen[nseen] = (unsigned)n;
	nseen++;
	if (n == 9)
		stop = 1;
}

__asm__(".text\n.globl upcall_entry\nupcall_entry:\n"
	"\tcall upcall_record\n"
	"\tli a0, 0\n\tli a7, 51\n\tecall\n" /* SYS_UPCALL_RETURN(0): never comes back here */
	"\tunimp\n");

/*
 * Spin with values in the FP registers (and the loop's in integer ones)
 * until an upcall says stop; exit 0 if the FP registers still hold them
 * (the upcall loaded its own).
 */
static void spinner(void *arg)
{
	(void)arg;
	struct fpregs mine, after;

	for (int i = 0; i < 32; i++)
		mine.f[i] = 0x1234500000000000ull + (uint64_t)i;
	mine.fcsr = 0x20; /* a rounding mode: frm = 1 */
	utest_fpu_load(&mine);
	while (!stop)
		;
	utest_fpu_store(&after);
	for (int i = 0; i < 32; i++)
		if (after.f[i] != mine.f[i])
			sys_thread_exit(2);
	sys_thread_exit(after.fcsr == mine.fcsr ? 0 : 1);
}

static bool upcall_runs_in_a_spinning_thread(void)
{
	struct uthread t;

	stop = 0;
	nseen = 0;
	OK(spawn(&t, spinner, NULL, 10));
	sys_sleep(20000000);
	OK(sys_thread_upcall(t.h, 9, (uint64_t)upcall_entry));
	CHECK(join(&t) == 0);
	CHECK(nseen == 1 && seen[0] == 9);
	return true;
}

static void sleeper(void *arg)
{
	int *result = arg;
	*result = sys_sleep(10ull * 1000 * 1000 * 1000); /* ten seconds: cut short */
	sys_thread_exit(0);
}

static bool upcall_interrupts_a_sleep(void)
{
	struct uthread t;
	volatile int result = 1;
	uint64_t t0 = sys_clock();

	nseen = 0;
	OK(spawn(&t, sleeper, (void *)&result, 10));
	sys_sleep(20000000);
	OK(sys_thread_upcall(t.h, 4, (uint64_t)upcall_entry));
	CHECK(join(&t) == 0);
	CHECK(result == ERR_INTERRUPTED);
	CHECK(sys_clock() - t0 < 5ull * 1000 * 1000 * 1000); /* the join's bound is 2 s anyway */
	CHECK(nseen == 1 && seen[0] == 4);
	return true;
}

/* Posted while suspended: they run as a set, lowest first, one at a time. */
static bool upcalls_queue_and_run_lowest_first(void)
{
	struct uthread t;

	stop = 0;
	nseen = 0;
	OK(spawn(&t, spinner, NULL, 10));
	OK(sys_thread_suspend(t.h));
	OK(sys_thread_upcall(t.h, 9, (uint64_t)upcall_entry));
	OK(sys_thread_upcall(t.h, 5, (uint64_t)upcall_entry));
	OK(sys_thread_upcall(t.h, 5, (uint64_t)upcall_entry)); /* a set: 5 runs once */
	OK(sys_thread_upcall(t.h, 63, (uint64_t)upcall_entry));
	OK(sys_thread_start(t.h));
	CHECK(join(&t) == 0);
	CHECK(nseen == 3 && seen[0] == 5 && seen[1] == 9 && seen[2] == 63);
	return true;
}

/*
 * An upcall that saves the kept registers on its stack may be interrupted
 * by the next one (nesting), and returns through the saved copy.
 */
void nesting_entry(uint64_t n);
static volatile uint64_t nest_depth, nest_max;
void nesting_record(uint64_t n, struct upcall_context *ctx)
{
	nest_depth++;
	if (nest_depth > nest_max)
		nest_max = nest_depth;
	if (sys_upcall_save(ctx) != ERR_OK)
		sys_thread_exit(5);
	if (n == 7) /* the second one, posted by the thread itself, starts right here */
		sys_thread_upcall(self_thread, 8, (uint64_t)nesting_entry);
	upcall_record(n);
	nest_depth--;
	sys_upcall_return(ctx);
	sys_thread_exit(6); /* not reached */
}

__asm__(".text\n.globl nesting_entry\nnesting_entry:\n"
	"\taddi sp, sp, -560\n"
	"\tmv a1, sp\n"
	"\tcall nesting_record\n" /* never returns */
	"\tunimp\n");

static void nest_spinner(void *arg)
{
	(void)arg;
	while (!stop)
		;
	sys_thread_exit(0);
}

static bool upcalls_nest_once_saved(void)
{
	struct uthread t;

	stop = 0;
	nseen = 0;
	nest_max = 0;
	OK(spawn(&t, nest_spinner, NULL, 10));
	self_thread = t.h;
	sys_sleep(10000000);
	OK(sys_thread_upcall(t.h, 7, (uint64_t)nesting_entry));
	for (int i = 0; i < 200 && nseen < 2; i++)
		sys_sleep(5000000);
	stop = 1;
	CHECK(join(&t) == 0);
	CHECK(nseen == 2 && seen[0] == 8 && seen[1] == 7 && nest_max == 2);
	return true;
}

static bool upcall_arguments_checked(void)
{
	struct uthread t;

	stop = 0;
	OK(spawn(&t, spinner, NULL, 10));
	CHECK_ERR(sys_thread_upcall(t.h, 0, (uint64_t)upcall_entry), ERR_INVALID);
	CHECK_ERR(sys_thread_upcall(t.h, 64, (uint64_t)upcall_entry), ERR_INVALID);
	CHECK_ERR(sys_thread_upcall(t.h, 3, 0), ERR_RANGE);
	CHECK_ERR(sys_thread_upcall(t.h, 3, (uint64_t)upcall_entry + 1), ERR_RANGE);
	CHECK_ERR(sys_thread_upcall(t.h, 3, USER_TOP_ABI), ERR_RANGE);
	CHECK_ERR(sys_thread_upcall(0x7fff0000, 3, (uint64_t)upcall_entry), ERR_BADHANDLE);
	handle_t weak;
	OK(sys_handle_dup(t.h, RIGHTS_ALL & ~RIGHT_MANAGE, &weak));
	CHECK_ERR(sys_thread_upcall(weak, 3, (uint64_t)upcall_entry), ERR_PERM);
	OK(sys_handle_close(weak));
	CHECK_ERR(sys_upcall_return(0), ERR_STATE); /* no upcall runs here */
	CHECK_ERR(sys_upcall_save((struct upcall_context *)0x1000), ERR_STATE);
	OK(sys_thread_kill(t.h, 0));
	CHECK(join(&t) == 0);
	return true;
}

const struct test upcall_tests[] = {
    {"upcall_runs_in_a_spinning_thread", upcall_runs_in_a_spinning_thread},
    {"upcall_interrupts_a_sleep", upcall_interrupts_a_sleep},
    {"upcalls_queue_and_run_lowest_first", upcalls_queue_and_run_lowest_first},
    {"upcalls_nest_once_saved", upcalls_nest_once_saved},
    {"upcall_arguments_checked", upcall_arguments_checked},
    {NULL, NULL},
};
