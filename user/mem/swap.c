/*
 * Swap: mem's pages on the disk when memory runs out.
 *
 * The swap area is a partition of the disk made by the standard mkswap
 * (GPT type "Linux swap", or MBR type 0x82, with the SWAPSPACE2 header in
 * its first page). Page 0 is the header; pages 1..last_page are slots,
 * less the bad pages the header lists. A slot holds one page and counts
 * the table entries that name it: several spaces name one slot when a
 * page they shared copy-on-write (fork) went out, and the slot is free
 * again when the last of them drops it (exit, munmap, exec) or takes the
 * page back in.
 *
 * An entry of a memory space's table (vs->pages) is either a pool page or,
 * with SWAP_BIT, a slot. Every private page mem hands out is in the
 * replacement set (lib/replace.c, the policy of `mem.policy=`), keyed by
 * its page id; the pool keeps beside each page the address it is mapped
 * at and its owner, and pages shared after fork are at the same address in
 * every space that has them, so a victim's holders are found without a
 * reverse map. Pages of shared objects (MAP_SHARED | MAP_ANONYMOUS, shm)
 * are not in the set: they stay resident.
 *
 * A victim goes out in three steps: the policy's candidate is checked for
 * its A bit in every holder (set: it was used since the last look, it
 * stays and is marked referenced, the hand moves on); then it is unmapped
 * from every holder with its D bits taken in the same step; then blk
 * writes it to a free slot straight from the pool's frame (DMA, no copy)
 * and every holder's entry becomes the slot. A fault on a slot reads it
 * into a new page.
 *
 * mem does the disk I/O itself while it serves nothing else. After each
 * reply, below the low watermark, it pages out ahead of demand up to the
 * high one (swap_background: the client that faulted is already running
 * again); and every request first makes sure SWAP_RESERVE pages are free
 * (swap_reserve: a burst the watermarks did not cover waits), so no
 * allocation in the middle of a request needs to take a page from anyone.
 */
#include "user/mem/mem.h"

#include "lib/partition.h"
#include "lib/str.h"
#include "lib/user/blk_proto.h"
#include "lib/user/syscall.h"
#include "lib/user/ulib.h"

#define SWAP_MAGIC     "SWAPSPACE2"
#define SWAP_MAGIC_OFF (PAGE - 10)
#define SWAP_INFO_OFF  1024 /* version, last_page, nr_badpages, uuid, label, ..., badpages[] */
#define SWAP_BAD_OFF   (SWAP_INFO_OFF + 4 * 3 + 16 + 16 + 4 * 117)
#define SWAP_BAD_MAX   ((SWAP_MAGIC_OFF - SWAP_BAD_OFF) / 4)
#define SLOT_BAD       0xffff /* a slot's count: never used (header, bad page, failed write) */
#define SLOT_MAX_REFS  0xfffe
#define SECTORS_PAGE   (PAGE / BLK_SECTOR)
#define TRIES_PER_PAGE 4	  /* candidates looked at per page freed, at most */
#define SWAP_MAX_SLOTS (1u << 24) /* 64 GiB of swap: the count table stays under 32 MiB */

#define MBR_SWAP 0x82 /* GPT: lib/partition.h's part_type_linux_swap */

static struct {
	bool probed, on;
	unsigned part;		/* the partition's index at blk */
	uint32_t nslots;	/* slots 1..nslots - 1 */
	uint32_t usable;	/* slots that are not bad */
	uint32_t used;		/* slots holding a page */
	uint32_t kept;		/* of them, slots a resident clean page keeps (SLOT_KEPT) */
	uint32_t cursor;	/* where the next free slot is looked for */
	uint16_t *count;	/* references per slot, SLOT_BAD for none */
	struct rp_set set;	/* the resident private pages */
	uint64_t request_start; /* set.now when the request began (pick spares younger pages) */
	struct swap_counters c;
} sw;

static enum rp_kind policy_kind = RP_AGING; /* fewer faults than LRU (docs/replacement.md) */

static uint64_t low_mark(void);

uint64_t swap_slots(void)
{
	return sw.on ? sw.usable : 0;
}

uint64_t swap_free(void)
{
	return sw.on && sw.usable > sw.used ? sw.usable - sw.used : 0;
}

void swap_stats(struct mem_stats *s)
{
	s->swap_total = swap_slots();
	s->swap_used = sw.used;
	s->swap_cached = sw.kept;
	s->page_outs = sw.c.page_outs;
	s->page_ins = sw.c.page_ins;
	s->reclaim_scans = sw.c.scans;
	s->swap_write_errors = sw.c.write_errors;
	s->clean_drops = sw.c.clean_drops;
	s->swap_write_runs = sw.c.write_runs;
	s->swap_read_runs = sw.c.read_runs;
	s->swapped_out = sw.c.swapped_out;
	s->reclaim_direct = sw.c.direct;
	s->reclaim_background = sw.c.background;
	s->low_mark = sw.on ? low_mark() : 0;
	s->reclaim_ticks = sw.c.ticks;
	s->policy = policy_kind;
}

int swap_set_policy(const char *name)
{
	int k = rp_by_name(name);

	if (k < 0 || k == RP_OPT)
		return ERR_INVALID; /* OPT needs the future: the simulator's only */
	policy_kind = (enum rp_kind)k;
	return ERR_OK;
}

/* ----------------------------------------------------------------- the disk */

/*
 * A call to blk (frame: handle 0 of the message, or 0). The request being
 * served may still have words and handles in the IPC buffer (a page-in
 * for POKE, a reclaim before a request): they are kept aside meanwhile.
 */
static struct ipc_buffer kept;

/*
 * Read or write n pages of the swap partition from page `slot` on, from or
 * into pool pages p.. (neighbours in one frame).
 */
static int blk_call(struct msg *m, handle_t frame, uint32_t rights)
{
	memcpy(&kept, IPCBUF, sizeof(kept));
	IPCBUF->handles[0] = frame;
	IPCBUF->handle_rights[0] = rights;
	int e = ipc_call(env.blk, m);
	memcpy(IPCBUF, &kept, sizeof(kept));
	return e == ERR_OK ? msg_error(m->tag) : e;
}

static int slot_io(unsigned label, uint32_t slot, pageid_t p, unsigned n)
{
	uint64_t page;
	handle_t frame = pool_frame(p, &page);
	struct msg m = {
	    .tag = msg_tag(label, 4, 1),
	    .w = {sw.part, (uint64_t)slot * SECTORS_PAGE, n * SECTORS_PAGE, page * PAGE}};

	return blk_call(&m, frame, label == BLK_READ ? BLK_READ_RIGHTS : BLK_WRITE_RIGHTS);
}

static uint32_t le32(const uint8_t *b)
{
	return (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
}

/* Is the type of a partition (BLK_PART's w2, w3; table kind `kind`) swap's? */
static bool swap_type(unsigned kind, const struct msg *m)
{
	uint8_t guid[16];

	if (kind == PART_MBR)
		return m->w[2] == MBR_SWAP;
	memcpy(guid, &m->w[2], 8); /* the bytes as stored: little-endian words */
	memcpy(guid + 8, &m->w[3], 8);
	return kind == PART_GPT && memcmp(guid, part_type_linux_swap, 16) == 0;
}

/* The first partition blk has of swap's type, and its size in pages; ERR_NOENT if none. */
static int find_partition(unsigned *part, uint64_t *pages)
{
	struct msg m = {.tag = msg_tag(BLK_INFO, 0, 0)};
	int e = blk_call(&m, 0, 0);

	if (e != ERR_OK)
		return e;
	unsigned slots = (unsigned)m.w[1], kind = (unsigned)m.w[4];
	for (unsigned i = 1; i <= slots && i < 256; i++) {
		m = (struct msg){.tag = msg_tag(BLK_PART, 1, 0), .w = {i}};
		if (blk_call(&m, 0, 0) == ERR_OK && swap_type(kind, &m) &&
		    m.w[1] / SECTORS_PAGE > 0) {
			*part = i;
			*pages = m.w[1] / SECTORS_PAGE;
			return ERR_OK;
		}
	}
	return ERR_NOENT;
}

/*
 * Check the header page (at h) of a partition of `pages` pages: the magic,
 * version 1, last_page inside the partition, and the bad pages. Returns
 * NULL or what is wrong; *last is the last usable page.
 */
static const char *check_header(const uint8_t *h, uint64_t pages, uint32_t *last)
{
	if (memcmp(h + SWAP_MAGIC_OFF, SWAP_MAGIC, 10) != 0)
		return "no SWAPSPACE2 signature (not made by mkswap?)";
	if (le32(h + SWAP_INFO_OFF) != 1)
		return "header version is not 1";
	*last = le32(h + SWAP_INFO_OFF + 4);
	uint32_t nbad = le32(h + SWAP_INFO_OFF + 8);
	if (*last < 1 || *last >= pages)
		return "its last page lies beyond the partition";
	if (nbad > SWAP_BAD_MAX)
		return "it lists more bad pages than the header holds";
	for (uint32_t i = 0; i < nbad; i++) {
		uint32_t b = le32(h + SWAP_BAD_OFF + 4 * i);
		if (b == 0 || b > *last)
			return "a bad page lies outside the area";
	}
	return 0;
}

/*
 * Memory of mem's own of at least `bytes`, zeroed (the kernel zeroes
 * frames): frames of at most 4 MiB mapped one after another, so a large
 * table needs no large block of physical memory.
 */
#define PIECE_MAX 10

static void *own_memory(uint64_t bytes)
{
	uint64_t pages = PAGES(bytes), start = uvm_reserve(pages * PAGE), next = start;

	while (pages > 0) {
		unsigned order = 0;
		handle_t f;
		while (order < PIECE_MAX && (2ull << order) <= pages)
			order++; /* the largest piece that fits: the pieces fill the range exactly
				  */
		if (sys_frame_alloc(order, FRAME_ZEROED, &f) != ERR_OK)
			return 0;
		int e = sys_space_map(env.self, next, f, 0, 1ull << order, PROT_R | PROT_W);
		sys_handle_close(f); /* the mapping keeps the frame */
		if (e != ERR_OK)
			return 0;
		next += PAGE << order;
		pages -= 1ull << order;
	}
	return (void *)start;
}

/* Make the slot table from header h, and the replacement set. */
static int make_tables(const uint8_t *h, uint32_t last)
{
	uint32_t nslots = last + 1 < SWAP_MAX_SLOTS ? last + 1 : SWAP_MAX_SLOTS;
	unsigned frames = (unsigned)pool_capacity(), cap = 1;

	while (cap < 2 * frames)
		cap <<= 1;
	uint64_t need =
	    nslots * sizeof(uint16_t) + frames * sizeof(struct rp_frame) + cap * sizeof(uint32_t);
	/* Paid for from what mem may give, so every promise can still be kept. */
	if (pool_reserve(PAGES(need) + 16) != ERR_OK) /* and the tables' page tables */
		return ERR_NOMEM;
	sw.count = own_memory(nslots * sizeof(uint16_t));
	struct rp_frame *f = own_memory(frames * sizeof(struct rp_frame));
	uint32_t *index = own_memory(cap * sizeof(uint32_t));
	if (!sw.count || !f || !index)
		return ERR_NOMEM;
	sw.count[0] = SLOT_BAD;
	uint32_t nbad = le32(h + SWAP_INFO_OFF + 8);
	for (uint32_t i = 0; i < nbad; i++)
		sw.count[le32(h + SWAP_BAD_OFF + 4 * i)] = SLOT_BAD;
	sw.nslots = nslots;
	sw.usable = nslots - 1 - nbad;
	sw.cursor = 1;
	rp_init(&sw.set, policy_kind, f, frames, index, cap, 1000);
	return ERR_OK;
}

void swap_probe(void)
{
	unsigned part = 0;
	uint64_t pages = 0;
	uint32_t last = 0;

	if (sw.probed || !env.blk || env.no_swap)
		return;
	sw.probed = true;
	int e = find_partition(&part, &pages);
	if (e != ERR_OK)
		return; /* no disk, or no swap partition on it: memory ends where RAM ends */
	sw.part = part;
	pageid_t h = pool_alloc();
	if (!h)
		return;
	const char *bad = slot_io(BLK_READ, 0, h, 1) != ERR_OK
			      ? "its header cannot be read"
			      : check_header(pool_addr(h), pages, &last);
	if (!bad && make_tables(pool_addr(h), last) != ERR_OK)
		bad = "no memory for its tables";
	pool_unref(h);
	if (bad) {
		uprintf("mem: swap partition %u not used: %s\n", part, bad);
		return;
	}
	sw.on = true;
	uprintf("mem: swap on partition %u: %u pages, policy %s\n", part, sw.usable,
		rp_name(policy_kind));
}

/* ----------------------------------------------------------------- slots */

static bool slot_alloc(uint32_t *out)
{
	if (sw.used >= sw.usable) /* full: no need to look through every slot */
		return false;
	for (uint32_t n = 0; n < sw.nslots; n++) {
		uint32_t s = sw.cursor;
		sw.cursor = sw.cursor + 1 < sw.nslots ? sw.cursor + 1 : 1;
		if (sw.count[s] == 0) {
			/*
			 * Taken at once: with swap nearly full, the next victim's
			 * search would come round to it before gone() counts it.
			 */
			sw.count[s] = 1;
			*out = s;
			sw.used++;
			return true;
		}
	}
	return false;
}

/* The slot a page that came in keeps while it is clean: no count, but not free. */
#define SLOT_KEPT 0x8000

static void slot_release(uint32_t s)
{
	sw.count[s] = 0;
	sw.used--;
	sw.kept--;
}

void swap_dirty(pageid_t p)
{
	uint32_t s = pool_slot(p);

	if (s) {
		slot_release(s);
		pool_set_slot(p, 0);
	}
}

unsigned swap_prot(pageid_t p, unsigned prot, unsigned access)
{
	if (!pool_slot(p) || !(prot & PROT_W))
		return prot;
	if (access & PROT_W) {
		swap_dirty(p);
		return prot;
	}
	return prot & ~PROT_W; /* the first store faults, and the copy in swap is let go */
}

void swap_slot_ref(uint32_t entry)
{
	sw.count[entry & ~SWAP_BIT]++;
}

void swap_slot_unref(uint32_t entry)
{
	uint32_t s = entry & ~SWAP_BIT;

	if (--sw.count[s] == 0)
		sw.used--;
}

/* ----------------------------------------------------------------- the set */

void swap_track(pageid_t p, const struct vs *v, uint64_t va)
{
	pool_set_where(p, vs_slot_of(v), va);
	if (sw.on)
		rp_add(&sw.set, p, false);
}

void swap_forget(pageid_t p)
{
	swap_dirty(p); /* a kept slot goes with the page */
	if (sw.on)
		rp_remove(&sw.set, p);
}

/* ----------------------------------------------------------------- page-out */

#define BATCH	   64 /* victims unmapped together: one TLB flush per space per batch */
#define MAXHOLDERS 16 /* spaces sharing one page (fork); a page shared wider stays */

struct victim {
	pageid_t p;
	uint32_t slot;
	uint64_t va;
	unsigned n; /* holders */
	struct vs *v[MAXHOLDERS];
};

static struct victim batch[BATCH];

/* The spaces whose table has p at its address (the owner first); false if not all are found. */
static bool find_holders(pageid_t p, struct victim *h)
{
	unsigned owner, refs = pool_refs(p);

	h->p = p;
	h->va = pool_where(p, &owner);
	h->n = 0;
	if (refs > MAXHOLDERS)
		return false;
	struct vs *o = vs_at(owner);
	if (o && radix_get(&o->pages, h->va) == p)
		h->v[h->n++] = o;
	for (unsigned i = 0; i < NVS && h->n < refs; i++) {
		struct vs *w = vs_at(i);
		if (w && w != o && radix_get(&w->pages, h->va) == p)
			h->v[h->n++] = w;
	}
	return h->n == refs;
}

/* Was p used since it was last looked at? Its A bit in any holder (read, not cleared). */
static bool referenced(const struct victim *h)
{
	for (unsigned i = 0; i < h->n; i++) {
		uint8_t b = 0;
		if (radix_mapped(&h->v[i]->pages, h->va) &&
		    sys_space_ad(h->v[i]->space, h->va, 1, &b, 0) == ERR_OK && (b & PAGE_A))
			return true;
	}
	return false;
}

/*
 * A/D work on pages of many spaces, gathered so that each space gets one
 * call (and one round of TLB flushes) per batch: AD_CLEAR for the pages
 * found referenced, AD_UNMAP for the victims.
 */
struct adlist {
	unsigned n;
	struct vs *v[BATCH * 2];
	uint64_t va[BATCH * 2];
};

static struct adlist to_clear, to_unmap;

static void ad_flush(struct adlist *l, int flags)
{
	uint64_t vas[64];
	uint8_t out[64];

	for (unsigned i = 0; i < l->n; i++) {
		struct vs *w = l->v[i];
		unsigned k = 0;
		if (!w)
			continue;
		for (unsigned j = i; j < l->n; j++) {
			if (l->v[j] != w)
				continue;
			vas[k++] = l->va[j];
			l->v[j] = 0;
			if (k == 64) {
				sys_space_ad_list(w->space, vas, k, out, flags);
				k = 0;
			}
		}
		if (k)
			sys_space_ad_list(w->space, vas, k, out, flags);
	}
	l->n = 0;
}

static void ad_add(struct adlist *l, const struct victim *h, int flags)
{
	for (unsigned i = 0; i < h->n; i++) {
		if (!radix_mapped(&h->v[i]->pages, h->va))
			continue;
		if (l->n == BATCH * 2)
			ad_flush(l, flags);
		l->v[l->n] = h->v[i];
		l->va[l->n++] = h->va;
	}
}

/*
 * Up to `want` victims (at most BATCH) into batch[], out of the policy's
 * set; a candidate used since it was last looked at is marked referenced
 * and its A bits are cleared with the others' at the end.
 */
/* Pages pick set aside (rp_defer) for this batch: brought in by the current request. */
static struct {
	uint64_t key[BATCH];
	unsigned n;
} young;

static bool set_aside(uint64_t key)
{
	for (unsigned i = 0; i < young.n; i++)
		if (young.key[i] == key)
			return false; /* named again: nothing but such pages is left */
	if (young.n == BATCH)
		return false;
	young.key[young.n++] = key;
	rp_defer(&sw.set, key);
	return true;
}

static unsigned pick(unsigned want)
{
	unsigned n = 0;
	uint64_t passed = RP_NONE; /* the last candidate given a second chance */

	for (unsigned tries = 0; n < want && tries < TRIES_PER_PAGE * want + 64; tries++) {
		uint64_t key;
		struct victim *h = &batch[n];
		if (!rp_victim(&sw.set, &key))
			break;
		sw.c.scans++;
		/*
		 * Brought in by this request: its process has not run since, so
		 * its A bit says nothing yet, and taking it would only fault it
		 * back (for ever, under NFU and aging, whose victim it stays).
		 * Set aside for this batch.
		 */
		if (rp_loaded(&sw.set, key) >= sw.request_start) {
			if (!set_aside(key))
				break;
			continue;
		}
		if (!find_holders((pageid_t)key, h)) {
			rp_mark(&sw.set, key, false); /* held elsewhere too (mem itself): later */
			continue;
		}
		/*
		 * In use: a second chance. A policy that names it again at once
		 * (FIFO; NFU and aging until their next tick) insists: it goes.
		 */
		if (key != passed && referenced(h)) {
			rp_mark(&sw.set, key, false);
			ad_add(&to_clear, h, AD_CLEAR);
			passed = key;
			continue;
		}
		rp_remove(&sw.set, key); /* on its way out (back in if the write fails) */
		n++;
	}
	ad_flush(&to_clear, AD_CLEAR);
	for (unsigned i = 0; i < young.n; i++)
		rp_undefer(&sw.set, young.key[i]);
	young.n = 0;
	return n;
}

static int cmp_page(const void *a, const void *b)
{
	pageid_t x = ((const struct victim *)a)->p, y = ((const struct victim *)b)->p;

	return x < y ? -1 : x > y;
}

/* Insertion sort by page id: neighbours in a frame come together (batches are small). */
static void sort_batch(unsigned n)
{
	for (unsigned i = 1; i < n; i++)
		for (unsigned j = i; j > 0 && cmp_page(&batch[j - 1], &batch[j]) > 0; j--) {
			struct victim t = batch[j];
			batch[j] = batch[j - 1];
			batch[j - 1] = t;
		}
}

/* Victims [i, i + run) of [i, n) are neighbours in one frame with consecutive slots: one write. */
static unsigned run_at(unsigned i, unsigned n)
{
	unsigned run = 1;

	while (i + run < n && batch[i + run].p == batch[i].p + run &&
	       pool_same_frame(batch[i].p, batch[i + run].p) &&
	       batch[i + run].slot == batch[i].slot + run)
		run++;
	return run;
}

/* Every holder's entry of victim h becomes its slot; the page goes back to the pool. */
static void gone(struct victim *h)
{
	sw.count[h->slot] = (uint16_t)h->n;
	for (unsigned i = 0; i < h->n; i++) {
		struct vs *w = h->v[i];
		radix_set(&w->pages, h->va, SWAP_BIT | h->slot); /* replaces an entry: no node */
		w->resident--;
		w->swapped++;
		pool_unref(h->p);
	}
}

/* The write of victims [i, i + run) failed: their slots are not used again, the pages stay. */
static void write_failed(unsigned i, unsigned run)
{
	for (unsigned k = i; k < i + run; k++) {
		sw.count[batch[k].slot] = SLOT_BAD; /* not again: the disk said no */
		sw.used--;
		sw.usable--;
		sw.c.write_errors++;
		rp_add(&sw.set, batch[k].p, false); /* its next touch maps it again */
	}
}

/*
 * Write the victims out, neighbours in runs (DMA straight from the pool's
 * frame; a page swap has a copy of as it is goes without a write), and
 * make their holders' entries slots. Returns the pages freed.
 */
static unsigned page_out(unsigned n)
{
	unsigned freed = 0;

	sort_batch(n);
	for (unsigned i = 0; i < n; i++) {
		struct victim *h = &batch[i];
		h->slot = pool_slot(h->p);
		if (h->slot) { /* came in and not written since: no write */
			pool_set_slot(h->p, 0);
			sw.kept--;
			sw.c.clean_drops++;
		} else if (!slot_alloc(&h->slot)) {
			for (unsigned k = i; k < n; k++) /* swap is full: the rest stay */
				rp_add(&sw.set, batch[k].p, false);
			n = i;
			break;
		} else {
			h->slot |= SWAP_BIT; /* to be written */
		}
		ad_add(&to_unmap, h, AD_UNMAP);
	}
	ad_flush(&to_unmap, AD_UNMAP); /* no store reaches them from here on */
	for (unsigned i = 0; i < n;) {
		if (!(batch[i].slot & SWAP_BIT)) {
			gone(&batch[i++]);
			freed++;
			continue;
		}
		unsigned end = i;
		for (; end < n && (batch[end].slot & SWAP_BIT); end++)
			batch[end].slot &= ~SWAP_BIT;
		while (i < end) {
			unsigned run = run_at(i, end);
			if (slot_io(BLK_WRITE, batch[i].slot, batch[i].p, run) != ERR_OK) {
				write_failed(i, run);
			} else {
				for (unsigned k = i; k < i + run; k++)
					gone(&batch[k]);
				sw.c.page_outs += run;
				sw.c.write_runs++;
				freed += run;
			}
			i += run;
		}
	}
	return freed;
}

/*
 * The policy's clock tick: the A bits of every private page of every space
 * are read and cleared (one SYS_SPACE_AD per 512 pages of a mapping), the
 * pages used since the last tick marked referenced (and modified), then
 * rp_tick (aging shifts its counters, NFU adds, NRU clears R). It comes
 * each time reclaim has freed tick_interval() pages: the R bits the
 * policies see are those of the last stretch of paging. Pages of other
 * pagers are left alone (their D bits are their pager's).
 */
static uint64_t since_tick;

/*
 * Pages reclaimed between two ticks: a sixteenth of what mem holds (at
 * least 128). A tick reads every resident page's A bit, so its cost grows
 * with memory; sixteen a turnover keep it a small part of each page moved,
 * and aging's 64-bit counters still span four turnovers.
 */
static uint64_t tick_interval(void)
{
	uint64_t n = pool_capacity() / 16;

	return n > 2 * SWAP_RESERVE ? n : 2 * SWAP_RESERVE;
}

static void sampled(void *arg, struct vs *v, uint64_t va, bool written)
{
	(void)arg;
	pageid_t p = radix_get(&v->pages, va);

	if (p && !is_swapped(p))
		rp_mark(&sw.set, p, written);
}

/*
 * The policies that order pages by use over time. FIFO ignores use; clock,
 * second chance and WSClock look at a page's A bit when their hand reaches
 * it (referenced(): the same information, without sampling every page).
 */
static bool uses_ticks(void)
{
	return policy_kind == RP_NRU || policy_kind == RP_LRU || policy_kind == RP_NFU ||
	       policy_kind == RP_AGING || policy_kind == RP_WS;
}

static void tick(void)
{
	for (unsigned i = 0; i < NVS; i++)
		if (vs_at(i))
			vs_sample(vs_at(i), sampled, 0);
	rp_tick(&sw.set);
	since_tick = 0;
	sw.c.ticks++;
}

/*
 * Free up to `want` pages: the policy's victims that were not used since
 * they were last looked at, a batch at a time. Returns the pages freed.
 */
static unsigned reclaim(unsigned want)
{
	unsigned freed = 0;

	while (freed < want) {
		unsigned n = pick(want - freed < BATCH ? want - freed : BATCH);
		if (n == 0)
			break;
		unsigned got = page_out(n);
		freed += got;
		if (got < n / 4) /* swap is (nearly) full: what is free is all there is */
			break;
	}
	since_tick += freed;
	load_paged(sw.c.page_outs + sw.c.clean_drops, sw.c.page_ins);
	if (uses_ticks() && since_tick >= tick_interval())
		tick();
	return freed;
}

bool swap_migrate(pageid_t p, pageid_t q)
{
	struct victim h;

	if (!find_holders(p, &h) || h.n == 0)
		return false;
	for (unsigned i = 0; i < h.n; i++) /* no store may reach p from here on */
		if (radix_mapped(&h.v[i]->pages, h.va))
			sys_space_unmap(h.v[i]->space, h.va, PAGE);
	memcpy(pool_addr(q), pool_addr(p), PAGE);
	uint32_t slot = pool_slot(p);
	pool_set_slot(p, 0);
	for (unsigned i = 0; i < h.n; i++) {
		radix_set(&h.v[i]->pages, h.va, q); /* replaces an entry: no node */
		if (i > 0)
			pool_ref(q);
		pool_unref(p); /* the last one frees it */
	}
	swap_track(q, h.v[0], h.va);
	pool_set_slot(q, slot);
	return true;
}

/*
 * A space written out whole: every page of its own (one reference; pages
 * shared after fork stay for the others' sake) becomes a victim, a batch
 * at a time, whatever the policy thinks of it.
 */
struct space_out {
	struct vs *v;
	unsigned n;
	uint64_t taken, most, freed;
};

static void out_page(void *arg, uint64_t va, uint32_t value, bool mapped)
{
	struct space_out *o = arg;
	struct victim *h = &batch[o->n];
	(void)mapped;

	if (o->taken == o->most || !value || is_swapped(value) || pool_refs(value) != 1 ||
	    !find_holders(value, h) || h->va != va || h->v[0] != o->v)
		return;
	rp_remove(&sw.set, value); /* on its way out (back in if the write fails) */
	o->taken++;
	if (++o->n == BATCH) {
		o->freed += page_out(o->n);
		o->n = 0;
	}
}

uint64_t swap_out_space(struct vs *v, uint64_t most)
{
	struct space_out o = {v, 0, 0, most, 0};

	if (!sw.on)
		return 0;
	radix_each(&v->pages, REGION_BASE, REGION_END, out_page, &o);
	if (o.n)
		o.freed += page_out(o.n);
	sw.c.swapped_out += o.freed;
	return o.freed;
}

void swap_reserve(unsigned pages)
{
	uint64_t free = pool_free();

	sw.request_start = sw.set.now; /* pages added from here on are this request's */
	if (sw.on && free < pages)
		sw.c.direct += reclaim((unsigned)(2 * pages - free));
}

/*
 * The watermarks of reclaim ahead of demand: below `low` free pages, page
 * out until `high` are free. A 256th of what mem holds, at least 128
 * pages: a burst of faults between two replies takes them.
 */
static uint64_t low_mark(void)
{
	uint64_t low = pool_capacity() / 256;

	return low > 2 * SWAP_RESERVE ? low : 2 * SWAP_RESERVE;
}

void swap_background(void)
{
	uint64_t free = pool_free(), low = low_mark();

	if (sw.on && free < low)
		sw.c.background += reclaim((unsigned)(2 * low - free));
}

/* ----------------------------------------------------------------- page-in */

/*
 * Read-around: pages that went out together lie in neighbouring slots, and
 * a process that walks forward through its memory touches the next page
 * next. A fault that continues the previous one's run reads the entries
 * after it that hold the neighbouring slots too (up to SWAP_AROUND pages in
 * all), in one request where the pool's pages allow: the slots follow the
 * addresses upwards, or downwards (pages go out sorted by pool page, and
 * the pool hands out a run of freed pages last one first), as long as the
 * request's reserve stays free. The pages read ahead are mapped read-only
 * with the one that faulted; one never touched is dropped again without a
 * write, since its slot keeps the copy, so reading ahead needs no room
 * beyond that. A fault elsewhere reads its page alone.
 */
#define SWAP_AROUND AROUND

/* A run of slots for pages va, va + PAGE, ...: slot `first` + dir * i for page i. */
struct slot_run {
	uint32_t first;
	int dir;
	unsigned n;
};

static unsigned run_length(struct vs *v, uint64_t va, uint64_t end, uint32_t s, int dir,
			   unsigned max)
{
	unsigned n = 1;

	while (n < max && va + n * PAGE < end && va + n * PAGE > va &&
	       (dir > 0 ? s + n < sw.nslots : s > n) &&
	       radix_get(&v->pages, va + n * PAGE) == (SWAP_BIT | (uint32_t)(s + dir * (int)n)))
		n++;
	return n;
}

/* The entries of v from va (below end) whose slots continue entry's, up or down, up to max. */
static struct slot_run run_from(struct vs *v, uint64_t va, uint64_t end, uint32_t entry,
				unsigned max)
{
	uint32_t s = entry & ~SWAP_BIT;
	struct slot_run r = {s, 1, max > 1 ? run_length(v, va, end, s, 1, max) : 1};

	if (r.n == 1 && max > 1)
		r = (struct slot_run){s, -1, run_length(v, va, end, s, -1, max)};
	return r;
}

/* The copy in the slot of `entry` is now page p of v at va. */
static void entered(struct vs *v, uint64_t va, uint32_t entry, pageid_t p)
{
	uint32_t s = entry & ~SWAP_BIT;

	radix_set(&v->pages, va, p); /* replaces the entry: no node */
	if (sw.count[s] == 1) { /* the page is v's alone: the slot stays its copy while clean */
		sw.count[s] = SLOT_KEPT;
		sw.kept++;
		pool_set_slot(p, s);
	} else {
		swap_slot_unref(entry);
	}
	v->swapped--;
	v->resident++;
	swap_track(p, v, va);
	sw.c.page_ins++;
	v->c.page_ins++;
}

static void sort_pages(pageid_t *pg, unsigned n)
{
	for (unsigned i = 1; i < n; i++)
		for (unsigned j = i; j > 0 && pg[j - 1] > pg[j]; j--) {
			pageid_t t = pg[j];
			pg[j] = pg[j - 1];
			pg[j - 1] = t;
		}
}

/*
 * Read slots s .. s + n - 1 into pages pg[0..n) (sorted, so that pages
 * next to each other in a frame take neighbouring slots in one request):
 * pg[i] gets slot s + i, or 0 if its read failed (the page is freed, the
 * entry stays).
 */
static void read_slots(uint32_t s, pageid_t *pg, unsigned n)
{
	for (unsigned i = 0, j; i < n; i = j) {
		for (j = i + 1; j < n && pg[j] == pg[j - 1] + 1 && pool_same_frame(pg[i], pg[j]);
		     j++)
			;
		sw.c.read_runs++;
		if (slot_io(BLK_READ, s + i, pg[i], j - i) == ERR_OK)
			continue;
		for (unsigned k = i; k < j; k++) {
			pool_unref(pg[k]);
			pg[k] = 0;
		}
	}
}

int swap_in(struct vs *v, uint64_t va, uint64_t end, uint32_t entry, unsigned *after, pageid_t *out)
{
	pageid_t pg[SWAP_AROUND];
	unsigned want = va == v->seq_next ? SWAP_AROUND : 1, n = 0;

	if (pool_free() < SWAP_RESERVE + want)
		want = 1;
	struct slot_run r = run_from(v, va, end, entry, want);
	while (n < r.n && (pg[n] = pool_alloc()) != 0)
		n++;
	if (n == 0)
		return ERR_NOMEM;
	r.n = n;
	uint32_t low = r.dir > 0 ? r.first : r.first - (n - 1); /* the run's lowest slot */
	sort_pages(pg, n);
	read_slots(low, pg, n);
	/* Page i of the run (va + i * PAGE) has slot first + dir * i: pg[that - low]. */
	unsigned i = 0;
	for (; i < n && pg[r.first + r.dir * (int)i - low]; i++)
		entered(v, va + i * PAGE, SWAP_BIT | (r.first + r.dir * (int)i),
			pg[r.first + r.dir * (int)i - low]);
	for (unsigned k = i; k < n; k++) /* after a failed read: the rest stay in swap */
		if (pg[r.first + r.dir * (int)k - low])
			pool_unref(pg[r.first + r.dir * (int)k - low]);
	if (i == 0)
		return ERR_IO; /* the entry stays: a later touch tries again */
	v->seq_next = va + i * PAGE;
	*after = i - 1;
	*out = pg[r.first - low];
	return ERR_OK;
}
