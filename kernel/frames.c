#include "kernel/frames.h"

#include "kernel/boot.h"
#include "kernel/memlayout.h"
#include "kernel/spinlock.h"
#include "lib/error.h"
#include "lib/fmt.h"
#include "lib/str.h"
#include "mm/physmap.h"

#define MAX_CARVED (PLAT_MAX_RESERVED + 4)

static struct buddy buddy;
static void **owners; /* per page: the kernel object owning the block it heads */
static struct spinlock frames_lock = SPINLOCK_INIT("frames");
static struct memranges usable;
static struct reserved_area carved[MAX_CARVED];
static unsigned ncarved;

static int carve(paddr_t base, paddr_t end, const char *what)
{
	if (ncarved < MAX_CARVED)
		carved[ncarved++] = (struct reserved_area){base, end, what};
	return memranges_remove(&usable, ALIGN_DOWN(base, PAGE_SIZE), ALIGN_UP(end, PAGE_SIZE));
}

/* usable = RAM (clipped to the direct map) minus everything that is taken. */
static int find_usable(const struct platform *p, paddr_t dtb_pa, size_t dtb_size)
{
	int e = ERR_OK;

	for (unsigned i = 0; i < p->nmem && e == ERR_OK; i++) {
		paddr_t b = p->mem[i].base, end = b + p->mem[i].size;
		if (end > DIRECT_MAX_PA)
			end = DIRECT_MAX_PA;
		if (b < end)
			e = memranges_add(&usable, b, end);
	}
	for (unsigned i = 0; i < p->nreserved && e == ERR_OK; i++)
		e = carve(p->reserved[i].base, p->reserved[i].base + p->reserved[i].size,
			  "reserved by firmware");
	if (e == ERR_OK)
		e = carve(kernel_load_pa, kimg_to_pa(_end), "kernel image");
	if (e == ERR_OK)
		e = carve(dtb_pa, dtb_pa + dtb_size, "device tree");
	if (e == ERR_OK && p->has_initrd)
		e = carve(p->initrd_start, p->initrd_end, "initrd");
	memranges_align(&usable, PAGE_SIZE);
	return e;
}

int frames_init(const struct platform *p, paddr_t dtb_pa, size_t dtb_size, char *err, size_t errlen)
{
	if (find_usable(p, dtb_pa, dtb_size) != ERR_OK) {
		fmt_snprintf(err, errlen, "too many memory or reserved ranges");
		return ERR_FULL;
	}
	if (usable.n == 0) {
		fmt_snprintf(err, errlen, "no usable RAM left after reservations");
		return ERR_NOMEM;
	}
	paddr_t lo = usable.r[0].base, hi = usable.r[usable.n - 1].end;
	size_t npages = (hi - lo) >> PAGE_SHIFT;
	size_t desc = ALIGN_UP(buddy_desc_bytes(npages) + npages * sizeof(void *), PAGE_SIZE);

	/* The descriptors live in the first usable range big enough for them. */
	unsigned i = 0;
	while (i < usable.n && usable.r[i].end - usable.r[i].base < desc)
		i++;
	if (i == usable.n) {
		fmt_snprintf(err, errlen, "no range holds the %zu KiB of frame descriptors",
			     desc >> 10);
		return ERR_NOMEM;
	}
	paddr_t desc_pa = usable.r[i].base;
	carve(desc_pa, desc_pa + desc, "frame descriptors");
	buddy_init(&buddy, lo, npages, pa_to_kva(desc_pa));
	owners = pa_to_kva(desc_pa + buddy_desc_bytes(npages));
	memset(owners, 0, npages * sizeof(void *));
	for (i = 0; i < usable.n; i++) {
		int e = buddy_add_range(&buddy, usable.r[i].base,
					(usable.r[i].end - usable.r[i].base) >> PAGE_SHIFT);
		if (e != ERR_OK) {
			fmt_snprintf(err, errlen, "buddy_add_range failed: %s", err_name(e));
			return e;
		}
	}
	return ERR_OK;
}

int frame_alloc(unsigned order, bool zero, paddr_t *pa)
{
	spin_lock(&frames_lock);
	struct frame *f = buddy_alloc(&buddy, order);
	paddr_t addr = f ? buddy_frame_pa(&buddy, f) : 0;
	spin_unlock(&frames_lock);
	if (!f)
		return ERR_NOMEM;
	if (zero)
		memset(pa_to_kva(addr), 0, PAGE_SIZE << order);
	*pa = addr;
	return ERR_OK;
}

int frame_free(paddr_t pa, unsigned order)
{
	spin_lock(&frames_lock);
	int e = buddy_free(&buddy, pa, order);
	spin_unlock(&frames_lock);
	return e;
}

/* The head of the allocated block containing pa, or 0 if pa is not allocated. */
static paddr_t block_head(paddr_t pa)
{
	for (unsigned k = 0; k <= BUDDY_MAX_ORDER; k++) {
		paddr_t cand = ALIGN_DOWN(pa, (paddr_t)PAGE_SIZE << k);
		struct frame *f = buddy_pa_frame(&buddy, cand);
		if (!f)
			return 0;
		if (f->state == FRAME_ALLOCATED)
			return f->order >= k ? cand : 0;
		if (f->state != FRAME_ALLOC_TAIL)
			return 0;
	}
	return 0;
}

void frames_set_owner(paddr_t head, void *owner)
{
	owners[(head - buddy.base) >> PAGE_SHIFT] = owner;
}

void *frames_owner(paddr_t pa)
{
	spin_lock(&frames_lock);
	paddr_t head = block_head(pa);
	void *o = head ? owners[(head - buddy.base) >> PAGE_SHIFT] : NULL;
	spin_unlock(&frames_lock);
	return o;
}

size_t frames_free_pages(void)
{
	return buddy.free_pages;
}

void frames_get_stats(struct buddy_stats *s)
{
	spin_lock(&frames_lock);
	buddy_get_stats(&buddy, s);
	spin_unlock(&frames_lock);
}

int frames_check(char *why, size_t len)
{
	spin_lock(&frames_lock);
	int e = buddy_check(&buddy, why, len);
	spin_unlock(&frames_lock);
	return e;
}

const struct memranges *frames_usable(void)
{
	return &usable;
}

const struct reserved_area *frames_reserved(unsigned *n)
{
	*n = ncarved;
	return carved;
}

static int pt_page_alloc(void *ctx, paddr_t *pa)
{
	(void)ctx;
	return frame_alloc(0, true, pa);
}

static void pt_page_free(void *ctx, paddr_t pa)
{
	(void)ctx;
	frame_free(pa, 0);
}

static int slab_pages_alloc(void *ctx, unsigned order, paddr_t *pa)
{
	(void)ctx;
	return frame_alloc(order, false, pa);
}

static void slab_pages_free(void *ctx, paddr_t pa, unsigned order)
{
	(void)ctx;
	frame_free(pa, order);
}

const struct pt_alloc kernel_pt_alloc = {pt_page_alloc, pt_page_free, NULL};
const struct slab_page_source kernel_page_source = {slab_pages_alloc, slab_pages_free, NULL};
