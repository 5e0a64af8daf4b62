/*
 * The page a supervisor (utest) shares with the system-call fuzzer
 * (user/sysfuzz): what to run, and how far it got.
 *
 * The supervisor maps one frame at SYSFUZZ_CTL_VA in the fuzzer's space
 * (the control page, then the main thread's IPC buffer), gives the fuzzer a
 * quota, its own space and a read-only system handle with SYS_HANDLE_GIVE,
 * and starts it with a0 = SYSFUZZ_CTL_VA. The fuzzer writes its progress
 * here; the supervisor only reads it to report, never trusts it.
 */
#ifndef STRATA_LIB_USER_SYSFUZZ_CTL_H
#define STRATA_LIB_USER_SYSFUZZ_CTL_H

#include <stdint.h>

#include "lib/abi.h"

#define SYSFUZZ_CTL_VA	   0x3e00000000ull
#define SYSFUZZ_CTL_IPCBUF (SYSFUZZ_CTL_VA + 4096)
#define SYSFUZZ_MAGIC	   0x5a5546535953ull /* "SYSFUZ" */

/*
 * Known kernel bugs a run can be told to steer around (bootarg fuzzavoid=MASK).
 * The default is 0: every path is exercised.
 */
#define FUZZ_AVOID_COPY_UAF	0x1 /* no IPC buffer or SPACE_AD output that can fault into a pager */
#define FUZZ_AVOID_KILL_SUSPEND 0x2 /* no suspend of a thread that was killed */
#define FUZZ_AVOID_SELF_HANDLE                                                                     \
	0x4			  /* no space or thread handle given into a space other than ours */
#define FUZZ_AVOID_HUGE_RANGE 0x8 /* no unmap/protect longer than 16 MiB */

enum sysfuzz_phase {
	FUZZ_PHASE_LOADED = 0,
	FUZZ_PHASE_RUN = 1,
	FUZZ_PHASE_TEARDOWN = 2,
	FUZZ_PHASE_DONE = 3,
};

struct sysfuzz_ctl {
	/* Written by the supervisor before the start. */
	uint64_t magic, seed;
	uint32_t ops;	  /* structured steps of the main thread */
	uint32_t workers; /* most threads fuzzing at once besides the main thread */
	uint32_t avoid;	  /* FUZZ_AVOID_* */
	uint32_t nharts;
	uint32_t trace;		       /* print every raw call and its result */
	handle_t quota, space, system; /* values in the fuzzer's own table */

	/* Written by the fuzzer. */
	volatile uint64_t phase, step, calls, exceptions;
	volatile uint64_t last[8]; /* the main thread's latest raw call: number, a0..a6 */
	char why[160];		   /* why the fuzzer's own checks failed (exit status != 0) */
};

#endif
