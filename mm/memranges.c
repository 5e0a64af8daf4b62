#include "mm/memranges.h"

#include "lib/error.h"
#include "lib/str.h"

static void remove_at(struct memranges *m, unsigned i)
{
	memmove(&m->r[i], &m->r[i + 1], (m->n - i - 1) * sizeof(m->r[0]));
	m->n--;
}

static void insert_at(struct memranges *m, unsigned i, paddr_t base, paddr_t end)
{
	memmove(&m->r[i + 1], &m->r[i], (m->n - i) * sizeof(m->r[0]));
	m->r[i] = (struct mem_range){base, end};
	m->n++;
}

int memranges_add(struct memranges *m, paddr_t base, paddr_t end)
{
	if (end < base)
		return ERR_INVALID;
	if (end == base)
		return ERR_OK;
	unsigned i = 0;
	while (i < m->n && m->r[i].end < base)
		i++;
	/* r[i] is the first range that touches or follows [base, end). */
	if (i == m->n || m->r[i].base > end) {
		if (m->n == MEMRANGES_MAX)
			return ERR_FULL;
		insert_at(m, i, base, end);
		return ERR_OK;
	}
	if (base < m->r[i].base)
		m->r[i].base = base;
	if (end > m->r[i].end)
		m->r[i].end = end;
	while (i + 1 < m->n && m->r[i + 1].base <= m->r[i].end) {
		if (m->r[i + 1].end > m->r[i].end)
			m->r[i].end = m->r[i + 1].end;
		remove_at(m, i + 1);
	}
	return ERR_OK;
}

int memranges_remove(struct memranges *m, paddr_t base, paddr_t end)
{
	if (end < base)
		return ERR_INVALID;
	/* A hole strictly inside one range needs one more slot: check first. */
	for (unsigned i = 0; i < m->n; i++) {
		if (m->r[i].base < base && m->r[i].end > end && m->n == MEMRANGES_MAX)
			return ERR_FULL;
	}
	for (unsigned i = 0; i < m->n;) {
		struct mem_range *r = &m->r[i];
		if (r->end <= base || r->base >= end) {
			i++;
		} else if (r->base >= base && r->end <= end) {
			remove_at(m, i);
		} else if (r->base < base && r->end > end) {
			insert_at(m, i + 1, end, r->end);
			r->end = base;
			i += 2;
		} else if (r->base < base) {
			r->end = base;
			i++;
		} else {
			r->base = end;
			i++;
		}
	}
	return ERR_OK;
}

void memranges_align(struct memranges *m, size_t align)
{
	for (unsigned i = 0; i < m->n;) {
		paddr_t b = ALIGN_UP(m->r[i].base, (paddr_t)align);
		paddr_t e = ALIGN_DOWN(m->r[i].end, (paddr_t)align);
		if (e <= b) {
			remove_at(m, i);
			continue;
		}
		m->r[i].base = b;
		m->r[i].end = e;
		i++;
	}
}

uint64_t memranges_total(const struct memranges *m)
{
	uint64_t t = 0;

	for (unsigned i = 0; i < m->n; i++)
		t += m->r[i].end - m->r[i].base;
	return t;
}
