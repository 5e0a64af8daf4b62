/*
 * The page cache: slots, the hash of keys, the LRU list, the worker pool.
 * See pcache.h for the design and the locking rule.
 */
#include "lib/user/fsdisk/pcache.h"

#include "lib/error.h"
#include "lib/str.h"
#include "lib/user/blk_proto.h"
#include "lib/user/ipc.h"
#include "lib/user/ulib.h"

#define SECTORS_PER_PAGE (PCACHE_PAGE / BLK_SECTOR)
/* What blk asks of a frame it fills (and of one it writes out: READ and MAP). */
#define FRAME_RIGHTS (RIGHT_READ | RIGHT_WRITE | RIGHT_MAP)

static inline struct pc_page *pg(struct pcache *pc, uint32_t i)
{
	return &pc->pages[i];
}

static inline uint8_t *slot_va(struct pcache *pc, uint32_t i)
{
	return pc->base + (uint64_t)i * PCACHE_PAGE;
}

static uint32_t hash_of(const struct pcache *pc, uint64_t key)
{
	return (uint32_t)((key * 0x9e3779b97f4a7c15ull) >> 32) & pc->hmask;
}

/* ------------------------------------------------------------ lists */

/* Unlink slot i from the doubly linked list at head and tail. */
static void list_del(struct pcache *pc, uint32_t *head, uint32_t *tail, uint32_t i)
{
	struct pc_page *p = pg(pc, i);

	if (p->prev)
		pg(pc, p->prev - 1)->next = p->next;
	else
		*head = p->next;
	if (p->next)
		pg(pc, p->next - 1)->prev = p->prev;
	else if (tail)
		*tail = p->prev;
	p->prev = p->next = 0;
}

static void lru_add_tail(struct pcache *pc, uint32_t i)
{
	struct pc_page *p = pg(pc, i);

	p->prev = pc->lru_tail;
	p->next = 0;
	if (pc->lru_tail)
		pg(pc, pc->lru_tail - 1)->next = i + 1;
	else
		pc->lru_head = i + 1;
	pc->lru_tail = i + 1;
}

static void lru_touch(struct pcache *pc, uint32_t i)
{
	if (pc->lru_tail != i + 1) {
		list_del(pc, &pc->lru_head, &pc->lru_tail, i);
		lru_add_tail(pc, i);
	}
}

static void free_push(struct pcache *pc, uint32_t i)
{
	struct pc_page *p = pg(pc, i);

	*p = (struct pc_page){.state = PC_FREE, .next = pc->free_head};
	if (pc->free_head)
		pg(pc, pc->free_head - 1)->prev = i + 1;
	pc->free_head = i + 1;
}

/* ------------------------------------------------------------ hash */

static uint32_t hash_find(struct pcache *pc, uint64_t key)
{
	for (uint32_t i = pc->hash[hash_of(pc, key)]; i; i = pg(pc, i - 1)->hnext)
		if (pg(pc, i - 1)->key == key)
			return i;
	return 0;
}

static void hash_add(struct pcache *pc, uint32_t i)
{
	uint32_t *h = &pc->hash[hash_of(pc, pg(pc, i)->key)];

	pg(pc, i)->hnext = *h;
	*h = i + 1;
}

static void hash_del(struct pcache *pc, uint32_t i)
{
	uint32_t *l = &pc->hash[hash_of(pc, pg(pc, i)->key)];

	while (*l != i + 1)
		l = &pg(pc, *l - 1)->hnext;
	*l = pg(pc, i)->hnext;
}

/* Forget page i (hashed, on the LRU list, idle) and put its slot on the free list. */
static void page_drop(struct pcache *pc, uint32_t i)
{
	hash_del(pc, i);
	list_del(pc, &pc->lru_head, &pc->lru_tail, i);
	free_push(pc, i);
	pc->used--;
}

/* ------------------------------------------------------------ workers */

/* Queue a job; the caller holds pc->lock. The ring has room for every slot and a flush. */
static void job_push(struct pcache *pc, uint32_t page, uint32_t write)
{
	pc->ring[pc->rtail] = (struct pc_job){page, write};
	pc->rtail = (pc->rtail + 1) % pc->rcap;
}

static int do_io(struct pcache *pc, struct ipc_buffer *ipc, struct pc_job j)
{
	struct msg m;

	if (j.page == PC_JOB_FLUSH) {
		m = (struct msg){.tag = msg_tag(BLK_FLUSH, 0, 0)};
	} else {
		uint64_t sector = pg(pc, j.page)->key * SECTORS_PER_PAGE, n = SECTORS_PER_PAGE;

		if (sector >= pc->part_sectors)
			return ERR_RANGE;
		if (n > pc->part_sectors - sector)
			n = pc->part_sectors - sector;
		m = (struct msg){
		    .tag = msg_tag(j.write ? BLK_WRITE : BLK_READ, 4, 1),
		    .w = {pc->part, sector, n, (j.page % PCACHE_CHUNK_PAGES) * PCACHE_PAGE}};
		ipc->handles[0] = pc->chunks[j.page / PCACHE_CHUNK_PAGES];
		ipc->handle_rights[0] = FRAME_RIGHTS;
	}
	int e = ipc_call(pc->blk, &m);
	return e == ERR_OK ? msg_error(m.tag) : e;
}

/* The end of job j with result e; the caller holds pc->lock. */
static void job_done(struct pcache *pc, struct pc_job j, int e)
{
	if (e != ERR_OK)
		pc->st.errors++;
	if (j.page == PC_JOB_FLUSH || j.write) {
		pc->pending_writes--;
		if (e != ERR_OK)
			pc->write_errors++;
	}
	if (j.page == PC_JOB_FLUSH)
		return;
	struct pc_page *p = pg(pc, j.page);
	if (j.write) {
		p->state = PC_VALID;
		if (e == ERR_OK) {
			p->dirty = 0;
			pc->st.dirty--;
			pc->st.writes++;
		}
	} else {
		p->state = e == ERR_OK ? PC_VALID : PC_FAILED;
		pc->st.reads += e == ERR_OK;
	}
}

static void worker(void *arg)
{
	struct pc_worker *w = arg;
	struct pcache *pc = w->pc;
	struct ipc_buffer *ipc = w->th.ipc.va;
	uint64_t bits;

	for (;;) {
		spin_lock(&pc->lock);
		if (pc->stop) {
			spin_unlock(&pc->lock);
			sys_notify_signal(pc->work, 1); /* the next worker leaves too */
			return;
		}
		if (pc->rhead == pc->rtail) {
			spin_unlock(&pc->lock);
			sys_notify_wait(pc->work, &bits);
			continue;
		}
		struct pc_job j = pc->ring[pc->rhead];
		pc->rhead = (pc->rhead + 1) % pc->rcap;
		int more = pc->rhead != pc->rtail;
		if (++pc->inflight > pc->st.max_inflight)
			pc->st.max_inflight = pc->inflight;
		spin_unlock(&pc->lock);
		if (more)
			sys_notify_signal(pc->work, 1); /* wake another worker for the rest */
		int e = do_io(pc, ipc, j);
		spin_lock(&pc->lock);
		pc->inflight--;
		job_done(pc, j, e);
		spin_unlock(&pc->lock);
		sys_notify_signal(pc->done, 1);
	}
}

/* Wait (the client) until page i is no longer being read. */
static void wait_read(struct pcache *pc, uint32_t i)
{
	uint64_t bits;

	spin_lock(&pc->lock);
	while (pg(pc, i)->state == PC_READING) {
		spin_unlock(&pc->lock);
		sys_notify_wait(pc->done, &bits);
		spin_lock(&pc->lock);
	}
	spin_unlock(&pc->lock);
}

/* ------------------------------------------------------------ slots */

/* Add a chunk of slots (a frame mapped at its place). 0 or an enum err. */
static int chunk_add(struct pcache *pc)
{
	uint32_t c = 0, nchunks = pc->limit / PCACHE_CHUNK_PAGES;
	handle_t f;
	int e;

	while (c < nchunks && pc->chunks[c])
		c++;
	if (c == nchunks)
		return ERR_FULL;
	if ((e = sys_frame_alloc(PCACHE_CHUNK_ORDER, FRAME_RMAP, &f)) != ERR_OK)
		return e;
	uint32_t first = c * PCACHE_CHUNK_PAGES;
	if ((e = sys_space_map(uenv.space, (uint64_t)slot_va(pc, first), f, 0, PCACHE_CHUNK_PAGES,
			       PROT_R | PROT_W)) != ERR_OK) {
		sys_handle_close(f);
		return e;
	}
	pc->chunks[c] = f;
	for (uint32_t i = first + PCACHE_CHUNK_PAGES; i-- > first;)
		free_push(pc, i);
	pc->frames += PCACHE_CHUNK_PAGES;
	return ERR_OK;
}

/* ------------------------------------------------------------ mapped pages */

/* A store through a mapping: page i is dirty now. */
static void mark_dirty(struct pcache *pc, uint32_t i)
{
	spin_lock(&pc->lock);
	if (!pg(pc, i)->dirty)
		pc->st.dirty++;
	pg(pc, i)->dirty = 1;
	spin_unlock(&pc->lock);
}

static void count_mapped(struct pcache *pc, int delta, int taken_back)
{
	spin_lock(&pc->lock);
	pc->st.mapped += (uint32_t)delta;
	pc->st.taken_back += (uint64_t)taken_back;
	spin_unlock(&pc->lock);
}

static void unmark_mapped(struct pcache *pc, uint32_t i)
{
	pg(pc, i)->mapped = 0;
	count_mapped(pc, -1, 0);
}

/*
 * What the spaces mapping page i did with it (PAGE_A, PAGE_D, ORed over all
 * of them, and over mappings gone since the last look), the bits cleared
 * everywhere, or with unmap the page taken back from every one; *maps: how
 * many map it (before an unmap). A D bit makes the page dirty.
 */
static uint8_t mapped_bits(struct pcache *pc, uint32_t i, int unmap, uint64_t *maps)
{
	uint8_t bits = 0;

	*maps = 1;
	if (sys_frame_ad(pc->chunks[i / PCACHE_CHUNK_PAGES], i % PCACHE_CHUNK_PAGES, 1, &bits,
			 (unmap ? AD_UNMAP : AD_CLEAR) | AD_OTHERS, maps) != ERR_OK)
		return PAGE_A; /* cannot tell: keep it as it is */
	if (bits & PAGE_D)
		mark_dirty(pc, i);
	if (*maps || (bits & (PAGE_A | PAGE_D)))
		pg(pc, i)->grace = 0; /* it has been mapped: no longer only given out */
	return bits;
}

/* Page i's mappings checked (write-back): a page nobody maps and not just given out is not mapped.
 */
static void mapped_check(struct pcache *pc, uint32_t i)
{
	uint64_t maps;

	mapped_bits(pc, i, 0, &maps);
	if (!maps && !pg(pc, i)->grace)
		unmark_mapped(pc, i);
}

/*
 * May mapped page i be evicted? Not if used since the last look (a second
 * chance: the next look finds A clear unless it is used again), nor if it
 * was given out and is not mapped yet (the reply that maps it may still be
 * on its way, through mem: a few looks of grace); else it is taken back
 * from every space. Either way it goes to the end of the list.
 */
static int take_back(struct pcache *pc, uint32_t i)
{
	uint64_t maps;
	uint8_t bits = mapped_bits(pc, i, 0, &maps);

	if ((bits & PAGE_A) || (!maps && pg(pc, i)->grace)) {
		if (pg(pc, i)->grace && !maps)
			pg(pc, i)->grace--;
		lru_touch(pc, i);
		return 0;
	}
	if (maps) {
		mapped_bits(pc, i, 1, &maps);
		count_mapped(pc, 0, 1);
	}
	unmark_mapped(pc, i);
	return !pg(pc, i)->dirty;
}

/* The oldest clean page nobody holds and no job uses, or 0; index + 1. Each page looked at once. */
static uint32_t find_victim(struct pcache *pc)
{
	uint32_t next;

	for (uint32_t i = pc->lru_head, left = pc->used; i && left; i = next, left--) {
		struct pc_page *p = pg(pc, i - 1);
		next = p->next; /* take_back may move i to the end */
		if (p->held || p->dirty || (p->state != PC_VALID && p->state != PC_FAILED))
			continue;
		if (!p->mapped || take_back(pc, i - 1))
			return i;
	}
	return 0;
}

int pcache_map(struct pcache *pc, uint64_t blk, uint32_t ino, handle_t *frame, uint32_t *page)
{
	uint8_t *buf = pcache_get(pc, blk, PCACHE_PAGE, 0);

	if (!buf)
		return ERR_IO;
	uint32_t i = (uint32_t)((uint64_t)(buf - pc->base) / PCACHE_PAGE);
	if (!pg(pc, i)->mapped)
		count_mapped(pc, 1, 0);
	pg(pc, i)->mapped = 1;
	pg(pc, i)->grace = PCACHE_MAP_GRACE;
	pg(pc, i)->tag = ino;
	pcache_put(pc, buf, 0);
	*frame = pc->chunks[i / PCACHE_CHUNK_PAGES];
	*page = i % PCACHE_CHUNK_PAGES;
	return ERR_OK;
}

void pcache_unmap(struct pcache *pc, uint64_t blk)
{
	uint32_t i = hash_find(pc, blk);
	uint64_t maps;

	if (i && pg(pc, i - 1)->mapped) {
		mapped_bits(pc, i - 1, 1, &maps);
		/*
		 * Given out and not seen mapped yet: the reply that maps it may
		 * still land, after this. It stays marked, so eviction takes such
		 * a mapping back before the slot holds another block.
		 */
		if (!pg(pc, i - 1)->grace)
			unmark_mapped(pc, i - 1);
	}
}

static int writeback(struct pcache *pc, int all, uint32_t ino, uint32_t max);

/*
 * A free slot (index + 1), taken off the free list, or 0: from the free
 * list, a new chunk, or the oldest clean page; with may_write, dirty pages
 * are written back to make clean ones.
 */
static uint32_t slot_get(struct pcache *pc, int may_write)
{
	for (int round = 0; round < 4; round++) {
		if (!pc->free_head && pc->frames < pc->limit)
			chunk_add(pc);
		if (pc->free_head) {
			uint32_t i = pc->free_head;
			list_del(pc, &pc->free_head, 0, i - 1);
			pc->used++;
			return i;
		}
		uint32_t v = find_victim(pc);
		if (v) {
			page_drop(pc, v - 1);
			pc->st.evictions++;
			continue;
		}
		if (!may_write || writeback(pc, 1, 0, PCACHE_WB_BATCH) != ERR_OK)
			return 0;
	}
	return 0;
}

/* Make slot i the page for key, on the LRU list; the caller sets its state. */
static void page_init(struct pcache *pc, uint32_t i, uint64_t key)
{
	struct pc_page *p = pg(pc, i);

	*p = (struct pc_page){.key = key};
	hash_add(pc, i);
	lru_add_tail(pc, i);
	spin_lock(&pc->lock);
	pc->st.pages = pc->used;
	spin_unlock(&pc->lock);
}

/* ------------------------------------------------------------ get and put */

uint8_t *pcache_get(struct pcache *pc, uint64_t blk, uint32_t size, int flags)
{
	uint64_t off = blk * size, key = off / PCACHE_PAGE;
	uint32_t in = (uint32_t)(off % PCACHE_PAGE), i;

	if (size > PCACHE_PAGE || in + size > PCACHE_PAGE ||
	    key * SECTORS_PER_PAGE >= pc->part_sectors)
		return 0;
	if ((i = hash_find(pc, key))) {
		i--;
		wait_read(pc, i);
		spin_lock(&pc->lock);
		int failed = pg(pc, i)->state == PC_FAILED;
		pc->st.hits++;
		spin_unlock(&pc->lock);
		if (failed) {
			if (!pg(pc, i)->held)
				page_drop(pc, i);
			return 0;
		}
		pg(pc, i)->held++;
		lru_touch(pc, i);
		return slot_va(pc, i) + in;
	}
	if (!(i = slot_get(pc, 1)))
		return 0;
	i--;
	page_init(pc, i, key);
	spin_lock(&pc->lock);
	pc->st.misses++;
	if ((flags & EXT2_GET_NOREAD) && size == PCACHE_PAGE) {
		pg(pc, i)->state = PC_VALID;
		spin_unlock(&pc->lock);
	} else {
		pg(pc, i)->state = PC_READING;
		job_push(pc, i, 0);
		spin_unlock(&pc->lock);
		sys_notify_signal(pc->work, 1);
		wait_read(pc, i);
		if (pg(pc, i)->state == PC_FAILED) {
			page_drop(pc, i);
			return 0;
		}
	}
	pg(pc, i)->held = 1;
	return slot_va(pc, i) + in;
}

void pcache_put(struct pcache *pc, uint8_t *buf, int dirty)
{
	uint32_t i = (uint32_t)((uint64_t)(buf - pc->base) / PCACHE_PAGE);
	struct pc_page *p = pg(pc, i);

	p->held--;
	if (dirty) {
		p->tag = 0;
		spin_lock(&pc->lock);
		if (!p->dirty)
			pc->st.dirty++;
		p->dirty = 1;
		spin_unlock(&pc->lock);
	}
}

static uint8_t *dev_get(void *ctx, uint64_t blk, uint32_t size, int flags)
{
	return pcache_get(ctx, blk, size, flags);
}

static void dev_put(void *ctx, uint8_t *buf, int dirty)
{
	pcache_put(ctx, buf, dirty);
}

struct ext2_dev pcache_dev(struct pcache *pc)
{
	return (struct ext2_dev){
	    .ctx = pc, .get = dev_get, .put = dev_put, .size = pc->part_sectors * BLK_SECTOR};
}

unsigned pcache_prefetch(struct pcache *pc, const uint32_t *blk, unsigned n, uint32_t bsize)
{
	unsigned started = 0;
	uint64_t last = UINT64_MAX;

	for (unsigned k = 0; k < n; k++) {
		uint64_t key = (uint64_t)blk[k] * bsize / PCACHE_PAGE;
		uint32_t i;

		if (!blk[k] || key == last || key * SECTORS_PER_PAGE >= pc->part_sectors)
			continue;
		last = key;
		if (hash_find(pc, key))
			continue;
		if (!(i = slot_get(pc, 0)))
			break;
		page_init(pc, i - 1, key);
		spin_lock(&pc->lock);
		pg(pc, i - 1)->state = PC_READING;
		job_push(pc, i - 1, 0);
		pc->st.readahead++;
		spin_unlock(&pc->lock);
		started++;
	}
	if (started)
		sys_notify_signal(pc->work, 1);
	return started;
}

void pcache_tag(struct pcache *pc, uint64_t blk, uint32_t bsize, uint32_t ino)
{
	uint32_t i;

	if (bsize == PCACHE_PAGE && (i = hash_find(pc, blk)))
		pg(pc, i - 1)->tag = ino;
}

/* ------------------------------------------------------------ write-back */

/*
 * Write back up to max dirty pages nobody holds (every dirty page, or with
 * !all those tagged ino or 0), oldest first, and wait for them; then flush
 * the device. 0, ERR_IO if a write failed, ERR_FULL if there was nothing
 * to write.
 */
static int writeback(struct pcache *pc, int all, uint32_t ino, uint32_t max)
{
	uint32_t n = 0;
	uint64_t bits;

	/* Stores through mappings first: their D bits make pages dirty. */
	for (uint32_t i = pc->lru_head; i; i = pg(pc, i - 1)->next) {
		struct pc_page *p = pg(pc, i - 1);
		if (p->mapped && (all || p->tag == ino))
			mapped_check(pc, i - 1);
	}
	spin_lock(&pc->lock);
	pc->write_errors = 0;
	for (uint32_t i = pc->lru_head; i && n < max; i = pg(pc, i - 1)->next) {
		struct pc_page *p = pg(pc, i - 1);
		if (!p->dirty || p->held || p->state != PC_VALID)
			continue;
		if (!all && p->tag && p->tag != ino)
			continue;
		p->state = PC_WRITING;
		job_push(pc, i - 1, 1);
		pc->pending_writes++;
		n++;
	}
	spin_unlock(&pc->lock);
	if (!n)
		return ERR_FULL;
	sys_notify_signal(pc->work, 1);
	spin_lock(&pc->lock);
	while (pc->pending_writes) {
		spin_unlock(&pc->lock);
		sys_notify_wait(pc->done, &bits);
		spin_lock(&pc->lock);
	}
	if (pc->blk_flags & BLK_F_FLUSH) {
		job_push(pc, PC_JOB_FLUSH, 1);
		pc->pending_writes++;
		spin_unlock(&pc->lock);
		sys_notify_signal(pc->work, 1);
		spin_lock(&pc->lock);
		while (pc->pending_writes) {
			spin_unlock(&pc->lock);
			sys_notify_wait(pc->done, &bits);
			spin_lock(&pc->lock);
		}
	}
	int e = pc->write_errors ? ERR_IO : ERR_OK;
	spin_unlock(&pc->lock);
	return e;
}

int pcache_writeback(struct pcache *pc, uint32_t ino)
{
	int e = writeback(pc, ino == 0, ino, UINT32_MAX);

	return e == ERR_FULL ? ERR_OK : e;
}

void pcache_trim(struct pcache *pc)
{
	uint32_t v, nchunks = pc->limit / PCACHE_CHUNK_PAGES;

	while ((v = find_victim(pc)))
		page_drop(pc, v - 1);
	for (uint32_t c = 0; c < nchunks; c++) {
		uint32_t first = c * PCACHE_CHUNK_PAGES, k = 0;
		if (!pc->chunks[c])
			continue;
		while (k < PCACHE_CHUNK_PAGES && pg(pc, first + k)->state == PC_FREE)
			k++;
		if (k < PCACHE_CHUNK_PAGES)
			continue;
		for (k = 0; k < PCACHE_CHUNK_PAGES; k++)
			list_del(pc, &pc->free_head, 0, first + k);
		sys_space_unmap(uenv.space, (uint64_t)slot_va(pc, first),
				PCACHE_CHUNK_PAGES * PCACHE_PAGE);
		sys_handle_close(pc->chunks[c]);
		pc->chunks[c] = 0;
		pc->frames -= PCACHE_CHUNK_PAGES;
	}
	spin_lock(&pc->lock);
	pc->st.pages = pc->used;
	spin_unlock(&pc->lock);
}

/*
 * The leaf page tables (one per 2 MiB) the kernel keeps for the chunks we
 * have mapped: memory the cache holds beside its frames (a leak check that
 * lets the cache grow must count them too).
 */
static uint32_t chunk_tables(const struct pcache *pc)
{
	uint32_t n = 0, nchunks = pc->limit / PCACHE_CHUNK_PAGES;
	uint64_t last = ~0ull;

	for (uint32_t c = 0; c < nchunks; c++) {
		uint64_t region =
		    (uint64_t)(pc->base + (uint64_t)c * PCACHE_CHUNK_PAGES * PCACHE_PAGE) >> 21;
		if (pc->chunks[c] && region != last) {
			n++;
			last = region;
		}
	}
	return n;
}

void pcache_stats(struct pcache *pc, struct pcache_stats *st)
{
	spin_lock(&pc->lock);
	*st = pc->st;
	st->pages = pc->used;
	st->frames = pc->frames;
	st->limit = pc->limit;
	st->tables = chunk_tables(pc);
	spin_unlock(&pc->lock);
}

/* ------------------------------------------------------------ open and close */

/* Ask blk the size of the partition and the disk's flags. */
static int part_info(struct pcache *pc)
{
	struct msg m = {.tag = msg_tag(BLK_INFO, 0, 0)};
	int e = ipc_call(pc->blk, &m);

	if (e == ERR_OK && (e = msg_error(m.tag)) == ERR_OK)
		pc->blk_flags = m.w[2];
	if (e != ERR_OK)
		return e;
	m = (struct msg){.tag = msg_tag(BLK_PART, 1, 0), .w = {pc->part}};
	e = ipc_call(pc->blk, &m);
	if (e == ERR_OK && (e = msg_error(m.tag)) == ERR_OK)
		pc->part_sectors = m.w[1];
	return e;
}

int pcache_open(struct pcache *pc, handle_t blk, uint32_t part, uint32_t max_pages,
		unsigned workers, unsigned prio)
{
	uint32_t limit = max_pages < PCACHE_MIN_PAGES ? PCACHE_MIN_PAGES : max_pages, hsize = 1;
	int e;

	limit = (limit + PCACHE_CHUNK_PAGES - 1) / PCACHE_CHUNK_PAGES * PCACHE_CHUNK_PAGES;
	while (hsize < limit)
		hsize <<= 1;
	*pc = (struct pcache){.blk = blk, .part = part, .limit = limit, .hmask = hsize - 1};
	pc->rcap = limit + 2;
	if (workers < 1)
		workers = 1;
	if (workers > PCACHE_MAX_WORKERS)
		workers = PCACHE_MAX_WORKERS;
	if ((e = part_info(pc)) != ERR_OK)
		return e;
	uint64_t pages_b = (uint64_t)limit * sizeof(struct pc_page), hash_b = hsize * 4ull,
		 chunks_b = limit / PCACHE_CHUNK_PAGES * sizeof(handle_t),
		 ring_b = pc->rcap * sizeof(struct pc_job);
	if ((e = fsd_mem_alloc(&pc->meta, pages_b + hash_b + chunks_b + ring_b)) != ERR_OK)
		return e;
	uint8_t *m = pc->meta.va;
	pc->pages = (struct pc_page *)m;
	pc->hash = (uint32_t *)(m + pages_b);
	pc->chunks = (handle_t *)(m + pages_b + hash_b);
	pc->ring = (struct pc_job *)(m + pages_b + hash_b + chunks_b);
	pc->base = (uint8_t *)uvm_reserve((uint64_t)limit * PCACHE_PAGE);
	if ((e = sys_notify_create(&pc->work)) != ERR_OK ||
	    (e = sys_notify_create(&pc->done)) != ERR_OK)
		goto fail;
	for (unsigned k = 0; k < workers; k++) {
		pc->workers[k].pc = pc;
		if ((e = fsd_thread_start(&pc->workers[k].th, worker, &pc->workers[k], prio)) !=
		    ERR_OK)
			goto fail;
		pc->nworkers++;
	}
	pc->st.limit = limit;
	return ERR_OK;
fail:
	pcache_close(pc);
	return e;
}

void pcache_close(struct pcache *pc)
{
	spin_lock(&pc->lock);
	pc->stop = 1;
	spin_unlock(&pc->lock);
	if (pc->nworkers)
		sys_notify_signal(pc->work, 1);
	for (unsigned k = 0; k < pc->nworkers; k++)
		fsd_thread_join(&pc->workers[k].th);
	pc->nworkers = 0;
	for (uint32_t c = 0; pc->chunks && c < pc->limit / PCACHE_CHUNK_PAGES; c++) {
		if (!pc->chunks[c])
			continue;
		sys_space_unmap(uenv.space, (uint64_t)slot_va(pc, c * PCACHE_CHUNK_PAGES),
				PCACHE_CHUNK_PAGES * PCACHE_PAGE);
		sys_handle_close(pc->chunks[c]);
	}
	if (pc->work)
		sys_handle_close(pc->work);
	if (pc->done)
		sys_handle_close(pc->done);
	fsd_mem_free(&pc->meta);
	*pc = (struct pcache){0};
}
