/*
 * blktest: the in-guest tests of the blk server, through its protocol
 * (lib/user/blk_proto.h). root runs it before init with `test=blktest`,
 * giving it the blk endpoint, the console and the system handle (for the
 * memory figures). It expects the disk scripts/mkdisk.sh makes:
 * GPT, 1 "root" (ext2) at 2048 for 65536 sectors, 2 "swap" at 67584 for
 * 327680, 3 "test" (ext2) at 395264 for 65536. Only the swap partition is
 * written (fs has "root" mounted meanwhile). The disk is 462720 sectors
 * on virtio; an SD card image is padded to a power of two (QEMU requires
 * it; scripts/qemu-args.sh), so there the disk is larger and the tests use
 * the size blk reports.
 *
 * Each test is a function; free memory (free pages plus the kernel's cache
 * pages) must be back where it was once the test's threads and frames are
 * gone. Prints "ok - blk/NAME" / "not ok - blk/NAME" and the summary
 * "blktest: N passed, M failed"; exits with the number of failures.
 */
#include "lib/error.h"
#include "lib/partition.h"
#include "lib/str.h"
#include "lib/user/blk_proto.h"
#include "lib/user/ipc.h"
#include "lib/user/syscall.h"
#include "lib/user/ulib.h"
#include "lib/user/ustart.h"

#define PAGE	     4096ull
#define ROOT_FIRST   2048
#define ROOT_SECTORS 65536
#define SWAP_FIRST   67584
#define SWAP_SECTORS 327680
#define TEST_FIRST   395264
#define TEST_SECTORS 65536
#define DISK_SECTORS 462720 /* what mkdisk.sh writes: the disk may be larger */
#define NPAR	     36	    /* client threads at once */
#define PAR_ROUNDS   2
#define TPRIO	     26

#define IPCBUF ((struct ipc_buffer *)USTART_IPCBUF)

static handle_t blk_ep;
static int failed_here;
static uint64_t disk_sectors; /* BLK_INFO w0 */

#define CHECK(c)                                                                                   \
	do {                                                                                       \
		if (!(c)) {                                                                        \
			uprintf("    %s:%d: check failed: %s\n", __FILE__, __LINE__, #c);          \
			failed_here = 1;                                                           \
			return;                                                                    \
		}                                                                                  \
	} while (0)

/* ------------------------------------------------------------ helpers */

struct dma {
	handle_t f;
	uint8_t *va;
	uint64_t bytes;
};

/* A DMA frame of 2^order pages, mapped; f = 0 on failure. */
static struct dma dma_new(unsigned order)
{
	struct dma d = {0, 0, PAGE << order};
	uint64_t va = uvm_reserve(d.bytes);

	if (sys_frame_alloc(order, FRAME_ZEROED, &d.f) != ERR_OK)
		return (struct dma){0};
	if (sys_space_map(uenv.space, va, d.f, 0, 1ull << order, PROT_R | PROT_W) != ERR_OK) {
		sys_handle_close(d.f);
		return (struct dma){0};
	}
	d.va = (uint8_t *)va;
	return d;
}

static void dma_free(struct dma *d)
{
	if (d->f) {
		sys_space_unmap(uenv.space, (uint64_t)d->va, d->bytes);
		sys_handle_close(d->f);
	}
	*d = (struct dma){0};
}

/*
 * A data request on the calling thread (ipc: its IPC buffer): frame f with
 * rights, partition, sector, count, offset. Returns the error of the call
 * or of the reply; *done (if not NULL) the sectors reported.
 */
static int rw_as(struct ipc_buffer *ipc, unsigned label, handle_t f, uint32_t rights, uint64_t part,
		 uint64_t sector, uint64_t n, uint64_t off, uint64_t *done)
{
	struct msg m = {.tag = msg_tag(label, 4, f ? 1 : 0), .w = {part, sector, n, off}};

	ipc->handles[0] = f;
	ipc->handle_rights[0] = rights;
	int e = ipc_call(blk_ep, &m);
	if (e == ERR_OK)
		e = msg_error(m.tag);
	if (e == ERR_OK && done)
		*done = m.w[0];
	return e;
}

#define RW_RIGHTS (RIGHT_READ | RIGHT_WRITE | RIGHT_MAP | RIGHT_GRANT)

static int rw(unsigned label, const struct dma *d, uint64_t part, uint64_t sector, uint64_t n,
	      uint64_t off)
{
	uint64_t done = 0;
	int e = rw_as(IPCBUF, label, d->f, RW_RIGHTS, part, sector, n, off, &done);

	return e == ERR_OK && done != n ? ERR_STATE : e;
}

static int simple(struct msg *m)
{
	int e = ipc_call(blk_ep, m);

	return e == ERR_OK ? msg_error(m->tag) : e;
}

static void fill(uint8_t *b, uint64_t n, uint32_t seed)
{
	for (uint64_t i = 0; i < n; i++) {
		seed = seed * 1103515245u + 12345u;
		b[i] = (uint8_t)(seed >> 16);
	}
}

static uint64_t free_now(void)
{
	uint64_t free = 0, slab = 0, blocks[19];

	sys_mem_info_orders(uenv.system, &free, 0, blocks, &slab);
	return free + slab;
}

/* Threads of a test: their stacks and IPC buffers go when they are joined. */
struct tthread {
	handle_t t;
	struct dma stack, ipc;
	void (*fn)(struct tthread *);
	int arg, result;
};

static void tthread_entry(struct tthread *t)
{
	t->fn(t);
	sys_thread_exit(0);
}

static int tthread_start(struct tthread *t)
{
	t->stack = (struct dma){.bytes = 4 * PAGE};
	t->ipc = (struct dma){.bytes = PAGE};
	t->stack.va = umap_pages(2, &t->stack.f);
	t->ipc.va = umap_pages(0, &t->ipc.f);
	if (!t->stack.va || !t->ipc.va)
		return ERR_NOMEM;
	uint64_t top = (uint64_t)t->stack.va + t->stack.bytes;
	int e = sys_thread_create(uenv.space, (uint64_t)tthread_entry, top - 64, (uint64_t)t, TPRIO,
				  &t->t);
	if (e == ERR_OK)
		e = sys_thread_set_ipcbuf(t->t, (uint64_t)t->ipc.va);
	if (e == ERR_OK)
		e = sys_thread_start(t->t);
	return e;
}

/* Wait for t to end, then free its thread object, stack and IPC buffer. */
static void tthread_join(struct tthread *t)
{
	struct thread_info ti = {0};

	while (t->t && sys_thread_info(t->t, &ti) == ERR_OK && ti.state != THREAD_DEAD)
		sys_sleep(1000 * 1000);
	if (t->t)
		sys_handle_close(t->t);
	dma_free(&t->stack);
	dma_free(&t->ipc);
	t->t = 0;
}

/* ------------------------------------------------------------ tests */

static void t_info(void)
{
	struct msg m = {.tag = msg_tag(BLK_INFO, 0, 0)};

	CHECK(simple(&m) == ERR_OK);
	CHECK(m.w[0] == disk_sectors && m.w[0] >= DISK_SECTORS && m.w[1] == 128 &&
	      m.w[4] == PART_GPT);
	CHECK(m.w[3] >= 256 && m.w[3] <= BLK_MAX_SECTORS);
	uprintf("    %lu sectors, %lu per request, flags %lx\n", m.w[0], m.w[3], m.w[2]);

	const uint64_t expect[][2] = {{0, disk_sectors},
				      {ROOT_FIRST, ROOT_SECTORS},
				      {SWAP_FIRST, SWAP_SECTORS},
				      {TEST_FIRST, TEST_SECTORS}};
	static const char *const names[] = {"", "root", "swap", "test"};
	for (unsigned i = 0; i < 4; i++) {
		m = (struct msg){.tag = msg_tag(BLK_PART, 1, 0), .w = {i}};
		CHECK(simple(&m) == ERR_OK);
		CHECK(m.w[0] == expect[i][0] && m.w[1] == expect[i][1]);
		const char *name = (const char *)&IPCBUF->words[BLK_NAME_WORD];
		const uint8_t *type = i == 2 ? part_type_linux_swap : part_type_linux_fs;
		if (i == 0) {
			CHECK(name[0] == 0 && m.w[2] == 0);
			continue;
		}
		CHECK(memcmp(&m.w[2], type, 8) == 0 && memcmp(&m.w[3], type + 8, 8) == 0);
		CHECK(strcmp(name, names[i]) == 0);
	}
	const uint64_t none[] = {4, 128, 129, 1ull << 40, ~0ull};
	for (unsigned i = 0; i < sizeof(none) / sizeof(none[0]); i++) {
		m = (struct msg){.tag = msg_tag(BLK_PART, 1, 0), .w = {none[i]}};
		CHECK(simple(&m) == ERR_NOENT);
	}
}

/* Write a pattern, read it back elsewhere in another frame, and through the whole disk. */
static void t_rw(void)
{
	struct dma a = dma_new(4), b = dma_new(4); /* 64 KiB each */

	CHECK(a.f && b.f);
	fill(a.va, a.bytes, 1);
	CHECK(rw(BLK_WRITE, &a, 2, 100, 128, 0) == ERR_OK);
	CHECK(rw(BLK_READ, &b, 2, 100, 64, 4096) == ERR_OK); /* first 32 KiB at 4 KiB in b */
	CHECK(memcmp(a.va, b.va + 4096, 64 * 512) == 0);
	memset(b.va, 0, b.bytes);
	CHECK(rw(BLK_READ, &b, 0, SWAP_FIRST + 164, 64, 512) == ERR_OK); /* the second half */
	CHECK(memcmp(a.va + 64 * 512, b.va + 512, 64 * 512) == 0);
	CHECK(b.va[0] == 0 && b.va[512 + 64 * 512] == 0); /* nothing around it touched */
	/* The root partition's ext2 superblock: 1024 bytes in, magic 0xef53 at 56. */
	CHECK(rw(BLK_READ, &b, 1, 0, 4, 0) == ERR_OK);
	CHECK(b.va[1024 + 56] == 0x53 && b.va[1024 + 57] == 0xef);
	struct msg m = {.tag = msg_tag(BLK_FLUSH, 0, 0)};
	CHECK(simple(&m) == ERR_OK);
	dma_free(&a);
	dma_free(&b);
}

/* A partition's edges: its last sector is its own, the next one is refused. */
static void t_bounds(void)
{
	struct dma a = dma_new(0), b = dma_new(0);

	CHECK(a.f && b.f);
	fill(a.va, 512, 7);
	CHECK(rw(BLK_WRITE, &a, 2, SWAP_SECTORS - 1, 1, 0) == ERR_OK);
	CHECK(rw(BLK_READ, &b, 0, SWAP_FIRST + SWAP_SECTORS - 1, 1, 0) == ERR_OK);
	CHECK(memcmp(a.va, b.va, 512) == 0);
	CHECK(rw(BLK_WRITE, &a, 2, SWAP_SECTORS, 1, 0) == ERR_RANGE);
	CHECK(rw(BLK_WRITE, &a, 2, SWAP_SECTORS - 1, 2, 0) == ERR_RANGE);
	CHECK(rw(BLK_READ, &b, 1, ROOT_SECTORS - 8, 8, 0) == ERR_OK);
	CHECK(rw(BLK_READ, &b, 1, ROOT_SECTORS - 7, 8, 0) == ERR_RANGE);
	CHECK(rw(BLK_READ, &b, 0, disk_sectors - 1, 1, 0) == ERR_OK);
	CHECK(rw(BLK_READ, &b, 0, disk_sectors, 1, 0) == ERR_RANGE);
	CHECK(rw(BLK_READ, &b, 2, ~0ull, 1, 0) == ERR_RANGE);
	CHECK(rw(BLK_READ, &b, 2, ~0ull - 2, 8, 0) == ERR_RANGE);
	CHECK(rw(BLK_READ, &b, 4, 0, 1, 0) == ERR_NOENT);
	CHECK(rw(BLK_READ, &b, 1000, 0, 1, 0) == ERR_NOENT);
	dma_free(&a);
	dma_free(&b);
}

/* Requests that are wrong in every other way: refused, and nothing happens. */
static void t_bad_requests(void)
{
	struct dma a = dma_new(0);
	handle_t plain = 0, ro = 0, wo = 0, ep = 0;
	struct msg m;

	CHECK(a.f);
	CHECK(rw(BLK_READ, &a, 2, 0, 0, 0) == ERR_INVALID);
	CHECK(rw(BLK_READ, &a, 2, 0, 9, 0) == ERR_RANGE);    /* 4608 bytes in a page */
	CHECK(rw(BLK_READ, &a, 2, 0, 1, 4096) == ERR_RANGE); /* offset past the frame */
	CHECK(rw(BLK_READ, &a, 2, 0, 8, 512) == ERR_RANGE);
	CHECK(rw(BLK_READ, &a, 2, 0, 1, 100) == ERR_ALIGN);
	CHECK(rw(BLK_READ, &a, 2, 0, BLK_MAX_SECTORS + 1, 0) == ERR_RANGE);
	/* No frame, not a frame, rights missing; an ordinary frame is what a client lends. */
	CHECK(rw_as(IPCBUF, BLK_READ, 0, 0, 2, 0, 1, 0, 0) == ERR_INVALID);
	CHECK(sys_endpoint_create(&ep) == ERR_OK);
	CHECK(rw_as(IPCBUF, BLK_READ, ep, RIGHTS_ALL, 2, 0, 1, 0, 0) == ERR_INVALID);
	CHECK(sys_frame_alloc(0, FRAME_ZEROED, &plain) == ERR_OK);
	CHECK(rw_as(IPCBUF, BLK_READ, plain, RIGHTS_ALL, 2, 0, 1, 0, 0) == ERR_OK);
	CHECK(sys_handle_dup(a.f, RIGHT_READ | RIGHT_MAP | RIGHT_GRANT, &ro) == ERR_OK);
	CHECK(rw_as(IPCBUF, BLK_READ, ro, RIGHTS_ALL, 2, 0, 1, 0, 0) == ERR_PERM);
	CHECK(rw_as(IPCBUF, BLK_WRITE, ro, RIGHTS_ALL, 2, 0, 1, 0, 0) == ERR_OK);
	CHECK(rw_as(IPCBUF, BLK_WRITE, a.f, RW_RIGHTS & ~RIGHT_MAP, 2, 0, 1, 0, 0) == ERR_PERM);
	CHECK(rw_as(IPCBUF, BLK_READ, a.f, RW_RIGHTS & ~RIGHT_MAP, 2, 0, 1, 0, 0) == ERR_PERM);
	/* Writable but not readable: a disk fed through the CPU cannot map it (blk_proto.h). */
	CHECK(sys_handle_dup(a.f, RIGHT_WRITE | RIGHT_MAP | RIGHT_GRANT, &wo) == ERR_OK);
	CHECK(rw_as(IPCBUF, BLK_WRITE, wo, RIGHTS_ALL, 2, 0, 1, 0, 0) == ERR_PERM);
	CHECK(rw_as(IPCBUF, BLK_READ, wo, RIGHTS_ALL, 2, 0, 1, 0, 0) == ERR_PERM);
	/* Unknown labels, and a data request without its words. */
	m = (struct msg){.tag = msg_tag(0x5ff, 0, 0)};
	CHECK(simple(&m) == ERR_UNSUPPORTED);
	m = (struct msg){.tag = msg_tag(BLK_READ, 2, 0), .w = {2, 0}};
	CHECK(simple(&m) == ERR_INVALID);
	sys_handle_close(ep);
	sys_handle_close(plain);
	sys_handle_close(ro);
	sys_handle_close(wo);
	dma_free(&a);
}

static volatile int par_go;

/* One client thread: its own sectors of the swap partition, written and read back. */
static void par_client(struct tthread *t)
{
	struct ipc_buffer *ipc = (struct ipc_buffer *)t->ipc.va;
	struct dma a = dma_new(0), b = dma_new(0);

	t->result = ERR_NOMEM;
	if (!a.f || !b.f)
		goto out;
	while (!__atomic_load_n(&par_go, __ATOMIC_ACQUIRE))
		sys_yield();
	for (int r = 0; r < PAR_ROUNDS; r++) {
		uint64_t sector = 1000 + ((uint64_t)t->arg * PAR_ROUNDS + r) * 8, done;
		fill(a.va, PAGE, (uint32_t)(t->arg * 100 + r));
		t->result = rw_as(ipc, BLK_WRITE, a.f, RW_RIGHTS, 2, sector, 8, 0, &done);
		if (t->result == ERR_OK)
			t->result = rw_as(ipc, BLK_READ, b.f, RW_RIGHTS, 2, sector, 8, 0, &done);
		if (t->result == ERR_OK && memcmp(a.va, b.va, PAGE) != 0)
			t->result = ERR_CORRUPT;
		if (t->result != ERR_OK)
			break;
	}
out:
	dma_free(&a);
	dma_free(&b);
}

/* NPAR client threads at once: more than 32 requests in flight, every byte checked. */
static void t_parallel(void)
{
	static struct tthread th[NPAR];
	struct msg m = {.tag = msg_tag(BLK_STATS, 0, 0)};
	int bad = 0;

	par_go = 0;
	for (int i = 0; i < NPAR; i++) {
		th[i] = (struct tthread){.fn = par_client, .arg = i, .result = ERR_STATE};
		CHECK(tthread_start(&th[i]) == ERR_OK);
	}
	sys_sleep(20 * 1000 * 1000); /* all of them at the gate */
	__atomic_store_n(&par_go, 1, __ATOMIC_RELEASE);
	for (int i = 0; i < NPAR; i++) {
		tthread_join(&th[i]);
		if (th[i].result != ERR_OK && !bad++)
			uprintf("    client %d: %s\n", i, err_name(th[i].result));
	}
	CHECK(bad == 0);
	CHECK(simple(&m) == ERR_OK);
	uprintf("    %lu requests done, at most %lu in flight\n", m.w[0], m.w[1]);
	CHECK(m.w[1] >= 32 && m.w[2] == 0 && m.w[3] == 0);
}

/* A client killed while its request is in the device: blk holds the frame until it is done. */
static struct dma big;
static uint64_t max_sectors; /* BLK_INFO w3: the SD card takes fewer than virtio */

static void dying_client(struct tthread *t)
{
	t->result = rw_as((struct ipc_buffer *)t->ipc.va, BLK_READ, big.f, RW_RIGHTS, 2, 0,
			  max_sectors, 0, 0);
}

static void t_client_dies(void)
{
	struct msg m;
	uint64_t done0;

	big = dma_new(8); /* 1 MiB */
	m = (struct msg){.tag = msg_tag(BLK_STATS, 0, 0)};
	CHECK(simple(&m) == ERR_OK);
	done0 = m.w[0];
	CHECK(big.f);
	for (int round = 0; round < 4; round++) {
		struct tthread t = {.fn = dying_client, .result = ERR_STATE};
		CHECK(tthread_start(&t) == ERR_OK);
		for (int i = 0; i < round; i++)
			sys_yield();
		sys_thread_kill(t.t, 9);
		tthread_join(&t);
	}
	dma_free(&big); /* blk may still hold it: it goes when blk closes its handle */
	for (int i = 0; i < 500; i++) { /* 5 s: the SD card moves its bytes through the CPU */
		m = (struct msg){.tag = msg_tag(BLK_STATS, 0, 0)};
		CHECK(simple(&m) == ERR_OK);
		if (m.w[3] == 0)
			break;
		sys_sleep(10 * 1000 * 1000);
	}
	CHECK(m.w[3] == 0);
	CHECK(m.w[0] >= done0 + 2); /* most of the killed clients' requests did reach the device */
	/* And blk serves on. */
	struct dma a = dma_new(0);
	CHECK(a.f && rw(BLK_READ, &a, 1, 2, 1, 0) == ERR_OK);
	dma_free(&a);
}

/* ------------------------------------------------------------ runner */

struct test {
	const char *name;
	void (*fn)(void);
};

static const struct test tests[] = {
    {"info", t_info},	      {"rw", t_rw},
    {"bounds", t_bounds},     {"bad_requests", t_bad_requests},
    {"parallel", t_parallel}, {"client_dies", t_client_dies},
};

int main(const struct ustart *us)
{
	int passed = 0, failed = 0;

	if (us->magic != USTART_MAGIC || us->role != ROLE_TEST || !us->system) {
		uprintf("blktest: not started as a test by root\n");
		return 1;
	}
	uenv = (struct uenv){us->self_space, us->self_thread, us->quota, us->system};
	blk_ep = us->blk;
	struct msg m = {.tag = msg_tag(BLK_INFO, 0, 0)};
	if (!blk_ep || simple(&m) != ERR_OK) {
		uprintf("blktest: no disk: nothing to test\nblktest: 0 passed, 1 failed\n");
		return 1;
	}
	disk_sectors = m.w[0];
	max_sectors = m.w[3];
	/*
	 * blk answers once all its workers are up; the other servers may still
	 * be settling (on sifive_u proc starts as slowly as blk): wait until free
	 * memory holds still for 50 ms, 2 s at most.
	 */
	for (int i = 0, steady = 0; i < 40 && steady < 2; i++) {
		uint64_t a = free_now();
		sys_sleep(25 * 1000 * 1000);
		steady = free_now() == a ? steady + 1 : 0;
	}
	for (unsigned i = 0; i < sizeof(tests) / sizeof(tests[0]); i++) {
		uint64_t before = free_now(), after = 0;
		failed_here = 0;
		tests[i].fn();
		for (int k = 0; k < 100 && (after = free_now()) != before; k++)
			sys_sleep(10 * 1000 * 1000);
		if (!failed_here && after != before) {
			uprintf("    free memory %lu pages before, %lu after\n", before, after);
			failed_here = 1;
		}
		uprintf("%s - blk/%s\n", failed_here ? "not ok" : "ok", tests[i].name);
		failed_here ? failed++ : passed++;
	}
	uprintf("blktest: %d passed, %d failed\n", passed, failed);
	return failed;
}
