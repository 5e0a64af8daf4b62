/* In-guest tests: handles, quotas, frames, spaces, regions, threads, time. */
#include "user/utest/harness.h"

#define PAGE 4096ull

static bool handles(void)
{
	handle_t ep, weak, badged, again;
	unsigned type = 0;
	uint32_t rights = 0;

	OK(sys_endpoint_create(&ep));
	OK(sys_handle_info(ep, &type, &rights));
	CHECK(type == OBJ_ENDPOINT && (rights & RIGHT_WRITE) && (rights & RIGHT_READ));
	OK(sys_handle_dup(ep, RIGHT_READ, &weak));
	OK(sys_handle_info(weak, &type, &rights));
	CHECK(rights == RIGHT_READ);
	struct msg m = {.tag = msg_tag(1, 0, 0)};
	CHECK_ERR(ipc_send(weak, &m), ERR_PERM);	  /* no right to send */
	CHECK_ERR(sys_notify_signal(ep, 1), ERR_INVALID); /* wrong type */
	OK(sys_handle_mint(ep, RIGHTS_ALL, 77, &badged));
	CHECK_ERR(sys_handle_mint(badged, RIGHTS_ALL, 78, &again), ERR_PERM);
	OK(sys_handle_close(weak));
	CHECK_ERR(sys_handle_close(weak), ERR_BADHANDLE); /* closed */
	CHECK_ERR(sys_handle_info(weak, &type, &rights), ERR_BADHANDLE);
	CHECK_ERR(sys_handle_close(0), ERR_BADHANDLE);
	CHECK_ERR(sys_handle_close(-1), ERR_BADHANDLE);
	OK(sys_handle_close(badged));
	OK(sys_handle_close(ep));
	return true;
}

static bool quotas(void)
{
	handle_t q, s;
	uint64_t limit = 0, used = 0;

	OK(sys_quota_split(uenv.quota, 64 * PAGE, &q));
	OK(sys_quota_info(q, &limit, &used));
	CHECK(limit == 64 * PAGE && used == 0);
	OK(sys_space_create(q, &s));
	OK(sys_quota_info(q, &limit, &used));
	CHECK(used > 0); /* the space's table and bookkeeping are charged to it */
	CHECK_ERR(sys_quota_split(q, 1ull << 40, &s), ERR_QUOTA);
	CHECK_ERR(sys_quota_split(q, 100, &s), ERR_INVALID);
	CHECK_ERR(sys_quota_split(q, 0, &s), ERR_INVALID);
	OK(sys_handle_close(s));
	OK(sys_quota_info(q, &limit, &used));
	CHECK(used == 0); /* all of it came back */

	/* A frame charged to a quota the caller manages (FRAME_QUOTA), not to its own. */
	handle_t f, weak;
	OK(sys_frame_alloc_for(q, 2, &f));
	OK(sys_quota_info(q, &limit, &used));
	CHECK(used >= 4 * PAGE && used < 5 * PAGE);	     /* the pages and the frame object */
	CHECK_ERR(sys_frame_alloc_for(q, 6, &s), ERR_QUOTA); /* 64 pages: beyond what is left */
	OK(sys_handle_dup(q, RIGHT_READ, &weak));
	CHECK_ERR(sys_frame_alloc_for(weak, 0, &s), ERR_PERM);
	CHECK_ERR(sys_frame_alloc_for(f, 0, &s), ERR_INVALID); /* a frame is no quota */
	OK(sys_handle_close(f));
	OK(sys_quota_info(q, &limit, &used));
	CHECK(used == 0);
	OK(sys_handle_close(weak));
	OK(sys_handle_close(q));
	return true;
}

static bool frames(void)
{
	handle_t a, b, ro;
	uint64_t pages = 0, pa = 0;

	OK(sys_frame_alloc(0, FRAME_ZEROED, &a));
	OK(sys_frame_alloc(4, FRAME_ZEROED, &b));
	OK(sys_frame_info(b, &pages, &pa));
	CHECK(pages == 16 && pa == 0); /* no physical address without RIGHT_DEVICE */
	uint64_t *va = (uint64_t *)uvm_reserve(16 * PAGE);
	OK(sys_space_map(uenv.space, (uint64_t)va, b, 0, 16, PROT_R | PROT_W));
	for (int i = 0; i < 16; i++)
		CHECK(va[i * 512] == 0);
	va[3 * 512] = 0xfeedface;
	OK(sys_frame_copy(a, 0, b, 3, 1));
	OK(sys_frame_copy(b, 5, a, 0, 1));
	CHECK(va[5 * 512] == 0xfeedface);
	OK(sys_frame_zero(b, 3, 1));
	CHECK(va[3 * 512] == 0);
	CHECK_ERR(sys_frame_copy(a, 1, b, 0, 1), ERR_RANGE);
	CHECK_ERR(sys_frame_copy(b, 10, a, 0, 7), ERR_RANGE);
	CHECK_ERR(sys_frame_zero(b, 0, 0), ERR_RANGE);
	CHECK_ERR(sys_frame_alloc(19, 0, &ro), ERR_INVALID);
	CHECK_ERR(sys_frame_alloc(0, 0x80, &ro), ERR_INVALID);
	OK(sys_handle_dup(a, RIGHT_READ | RIGHT_MAP, &ro));
	CHECK_ERR(sys_frame_zero(ro, 0, 1), ERR_PERM);
	CHECK_ERR(sys_frame_copy(ro, 0, b, 0, 1), ERR_PERM);
	OK(sys_space_unmap(uenv.space, (uint64_t)va, 16 * PAGE));
	OK(sys_handle_close(ro));
	OK(sys_handle_close(a));
	OK(sys_handle_close(b));
	return true;
}

/* DMA frames: the physical address only with RIGHT_DEVICE, only via the system handle. */
static bool frames_for_dma(void)
{
	handle_t f, weak, q;
	uint64_t pages = 0, pa = 0;

	CHECK_ERR(sys_frame_alloc_device(0, 0, &f), ERR_BADHANDLE);
	OK(sys_quota_split(uenv.quota, 16 * PAGE, &q));
	CHECK_ERR(sys_frame_alloc_device(0, q, &f), ERR_INVALID); /* not the system object */
	OK(sys_handle_close(q));
	OK(sys_handle_dup(uenv.system, RIGHT_READ, &weak));
	CHECK_ERR(sys_frame_alloc_device(0, weak, &f), ERR_PERM);
	OK(sys_handle_close(weak));
	OK(sys_frame_alloc_device(2, uenv.system, &f));
	OK(sys_frame_info(f, &pages, &pa));
	CHECK(pages == 4 && pa != 0 && (pa & (4 * PAGE - 1)) == 0);
	OK(sys_handle_dup(f, RIGHTS_ALL & ~RIGHT_DEVICE, &weak));
	OK(sys_frame_info(weak, &pages, &pa));
	CHECK(pa == 0); /* without the right, no address */
	OK(sys_handle_close(weak));
	OK(sys_handle_close(f));
	return true;
}

/* A frame never shows what its last owner wrote, with or without FRAME_ZEROED. */
static bool frames_come_zeroed(void)
{
	for (int round = 0; round < 4; round++) {
		handle_t f;
		OK(sys_frame_alloc(0, 0, &f));
		uint64_t *p = (uint64_t *)uvm_reserve(PAGE);
		OK(sys_space_map(uenv.space, (uint64_t)p, f, 0, 1, PROT_R | PROT_W));
		for (int i = 0; i < 512; i++) {
			CHECK(p[i] == 0);
			p[i] = 0x5ec2e7;
		}
		OK(sys_space_unmap(uenv.space, (uint64_t)p, PAGE));
		OK(sys_handle_close(f));
	}
	return true;
}

/*
 * A/D bits of scattered pages in one call (AD_LIST), and taken with the
 * pages themselves (AD_UNMAP): what was written is known after the unmap.
 */
static bool space_ad_list_and_unmap(void)
{
	handle_t f;
	uint64_t va = uvm_reserve(600 * PAGE);
	uint8_t ad[8];
	volatile uint64_t *p = (uint64_t *)va;

	OK(sys_frame_alloc(2, FRAME_ZEROED, &f));
	OK(sys_space_map(uenv.space, va, f, 0, 2, PROT_R | PROT_W));
	OK(sys_space_map(uenv.space, va + 520 * PAGE, f, 2, 2,
			 PROT_R | PROT_W)); /* another table */
	OK(sys_space_ad(uenv.space, va, 2, ad, AD_CLEAR));
	OK(sys_space_ad(uenv.space, va + 520 * PAGE, 2, ad, AD_CLEAR));
	p[0] = 1;
	(void)p[521 * 512];
	uint64_t vas[4] = {va + 521 * PAGE, va + 7 * PAGE, va, va + PAGE};
	OK(sys_space_ad_list(uenv.space, vas, 4, ad, 0));
	CHECK((ad[0] & (PAGE_MAPPED | PAGE_A | PAGE_D)) == (PAGE_MAPPED | PAGE_A));
	CHECK(ad[1] == 0 && ad[2] == (PAGE_MAPPED | PAGE_A | PAGE_D) && ad[3] == PAGE_MAPPED);
	uint64_t bad[2] = {va, va + 1};
	CHECK_ERR(sys_space_ad_list(uenv.space, bad, 2, ad, 0), ERR_ALIGN);
	bad[1] = USER_TOP_ABI;
	CHECK_ERR(sys_space_ad_list(uenv.space, bad, 2, ad, 0), ERR_RANGE);
	CHECK_ERR(sys_space_ad_list(uenv.space, vas, 65, ad, 0), ERR_RANGE);
	CHECK_ERR(sys_space_ad_list(uenv.space, (uint64_t *)0xffffffc000001000ull, 2, ad, 0),
		  ERR_FAULT);
	CHECK_ERR(sys_space_ad(uenv.space, va, 2, ad, 8), ERR_INVALID);
	/* Unmap and learn: page 0 was written, page 1 not; nothing is left mapped. */
	CHECK_ERR(sys_space_ad(uenv.space, va, 2, (uint8_t *)0xffffffc000001000ull, AD_UNMAP),
		  ERR_FAULT);
	OK(sys_space_ad(uenv.space, va, 2, ad, 0)); /* the failed call took nothing */
	CHECK(ad[0] & ad[1] & PAGE_MAPPED);
	OK(sys_space_ad(uenv.space, va, 2, ad, AD_UNMAP));
	CHECK(ad[0] == (PAGE_MAPPED | PAGE_A | PAGE_D) && (ad[1] & PAGE_D) == 0 && ad[1]);
	OK(sys_space_ad(uenv.space, va, 2, ad, 0));
	CHECK(ad[0] == 0 && ad[1] == 0);
	uint64_t both[2] = {va + 520 * PAGE, va + 521 * PAGE};
	OK(sys_space_ad_list(uenv.space, both, 2, ad, AD_UNMAP));
	CHECK(ad[0] == PAGE_MAPPED && (ad[1] & PAGE_A));
	OK(sys_space_ad_list(uenv.space, both, 2, ad, 0));
	CHECK(ad[0] == 0 && ad[1] == 0);
	OK(sys_handle_close(f));
	return true;
}

/*
 * SYS_FRAME_AD: a FRAME_RMAP frame's pages are found in every space that
 * maps them; their bits are gathered, cleared or the pages taken back in one
 * call, and a space that goes takes its entries with it.
 */
static bool frame_ad_everywhere(void)
{
	handle_t f, plain, weak, other;
	uint64_t va = uvm_reserve(3 * PAGE), n = 0;
	uint8_t ad[2], mine[3];
	volatile uint64_t *p = (uint64_t *)va;

	OK(sys_frame_alloc(1, FRAME_RMAP, &f));
	OK(sys_space_create(uenv.quota, &other));
	OK(sys_space_map(uenv.space, va, f, 0, 1, PROT_R | PROT_W));
	OK(sys_space_map(uenv.space, va + PAGE, f, 0, 1,
			 PROT_R | PROT_W)); /* the same page again */
	OK(sys_space_map(uenv.space, va + 2 * PAGE, f, 1, 1, PROT_R));
	OK(sys_space_map(other, 0x40000000, f, 0, 1, PROT_R));
	OK(sys_frame_ad(f, 0, 2, ad, AD_CLEAR, &n));
	CHECK(n == 4);
	p[0] = 7;
	OK(sys_frame_ad(f, 0, 2, ad, 0, &n));
	CHECK(n == 4 && ad[0] == (PAGE_MAPPED | PAGE_A | PAGE_D) && ad[1] == PAGE_MAPPED);
	OK(sys_frame_ad(f, 0, 1, ad, AD_CLEAR, &n));
	CHECK(n == 3 && (ad[0] & PAGE_D));
	OK(sys_frame_ad(f, 0, 1, ad, 0, &n));
	CHECK(ad[0] == PAGE_MAPPED); /* cleared in every space */
	/* Misuse changes nothing. */
	OK(sys_frame_alloc(0, 0, &plain));
	CHECK_ERR(sys_frame_ad(plain, 0, 1, ad, 0, 0), ERR_STATE);
	CHECK_ERR(sys_frame_ad(f, 0, 1, ad, 16, 0), ERR_INVALID);
	CHECK_ERR(sys_frame_ad(f, 1, 2, ad, 0, 0), ERR_RANGE);
	CHECK_ERR(sys_frame_ad(f, 0, 0, ad, 0, 0), ERR_RANGE);
	CHECK_ERR(sys_frame_ad(f, 0, 2, (uint8_t *)0xffffffc000001000ull, AD_UNMAP, 0), ERR_FAULT);
	OK(sys_handle_dup(f, RIGHT_READ | RIGHT_WRITE | RIGHT_MAP, &weak));
	CHECK_ERR(sys_frame_ad(weak, 0, 1, ad, AD_UNMAP, 0), ERR_PERM);
	OK(sys_space_ad(uenv.space, va, 3, mine, 0));
	CHECK(mine[0] & mine[1] & mine[2] & PAGE_MAPPED);
	/* AD_OTHERS leaves the caller's own mappings alone (a cache that maps its own pages). */
	p[0] = 9;
	OK(sys_frame_ad(f, 0, 2, ad, AD_UNMAP | AD_OTHERS, &n));
	CHECK(n == 1 && ad[0] == PAGE_MAPPED && ad[1] == 0);
	OK(sys_space_ad(uenv.space, va, 3, mine, 0));
	CHECK(mine[0] & mine[1] & mine[2] & PAGE_MAPPED);
	OK(sys_space_map(other, 0x40000000, f, 0, 1, PROT_R));
	/* A space that goes takes its entry along. */
	OK(sys_handle_close(other));
	OK(sys_frame_ad(f, 0, 1, ad, 0, &n));
	CHECK(n == 2);
	p[0] = 8;
	OK(sys_frame_ad(f, 0, 2, ad, AD_UNMAP, &n));
	CHECK(n == 3 && (ad[0] & PAGE_D) && ad[1] == PAGE_MAPPED);
	OK(sys_space_ad(uenv.space, va, 3, mine, 0));
	CHECK(mine[0] == 0 && mine[1] == 0 && mine[2] == 0);
	OK(sys_frame_ad(f, 0, 2, ad, 0, &n));
	CHECK(n == 0 && ad[0] == 0 && ad[1] == 0);
	/* A mapping that is gone leaves what it did with the frame, until it is cleared. */
	OK(sys_space_map(uenv.space, va, f, 1, 1, PROT_R | PROT_W));
	p[0] = 1;
	OK(sys_space_unmap(uenv.space, va, PAGE));
	OK(sys_frame_ad(f, 0, 2, ad, 0, &n));
	CHECK(n == 0 && ad[0] == 0 && (ad[1] & PAGE_D) && !(ad[1] & PAGE_MAPPED));
	OK(sys_frame_ad(f, 1, 1, ad, AD_CLEAR | AD_OTHERS, &n));
	CHECK(ad[0] & PAGE_D);
	OK(sys_frame_ad(f, 1, 1, ad, 0, &n));
	CHECK(ad[0] == 0);
	CHECK_ERR(sys_frame_alloc(7, FRAME_RMAP, &weak), ERR_INVALID); /* at most 64 pages */
	OK(sys_handle_close(weak));
	OK(sys_handle_close(plain));
	OK(sys_handle_close(f));
	return true;
}

static bool space_mapping(void)
{
	handle_t f, nox;
	uint64_t va = uvm_reserve(4 * PAGE);
	uint8_t ad[4];

	OK(sys_frame_alloc(2, FRAME_ZEROED, &f));
	OK(sys_space_map(uenv.space, va, f, 0, 4, PROT_R | PROT_W));
	volatile uint64_t *p = (uint64_t *)va;
	p[0] = 1;
	(void)p[512];
	OK(sys_space_ad(uenv.space, va, 4, ad, 1));
	CHECK(ad[0] == (PAGE_MAPPED | PAGE_A | PAGE_D));
	CHECK((ad[1] & (PAGE_MAPPED | PAGE_A | PAGE_D)) == (PAGE_MAPPED | PAGE_A));
	CHECK(ad[2] == PAGE_MAPPED);
	OK(sys_space_ad(uenv.space, va, 4, ad, 0));
	CHECK(ad[0] == PAGE_MAPPED && ad[1] == PAGE_MAPPED); /* cleared */
	CHECK_ERR(sys_space_map(uenv.space, va, f, 0, 1, PROT_R), ERR_EXISTS);
	CHECK_ERR(sys_space_map(uenv.space, va + 1, f, 0, 1, PROT_R), ERR_ALIGN);
	CHECK_ERR(sys_space_map(uenv.space, USER_TOP_ABI, f, 0, 1, PROT_R), ERR_RANGE);
	CHECK_ERR(sys_space_map(uenv.space, 0xffffffc000000000ull, f, 0, 1, PROT_R), ERR_RANGE);
	CHECK_ERR(sys_space_map(uenv.space, USER_TOP_ABI - PAGE, f, 0, 2, PROT_R), ERR_RANGE);
	CHECK_ERR(sys_space_map(uenv.space, va + 8 * PAGE, f, 3, 2, PROT_R), ERR_RANGE);
	CHECK_ERR(sys_space_map(uenv.space, va + 8 * PAGE, f, 0, 1, PROT_W | PROT_X), ERR_PERM);
	CHECK_ERR(sys_space_map(uenv.space, va + 8 * PAGE, f, 0, 1, 0), ERR_INVALID);
	CHECK_ERR(sys_space_map(uenv.space, va + 8 * PAGE, f, 0, 1, 8), ERR_INVALID);
	OK(sys_handle_dup(f, RIGHT_READ | RIGHT_MAP, &nox));
	CHECK_ERR(sys_space_map(uenv.space, va + 8 * PAGE, nox, 0, 1, PROT_X), ERR_PERM);
	CHECK_ERR(sys_space_map(uenv.space, va + 8 * PAGE, nox, 0, 1, PROT_R | PROT_W), ERR_PERM);
	CHECK_ERR(sys_space_protect(uenv.space, va, PAGE, PROT_R | PROT_X), ERR_PERM);
	OK(sys_space_protect(uenv.space, va + PAGE, PAGE, PROT_R));
	CHECK(p[512] == 0); /* still readable */
	CHECK_ERR(sys_space_protect(uenv.space, va + 1, PAGE, PROT_R), ERR_ALIGN);
	CHECK_ERR(sys_space_unmap(uenv.space, va, 100), ERR_ALIGN);
	CHECK_ERR(sys_space_ad(uenv.space, va, 0, ad, 0), ERR_RANGE);
	CHECK_ERR(sys_space_ad(uenv.space, va, 4, (uint8_t *)0xffffffc000001000ull, 0), ERR_FAULT);
	OK(sys_space_unmap(uenv.space, va, 4 * PAGE));
	OK(sys_space_ad(uenv.space, va, 4, ad, 0));
	CHECK(ad[0] == 0 && ad[3] == 0);
	OK(sys_handle_close(nox));
	OK(sys_handle_close(f));
	return true;
}

static bool regions(void)
{
	handle_t ep, sendonly, recvonly;
	uint64_t va = uvm_reserve(8 * PAGE);

	OK(sys_endpoint_create(&ep));
	OK(sys_handle_dup(ep, RIGHT_READ, &recvonly));
	OK(sys_region_add(uenv.space, va, 4 * PAGE, ep, 1, PROT_R | PROT_W));
	CHECK_ERR(sys_region_add(uenv.space, va + 3 * PAGE, 2 * PAGE, ep, 2, PROT_R), ERR_EXISTS);
	CHECK_ERR(sys_region_add(uenv.space, va + 4 * PAGE + 1, PAGE, ep, 2, PROT_R), ERR_ALIGN);
	CHECK_ERR(sys_region_add(uenv.space, va + 4 * PAGE, 0, ep, 2, PROT_R), ERR_INVALID);
	CHECK_ERR(sys_region_add(uenv.space, va + 4 * PAGE, PAGE, ep, 2, 9), ERR_INVALID);
	CHECK_ERR(sys_region_add(uenv.space, va + 4 * PAGE, PAGE, recvonly, 2, PROT_R), ERR_PERM);
	CHECK_ERR(sys_region_add(uenv.space, USER_TOP_ABI - PAGE, 2 * PAGE, ep, 2, PROT_R),
		  ERR_RANGE);
	CHECK_ERR(sys_region_add(uenv.space, ~0ull - PAGE + 1, 2 * PAGE, ep, 2, PROT_R), ERR_RANGE);
	OK(sys_handle_dup(ep, RIGHT_WRITE, &sendonly));
	OK(sys_region_add(uenv.space, va + 4 * PAGE, PAGE, sendonly, 2, PROT_R));
	CHECK_ERR(sys_region_remove(uenv.space, va + PAGE), ERR_NOENT);
	OK(sys_region_remove(uenv.space, va));
	OK(sys_region_remove(uenv.space, va + 4 * PAGE));
	CHECK_ERR(sys_region_remove(uenv.space, va), ERR_NOENT);
	OK(sys_handle_close(sendonly));
	OK(sys_handle_close(recvonly));
	OK(sys_handle_close(ep));
	return true;
}

/*
 * A badged handle names its own badge only; REGION_REPLACE splits and
 * trims what it overlaps, and merges with a neighbour whose offsets run on.
 */
static bool regions_replace_and_badges(void)
{
	handle_t ep, badged;
	uint64_t va = uvm_reserve(8 * PAGE);
	const unsigned rw = PROT_R | PROT_W;

	OK(sys_endpoint_create(&ep));
	OK(sys_handle_mint(ep, RIGHT_WRITE, 7, &badged));
	CHECK_ERR(sys_region_add(uenv.space, va, PAGE, badged, 8, PROT_R), ERR_PERM);
	CHECK_ERR(sys_region_add(uenv.space, va, PAGE, ep, 1, PROT_R | (1u << 9)), ERR_INVALID);
	OK(sys_region_add(uenv.space, va, PAGE, badged, 7, PROT_R));
	OK(sys_region_remove(uenv.space, va));
	OK(sys_region_add(uenv.space, va, PAGE, badged, 0, PROT_R)); /* 0: the handle's badge */
	OK(sys_region_remove(uenv.space, va));

	/* A region inside another splits it in three. */
	OK(sys_region_add(uenv.space, va, 4 * PAGE, ep, 1, rw));
	CHECK_ERR(sys_region_add(uenv.space, va + PAGE, PAGE, ep, 2, rw), ERR_EXISTS);
	OK(sys_region_map(uenv.space, va + PAGE, PAGE, ep, 2, rw | REGION_REPLACE, 0));
	OK(sys_region_remove(uenv.space, va + PAGE));
	OK(sys_region_remove(uenv.space, va + 2 * PAGE)); /* the upper piece */
	OK(sys_region_remove(uenv.space, va));
	CHECK_ERR(sys_region_remove(uenv.space, va), ERR_NOENT);

	/* Offsets that run on merge; others do not. */
	OK(sys_region_map(uenv.space, va, 2 * PAGE, ep, 1, rw, 0x10000));
	OK(sys_region_map(uenv.space, va + 2 * PAGE, PAGE, ep, 1, rw | REGION_REPLACE, 0));
	OK(sys_region_remove(uenv.space, va + 2 * PAGE)); /* stayed apart */
	OK(sys_region_map(uenv.space, va + 2 * PAGE, PAGE, ep, 1, rw | REGION_REPLACE,
			  0x10000 + 2 * PAGE));
	CHECK_ERR(sys_region_remove(uenv.space, va + 2 * PAGE), ERR_NOENT); /* merged */
	OK(sys_region_remove(uenv.space, va));
	CHECK_ERR(sys_region_remove(uenv.space, va), ERR_NOENT);
	OK(sys_handle_close(badged));
	OK(sys_handle_close(ep));
	return true;
}

static volatile int counter;

static void count_up(void *arg)
{
	for (int i = 0; i < (int)(uintptr_t)arg; i++)
		counter++;
	sys_thread_exit(7);
}

static void sleeper(void *arg)
{
	(void)arg;
	sys_sleep(1000000000ull * 3600); /* an hour: only a kill ends it */
}

static bool threads(void)
{
	struct uthread t, s;
	struct thread_info ti = {0};

	counter = 0;
	OK(spawn(&t, count_up, (void *)1000, 10));
	CHECK(join(&t) == 7);
	CHECK(counter == 1000);
	handle_t bad;
	CHECK_ERR(sys_thread_create(uenv.space, 0x10000, 0, 0, 32, &bad), ERR_INVALID);
	OK(spawn(&s, sleeper, 0, 10));
	OK(sys_thread_info(s.h, &ti));
	CHECK_ERR(sys_thread_start(s.h), ERR_STATE); /* already running */
	OK(sys_thread_suspend(s.h));
	OK(sys_thread_start(s.h));
	OK(sys_thread_kill(s.h, 5));
	CHECK(join(&s) == 5);
	return true;
}

/*
 * Kill threads at every point of their way into a blocking call (started,
 * trapping, waiting for the kernel lock, asleep): each must die, with the
 * kill's status, never sleep on.
 */
static bool kill_races_with_blocking(void)
{
	for (int i = 0; i < 30; i++) {
		struct uthread s;
		OK(spawn(&s, sleeper, 0, 10));
		for (int spin = 0; spin < i * 50; spin++)
			__asm__ volatile("" ::: "memory");
		OK(sys_thread_kill(s.h, 11));
		CHECK(join(&s) == 11);
	}
	return true;
}

static bool time_and_sleep(void)
{
	uint64_t t0 = sys_clock();
	OK(sys_sleep(20000000)); /* 20 ms */
	uint64_t t1 = sys_clock();
	CHECK(t1 - t0 >= 20000000);
	OK(sys_yield());
	return true;
}

static void nap(void *arg)
{
	sys_sleep((uint64_t)(uintptr_t)arg);
}

/*
 * CPU time: the caller's own (SYS_CLOCK a3/a4) grows while it computes, the
 * same figures through SYS_THREAD_INFO on itself lie between two SYS_CLOCK
 * readings, and a thread that slept 50 ms has used less than that.
 */
static bool cpu_time(void)
{
	struct clock_info c0 = sys_clock_info(), c = c0;
	struct thread_info ti = {0};
	struct uthread s;

	while (c.user == c0.user && c.since_boot - c0.since_boot < 5000000000ull) {
		for (volatile int i = 0; i < 10000; i++)
			;
		c = sys_clock_info();
	}
	CHECK(c.user > c0.user && c.kernel >= c0.kernel);
	OK(sys_thread_info(uenv.thread, &ti));
	struct clock_info c1 = sys_clock_info();
	CHECK(c.user <= ti.user_ns && ti.user_ns <= c1.user);
	CHECK(c.kernel <= ti.kernel_ns && ti.kernel_ns <= c1.kernel);

	OK(spawn(&s, nap, (void *)50000000, 10));
	uint64_t w0 = sys_clock();
	CHECK(wait_dead(s.h));
	uint64_t w1 = sys_clock();
	OK(sys_thread_info(s.h, &ti));
	CHECK(ti.state == THREAD_DEAD && ti.user_ns + ti.kernel_ns < w1 - w0);
	CHECK(join(&s) == 0);
	return true;
}

/*
 * SYS_THREAD_WATCH: a thread's death signals the notification (so a waiter
 * sleeps instead of polling), at once if it is dead already; 0 stops it.
 */
static bool thread_watch(void)
{
	handle_t n, recvonly;
	uint64_t bits = 0;
	struct uthread s;

	OK(sys_notify_create(&n));
	OK(spawn(&s, nap, (void *)20000000, 10));
	OK(sys_thread_watch(s.h, n, 0x40));
	OK(sys_notify_wait(n, &bits)); /* no polling: woken by the death */
	CHECK(bits == 0x40);
	struct thread_info ti = {0};
	OK(sys_thread_info(s.h, &ti));
	CHECK(ti.state == THREAD_DEAD);
	OK(sys_thread_watch(s.h, n, 0x8)); /* dead already: at once */
	OK(sys_notify_poll(n, &bits));
	CHECK(bits == 0x8);
	OK(sys_thread_watch(s.h, 0, 0)); /* stop watching */
	CHECK_ERR(sys_thread_watch(s.h, n, 0), ERR_INVALID);
	OK(sys_handle_dup(n, RIGHT_READ, &recvonly));
	CHECK_ERR(sys_thread_watch(s.h, recvonly, 1), ERR_PERM);
	CHECK_ERR(sys_thread_watch(n, n, 1), ERR_INVALID); /* not a thread */
	CHECK(join(&s) == 0);
	OK(sys_handle_close(recvonly));
	OK(sys_handle_close(n));
	return true;
}

static bool notifications(void)
{
	handle_t n;
	uint64_t bits = 0;

	OK(sys_notify_create(&n));
	OK(sys_notify_poll(n, &bits));
	CHECK(bits == 0);
	OK(sys_notify_signal(n, 0x5));
	OK(sys_notify_signal(n, 0x10));
	OK(sys_notify_wait(n, &bits));
	CHECK(bits == 0x15);
	OK(sys_notify_poll(n, &bits));
	CHECK(bits == 0);
	OK(sys_handle_close(n));
	return true;
}

static bool memory_watch(void)
{
	handle_t n;
	uint64_t bits = 0, free_now = 0;

	OK(sys_notify_create(&n));
	OK(sys_mem_info(uenv.system, &free_now, 0));
	CHECK(free_now > 0);
	/* A watermark above what is free fires at once. */
	OK(sys_mem_watch(uenv.system, n, 0x2, free_now + 1000));
	OK(sys_notify_poll(n, &bits));
	CHECK(bits == 0x2);
	OK(sys_mem_watch(uenv.system, n, 0x2, 0)); /* a mark nothing goes below */
	CHECK_ERR(sys_mem_watch(uenv.system, n, 0, 10), ERR_INVALID);
	OK(sys_handle_close(n));
	return true;
}

const struct test kernel_api_tests[] = {
    {"handles", handles},
    {"quotas", quotas},
    {"frames", frames},
    {"frames_come_zeroed", frames_come_zeroed},
    {"frames_for_dma", frames_for_dma},
    {"space_mapping", space_mapping},
    {"regions", regions},
    {"thread_watch", thread_watch},
    {"space_ad_list_and_unmap", space_ad_list_and_unmap},
    {"frame_ad_everywhere", frame_ad_everywhere},
    {"regions_replace_and_badges", regions_replace_and_badges},
    {"threads", threads},
    {"kill_races_with_blocking", kill_races_with_blocking},
    {"time_and_sleep", time_and_sleep},
    {"cpu_time", cpu_time},
    {"notifications", notifications},
    {"memory_watch", memory_watch},
    {0, 0},
};
