/*
 * The reverse map: for a frame allocated with FRAME_RMAP, every place a
 * space maps one of its pages. A pager that shares a page among many
 * spaces (fs's page cache, a shared object) can then take it back from all
 * of them and learn whether any wrote it, in one call (SYS_FRAME_AD),
 * without keeping its own list of mappings.
 *
 * Only such frames pay for it: one entry per mapped page, charged to the
 * quota of the space that maps it (as its page tables are), made before the
 * PTE is written so a mapping never exists without its entry. Such a frame
 * has at most RMAP_MAX_PAGES pages (a bit each for what departed mappings
 * did).
 */
#ifndef STRATA_KERNEL_RMAP_H
#define STRATA_KERNEL_RMAP_H

#include <stdbool.h>
#include <stdint.h>

#include "kernel/frameobj.h"
#include "mm/pt.h"

struct space;

#define RMAP_MAX_ORDER 6 /* FRAME_RMAP frames: at most 64 pages */

struct rmap_entry {
	struct space *s;
	uint64_t va;
	uint64_t page; /* in the frame */
	struct rmap_entry *next;
};

/* An entry for a mapping about to be made in s (charged to s's quota), or NULL: *err says why. */
struct rmap_entry *rmap_prepare(struct space *s, int *err);
/* Give back an entry rmap_prepare made that was not used. */
void rmap_discard(struct rmap_entry *e);
/* Record that s maps page `page` of f at va, with an entry from rmap_prepare. */
void rmap_link(struct frameobj *f, struct rmap_entry *e, struct space *s, uint64_t va,
	       uint64_t page);
/*
 * s no longer maps f's page at va, whose last PTE was pte (nothing to do
 * if f keeps no reverse map). Its A and D bits are kept with the frame
 * (gone_a, gone_d), so a page written through a mapping that is gone
 * (munmap, exit) is still known to be dirty.
 */
void rmap_unlink(struct frameobj *f, struct space *s, uint64_t va, pte_t pte);
/*
 * SYS_FRAME_AD's work: OR into bits[i] the A/D bits of page + i of f from
 * every mapping (but those of space skip) and from mappings gone since the
 * last clear; with clear, clear them everywhere, with unmap, take the
 * pages away. Returns the mappings met.
 */
uint64_t rmap_take_ad(struct frameobj *f, uint64_t page, uint64_t npages, const struct space *skip,
		      bool clear, bool unmap, uint8_t *bits);

#endif
