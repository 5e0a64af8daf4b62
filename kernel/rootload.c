#include "kernel/rootload.h"

#include "kernel/boot.h"
#include "kernel/console.h"
#include "kernel/frames.h"
#include "kernel/hart.h"
#include "kernel/irq.h"
#include "kernel/memlayout.h"
#include "kernel/objects.h"
#include "kernel/sched.h"
#include "lib/cpio.h"
#include "lib/elf.h"
#include "lib/error.h"
#include "lib/str.h"
#include "mm/physmap.h"

_Static_assert(sizeof(struct bootinfo) <= PAGE_SIZE, "bootinfo is one page");

#define ROOT_NAME	     "root"
#define KERNEL_RESERVE_PAGES 256 /* kept out of the root quota for the kernel's own needs */
#define DEVICE_RIGHTS	     (RIGHT_READ | RIGHT_WRITE | RIGHT_MAP | RIGHT_GRANT | RIGHT_DEVICE)

struct loader {
	struct space *space;
	struct quota *quota;
	struct thread *thread;
	struct bootinfo *info;
	char err[128];
};

static unsigned seg_prot(uint32_t flags)
{
	return ((flags & ELF_SEG_R) ? PROT_R : 0) | ((flags & ELF_SEG_W) ? PROT_W : 0) |
	       ((flags & ELF_SEG_X) ? PROT_X : 0);
}

/* Map one fresh page at va (filled by the caller through *kva). */
static int map_new_page(struct loader *l, uint64_t va, unsigned prot, void **kva)
{
	struct frameobj *f;
	int e = frameobj_alloc(l->quota, 0, true, &f);

	if (e != ERR_OK)
		return e;
	e = space_map_page(l->space, va, f, 0, prot);
	if (kva)
		*kva = pa_to_kva(f->pa);
	object_put(&f->obj); /* the mapping keeps it */
	return e;
}

static int load_segment(struct loader *l, const uint8_t *file, const struct elf_segment *seg)
{
	uint64_t start = ALIGN_DOWN(seg->vaddr, PAGE_SIZE);
	uint64_t end = ALIGN_UP(seg->vaddr + seg->memsz, PAGE_SIZE);

	for (uint64_t va = start; va < end; va += PAGE_SIZE) {
		uint8_t *page;
		int e = map_new_page(l, va, seg_prot(seg->flags), (void **)&page);
		if (e != ERR_OK)
			return e;
		/* Copy the part of [vaddr, vaddr + filesz) that falls in this page. */
		uint64_t lo = va > seg->vaddr ? va : seg->vaddr;
		uint64_t hi = va + PAGE_SIZE < seg->vaddr + seg->filesz ? va + PAGE_SIZE
									: seg->vaddr + seg->filesz;
		if (lo < hi)
			memcpy(page + (lo - va), file + seg->offset + (lo - seg->vaddr), hi - lo);
	}
	return ERR_OK;
}

static int give(struct loader *l, struct object *o, uint32_t rights, handle_t *h)
{
	return handle_install(&l->space->handles, o, rights, h);
}

static void add_device(struct loader *l, const struct plat_device *d)
{
	struct bootinfo *bi = l->info;
	struct frameobj *f;
	struct irq *irq;

	if (!d->present || bi->ndevices == BOOT_MAX_DEVICES)
		return;
	struct boot_device *bd = &bi->devices[bi->ndevices++];
	str_copy(bd->compatible, d->compatible, sizeof(bd->compatible));
	bd->pa = d->base;
	bd->size = d->size;
	uint64_t pages = ALIGN_UP(d->size ? d->size : PAGE_SIZE, PAGE_SIZE) / PAGE_SIZE;
	if (frameobj_device(ALIGN_DOWN(d->base, PAGE_SIZE), pages, true, &f) == ERR_OK) {
		give(l, &f->obj, DEVICE_RIGHTS, &bd->frame);
		object_put(&f->obj);
	}
	if (d->irq && irq_create(d->irq, &irq) == ERR_OK) {
		bd->irq_source = d->irq;
		give(l, &irq->obj, RIGHT_MANAGE | RIGHT_GRANT, &bd->irq);
		object_put(&irq->obj);
	}
}

static int give_boot_handles(struct loader *l)
{
	struct bootinfo *bi = l->info;
	int e;
	struct object *sys = object_alloc(OBJ_SYSTEM, sizeof(struct object), NULL, &e);

	if (!sys)
		return e;
	give(l, &l->space->obj, RIGHTS_ALL & ~RIGHT_DEVICE, &bi->self_space);
	give(l, &l->thread->obj, RIGHTS_ALL & ~RIGHT_DEVICE, &bi->self_thread);
	give(l, &l->quota->obj, RIGHTS_ALL & ~RIGHT_DEVICE, &bi->quota);
	give(l, sys, RIGHT_READ | RIGHT_MANAGE | RIGHT_GRANT | RIGHT_DEVICE, &bi->system);
	object_put(sys);
	if (platform.has_initrd) {
		struct frameobj *f;
		paddr_t b = ALIGN_DOWN(platform.initrd_start, PAGE_SIZE);
		uint64_t pages = (ALIGN_UP(platform.initrd_end, PAGE_SIZE) - b) / PAGE_SIZE;
		if (frameobj_device(b, pages, false, &f) == ERR_OK) {
			give(l, &f->obj, RIGHT_READ | RIGHT_MAP | RIGHT_GRANT, &bi->initrd);
			object_put(&f->obj);
		}
		bi->initrd_size = platform.initrd_end - platform.initrd_start;
		bi->initrd_offset = (uint32_t)(platform.initrd_start - b);
	}
	add_device(l, &platform.uart);
	for (unsigned i = 0; i < platform.nvirtio; i++)
		add_device(l, &platform.virtio[i]);
	add_device(l, &platform.sdspi); /* the SD card slot on SPI (HiFive), if the tree has one */
	return ERR_OK;
}

static int build(struct loader *l, const void *file, size_t size)
{
	struct elf_image img;
	int e = elf_parse(file, size, BOOTINFO_VA - ROOT_STACK_PAGES * PAGE_SIZE, PAGE_SIZE, &img,
			  l->err, sizeof(l->err));

	if (e != ERR_OK)
		return e;
	uint64_t quota = (frames_free_pages() - KERNEL_RESERVE_PAGES) * PAGE_SIZE;
	l->quota = quota_boot(quota);
	if (!l->quota)
		return ERR_NOMEM;
	if ((e = space_create(l->quota, &l->space)) != ERR_OK)
		return e;
	for (unsigned i = 0; i < img.nseg && e == ERR_OK; i++)
		e = load_segment(l, file, &img.seg[i]);
	for (unsigned i = 1; i <= ROOT_STACK_PAGES && e == ERR_OK; i++)
		e = map_new_page(l, BOOTINFO_VA - i * PAGE_SIZE, PROT_R | PROT_W, NULL);
	if (e == ERR_OK)
		e = map_new_page(l, BOOTINFO_VA, PROT_R, (void **)&l->info);
	if (e == ERR_OK)
		e = map_new_page(l, BOOTINFO_VA + PAGE_SIZE, PROT_R | PROT_W, NULL);
	if (e == ERR_OK)
		e = thread_create(l->space, img.entry, BOOTINFO_VA, BOOTINFO_VA, SCHED_PRIOS - 1,
				  &l->thread);
	if (e != ERR_OK)
		return e;
	l->thread->ipcbuf = BOOTINFO_VA + PAGE_SIZE;
	struct bootinfo *bi = l->info;
	bi->magic = BOOTINFO_MAGIC;
	bi->total_pages = memranges_total(frames_usable()) / PAGE_SIZE;
	bi->timebase_hz = platform.timebase_hz;
	bi->nharts = nharts;
	str_copy(bi->bootargs, platform.bootargs, sizeof(bi->bootargs));
	if ((e = give_boot_handles(l)) != ERR_OK)
		return e;
	bi->free_pages = frames_free_pages();
	return thread_start(l->thread);
}

int rootload_start(void)
{
	struct loader l = {0};
	struct cpio_entry ent;

	if (!platform.has_initrd) {
		kprintf("strata: no initrd: no root task to start\n");
		return -1;
	}
	const void *rd = pa_to_kva(platform.initrd_start);
	size_t len = platform.initrd_end - platform.initrd_start;
	int e = cpio_find(rd, len, ROOT_NAME, &ent, l.err, sizeof(l.err));
	if (e == ERR_OK)
		e = build(&l, ent.data, ent.size);
	/* A half-built root: close its handles first, they hold the space itself. */
	if (e != ERR_OK && l.space)
		handle_table_destroy(&l.space->handles);
	/* The space and thread hold what they need; drop the loader's references. */
	if (l.thread)
		object_put(&l.thread->obj);
	if (l.space)
		object_put(&l.space->obj);
	if (l.quota)
		object_put(&l.quota->obj);
	if (e != ERR_OK) {
		kprintf("strata: cannot start the root task: %s%s%s\n", err_name(e),
			l.err[0] ? ": " : "", l.err);
		return -1;
	}
	return 0;
}
