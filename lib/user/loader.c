#include "lib/user/loader.h"

#include "lib/cpio.h"
#include "lib/elf.h"
#include "lib/fmt.h"
#include "lib/str.h"
#include "lib/user/syscall.h"
#include "lib/user/ulib.h"

#define PAGE 4096ull

int initrd_map(handle_t frame, size_t offset, size_t size, struct initrd *rd)
{
	uint64_t pages = (offset + size + PAGE - 1) / PAGE;
	uint64_t va = uvm_reserve(pages * PAGE);
	int e = sys_space_map(uenv.space, va, frame, 0, pages, PROT_R);

	if (e == ERR_OK)
		*rd = (struct initrd){(const uint8_t *)(va + offset), size};
	return e;
}

static unsigned prot_of(uint32_t flags)
{
	return ((flags & ELF_SEG_R) ? PROT_R : 0) | ((flags & ELF_SEG_W) ? PROT_W : 0) |
	       ((flags & ELF_SEG_X) ? PROT_X : 0);
}

static unsigned order_for(uint64_t pages)
{
	unsigned o = 0;

	while ((1ull << o) < pages)
		o++;
	return o;
}

/*
 * Fill a fresh frame through a temporary mapping in our space, then map it
 * into the child. The frame is charged to the child's quota: the child's
 * program is the child's to pay for, not its loader's.
 */
static int load_segment(handle_t child, handle_t quota, const uint8_t *file,
			const struct elf_segment *s)
{
	uint64_t start = s->vaddr & ~(PAGE - 1);
	uint64_t pages = ((s->vaddr + s->memsz + PAGE - 1) & ~(PAGE - 1)) / PAGE - start / PAGE;
	handle_t f;
	int e = sys_frame_alloc_for(quota, order_for(pages), &f);

	if (e != ERR_OK)
		return e;
	uint64_t tmp = uvm_reserve(pages * PAGE);
	e = sys_space_map(uenv.space, tmp, f, 0, pages, PROT_R | PROT_W);
	if (e == ERR_OK) {
		memcpy((void *)(tmp + (s->vaddr - start)), file + s->offset, s->filesz);
		sys_space_unmap(uenv.space, tmp, pages * PAGE);
		e = sys_space_map(child, start, f, 0, pages, prot_of(s->flags));
	}
	sys_handle_close(f); /* the child's mapping keeps it */
	return e;
}

static int map_stack(handle_t child, handle_t quota)
{
	handle_t f;
	int e = sys_frame_alloc_for(quota, order_for(ULOAD_STACK_PAGES), &f);

	if (e != ERR_OK)
		return e;
	e = sys_space_map(child, ULOAD_STACK_TOP - ULOAD_STACK_PAGES * PAGE, f, 0,
			  ULOAD_STACK_PAGES, PROT_R | PROT_W);
	sys_handle_close(f);
	return e;
}

int uload_space(const struct initrd *rd, const char *name, handle_t quota, struct uprocess *p,
		char *err, size_t errlen)
{
	struct cpio_entry ent;
	struct elf_image img;
	int e = cpio_find(rd->data, rd->size, name, &ent, err, errlen);

	if (e == ERR_OK)
		e = elf_parse(ent.data, ent.size, ULOAD_STACK_TOP - ULOAD_STACK_PAGES * PAGE, PAGE,
			      &img, err, errlen);
	if (e != ERR_OK)
		return e;
	*p = (struct uprocess){0};
	e = sys_space_create(quota, &p->space);
	for (unsigned i = 0; e == ERR_OK && i < img.nseg; i++)
		e = load_segment(p->space, quota, ent.data, &img.seg[i]);
	if (e == ERR_OK)
		e = map_stack(p->space, quota);
	if (e != ERR_OK) {
		fmt_snprintf(err, errlen, "loading %s: %s", name, err_name(e));
		if (p->space)
			sys_handle_close(p->space);
		p->space = 0;
		return e;
	}
	p->entry = img.entry;
	p->sp = ULOAD_STACK_TOP;
	return ERR_OK;
}

int uload_thread(struct uprocess *p, uint64_t arg, unsigned prio)
{
	return sys_thread_create(p->space, p->entry, p->sp, arg, prio, &p->thread);
}

int uload_program(const struct initrd *rd, const char *name, handle_t quota, uint64_t arg,
		  unsigned prio, struct uprocess *p, char *err, size_t errlen)
{
	int e = uload_space(rd, name, quota, p, err, errlen);

	if (e == ERR_OK && (e = uload_thread(p, arg, prio)) != ERR_OK) {
		fmt_snprintf(err, errlen, "loading %s: %s", name, err_name(e));
		sys_handle_close(p->space);
		p->space = 0;
	}
	return e;
}
