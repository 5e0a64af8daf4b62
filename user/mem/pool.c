/*
 * The page pool. A frame handle per page would cap mem at 4096 pages (the
 * handle table's limit), so mem takes frames of 2^CHUNK_ORDER pages from
 * the kernel (chunks), maps each into its own space at POOL_BASE + index *
 * CHUNK_SPAN, and hands out single pages. A map item names the chunk's
 * frame and the page in it.
 *
 * A chunk's first pages are its bookkeeping (a reference count and a
 * free-list link per page, 4 bytes a page), so the table here stays small.
 * Each chunk costs a handle and a slot, and the handle table must keep
 * room for mem's own, so the slots are few (3,072) and grow in size: the
 * first 64 take 1 MiB, the next 192 4 MiB, the rest 16 MiB — 45 GiB in
 * all, while a small machine still takes and returns memory 1 MiB at a
 * time (a new chunk is zeroed by the kernel). When memory is fragmented
 * a chunk may be smaller (down to 4 pages); only then could the slots run
 * out before the quota does. Pages are taken from the lowest chunk that
 * has one, so long-lived pages gather in the first chunks and the others
 * empty out; empty chunks go back to the kernel after each request
 * (pool_trim), so the system's free memory returns to where it was when
 * processes end.
 *
 * A page is zero when handed out: a chunk's never-used pages are zero
 * already (the kernel zeroes frames), a freed page is zeroed on reuse.
 */
#include "user/mem/mem.h"

#include "lib/str.h"
#include "lib/user/syscall.h"

#define CHUNK_ORDER 12 /* the largest chunk: 4096 pages, 16 MiB */
#define CHUNK_MIN   2  /* smallest chunk when memory is fragmented */
#define CHUNK_SPAN  (PAGE << CHUNK_ORDER)
#define CHUNK_PAGES (1u << CHUNK_ORDER)
#define MAXCHUNKS   3072 /* under the 4096-handle table, with room for mem's own */
#define POOL_BASE   0x1000000000ull
#define ID(c, i)    ((pageid_t)((c) << CHUNK_ORDER | (i)))
#define ID_CHUNK(p) ((p) >> CHUNK_ORDER)
#define ID_INDEX(p) ((p) & (CHUNK_PAGES - 1))

/*
 * The bookkeeping at the start of every chunk of n pages: ref[n], the
 * references of each page (0: free), then next[n], the free list of
 * used-before pages, then where[n]: for a private page, the address it is
 * entered at and the slot of the space that made it, and slot[n]: the swap
 * slot holding a copy of the page as it is (swap.c; 0: none).
 */
static unsigned meta_pages(unsigned npages)
{
	return (unsigned)(((2 * sizeof(uint16_t) + sizeof(uint64_t) + sizeof(uint32_t)) * npages +
			   PAGE - 1) /
			  PAGE);
}

struct chunk {
	handle_t frame; /* 0: slot empty */
	uint16_t npages;
	uint16_t used;	    /* pages handed out, the bookkeeping pages included */
	uint16_t fresh;	    /* pages at or above it were never handed out */
	uint16_t free_head; /* first freed page, 0: none */
};

static struct chunk chunks[MAXCHUNKS];
static unsigned nchunks;  /* slots in use are below it */
static unsigned lowest;	  /* no chunk below it has a page free (empty slots may lie below) */
static handle_t self;	  /* our space */
static uint64_t held;	  /* pages of all chunks */
static uint64_t resident; /* pages handed to processes */
static uint64_t meta;	  /* pages mem uses itself (radix nodes) */
static uint64_t capacity;
static bool fragmented; /* a chunk came smaller than its slot's order (pool_fragmented) */

/* The size of the chunk slot c takes when memory allows. */
static unsigned slot_order(unsigned c)
{
	return c < 64 ? 8 : c < 256 ? 10 : CHUNK_ORDER;
}

static uint16_t *ref_of(unsigned c)
{
	return (uint16_t *)(POOL_BASE + (uint64_t)c * CHUNK_SPAN);
}

static uint16_t *next_of(unsigned c)
{
	return ref_of(c) + chunks[c].npages;
}

static uint64_t *where_of(unsigned c)
{
	return (uint64_t *)(next_of(c) + chunks[c].npages); /* 8-aligned: npages is even */
}

static uint32_t *slot_of(unsigned c)
{
	return (uint32_t *)(where_of(c) + chunks[c].npages);
}

bool pool_same_frame(pageid_t p, pageid_t q)
{
	return ID_CHUNK(p) == ID_CHUNK(q);
}

uint32_t pool_slot(pageid_t p)
{
	return slot_of(ID_CHUNK(p))[ID_INDEX(p)];
}

void pool_set_slot(pageid_t p, uint32_t slot)
{
	slot_of(ID_CHUNK(p))[ID_INDEX(p)] = slot;
}

void pool_set_where(pageid_t p, unsigned owner, uint64_t va)
{
	where_of(ID_CHUNK(p))[ID_INDEX(p)] = va | owner; /* the owner's slot is below PAGE */
}

uint64_t pool_where(pageid_t p, unsigned *owner)
{
	uint64_t w = where_of(ID_CHUNK(p))[ID_INDEX(p)];

	*owner = (unsigned)(w & (PAGE - 1));
	return w & ~(PAGE - 1);
}

void *pool_addr(pageid_t p)
{
	return (void *)(POOL_BASE + (uint64_t)ID_CHUNK(p) * CHUNK_SPAN + ID_INDEX(p) * PAGE);
}

handle_t pool_frame(pageid_t p, uint64_t *page_in_frame)
{
	*page_in_frame = ID_INDEX(p);
	return chunks[ID_CHUNK(p)].frame;
}

int pool_init(handle_t self_space, handle_t quota)
{
	uint64_t limit = 0, used = 0;
	int e = sys_quota_info(quota, &limit, &used);

	self = self_space;
	/* What is left of the quota, less slack for the chunks' bookkeeping and page tables. */
	capacity = e == ERR_OK && limit > used ? (limit - used) / PAGE * 31 / 32 : 0;
	/* And no more than the chunk table can hold, or a promise could not be kept. */
	uint64_t most = 0;
	for (unsigned c = 0; c < MAXCHUNKS; c++)
		most += (1u << slot_order(c)) - meta_pages(1u << slot_order(c));
	if (capacity > most)
		capacity = most;
	return e;
}

/* Take a frame from the kernel for slot c: the largest that can be had. */
static int chunk_new(unsigned c)
{
	for (unsigned order = slot_order(c); order >= CHUNK_MIN; order -= 2) {
		handle_t f;
		uint64_t va = POOL_BASE + (uint64_t)c * CHUNK_SPAN;
		if (sys_frame_alloc(order, FRAME_ZEROED, &f) != ERR_OK)
			continue;
		if (sys_space_map(self, va, f, 0, 1ull << order, PROT_R | PROT_W) != ERR_OK) {
			sys_handle_close(f);
			continue;
		}
		uint16_t meta = (uint16_t)meta_pages(1u << order);
		chunks[c] = (struct chunk){f, (uint16_t)(1u << order), meta, meta, 0};
		fragmented |= order < slot_order(c); /* the kernel had no block of that order */
		held += 1ull << order;
		return ERR_OK;
	}
	return ERR_NOMEM;
}

static bool chunk_empty(unsigned c)
{
	return chunks[c].frame && chunks[c].used == meta_pages(chunks[c].npages);
}

/* Give chunks [first, end), all empty, back to the kernel: one unmap for all of them. */
static void release_run(unsigned first, unsigned end)
{
	sys_space_unmap(self, POOL_BASE + (uint64_t)first * CHUNK_SPAN,
			(uint64_t)(end - first) * CHUNK_SPAN);
	for (unsigned c = first; c < end; c++) {
		sys_handle_close(chunks[c].frame);
		held -= chunks[c].npages;
		chunks[c] = (struct chunk){0};
	}
}

/*
 * Empty chunks go back to the kernel here, after a request, rather than
 * one at a time as they empty: neighbouring ones then share one unmap of
 * mem's own space (and one TLB flush on every hart mem has run on).
 */
void pool_trim(void)
{
	for (unsigned c = 0; c < nchunks;) {
		unsigned end = c;
		while (end < nchunks && chunk_empty(end))
			end++;
		if (end > c)
			release_run(c, end);
		c = end + 1;
	}
	while (nchunks > 0 && !chunks[nchunks - 1].frame)
		nchunks--;
}

/* A chunk with a page free: the lowest, or a new one in the lowest empty slot. */
static int chunk_with_room(unsigned *out)
{
	for (unsigned c = lowest; c < nchunks; c++) {
		if (chunks[c].frame && chunks[c].used < chunks[c].npages) {
			*out = lowest = c;
			return ERR_OK;
		}
	}
	unsigned c = 0;
	while (c < nchunks && chunks[c].frame)
		c++;
	if (c == MAXCHUNKS)
		return ERR_NOMEM;
	int e = chunk_new(c);
	if (e != ERR_OK)
		return e;
	if (c >= nchunks)
		nchunks = c + 1;
	*out = c;
	if (c < lowest)
		lowest = c;
	return ERR_OK;
}

/* ---- compaction (compact.c): the chunks, and pages only from below one */

unsigned pool_chunks(void)
{
	return nchunks;
}

bool pool_chunk(unsigned c, unsigned *used, unsigned *npages)
{
	if (c >= nchunks || !chunks[c].frame)
		return false;
	*used = chunks[c].used - meta_pages(chunks[c].npages);
	*npages = chunks[c].npages;
	return true;
}

pageid_t pool_used_page(unsigned c, unsigned *i)
{
	for (; *i < chunks[c].npages; ++*i)
		if (*i >= meta_pages(chunks[c].npages) && ref_of(c)[*i])
			return ID(c, (*i)++);
	return 0;
}

uint64_t pool_free_below(unsigned c)
{
	uint64_t n = 0;

	for (unsigned k = 0; k < c && k < nchunks; k++)
		if (chunks[k].frame)
			n += chunks[k].npages - chunks[k].used;
	return n;
}

static pageid_t take_in(unsigned c);

pageid_t pool_alloc_below(unsigned c)
{
	for (unsigned k = lowest; k < c && k < nchunks; k++)
		if (chunks[k].frame && chunks[k].used < chunks[k].npages) {
			resident++;
			return take_in(k);
		}
	return 0;
}

bool pool_fragmented(void)
{
	bool was = fragmented;

	fragmented = false;
	return was;
}

static pageid_t take(void)
{
	unsigned c;

	if (chunk_with_room(&c) != ERR_OK)
		return 0;
	return take_in(c);
}

/* A page of chunk c, which has room. */
static pageid_t take_in(unsigned c)
{
	struct chunk *k = &chunks[c];
	unsigned i;
	if (k->free_head) {
		i = k->free_head;
		k->free_head = next_of(c)[i];
		memset(pool_addr(ID(c, i)), 0, PAGE); /* it held someone's data */
	} else {
		i = k->fresh++;
	}
	ref_of(c)[i] = 1;
	k->used++;
	return ID(c, i);
}

pageid_t pool_alloc(void)
{
	pageid_t p = take();

	if (p)
		resident++;
	return p;
}

void *pool_alloc_meta(void)
{
	pageid_t p = take();

	meta += p != 0;
	return p ? pool_addr(p) : 0;
}

void pool_ref(pageid_t p)
{
	ref_of(ID_CHUNK(p))[ID_INDEX(p)]++;
}

unsigned pool_refs(pageid_t p)
{
	return ref_of(ID_CHUNK(p))[ID_INDEX(p)];
}

static void put(pageid_t p)
{
	unsigned c = ID_CHUNK(p), i = ID_INDEX(p);
	struct chunk *k = &chunks[c];

	next_of(c)[i] = k->free_head;
	k->free_head = (uint16_t)i;
	k->used--; /* an empty chunk waits for pool_trim */
	if (c < lowest)
		lowest = c;
}

void pool_unref(pageid_t p)
{
	if (--ref_of(ID_CHUNK(p))[ID_INDEX(p)] == 0) {
		resident--;
		swap_forget(p);
		put(p);
	}
}

void pool_free_meta(void *page)
{
	uint64_t off = (uint64_t)page - POOL_BASE;
	pageid_t p = ID(off / CHUNK_SPAN, off % CHUNK_SPAN / PAGE);

	ref_of(ID_CHUNK(p))[ID_INDEX(p)] = 0;
	meta--;
	put(p);
}

uint64_t pool_pages(void)
{
	return held;
}

uint64_t pool_resident(void)
{
	return resident;
}

uint64_t pool_capacity(void)
{
	return capacity;
}

uint64_t pool_own(void)
{
	return meta;
}

uint64_t pool_free(void)
{
	return capacity > resident + meta ? capacity - resident - meta : 0;
}

int pool_reserve(uint64_t pages)
{
	/* Overcommitted, promises exceed what mem holds anyway: its own tables come first. */
	if (pages > capacity || (!env.overcommit && capacity - pages < total_committed))
		return ERR_NOMEM;
	capacity -= pages;
	return ERR_OK;
}
