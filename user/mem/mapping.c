/*
 * A memory space's mappings: a small array kept in address order. The
 * heap is not in it (it grows and shrinks with brk) but is looked up as
 * one more mapping, read-write and demand-zero.
 */
#include "user/mem/mem.h"

#include "lib/str.h"

static uint64_t end_of(const struct mapping *m)
{
	return m->va + m->len;
}

static bool heap_has(const struct vs *v, uint64_t va)
{
	return v->heap_base && va >= v->heap_base &&
	       va < v->heap_base + PAGES(v->heap_end - v->heap_base) * PAGE;
}

bool mapping_find(const struct vs *v, uint64_t va, struct mapping *out)
{
	for (unsigned i = 0; i < v->nmap; i++) {
		if (va < v->map[i].va)
			break;
		if (va < end_of(&v->map[i])) {
			*out = v->map[i];
			return true;
		}
	}
	if (!heap_has(v, va))
		return false;
	*out = (struct mapping){.va = v->heap_base,
				.len = PAGES(v->heap_end - v->heap_base) * PAGE,
				.prot = PROT_R | PROT_W,
				.kind = KIND_HEAP};
	return true;
}

static bool ranges_meet(uint64_t a, uint64_t alen, uint64_t b, uint64_t blen)
{
	return a < b + blen && b < a + alen;
}

bool mapping_overlaps(const struct vs *v, uint64_t va, uint64_t len)
{
	for (unsigned i = 0; i < v->nmap; i++)
		if (ranges_meet(va, len, v->map[i].va, v->map[i].len))
			return true;
	/* The heap may still grow up to the next mapping: its base page counts even if empty. */
	uint64_t heap_len = PAGES(v->heap_end - v->heap_base) * PAGE;
	return v->heap_base && ranges_meet(va, len, v->heap_base, heap_len ? heap_len : PAGE);
}

uint64_t mapping_pages_in(const struct vs *v, uint64_t va, uint64_t len)
{
	uint64_t pages = 0;

	for (unsigned i = 0; i < v->nmap; i++) {
		const struct mapping *m = &v->map[i];
		uint64_t lo = m->va > va ? m->va : va;
		uint64_t hi = end_of(m) < va + len ? end_of(m) : va + len;
		if (lo < hi)
			pages += (hi - lo) / PAGE;
	}
	return pages;
}

unsigned mapping_split_slots(const struct vs *v, uint64_t va, uint64_t len)
{
	for (unsigned i = 0; i < v->nmap; i++)
		if (v->map[i].va < va && end_of(&v->map[i]) > va + len)
			return 1; /* the range is strictly inside: two pieces remain */
	return 0;
}

void mapping_add(struct vs *v, const struct mapping *m)
{
	unsigned i = 0;

	while (i < v->nmap && v->map[i].va < m->va)
		i++;
	memmove(&v->map[i + 1], &v->map[i], (v->nmap - i) * sizeof(*m));
	v->map[i] = *m;
	v->nmap++;
}

static void remove_at(struct vs *v, unsigned i)
{
	memmove(&v->map[i], &v->map[i + 1], (v->nmap - i - 1) * sizeof(v->map[0]));
	v->nmap--;
}

/* What is left of m after cutting [va, end): its low part, its high part (len 0: none). */
static void cut(const struct mapping *m, uint64_t va, uint64_t end, struct mapping *low,
		struct mapping *high)
{
	*low = *m;
	*high = *m;
	low->len = va > m->va ? va - m->va : 0;
	if (end < end_of(m)) {
		uint64_t skip = end > m->va ? end - m->va : 0;
		high->va = m->va + skip;
		high->len = m->len - skip;
		high->file_off += skip;
		high->file_size = high->file_size > skip ? high->file_size - skip : 0;
	} else {
		high->len = 0;
	}
}

void mapping_remove(struct vs *v, uint64_t va, uint64_t len)
{
	uint64_t end = va + len;

	for (unsigned i = 0; i < v->nmap;) {
		struct mapping *m = &v->map[i], low, high;
		if (!ranges_meet(va, len, m->va, m->len)) {
			i++;
			continue;
		}
		cut(m, va, end, &low, &high);
		remove_at(v, i);
		if (low.len)
			mapping_add(v, &low);
		if (high.len)
			mapping_add(v, &high);
		i += (low.len != 0) + (high.len != 0);
	}
}

uint64_t mapping_find_gap(const struct vs *v, uint64_t lo, uint64_t hi, uint64_t len)
{
	uint64_t at = lo;

	for (unsigned i = 0; i < v->nmap; i++) {
		const struct mapping *m = &v->map[i];
		if (end_of(m) <= at)
			continue;
		if (m->va >= hi)
			break;
		if (m->va >= at && m->va - at >= len)
			return at;
		at = end_of(m);
	}
	return at < hi && hi - at >= len ? at : 0;
}
