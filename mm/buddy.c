/*
 * Buddy frame allocator; the contract is in mm/buddy.h.
 *
 * Inside the allocator a page is named by its index in the span (idx), which
 * is what the descriptors and list links use. Buddies are computed on the
 * physical frame number (pfn = pa >> PAGE_SHIFT), because blocks are aligned
 * in physical address space, not relative to the span base: with a base that
 * is not aligned to large orders, some aligned blocks stick out of the span
 * and so do not exist (block_index() says so).
 *
 * Only descriptors are ever read or written, never the memory they describe:
 * the allocator works before the direct map exists and on memory the caller
 * may not want touched (device DMA buffers, pages being zeroed elsewhere).
 */
#include "mm/buddy.h"
#include "lib/error.h"
#include "lib/str.h"

_Static_assert(sizeof(struct frame) == 24, "struct frame is 24 bytes (see mm/buddy.h)");

static inline size_t order_pages(unsigned order)
{
	return (size_t)1 << order;
}

static inline uint64_t base_pfn(const struct buddy *b)
{
	return b->base >> PAGE_SHIFT;
}

/*
 * The span index of the block of `order` whose first page is pfn, or
 * FRAME_NONE if that block does not lie entirely inside the span.
 */
static uint32_t block_index(const struct buddy *b, uint64_t pfn, unsigned order)
{
	uint64_t idx;

	if (pfn < base_pfn(b))
		return FRAME_NONE;
	idx = pfn - base_pfn(b);
	if (idx >= b->npages || b->npages - idx < order_pages(order))
		return FRAME_NONE;
	return (uint32_t)idx;
}

/* True if idx is the head of a free block of exactly `order`. */
static bool is_free_head(const struct buddy *b, uint32_t idx, unsigned order)
{
	return idx != FRAME_NONE && b->frames[idx].state == FRAME_FREE &&
	       b->frames[idx].order == order;
}

/*
 * Free-list bookkeeping lives in these two helpers only: they keep the links,
 * the head's state and order, and the free counters in step.
 */
static void list_add(struct buddy *b, uint32_t idx, unsigned order)
{
	struct frame *f = &b->frames[idx];
	uint32_t head = b->free_head[order];

	f->state = FRAME_FREE;
	f->order = (uint8_t)order;
	f->prev = FRAME_NONE;
	f->next = head;
	if (head != FRAME_NONE)
		b->frames[head].prev = idx;
	b->free_head[order] = idx;
	b->free_blocks[order]++;
	b->free_pages += order_pages(order);
}

/* Unlink a free head; the caller gives the page its new state. */
static void list_remove(struct buddy *b, uint32_t idx, unsigned order)
{
	struct frame *f = &b->frames[idx];

	if (f->prev != FRAME_NONE)
		b->frames[f->prev].next = f->next;
	else
		b->free_head[order] = f->next;
	if (f->next != FRAME_NONE)
		b->frames[f->next].prev = f->prev;
	f->next = FRAME_NONE;
	f->prev = FRAME_NONE;
	b->free_blocks[order]--;
	b->free_pages -= order_pages(order);
}

static void make_tail(struct frame *f, enum frame_state state)
{
	f->state = (uint8_t)state;
	f->order = 0;
}

/* Give every page of the block at idx except its head the tail `state`. */
static void set_tails(struct buddy *b, uint32_t idx, unsigned order, enum frame_state state)
{
	for (size_t i = 1; i < order_pages(order); i++)
		make_tail(&b->frames[idx + i], state);
}

/*
 * Put the block of `order` at idx on the free lists, merging it with its
 * buddy for as long as the buddy is a free block of the same order (one loop,
 * one exit). The block must be on no list and its tails must already be
 * FRAME_FREE_TAIL; its head may be in any state. Cannot fail.
 */
static void free_block(struct buddy *b, uint32_t idx, unsigned order)
{
	uint64_t pfn = base_pfn(b) + idx;

	while (order < BUDDY_MAX_ORDER) {
		uint64_t buddy_pfn = pfn ^ ((uint64_t)1 << order);
		uint32_t buddy = block_index(b, buddy_pfn, order);

		if (!is_free_head(b, buddy, order))
			break;
		list_remove(b, buddy, order);
		/* Both old heads become tails; the merged head is set by list_add. */
		make_tail(&b->frames[buddy], FRAME_FREE_TAIL);
		make_tail(&b->frames[idx], FRAME_FREE_TAIL);
		pfn &= buddy_pfn;
		idx = (uint32_t)(pfn - base_pfn(b));
		order++;
	}
	list_add(b, idx, order);
}

size_t buddy_desc_bytes(size_t npages)
{
	return npages * sizeof(struct frame);
}

/*
 * Page indices are 32-bit with FRAME_NONE reserved, so a span is capped at
 * FRAME_NONE - 1 pages (16 TiB); a larger npages is a caller bug and the
 * excess is simply not managed rather than corrupting the links.
 */
void buddy_init(struct buddy *b, paddr_t base, size_t npages, struct frame *frames)
{
	if (npages >= FRAME_NONE)
		npages = FRAME_NONE - 1;
	memset(b, 0, sizeof(*b));
	b->base = base;
	b->npages = npages;
	b->frames = frames;
	for (unsigned k = 0; k < BUDDY_NORDERS; k++)
		b->free_head[k] = FRAME_NONE;
	memset(frames, 0, buddy_desc_bytes(npages));
	for (size_t i = 0; i < npages; i++) {
		frames[i].next = FRAME_NONE;
		frames[i].prev = FRAME_NONE;
		frames[i].state = FRAME_RESERVED;
	}
}

/* The largest order of an aligned block starting at pfn that fits in n pages. */
static unsigned largest_fit(uint64_t pfn, size_t n)
{
	unsigned k = 0;

	while (k < BUDDY_MAX_ORDER && !(pfn & ((uint64_t)1 << k)) && (order_pages(k + 1) <= n))
		k++;
	return k;
}

/*
 * Decode: the range must be page aligned, inside the span and entirely
 * reserved. Perform: cut it into maximal aligned blocks and free each, which
 * merges them with each other and with free neighbours already there.
 */
int buddy_add_range(struct buddy *b, paddr_t pa, size_t npages)
{
	uint64_t off;
	uint32_t idx;

	if (!IS_ALIGNED(pa, PAGE_SIZE))
		return ERR_ALIGN;
	if (pa < b->base)
		return ERR_RANGE;
	off = (pa - b->base) >> PAGE_SHIFT;
	if (off > b->npages || npages > b->npages - off)
		return ERR_RANGE;
	for (size_t i = 0; i < npages; i++)
		if (b->frames[off + i].state != FRAME_RESERVED)
			return ERR_STATE;

	idx = (uint32_t)off;
	while (npages) {
		unsigned k = largest_fit(base_pfn(b) + idx, npages);

		set_tails(b, idx, k, FRAME_FREE_TAIL);
		b->total_pages += order_pages(k);
		free_block(b, idx, k);
		idx += (uint32_t)order_pages(k);
		npages -= order_pages(k);
	}
	return ERR_OK;
}

/*
 * Take the smallest free block of at least `order`, split off its upper
 * halves back onto the free lists, and hand out the lower part.
 */
struct frame *buddy_alloc(struct buddy *b, unsigned order)
{
	unsigned k = order;
	uint32_t idx;
	struct frame *f;

	if (order > BUDDY_MAX_ORDER)
		return NULL;
	while (k <= BUDDY_MAX_ORDER && b->free_head[k] == FRAME_NONE)
		k++;
	if (k > BUDDY_MAX_ORDER)
		return NULL;
	idx = b->free_head[k];
	list_remove(b, idx, k);
	while (k > order) {
		k--;
		list_add(b, idx + (uint32_t)order_pages(k), k);
	}
	set_tails(b, idx, order, FRAME_ALLOC_TAIL);
	f = &b->frames[idx];
	f->state = FRAME_ALLOCATED;
	f->order = (uint8_t)order;
	f->refcount = 1;
	f->owner = 0;
	f->flags = 0;
	return f;
}

/* Decode a free request: ERR_OK only for the head of an allocated block of `order`. */
static int free_decode(const struct buddy *b, paddr_t pa, unsigned order, uint32_t *idx)
{
	const struct frame *f;

	if (order > BUDDY_MAX_ORDER)
		return ERR_INVALID;
	f = buddy_pa_frame(b, pa);
	if (!f)
		return ERR_RANGE;
	if (!IS_ALIGNED(pa, PAGE_SIZE << order))
		return ERR_ALIGN;
	if (f->state != FRAME_ALLOCATED)
		return ERR_STATE;
	if (f->order != order)
		return ERR_INVALID;
	*idx = (uint32_t)(f - b->frames);
	return ERR_OK;
}

int buddy_free(struct buddy *b, paddr_t pa, unsigned order)
{
	uint32_t idx;
	int rc = free_decode(b, pa, order, &idx);

	if (rc != ERR_OK)
		return rc;
	set_tails(b, idx, order, FRAME_FREE_TAIL);
	free_block(b, idx, order);
	return ERR_OK;
}

paddr_t buddy_frame_pa(const struct buddy *b, const struct frame *f)
{
	return b->base + ((paddr_t)(f - b->frames) << PAGE_SHIFT);
}

struct frame *buddy_pa_frame(const struct buddy *b, paddr_t pa)
{
	uint64_t idx;

	if (pa < b->base)
		return NULL;
	idx = (pa - b->base) >> PAGE_SHIFT;
	if (idx >= b->npages)
		return NULL;
	return &b->frames[idx];
}

/*
 * frag_permille = 1000 * (1 - largest / free), with largest / free rounded
 * down, so any fragmentation at all shows as at least 1.
 */
void buddy_get_stats(const struct buddy *b, struct buddy_stats *s)
{
	memset(s, 0, sizeof(*s));
	s->largest_order = -1;
	for (unsigned k = 0; k < BUDDY_NORDERS; k++) {
		s->free_blocks[k] = b->free_blocks[k];
		if (b->free_blocks[k])
			s->largest_order = (int)k;
	}
	s->free_pages = b->free_pages;
	s->total_pages = b->total_pages;
	if (s->free_pages) {
		uint64_t largest = order_pages((unsigned)s->largest_order);
		s->frag_permille = (unsigned)(1000 - 1000 * largest / s->free_pages);
	}
}

/* ---------------------------------------------------------------- checker */

/* Write "what <n>" into why (if any) and return ERR_CORRUPT. */
static int corrupt(char *why, size_t whylen, const char *what, uint64_t n)
{
	char msg[96], digits[21];
	size_t len, nd = 0;

	if (!why || !whylen)
		return ERR_CORRUPT;
	len = str_copy(msg, what, sizeof(msg) - sizeof(digits) - 1);
	if (len > sizeof(msg) - sizeof(digits) - 2)
		len = sizeof(msg) - sizeof(digits) - 2;
	msg[len++] = ' ';
	do {
		digits[nd++] = (char)('0' + n % 10);
		n /= 10;
	} while (n);
	while (nd)
		msg[len++] = digits[--nd];
	msg[len] = '\0';
	str_copy(why, msg, whylen);
	return ERR_CORRUPT;
}

/* What check_pages counts while walking the span. */
struct page_tally {
	size_t free_pages, used_pages, free_heads;
};

/*
 * Walk every free list: links symmetric and inside the span, no cycles, every
 * node a free head of the list's order, counts as recorded. Adds the number
 * of listed blocks and pages to *blocks and *pages.
 */
static int check_lists(const struct buddy *b, char *why, size_t whylen, size_t *blocks,
		       size_t *pages)
{
	for (unsigned k = 0; k < BUDDY_NORDERS; k++) {
		uint32_t prev = FRAME_NONE, idx = b->free_head[k];
		size_t count = 0;

		while (idx != FRAME_NONE) {
			if (idx >= b->npages)
				return corrupt(why, whylen, "free list link outside span, order",
					       k);
			if (++count > b->npages)
				return corrupt(why, whylen, "free list cycle, order", k);
			if (b->frames[idx].prev != prev)
				return corrupt(why, whylen, "free list prev link wrong at page",
					       idx);
			if (!is_free_head(b, idx, k))
				return corrupt(why, whylen,
					       "listed page not a free head of its order", idx);
			prev = idx;
			idx = b->frames[idx].next;
		}
		if (count != b->free_blocks[k])
			return corrupt(why, whylen, "free_blocks count wrong for order", k);
		*blocks += count;
		*pages += count << k;
	}
	return ERR_OK;
}

/*
 * Check the block headed at idx: order in range, aligned, inside the span,
 * tails of the matching tail state, and (if free) not mergeable with its buddy.
 */
static int check_block(const struct buddy *b, uint32_t idx, char *why, size_t whylen)
{
	const struct frame *f = &b->frames[idx];
	unsigned k = f->order;
	uint64_t pfn = base_pfn(b) + idx;
	uint8_t tail = f->state == FRAME_FREE ? FRAME_FREE_TAIL : FRAME_ALLOC_TAIL;

	if (k > BUDDY_MAX_ORDER)
		return corrupt(why, whylen, "order too large at page", idx);
	if (pfn & (order_pages(k) - 1))
		return corrupt(why, whylen, "misaligned block at page", idx);
	if (b->npages - idx < order_pages(k))
		return corrupt(why, whylen, "block leaves the span at page", idx);
	for (size_t i = 1; i < order_pages(k); i++)
		if (b->frames[idx + i].state != tail)
			return corrupt(why, whylen, "wrong tail state at page", idx + i);
	if (f->state == FRAME_FREE && k < BUDDY_MAX_ORDER &&
	    is_free_head(b, block_index(b, pfn ^ ((uint64_t)1 << k), k), k))
		return corrupt(why, whylen, "free buddies not coalesced at page", idx);
	return ERR_OK;
}

/* Walk the span block by block: every page is reserved or in exactly one block. */
static int check_pages(const struct buddy *b, struct page_tally *t, char *why, size_t whylen)
{
	size_t i = 0;

	while (i < b->npages) {
		const struct frame *f = &b->frames[i];
		int rc;

		if (f->state == FRAME_RESERVED) {
			i++;
			continue;
		}
		if (f->state != FRAME_FREE && f->state != FRAME_ALLOCATED)
			return corrupt(why, whylen, "page outside any block at page", i);
		rc = check_block(b, (uint32_t)i, why, whylen);
		if (rc != ERR_OK)
			return rc;
		if (f->state == FRAME_FREE) {
			t->free_pages += order_pages(f->order);
			t->free_heads++;
		} else {
			t->used_pages += order_pages(f->order);
		}
		i += order_pages(f->order);
	}
	return ERR_OK;
}

int buddy_check(const struct buddy *b, char *why, size_t whylen)
{
	struct page_tally t = {0};
	size_t listed_blocks = 0, listed_pages = 0;
	int rc;

	if (why && whylen)
		why[0] = '\0';
	rc = check_lists(b, why, whylen, &listed_blocks, &listed_pages);
	if (rc == ERR_OK)
		rc = check_pages(b, &t, why, whylen);
	if (rc != ERR_OK)
		return rc;
	/* Listed nodes are distinct free heads, so equal counts mean all are listed. */
	if (listed_blocks != t.free_heads)
		return corrupt(why, whylen, "free heads not all listed, heads", t.free_heads);
	if (listed_pages != b->free_pages || t.free_pages != b->free_pages)
		return corrupt(why, whylen, "free_pages wrong, counted", t.free_pages);
	if (t.free_pages + t.used_pages != b->total_pages || b->total_pages > b->npages)
		return corrupt(why, whylen, "total_pages wrong, counted",
			       t.free_pages + t.used_pages);
	return ERR_OK;
}
