/*
 * Programs: finding and checking one, and describing it to mem. A program
 * comes from the file system (a path, or a bare name looked up in /bin) or
 * from the initrd (a bare name not in /bin: the servers and what runs
 * before fs). proc never copies program bytes itself. A program file is
 * mapped from fs's page cache where its file system can (FS_PROC_MAP: proc
 * reads only its head, to check the headers; mem maps its pages from the
 * cache, so every process running it shares its text); elsewhere fs reads
 * it into a frame proc lends it. mem fills pages on demand from the cache,
 * that frame or the initrd, so a program costs only the pages it touches.
 */
#include "user/proc/proc.h"

#include "lib/cpio.h"
#include "lib/error.h"
#include "lib/str.h"
#include "lib/user/syscall.h"
#include "lib/user/ulib.h"

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
 * Check the ELF image proc can load (its first avail bytes at data, of a
 * file of size bytes); fills prog->img and heap_base.
 */
static int program_check(const uint8_t *data, uint64_t avail, uint64_t size, struct program *prog)
{
	char err[96];

	if (elf_parse_head(data, avail, size, UHEAP_END, PAGE, &prog->img, err, sizeof(err)) !=
	    ERR_OK)
		return ERR_CORRUPT;
	prog->heap_base = 0;
	for (unsigned i = 0; i < prog->img.nseg; i++) {
		const struct elf_segment *s = &prog->img.seg[i];

		if (s->vaddr < UIMAGE_BASE || seg_prot(s->flags) == 0)
			return ERR_CORRUPT;
		if (page_up(s->vaddr + s->memsz) > prog->heap_base)
			prog->heap_base = page_up(s->vaddr + s->memsz);
	}
	return ERR_OK;
}

/* The program file at path (absolute) in the file system, mapped in proc. */
static int program_from_fs(const char *path, struct program *prog)
{
	handle_t f;
	uint64_t size, pages = 0, pa = 0;
	int e = fs_image(path, &f, &size);

	if (e != ERR_OK)
		return e;
	e = sys_frame_info(f, &pages, &pa);
	uint64_t va = e == ERR_OK ? uvm_reserve(pages * PAGE) : 0;
	if (e == ERR_OK && !va)
		e = ERR_NOMEM;
	if (e == ERR_OK)
		e = sys_space_map(env.space, va, f, 0, pages, PROT_R);
	if (e != ERR_OK) {
		sys_handle_close(f);
		return e;
	}
	prog->image = f;
	prog->image_size = size;
	prog->image_va = va;
	prog->image_bytes = pages * PAGE;
	prog->file_off = 0;
	e = program_check((const uint8_t *)va, size, size, prog);
	if (e != ERR_OK)
		program_release(prog);
	return e;
}

/*
 * The program file at path mapped from the page cache: only its head is
 * read (for the headers); mem maps its pages from fs's cache, so every
 * process running it shares its text. ERR_UNSUPPORTED: not mappable.
 */
static int program_from_cache(const char *path, struct program *prog)
{
	static uint64_t head_va;
	handle_t f;
	uint64_t id, size;

	if (!head_va && !(head_va = uvm_reserve(PAGE)))
		return ERR_NOMEM;
	int e = sys_frame_alloc(0, FRAME_ZEROED, &f);
	if (e != ERR_OK)
		return e;
	e = fs_map_image(path, f, &id, &size);
	if (e == ERR_OK)
		e = sys_space_map(env.space, head_va, f, 0, 1, PROT_R);
	sys_handle_close(f); /* the mapping keeps the frame while we read it */
	if (e != ERR_OK)
		return e; /* fs_map_image failed: no reference to drop */
	prog->fsobj = id;
	prog->image_size = size;
	e = program_check((const uint8_t *)head_va, size < PAGE ? size : PAGE, size, prog);
	sys_space_unmap(env.space, head_va, PAGE);
	if (e != ERR_OK)
		program_release(prog);
	/* Headers past the first page (unusual, not wrong): the whole file is read instead. */
	return e != ERR_OK && size > PAGE ? ERR_UNSUPPORTED : e;
}

/* A program from the file system: mapped from the cache if its file system can, else read. */
static int program_from_file(const char *path, struct program *prog)
{
	int e = program_from_cache(path, prog);

	return e == ERR_UNSUPPORTED ? program_from_fs(path, prog) : e;
}

static int program_from_initrd(const char *name, struct program *prog)
{
	struct cpio_entry ent;
	char err[96];

	int e = cpio_find(env.rd.data, env.rd.size, name, &ent, err, sizeof(err));
	if (e != ERR_OK)
		return e == ERR_NOENT ? ERR_NOENT : ERR_CORRUPT;
	e = program_check(ent.data, ent.size, ent.size, prog);
	prog->file_off = (uint64_t)((const uint8_t *)ent.data - env.rd.data);
	return e;
}

void program_release(struct program *prog)
{
	if (prog->fsobj)
		fs_unmap_image(prog->fsobj); /* mem holds its own reference, if it maps it */
	prog->fsobj = 0;
	if (!prog->image)
		return;
	sys_space_unmap(env.space, prog->image_va, prog->image_bytes);
	sys_handle_close(prog->image);
	prog->image = 0;
}

/*
 * Find the program and check it is an executable proc can load: every
 * segment inside [UIMAGE_BASE, UHEAP_END) with some access right, no
 * segment both writable and executable, the entry in an executable segment
 * (elf_parse checks most of it). An absolute path is a file; a bare name is
 * /bin/NAME, else NAME in the initrd (a leading "./" is ignored there).
 * ERR_NOENT: no such program; ERR_CORRUPT: not a loadable ELF image.
 */
int program_find(const char *path, struct program *prog)
{
	static char bin[FS_PATH_MAX];

	*prog = (struct program){0};
	if (path[0] == '/')
		return program_from_file(path, prog);
	path = program_name(path);
	if (path[0] == '\0' || strchr(path, '/'))
		return ERR_NOENT; /* relative paths are the C library's to make absolute */
	if (strlen(path) + 6 <= sizeof(bin)) {
		str_copy(bin, "/bin/", sizeof(bin));
		str_copy(bin + 5, path, sizeof(bin) - 5);
		int e = program_from_file(bin, prog);
		if (e != ERR_NOENT)
			return e;
	}
	return program_from_initrd(path, prog);
}

/*
 * Describe the program's memory to mem in the (empty) memory space vs: one
 * file mapping per segment, the empty heap above them, the stack below
 * USTACK_TOP (its lowest page left out as a guard) and the two start-up
 * pages. Returns mem's first error.
 */
int program_map(uint64_t vs, const struct program *prog)
{
	int e = prog->fsobj   ? mem_image_file(vs, prog->fsobj, prog->image_size)
		: prog->image ? mem_image(vs, prog->image, prog->image_size)
			      : ERR_OK;

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
 * (flags) must have no bits but those allowed, the argument block must
 * decode, the program must be a loadable ELF in the initrd, and its
 * start-up page must fit.
 */
int program_prepare(const struct msg *m, uint64_t flags_allowed, struct proc_args *a,
		    struct program *prog)
{
	*prog = (struct program){0}; /* first: every caller releases it, whatever happens */
	if (m->w[0] & ~flags_allowed)
		return ERR_INVALID;
	int e = args_decode(m, a);
	if (e == ERR_OK)
		e = program_find(a->path, prog);
	if (e == ERR_OK)
		e = startpage_build(a);
	if (e != ERR_OK)
		program_release(prog);
	return e;
}
