/*
 * sysfuzz: a system-call fuzzer that runs as a hostile program in its own
 * space and quota, started by utest (user/utest/sysfuzz.c), which checks
 * afterwards that every byte came back and the kernel is still sound.
 *
 * It is a program of its own rather than code inside utest because what it
 * does (random unmaps, regions over its own memory, kills, closes) must not
 * be able to hurt the harness: only the fuzzer's own space can be damaged.
 *
 * One seed drives everything. The main thread builds object graphs
 * (quotas, spaces, threads, endpoints, notifications, frames, mappings,
 * regions paged by our own endpoints, handles given into other spaces),
 * makes raw system calls with arguments drawn from interesting values, and
 * starts worker threads that do the same with blocking calls, IPC with
 * handles, touches of paged memory, and pagers that reply well, badly,
 * twice, late or never. At the end it kills every thread it made, closes
 * every handle in random order and exits.
 *
 * Memory of our space (A):
 *   0x10000            program
 *   ARENA              stacks and IPC buffers of workers (never touched by fuzzing)
 *   MAPWIN             fuzzed mappings of our frames
 *   REGWIN             fuzzed regions (pagers are our endpoints)
 *   SYSFUZZ_CTL_VA     control page, then the main thread's IPC buffer
 *   ULOAD_STACK_TOP    main stack, below
 * The main thread never passes a pointer the kernel could fault on into a
 * region (it would wait for a pager that may never answer); workers do.
 */
#include <stdbool.h>
#include <stdint.h>

#include "lib/fmt.h"
#include "lib/str.h"
#include "lib/user/ipc.h"
#include "lib/user/loader.h"
#include "lib/user/syscall.h"
#include "lib/user/sysfuzz_ctl.h"
#include "lib/user/ulib.h"

#define PAGE	    4096ull
#define ARENA	    0x1000000000ull
#define MAPWIN	    0x1800000000ull
#define MAPWIN_LEN  (16ull << 20)
#define REGWIN	    0x2000000000ull
#define REGWIN_LEN  (16ull << 20)
#define MAX_OBJS    384
#define MAX_POOL    1024
#define MAX_STALE   64
#define MAX_REGS    64
#define MAX_WORKERS 16
#define WPRIO	    10

/* Badges of exception messages: what to do with a faulting thread. */
#define EXC_RESUME 1 /* one of our workers: skip a touch, or make it exit */
#define EXC_KILL   2 /* anything else: refuse (it dies) */

/* ------------------------------------------------------------ random */
struct rng {
	uint64_t s;
};

static uint64_t rnd(struct rng *r)
{
	uint64_t z = (r->s += 0x9e3779b97f4a7c15ull);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static unsigned below(struct rng *r, unsigned n)
{
	return n ? (unsigned)(rnd(r) % n) : 0;
}

static bool chance(struct rng *r, unsigned pct)
{
	return below(r, 100) < pct;
}

/* ------------------------------------------------------------ state */
static struct sysfuzz_ctl *ctl;

/* Every object we made; owner handles are only closed at the end. */
struct obj {
	uint8_t type;
	volatile uint8_t killed;
	handle_t owner;
};
static struct obj objs[MAX_OBJS];
static volatile uint32_t nobjs;

/* Handles the fuzzing may close, give away and misuse. */
struct pooled {
	handle_t h;
	uint8_t type;
	int16_t obj; /* index in objs, or -1 */
};
static struct pooled pool[MAX_POOL];
static volatile uint32_t npool;
static volatile handle_t stale[MAX_STALE], foreign[MAX_STALE];
static volatile uint32_t nstale, nforeign;

struct region {
	handle_t space; /* owner handle */
	uint64_t va, len;
};
static struct region regs[MAX_REGS];
static volatile uint32_t nregs;

enum wkind { W_FUZZ, W_PAGER, W_EXC };
struct worker {
	enum wkind kind;
	struct rng r;
	handle_t ep; /* pager / exception endpoint (owner) */
	uint64_t stack, ipcbuf;
	int obj;
};
static struct worker workers[MAX_WORKERS];
static volatile uint32_t nworkers;

static handle_t own_space, own_quota, exc_ep;
static uint64_t arena_next = ARENA;
static uint32_t avoid;

extern char fuzz_load_insn[], fuzz_store_insn[], fuzz_upcall[];
uint64_t fuzz_load(uint64_t va);
void fuzz_store(uint64_t va, uint64_t v);
/* A load and a store of 4 bytes each (no compressed forms), so a handler can skip them. */
__asm__(".text\n"
	".globl fuzz_load\n.globl fuzz_store\n.globl fuzz_load_insn\n.globl fuzz_store_insn\n"
	".option push\n.option norvc\n"
	"fuzz_load:\nfuzz_load_insn:\n\tld a0, 0(a0)\n\tret\n"
	"fuzz_store:\nfuzz_store_insn:\n\tsd a1, 0(a0)\n\tret\n"
	".option pop\n"
	/* An upcall that does nothing: straight back to what it interrupted. */
	".globl fuzz_upcall\nfuzz_upcall:\n\tli a0, 0\n\tli a7, 51\n\tecall\n\tunimp\n");

static void fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void fail(const char *fmt, ...)
{
	va_list ap;

	if (ctl->why[0])
		return;
	va_start(ap, fmt);
	fmt_vsnprintf(ctl->why, sizeof(ctl->why), fmt, ap);
	va_end(ap);
}

static uint32_t take(volatile uint32_t *n, uint32_t max)
{
	uint32_t i = __atomic_fetch_add(n, 1, __ATOMIC_RELAXED);
	return i < max ? i : max;
}

static int add_obj(unsigned type, handle_t owner)
{
	uint32_t i = take(&nobjs, MAX_OBJS);
	if (i == MAX_OBJS)
		return -1;
	objs[i] = (struct obj){.type = (uint8_t)type, .owner = owner};
	return (int)i;
}

static void pool_add(handle_t h, unsigned type, int obj)
{
	uint32_t i = take(&npool, MAX_POOL);
	if (i < MAX_POOL)
		pool[i] = (struct pooled){h, (uint8_t)type, (int16_t)obj};
}

static void note(volatile handle_t *list, volatile uint32_t *n, handle_t h)
{
	list[take(n, 1u << 30) % MAX_STALE] = h;
}

static unsigned pool_count(void)
{
	return npool < MAX_POOL ? npool : MAX_POOL;
}

/* A pooled handle of type t (0: any), or 0 if there is none. */
static struct pooled *pool_pick(struct rng *r, unsigned t)
{
	unsigned n = pool_count();
	for (int tries = 0; n && tries < 12; tries++) {
		struct pooled *p = &pool[below(r, n)];
		if (p->h && (!t || p->type == t))
			return p;
	}
	return 0;
}

/*
 * Owner handles must survive the fuzzing: a raw argument equal to one is
 * replaced, and so is a handle put in an IPC buffer to be sent (else our
 * space's owner handle, RIGHT_MAP included, could come back to one of our
 * own threads as a new handle that the pool then hands to raw calls).
 */
static bool is_owner(uint64_t v)
{
	if (v == 0 || v > INT32_MAX)
		return false;
	if (v == (uint64_t)ctl->quota || v == (uint64_t)ctl->space || v == (uint64_t)ctl->system)
		return true;
	uint32_t n = nobjs < MAX_OBJS ? nobjs : MAX_OBJS;
	for (uint32_t i = 0; i < n; i++)
		if ((uint64_t)objs[i].owner == v)
			return true;
	return false;
}

/* A new object: remember the owner, and pool a copy with random rights. */
static int adopt(struct rng *r, unsigned type, handle_t owner)
{
	int o = add_obj(type, owner);
	uint32_t rights = chance(r, 70) ? RIGHTS_ALL : (uint32_t)rnd(r) & 0xff;
	handle_t d;

	if (o < 0)
		return o;
	if (type == OBJ_ENDPOINT && chance(r, 30)) {
		if (sys_handle_mint(owner, rights, rnd(r), &d) == ERR_OK)
			pool_add(d, type, o);
	} else if (sys_handle_dup(owner, rights, &d) == ERR_OK) {
		pool_add(d, type, o);
	}
	return o;
}

/* ------------------------------------------------------------ interesting values */
static const uint64_t addrs[] = {
    0,
    1,
    4095,
    4096,
    0x10000,
    0x7ffff000,
    0x80000000, /* RAM, physical */
    0x80200000, /* the kernel, physical */
    0x87fff000,
    USER_TOP_ABI - PAGE,
    USER_TOP_ABI - 1,
    USER_TOP_ABI,
    USER_TOP_ABI + PAGE,
    USER_TOP_ABI - (1ull << 30),
    BOOTINFO_VA,
    0xffffffc000000000ull, /* the direct map */
    0xffffffc080000000ull,
    0xffffffff80200000ull, /* the kernel image */
    ~0ull,
    ~0xfffull,
    1ull << 63,
    0x1000000000ull,
};
static const uint64_t lens[] = {
    0,
    1,
    4095,
    4096,
    8192,
    3 * PAGE,
    64 * PAGE,
    1ull << 21,
    1ull << 30,
    1ull << 38,
    USER_TOP_ABI - PAGE,
    ~0ull,
    ~0xfffull,
    1ull << 63,
    544,
};
static const uint64_t nums[] = {0,  1,	 2,   3,     4,		 5,	     7,
				8,  16,	 18,  19,    31,	 32,	     63,
				64, 512, 513, ~0ull, 1ull << 32, 0x7fffffff, 0x80000000};

#define N(a) (sizeof(a) / sizeof((a)[0]))

static uint64_t pick_addr(struct rng *r, uint64_t ipcbuf)
{
	switch (below(r, 8)) {
	case 0:
		return ipcbuf + (chance(r, 50) ? 0 : below(r, 600));
	case 1:
		return REGWIN + below(r, REGWIN_LEN / PAGE) * PAGE +
		       (chance(r, 80) ? 0 : below(r, PAGE));
	case 2:
		return MAPWIN + below(r, MAPWIN_LEN / PAGE) * PAGE;
	case 3:
		return (rnd(r) % USER_TOP_ABI) & ~(PAGE - 1);
	case 4:
		return rnd(r);
	default:
		return addrs[below(r, N(addrs))];
	}
}

static uint64_t pick_len(struct rng *r)
{
	return chance(r, 70) ? lens[below(r, N(lens))] : (uint64_t)(1 + below(r, 64)) * PAGE;
}

static uint64_t pick_num(struct rng *r)
{
	return chance(r, 80) ? nums[below(r, N(nums))] : rnd(r) >> below(r, 64);
}

static uint64_t pick_tag(struct rng *r)
{
	switch (below(r, 6)) {
	case 0:
		return rnd(r);
	case 1:
		return msg_tag(MSG_FAULT, 5, 0) | (1ull << 31); /* a forged fault */
	case 2:
		return msg_error_tag(below(r, 0x10000), -(int)below(r, 20));
	case 3:
		return msg_tag(below(r, 0x10000), below(r, 70), below(r, 6)) | ((rnd(r) & 7) << 26);
	default:
		return msg_tag(below(r, 0x10000), below(r, MSG_MAX_WORDS + 1),
			       below(r, MSG_MAX_HANDLES + 1));
	}
}

static uint64_t pick_handle(struct rng *r, unsigned type)
{
	unsigned k = below(r, 100);
	struct pooled *p = pool_pick(r, k < 60 ? type : 0);

	if (k < 75 && p)
		return (uint64_t)(uint32_t)p->h;
	if (k < 85 && nstale)
		return (uint64_t)(uint32_t)stale[below(r, nstale < MAX_STALE ? nstale : MAX_STALE)];
	if (k < 88 && nforeign)
		return (uint64_t)(uint32_t)
		    foreign[below(r, nforeign < MAX_STALE ? nforeign : MAX_STALE)];
	static const uint64_t junk[] = {0, ~0ull, 0x7fffffff, 0x80000000, 0xffffffff, 1ull << 32};
	if (k < 94 || !p)
		return junk[below(r, N(junk))];
	return (uint64_t)(uint32_t)p->h | (1ull << 32); /* a real handle with junk above bit 31 */
}

static const char console_text[] = "~~~~~~~\n"; /* always ends a line */

/* Argument kinds of each call. */
enum { K_ANY, K_ADDR, K_LEN, K_NUM, K_PROT, K_RIGHTS, K_BADGE, K_TAG, K_H = 16 };
#define H(t) (K_H + (t))
static const uint8_t argk[SYS_COUNT][7] = {
    [SYS_DEBUG_WRITE] = {K_ADDR, K_LEN},
    [SYS_HANDLE_CLOSE] = {H(0)},
    [SYS_HANDLE_DUP] = {H(0), K_RIGHTS},
    [SYS_HANDLE_INFO] = {H(0)},
    [SYS_QUOTA_SPLIT] = {H(OBJ_QUOTA), K_LEN},
    [SYS_QUOTA_INFO] = {H(OBJ_QUOTA)},
    [SYS_FRAME_ALLOC] = {K_NUM, K_NUM, H(OBJ_SYSTEM)},
    [SYS_FRAME_INFO] = {H(OBJ_FRAME)},
    [SYS_FRAME_COPY] = {H(OBJ_FRAME), K_NUM, H(OBJ_FRAME), K_NUM, K_NUM},
    [SYS_FRAME_ZERO] = {H(OBJ_FRAME), K_NUM, K_NUM},
    [SYS_SPACE_CREATE] = {H(OBJ_QUOTA)},
    [SYS_SPACE_MAP] = {H(OBJ_SPACE), K_ADDR, H(OBJ_FRAME), K_NUM, K_NUM, K_PROT},
    [SYS_SPACE_UNMAP] = {H(OBJ_SPACE), K_ADDR, K_LEN},
    [SYS_SPACE_PROTECT] = {H(OBJ_SPACE), K_ADDR, K_LEN, K_PROT},
    [SYS_SPACE_AD] = {H(OBJ_SPACE), K_ADDR, K_NUM, K_ADDR, K_NUM},
    [SYS_REGION_ADD] = {H(OBJ_SPACE), K_ADDR, K_LEN, H(OBJ_ENDPOINT), K_BADGE, K_PROT},
    [SYS_REGION_REMOVE] = {H(OBJ_SPACE), K_ADDR},
    [SYS_THREAD_CREATE] = {H(OBJ_SPACE), K_ADDR, K_ADDR, K_ANY, K_NUM},
    [SYS_THREAD_START] = {H(OBJ_THREAD)},
    [SYS_THREAD_SUSPEND] = {H(OBJ_THREAD)},
    [SYS_THREAD_EXIT] = {K_NUM},
    [SYS_THREAD_SET_EXCEPTION] = {H(OBJ_THREAD), H(OBJ_ENDPOINT), K_BADGE},
    [SYS_THREAD_SET_IPCBUF] = {H(OBJ_THREAD), K_ADDR},
    [SYS_SLEEP] = {K_NUM},
    [SYS_CALL] = {H(OBJ_ENDPOINT), K_TAG, K_ANY, K_ANY, K_ANY, K_ANY, K_ANY},
    [SYS_SEND] = {H(OBJ_ENDPOINT), K_TAG, K_ANY, K_ANY, K_ANY, K_ANY, K_ANY},
    [SYS_RECV] = {H(OBJ_ENDPOINT)},
    [SYS_REPLY] = {K_ANY, K_TAG, K_ANY, K_ANY, K_ANY, K_ANY, K_ANY},
    [SYS_REPLY_RECV] = {H(OBJ_ENDPOINT), K_TAG, K_ANY, K_ANY, K_ANY, K_ANY, K_ANY},
    [SYS_NOTIFY_SIGNAL] = {H(OBJ_NOTIFY), K_ANY},
    [SYS_NOTIFY_WAIT] = {H(OBJ_NOTIFY)},
    [SYS_NOTIFY_POLL] = {H(OBJ_NOTIFY)},
    [SYS_IRQ_BIND] = {H(OBJ_IRQ), H(OBJ_NOTIFY), K_ANY},
    [SYS_IRQ_ACK] = {H(OBJ_IRQ)},
    [SYS_MEM_WATCH] = {H(OBJ_SYSTEM), H(OBJ_NOTIFY), K_ANY, K_NUM},
    [SYS_MEM_INFO] = {H(OBJ_SYSTEM), K_ADDR},
    [SYS_SYSTEM_EXIT] = {H(OBJ_SYSTEM), K_NUM},
    [SYS_HANDLE_MINT] = {H(0), K_RIGHTS, K_BADGE},
    [SYS_THREAD_INFO] = {H(OBJ_THREAD)},
    [SYS_THREAD_KILL] = {H(OBJ_THREAD), K_NUM},
    [SYS_HANDLE_GIVE] = {H(OBJ_SPACE), H(0), K_RIGHTS},
    [SYS_KERNEL_STATS] = {H(OBJ_SYSTEM), K_NUM},
    [SYS_KERNEL_CHECK] = {H(OBJ_SYSTEM)},
    [SYS_FRAME_PHYS] = {H(OBJ_FRAME), H(OBJ_SYSTEM)},
    [SYS_REPLY_TO] = {H(OBJ_REPLY), K_TAG, K_ANY, K_ANY, K_ANY, K_ANY, K_ANY},
    [SYS_THREAD_UPCALL] = {H(OBJ_THREAD), K_NUM, K_ADDR},
    [SYS_FRAME_AD] = {H(OBJ_FRAME), K_NUM, K_NUM, K_ADDR, K_NUM},
};

/* Calls whose first check is the handle in a0: a closed one must give ERR_BADHANDLE. */
static bool handle_first(unsigned nr)
{
	switch (nr) {
	case SYS_DEBUG_WRITE:
	case SYS_FRAME_ALLOC:
	case SYS_THREAD_EXIT:
	case SYS_YIELD:
	case SYS_SLEEP:
	case SYS_CLOCK:
	case SYS_ENDPOINT_CREATE:
	case SYS_REPLY:
	case SYS_NOTIFY_CREATE:
	case SYS_KERNEL_STATS:
	case SYS_UPCALL_RETURN:
	case SYS_UPCALL_SAVE:
	case SYS_KERNEL_CHECK:
	case SYS_REPLY_SAVE:
		return false;
	default:
		return nr < SYS_COUNT;
	}
}

static uint64_t pick_arg(struct rng *r, unsigned kind, uint64_t ipcbuf)
{
	if (chance(r, 15))
		kind = below(r, 2) ? K_H : below(r, K_TAG + 1);
	switch (kind) {
	case K_ADDR:
		return pick_addr(r, ipcbuf);
	case K_LEN:
		return pick_len(r);
	case K_NUM:
		return pick_num(r);
	case K_PROT:
		return chance(r, 90) ? below(r, 8) : rnd(r);
	case K_RIGHTS:
		return chance(r, 50) ? RIGHTS_ALL : chance(r, 80) ? (rnd(r) & 0xff) : rnd(r);
	case K_BADGE:
		return chance(r, 30) ? 0 : rnd(r);
	case K_TAG:
		return pick_tag(r);
	case K_ANY:
		return below(r, 2) ? pick_num(r) : pick_addr(r, ipcbuf);
	default:
		return pick_handle(r, kind - K_H);
	}
}

/* True if the kernel could fault on [va, va + len) and wait for a pager (no mapping there). */
static bool may_page(uint64_t va, uint64_t len, uint64_t ipcbuf)
{
	if (va >= USER_TOP_ABI || len > USER_TOP_ABI - va)
		return false; /* refused before any copy */
	return !(va >= ipcbuf && va + len <= ipcbuf + PAGE);
}

/* ------------------------------------------------------------ raw calls */
static void fill_ipcbuf(struct rng *r, uint64_t ipcbuf)
{
	struct ipc_buffer *b = (struct ipc_buffer *)ipcbuf;

	for (int i = 0; i < MSG_MAX_HANDLES; i++) {
		/*
		 * Stale and foreign values are numbers from other times and
		 * other tables: one may well be an owner handle of ours.
		 */
		uint64_t h = pick_handle(r, 0);
		b->handles[i] = is_owner(h) ? 0x7fff0000 : (handle_t)h;
		b->handle_rights[i] = chance(r, 60) ? RIGHTS_ALL : (uint32_t)rnd(r);
	}
	for (int i = MSG_REG_WORDS; i < MSG_MAX_WORDS; i += 1 + below(r, 8))
		b->words[i] = chance(r, 50) ? rnd(r) : pick_handle(r, 0);
}

/* Received handles land in our table: pool them. */
static void collect(uint64_t tag, uint64_t ipcbuf)
{
	struct ipc_buffer *b = (struct ipc_buffer *)ipcbuf;
	unsigned n = msg_handles(tag);

	for (unsigned i = 0; i < n && i < MSG_MAX_HANDLES; i++) {
		unsigned type = 0;
		uint32_t rights = 0;
		handle_t h = b->handles[i];
		if (h > 0 && sys_handle_info(h, &type, &rights) == ERR_OK)
			pool_add(h, type, -1);
	}
}

static void record_result(struct rng *r, unsigned nr, const uint64_t *a, const struct sysret *res,
			  uint64_t ipcbuf)
{
	handle_t h = (handle_t)res->r[0];
	static const uint8_t made[SYS_COUNT] = {
	    [SYS_QUOTA_SPLIT] = OBJ_QUOTA,	  [SYS_FRAME_ALLOC] = OBJ_FRAME,
	    [SYS_SPACE_CREATE] = OBJ_SPACE,	  [SYS_THREAD_CREATE] = OBJ_THREAD,
	    [SYS_ENDPOINT_CREATE] = OBJ_ENDPOINT, [SYS_NOTIFY_CREATE] = OBJ_NOTIFY,
	    [SYS_REPLY_SAVE] = OBJ_REPLY,
	};

	if (res->err != ERR_OK)
		return;
	if (nr < SYS_COUNT && made[nr]) {
		int o = adopt(r, made[nr], h);
		if (o >= 0 && nr == SYS_THREAD_CREATE && exc_ep && chance(r, 80))
			sys_thread_set_exception(h, exc_ep, EXC_KILL);
	} else if (nr == SYS_HANDLE_DUP || nr == SYS_HANDLE_MINT) {
		unsigned type = 0;
		uint32_t rights = 0;
		if (sys_handle_info(h, &type, &rights) == ERR_OK)
			pool_add(h, type, -1);
	} else if (nr == SYS_HANDLE_GIVE) {
		unsigned type = 0;
		uint32_t rights = 0;
		/* Given into our own space (a pooled handle to it), or somewhere else. */
		if (sys_handle_info(h, &type, &rights) == ERR_OK && type == OBJ_SPACE &&
		    a[0] == (uint64_t)(uint32_t)h)
			pool_add(h, type, -1);
		else
			note(foreign, &nforeign, h);
	} else if (nr == SYS_CALL || nr == SYS_RECV || nr == SYS_REPLY_RECV) {
		collect(res->r[0], ipcbuf);
	} else if (nr == SYS_HANDLE_CLOSE) {
		note(stale, &nstale, (handle_t)a[0]);
	}
}

static bool is_stale(uint64_t v)
{
	uint32_t n = nstale < MAX_STALE ? nstale : MAX_STALE;
	for (uint32_t i = 0; i < n; i++)
		if (v == (uint64_t)(uint32_t)stale[i])
			return true;
	return false;
}

static bool was_killed(uint64_t h)
{
	unsigned n = pool_count();
	for (unsigned i = 0; i < n; i++)
		if ((uint64_t)(uint32_t)pool[i].h == h && pool[i].obj >= 0)
			return objs[pool[i].obj].killed;
	return true; /* unknown: assume the worst */
}

/* Does [va, va + len) (wrapping or not) touch [lo, hi)? */
static bool overlaps(uint64_t va, uint64_t len, uint64_t lo, uint64_t hi)
{
	uint64_t end = va + len;
	if (end < va)
		return true;
	return va < hi && end > lo;
}

/* [va, va + len) touches memory of ours other than the page mine (0: none). */
static bool self_area(uint64_t va, uint64_t len, uint64_t mine)
{
	if (mine && va >= mine && len <= PAGE && va - mine <= PAGE - len)
		return false;
	return overlaps(va, len, 0x10000, MAPWIN) ||
	       overlaps(va, len, REGWIN + REGWIN_LEN, ULOAD_STACK_TOP);
}

/* With FUZZ_AVOID_KILL_SUSPEND: no suspend of a thread that may have been killed, or is ready. */
static bool suspend_ok(uint64_t h)
{
	struct thread_info ti = {0};

	if (was_killed(h))
		return false;
	return sys_thread_info((handle_t)h, &ti) == ERR_OK && ti.state != THREAD_READY &&
	       ti.exit_status == 0;
}

static void mark_killed(uint64_t h)
{
	unsigned n = pool_count();
	for (unsigned i = 0; i < n; i++)
		if ((uint64_t)(uint32_t)pool[i].h == h && pool[i].obj >= 0)
			objs[pool[i].obj].killed = 1;
}

/*
 * One raw system call with generated arguments. main: the main thread,
 * which must never block for long.
 */
static void raw_call(struct rng *r, bool main, uint64_t ipcbuf)
{
	unsigned nr = below(r, SYS_COUNT + 4);
	uint64_t a[7];

	if (chance(r, 2))
		nr = (unsigned)rnd(r);
	/* Calls that can block for good: never the main thread, workers now and then. */
	if ((main || chance(r, 70)) && (nr == SYS_CALL || nr == SYS_RECV || nr == SYS_REPLY_RECV))
		nr = SYS_SEND;
	if ((main || chance(r, 70)) && nr == SYS_NOTIFY_WAIT)
		nr = SYS_NOTIFY_POLL;
	if (main && nr == SYS_THREAD_EXIT)
		nr = SYS_YIELD;
	for (int i = 0; i < 7; i++) {
		unsigned kind = nr < SYS_COUNT ? argk[nr][i] : K_ANY;
		a[i] = pick_arg(r, kind, ipcbuf);
		if (is_owner(a[i]))
			a[i] = 0x7fff0000;
	}
	if (nr == SYS_DEBUG_WRITE) {
		/* What could be printed is our own text: the log must stay text. */
		a[1] = chance(r, 70) ? below(r, 9) : pick_len(r);
		if (a[0] < USER_TOP_ABI && a[1] <= PAGE && a[1] <= USER_TOP_ABI - a[0]) {
			a[1] %= sizeof(console_text);
			a[0] = (uint64_t)console_text + sizeof(console_text) - 1 - a[1];
		}
	}
	if (nr == SYS_SLEEP && (main || chance(r, 80)))
		a[0] %= 3000000;
	if (main) {
		/* Pointers the kernel copies through must not wait for a pager. */
		if (nr == SYS_DEBUG_WRITE && may_page(a[0], a[1], ipcbuf))
			a[0] = ipcbuf;
		if (nr == SYS_SPACE_AD && may_page(a[3], a[2] > 512 ? 1 : a[2], ipcbuf))
			a[3] = ipcbuf;
		if (nr == SYS_MEM_INFO && a[1] && may_page(a[1], 19 * 8, ipcbuf))
			a[1] = ipcbuf;
	}
	/*
	 * Nothing the kernel writes may land on our program, stacks, control
	 * page or another thread's IPC buffer: the kernel would do as asked,
	 * and the fuzzer would die of its own hand (reading its globals as
	 * zeros) — a failure that says nothing about the kernel.
	 */
	if (nr == SYS_SPACE_AD && self_area(a[3], a[2] > 512 ? 512 : a[2], ipcbuf))
		a[3] = ipcbuf;
	if (nr == SYS_MEM_INFO && a[1] && self_area(a[1], 19 * 8, ipcbuf))
		a[1] = ipcbuf;
	if (nr == SYS_THREAD_SET_IPCBUF && a[1] && self_area(a[1], PAGE, 0))
		a[1] = MAPWIN + ((a[1] >> 12) % (MAPWIN_LEN / PAGE)) * PAGE;
	if ((avoid & FUZZ_AVOID_COPY_UAF) && nr == SYS_THREAD_SET_IPCBUF && a[1] != 0 &&
	    may_page(a[1], sizeof(struct ipc_buffer), ipcbuf))
		a[1] = ipcbuf;
	if ((avoid & FUZZ_AVOID_COPY_UAF) && nr == SYS_SPACE_AD &&
	    may_page(a[3], a[2] > 512 ? 1 : a[2], ipcbuf))
		a[3] = ipcbuf;
	/*
	 * No region over our program, stacks, control page or IPC buffers: a
	 * pager's reply may replace mappings in its region, and a pager whose
	 * IPC buffer was moved sends whatever words lie there.
	 */
	if (nr == SYS_REGION_ADD && (overlaps(a[1], a[2], 0x10000, MAPWIN) ||
				     overlaps(a[1], a[2], REGWIN + REGWIN_LEN, ULOAD_STACK_TOP))) {
		a[1] = REGWIN + (a[1] & (REGWIN_LEN - 1) & ~(PAGE - 1));
		if (a[2] > REGWIN + REGWIN_LEN - a[1])
			a[2] = REGWIN + REGWIN_LEN - a[1];
	}
	if ((avoid & FUZZ_AVOID_KILL_SUSPEND) && nr == SYS_THREAD_SUSPEND && !suspend_ok(a[0]))
		return;
	if ((avoid & FUZZ_AVOID_HUGE_RANGE) && (nr == SYS_SPACE_UNMAP || nr == SYS_SPACE_PROTECT) &&
	    a[2] > (16ull << 20))
		a[2] &= (16ull << 20) - 1;
	if ((avoid & FUZZ_AVOID_SELF_HANDLE) && nr == SYS_HANDLE_GIVE)
		return; /* raw gives cannot tell where they go */
	if ((nr >= SYS_CALL && nr <= SYS_REPLY_RECV) || nr == SYS_REPLY_TO)
		fill_ipcbuf(r, ipcbuf);
	if (nr == SYS_THREAD_KILL)
		mark_killed(a[0]);
	/*
	 * An upcall to one of our threads must land somewhere that returns at
	 * once; else an entry the kernel refuses (ERR_RANGE).
	 */
	/* Registers from our own memory would send this thread anywhere: only the kept ones. */
	if (nr == SYS_UPCALL_RETURN)
		a[0] = 0;
	if (nr == SYS_THREAD_UPCALL) {
		static const uint64_t bad[] = {0, 1, USER_TOP_ABI, ~0ull};
		a[2] = chance(r, 90) ? (uint64_t)fuzz_upcall : bad[below(r, 4)];
	}

	if (main) {
		ctl->last[0] = nr;
		for (int i = 0; i < 7; i++)
			ctl->last[i + 1] = a[i];
	}
	bool closed = handle_first(nr) && is_stale(a[0]);
	__atomic_fetch_add(&ctl->calls, 1, __ATOMIC_RELAXED);
	struct sysret res = syscall7(nr, a[0], a[1], a[2], a[3], a[4], a[5], a[6]);

	if (ctl->trace)
		uprintf("sysfuzz: %s %u(%#lx, %#lx, %#lx, %#lx, %#lx, %#lx, %#lx) = %ld\n",
			main ? "main" : "worker", nr, a[0], a[1], a[2], a[3], a[4], a[5], a[6],
			res.err);
	if (res.err > 0 || res.err < ERR_LAST)
		fail("call %u returned %ld", nr, res.err);
	if (nr >= SYS_COUNT && res.err != ERR_UNSUPPORTED)
		fail("call %u (no such call) returned %ld", nr, res.err);
	if (closed && res.err != ERR_BADHANDLE)
		fail("call %u on closed handle %#lx returned %ld", nr, a[0], res.err);
	record_result(r, nr, a, &res, ipcbuf);
}

/* ------------------------------------------------------------ threads */
static uint64_t arena_alloc(unsigned order)
{
	handle_t f;
	uint64_t va = arena_next;

	if (sys_frame_alloc(order, 0, &f) != ERR_OK)
		return 0;
	arena_next += (PAGE << order) + PAGE;
	int e = sys_space_map(own_space, va, f, 0, 1ull << order, PROT_R | PROT_W);
	sys_handle_close(f);
	return e == ERR_OK ? va : 0;
}

static void __attribute__((noreturn)) exit_trampoline(void)
{
	sys_thread_exit(0);
}

/* Resume a worker after a touch that could not be resolved, end anything else. */
static void exc_serve(struct worker *w)
{
	struct msg m = {0};

	for (;;) {
		int e = ipc_reply_recv(w->ep, &m);
		if (e == ERR_PEER)
			sys_thread_exit(0);
		if (e != ERR_OK) {
			m = (struct msg){.tag = msg_error_tag(MSG_EXCEPTION, ERR_INVALID)};
			continue;
		}
		__atomic_fetch_add(&ctl->exceptions, 1, __ATOMIC_RELAXED);
		uint64_t pc = m.w[2];
		if (msg_label(m.tag) != MSG_EXCEPTION || m.badge != EXC_RESUME)
			m = (struct msg){.tag = msg_error_tag(MSG_EXCEPTION, ERR_FAULT)};
		else if (pc == (uint64_t)fuzz_load_insn || pc == (uint64_t)fuzz_store_insn)
			m = (struct msg){.tag = msg_tag(MSG_EXCEPTION, 1, 0), .w = {pc + 4}};
		else
			m = (struct msg){.tag = msg_tag(MSG_EXCEPTION, 1, 0),
					 .w = {(uint64_t)exit_trampoline}};
	}
}

/* May a pager's reply map over va in our space? Only where nothing of ours lives. */
static bool target_ok(uint64_t va)
{
	return va < 0x10000 || (va >= 0x1000000 && va < ARENA) ||
	       (va >= MAPWIN && va < REGWIN + REGWIN_LEN) || va >= ULOAD_STACK_TOP;
}

static handle_t any_frame(struct rng *r)
{
	uint32_t n = nobjs < MAX_OBJS ? nobjs : MAX_OBJS;
	for (int tries = 0; n && tries < 16; tries++) {
		struct obj *o = &objs[below(r, n)];
		if (o->type == OBJ_FRAME)
			return o->owner;
	}
	return 0;
}

/* One reply to a fault, chosen at random: good, garbage, error, twice, late, or never. */
static void pager_reply(struct worker *w, struct msg *m)
{
	struct rng *r = &w->r;
	struct ipc_buffer *b = (struct ipc_buffer *)w->ipcbuf;
	uint64_t page = m->w[0] & ~(PAGE - 1);
	handle_t f = any_frame(r);
	unsigned prot = chance(r, 70) ? PROT_R | PROT_W : 1 + below(r, 7);
	uint64_t good = fault_item_va(page, prot);
	unsigned how = below(r, 10);

	if (!target_ok(page))
		how = 2;
	switch (how) {
	case 0:
	case 1: /* the page it asked for */
		*m = (struct msg){.tag = msg_tag(MSG_FAULT, 2, 0),
				  .w = {good, fault_item_frame(f, below(r, 2))}};
		break;
	case 2: /* refuse */
		*m = (struct msg){.tag = msg_error_tag(MSG_FAULT, chance(r, 80) ? ERR_NOMEM : 5)};
		break;
	case 3: { /* several items, some of them garbage, words beyond 5 in the buffer */
		unsigned items = 1 + below(r, FAULT_MAX_ITEMS + 1);
		uint64_t wv[2 * (FAULT_MAX_ITEMS + 1)];
		for (unsigned i = 0; i < items; i++) {
			uint64_t t = page + (uint64_t)(int64_t)(below(r, 7) - 3) * PAGE;
			wv[2 * i] = chance(r, 70) && target_ok(t) ? fault_item_va(t, prot)
								  : (chance(r, 50) ? good : rnd(r));
			if (!target_ok(wv[2 * i] & ~(PAGE - 1)))
				wv[2 * i] = good;
			wv[2 * i + 1] =
			    chance(r, 80) ? fault_item_frame(f, below(r, 3)) : pick_handle(r, 0);
		}
		for (unsigned i = MSG_REG_WORDS; i < 2 * items; i++)
			b->words[i] = wv[i];
		*m = (struct msg){.tag = msg_tag(chance(r, 90) ? MSG_FAULT : below(r, 0x10000),
						 2 * items - (chance(r, 10) ? 1 : 0), 0)};
		for (unsigned i = 0; i < MSG_REG_WORDS && i < 2 * items; i++)
			m->w[i] = wv[i];
		break;
	}
	case 4: /* twice */
		*m = (struct msg){.tag = msg_tag(MSG_FAULT, 2, 0),
				  .w = {good, fault_item_frame(f, 0)}};
		ipc_reply(m);
		break;
	case 5: /* late */
		sys_sleep(1000000 + below(r, 3000000));
		*m = (struct msg){.tag = msg_tag(MSG_FAULT, 2, 0),
				  .w = {good, fault_item_frame(f, 0)}};
		break;
	case 6: /* dies with the fault unanswered */
		if (chance(r, 30))
			sys_thread_exit(7);
		*m = (struct msg){.tag = msg_tag(MSG_FAULT, 0, 0)};
		break;
	case 7: /* tries to receive while owing the reply */
		ipc_recv(w->ep, m);
		*m = (struct msg){.tag = msg_tag(MSG_FAULT, 0, 0)};
		break;
	default: /* zero items: the thread faults again */
		*m = (struct msg){.tag = msg_tag(MSG_FAULT, 0, 0)};
		break;
	}
}

static void pager_serve(struct worker *w)
{
	struct msg m = {0};

	for (;;) {
		int e = ipc_reply_recv(w->ep, &m);
		if (e == ERR_PEER)
			sys_thread_exit(0);
		if (e != ERR_OK) {
			m = (struct msg){.tag = msg_error_tag(0, ERR_INVALID)};
			continue;
		}
		if (msg_label(m.tag) == MSG_FAULT && (m.tag & (1ull << 31))) {
			pager_reply(w, &m);
			continue;
		}
		/* An ordinary call: answer with junk and maybe handles. */
		collect(m.tag, w->ipcbuf);
		fill_ipcbuf(&w->r, w->ipcbuf);
		m = (struct msg){
		    .tag = chance(&w->r, 70)
			       ? msg_tag(below(&w->r, 100), below(&w->r, 9), below(&w->r, 3))
			       : pick_tag(&w->r)};
	}
}

static void touch(struct rng *r)
{
	uint32_t n = nregs < MAX_REGS ? nregs : MAX_REGS;
	if (!n)
		return;
	struct region *g = &regs[below(r, n)];
	if (g->space != own_space)
		return;
	uint64_t va = g->va + (below(r, (unsigned)(g->len / PAGE)) * PAGE) + (below(r, 512) * 8);
	if (chance(r, 50))
		fuzz_store(va, rnd(r));
	else
		(void)fuzz_load(va);
}

/* The endpoint of some pager worker (it answers calls too), or 0. */
static handle_t served_endpoint(struct rng *r)
{
	uint32_t n = nworkers < MAX_WORKERS ? nworkers : MAX_WORKERS;
	for (int tries = 0; n && tries < 8; tries++) {
		struct worker *w = &workers[below(r, n)];
		if (w->kind == W_PAGER && w->ep)
			return w->ep;
	}
	return 0;
}

static void fuzz_work(struct worker *w)
{
	struct rng *r = &w->r;

	for (;;) {
		unsigned k = below(r, 100);
		if (k < 55) {
			raw_call(r, false, w->ipcbuf);
		} else if (k < 75) {
			struct pooled *p = pool_pick(r, OBJ_ENDPOINT);
			handle_t ep = chance(r, 60) ? served_endpoint(r) : p ? p->h : 0;
			struct msg m = {.tag = msg_tag(below(r, 100), below(r, 8), below(r, 5))};
			fill_ipcbuf(r, w->ipcbuf);
			if (ep) {
				int e = chance(r, 70) ? ipc_call(ep, &m) : ipc_send(ep, &m);
				if (e == ERR_OK)
					collect(m.tag, w->ipcbuf);
			}
		} else if (k < 92) {
			touch(r);
		}
		sys_yield(); /* one step at a time, so that one hart interleaves us finely */
	}
}

static void worker_main(struct worker *w)
{
	if (w->kind == W_EXC)
		exc_serve(w);
	else if (w->kind == W_PAGER)
		pager_serve(w);
	else
		fuzz_work(w);
	sys_thread_exit(0);
}

/* A worker slot: one whose thread is dead (its stack is reused), or a new one. */
static struct worker *worker_slot(void)
{
	uint32_t n = nworkers < MAX_WORKERS ? nworkers : MAX_WORKERS;
	for (uint32_t i = 0; i < n; i++) {
		struct worker *w = &workers[i];
		struct thread_info ti = {0};
		struct obj *o = w->obj >= 0 ? &objs[w->obj] : 0;
		if (!o || o->type != OBJ_THREAD ||
		    (sys_thread_info(o->owner, &ti) == ERR_OK && ti.state != THREAD_DEAD))
			continue;
		sys_handle_close(o->owner);
		o->type = OBJ_NONE;
		o->owner = 0;
		w->obj = -1;
		return w;
	}
	uint32_t i = take(&nworkers, MAX_WORKERS);
	if (i == MAX_WORKERS)
		return 0;
	workers[i].obj = -1;
	workers[i].stack = arena_alloc(2);
	workers[i].ipcbuf = arena_alloc(0);
	return &workers[i];
}

static int spawn(struct rng *r, enum wkind kind, handle_t ep)
{
	struct worker *w = worker_slot();
	handle_t t;

	if (!w || !w->stack || !w->ipcbuf)
		return -1;
	w->kind = kind;
	w->r.s = rnd(r);
	w->ep = ep;
	if (sys_thread_create(own_space, (uint64_t)worker_main, w->stack + 4 * PAGE - 64,
			      (uint64_t)w, WPRIO - (kind == W_FUZZ ? below(r, 2) : 0),
			      &t) != ERR_OK)
		return -1;
	w->obj = adopt(r, OBJ_THREAD, t);
	sys_thread_set_ipcbuf(t, w->ipcbuf);
	if (kind != W_EXC)
		sys_thread_set_exception(t, exc_ep, EXC_RESUME);
	return sys_thread_start(t);
}

/*
 * Workers still alive; now and then one that is blocked (in IPC, a fault,
 * a sleep) is killed, so that new ones can start.
 */
static unsigned alive_workers(struct rng *r)
{
	unsigned n = 0;
	uint32_t k = nworkers < MAX_WORKERS ? nworkers : MAX_WORKERS;
	for (uint32_t i = 0; i < k; i++) {
		struct thread_info ti = {0};
		struct worker *w = &workers[i];
		if (w->obj < 0 || sys_thread_info(objs[w->obj].owner, &ti) != ERR_OK ||
		    ti.state == THREAD_DEAD)
			continue;
		if (w->kind != W_EXC && ti.state == THREAD_BLOCKED && chance(r, 20)) {
			objs[w->obj].killed = 1;
			sys_thread_kill(objs[w->obj].owner, 0x4b);
			continue;
		}
		n++;
	}
	return n;
}

/* ------------------------------------------------------------ structured steps */
static handle_t owner_of(struct rng *r, unsigned type)
{
	uint32_t n = nobjs < MAX_OBJS ? nobjs : MAX_OBJS;
	for (int tries = 0; n && tries < 16; tries++) {
		struct obj *o = &objs[below(r, n)];
		if (o->type == type)
			return o->owner;
	}
	return 0;
}

static void step_create(struct rng *r)
{
	handle_t h = 0, s;
	unsigned k = below(r, 7);

	if (k == 0 && sys_endpoint_create(&h) == ERR_OK)
		adopt(r, OBJ_ENDPOINT, h);
	else if (k == 1 && sys_notify_create(&h) == ERR_OK)
		adopt(r, OBJ_NOTIFY, h);
	else if (k == 2 &&
		 sys_frame_alloc(chance(r, 90) ? below(r, 3) : below(r, 19), 0, &h) == ERR_OK)
		adopt(r, OBJ_FRAME, h);
	else if (k == 3 && (s = owner_of(r, OBJ_QUOTA)) &&
		 sys_quota_split(s, (1 + below(r, 64)) * PAGE, &h) == ERR_OK)
		adopt(r, OBJ_QUOTA, h);
	else if (k == 4 && (s = owner_of(r, OBJ_QUOTA)) && sys_space_create(s, &h) == ERR_OK)
		adopt(r, OBJ_SPACE, h);
	else if (k >= 5 && (s = owner_of(r, OBJ_SPACE)) && s != own_space &&
		 sys_thread_create(s, pick_addr(r, 0), pick_addr(r, 0), rnd(r), below(r, WPRIO + 1),
				   &h) == ERR_OK) {
		/* A thread in another space: junk code; maybe never started. */
		adopt(r, OBJ_THREAD, h);
		if (chance(r, 60))
			sys_thread_set_exception(
			    h, chance(r, 70) ? exc_ep : owner_of(r, OBJ_ENDPOINT), EXC_KILL);
		if (chance(r, 50))
			sys_thread_start(h);
	}
}

static void step_give(struct rng *r)
{
	handle_t s = owner_of(r, OBJ_SPACE), got;
	struct pooled *p = pool_pick(r, 0);
	handle_t h = p ? p->h : 0;
	unsigned type = p ? p->type : 0;

	if (chance(r, 30)) {
		type = chance(r, 50) ? OBJ_SPACE : OBJ_THREAD;
		h = owner_of(r, type);
		if (chance(r, 30)) {
			h = s; /* a space's handle to itself */
			type = OBJ_SPACE;
		}
	}
	if (!s || !h)
		return;
	if ((avoid & FUZZ_AVOID_SELF_HANDLE) && s != own_space &&
	    (type == OBJ_SPACE || type == OBJ_THREAD))
		return;
	uint32_t rights = chance(r, 70) ? RIGHTS_ALL : (uint32_t)rnd(r);
	if (s == own_space)
		rights &= ~RIGHT_MAP;
	if (sys_handle_give(s, h, rights, &got) == ERR_OK) {
		if (s == own_space)
			pool_add(got, type, p ? p->obj : -1);
		else
			note(foreign, &nforeign, got);
	}
}

static void step_map(struct rng *r)
{
	handle_t f = any_frame(r), s = owner_of(r, OBJ_SPACE);
	uint64_t pages = 1 + below(r, 4);
	uint64_t va = MAPWIN + below(r, MAPWIN_LEN / PAGE - 8) * PAGE;

	switch (below(r, 5)) {
	case 0: /* ours, in the window */
		sys_space_map(own_space, va, f, below(r, 2), pages,
			      chance(r, 80) ? PROT_R | PROT_W : below(r, 8));
		break;
	case 1:
		sys_space_unmap(own_space, va, pages * PAGE * (1 + below(r, 64)));
		break;
	case 2:
		sys_space_protect(own_space, va, pages * PAGE * (1 + below(r, 64)), below(r, 8));
		break;
	default: /* another space, anywhere */
		if (s == own_space)
			break;
		va = pick_addr(r, 0);
		if (chance(r, 50)) {
			sys_space_map(s, va, f, 0, pages, below(r, 8));
		} else {
			uint64_t len = pick_len(r);
			if ((avoid & FUZZ_AVOID_HUGE_RANGE) && len > (16ull << 20))
				len = PAGE;
			if (chance(r, 50))
				sys_space_unmap(s, va, len);
			else
				sys_space_protect(s, va, len, below(r, 8));
		}
	}
}

static void step_region(struct rng *r)
{
	handle_t s = chance(r, 70) ? own_space : owner_of(r, OBJ_SPACE);
	handle_t ep = chance(r, 70) ? served_endpoint(r) : owner_of(r, OBJ_ENDPOINT);
	uint64_t va = REGWIN + below(r, REGWIN_LEN / PAGE - 64) * PAGE;
	uint64_t len = (1 + below(r, 32)) * PAGE;

	if (!s || !ep)
		return;
	if (chance(r, 25)) {
		uint32_t n = nregs < MAX_REGS ? nregs : MAX_REGS;
		if (n)
			sys_region_remove(regs[below(r, n)].space, regs[below(r, n)].va);
		return;
	}
	if (s != own_space)
		va = pick_addr(r, 0) & ~(PAGE - 1);
	if (sys_region_add(s, va, len, ep, rnd(r), chance(r, 70) ? PROT_R | PROT_W : below(r, 8)) ==
	    ERR_OK) {
		uint32_t i = take(&nregs, MAX_REGS);
		if (i < MAX_REGS)
			regs[i] = (struct region){s, va, len};
	}
}

static void step_close(struct rng *r)
{
	struct pooled *p = pool_pick(r, chance(r, 50) ? OBJ_ENDPOINT : 0);
	if (!p)
		return;
	handle_t h = p->h;
	p->h = 0;
	if (sys_handle_close(h) == ERR_OK)
		note(stale, &nstale, h);
}

static void step_thread(struct rng *r)
{
	struct pooled *p = pool_pick(r, OBJ_THREAD);
	if (!p)
		return;
	switch (below(r, 4)) {
	case 0:
		if (p->obj >= 0)
			objs[p->obj].killed = 1;
		sys_thread_kill(p->h, (int)below(r, 100));
		break;
	case 1:
		if ((avoid & FUZZ_AVOID_KILL_SUSPEND) && !suspend_ok((uint64_t)(uint32_t)p->h))
			break;
		sys_thread_suspend(p->h);
		break;
	case 2:
		sys_thread_start(p->h);
		break;
	default:
		sys_thread_set_ipcbuf(p->h, 0);
		break;
	}
}

static void step_ipc(struct rng *r, uint64_t ipcbuf)
{
	struct pooled *p = pool_pick(r, chance(r, 70) ? OBJ_ENDPOINT : OBJ_NOTIFY);
	if (!p)
		return;
	if (p->type == OBJ_NOTIFY) {
		uint64_t bits;
		if (chance(r, 60))
			sys_notify_signal(p->h, rnd(r));
		else
			sys_notify_poll(p->h, &bits);
		return;
	}
	struct msg m = {.tag = msg_tag(below(r, 100), below(r, 12), below(r, 5))};
	fill_ipcbuf(r, ipcbuf);
	ipc_send(p->h, &m);
}

/*
 * What fill_ipcbuf must hold to: even when every foreign value is the
 * number of one of our owner handles (as the first handles of a fresh table
 * are), no message carries one. Run before the fuzzing, on a random stream
 * of its own; fails the seed if a handle slot ever holds an owner.
 */
static void check_ipcbuf_filter(uint64_t ipcbuf)
{
	const struct ipc_buffer *b = (const struct ipc_buffer *)ipcbuf;
	const handle_t owners[] = {ctl->quota, ctl->space, ctl->system};
	struct rng r = {ctl->seed ^ 0xf1f1f1f1ull};

	for (unsigned i = 0; i < sizeof(owners) / sizeof(owners[0]); i++)
		note(foreign, &nforeign, owners[i]);
	for (unsigned n = 0; n < 200; n++) {
		fill_ipcbuf(&r, ipcbuf);
		for (unsigned i = 0; i < MSG_MAX_HANDLES; i++)
			if (is_owner((uint64_t)(uint32_t)b->handles[i]))
				fail("a message would carry our owner handle %#x",
				     (unsigned)b->handles[i]);
	}
	nforeign = 0;
}

extern char __bss_end[];

/*
 * Our own memory (program, control page and IPC buffer, main stack) must
 * still be mapped after every step: nothing the fuzzing does may reach it
 * (see is_owner). A page gone would kill us some time later for no reason
 * the log could show; this says at once which page, and the last raw call.
 * The owner handle may read A/D bits; reading does not clear them.
 */
static bool self_intact(void)
{
	static uint8_t bits[64];
	const struct {
		uint64_t va, pages;
	} areas[] = {
	    {0x10000, ((uint64_t)__bss_end + PAGE - 1) / PAGE - 0x10000 / PAGE},
	    {SYSFUZZ_CTL_VA, 2},
	    {ULOAD_STACK_TOP - ULOAD_STACK_PAGES * PAGE, ULOAD_STACK_PAGES},
	};

	for (unsigned a = 0; a < sizeof(areas) / sizeof(areas[0]); a++) {
		unsigned n =
		    areas[a].pages < sizeof(bits) ? (unsigned)areas[a].pages : sizeof(bits);
		int e = sys_space_ad(own_space, areas[a].va, n, bits, 0);
		for (unsigned i = 0; i < n; i++) {
			if (e == ERR_OK && (bits[i] & PAGE_MAPPED))
				continue;
			fail("our page %#lx is gone (%s) after step %lu; the main thread's last "
			     "raw call "
			     "%lu(%#lx, %#lx, %#lx, %#lx)",
			     (unsigned long)(areas[a].va + i * PAGE),
			     e == ERR_OK ? "unmapped" : err_name(e), ctl->step, ctl->last[0],
			     ctl->last[1], ctl->last[2], ctl->last[3], ctl->last[4]);
			return false;
		}
	}
	return true;
}

static void teardown(struct rng *r)
{
	uint32_t n = nobjs < MAX_OBJS ? nobjs : MAX_OBJS;
	static uint16_t order[MAX_OBJS + MAX_POOL];
	unsigned m = 0;

	ctl->phase = FUZZ_PHASE_TEARDOWN;
	for (uint32_t i = 0; i < n; i++)
		order[m++] = (uint16_t)i;
	for (unsigned i = m; i > 1; i--) {
		unsigned j = below(r, i), t = order[i - 1];
		order[i - 1] = order[j];
		order[j] = (uint16_t)t;
	}
	for (unsigned i = 0; i < m; i++)
		if (objs[order[i]].type == OBJ_THREAD)
			sys_thread_kill(objs[order[i]].owner, 0x5f);
	for (unsigned i = 0; i < m; i++) {
		struct obj *o = &objs[order[i]];
		struct thread_info ti = {0};
		if (o->type != OBJ_THREAD)
			continue;
		for (int tries = 0; tries < 300; tries++) {
			if (sys_thread_info(o->owner, &ti) != ERR_OK || ti.state == THREAD_DEAD)
				break;
			sys_sleep(2000000);
		}
		if (ti.state != THREAD_DEAD)
			fail("thread %lu (handle %#x) not dead 0.6 s after kill: state %lu", ti.id,
			     (unsigned)o->owner, ti.state);
	}
	/* Every handle, owners and pooled ones mixed, in random order. */
	unsigned np = pool_count();
	m = 0;
	for (uint32_t i = 0; i < n + np; i++)
		order[m++] = (uint16_t)i;
	for (unsigned i = m; i > 1; i--) {
		unsigned j = below(r, i), t = order[i - 1];
		order[i - 1] = order[j];
		order[j] = (uint16_t)t;
	}
	for (unsigned i = 0; i < m; i++) {
		handle_t h = order[i] < n ? objs[order[i]].owner : pool[order[i] - n].h;
		if (h && h != own_space && h != own_quota)
			sys_handle_close(h);
	}
}

int main(uint64_t arg)
{
	ctl = (struct sysfuzz_ctl *)arg;
	if (ctl->magic != SYSFUZZ_MAGIC)
		return 2;
	struct rng r = {ctl->seed};
	uint64_t ipcbuf = SYSFUZZ_CTL_IPCBUF;

	avoid = ctl->avoid;
	own_space = ctl->space;
	own_quota = ctl->quota;
	ctl->phase = FUZZ_PHASE_RUN;
	adopt(&r, OBJ_SPACE, own_space);
	adopt(&r, OBJ_QUOTA, own_quota);
	/* A dup of our space without MAP: raw calls cannot unmap us. */
	for (unsigned i = 0; i < pool_count(); i++)
		if (pool[i].type == OBJ_SPACE) {
			handle_t d;
			sys_handle_close(pool[i].h);
			pool[i].h = sys_handle_dup(own_space, RIGHTS_ALL & ~RIGHT_MAP, &d) == ERR_OK
					? d
					: 0;
		}
	check_ipcbuf_filter(ipcbuf);
	handle_t sd;
	if (ctl->system && sys_handle_dup(ctl->system, RIGHTS_ALL, &sd) == ERR_OK)
		pool_add(sd, OBJ_SYSTEM, -1);
	handle_t ep;
	if (sys_endpoint_create(&ep) == ERR_OK) {
		exc_ep = ep;
		add_obj(OBJ_ENDPOINT, ep);
		spawn(&r, W_EXC, ep);
	}
	for (int i = 0; i < 2; i++)
		step_create(&r);

	unsigned want = ctl->workers ? ctl->workers : 1;
	for (uint32_t s = 0; s < ctl->ops; s++) {
		ctl->step = s;
		unsigned k = below(&r, 100);
		if (k < 35)
			raw_call(&r, true, ipcbuf);
		else if (k < 50)
			step_create(&r);
		else if (k < 56)
			step_give(&r);
		else if (k < 64)
			step_map(&r);
		else if (k < 70)
			step_region(&r);
		else if (k < 76)
			step_close(&r);
		else if (k < 81)
			step_thread(&r);
		else if (k < 90)
			step_ipc(&r, ipcbuf);
		if (s % 8 == 0 && alive_workers(&r) < want + 1) {
			handle_t pep = owner_of(&r, OBJ_ENDPOINT);
			if (chance(&r, 40) && pep && pep != exc_ep)
				spawn(&r, W_PAGER, pep);
			else
				spawn(&r, W_FUZZ, 0);
		}
		if (!self_intact())
			break;
		/* Let the workers in: all of them, now and then, lower priorities too. */
		if (chance(&r, 3))
			sys_sleep(100000);
		else
			sys_yield();
	}
	teardown(&r);
	ctl->phase = FUZZ_PHASE_DONE;
	return ctl->why[0] ? 1 : 0;
}
