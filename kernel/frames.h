/*
 * The kernel's physical frames: one buddy allocator over all RAM the
 * device tree reports, minus firmware, the kernel image, the DTB and the
 * initrd. Everything that owns memory gets it here.
 */
#ifndef STRATA_KERNEL_FRAMES_H
#define STRATA_KERNEL_FRAMES_H

#include "lib/dt_platform.h"
#include "mm/buddy.h"
#include "mm/memranges.h"
#include "mm/pt.h"
#include "mm/slab.h"

/* Ranges that are not RAM for the allocator, with why (for the banner). */
struct reserved_area {
	paddr_t base, end;
	const char *what;
};

/* Build the allocator. ERR_OK, or an error with a sentence in err. */
int frames_init(const struct platform *p, paddr_t dtb_pa, size_t dtb_size, char *err,
		size_t errlen);

/* Allocate 2^order frames (zeroed if zero); ERR_OK or ERR_NOMEM. */
int frame_alloc(unsigned order, bool zero, paddr_t *pa);
/* Free; returns the buddy's error for misuse (nothing changes then). */
int frame_free(paddr_t pa, unsigned order);

/*
 * Owner records: the kernel object (a frame object) that owns an allocated
 * block, found from any physical address inside the block.
 */
void frames_set_owner(paddr_t head, void *owner);
void *frames_owner(paddr_t pa);

size_t frames_free_pages(void);
void frames_get_stats(struct buddy_stats *s);
int frames_check(char *why, size_t len);
/* The usable ranges and the areas carved out (for the banner). */
const struct memranges *frames_usable(void);
const struct reserved_area *frames_reserved(unsigned *n);

extern const struct pt_alloc kernel_pt_alloc;
extern const struct slab_page_source kernel_page_source;

#endif
