#include "lib/vmmap.h"

#include <stddef.h>

#include "lib/error.h"
#include "lib/str.h"

static uint64_t end_of(const struct vm_mapping *m)
{
	return m->va + m->len;
}

static bool paged(uint64_t x)
{
	return (x & (VMMAP_PAGE - 1)) == 0;
}

/*
 * The end of [va, va + len) for a query, cut at the top of the address
 * range: no mapping reaches that far (vmmap_add refuses ranges that wrap).
 */
static uint64_t query_end(uint64_t va, uint64_t len)
{
	return len > UINT64_MAX - va ? UINT64_MAX : va + len;
}

/* Index of the first mapping whose end is above va (n if none). */
static unsigned first_ending_after(const struct vmmap *m, uint64_t va)
{
	unsigned lo = 0, hi = m->n;

	while (lo < hi) {
		unsigned mid = lo + (hi - lo) / 2;
		if (end_of(&m->map[mid]) <= va)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

void vmmap_init(struct vmmap *m, struct vm_mapping *storage, unsigned cap)
{
	*m = (struct vmmap){.map = storage, .n = 0, .cap = cap};
}

void vmmap_clear(struct vmmap *m)
{
	m->n = 0;
}

int vmmap_copy(struct vmmap *dst, const struct vmmap *src)
{
	if (src->n > dst->cap)
		return ERR_FULL;
	memcpy(dst->map, src->map, src->n * sizeof(src->map[0]));
	dst->n = src->n;
	return ERR_OK;
}

const struct vm_mapping *vmmap_find(const struct vmmap *m, uint64_t va)
{
	unsigned i = first_ending_after(m, va);

	return i < m->n && m->map[i].va <= va ? &m->map[i] : NULL;
}

bool vmmap_overlaps(const struct vmmap *m, uint64_t va, uint64_t len)
{
	unsigned i = first_ending_after(m, va);

	return len > 0 && i < m->n && m->map[i].va < query_end(va, len);
}

uint64_t vmmap_pages_in(const struct vmmap *m, uint64_t va, uint64_t len)
{
	uint64_t end = query_end(va, len), pages = 0;

	for (unsigned i = first_ending_after(m, va); i < m->n && m->map[i].va < end; i++) {
		uint64_t lo = m->map[i].va > va ? m->map[i].va : va;
		uint64_t hi = end_of(&m->map[i]) < end ? end_of(&m->map[i]) : end;
		pages += (hi - lo) / VMMAP_PAGE;
	}
	return pages;
}

unsigned vmmap_split_slots(const struct vmmap *m, uint64_t va, uint64_t len)
{
	unsigned i = first_ending_after(m, va);

	/* Only the mapping holding va can have the range strictly inside it. */
	return len > 0 && i < m->n && m->map[i].va < va && end_of(&m->map[i]) > query_end(va, len);
}

int vmmap_add(struct vmmap *m, const struct vm_mapping *add)
{
	if (!paged(add->va) || !paged(add->len))
		return ERR_ALIGN;
	if (add->len == 0)
		return ERR_INVALID;
	if (end_of(add) < add->va)
		return ERR_RANGE;
	unsigned i = first_ending_after(m, add->va);
	if (i < m->n && m->map[i].va < end_of(add))
		return ERR_EXISTS;
	if (m->n == m->cap)
		return ERR_FULL;
	memmove(&m->map[i + 1], &m->map[i], (m->n - i) * sizeof(m->map[0]));
	m->map[i] = *add;
	m->n++;
	return ERR_OK;
}

static void remove_at(struct vmmap *m, unsigned i)
{
	memmove(&m->map[i], &m->map[i + 1], (m->n - i - 1) * sizeof(m->map[0]));
	m->n--;
}

/* Drop a mapping's first skip bytes: what is left starts that much further into the file. */
static void drop_front(struct vm_mapping *x, uint64_t skip)
{
	x->va += skip;
	x->len -= skip;
	x->file_off += skip;
	x->file_size = x->file_size > skip ? x->file_size - skip : 0;
}

/* Split mapping i around [va, end), which lies strictly inside it; a slot is free. */
static void split_at(struct vmmap *m, unsigned i, uint64_t va, uint64_t end)
{
	struct vm_mapping *low = &m->map[i], *high = &m->map[i + 1];

	memmove(high, low, (m->n - i) * sizeof(m->map[0]));
	m->n++;
	drop_front(high, end - low->va);
	low->len = va - low->va;
}

int vmmap_remove(struct vmmap *m, uint64_t va, uint64_t len)
{
	uint64_t end = va + len;

	if (!paged(va) || !paged(len))
		return ERR_ALIGN;
	if (end < va)
		return ERR_RANGE;
	if (m->n == m->cap && vmmap_split_slots(m, va, len))
		return ERR_FULL;
	if (len == 0)
		return ERR_OK;
	unsigned i = first_ending_after(m, va);
	while (i < m->n && m->map[i].va < end) {
		struct vm_mapping *x = &m->map[i];
		bool low = x->va<va, high = end_of(x)> end;
		if (low && high) {
			split_at(m, i, va, end);
			return ERR_OK;
		}
		if (low) {
			x->len = va - x->va;
			i++;
		} else if (high) {
			drop_front(x, end - x->va);
			i++;
		} else {
			remove_at(m, i);
		}
	}
	return ERR_OK;
}

bool vmmap_find_gap(const struct vmmap *m, uint64_t lo, uint64_t hi, uint64_t len, uint64_t *out)
{
	uint64_t at = lo;

	if (len == 0)
		return false;
	for (unsigned i = first_ending_after(m, lo); i < m->n && m->map[i].va < hi; i++) {
		if (m->map[i].va >= at && m->map[i].va - at >= len)
			break;
		at = end_of(&m->map[i]);
	}
	if (at >= hi || hi - at < len)
		return false;
	*out = at;
	return true;
}
