/*
 * Requests from proc (the admin badge): memory spaces and their mappings.
 * Each is decoded and checked completely before anything changes; *m
 * becomes the reply.
 */
#include "user/mem/mem.h"

#include "lib/str.h"
#include "lib/user/msgbytes.h"
#include "lib/user/syscall.h"

/* The space handle a request carried (handles[0]), or 0. */
static handle_t take_space(const struct msg *m)
{
	return msg_handles(m->tag) == 1 ? IPCBUF->handles[0] : 0;
}

static void reply_id(struct msg *m, uint64_t id)
{
	*m = (struct msg){.tag = msg_tag(msg_label(m->tag), 1, 0), .w = {id}};
}

static void reply_empty(struct msg *m)
{
	*m = (struct msg){.tag = msg_tag(msg_label(m->tag), 0, 0)};
}

static int do_create(struct msg *m)
{
	handle_t space = take_space(m);
	struct vs *v;

	if (msg_words(m->tag) != 1 || !space)
		return ERR_INVALID;
	int e = vs_create(space, m->w[0], &v);
	if (e != ERR_OK)
		return e;
	reply_id(m, v->id);
	return ERR_OK;
}

static int do_fork(struct msg *m)
{
	handle_t space = take_space(m);
	struct vs *parent = vs_find(m->w[0]), *child;

	if (msg_words(m->tag) != 1 || !space)
		return ERR_INVALID;
	if (!parent)
		return ERR_NOENT;
	int e = vs_fork(parent, space, &child);
	if (e != ERR_OK)
		return e;
	reply_id(m, child->id);
	return ERR_OK;
}

/* VS_DESTROY and VS_RESET: w0 = vs. */
static int do_whole(struct msg *m, bool destroy)
{
	struct vs *v = vs_find(m->w[0]);

	if (msg_words(m->tag) != 1)
		return ERR_INVALID;
	if (!v)
		return ERR_NOENT;
	destroy ? vs_destroy(v) : vs_reset(v);
	reply_empty(m);
	return ERR_OK;
}

static bool prot_ok(unsigned prot)
{
	return prot <= (PROT_R | PROT_W | PROT_X) && !((prot & PROT_W) && (prot & PROT_X));
}

/* A range [va, va + len) of whole pages inside the region, len > 0. */
static bool range_ok(uint64_t va, uint64_t len)
{
	return IS_PAGED(va) && IS_PAGED(len) && len > 0 && va >= REGION_BASE && va < REGION_END &&
	       len <= REGION_END - va;
}

static int check_map(const struct vs *v, uint64_t va, uint64_t len, unsigned prot_kind,
		     uint64_t off, uint64_t bytes)
{
	unsigned kind = prot_kind & MEM_MAP_KIND;

	if ((prot_kind & ~(MEM_MAP_KIND | 7u)) || !prot_ok(prot_kind & 7u) || kind > MEM_MAP_STACK)
		return ERR_INVALID;
	if (!range_ok(va, len))
		return ERR_RANGE;
	uint64_t size;
	vs_file_data(v, &size);
	if (kind == MEM_MAP_FILE && (bytes > len || off > size || bytes > size - off))
		return ERR_RANGE;
	if (mapping_overlaps(v, va, len))
		return ERR_EXISTS;
	if (v->maps.n == MAXMAP || !vs_commit_ok(v, len / PAGE, 0))
		return ERR_NOMEM;
	return ERR_OK;
}

static int do_map(struct msg *m)
{
	struct vs *v = vs_find(m->w[0]);
	uint64_t va = m->w[1], len = m->w[2], off = m->w[4], bytes = IPCBUF->words[5];
	unsigned prot_kind = (unsigned)m->w[3];

	if (msg_words(m->tag) != 6 || m->w[3] > 0xffff)
		return ERR_INVALID;
	if (!v)
		return ERR_NOENT;
	int e = check_map(v, va, len, prot_kind, off, bytes);
	if (e != ERR_OK)
		return e;
	static const enum map_kind kinds[] = {KIND_ANON, KIND_FILE, KIND_STACK};
	enum map_kind kind = kinds[(prot_kind & MEM_MAP_KIND) >> 4];
	struct vm_mapping map = {.va = va,
				 .len = len,
				 .file_off = kind == KIND_FILE ? off : 0,
				 .file_size = kind == KIND_FILE ? bytes : 0,
				 .prot = prot_kind & 7u,
				 .kind = kind};
	mapping_add(v, &map);
	v->committed += len / PAGE;
	total_committed += len / PAGE;
	reply_empty(m);
	return ERR_OK;
}

static int do_heap_init(struct msg *m)
{
	struct vs *v = vs_find(m->w[0]);
	uint64_t base = m->w[1];

	if (msg_words(m->tag) != 2)
		return ERR_INVALID;
	if (!v)
		return ERR_NOENT;
	/*
	 * base == UHEAP_END is an empty heap that cannot grow: what a program
	 * whose last segment ends exactly at UHEAP_END gets (elf_parse lets
	 * segments end there). It owns no page, so nothing can overlap it.
	 */
	if (!uheap_base_ok(base))
		return ERR_RANGE;
	if (v->heap_base)
		return ERR_EXISTS;
	if (base < UHEAP_END && mapping_overlaps(v, base, PAGE))
		return ERR_EXISTS;
	v->heap_base = v->heap_end = base;
	reply_empty(m);
	return ERR_OK;
}

/* Write n bytes at va, page by page (each page made the space's own first). */
static int poke(struct vs *v, const struct vm_mapping *map, uint64_t va, const uint8_t *src,
		uint64_t n)
{
	while (n > 0) {
		void *page;
		uint64_t in = va & (PAGE - 1), k = PAGE - in < n ? PAGE - in : n;
		int e = vs_page_for_write(v, map, PAGE_DOWN(va), &page);
		if (e != ERR_OK)
			return e;
		memcpy((uint8_t *)page + in, src, k);
		va += k;
		src += k;
		n -= k;
	}
	return ERR_OK;
}

static int do_poke(struct msg *m)
{
	struct vs *v = vs_find(m->w[0]);
	uint64_t va = m->w[1], n = m->w[2];
	uint8_t bytes[MSGBYTES_MAX(3)];
	struct vm_mapping map;

	if (msg_words(m->tag) < 3 || n == 0 || !msgbytes_fit(m->tag, 3, n))
		return ERR_INVALID;
	if (!v)
		return ERR_NOENT;
	if (va >= REGION_END || n > REGION_END - va || !mapping_find(v, va, &map) ||
	    va + n > map.va + map.len || kind_linked(map.kind))
		return ERR_RANGE;
	msgbytes_get(m, IPCBUF, 3, bytes, n);
	int e = poke(v, &map, va, bytes, n);
	if (e != ERR_OK)
		return e;
	reply_empty(m);
	return ERR_OK;
}

/* v's program file is im from now on. */
static int set_image(struct vs *v, struct image *im, struct msg *m)
{
	if (v->image)
		image_unref(v->image);
	v->image = im;
	reply_empty(m);
	return ERR_OK;
}

/* MEM_IMAGE: w0 = vs, w1 = bytes, handles[0] = the frame. */
static int do_image(struct msg *m)
{
	handle_t frame = take_space(m); /* handles[0], whatever it is */
	struct vs *v = vs_find(m->w[0]);
	struct image *im;

	if (msg_words(m->tag) != 2 || !frame || !v) {
		if (frame)
			sys_handle_close(frame);
		return !v && frame && msg_words(m->tag) == 2 ? ERR_NOENT : ERR_INVALID;
	}
	int e = image_new(frame, m->w[1], &im);
	return e == ERR_OK ? set_image(v, im, m) : e;
}

/* MEM_IMAGE_FILE: w0 = vs, w1 = fs's mapping object, w2 = bytes. */
static int do_image_file(struct msg *m)
{
	struct vs *v = vs_find(m->w[0]);
	struct image *im;

	if (msg_words(m->tag) != 3)
		return ERR_INVALID;
	if (!v)
		return ERR_NOENT;
	int e = image_new_file(m->w[1], m->w[2], &im);
	return e == ERR_OK ? set_image(v, im, m) : e;
}

static int do_swapout(struct msg *m)
{
	struct vs *v = vs_find(m->w[0]);

	if (msg_words(m->tag) != 2)
		return ERR_INVALID;
	if (!v)
		return ERR_NOENT;
	uint64_t freed = swap_out_space(v, m->w[1] ? m->w[1] : UINT64_MAX);
	*m = (struct msg){.tag = msg_tag(MEM_VS_SWAPOUT, 1, 0), .w = {freed}};
	return ERR_OK;
}

int admin_request(struct msg *m)
{
	handle_t space = take_space(m);
	int e;

	switch (msg_label(m->tag)) {
	case MEM_VS_CREATE:
		e = do_create(m);
		break;
	case MEM_VS_FORK:
		e = do_fork(m);
		break;
	case MEM_VS_DESTROY:
		return do_whole(m, true);
	case MEM_VS_RESET:
		return do_whole(m, false);
	case MEM_MAP:
		return do_map(m);
	case MEM_HEAP_INIT:
		return do_heap_init(m);
	case MEM_POKE:
		return do_poke(m);
	case MEM_IMAGE:
		return do_image(m);
	case MEM_IMAGE_FILE:
		return do_image_file(m);
	case MEM_VS_SWAPOUT:
		return do_swapout(m);
	default:
		return ERR_UNSUPPORTED;
	}
	if (e != ERR_OK && space) /* the space stays only with a memory space made for it */
		sys_handle_close(space);
	return e;
}
