/*
 * Pages for file data and pipes. Each allocation is a frame of its own
 * (2^order pages, order <= 2), mapped in fs at a slot of 16 KiB in an area
 * reserved at start; freeing unmaps it, which frees the frame, and the slot
 * is reused. So fs holds exactly the pages its files and pipes hold, and
 * gives them back at once (page tables left empty are freed by the kernel).
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

	if (order > 2 || nfree == 0 || sys_frame_alloc(order, FRAME_ZEROED, &f) != ERR_OK)
		return 0;
	uint64_t va = base + (uint64_t)free_slots[nfree - 1] * SLOT_PAGES * PAGE;
	int e = sys_space_map(uenv.space, va, f, 0, 1ull << order, PROT_R | PROT_W);
	sys_handle_close(f); /* the mapping holds the frame */
	if (e != ERR_OK)
		return 0;
	nfree--;
	fs_stats.pages += 1ull << order;
	return (void *)va;
}

void page_free(void *p, unsigned order)
{
	uint64_t va = (uint64_t)p;

	if (!p)
		return;
	sys_space_unmap(uenv.space, va, PAGE << order);
	free_slots[nfree++] = (uint16_t)((va - base) / (SLOT_PAGES * PAGE));
	fs_stats.pages -= 1ull << order;
}
