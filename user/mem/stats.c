/*
 * Statistics anyone may ask for: the system's (STATS), one memory space's
 * (VS_STATS) and its mappings one by one (VS_MAPS, for pmap). They travel
 * as bytes in the reply (msgbytes).
 */
#include "user/mem/mem.h"

#include "lib/user/msgbytes.h"
#include "lib/user/syscall.h"
#include "lib/user/ulib.h"

static void system_stats(struct mem_stats *s)
{
	*s = (struct mem_stats){0};
	sys_mem_info_orders(env.system, &s->free_pages, &s->total_pages, s->free_blocks,
			    &s->slab_pages);
	s->resident = pool_resident();
	s->committed = total_committed;
	s->commit_limit = commit_limit();
	s->overcommit = env.overcommit;
	s->available = pool_free() + swap_free();
	s->pool_free = pool_free();
	s->load_control = swap_slots() > 0 && !env.no_load;
	load_stats(s);
	compact_stats(s);
	sys_kernel_stats(env.system, false, 0, 0, &s->idle_ns);
	s->pool_pages = pool_pages();
	s->own_pages = pool_own();
	s->faults = total.faults;
	s->zero_fills = total.zero_fills;
	s->file_fills = total.file_fills;
	s->cow_copies = total.cow_copies;
	s->cow_shared = total.cow_shared;
	s->around = total.around;
	s->spaces = vs_count();
	pressure_stats(s);
	swap_stats(s);
	struct thread_info ti = {0};
	if (sys_thread_info(uenv.thread, &ti) == ERR_OK)
		s->cpu_ns = ti.user_ns + ti.kernel_ns;
}

static void count_shared(void *arg, uint64_t va, pageid_t p, bool mapped)
{
	(void)va;
	(void)mapped;
	*(uint64_t *)arg += !is_swapped(p) && pool_refs(p) > 1;
}

/* Pages of v's table in [va, va + len) that another space (or a shared object) holds too. */
static uint64_t shared_pages(const struct vs *v, uint64_t va, uint64_t len)
{
	uint64_t n = 0;

	radix_each(&v->pages, va, va + len, count_shared, &n);
	return n;
}

static void count_page(void *arg, uint64_t va, pageid_t p, bool mapped)
{
	(void)va;
	(void)p;
	*(uint64_t *)arg += mapped;
}

/* Count the pages of [va, va + len) the kernel has mapped in v's space, and the dirty ones. */
static void mapped_pages(const struct vs *v, uint64_t va, uint64_t len, struct mem_map_info *out)
{
	uint8_t ad[512];

	for (uint64_t a = va; a < va + len; a += sizeof(ad) * PAGE) {
		uint64_t n =
		    (va + len - a) / PAGE < sizeof(ad) ? (va + len - a) / PAGE : sizeof(ad);
		if (sys_space_ad(v->space, a, (unsigned)n, ad, 0) != ERR_OK)
			return;
		for (uint64_t i = 0; i < n; i++) {
			out->resident += (ad[i] & PAGE_MAPPED) != 0;
			out->dirty += (ad[i] & PAGE_MAPPED) && (ad[i] & PAGE_D);
		}
	}
}

/*
 * Of the resident pages of mapping m, those of fs's page cache: for a file
 * mapping, the mapped pages that are not v's own copies; 0 for the rest.
 */
static uint64_t cache_pages(const struct vs *v, const struct vm_mapping *m, uint64_t resident)
{
	uint64_t limit, own = 0;

	if (!file_object(v, m, &limit) && !(m->kind == KIND_PAGER && v->links[m->tag].fsobj))
		return 0;
	radix_each(&v->pages, m->va, m->va + m->len, count_page, &own);
	return resident > own ? resident - own : 0;
}

/* Pages of fs's page cache v maps. */
static uint64_t file_pages(const struct vs *v)
{
	uint64_t n = 0;

	for (unsigned k = 0; k < v->maps.n; k++) {
		struct mem_map_info info = {0};
		mapped_pages(v, v->maps.map[k].va, v->maps.map[k].len, &info);
		n += cache_pages(v, &v->maps.map[k], info.resident);
	}
	return n;
}

static void space_stats(const struct vs *v, struct mem_vs_stats *s)
{
	*s = (struct mem_vs_stats){
	    .shared = shared_pages(v, REGION_BASE, REGION_END - REGION_BASE),
	    .resident = v->resident,
	    .committed = v->committed,
	    .limit = v->limit,
	    .faults = v->c.faults,
	    .zero_fills = v->c.zero_fills,
	    .file_fills = v->c.file_fills,
	    .cow_copies = v->c.cow_copies,
	    .cow_shared = v->c.cow_shared,
	    .file = file_pages(v),
	    .swapped = v->swapped,
	    .page_ins = v->c.page_ins,
	    .recent_page_ins = v->recent_ins,
	};
}

/* MEM_VS_MAPS: mapping `index` of v (the heap, if any, after the others). */
static int maps_request(const struct vs *v, uint64_t index, struct msg *m)
{
	static const uint32_t kinds[] = {
	    [KIND_ANON] = MEM_KIND_ANON,     [KIND_FILE] = MEM_KIND_FILE,
	    [KIND_STACK] = MEM_KIND_STACK,   [KIND_HEAP] = MEM_KIND_HEAP,
	    [KIND_FRAME] = MEM_KIND_FRAME,   [KIND_PAGER] = MEM_KIND_PAGER,
	    [KIND_SHARED] = MEM_KIND_SHARED, [KIND_FILEPRIV] = MEM_KIND_FILE_PRIVATE};
	struct vm_mapping map;
	bool heap = v->heap_base && v->heap_end > v->heap_base;

	if (index < v->maps.n)
		map = v->maps.map[index];
	else if (index == v->maps.n && heap && mapping_find(v, v->heap_base, &map))
		;
	else
		return ERR_NOENT;
	struct mem_map_info info = {
	    .va = map.va,
	    .len = map.len,
	    .prot = map.prot,
	    .kind = map.kind == KIND_PAGER && v->links[map.tag].fsobj ? MEM_KIND_FILE_SHARED
								      : kinds[map.kind],
	    .offset = map.kind == KIND_FILE || kind_linked(map.kind) ? map.file_off : 0,
	    .badge = map.kind == KIND_PAGER ? v->links[map.tag].badge : 0,
	    .shared = shared_pages(v, map.va, map.len),
	};
	mapped_pages(v, map.va, map.len, &info);
	/* Pages of the page cache: shared with it (and whoever else maps the file). */
	info.shared += cache_pages(v, &map, info.resident);
	uint64_t next = index + 1 < v->maps.n + (heap ? 1 : 0) ? index + 1 : 0;
	*m = (struct msg){.w = {next}};
	m->tag = msg_tag(MEM_VS_MAPS, msgbytes_put(m, IPCBUF, 1, &info, sizeof(info)), 0);
	return ERR_OK;
}

int stats_request(uint64_t badge, struct msg *m)
{
	unsigned label = msg_label(m->tag);

	if (label == MEM_STATS) {
		struct mem_stats s;
		if (msg_words(m->tag) != 0)
			return ERR_INVALID;
		system_stats(&s);
		*m = (struct msg){0};
		m->tag = msg_tag(label, msgbytes_put(m, IPCBUF, 0, &s, sizeof(s)), 0);
		return ERR_OK;
	}
	struct mem_vs_stats s;
	const struct vs *v = vs_find(m->w[0] ? m->w[0] : badge);
	if (msg_words(m->tag) != (label == MEM_VS_MAPS ? 2u : 1u))
		return ERR_INVALID;
	if (!v)
		return ERR_NOENT;
	if (label == MEM_VS_MAPS)
		return maps_request(v, m->w[1], m);
	space_stats(v, &s);
	*m = (struct msg){0};
	m->tag = msg_tag(label, msgbytes_put(m, IPCBUF, 0, &s, sizeof(s)), 0);
	return ERR_OK;
}
