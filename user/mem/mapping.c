/*
 * A memory space's mappings as mem asks about them: those in the space's
 * vmmap, plus the heap. The heap is not in the vmmap (it grows and shrinks
 * with brk) but is looked up as one more mapping, read-write and
 * demand-zero.
 */
#include "user/mem/mem.h"

static uint64_t heap_len(const struct vs *v)
{
	return PAGES(v->heap_end - v->heap_base) * PAGE;
}

static bool heap_has(const struct vs *v, uint64_t va)
{
	return v->heap_base && va >= v->heap_base && va < v->heap_base + heap_len(v);
}

bool mapping_find(const struct vs *v, uint64_t va, struct vm_mapping *out)
{
	const struct vm_mapping *m = vmmap_find(&v->maps, va);

	if (m) {
		*out = *m;
		return true;
	}
	if (!heap_has(v, va))
		return false;
	*out = (struct vm_mapping){
	    .va = v->heap_base, .len = heap_len(v), .prot = PROT_R | PROT_W, .kind = KIND_HEAP};
	return true;
}

bool mapping_overlaps(const struct vs *v, uint64_t va, uint64_t len)
{
	if (vmmap_overlaps(&v->maps, va, len))
		return true;
	/* The heap may still grow up to the next mapping: its base page counts even if empty. */
	uint64_t hlen = heap_len(v) ? heap_len(v) : PAGE;
	return v->heap_base && va < v->heap_base + hlen && v->heap_base < va + len;
}

uint64_t mapping_pages_in(const struct vs *v, uint64_t va, uint64_t len)
{
	uint64_t pages = vmmap_pages_in(&v->maps, va, len);

	/* Another pager's ranges are committed by nobody here. */
	for (unsigned k = 0; k < v->maps.n; k++) {
		const struct vm_mapping *m = &v->maps.map[k];
		uint64_t lo, hi;
		if (m->kind == KIND_PAGER && mapping_clip(m, va, len, &lo, &hi))
			pages -= (hi - lo) / PAGE;
	}
	return pages;
}

unsigned mapping_split_slots(const struct vs *v, uint64_t va, uint64_t len)
{
	return vmmap_split_slots(&v->maps, va, len);
}

/* The caller checked alignment, room and overlap: vmmap_add cannot fail. */
void mapping_add(struct vs *v, const struct vm_mapping *m)
{
	vmmap_add(&v->maps, m);
}

/* The caller checked alignment and room for a split: vmmap_remove cannot fail. */
void mapping_remove(struct vs *v, uint64_t va, uint64_t len)
{
	vmmap_remove(&v->maps, va, len);
}

uint64_t mapping_find_gap(const struct vs *v, uint64_t lo, uint64_t hi, uint64_t len)
{
	uint64_t at;

	return vmmap_find_gap(&v->maps, lo, hi, len, &at) ? at : 0;
}
