/*
 * systest: hostile messages to the servers. Every label of the mem, proc and
 * con protocols and others besides, with too few or too many words, handles
 * where none belong and none where one does, huge, negative and unaligned
 * values, addresses outside the caller, other processes' ids, repeats, and
 * callers killed in the middle: each must be answered (an error, or the
 * request done where it is a valid one), no server may crash or stop
 * answering its other clients, and everything the messages cost must come
 * back. The random part is deterministic (a fixed seed, printed on failure).
 */
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lib/error.h"
#include "lib/libc/strata.h"
#include "lib/user/con_proto.h"
#include "lib/user/ipc.h"
#include "lib/user/msgbytes.h"
#include "lib/user/ustart.h"
#include "user/c/systest/systest.h"

#define US	 ((const struct ustart *)USTART_VA)
#define IPCBUF	 ((struct ipc_buffer *)USTART_IPCBUF)
#define PAGE	 4096ull
#define KADDR	 0xffffffc000000000ull /* a kernel address */
#define SEED	 0x5eed0000c0ffee11ull
#define WORKERS	 4
#define MESSAGES 3000	       /* in all, shared by the workers */
#define NOPID	 0x7ffffff0ull /* a pid no process has (pids count up from 1) */

/* A message with label and nw words, the first of them given (the rest 0). */
#define M(label, nw, ...) ((struct msg){.tag = msg_tag(label, nw, 0), .w = {__VA_ARGS__}})

/* ----------------------------------------------------------------- calling */

/*
 * Call ep with m, carrying handles h[0..nh) with all rights: the reply's
 * error (ERR_OK for a success), or the call's own error. A reply must keep
 * the request's label; ERR_CORRUPT if it does not.
 */
static int ask_with(handle_t ep, struct msg *m, const handle_t *h, unsigned nh)
{
	unsigned label = msg_label(m->tag);

	for (unsigned i = 0; i < nh; i++) {
		IPCBUF->handles[i] = h[i];
		IPCBUF->handle_rights[i] = RIGHTS_ALL;
	}
	m->tag |= (uint64_t)nh << 23;
	int e = ipc_call(ep, m);
	if (e != ERR_OK)
		return e;
	if (msg_label(m->tag) != label)
		return ERR_CORRUPT;
	return msg_error(m->tag);
}

static bool expect_with(const char *what, handle_t ep, struct msg m, const handle_t *h, unsigned nh,
			int want)
{
	int e = ask_with(ep, &m, h, nh);

	if (e != want) {
		printf("    %s: %s, expected %s\n", what, err_name(e), err_name(want));
		return false;
	}
	return true;
}

static bool expect(const char *what, handle_t ep, struct msg m, int want)
{
	return expect_with(what, ep, m, 0, 0, want);
}

/*
 * Pages nothing holds (free plus the kernel's object caches, as the runner
 * counts them), once they have settled: the same value twice in a row.
 */
static unsigned long unused_pages(void)
{
	unsigned long last = 0;

	for (int i = 0; i < 100; i++) {
		unsigned long now = systest_free_pages();
		if (now == last)
			return now;
		last = now;
		usleep(10000);
	}
	return last;
}

/* Wait up to a second for unused pages to be back at before. */
static bool pages_back(unsigned long before, const char *what)
{
	unsigned long now = 0;

	for (int i = 0; i < 100; i++) {
		now = unused_pages();
		if (now == before)
			return true;
		usleep(10000);
	}
	printf("    %s: unused pages %lu before, %lu after (%ld)\n", what, before, now,
	       (long)now - (long)before);
	return false;
}

/* ----------------------------------------------------------------- mem */

/* Every label mem knows, and others, from a process: errors with the right codes. */
static bool hostile_mem(void)
{
	const handle_t mem = US->mem;
	const uint64_t rw = PROT_R | PROT_W;

	CHECK(expect("stats, 1 word", mem, M(MEM_STATS, 1), ERR_INVALID));
	CHECK(expect("stats, 64 words", mem, M(MEM_STATS, 64, -1ull, -1ull), ERR_INVALID));
	CHECK(expect("vs stats, 0 words", mem, M(MEM_VS_STATS, 0), ERR_INVALID));
	CHECK(expect("vs stats, 2 words", mem, M(MEM_VS_STATS, 2, 0, 0), ERR_INVALID));
	CHECK(expect("vs stats, no such vs", mem, M(MEM_VS_STATS, 1, 1ull << 40), ERR_NOENT));
	CHECK(expect("vs stats, -1", mem, M(MEM_VS_STATS, 1, -1ull), ERR_NOENT));
	CHECK(expect("vs stats, admin badge", mem, M(MEM_VS_STATS, 1, MEM_BADGE_ADMIN), ERR_NOENT));
	CHECK(expect("vs stats, own", mem, M(MEM_VS_STATS, 1, 0), ERR_OK));

	CHECK(expect("brk, 0 words", mem, M(MEM_BRK, 0), ERR_INVALID));
	CHECK(expect("brk, 2 words", mem, M(MEM_BRK, 2, 0, 0), ERR_INVALID));
	CHECK(expect("brk below the heap", mem, M(MEM_BRK, 1, 1), ERR_INVALID));
	CHECK(expect("brk past the heap's end", mem, M(MEM_BRK, 1, UHEAP_END + 1), ERR_NOMEM));
	CHECK(expect("brk -1", mem, M(MEM_BRK, 1, -1ull), ERR_NOMEM));
	CHECK(expect("brk to a kernel address", mem, M(MEM_BRK, 1, KADDR), ERR_NOMEM));

	CHECK(expect("mmap, 3 words", mem, M(MEM_MMAP, 3, 0, PAGE, rw), ERR_INVALID));
	CHECK(expect("mmap, 5 words", mem, M(MEM_MMAP, 5, 0, PAGE, rw, 0, 0), ERR_INVALID));
	CHECK(expect("mmap, length 0", mem, M(MEM_MMAP, 4, 0, 0, rw, 0), ERR_INVALID));
	CHECK(expect("mmap, prot 8", mem, M(MEM_MMAP, 4, 0, PAGE, 8, 0), ERR_INVALID));
	CHECK(expect("mmap, prot -1", mem, M(MEM_MMAP, 4, 0, PAGE, -1ull, 0), ERR_INVALID));
	CHECK(
	    expect("mmap, W and X", mem, M(MEM_MMAP, 4, 0, PAGE, PROT_W | PROT_X, 0), ERR_INVALID));
	CHECK(expect("mmap, flag 4", mem, M(MEM_MMAP, 4, 0, PAGE, rw, 4), ERR_INVALID));
	CHECK(expect("mmap, fixed unaligned", mem,
		     M(MEM_MMAP, 4, UMMAP_BASE + 1, PAGE, rw, MEM_MMAP_FIXED), ERR_INVALID));
	CHECK(expect("mmap, length -1", mem, M(MEM_MMAP, 4, 0, -1ull, rw, 0), ERR_NOMEM));
	CHECK(expect("mmap, 32 TiB", mem, M(MEM_MMAP, 4, 0, 1ull << 45, rw, 0), ERR_NOMEM));
	CHECK(expect("mmap, fixed at 0", mem, M(MEM_MMAP, 4, 0, PAGE, rw, MEM_MMAP_FIXED),
		     ERR_NOMEM));
	CHECK(expect("mmap, fixed on the program", mem,
		     M(MEM_MMAP, 4, UIMAGE_BASE, PAGE, rw, MEM_MMAP_FIXED), ERR_NOMEM));
	CHECK(expect("mmap, fixed on the stack", mem,
		     M(MEM_MMAP, 4, USTACK_TOP - PAGE, PAGE, rw, MEM_MMAP_FIXED), ERR_NOMEM));
	CHECK(expect("mmap, fixed at USER_TOP", mem,
		     M(MEM_MMAP, 4, USER_TOP_ABI, PAGE, rw, MEM_MMAP_FIXED), ERR_NOMEM));
	CHECK(expect("mmap, fixed in the kernel", mem,
		     M(MEM_MMAP, 4, KADDR, PAGE, rw, MEM_MMAP_FIXED), ERR_NOMEM));
	CHECK(expect("mmap, fixed across the end", mem,
		     M(MEM_MMAP, 4, UMMAP_END - PAGE, 2 * PAGE, rw, MEM_MMAP_FIXED), ERR_NOMEM));

	CHECK(expect("munmap, 1 word", mem, M(MEM_MUNMAP, 1, UMMAP_BASE), ERR_INVALID));
	CHECK(expect("munmap, 3 words", mem, M(MEM_MUNMAP, 3, UMMAP_BASE, PAGE, 0), ERR_INVALID));
	CHECK(
	    expect("munmap, unaligned", mem, M(MEM_MUNMAP, 2, UMMAP_BASE + 8, PAGE), ERR_INVALID));
	CHECK(expect("munmap, length 0", mem, M(MEM_MUNMAP, 2, UMMAP_BASE, 0), ERR_INVALID));
	CHECK(expect("munmap, length -1", mem, M(MEM_MUNMAP, 2, UMMAP_BASE, -1ull), ERR_INVALID));
	CHECK(expect("munmap, the program", mem, M(MEM_MUNMAP, 2, UIMAGE_BASE, PAGE), ERR_INVALID));
	CHECK(expect("munmap, the stack", mem, M(MEM_MUNMAP, 2, USTACK_TOP - PAGE, PAGE),
		     ERR_INVALID));
	CHECK(expect("munmap, the kernel", mem, M(MEM_MUNMAP, 2, KADDR, PAGE), ERR_INVALID));

	/* proc's requests, sent by a process: not for it. */
	for (unsigned l = MEM_VS_CREATE; l <= MEM_POKE; l++)
		CHECK(expect("admin label", mem, M(l, 6, 1, UIMAGE_BASE, PAGE, 3, 0),
			     ERR_UNSUPPORTED));
	/* Frames for pagers and ranges for other pagers, without what they need. */
	CHECK(expect("frame, 0 words", mem, M(MEM_FRAME, 0), ERR_INVALID));
	CHECK(expect("frame, 0 bytes", mem, M(MEM_FRAME, 1, 0), ERR_INVALID));
	CHECK(expect("frame, too big", mem, M(MEM_FRAME, 1, MEM_FRAME_MAX + 1), ERR_INVALID));
	CHECK(expect("frame, -1", mem, M(MEM_FRAME, 1, -1ull), ERR_INVALID));
	CHECK(expect("frame, 2 words", mem, M(MEM_FRAME, 2, PAGE, 0), ERR_INVALID));
	CHECK(expect("map pager, no handle", mem, M(MEM_MAP_PAGER, 6, 0, PAGE, PROT_R, 0, 0),
		     ERR_INVALID));
	CHECK(expect("map pager, 5 words", mem, M(MEM_MAP_PAGER, 5, 0, PAGE, PROT_R, 0, 0),
		     ERR_INVALID));
	CHECK(expect("vs maps, 1 word", mem, M(MEM_VS_MAPS, 1, 0), ERR_INVALID));
	CHECK(expect("vs maps, no such vs", mem, M(MEM_VS_MAPS, 2, 1ull << 40, 0), ERR_NOENT));
	CHECK(expect("vs maps, index -1", mem, M(MEM_VS_MAPS, 2, 0, -1ull), ERR_NOENT));
	CHECK(expect("vs maps, own first", mem, M(MEM_VS_MAPS, 2, 0, 0), ERR_OK));
	CHECK(expect("shm open, 0 words", mem, M(MEM_SHM_OPEN, 0), ERR_INVALID));
	CHECK(expect("shm open, name length 0", mem, M(MEM_SHM_OPEN, 3, MEM_SHM_CREATE, 0, 0),
		     ERR_INVALID));
	CHECK(expect("shm open, name length 32", mem,
		     M(MEM_SHM_OPEN, 5, MEM_SHM_CREATE, 32, -1ull, -1ull, -1ull), ERR_INVALID));
	CHECK(expect("shm open, flag 8", mem, M(MEM_SHM_OPEN, 3, 8, 1, 0x61), ERR_INVALID));
	CHECK(expect("shm open, a slash", mem, M(MEM_SHM_OPEN, 3, MEM_SHM_CREATE, 1, 0x2f),
		     ERR_INVALID));
	CHECK(expect("shm open, none", mem, M(MEM_SHM_OPEN, 3, 0, 3, 0x7a7a7a), ERR_NOENT));
	CHECK(expect("shm unlink, none", mem, M(MEM_SHM_UNLINK, 2, 3, 0x7a7a7a), ERR_NOENT));
	CHECK(expect("shm size, no such object", mem, M(MEM_SHM_SIZE, 2, 1, 0), ERR_NOENT));
	CHECK(expect("shm size, 1 word", mem, M(MEM_SHM_SIZE, 1, 1), ERR_INVALID));
	CHECK(expect("mmap object, no such object", mem,
		     M(MEM_MMAP, 6, 0, PAGE, rw, MEM_MMAP_OBJECT, 12345), ERR_NOENT));
	CHECK(expect("mmap object, 4 words", mem, M(MEM_MMAP, 4, 0, PAGE, rw, MEM_MMAP_OBJECT),
		     ERR_INVALID));
	CHECK(expect("mprotect, 2 words", mem, M(MEM_MPROTECT, 2, UMMAP_BASE, PAGE), ERR_INVALID));
	CHECK(expect("mprotect, unaligned", mem, M(MEM_MPROTECT, 3, UMMAP_BASE + 1, PAGE, 1),
		     ERR_INVALID));
	CHECK(
	    expect("mprotect, W and X", mem, M(MEM_MPROTECT, 3, UMMAP_BASE, PAGE, 6), ERR_INVALID));
	CHECK(expect("mprotect, unmapped", mem, M(MEM_MPROTECT, 3, UMMAP_END - PAGE, PAGE, 1),
		     ERR_NOMEM));
	CHECK(expect("mprotect, the kernel", mem, M(MEM_MPROTECT, 3, KADDR, PAGE, 1), ERR_NOMEM));
	CHECK(expect("mprotect, length -1", mem, M(MEM_MPROTECT, 3, UMMAP_BASE, -1ull, 1),
		     ERR_NOMEM));
	CHECK(expect("mmap file, no such object", mem,
		     M(MEM_MMAP, 6, 0, PAGE, rw, MEM_MMAP_FILE, 12345), ERR_NOENT));
	CHECK(expect("mmap file, a forged id", mem,
		     M(MEM_MMAP, 6, 0, PAGE, rw, MEM_MMAP_FILE | MEM_MMAP_SHARED, (1ull << 60) | 1),
		     ERR_NOENT));
	CHECK(expect("mmap file and object", mem,
		     M(MEM_MMAP, 6, 0, PAGE, rw, MEM_MMAP_FILE | MEM_MMAP_OBJECT, 1), ERR_INVALID));
	CHECK(expect("mmap file, 4 words", mem, M(MEM_MMAP, 4, 0, PAGE, rw, MEM_MMAP_FILE),
		     ERR_INVALID));
	CHECK(expect("msync, 2 words", mem, M(MEM_MSYNC, 2, UMMAP_BASE, PAGE), ERR_INVALID));
	CHECK(expect("msync, sync and async", mem, M(MEM_MSYNC, 3, UMMAP_BASE, PAGE, 5),
		     ERR_INVALID));
	CHECK(
	    expect("msync, unmapped", mem, M(MEM_MSYNC, 3, UMMAP_END - PAGE, PAGE, 4), ERR_NOMEM));
	CHECK(expect("msync, the kernel", mem, M(MEM_MSYNC, 3, KADDR, PAGE, 4), ERR_NOMEM));
	CHECK(expect("trace, no such space", mem, M(MEM_TRACE, 1, 1ull << 40), ERR_NOENT));
	CHECK(expect("trace, 2 words", mem, M(MEM_TRACE, 2, 0, 0), ERR_INVALID));
	CHECK(expect("trace read, not traced", mem, M(MEM_TRACE_READ, 1, 1ull << 40), ERR_NOENT));
	CHECK(expect("compact, 1 word", mem, M(MEM_COMPACT, 1, 0), ERR_INVALID));
	CHECK(expect("compact", mem, M(MEM_COMPACT, 0), ERR_OK));
	static const unsigned unknown[] = {0,	  0x107, 0x11c,		0x123,
					   0x200, 0x300, MSG_EXCEPTION, 0xffff};
	for (size_t i = 0; i < sizeof(unknown) / sizeof(unknown[0]); i++)
		CHECK(expect("unknown label", mem, M(unknown[i], 1, 0), ERR_UNSUPPORTED));
	/* The kernel's label, not from the kernel: no fault. */
	CHECK(
	    expect("fault label", mem, M(MSG_FAULT, 5, UIMAGE_BASE, PROT_R, 0, 0, 0), ERR_INVALID));
	/* Reserved tag bits: the kernel refuses the message before mem sees it. */
	CHECK(expect("reserved tag bits", mem,
		     (struct msg){.tag = msg_tag(MEM_STATS, 0, 0) | 1ull << 31}, ERR_INVALID));

	/* Duplicates: the same mmap twice gives two mappings; each munmap once. */
	struct msg a = M(MEM_MMAP, 4, 0, 3 * PAGE, rw, 0), b = a;
	CHECK(ask_with(mem, &a, 0, 0) == ERR_OK && ask_with(mem, &b, 0, 0) == ERR_OK);
	CHECK(a.w[0] != b.w[0]);
	CHECK(expect("munmap", mem, M(MEM_MUNMAP, 2, a.w[0], 3 * PAGE), ERR_OK));
	CHECK(expect("munmap again", mem, M(MEM_MUNMAP, 2, a.w[0], 3 * PAGE), ERR_OK));
	CHECK(expect("munmap", mem, M(MEM_MUNMAP, 2, b.w[0], 3 * PAGE), ERR_OK));
	return true;
}

/* ----------------------------------------------------------------- proc */

/* Fork through a raw PROC_FORK: the child starts at pc with sp (and so crashes). */
static bool fork_crashes(uint64_t pc, uint64_t sp, int sig)
{
	struct msg m = M(PROC_FORK, 3, pc, sp, 0);
	int st = -1;

	CHECK(ask_with(US->proc, &m, 0, 0) == ERR_OK);
	int pid = (int)m.w[0];
	CHECK(waitpid(pid, &st, 0) == pid);
	if (!WIFSIGNALED(st) || WTERMSIG(st) != sig) {
		printf("    fork at pc %#lx sp %#lx: status %#x\n", (unsigned long)pc,
		       (unsigned long)sp, st);
		return false;
	}
	return true;
}

/* A spawn or exec request with block bytes blk[0..len) (msgbytes from word 5). */
static struct msg args_msg(unsigned label, uint64_t argc, uint64_t envc, const void *blk,
			   size_t len, uint64_t said_len)
{
	struct msg m = {.w = {0, 0, argc, envc, said_len}};
	unsigned words = msgbytes_put(&m, IPCBUF, PROC_ARGS_WORD, blk, len);

	m.tag = msg_tag(label, words, 0);
	return m;
}

static bool bad_blocks(unsigned label)
{
	const handle_t proc = US->proc;
	static const char ok[] = "hello\0x", open[] = "hello";

	CHECK(expect("length 0", proc, args_msg(label, 0, 0, ok, 6, 0), ERR_INVALID));
	CHECK(
	    expect("length past the words", proc, args_msg(label, 0, 0, ok, 6, 200), ERR_INVALID));
	CHECK(expect("length -1", proc, args_msg(label, 0, 0, ok, 6, -1ull), ERR_INVALID));
	CHECK(expect("no block at all", proc, M(label, 5, 0, 0, 0, 0, 6), ERR_INVALID));
	CHECK(expect("path open", proc, args_msg(label, 0, 0, open, 5, 5), ERR_INVALID));
	CHECK(expect("argc too big", proc, args_msg(label, 1, 0, ok, 6, 6), ERR_INVALID));
	CHECK(expect("argc huge", proc, args_msg(label, -1ull, 0, ok, 6, 6), ERR_INVALID));
	CHECK(expect("envc huge", proc, args_msg(label, 0, 1ull << 33, ok, 6, 6), ERR_INVALID));
	CHECK(expect("last string open", proc, args_msg(label, 1, 0, ok, 7, 7), ERR_INVALID));
	CHECK(expect("path empty", proc, args_msg(label, 0, 0, "\0", 1, 1), ERR_INVALID));
	struct msg m = args_msg(label, 0, 0, ok, 6, 6);
	m.w[0] = 2; /* no such flag (PROC_SPAWN_PGROUP is 1) */
	CHECK(expect("flags", proc, m, ERR_INVALID));
	CHECK(expect("no such program", proc, args_msg(label, 0, 0, "nope\0", 5, 5), ERR_NOENT));
	return true;
}

/* Every label proc knows, and others, malformed: errors, and the caller lives on. */
static bool hostile_proc(void)
{
	const handle_t proc = US->proc;
	const uint64_t me = (uint64_t)getpid(), parent = (uint64_t)getppid();

	CHECK(bad_blocks(PROC_SPAWN));
	CHECK(bad_blocks(PROC_EXEC)); /* a refused exec leaves the caller running */
	struct msg m = args_msg(PROC_SPAWN, 0, 0, "hello\0", 6, 6);
	m.w[1] = -1ull;
	CHECK(expect("spawn, huge limit", proc, m, ERR_QUOTA));

	CHECK(expect("wait for pid 0", proc, M(PROC_WAIT, 1, 0), ERR_INVALID));
	CHECK(expect("wait for pid 2^32", proc, M(PROC_WAIT, 1, 1ull << 32), ERR_INVALID));
	CHECK(expect("wait for -2", proc, M(PROC_WAIT, 1, -2ull), ERR_INVALID));
	CHECK(expect("wait, no children", proc, M(PROC_WAIT, 1, -1ull), ERR_NOENT));
	CHECK(expect("wait for no one", proc, M(PROC_WAIT, 1, NOPID), ERR_NOENT));
	CHECK(expect("wait for the parent", proc, M(PROC_WAIT, 1, parent), ERR_NOENT));
	CHECK(expect("wait for itself", proc, M(PROC_WAIT, 1, me), ERR_NOENT));

	CHECK(expect("kill, signal 0", proc, M(PROC_KILL, 2, parent, 0), ERR_OK)); /* a check */
	CHECK(expect("kill, signal 32", proc, M(PROC_KILL, 2, parent, 32), ERR_INVALID));
	CHECK(expect("kill, signal -1", proc, M(PROC_KILL, 2, parent, -1ull), ERR_INVALID));
	CHECK(expect("kill own group, signal 0", proc, M(PROC_KILL, 2, 0, 0), ERR_OK));
	CHECK(expect("kill everyone", proc, M(PROC_KILL, 2, -1ull, PROC_SIGKILL), ERR_INVALID));
	CHECK(
	    expect("kill pid 2^40", proc, M(PROC_KILL, 2, 1ull << 40, PROC_SIGKILL), ERR_INVALID));
	CHECK(expect("kill group -2^40", proc, M(PROC_KILL, 2, -(1ull << 40), PROC_SIGKILL),
		     ERR_INVALID));
	CHECK(expect("kill no one", proc, M(PROC_KILL, 2, NOPID, PROC_SIGKILL), ERR_NOENT));
	CHECK(expect("kill no group", proc, M(PROC_KILL, 2, -NOPID, PROC_SIGKILL), ERR_NOENT));

	/* Process groups: only the caller and its children move, into a group that exists. */
	CHECK(expect("setpgid of the parent", proc, M(PROC_SETPGID, 2, parent, 0), ERR_NOENT));
	CHECK(expect("setpgid of no one", proc, M(PROC_SETPGID, 2, NOPID, 0), ERR_NOENT));
	CHECK(expect("setpgid -1", proc, M(PROC_SETPGID, 2, -1ull, 0), ERR_INVALID));
	CHECK(expect("setpgid to 2^40", proc, M(PROC_SETPGID, 2, 0, 1ull << 40), ERR_INVALID));
	CHECK(expect("setpgid to no group", proc, M(PROC_SETPGID, 2, 0, NOPID), ERR_PERM));
	CHECK(expect("getpgid of no one", proc, M(PROC_GETPGID, 1, NOPID), ERR_NOENT));
	CHECK(expect("getpgid -1", proc, M(PROC_GETPGID, 1, -1ull), ERR_NOENT));
	m = M(PROC_GETPGID, 1, 0);
	CHECK(ask_with(proc, &m, 0, 0) == ERR_OK && m.w[0] == (uint64_t)getpgrp());
	m = args_msg(PROC_SPAWN, 0, 0, "hello\0", 6, 6);
	m.w[0] = PROC_SPAWN_PGROUP | NOPID << 32;
	CHECK(expect("spawn into no group", proc, m, ERR_PERM));
	m.w[0] = 1ull << 32; /* a group without the flag */
	CHECK(expect("spawn, group without flag", proc, m, ERR_INVALID));
	m.w[0] = 2;
	CHECK(expect("spawn, unknown flag", proc, m, ERR_INVALID));

	/* Signal dispositions: masks beyond 1..31, SIGKILL or SIGSTOP, a handler with no entry. */
	CHECK(expect("signals, short", proc, M(PROC_SIGNALS, 2, 0, 0), ERR_INVALID));
	CHECK(expect("signals, bit 0", proc, M(PROC_SIGNALS, 5, 1, 0, 0, 0x10000, 0), ERR_INVALID));
	CHECK(expect("signals, bit 32", proc, M(PROC_SIGNALS, 5, 0, 1ull << 32, 0, 0, 0),
		     ERR_INVALID));
	CHECK(expect("signals, handle KILL", proc,
		     M(PROC_SIGNALS, 5, 1ull << PROC_SIGKILL, 0, 0, 0x10000, 0), ERR_INVALID));
	CHECK(expect("signals, ignore STOP", proc, M(PROC_SIGNALS, 5, 0, 1ull << 17, 0, 0, 0),
		     ERR_INVALID));
	CHECK(expect("signals, no entry", proc, M(PROC_SIGNALS, 5, 1ull << 10, 0, 0, 0, 0),
		     ERR_INVALID));
	CHECK(expect("alarm, short", proc, M(PROC_ALARM, 0), ERR_INVALID));
	CHECK(expect("alarm, forever", proc, M(PROC_ALARM, 1, -1ull), ERR_INVALID));

	CHECK(expect("list from 2^40", proc, M(PROC_LIST, 1, 1ull << 40), ERR_NOENT));
	CHECK(expect("list from -1", proc, M(PROC_LIST, 1, -1ull), ERR_NOENT));
	m = M(PROC_GETPID, 64, -1ull, -1ull); /* extra words are ignored */
	CHECK(ask_with(proc, &m, 0, 0) == ERR_OK && m.w[0] == me && m.w[1] == parent);
	m = M(PROC_TIMES, 64, -1ull, -1ull); /* extra words are ignored; no child waited for yet */
	CHECK(ask_with(proc, &m, 0, 0) == ERR_OK && m.w[0] == 0 && m.w[1] == 0);

	/* Names (/srv): bad lengths and names, no endpoint to publish. */
	CHECK(expect("srv lookup, length 0", proc, M(PROC_SRV_LOOKUP, 2, 0, 0), ERR_INVALID));
	CHECK(expect("srv lookup, length 32", proc,
		     M(PROC_SRV_LOOKUP, 5, 32, -1ull, -1ull, -1ull, -1ull), ERR_INVALID));
	CHECK(expect("srv lookup, short", proc, M(PROC_SRV_LOOKUP, 1, 5), ERR_INVALID));
	CHECK(expect("srv lookup, a slash", proc, M(PROC_SRV_LOOKUP, 2, 3, 0x622f61), ERR_INVALID));
	CHECK(expect("srv lookup, none", proc, M(PROC_SRV_LOOKUP, 2, 3, 0x7a7a7a), ERR_NOENT));
	CHECK(expect("srv publish, no handle", proc, M(PROC_SRV_PUBLISH, 2, 3, 0x7a7a7a),
		     ERR_INVALID));
	CHECK(expect("srv list", proc, M(PROC_SRV_LIST, 0), ERR_OK));
	CHECK(expect("srv withdraw, not ours", proc, M(PROC_SRV_WITHDRAW, 2, 3, 0x7a7a7a),
		     ERR_NOENT));
	CHECK(expect("oom adj, w1 = 2", proc, M(PROC_OOM_ADJ, 3, 0, 2, 0), ERR_INVALID));
	CHECK(expect("oom adj, 2^40", proc, M(PROC_OOM_ADJ, 3, 0, 1, 1ull << 40), ERR_INVALID));
	CHECK(expect("oom adj, -1001", proc, M(PROC_OOM_ADJ, 3, 0, 1, -1001ull), ERR_INVALID));
	CHECK(expect("oom adj, pid -1", proc, M(PROC_OOM_ADJ, 3, -1ull, 0, 0), ERR_INVALID));
	CHECK(expect("oom adj, no one", proc, M(PROC_OOM_ADJ, 3, NOPID, 0, 0), ERR_NOENT));
	CHECK(expect("oom adj, read", proc, M(PROC_OOM_ADJ, 3, me, 0, 0), ERR_OK));
	static const unsigned unknown[] = {0,	  0x1ff,     0x212,	    0x100,
					   0x300, MSG_FAULT, MSG_EXCEPTION, 0xffff};
	for (size_t i = 0; i < sizeof(unknown) / sizeof(unknown[0]); i++)
		CHECK(expect("unknown label", proc, M(unknown[i], 2, me, 9), ERR_UNSUPPORTED));

	/* Valid requests with hostile values: children that crash at once, reported and reaped. */
	CHECK(fork_crashes(0, 0, PROC_SIGSEGV));
	CHECK(fork_crashes(KADDR, -1ull, PROC_SIGSEGV));
	CHECK(fork_crashes(USTACK_TOP, USTACK_TOP, PROC_SIGSEGV)); /* not executable */

	/* An exit status beyond 8 bits keeps its low byte. */
	int pid = fork(), st = -1;
	if (pid == 0) {
		struct msg x = M(PROC_EXIT, 1, 0x1234);
		ipc_call(US->proc, &x);
		_exit(1);
	}
	CHECK(pid > 0 && waitpid(pid, &st, 0) == pid && WIFEXITED(st) && WEXITSTATUS(st) == 0x34);

	/* Duplicates: the second kill and the second wait find nothing. */
	char *spin[] = {"systest", "spin", 0};
	pid = strata_spawn("systest", spin, 0);
	CHECK(pid > 0);
	CHECK(expect("kill", proc, M(PROC_KILL, 2, pid, PROC_SIGTERM), ERR_OK));
	CHECK(expect("kill again", proc, M(PROC_KILL, 2, pid, PROC_SIGKILL), ERR_NOENT));
	m = M(PROC_WAIT, 1, pid);
	CHECK(ask_with(proc, &m, 0, 0) == ERR_OK && m.w[0] == (uint64_t)pid);
	CHECK(WIFSIGNALED((int)m.w[1]) && WTERMSIG((int)m.w[1]) == PROC_SIGTERM);
	CHECK(expect("wait again", proc, M(PROC_WAIT, 1, pid), ERR_NOENT));
	return true;
}

/* ----------------------------------------------------------------- con */

static bool hostile_con(void)
{
	const handle_t con = US->con;
	struct msg m;

	CHECK(expect("write, 0 words", con, M(CON_WRITE, 0), ERR_INVALID));
	CHECK(expect("write, 505 bytes", con, M(CON_WRITE, 64, CON_DATA_MAX + 1), ERR_INVALID));
	CHECK(expect("write, -1 bytes", con, M(CON_WRITE, 64, -1ull), ERR_INVALID));
	CHECK(expect("write, bytes missing", con, M(CON_WRITE, 2, 9, 0), ERR_INVALID));
	CHECK(expect("write, nothing", con, M(CON_WRITE, 5, 0, -1ull), ERR_OK));
	CHECK(expect("read, 0 words", con, M(CON_READ, 0), ERR_INVALID));
	CHECK(expect("read, 0 bytes", con, M(CON_READ, 1, 0), ERR_INVALID));
	CHECK(expect("read, 505 bytes", con, M(CON_READ, 1, CON_DATA_MAX + 1), ERR_INVALID));
	CHECK(expect("read, -1 bytes", con, M(CON_READ, 1, -1ull), ERR_INVALID));
	CHECK(expect("read, nothing typed", con, M(CON_READ, 64, 1), ERR_WOULDBLOCK));
	m = M(CON_WRITE, 1, 0);
	m.tag |= (uint64_t)(uint32_t)ERR_NOMEM << 32;
	CHECK(expect("write with an error", con, m, ERR_INVALID));
	m = M(CON_FOREGROUND, 1, CON_FG_ASK);
	CHECK(ask_with(con, &m, 0, 0) == ERR_OK);
	uint64_t fg = m.w[0];
	CHECK(expect("foreground, 0 words", con, M(CON_FOREGROUND, 0), ERR_INVALID));
	CHECK(expect("foreground 2^40", con, M(CON_FOREGROUND, 1, 1ull << 40), ERR_INVALID));
	CHECK(expect("foreground -2", con, M(CON_FOREGROUND, 1, -2ull), ERR_INVALID));
	m = M(CON_FOREGROUND, 1, fg); /* as it was: nothing changed */
	CHECK(ask_with(con, &m, 0, 0) == ERR_OK && m.w[0] == fg);
	static const unsigned unknown[] = {0,	  0x2ff,     0x303,	    0x100,
					   0x200, MSG_FAULT, MSG_EXCEPTION, 0xffff};
	for (size_t i = 0; i < sizeof(unknown) / sizeof(unknown[0]); i++)
		CHECK(expect("unknown label", con, M(unknown[i], 1, 1), ERR_UNSUPPORTED));
	return true;
}

/* ----------------------------------------------------------------- handles */

/*
 * Handles sent where none is expected, to every server and label (mem's
 * admin ones, the kernel's, unknown ones): refused or ignored, and closed
 * by the server. Each carries a 16-page frame, so one kept shows at once.
 */
static bool stray_handles(void)
{
	static const struct {
		int server; /* 0 mem, 1 proc, 2 con */
		unsigned label;
		unsigned words;
	} cases[] = {
	    {0, MEM_STATS, 0},	   {0, MEM_VS_STATS, 1}, {0, MEM_BRK, 1},     {0, MEM_MMAP, 4},
	    {0, MEM_VS_CREATE, 1}, {0, MEM_VS_FORK, 1},	 {0, MEM_MAP, 6},     {0, MSG_FAULT, 5},
	    {0, MSG_EXCEPTION, 5}, {0, 0xffff, 0},	 {1, PROC_GETPID, 0}, {1, PROC_EXIT, 1},
	    {1, PROC_FORK, 3},	   {1, MSG_FAULT, 5},	 {1, 0xffff, 0},      {2, CON_WRITE, 1},
	    {2, CON_READ, 1},	   {2, MSG_FAULT, 5},	 {2, 0xffff, 0},
	};
	const handle_t eps[] = {US->mem, US->proc, US->con};
	unsigned long before = unused_pages();

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		handle_t h[3];
		CHECK(sys_frame_alloc(4, 0, &h[0]) == ERR_OK);
		CHECK(sys_endpoint_create(&h[1]) == ERR_OK);
		CHECK(sys_notify_create(&h[2]) == ERR_OK);
		struct msg m = M(cases[i].label, cases[i].words, 0, 0, 0, 0, 0);
		int e = ask_with(eps[cases[i].server], &m, h, 3);
		for (int k = 0; k < 3; k++)
			sys_handle_close(h[k]);
		if (e == ERR_OK && cases[i].server != 0) {
			printf("    label %#x with handles accepted\n", cases[i].label);
			return false;
		}
		CHECK(e != ERR_PEER && e != ERR_CORRUPT);
	}
	CHECK(pages_back(before, "after stray handles"));
	return true;
}

/* ----------------------------------------------------------------- random */

struct rng {
	uint64_t s;
};

static uint64_t rnd(struct rng *r)
{
	r->s ^= r->s << 13;
	r->s ^= r->s >> 7;
	r->s ^= r->s << 17;
	return r->s;
}

/* A word a protocol may choke on. */
static uint64_t nasty(struct rng *r)
{
	static const uint64_t w[] = {
	    0,
	    1,
	    -1ull,
	    0x7fffffff,
	    0x80000000,
	    1ull << 63,
	    (1ull << 63) - 1,
	    PAGE,
	    PAGE - 1,
	    PAGE + 8,
	    UIMAGE_BASE,
	    UMMAP_BASE,
	    UMMAP_BASE + 12,
	    UMMAP_END - PAGE,
	    UMMAP_END,
	    UHEAP_END,
	    USTACK_TOP - PAGE,
	    USER_TOP_ABI,
	    KADDR,
	    CON_DATA_MAX,
	    CON_DATA_MAX + 1,
	    PROC_ARGS_MAX,
	    MEM_BADGE_ADMIN,
	    NOPID,
	    7,
	    3,
	    PROT_W | PROT_X,
	};
	switch (rnd(r) % 4) {
	case 0:
		return rnd(r);
	case 1:
		return rnd(r) % 600;
	default:
		return w[rnd(r) % (sizeof(w) / sizeof(w[0]))];
	}
}

static const unsigned mem_labels[] = {
    MEM_VS_CREATE, MEM_VS_DESTROY, MEM_VS_FORK, MEM_VS_RESET,  MEM_MAP,	       MEM_HEAP_INIT,
    MEM_POKE,	   MEM_BRK,	   MEM_MMAP,	MEM_MUNMAP,    MEM_STATS,      MEM_VS_STATS,
    MEM_FRAME,	   MEM_MAP_PAGER,  MEM_VS_MAPS, MEM_SHM_OPEN,  MEM_SHM_UNLINK, MEM_SHM_SIZE,
    MEM_MPROTECT,  MEM_MSYNC,	   MEM_TRACE,	MEM_TRACE_READ};
static const unsigned proc_labels[] = {
    PROC_SPAWN,	  PROC_EXEC,	 PROC_FORK,	  PROC_EXIT,	    PROC_WAIT,
    PROC_KILL,	  PROC_GETPID,	 PROC_LIST,	  PROC_TIMES,	    PROC_SETPGID,
    PROC_GETPGID, PROC_SRV_LIST, PROC_SRV_LOOKUP, PROC_SRV_PUBLISH, PROC_SRV_WITHDRAW};
static const unsigned con_labels[] = {CON_WRITE, CON_READ};

/* What one worker can attach: objects of its own (the handles proc gives carry no GRANT). */
struct kit {
	handle_t h[3]; /* a frame, an endpoint, a notification */
	uint64_t heap_end;
};

/*
 * A random message for server s. Requests that would end or disturb the test
 * itself rather than the server are bent into harmless ones (they are tested
 * one by one above): exit, fork and exec without handles (which would be done),
 * kills of real processes, shrinking the worker's heap, text to the console.
 */
static struct msg random_msg(struct rng *r, int s, const struct kit *k, unsigned *nh)
{
	static const unsigned *const labels[] = {mem_labels, proc_labels, con_labels};
	static const unsigned nlabels[] = {22, 15, 2};
	struct msg m = {0};
	unsigned label, words;
	uint64_t pick = rnd(r) % 16;

	if (pick < 11)
		label = labels[s][rnd(r) % nlabels[s]];
	else if (pick < 13)
		label = labels[(s + 1 + rnd(r) % 2) % 3][0];
	else if (pick == 13)
		label = MSG_FAULT + (unsigned)(rnd(r) % 2);
	else
		label = (unsigned)rnd(r) & 0xffff;
	words = rnd(r) % 3 ? (unsigned)(rnd(r) % 7) : (unsigned)(rnd(r) % 65);
	for (unsigned i = 0; i < MSG_REG_WORDS; i++)
		m.w[i] = i < words ? nasty(r) : 0;
	for (unsigned i = MSG_REG_WORDS; i < words; i++)
		IPCBUF->words[i] = nasty(r);
	*nh = rnd(r) % 5 == 0 ? (unsigned)(1 + rnd(r) % 3) : 0;
	m.tag = msg_tag(label, words, 0);
	if (rnd(r) % 32 == 0)
		m.tag |= (uint64_t)(uint32_t) - (int)(1 + rnd(r) % 19) << 32;

	if (s == 1 && !*nh && (label == PROC_EXIT || label == PROC_FORK || label == PROC_EXEC))
		m.tag = msg_tag(PROC_GETPID, words, 0);
	if (s == 1 && label == PROC_KILL && m.w[1] >= 1 && m.w[1] <= 31 &&
	    (m.w[0] < NOPID || m.w[0] > INT32_MAX))
		m.w[0] = NOPID;
	if (s == 0 && label == MEM_BRK && m.w[0] >= US->heap_base && m.w[0] < k->heap_end)
		m.w[0] = k->heap_end;
	/* A range of the worker's own given to an endpoint nobody serves would hang it there. */
	if (s == 0 && label == MEM_MAP_PAGER)
		m.w[3] &= ~(uint64_t)MEM_MMAP_FIXED;
	/*
	 * New rights for the worker's own code or stack would end it: from a
	 * page nothing maps instead (a range must be mapped all through).
	 */
	if (s == 0 && label == MEM_MPROTECT)
		m.w[0] = UMMAP_END - PAGE;
	/* A named object outlives the worker (it is the name's): none is made here. */
	if (s == 0 && label == MEM_SHM_OPEN)
		m.w[0] &= ~(uint64_t)MEM_SHM_CREATE;
	if (s == 2 && label == CON_WRITE && m.w[0] <= CON_DATA_MAX &&
	    msgbytes_fit(m.tag, CON_DATA_WORD, m.w[0]))
		m.w[0] = 0;
	return m;
}

/* Is a successful reply to m from server s possible? Unknown labels and stray handles never. */
static bool may_succeed(int s, unsigned label, unsigned nh)
{
	if (s == 0)
		return label == MEM_BRK || label == MEM_MMAP || label == MEM_MUNMAP ||
		       label == MEM_STATS || label == MEM_VS_STATS || label == MEM_FRAME ||
		       label == MEM_MAP_PAGER || label == MEM_VS_MAPS || label == MEM_SHM_OPEN ||
		       label == MEM_SHM_UNLINK || label == MEM_SHM_SIZE || label == MEM_MPROTECT ||
		       label == MEM_MSYNC || label == MEM_TRACE || label == MEM_TRACE_READ;
	if (nh)
		return s == 1 && label == PROC_SRV_PUBLISH;
	if (s == 1)
		return label >= PROC_SPAWN && label <= PROC_SRV_WITHDRAW && label != PROC_EXIT;
	return label == CON_WRITE || label == CON_READ;
}

/* One worker: n random messages from seed; 0 if every answer was as it may be. */
static int worker(uint64_t seed, unsigned n)
{
	const handle_t eps[] = {US->mem, US->proc, US->con};
	struct rng r = {seed};
	struct kit k;
	struct msg q = M(MEM_BRK, 1, 0);

	if (sys_frame_alloc(0, 0, &k.h[0]) != ERR_OK || sys_endpoint_create(&k.h[1]) != ERR_OK ||
	    sys_notify_create(&k.h[2]) != ERR_OK || ask_with(US->mem, &q, 0, 0) != ERR_OK)
		return 2;
	k.heap_end = q.w[0];
	for (unsigned i = 0; i < n; i++) {
		int s = (int)(rnd(&r) % 3);
		unsigned nh;
		struct msg m = random_msg(&r, s, &k, &nh);
		unsigned label = msg_label(m.tag);
		bool send = rnd(&r) % 16 == 0;
		int e;

		for (unsigned j = 0; j < nh; j++) {
			IPCBUF->handles[j] = k.h[(j + i) % 3];
			IPCBUF->handle_rights[j] = (uint32_t)rnd(&r) & RIGHTS_ALL;
		}
		m.tag |= (uint64_t)nh << 23;
		if (send) {
			e = ipc_send(eps[s], &m);
			if (e == ERR_OK || e == ERR_WOULDBLOCK)
				continue;
		} else {
			e = ipc_call(eps[s], &m);
			if (e == ERR_OK && msg_label(m.tag) != label)
				e = ERR_CORRUPT;
			else if (e == ERR_OK)
				e = msg_error(m.tag);
		}
		bool ok = e < 0 && e >= ERR_WOULDBLOCK && e != ERR_PEER && e != ERR_CORRUPT;
		if (e == ERR_OK)
			ok = may_succeed(s, label, nh);
		if (!ok) {
			printf(
			    "    seed %#lx message %u: label %#x, %u words, %u handles to %s: %s\n",
			    (unsigned long)seed, i, label, msg_words(m.tag), nh,
			    s == 0   ? "mem"
			    : s == 1 ? "proc"
				     : "con",
			    err_name(e));
			return 1;
		}
		if (e == ERR_OK && s == 0 && label == MEM_BRK && m.w[0] > k.heap_end)
			k.heap_end = m.w[0];
	}
	return 0;
}

/* Start a worker: a child running worker(seed, n) that exits with its result. */
static int start_worker(uint64_t seed, unsigned n)
{
	int pid = fork();

	if (pid == 0)
		_exit(worker(seed, n));
	return pid;
}

/* A caller killed while its requests are in flight: it loops until it is. */
static int start_victim(uint64_t seed)
{
	int pid = fork();

	if (pid == 0)
		for (;;)
			worker(seed, 1000);
	return pid;
}

/* Wait for the workers, at most a minute in all: false on a failure or a hang. */
static bool reap(int *pids, int n, uint64_t seed)
{
	int left = n, st;

	for (int t = 0; t < 6000 && left > 0; t++) {
		for (int i = 0; i < n; i++) {
			if (pids[i] <= 0 || waitpid(pids[i], &st, WNOHANG) != pids[i])
				continue;
			if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) {
				printf("    worker %d (seed %#lx): status %#x\n", i,
				       (unsigned long)(seed + (uint64_t)i), st);
				return false;
			}
			pids[i] = 0;
			left--;
		}
		if (left > 0)
			usleep(10000);
	}
	if (left > 0)
		printf("    %d workers still running after a minute (seed %#lx)\n", left,
		       (unsigned long)seed);
	return left == 0;
}

/* mem's statistics, and this process's share of them (which may grow as it runs). */
struct snapshot {
	struct mem_stats s;
	struct mem_vs_stats own;
};

/*
 * Both at one moment: this process's pages the same before and after the
 * system's were read (a first call may itself fault in a page of code or
 * stack).
 */
static bool snap(struct snapshot *x)
{
	struct mem_vs_stats before;

	for (int i = 0; i < 10; i++) {
		if (strata_vs_stats(0, &before) != 0 || strata_mem_stats(&x->s) != 0 ||
		    strata_vs_stats(0, &x->own) != 0)
			return false;
		if (before.resident == x->own.resident && before.committed == x->own.committed)
			return true;
	}
	return false;
}

/*
 * mem's statistics after the run match those before, this process's pages
 * aside: the same spaces, pages handed out and promised, pool; counters
 * only grow.
 */
static bool stats_same(const struct snapshot *a, const struct snapshot *b)
{
	uint64_t ra = a->s.resident - a->own.resident, rb = b->s.resident - b->own.resident;
	uint64_t ca = a->s.committed - a->own.committed, cb = b->s.committed - b->own.committed;

	if (b->s.spaces != a->s.spaces || rb != ra || cb != ca ||
	    b->s.pool_pages != a->s.pool_pages) {
		printf("    mem: spaces %lu -> %lu, others' resident %lu -> %lu, committed %lu -> "
		       "%lu, pool %lu -> %lu\n",
		       (unsigned long)a->s.spaces, (unsigned long)b->s.spaces, (unsigned long)ra,
		       (unsigned long)rb, (unsigned long)ca, (unsigned long)cb,
		       (unsigned long)a->s.pool_pages, (unsigned long)b->s.pool_pages);
		return false;
	}
	CHECK(b->s.commit_limit == a->s.commit_limit && b->s.committed <= b->s.commit_limit);
	CHECK(b->s.resident <= b->s.pool_pages);
	CHECK(b->s.faults >= a->s.faults && b->s.zero_fills >= a->s.zero_fills);
	return true;
}

static bool run_round(uint64_t seed)
{
	int pids[WORKERS];

	for (int i = 0; i < WORKERS; i++)
		pids[i] = start_worker(seed + (uint64_t)i, MESSAGES / WORKERS);
	int victim = start_victim(seed + WORKERS);
	CHECK(victim > 0);
	usleep(50000);
	CHECK(kill(victim, SIGKILL) == 0);
	int st;
	CHECK(waitpid(victim, &st, 0) == victim && WIFSIGNALED(st));
	return reap(pids, WORKERS, seed);
}

/*
 * Several processes at once send random hostile messages: every answer is
 * an error or a success where one is possible, no server stops answering,
 * and memory and mem's statistics are back where they were.
 */
static bool hostile_random(void)
{
	struct snapshot s0, s1;
	struct proc_info pi;

	CHECK(snap(&s0));
	unsigned long before = unused_pages();
	if (!run_round(SEED)) {
		printf("    seed %#lx\n", (unsigned long)SEED);
		return false;
	}
	CHECK(pages_back(before, "after the random run"));
	CHECK(snap(&s1));
	CHECK(stats_same(&s0, &s1));
	/* Every server still answers. */
	CHECK(strata_proc_list(0, &pi) >= 0);
	CHECK(expect("con", US->con, M(CON_WRITE, 1, 0), ERR_OK));
	return true;
}

const struct systest hostile_tests[] = {
    {"hostile_mem", hostile_mem},	{"hostile_proc", hostile_proc},
    {"hostile_con", hostile_con},	{"stray_handles", stray_handles},
    {"hostile_random", hostile_random}, {0, 0},
};
