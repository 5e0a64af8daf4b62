/*
 * Programs in the initrd: finding and checking one, and describing it to
 * mem. proc never copies program bytes itself; mem fills pages from the
 * initrd on demand, so a program costs only the pages it touches.
 */
#include "user/proc/proc.h"

#include "lib/cpio.h"
#include "lib/error.h"
#include "lib/str.h"

static uint64_t page_down(uint64_t v)
{
	return v & ~(PAGE - 1);
}

static uint64_t page_up(uint64_t v)
{
	return (v + PAGE - 1) & ~(PAGE - 1);
}

static unsigned seg_prot(uint32_t flags)
{
	return ((flags & ELF_SEG_R) ? PROT_R : 0) | ((flags & ELF_SEG_W) ? PROT_W : 0) |
	       ((flags & ELF_SEG_X) ? PROT_X : 0);
}

/* The name of a program as the initrd and the process list know it: path without leading "./". */
const char *program_name(const char *path)
{
	while (path[0] == '.' && path[1] == '/')
		path += 2;
	return path;
}

/*
 * Find path in the initrd (a leading "./" is ignored) and check it is an
 * executable proc can load: every segment inside [UIMAGE_BASE, UHEAP_END)
 * with some access right, no segment both writable and executable, the entry
 * in an executable segment (elf_parse checks most of it). ERR_NOENT: no such
 * file; ERR_CORRUPT: anything wrong with the archive or the ELF image.
 */
int program_find(const char *path, struct program *prog)
{
	struct cpio_entry ent;
	char err[96];

	path = program_name(path);
	if (path[0] == '\0')
		return ERR_NOENT;
	int e = cpio_find(env.rd.data, env.rd.size, path, &ent, err, sizeof(err));
	if (e != ERR_OK)
		return e == ERR_NOENT ? ERR_NOENT : ERR_CORRUPT;
	if (elf_parse(ent.data, ent.size, UHEAP_END, PAGE, &prog->img, err, sizeof(err)) != ERR_OK)
		return ERR_CORRUPT;
	prog->heap_base = 0;
	for (unsigned i = 0; i < prog->img.nseg; i++) {
		const struct elf_segment *s = &prog->img.seg[i];

		if (s->vaddr < UIMAGE_BASE || seg_prot(s->flags) == 0)
			return ERR_CORRUPT;
		if (page_up(s->vaddr + s->memsz) > prog->heap_base)
			prog->heap_base = page_up(s->vaddr + s->memsz);
	}
	prog->file_off = (uint64_t)((const uint8_t *)ent.data - env.rd.data);
	return ERR_OK;
}

/*
 * Describe the program's memory to mem in the (empty) memory space vs: one
 * file mapping per segment, the empty heap above them, the stack below
 * USTACK_TOP (its lowest page left out as a guard) and the two start-up
 * pages. Returns mem's first error.
 */
int program_map(uint64_t vs, const struct program *prog)
{
	int e = ERR_OK;

	for (unsigned i = 0; e == ERR_OK && i < prog->img.nseg; i++) {
		const struct elf_segment *s = &prog->img.seg[i];
		uint64_t va = page_down(s->vaddr);
		uint64_t lead = s->vaddr - va; /* bytes of the first page before the segment */

		e = mem_map(vs, va, page_up(s->vaddr + s->memsz) - va,
			    seg_prot(s->flags) | MEM_MAP_FILE, prog->file_off + s->offset - lead,
			    s->filesz + lead);
	}
	if (e == ERR_OK)
		e = mem_heap_init(vs, prog->heap_base);
	if (e == ERR_OK)
		e = mem_map(vs, USTACK_TOP - USTACK_MAX + PAGE, USTACK_MAX - PAGE,
			    PROT_R | PROT_W | MEM_MAP_STACK, 0, 0);
	if (e == ERR_OK)
		e = mem_map(vs, USTART_VA, USTART_PAGES * PAGE, PROT_R | PROT_W | MEM_MAP_ANON, 0,
			    0);
	return e;
}

/*
 * The first steps of PROC_SPAWN and PROC_EXEC, which change nothing: w0
 * (flags) must be 0, the argument block must decode, the program must be
 * a loadable ELF in the initrd, and its start-up page must fit.
 */
int program_prepare(const struct msg *m, struct proc_args *a, struct program *prog)
{
	if (m->w[0] != 0)
		return ERR_INVALID;
	int e = args_decode(m, a);
	if (e == ERR_OK)
		e = program_find(a->path, prog);
	if (e == ERR_OK)
		e = startpage_build(a);
	return e;
}
