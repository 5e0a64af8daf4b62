/*
 * The request layer: each worker receives a request on the blk endpoint,
 * checks all of it (decode), hands it to the backend on its own slot and
 * waits (perform), then replies. Handles that come with a request are
 * always closed once the device is done, so a frame stays alive exactly as
 * long as the device may write to it — also when the client has died.
 *
 * A backend without DMA (blk.maps: the SD card on SPI) gets the data
 * mapped: the worker maps the pages of the client's frame that the
 * transfer touches into its own window of blk's address space, the backend
 * copies between them and the device, and the worker unmaps them. No
 * bounce buffer; blk is trusted with the client's memory either way.
 */
#include "lib/error.h"
#include "lib/str.h"
#include "lib/user/blk_proto.h"
#include "lib/user/ipc.h"
#include "lib/user/syscall.h"
#include "lib/user/ulib.h"
#include "user/blk/blk.h"

#define KERNEL_MSG (1ull << 31)

#define WINDOW_PAGES (BLK_MAX_SECTORS * BLK_SECTOR / PAGE + 1) /* an unaligned 1 MiB */

struct worker {
	unsigned slot;
	handle_t ep;
	struct ipc_buffer *ipc;
	uint64_t window; /* blk.maps: where this worker maps a client's frame */
};

struct blk_stats blk_stats;

static struct worker workers[NWORKERS];

/* A checked data request: the transfer, and where it lies in the frame. */
struct rw {
	struct blk_io io;
	handle_t frame;
	uint64_t off;
};

/* The partition index's first sector and size: ERR_OK, or ERR_NOENT. */
static int partition(uint64_t index, uint64_t *first, uint64_t *count)
{
	if (index == 0) {
		*first = 0;
		*count = blk.capacity;
		return ERR_OK;
	}
	if (index > blk.parts.nslots || blk.parts.slot[index - 1].count == 0)
		return ERR_NOENT;
	*first = blk.parts.slot[index - 1].first;
	*count = blk.parts.slot[index - 1].count;
	return ERR_OK;
}

/*
 * Is frame f device registers? A zero-page copy or zero is refused with
 * ERR_INVALID for an MMIO frame before its count is looked at (ERR_RANGE).
 */
static bool is_mmio(handle_t f, uint32_t rights)
{
	int e = rights & RIGHT_WRITE ? sys_frame_zero(f, 0, 0)
				     : sys_frame_copy(blk.ram_frame, 0, f, 0, 0);
	return e == ERR_INVALID;
}

/*
 * Check a BLK_READ/BLK_WRITE against the disk, its partition and the frame
 * f. Every backend asks the same rights (blk_proto.h), so that clients
 * cannot tell one disk from another.
 */
static int decode_rw(const struct msg *m, handle_t f, struct rw *r)
{
	uint32_t rights = 0;
	unsigned label = msg_label(m->tag), type = 0;
	uint64_t first = 0, count = 0, pages = 0, pa = 0;
	uint64_t sector = m->w[1], n = m->w[2], off = m->w[3];

	if (msg_words(m->tag) < 4 || msg_handles(m->tag) != 1 || f <= 0)
		return ERR_INVALID;
	if (sys_handle_info(f, &type, &rights) != ERR_OK || type != OBJ_FRAME)
		return ERR_INVALID;
	uint32_t need = label == BLK_READ ? BLK_READ_RIGHTS : BLK_WRITE_RIGHTS;
	if ((rights & need) != need)
		return ERR_PERM;
	/* The client never learns the address; only we do (blk_proto.h). */
	if (sys_frame_phys(f, uenv.system, &pa, &pages) != ERR_OK)
		return ERR_INVALID;
	if (is_mmio(f, rights))
		return ERR_INVALID;
	if (label == BLK_WRITE && blk.ro)
		return ERR_PERM;
	if (__atomic_load_n(&blk.broken, __ATOMIC_ACQUIRE))
		return ERR_IO;
	int e = partition(m->w[0], &first, &count);
	if (e != ERR_OK)
		return e;
	if (n == 0)
		return ERR_INVALID;
	if (n > blk.max_sectors || sector >= count || n > count - sector)
		return ERR_RANGE;
	if (first + sector + n > blk.capacity)
		return ERR_RANGE; /* a partition beyond the end of a short disk */
	if (off % BLK_SECTOR)
		return ERR_ALIGN;
	if (off >= pages * PAGE || n * BLK_SECTOR > pages * PAGE - off)
		return ERR_RANGE;
	r->io = (struct blk_io){.write = label == BLK_WRITE,
				.sector = first + sector,
				.bytes = (uint32_t)(n * BLK_SECTOR),
				.pa = pa + off};
	r->frame = f;
	r->off = off;
	return ERR_OK;
}

/* Count a request in (and out of) flight; the peak is the most at once. */
static void stats_begin(void)
{
	uint64_t now = __atomic_add_fetch(&blk_stats.inflight, 1, __ATOMIC_RELAXED);
	uint64_t peak = __atomic_load_n(&blk_stats.peak, __ATOMIC_RELAXED);

	while (now > peak && !__atomic_compare_exchange_n(&blk_stats.peak, &peak, now, false,
							  __ATOMIC_RELAXED, __ATOMIC_RELAXED))
		;
}

static void stats_end(int e)
{
	__atomic_fetch_add(&blk_stats.done, 1, __ATOMIC_RELAXED);
	if (e != ERR_OK)
		__atomic_fetch_add(&blk_stats.failed, 1, __ATOMIC_RELAXED);
	__atomic_fetch_sub(&blk_stats.inflight, 1, __ATOMIC_RELAXED);
}

/*
 * Issue r on the worker's slot. For a mapping backend, map the frame's
 * pages the transfer touches (writable for a read from the disk) into the
 * worker's window first and unmap them after.
 */
static int perform_rw(struct worker *w, struct rw *r)
{
	uint64_t page = r->off / PAGE, npages = (r->off + r->io.bytes + PAGE - 1) / PAGE - page;
	unsigned prot = r->io.write ? PROT_R : PROT_R | PROT_W;
	int e;

	stats_begin();
	if (blk.maps) {
		e = sys_space_map(uenv.space, w->window, r->frame, page, npages, prot);
		if (e != ERR_OK) {
			uprintf("blk: cannot map a client's frame: %s\n", err_name(e));
			stats_end(ERR_IO);
			return ERR_IO;
		}
		r->io.va = (uint8_t *)(w->window + r->off % PAGE);
	}
	e = blk.ops->rw(w->slot, &r->io);
	if (blk.maps)
		sys_space_unmap(uenv.space, w->window, npages * PAGE);
	stats_end(e);
	return e;
}

static int do_rw(struct worker *w, struct msg *m)
{
	struct rw r;
	handle_t f = msg_handles(m->tag) ? w->ipc->handles[0] : 0;
	int e = decode_rw(m, f, &r);

	if (e == ERR_OK)
		e = perform_rw(w, &r);
	if (e == ERR_OK)
		*m = (struct msg){.tag = msg_tag(msg_label(m->tag), 1, 0),
				  .w = {r.io.bytes / BLK_SECTOR}};
	return e;
}

static int do_info(struct msg *m)
{
	uint64_t flags = (blk.ro ? BLK_F_RO : 0) | (blk.flush ? BLK_F_FLUSH : 0) |
			 (blk.modern ? BLK_F_MODERN : 0);

	*m = (struct msg){
	    .tag = msg_tag(BLK_INFO, 5, 0),
	    .w = {blk.capacity, blk.parts.nslots, flags, blk.max_sectors, blk.parts.kind}};
	return ERR_OK;
}

static uint64_t le_word(const uint8_t *b)
{
	uint64_t v = 0;

	for (int i = 7; i >= 0; i--)
		v = v << 8 | b[i];
	return v;
}

static int do_part(struct worker *w, struct msg *m)
{
	uint64_t first, count, index = m->w[0];

	if (msg_words(m->tag) < 1)
		return ERR_INVALID;
	int e = partition(index, &first, &count);
	if (e != ERR_OK)
		return e;
	uint64_t *name = &w->ipc->words[BLK_NAME_WORD];
	for (unsigned i = 0; i < BLK_NAME_WORDS; i++)
		name[i] = 0;
	*m = (struct msg){.tag = msg_tag(BLK_PART, BLK_NAME_WORD + BLK_NAME_WORDS, 0),
			  .w = {first, count}};
	if (index == 0)
		return ERR_OK;
	const struct part *p = &blk.parts.slot[index - 1];
	m->w[2] = le_word(p->type);
	m->w[3] = le_word(p->type + 8);
	m->w[4] = p->attrs;
	memcpy(name, p->name, strlen(p->name)); /* at most 36 of the 40 bytes */
	return ERR_OK;
}

static int do_flush(unsigned slot, struct msg *m)
{
	int e = ERR_OK;

	if (blk.flush) {
		stats_begin();
		e = blk.ops->flush(slot);
		stats_end(e);
	}

	if (e == ERR_OK)
		*m = (struct msg){.tag = msg_tag(BLK_FLUSH, 0, 0)};
	return e;
}

static int do_stats(struct msg *m)
{
	*m = (struct msg){.tag = msg_tag(BLK_STATS, 4, 0),
			  .w = {__atomic_load_n(&blk_stats.done, __ATOMIC_RELAXED),
				__atomic_load_n(&blk_stats.peak, __ATOMIC_RELAXED),
				__atomic_load_n(&blk_stats.failed, __ATOMIC_RELAXED),
				__atomic_load_n(&blk_stats.inflight, __ATOMIC_RELAXED)}};
	return ERR_OK;
}

/* Handle one received message; *m becomes the reply. */
static void handle(struct worker *w, struct msg *m)
{
	unsigned label = msg_label(m->tag);
	int e;

	if ((m->tag & KERNEL_MSG) || msg_error(m->tag))
		e = ERR_INVALID;
	else if (label == BLK_READ || label == BLK_WRITE)
		e = do_rw(w, m);
	else if (label == BLK_INFO)
		e = do_info(m);
	else if (label == BLK_PART)
		e = do_part(w, m);
	else if (label == BLK_FLUSH)
		e = do_flush(w->slot, m);
	else if (label == BLK_STATS)
		e = do_stats(m);
	else
		e = ERR_UNSUPPORTED;
	if (e != ERR_OK)
		*m = (struct msg){.tag = msg_error_tag(label, e)};
}

static void __attribute__((noreturn)) worker_main(void *arg)
{
	struct worker *w = arg;
	struct msg m = {.tag = msg_tag(0, 0, 0)};

	for (;;) {
		int e = ipc_reply_recv(w->ep, &m);
		unsigned nh = e == ERR_OK ? msg_handles(m.tag) : 0;

		if (e == ERR_TRUNCATED || e == ERR_FAULT) {
			m = (struct msg){.tag = msg_error_tag(0, ERR_INVALID)};
			continue;
		}
		if (e != ERR_OK) {
			uprintf("blk: receive failed: %s\n", err_name(e));
			m = (struct msg){.tag = msg_error_tag(0, ERR_INVALID)};
			sys_sleep(10 * 1000 * 1000);
			continue;
		}
		handle_t got[MSG_MAX_HANDLES];
		for (unsigned i = 0; i < nh; i++)
			got[i] = w->ipc->handles[i];
		handle(w, &m);
		/* The device is done with any frame now (or never saw it). */
		for (unsigned i = 0; i < nh; i++)
			if (got[i] > 0)
				sys_handle_close(got[i]);
	}
}

void workers_run(handle_t ep, struct ipc_buffer *own)
{
	for (unsigned i = 0; i < blk.nslots; i++) {
		struct worker *w = &workers[i];
		w->slot = i;
		w->ep = ep;
		w->ipc = i == 0 ? own : umap_pages(0, 0);
		w->window = blk.maps ? uvm_reserve(WINDOW_PAGES * PAGE) : 0;
	}
	for (unsigned i = 1; i < blk.nslots; i++) {
		handle_t t;
		int e = workers[i].ipc ? uthread_spawn(worker_main, &workers[i], BLK_PRIO,
						       (uint64_t)workers[i].ipc, &t)
				       : ERR_NOMEM;
		if (e != ERR_OK) {
			uprintf("blk: only %u workers: %s\n", i, err_name(e));
			break;
		}
		sys_handle_close(t);
	}
	worker_main(&workers[0]);
}
