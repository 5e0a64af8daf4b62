/*
 * mprotect (MEM_MPROTECT): new rights for every page of a range. The
 * mappings the range meets are split at its ends and the part inside
 * takes the new rights; pages keep their contents. Rights are only ever
 * taken from page-table entries here, never given: a page whose mapping
 * gained a right gets it at its next fault, which is where copy-on-write
 * decides whether a write may go to the page or to a copy. A range
 * another pager serves has its region's rights changed too, so the
 * pager's replies are checked against them.
 */
#include "user/mem/mem.h"

#include "lib/user/syscall.h"

#define MAX_PIECES MAXMAP

/* The part of mapping m inside [va, va + len), with the rights it has now. */
struct piece {
	struct vm_mapping m; /* the whole mapping as it was */
	uint64_t lo, hi;
};

/* The pieces of the mappings in [va, va + len), in order; false if a page there is unmapped. */
static bool pieces_of(const struct vs *v, uint64_t va, uint64_t len, struct piece *p, unsigned *n)
{
	uint64_t covered = 0;

	*n = 0;
	for (unsigned k = 0; k < v->maps.n; k++) {
		const struct vm_mapping *m = &v->maps.map[k];
		uint64_t lo, hi;
		if (!mapping_clip(m, va, len, &lo, &hi))
			continue;
		p[(*n)++] = (struct piece){*m, lo, hi};
		covered += hi - lo;
	}
	return covered == len;
}

/* Take away from the pages of [lo, hi) the rights prot does not have. */
static void lower_entries(struct vs *v, const struct piece *p, unsigned prot)
{
	unsigned keep = p->m.prot & prot;

	if (keep == p->m.prot)
		return; /* only rights added: faults give them */
	if (!kind_lent(p->m.kind))
		vs_lower_pages(v, p->lo, p->hi - p->lo, keep);
	if (mapping_foreign(v, &p->m)) /* pages that are not mem's: whatever the table holds */
		keep ? sys_space_protect(v->space, p->lo, p->hi - p->lo, keep)
		     : sys_space_unmap(v->space, p->lo, p->hi - p->lo);
}

/* The mapping for the piece, with the new rights; offsets moved on as for a split. */
static struct vm_mapping piece_mapping(const struct piece *p, unsigned prot)
{
	struct vm_mapping n = p->m;
	uint64_t skip = p->lo - p->m.va;

	n.va = p->lo;
	n.len = p->hi - p->lo;
	n.file_off += skip;
	n.file_size = n.file_size > skip ? n.file_size - skip : 0;
	n.prot = prot;
	return n;
}

/* Give the regions of other pagers' pieces the new rights; on failure put back those done. */
static int change_regions(struct vs *v, const struct piece *p, unsigned n, unsigned prot)
{
	for (unsigned i = 0; i < n; i++) {
		if (p[i].m.kind != KIND_PAGER)
			continue;
		const struct link *l = &v->links[p[i].m.tag];
		struct vm_mapping nm = piece_mapping(&p[i], prot);
		int e = sys_region_map(v->space, nm.va, nm.len, l->h, l->badge,
				       prot | REGION_REPLACE, nm.file_off);
		if (e == ERR_OK)
			continue;
		for (unsigned k = 0; k < i; k++) {
			if (p[k].m.kind != KIND_PAGER)
				continue;
			struct vm_mapping om = piece_mapping(&p[k], p[k].m.prot);
			const struct link *lk = &v->links[p[k].m.tag];
			sys_region_map(v->space, om.va, om.len, lk->h, lk->badge,
				       om.prot | REGION_REPLACE, om.file_off);
		}
		return e;
	}
	return ERR_OK;
}

int protect_request(struct vs *v, struct msg *m)
{
	static struct piece p[MAX_PIECES];
	uint64_t va = m->w[0], len = m->w[1], prot = m->w[2];
	unsigned n;

	if (msg_words(m->tag) != 3 || !IS_PAGED(va) || len == 0 || prot > 7 ||
	    ((prot & PROT_W) && (prot & PROT_X)))
		return ERR_INVALID;
	if (va < REGION_BASE || va >= REGION_END || len > REGION_END - va)
		return ERR_NOMEM;
	len = PAGES(len) * PAGE;
	if (len > REGION_END - va || !pieces_of(v, va, len, p, &n) || v->maps.n + 2 > MAXMAP)
		return ERR_NOMEM;
	for (unsigned i = 0; i < n; i++) {
		const struct link *l = &v->links[p[i].m.tag];
		bool kept_read_only = p[i].m.kind == KIND_SHARED ||
				      (p[i].m.kind == KIND_PAGER && l->fsobj); /* a shared file */
		if ((prot & PROT_W) && kept_read_only && l->read_only)
			return ERR_PERM;
	}
	int e = change_regions(v, p, n, (unsigned)prot);
	if (e != ERR_OK)
		return e;
	for (unsigned i = 0; i < n; i++) {
		lower_entries(v, &p[i], (unsigned)prot);
		mapping_remove(v, p[i].lo, p[i].hi - p[i].lo);
		struct vm_mapping nm = piece_mapping(&p[i], (unsigned)prot);
		mapping_add(v, &nm);
	}
	*m = (struct msg){.tag = msg_tag(MEM_MPROTECT, 0, 0)};
	return ERR_OK;
}
