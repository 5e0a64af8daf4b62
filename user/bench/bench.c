/*
 * bench: in-guest benchmarks, run as the root task of the bench initrd
 * under QEMU -icount shift=0,sleep=off, where instret counts instructions
 * deterministically. Each figure is printed as "bench: NAME: VALUE UNIT".
 *   1 hart:  null system call, IPC round trip between two address spaces,
 *            page fault resolved by a user pager (1 and 16 pages per reply)
 *   4 harts: unmap with a TLB shootdown to 3 other harts (run without
 *            -icount: under icount QEMU 7.2 never lets the other harts run
 *            while the sender waits in the firmware, and the boot hangs)
 * The same program serves as the IPC server child (main's argument is then
 * its endpoint handle instead of the bootinfo address).
 */
#include "lib/fmt.h"
#include "lib/user/ipc.h"
#include "lib/user/loader.h"
#include "lib/user/syscall.h"
#include "lib/user/ulib.h"

#define PAGE	     4096ull
#define ROUNDS	     1000
#define FAULT_PAGES  256
#define SHOOT_ROUNDS 200

static struct bootinfo *bi;
static struct initrd rd;

static inline uint64_t instret(void)
{
	uint64_t v;
	__asm__ volatile("csrr %0, instret" : "=r"(v));
	return v;
}

static void report(const char *name, uint64_t total, uint64_t n, const char *unit)
{
	uprintf("bench: %s: %lu %s\n", name, (total + n / 2) / n, unit);
}

static void fail(const char *what, int e)
{
	uprintf("bench: error: %s: %s\n", what, err_name(e));
	sys_system_exit(uenv.system, 1);
}

static void server(handle_t ep)
{
	struct msg m = {0};
	int e = ipc_recv(ep, &m);

	while (e == ERR_OK) {
		m.tag = msg_tag(1, 1, 0);
		m.w[0]++;
		e = ipc_reply_recv(ep, &m);
	}
	sys_thread_exit(e);
}

static void bench_null_syscall(void)
{
	for (int i = 0; i < 10; i++)
		sys_debug_write(0, 0);
	uint64_t t0 = instret();
	for (int i = 0; i < ROUNDS; i++)
		sys_debug_write(0, 0);
	report("null system call round trip", instret() - t0, ROUNDS, "instructions");
}

static void bench_ipc(void)
{
	struct uprocess p;
	handle_t ep, child_ep;
	char err[80];
	int e = sys_endpoint_create(&ep);

	if (e == ERR_OK)
		e = uload_program(&rd, "bench", uenv.quota, 0, 20, &p, err, sizeof(err));
	if (e == ERR_OK)
		e = sys_handle_give(p.space, ep, RIGHT_READ | RIGHT_WRITE, &child_ep);
	if (e != ERR_OK)
		fail("starting the IPC server", e);
	/* The child's main gets its endpoint handle as argument: recreate the thread for it. */
	sys_handle_close(p.thread);
	e = sys_thread_create(p.space, p.entry, p.sp, (uint64_t)child_ep, 20, &p.thread);
	if (e == ERR_OK)
		e = sys_thread_start(p.thread);
	if (e != ERR_OK)
		fail("starting the IPC server", e);
	struct msg m = {.tag = msg_tag(1, 1, 0)};
	for (int i = 0; i < 10; i++)
		ipc_call(ep, &m);
	uint64_t t0 = instret();
	for (int i = 0; i < ROUNDS; i++) {
		m.tag = msg_tag(1, 1, 0);
		if ((e = ipc_call(ep, &m)) != ERR_OK)
			fail("IPC call", e);
	}
	report("IPC call+reply between two address spaces", instret() - t0, ROUNDS, "instructions");
	sys_thread_kill(p.thread, 0);
	sys_handle_close(p.thread);
	sys_handle_close(p.space);
	sys_handle_close(ep);
}

struct pager {
	handle_t ep;
	unsigned per_fault;
	uint64_t ipcbuf;
};

static void pager_thread(struct pager *p)
{
	struct msg m = {0};
	struct ipc_buffer *buf = (struct ipc_buffer *)p->ipcbuf;
	int e = ipc_recv(p->ep, &m);

	while (e == ERR_OK) {
		uint64_t va = m.w[0] & ~(p->per_fault * PAGE - 1);
		handle_t f;
		if (sys_frame_alloc(p->per_fault == 1 ? 0 : 4, FRAME_ZEROED, &f) != ERR_OK)
			break;
		for (unsigned i = 0; i < p->per_fault; i++) {
			uint64_t w0 = fault_item_va(va + i * PAGE, PROT_R | PROT_W);
			uint64_t w1 = fault_item_frame(f, i);
			if (2 * i < MSG_REG_WORDS)
				m.w[2 * i] = w0;
			else
				buf->words[2 * i] = w0;
			if (2 * i + 1 < MSG_REG_WORDS)
				m.w[2 * i + 1] = w1;
			else
				buf->words[2 * i + 1] = w1;
		}
		m.tag = msg_tag(MSG_FAULT, 2 * p->per_fault, 0);
		ipc_reply(&m);
		sys_handle_close(f);
		e = ipc_recv(p->ep, &m);
	}
	sys_thread_exit(0);
}

static void pager_entry(void *arg)
{
	pager_thread(arg);
}

static void bench_faults(unsigned per_fault, const char *name)
{
	struct pager p = {.per_fault = per_fault};
	handle_t t;
	uint64_t base = uvm_reserve((FAULT_PAGES + 16) * PAGE);
	base = (base + 16 * PAGE - 1) & ~(16 * PAGE - 1);
	uint8_t *buf = umap_pages(0, 0);
	int e = sys_endpoint_create(&p.ep);

	p.ipcbuf = (uint64_t)buf;
	if (e == ERR_OK)
		e = sys_region_add(uenv.space, base, FAULT_PAGES * PAGE, p.ep, 1, PROT_R | PROT_W);
	if (e == ERR_OK)
		e = uthread_spawn(pager_entry, &p, 25, p.ipcbuf, &t);
	if (e != ERR_OK)
		fail("starting the pager", e);
	uint64_t t0 = instret();
	for (unsigned i = 0; i < FAULT_PAGES; i++)
		((volatile uint64_t *)(base + i * PAGE))[0] = i;
	report(name, instret() - t0, FAULT_PAGES, "instructions per page");
	sys_thread_kill(t, 0);
	sys_handle_close(t);
	sys_region_remove(uenv.space, base);
	sys_space_unmap(uenv.space, base, FAULT_PAGES * PAGE);
	sys_handle_close(p.ep);
}

static volatile int spin_stop, spinning;

static void spinner(void *arg)
{
	(void)arg;
	__atomic_fetch_add(&spinning, 1, __ATOMIC_RELAXED);
	/* Under -icount a vCPU in a tight user loop starves the others: keep entering the kernel.
	 */
	while (!spin_stop)
		sys_sleep(100000);
}

/* The start of a 2 MiB range of address space that one last-level page table maps. */
static uint64_t two_pages_in_one_table(void)
{
	const uint64_t table = 2ull << 20;

	return (uvm_reserve(2 * table) + table - 1) & ~(table - 1);
}

/*
 * Unmap one page while the page after it stays mapped, so its page table
 * stays too: the figure is the unmap and the flush of one page, whatever
 * else lies in that table (freeing a table and flushing the whole space
 * would add to it, depending on where the page happens to lie).
 */
static uint64_t unmap_cost(handle_t f, uint64_t va)
{
	uint64_t total = 0;

	sys_space_map(uenv.space, va + PAGE, f, 0, 1, PROT_R);
	for (int i = 0; i < SHOOT_ROUNDS; i++) {
		sys_space_map(uenv.space, va, f, 0, 1, PROT_R | PROT_W);
		((volatile uint64_t *)va)[0] = 1;
		uint64_t t0 = instret();
		sys_space_unmap(uenv.space, va, PAGE);
		total += instret() - t0;
	}
	sys_space_unmap(uenv.space, va + PAGE, PAGE);
	return total;
}

static void bench_local_unmap(void)
{
	handle_t f;
	uint64_t va = two_pages_in_one_table();

	if (sys_frame_alloc(0, FRAME_ZEROED, &f) != ERR_OK)
		fail("frame", ERR_NOMEM);
	report("unmap one page, space live on one hart", unmap_cost(f, va), SHOOT_ROUNDS,
	       "instructions");
	sys_handle_close(f);
}

static void bench_shootdown(void)
{
	handle_t f, t[3];
	uint64_t va = two_pages_in_one_table();

	if (sys_frame_alloc(0, FRAME_ZEROED, &f) != ERR_OK)
		fail("frame", ERR_NOMEM);
	for (int i = 0; i < 3; i++)
		if (uthread_spawn(spinner, 0, 5, 0, &t[i]) != ERR_OK)
			fail("spinner", ERR_NOMEM);
	while (spinning < 3)
		sys_sleep(1000000);
	/* Without -icount QEMU's instret reads the host's cycle counter: host ticks, not
	 * instructions. */
	report("unmap one page, TLB shootdown to 3 other harts", unmap_cost(f, va), SHOOT_ROUNDS,
	       "host ticks on the sender (QEMU without -icount)");
	spin_stop = 1;
}

/*
 * The longest time the kernel lock was held while a 1 GiB range of real
 * mappings was unmapped in one call (a 2 MiB frame mapped 512 times, in a
 * space of its own), and the unmap's own length, both in cycles (QEMU
 * without -icount: host ticks). The unmap runs in slices with the lock
 * released between them, so the first figure is one slice, not the call.
 */
static void bench_lock_hold_unmap(void)
{
	const uint64_t chunk = 2ull << 20, base = 1ull << 30, total = 1ull << 30;
	handle_t q, s, f;
	uint64_t hold = 0;

	if (sys_quota_split(uenv.quota, 8ull << 20, &q) != ERR_OK ||
	    sys_space_create(q, &s) != ERR_OK || sys_frame_alloc(9, FRAME_ZEROED, &f) != ERR_OK)
		fail("1 GiB unmap set-up", ERR_NOMEM);
	for (uint64_t va = base; va < base + total; va += chunk) {
		int e = sys_space_map(s, va, f, 0, chunk / PAGE, PROT_R | PROT_W);
		if (e != ERR_OK)
			fail("map for the 1 GiB unmap", e);
	}
	sys_kernel_stats(uenv.system, true, NULL, NULL, NULL);
	uint64_t t0 = instret();
	int e = sys_space_unmap(s, base, total);
	uint64_t t1 = instret();
	if (e != ERR_OK)
		fail("1 GiB unmap", e);
	sys_kernel_stats(uenv.system, true, &hold, NULL, NULL);
	report("unmap of 1 GiB of mapped pages, the whole call", t1 - t0, 1,
	       "host ticks (QEMU without -icount)");
	report("longest kernel-lock hold during that unmap", hold, 1,
	       "cycles (host ticks, QEMU without -icount)");
	sys_handle_close(s);
	sys_handle_close(f);
	sys_handle_close(q);
}

#define EVICT_PAGES  64
#define EVICT_ROUNDS 8

/* Map EVICT_PAGES pages scattered over va (one in 8), write every other one. */
static void evict_setup(handle_t f, uint64_t va, uint64_t *vas)
{
	for (unsigned i = 0; i < EVICT_PAGES; i++) {
		vas[i] = va + i * 8 * PAGE;
		if (sys_space_map(uenv.space, vas[i], f, i, 1, PROT_R | PROT_W) != ERR_OK)
			fail("map for eviction", ERR_NOMEM);
		if (i % 2)
			((volatile uint64_t *)vas[i])[0] = i;
		else
			(void)((volatile uint64_t *)vas[i])[0];
	}
}

/*
 * Taking pages back as a pager evicts them: learn whether each was written
 * and unmap it. Per page, with one A/D read and one unmap per page, and
 * with one SYS_SPACE_AD call that unmaps a list of 64 pages and returns
 * their bits (AD_LIST | AD_UNMAP); and reading the bits of a 512-page
 * range in which 64 pages are mapped.
 */
static void bench_eviction(void)
{
	handle_t f;
	uint64_t va = two_pages_in_one_table(), vas[EVICT_PAGES];
	uint64_t one = 0, listed = 0, range = 0;
	uint8_t ad[512];

	if (sys_frame_alloc(6, FRAME_ZEROED, &f) != ERR_OK)
		fail("frame", ERR_NOMEM);
	/* The table's last page stays mapped: no figure includes freeing the table. */
	if (sys_space_map(uenv.space, va + 511 * PAGE, f, 0, 1, PROT_R) != ERR_OK)
		fail("map for eviction", ERR_NOMEM);
	for (int r = 0; r < EVICT_ROUNDS; r++) {
		evict_setup(f, va, vas);
		uint64_t t0 = instret();
		for (unsigned i = 0; i < EVICT_PAGES; i++) {
			sys_space_ad(uenv.space, vas[i], 1, &ad[i], 0);
			sys_space_unmap(uenv.space, vas[i], PAGE);
		}
		one += instret() - t0;
		evict_setup(f, va, vas);
		t0 = instret();
		sys_space_ad(uenv.space, va, 8 * EVICT_PAGES, ad, 0);
		range += instret() - t0;
		t0 = instret();
		sys_space_ad_list(uenv.space, vas, EVICT_PAGES, ad, AD_UNMAP);
		listed += instret() - t0;
	}
	report("evict a page (A/D read + unmap, one call each per page)", one,
	       EVICT_ROUNDS * EVICT_PAGES, "instructions per page");
	report("evict a page (one AD_LIST|AD_UNMAP call for 64 pages)", listed,
	       EVICT_ROUNDS * EVICT_PAGES, "instructions per page");
	report("A/D read of a 512-page range, 65 pages mapped", range, EVICT_ROUNDS,
	       "instructions per call");
	sys_space_unmap(uenv.space, va + 511 * PAGE, PAGE);
	sys_handle_close(f);
}

/*
 * The reverse map (FRAME_RMAP, SYS_FRAME_AD): evicting a page that n spaces
 * map, in one call that unmaps it from all of them and returns its bits,
 * for n = 1, 4 and 16; and what the map adds to mapping and unmapping a page
 * (one space, a FRAME_RMAP frame against a plain one).
 */
static void bench_rmap(void)
{
	static const unsigned counts[] = {1, 4, 16};
	handle_t f, plain, sp[16];
	uint8_t ad;
	uint64_t va = two_pages_in_one_table();

	if (sys_frame_alloc(0, FRAME_RMAP, &f) != ERR_OK || sys_frame_alloc(0, 0, &plain) != ERR_OK)
		fail("rmap frames", ERR_NOMEM);
	/* Each space keeps a page in the same table: no figure includes freeing a table. */
	for (unsigned i = 0; i < 16; i++)
		if (sys_space_create(uenv.quota, &sp[i]) != ERR_OK ||
		    sys_space_map(sp[i], 0x40000000 + PAGE, plain, 0, 1, PROT_R) != ERR_OK)
			fail("rmap spaces", ERR_NOMEM);
	for (unsigned c = 0; c < sizeof(counts) / sizeof(counts[0]); c++) {
		uint64_t total = 0;
		for (int r = 0; r < EVICT_ROUNDS; r++) {
			for (unsigned i = 0; i < counts[c]; i++)
				if (sys_space_map(sp[i], 0x40000000, f, 0, 1, PROT_R | PROT_W) !=
				    ERR_OK)
					fail("rmap map", ERR_NOMEM);
			uint64_t t0 = instret();
			sys_frame_ad(f, 0, 1, &ad, AD_UNMAP, 0);
			total += instret() - t0;
		}
		char what[80];
		fmt_snprintf(what, sizeof(what),
			     "evict a page mapped in %u space%s (SYS_FRAME_AD, AD_UNMAP)",
			     counts[c], counts[c] == 1 ? "" : "s");
		report(what, total, EVICT_ROUNDS, "instructions per eviction");
	}
	/* The table's last page stays mapped: the figures do not include a table. */
	sys_space_map(uenv.space, va + 511 * PAGE, plain, 0, 1, PROT_R);
	handle_t frames[2] = {plain, f};
	uint64_t pair[2] = {0, 0};
	for (int k = 0; k < 2; k++) {
		for (int r = 0; r < EVICT_ROUNDS * 8; r++) {
			uint64_t t0 = instret();
			sys_space_map(uenv.space, va, frames[k], 0, 1, PROT_R);
			sys_space_unmap(uenv.space, va, PAGE);
			pair[k] += instret() - t0;
		}
	}
	report("map + unmap a page, plain frame", pair[0], EVICT_ROUNDS * 8, "instructions");
	report("map + unmap a page, FRAME_RMAP frame", pair[1], EVICT_ROUNDS * 8, "instructions");
	sys_space_unmap(uenv.space, va + 511 * PAGE, PAGE);
	for (unsigned i = 0; i < 16; i++)
		sys_handle_close(sp[i]);
	sys_handle_close(f);
	sys_handle_close(plain);
}

int main(uint64_t arg)
{
	if (arg != BOOTINFO_VA)
		server((handle_t)arg);
	bi = (struct bootinfo *)arg;
	uenv = (struct uenv){bi->self_space, bi->self_thread, bi->quota, bi->system};
	if (initrd_map(bi->initrd, bi->initrd_offset, bi->initrd_size, &rd) != ERR_OK)
		fail("initrd", ERR_NOENT);
	if (bi->nharts >= 4) {
		bench_lock_hold_unmap();
		bench_shootdown();
	} else {
		bench_null_syscall();
		bench_ipc();
		bench_faults(1, "page fault resolved by a user pager, 1 page per reply");
		bench_faults(16, "page fault resolved by a user pager, 16 pages per reply");
		bench_rmap();
		bench_local_unmap();
		bench_eviction();
	}
	sys_system_exit(uenv.system, 0);
}
