/*
 * Address spaces (processes). A space owns a root page table whose kernel
 * half is shared with every other space, a region table (which pager serves
 * which range), the handle table of the process, and an ASID.
 *
 * User mappings are 4 KiB pages below USER_TOP. Each maps one page of a
 * frame object and holds a reference on it. All fields are guarded by the
 * big kernel lock.
 */
#ifndef STRATA_KERNEL_SPACE_H
#define STRATA_KERNEL_SPACE_H

#include <stdbool.h>

#include "kernel/frameobj.h"
#include "kernel/handle.h"
#include "kernel/object.h"
#include "mm/pt.h"
#include "mm/region.h"

struct space {
	struct object obj;
	paddr_t root;
	uint16_t asid;
	uint64_t asid_gen;  /* generation asid belongs to (0: none yet) */
	uint64_t tlb_harts; /* bit i: hart index i may cache this space's translations */
	struct region_table regions;
	uint64_t regions_gen; /* counts changes to regions: a fault reply checks it */
	struct handle_table handles;
	unsigned live_threads;	  /* started threads not yet dead */
	bool exited;		  /* every thread died: handles closed */
	uint64_t resident;	  /* user pages mapped */
	uint64_t faults;	  /* faults sent to pagers */
	uint64_t spurious;	  /* faults on a PTE that allowed the access (space_fix_fault) */
	int pt_err;		  /* why the last page-table allocation failed */
	uint64_t tables_freed;	  /* page-table pages given back (unmap must then flush all) */
	struct space *dying_next; /* queued for space_reap */
};

/* One map operation: page `page` of frame f at va with PROT_* rights. */
struct map_item {
	uint64_t va;
	struct frameobj *frame;
	uint64_t page;
	unsigned prot;
};

/* Called once at boot: ASID width and the kernel root to copy from. */
void space_init(unsigned asid_bits);
/* A new empty space charged to q (its tables, regions and handles too). */
int space_create(struct quota *q, struct space **out);
/*
 * The last reference went. A space with few pages mapped is torn down now
 * (false); a larger one is queued (true) and space_reap finishes it, in
 * slices, at the next safe point, then frees the object.
 */
bool space_destroy(struct space *s);
/* Call fn for every user leaf PTE of s (the whole table: for teardown and checks). */
void space_for_each_leaf(struct space *s,
			 void (*fn)(struct space *s, uint64_t va, pte_t *pte, void *ctx),
			 void *ctx);
/* Finish the queued teardowns. Call only at a safe point (no borrowed pointers). */
void space_reap(void);
/* Teardowns are queued (a cheap test before space_reap). */
extern struct space *space_dying;
static inline bool space_reap_pending(void)
{
	return space_dying != NULL;
}
/* Make s the user half of this hart's satp (ASID management, TLB bookkeeping). */
void space_activate(struct space *s);
/* Every thread of s has died: close its handles (breaks reference cycles). */
void space_process_exit(struct space *s);

/*
 * Install items, replacing what is mapped there. The caller has checked
 * them (lib/faultmsg.c and the frame lookups in fault_reply): targets page
 * aligned inside a user region, valid W^X rights, pages inside their frames,
 * no two items for one address; all or nothing
 * (ERR_NOMEM / ERR_QUOTA if a page table cannot be had). Flushes the TLB.
 */
int space_apply_items(struct space *s, const struct map_item *items, unsigned n);
/*
 * Range operations come in bounded slices: each does a fixed amount of work
 * (page-table entries looked at, pages changed) and advances a cursor; the
 * system call drops the kernel lock between slices (kernel/sys_mem.c). Empty
 * tables are skipped at every level, so the cost follows what is mapped.
 */
/* [va, va + len) is page aligned and inside user space: ERR_ALIGN / ERR_RANGE. */
int space_check_range(uint64_t va, uint64_t len);
/* Arguments of a map of npages pages of f from page at va with prot. */
int space_check_map(uint64_t va, struct frameobj *f, uint64_t page, uint64_t npages, unsigned prot);
/* A protect of [va, va + len) to prot: the range as above, then prot (ERR_INVALID, W^X ERR_PERM).
 */
int space_check_protect(uint64_t va, uint64_t len, unsigned prot);
/* True (cursor at it) if a page in [*va, end) is mapped; else advances *va, up to end. */
bool space_range_mapped_slice(struct space *s, uint64_t *va, uint64_t end);
/*
 * Map pages *done.. of the npages (page + i of f at va + i pages), a slice
 * at a time; advances *done. ERR_EXISTS if a page is mapped already,
 * ERR_NOMEM / ERR_QUOTA if a table cannot be had (pages before *done stay).
 */
int space_map_slice(struct space *s, uint64_t va, struct frameobj *f, uint64_t page, uint64_t *done,
		    uint64_t npages, unsigned prot);
/* Map one page (boot loader): all checks, ERR_EXISTS if va is mapped. */
int space_map_page(struct space *s, uint64_t va, struct frameobj *f, uint64_t page, unsigned prot);
/* Unmap the next slice of [*va, end) and flush it; advances *va. */
void space_unmap_slice(struct space *s, uint64_t *va, uint64_t end);
/* ERR_PERM if a mapped page of the next slice lacks a right in prot; advances *va. */
int space_protect_check_slice(struct space *s, uint64_t *va, uint64_t end, unsigned prot);
/* Lower the mapped pages of the next slice to prot (intersected) and flush; advances *va. */
void space_protect_slice(struct space *s, uint64_t *va, uint64_t end, unsigned prot);
/* out[i] = PAGE_MAPPED|PAGE_A|PAGE_D of page i; clears A and D if clear. */
int space_read_ad(struct space *s, uint64_t va, unsigned npages, uint8_t *out, bool clear);
/* OR the A/D bits reported in bits[] back into the still-mapped pages. */
/* One page's A/D bits (ad_bits), cleared with clear, or the page unmapped with unmap. */
uint8_t space_take_ad(struct space *s, uint64_t va, bool clear, bool unmap);
void space_restore_ad(struct space *s, uint64_t va, unsigned npages, const uint8_t *bits);
/* What space_fix_fault made of a page fault. */
enum fault_fix {
	FAULT_REAL,	/* no mapping allows the access: for a pager, or an exception */
	FAULT_AD_FIXED, /* the mapping allows it: A (and D for a store) set, retry */
	FAULT_SPURIOUS, /* the mapping allowed it already: a stale translation, dropped; retry */
};
/*
 * A page fault at user va for access (PROT_R, PROT_W or PROT_X) in s, the
 * space of this hart's satp: if the valid user PTE there allows the access,
 * set its A (and D) bits or, when they are set already, drop the hart's
 * stale translations of s, so that the access can simply be retried.
 */
enum fault_fix space_fix_fault(struct space *s, uint64_t va, unsigned access);

int space_region_add(struct space *s, const struct region *r);
int space_region_remove(struct space *s, uint64_t base);
/* ERR_ALIGN or ERR_RANGE unless each of the n addresses is a user page's. */
int space_check_pages(const uint64_t *vas, unsigned n);
/* space_read_ad for a list of n page addresses (checked by space_check_pages). */
void space_read_ad_list(struct space *s, const uint64_t *vas, unsigned n, uint8_t *out, bool clear);
/*
 * Unmap the pages of a list (vas, n) or of a range (va, npages), both
 * checked, giving each one's A/D bits as the entry was taken out (0 for a
 * page that was not mapped).
 */
void space_unmap_ad(struct space *s, const uint64_t *vas, unsigned n, uint64_t va, unsigned npages,
		    uint8_t *out);
/* Make r's range r's (mm/region.h region_replace), growing the table if it must. */
int space_region_replace(struct space *s, const struct region *r);

/* Flush [va, va + npages pages) of s from every hart that may cache it. */
void space_flush(struct space *s, uint64_t va, uint64_t npages);

#endif
