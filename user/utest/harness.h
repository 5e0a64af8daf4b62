/*
 * In-guest test harness: each test is a function returning true on
 * success; run_test() also checks that every frame it took came back.
 */
#ifndef STRATA_USER_UTEST_HARNESS_H
#define STRATA_USER_UTEST_HARNESS_H

#include <stdbool.h>

#include "lib/user/ipc.h"
#include "lib/user/loader.h"
#include "lib/user/syscall.h"
#include "lib/user/ulib.h"

#define CHECK(c)                                                                                   \
	do {                                                                                       \
		if (!(c)) {                                                                        \
			uprintf("    %s:%d: check failed: %s\n", __FILE__, __LINE__, #c);          \
			return false;                                                              \
		}                                                                                  \
	} while (0)

/* CHECK that an expression gives the expected error code, naming both if not. */
#define CHECK_ERR(expr, want)                                                                      \
	do {                                                                                       \
		int __e = (expr);                                                                  \
		if (__e != (want)) {                                                               \
			uprintf("    %s:%d: %s gave %s, expected %s\n", __FILE__, __LINE__, #expr, \
				err_name(__e), err_name(want));                                    \
			return false;                                                              \
		}                                                                                  \
	} while (0)

#define OK(expr) CHECK_ERR(expr, ERR_OK)

extern struct bootinfo *bi;
extern struct initrd initrd;

/* A thread in our own space with its stack and IPC buffer; join() cleans up. */
struct uthread {
	handle_t h;
	uint64_t stack, ipcbuf;
};
int spawn(struct uthread *t, void (*fn)(void *), void *arg, unsigned prio);
/* spawn, with exceptions going to exc (badge) from the first instruction on. */
int spawn_ex(struct uthread *t, void (*fn)(void *), void *arg, unsigned prio, handle_t exc,
	     uint64_t badge);
/*
 * Wait until t is dead; returns its exit status, or JOIN_STUCK if it did not
 * die by itself within two seconds. Frees its stack and handle either way.
 */
#define JOIN_STUCK (-0x7fffffffll)
int64_t join(struct uthread *t);

/* Map 2^order fresh zeroed pages R+W; unmap_pages undoes it. */
void *map_pages(unsigned order);
void unmap_pages(void *va, unsigned order);

/* Wait for a thread handle to reach THREAD_DEAD (bounded); false on timeout. */
bool wait_dead(handle_t t);

/* The number in `name=N` on the kernel command line, or def; *found (if not NULL) says whether it
 * is there. */
uint64_t bootarg(const char *name, uint64_t def, bool *found);

/* Each test file registers its tests here. */
struct test {
	const char *name;
	bool (*fn)(void);
};
extern const struct test kernel_api_tests[], ipc_tests[], pager_tests[], probe_tests[], hw_tests[],
    libpager_tests[], fpu_tests[], libc_tests[], lifetime_tests[], sysfuzz_tests[], upcall_tests[];

#endif
