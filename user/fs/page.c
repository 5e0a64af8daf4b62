/*
 * Pages for file data and pipes. Each allocation is a frame of its own
 * (2^order pages, order <= 2), mapped in fs at a slot of 16 KiB in an area
 * reserved at start; freeing unmaps it, which frees the frame, and the slot
 * is reused. So fs holds exactly the pages its files and pipes hold, and
 * gives them back at once (page tables left empty are freed by the kernel).
 *
 * The frames keep a reverse map (FRAME_RMAP): a page of a file can be
 * mapped in processes (map.c), and freeing it first takes it back from
 * every one of them (SYS_FRAME_AD), so nobody keeps a page the file no
 * longer has.
 */
#include "user/fs/fs.h"

#include "lib/error.h"
#include "lib/user/syscall.h"
#include "lib/user/ulib.h"

#define SLOT_PAGES 4
#define SLOTS	   8192 /* 128 MiB of address space */

static uint64_t base;
static uint16_t free_slots[SLOTS]; /* a stack of free slot numbers */
static unsigned nfree;
static handle_t frames[SLOTS]; /* each slot's frame */
static bool lent[SLOTS];       /* page_frame gave the frame out: it may be mapped elsewhere */

static unsigned slot_of(const void *p)
{
	return (unsigned)(((uint64_t)p - base) / (SLOT_PAGES * PAGE));
}

int page_init(void)
{
	base = uvm_reserve((uint64_t)SLOTS * SLOT_PAGES * PAGE);
	for (unsigned i = 0; i < SLOTS; i++)
		free_slots[i] = (uint16_t)(SLOTS - 1 - i); /* slot 0 on top */
	nfree = SLOTS;
	return ERR_OK;
}

void *page_alloc(unsigned order)
{
	handle_t f;

	if (order > 2 || nfree == 0 || sys_frame_alloc(order, FRAME_RMAP, &f) != ERR_OK)
		return 0;
	unsigned slot = free_slots[nfree - 1];
	uint64_t va = base + (uint64_t)slot * SLOT_PAGES * PAGE;
	int e = sys_space_map(uenv.space, va, f, 0, 1ull << order, PROT_R | PROT_W);
	if (e != ERR_OK) {
		sys_handle_close(f);
		return 0;
	}
	frames[slot] = f;
	lent[slot] = false;
	nfree--;
	fs_stats.pages += 1ull << order;
	return (void *)va;
}

void page_free(void *p, unsigned order)
{
	uint64_t va = (uint64_t)p;

	if (!p)
		return;
	unsigned slot = slot_of(p);
	if (lent[slot]) {
		uint8_t bits[SLOT_PAGES];
		sys_frame_ad(frames[slot], 0, 1u << order, bits, AD_UNMAP | AD_OTHERS, 0);
	}
	sys_space_unmap(uenv.space, va, PAGE << order);
	sys_handle_close(frames[slot]);
	frames[slot] = 0;
	free_slots[nfree++] = (uint16_t)slot;
	fs_stats.pages -= 1ull << order;
}

handle_t page_frame(const void *p)
{
	unsigned slot = slot_of(p);

	lent[slot] = true;
	return frames[slot];
}
