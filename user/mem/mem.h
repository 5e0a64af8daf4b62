/*
 * mem, the memory server: shared state and the pieces it is built from.
 *
 * mem is the pager of every ordinary process. proc gives it each process's
 * space; mem adds one region covering the whole user range with itself as
 * pager, and keeps for each *memory space* (vs):
 *
 *   - the mappings (lib/vmmap, the heap added by mapping.c): what may
 *     exist where, with what rights and filled how (zeros, or bytes of
 *     the initrd);
 *   - the pages (lib/radix, nodes from the pool by radix.c): which pool
 *     page backs each virtual page.
 *
 * Pages come from the pool (pool.c): frames of 2^CHUNK_ORDER pages taken
 * from the kernel, mapped into mem's own space, and handed out one page at
 * a time, each with a reference count so that fork can share them
 * copy-on-write (fault.c, vs.c). A fault is answered with map items naming
 * the chunk frame and the page in it (libpager's fault hook).
 *
 * Besides: frames lent to pagers and ranges given to other pagers
 * (lent.c), shared-memory objects (shared.c), mprotect (protect.c), and
 * the statistics and mapping lists (stats.c).
 *
 * One thread serves faults and requests (main.c); a second one watches
 * the kernel's memory-pressure notification (pressure.c).
 */
#ifndef STRATA_USER_MEM_MEM_H
#define STRATA_USER_MEM_MEM_H

#include <stdbool.h>
#include <stdint.h>

#include "lib/abi.h"
#include "lib/radix.h"
#include "lib/replace.h"
#include "lib/vmmap.h"
#include "lib/user/ipc.h"
#include "lib/user/mem_proto.h"
#include "lib/user/pager.h"
#include "lib/user/ustart.h"

#define PAGE	     4096ull
#define NVS	     80 /* memory spaces: proc's NPROC, plus ones being torn down */
#define MAXMAP	     64 /* mappings per memory space */
#define AROUND	     16 /* most pages one fault maps (sequential fault-around) */
#define REGION_BASE  UIMAGE_BASE
#define REGION_END   USER_TOP_ABI
#define IPCBUF	     ((struct ipc_buffer *)USTART_IPCBUF)
#define PAGES(bytes) (((bytes) + PAGE - 1) / PAGE)
#define PAGE_DOWN(a) ((a) & ~(PAGE - 1))
#define IS_PAGED(a)  (((a) & (PAGE - 1)) == 0)

/* ---- pool.c: pages from chunk frames */

/* A page of the pool: chunk index << 8 | page index in the chunk; 0 is no page. */
typedef uint32_t pageid_t;

int pool_init(handle_t self_space, handle_t quota);
/* A zeroed page with reference count 1, or 0 (out of memory). */
pageid_t pool_alloc(void);
/* A page for mem's own use (radix nodes): not counted as resident. */
void *pool_alloc_meta(void);
void pool_free_meta(void *page);
void pool_ref(pageid_t p);
/* Drop a reference; the page goes back to the pool at the last one. */
void pool_unref(pageid_t p);
/* Give chunks left empty back to the kernel (after each request). */
void pool_trim(void);
unsigned pool_refs(pageid_t p);
void *pool_addr(pageid_t p); /* where mem sees the page */
handle_t pool_frame(pageid_t p, uint64_t *page_in_frame);
uint64_t pool_pages(void);    /* pages held from the kernel */
uint64_t pool_resident(void); /* pages handed to processes */
uint64_t pool_own(void);      /* pages mem uses itself (radix nodes) */
uint64_t pool_capacity(void); /* pages the quota could still hold, plus the pool */
/* Pages that can still be handed out (capacity less pages out, mem's own included). */
uint64_t pool_free(void);
/* Take `pages` off the capacity for tables of mem's own; ERR_NOMEM if promises need them. */
int pool_reserve(uint64_t pages);
/* Where a private page is entered: its address and the owner's slot (swap.c finds holders). */
void pool_set_where(pageid_t p, unsigned owner, uint64_t va);
uint64_t pool_where(pageid_t p, unsigned *owner);
/* The swap slot holding a copy of p as it is, or 0 (swap.c keeps it). */
uint32_t pool_slot(pageid_t p);
/* Are p and q pages of one frame (so p + 1 == q are neighbours in it)? */
bool pool_same_frame(pageid_t p, pageid_t q);
void pool_set_slot(pageid_t p, uint32_t slot);
/* Compaction (compact.c): chunk slots, chunk c's pages in use (not its bookkeeping) and size. */
unsigned pool_chunks(void);
bool pool_chunk(unsigned c, unsigned *used, unsigned *npages);
/* The next page in use of chunk c at or after page *i (moving *i past it), or 0. */
pageid_t pool_used_page(unsigned c, unsigned *i);
/* Free pages of the chunks below c, and one of them (reference count 1), or 0. */
uint64_t pool_free_below(unsigned c);
pageid_t pool_alloc_below(unsigned c);
/* Did a chunk come smaller than asked since the last call (the kernel is fragmented)? */
bool pool_fragmented(void);

/* ---- compact.c: moving pages out of mostly empty chunks */
/* Empty what chunks can be emptied into lower ones (and count it): the chunks given back. */
unsigned compact_counted(void);
int compact_request(struct msg *m); /* MEM_COMPACT */
void compact_stats(struct mem_stats *s);

/* ---- swap.c: pages on the disk (a table entry with SWAP_BIT is a slot, not a page) */

#define SWAP_BIT     0x80000000u /* above every page id (chunk 3071 << 12 | 4095) */
#define SWAP_RESERVE 64		 /* pages kept free for one request (swap_reserve) */

static inline bool is_swapped(uint32_t entry)
{
	return (entry & SWAP_BIT) != 0;
}

struct swap_counters {
	uint64_t page_outs, page_ins, scans, write_errors, clean_drops, write_runs, read_runs;
	uint64_t direct, background; /* pages freed in a request / after its reply */
	uint64_t ticks;		     /* A-bit samples of every space (the policy's ticks) */
	uint64_t swapped_out;	     /* pages written out for proc (swap_out_space) */
};

struct mem_stats;
struct vs;
/* Find the swap partition at blk (once; before, memory ends where RAM ends). */
void swap_probe(void);
uint64_t swap_slots(void); /* usable slots: what swap adds to the commit limit */
uint64_t swap_free(void);  /* slots holding nothing */
void swap_stats(struct mem_stats *s);
/* mem.policy=: ERR_INVALID for a name that is not a policy mem can run. */
int swap_set_policy(const char *name);
/* Make sure `pages` pages are free, paging out if need be (at the start of a request). */
void swap_reserve(unsigned pages);
/* After a reply: below the low watermark, page out up to the high one (pager's after_reply). */
void swap_background(void);
/* A private page p of v at va came in / a page went back to the pool. */
void swap_track(pageid_t p, const struct vs *v, uint64_t va);
void swap_forget(pageid_t p);
/* p is about to be written: a copy of it in swap is a copy no more. */
void swap_dirty(pageid_t p);
/* The rights to map private page p with: W only once it is written (while swap has a copy). */
unsigned swap_prot(pageid_t p, unsigned prot, unsigned access);
/*
 * Move private page p to page q (a new one, reference count 1): q takes
 * its contents, entries, references and swap slot; p is unmapped first.
 * False (q untouched) if p's holders cannot all be found.
 */
bool swap_migrate(pageid_t p, pageid_t q);
/* Write up to most pages of v's own out now (a process proc holds): the pages freed. */
uint64_t swap_out_space(struct vs *v, uint64_t most);
void swap_slot_ref(uint32_t entry);
void swap_slot_unref(uint32_t entry);
/*
 * Read slot entry of v at va into a new page *out, entered in the table in
 * its place; and the entries after it below end that hold the following
 * slots, as memory allows (read-around): *after of them, entered too.
 */
int swap_in(struct vs *v, uint64_t va, uint64_t end, uint32_t entry, unsigned *after,
	    pageid_t *out);

/* ---- radix.c: the table of virtual page -> pool page of each memory space (lib/radix.h) */

/* Radix nodes are pool meta pages. */
extern const struct radix_alloc radix_pool_nodes;

/* ---- mapping.c: what may exist where */

/* What fills a mapping's pages (struct vm_mapping's kind). */
enum map_kind {
	KIND_ANON,
	KIND_FILE,
	KIND_STACK,
	KIND_HEAP,
	KIND_FRAME,    /* a frame lent to the process (MEM_FRAME): its pages, not the pool's */
	KIND_PAGER,    /* served by another pager (MEM_MAP_PAGER): mem maps nothing there */
	KIND_SHARED,   /* MAP_SHARED | MAP_ANONYMOUS: pages of a shared object (shared.c) */
	KIND_FILEPRIV, /* MAP_PRIVATE of a file: fs's pages read-only, copies once written (file.c)
			*/
};

/* Mapping kinds that name a link of their memory space (their tag is its index). */
static inline bool kind_linked(unsigned kind)
{
	return kind == KIND_FRAME || kind == KIND_PAGER || kind == KIND_SHARED ||
	       kind == KIND_FILEPRIV;
}

/* Mapping kinds whose page table may hold frames other than mem's pool pages. */
static inline bool kind_foreign(unsigned kind)
{
	return kind == KIND_FRAME || kind == KIND_PAGER || kind == KIND_FILEPRIV;
}

/* The mapping kinds whose pages are not mem's pool pages (no radix entries). */
static inline bool kind_lent(unsigned kind)
{
	return kind == KIND_FRAME || kind == KIND_PAGER;
}

/* ---- image.c: program files lent by proc (MEM_IMAGE) */

/*
 * A program file: in a frame mem maps (read by fs for proc), or fs's
 * mapping object of the file (its pages come from the page cache, shared
 * by every process running it). Shared by the memory spaces that fill
 * pages from it.
 */
struct image {
	handle_t frame; /* a frame, or 0 */
	uint64_t fsobj; /* or fs's mapping object, or 0 */
	const uint8_t *data;
	uint64_t size, mapped; /* bytes of the file, bytes mem maps */
	unsigned refs;	       /* 0: free slot */
};

/* Take the frame (its handle is kept, or closed on failure) as an image of size bytes. */
int image_new(handle_t frame, uint64_t size, struct image **out);
/* An image that is fs's mapping object id, of size bytes (a reference of mem's is taken). */
int image_new_file(uint64_t id, uint64_t size, struct image **out);
void image_ref(struct image *im);
void image_unref(struct image *im);

#define MAXLINKS 16 /* frames lent and pagers named, per memory space */

/*
 * What a KIND_FRAME, KIND_PAGER or KIND_SHARED mapping refers to (its tag
 * is the index): mem's handle to the frame or to the pager's endpoint, or
 * a shared object.
 */
struct link {
	handle_t h;	 /* KIND_FRAME, KIND_PAGER; 0 for a free link or a shared one */
	unsigned shared; /* KIND_SHARED: the object's index + 1; 0 otherwise */
	bool read_only;	 /* KIND_SHARED, shared files: W was not granted, mprotect may not add it */
	uint64_t badge;	 /* KIND_PAGER: the region's badge */
	uint64_t pages;	 /* KIND_FRAME: the frame's size */
	uint64_t fsobj;	 /* a file's mapping (KIND_PAGER from fs, KIND_FILEPRIV): fs's object id */
};

struct vs_counters {
	uint64_t faults, zero_fills, file_fills, cow_copies, cow_shared, around;
	uint64_t page_ins; /* pages read back from swap (read-around included) */
};

/* A memory space: one process's address space as mem sees it. */
struct vs {
	uint64_t id; /* 0: free slot */
	handle_t space;
	uint64_t limit, committed, resident; /* pages */
	uint64_t swapped;		     /* entries of the table that are swap slots */
	/* load.c: page_ins when the paging period began; page-ins of the last that thrashed */
	uint64_t ins_mark, recent_ins;
	uint64_t heap_base, heap_end; /* heap_base 0: no heap yet */
	uint64_t seq_next;	      /* the page a sequential fault would hit next */
	struct radix pages;
	struct vmmap maps; /* in map_slots */
	struct vm_mapping map_slots[MAXMAP];
	struct vs_counters c;
	struct image *image; /* where file mappings come from; NULL: the initrd */
	struct link links[MAXLINKS];
};

/* The bytes file mappings of v fill from, and how many there are. */
static inline const uint8_t *vs_file_data(const struct vs *v, uint64_t *size);

/* The part of mapping m inside [va, va + len) in [*lo, *hi): false if they do not meet. */
static inline bool mapping_clip(const struct vm_mapping *m, uint64_t va, uint64_t len, uint64_t *lo,
				uint64_t *hi)
{
	*lo = m->va > va ? m->va : va;
	*hi = m->va + m->len < va + len ? m->va + m->len : va + len;
	return *lo < *hi;
}

/* The mapping containing va (the heap counts as one), copied to *out. */
bool mapping_find(const struct vs *v, uint64_t va, struct vm_mapping *out);
/* Does [va, va + len) overlap a mapping or the heap? */
bool mapping_overlaps(const struct vs *v, uint64_t va, uint64_t len);
/* Committed pages of mappings (not the heap, not other pagers') inside [va, va + len). */
uint64_t mapping_pages_in(const struct vs *v, uint64_t va, uint64_t len);
/* Slots removing [va, va + len) needs beyond those it frees (0 or 1: a split). */
unsigned mapping_split_slots(const struct vs *v, uint64_t va, uint64_t len);
/* Add a mapping; the caller checked room and overlap. */
void mapping_add(struct vs *v, const struct vm_mapping *m);
/* Cut [va, va + len) out of every mapping; the caller checked room for a split. */
void mapping_remove(struct vs *v, uint64_t va, uint64_t len);
/* Lowest free range of len bytes in [lo, hi), or 0. */
uint64_t mapping_find_gap(const struct vs *v, uint64_t lo, uint64_t hi, uint64_t len);

/* ---- vs.c: memory spaces */

struct vs *vs_find(uint64_t id);
/* The space in slot i (0 .. NVS - 1), or NULL; and v's slot. */
struct vs *vs_at(unsigned i);
unsigned vs_slot_of(const struct vs *v);
/* The most pages mem promises: what it can hold, plus swap. */
uint64_t commit_limit(void);
int vs_create(handle_t space, uint64_t limit, struct vs **out);
int vs_fork(struct vs *parent, handle_t space, struct vs **out);
void vs_reset(struct vs *v);
void vs_destroy(struct vs *v);
/* Can v promise `more` pages (after giving back `less`)? */
bool vs_commit_ok(const struct vs *v, uint64_t more, uint64_t less);
/* Lower the page-table rights of v's pages in [va, va + len) to prot (0: unmap them; they stay
 * v's). */
void vs_lower_pages(struct vs *v, uint64_t va, uint64_t len, unsigned prot);
/* Drop the pages in [va, va + len): unmap them from the space, unreference them. */
void vs_drop_pages(struct vs *v, uint64_t va, uint64_t len);
/* Drop, in every space, the pages of mappings of shared object link value obj (index + 1) at or
 * beyond object offset from. */
void vs_cut_shared(unsigned obj, uint64_t from);
/* A new page for va of mapping m, filled (zeros, file bytes) and entered in v's table. */
int vs_new_page(struct vs *v, const struct vm_mapping *m, uint64_t va, pageid_t *out);
/* v's own copy of p, the page at va v shares, entered in p's place (p unmapped, unreferenced). */
int vs_copy_page(struct vs *v, uint64_t va, pageid_t p, pageid_t *out);
/* Make va's page v's own, writable by mem (new, or a copy if shared): for POKE. */
int vs_page_for_write(struct vs *v, const struct vm_mapping *m, uint64_t va, void **out);
unsigned vs_count(void);
extern uint64_t total_committed;
/*
 * Read and clear the A and D bits of v's own pages (not those of pages
 * other pagers serve), calling fn for each page used since the last time.
 */
void vs_sample(struct vs *v, void (*fn)(void *arg, struct vs *v, uint64_t va, bool written),
	       void *arg);

/* ---- lent.c: frames lent to pagers, ranges given to them */

/* A free link of v: *out, or ERR_NOMEM. */
int link_free_slot(const struct vs *v, unsigned *out);
int lent_frame(struct vs *v, struct msg *m);
int lent_map_pager(struct vs *v, struct msg *m);
/* MEM_MMAP of a file, MAP_SHARED: the range goes to fs (id: its mapping object). */
int lent_map_file(struct vs *v, struct msg *m, uint64_t id, uint64_t off);
/* Take [va, va + len) away from v: pages, lent frames, other pagers' ranges, mappings. */
void lent_clear(struct vs *v, uint64_t va, uint64_t len);
/* The same, keeping every link (one made for a mapping about to be added); then lent_gc. */
void lent_clear_range(struct vs *v, uint64_t va, uint64_t len);
void lent_gc(struct vs *v);
/* Give child the parent's links and the regions of its other pagers' ranges. */
int lent_fork(struct vs *parent, struct vs *child);
/* Answer a fault in a lent frame's mapping. */
int lent_fault(struct vs *v, const struct vm_mapping *m, uint64_t va, struct pager_items *it);
/* Release lent frames no other space maps any more (after each request). */
void lent_trim(void);

/* A link of v to a new shared object of `pages` pages, in *link (its index). */
int lent_shared(struct vs *v, uint64_t pages, unsigned *link);
/* A link of v to shared object obj (the caller takes the object's reference). */
int lent_shared_link(struct vs *v, unsigned obj, unsigned *link);

/* ---- shared.c: shared anonymous objects */
int shared_new(uint64_t pages, unsigned *out);
void shared_ref(unsigned i);
void shared_unref(unsigned i);
/* Answer a fault in a KIND_SHARED mapping: the object's page, writable as the mapping is. */
int shared_fault(struct vs *v, const struct vm_mapping *m, uint64_t va, struct pager_items *it);
/* MEM_SHM_OPEN, MEM_SHM_UNLINK, MEM_SHM_SIZE. */
int shared_request(const struct vs *v, struct msg *m);
/* A link of v to the object with that id (MEM_MMAP_OBJECT), in *link; ERR_NOENT if none. */
int shared_link(struct vs *v, uint64_t id, unsigned *link);

/* ---- file.c: mapped files (fs's mapping objects) */
/* A link of v for fs object id, referenced with fs (shared W asked for with write). */
int file_link(struct vs *v, uint64_t id, bool write, unsigned *link);
/* Tell fs one mapping of id is gone / one more exists (fork). */
void file_unref(uint64_t id);
int file_ref(uint64_t id, bool write);
/* A new handle to fs's endpoint, badged for object id: the pager of a shared mapping of it. */
int file_pager_handle(uint64_t id, handle_t *out, uint64_t *badge);
/*
 * fs's mapping object m's pages come from (a private file mapping, or a
 * program file mapped from the cache), or 0; and how many bytes of m are
 * the file's (the rest is zeros).
 */
uint64_t file_object(const struct vs *v, const struct vm_mapping *m, uint64_t *limit);
/* Copy n bytes of object id from offset off into pool page p (the rest zeroed). */
int file_fill(uint64_t id, uint64_t off, uint64_t n, pageid_t p);
/* Answer a fault in a mapping of file object id (file_object's, with its limit). */
int file_fault(struct vs *v, const struct vm_mapping *m, uint64_t id, uint64_t limit, uint64_t va,
	       unsigned access, struct pager_items *it);
/* MEM_MSYNC. */
int file_msync(struct vs *v, struct msg *m);
/* Close the handles of fs frames mapped by the last reply (once it is sent). */
void file_after_reply(void);

/* ---- fault.c */
/* The page of v at va is in swap (entry): read it (and its run) and map them. */
int fault_swapped(struct vs *v, const struct vm_mapping *m, uint64_t va, uint32_t entry,
		  unsigned access, struct pager_items *it);
/* The page p of v exists at va: map it, or copy it first if a write finds it shared. */
int fault_existing(struct vs *v, const struct vm_mapping *m, uint64_t va, pageid_t p,
		   unsigned access, struct pager_items *it);
int fault_serve(struct pager *pg, const struct pager_fault *f, struct pager_items *it);
/* Fill a fresh page for va of mapping m (zeros, or bytes of the file), and count it. */
int fault_fill(struct vs *v, const struct vm_mapping *m, uint64_t va, pageid_t p);
extern struct vs_counters total;

/* ---- requests: admin.c, client.c, stats.c */
int admin_request(struct msg *m);
int client_request(struct vs *v, struct msg *m);
/* Where a new mapping of len bytes goes (MEM_MMAP's rules), or 0. */
uint64_t mmap_place(const struct vs *v, uint64_t hint, uint64_t len, bool fixed);
int stats_request(uint64_t badge, struct msg *m);

/* ---- trace.c: reference traces (vmtrace) */
void trace_fault(const struct vs *v, uint64_t va, unsigned access);
int trace_request(struct msg *m); /* MEM_TRACE, MEM_TRACE_READ */

/* ---- load.c: thrashing (proc holds processes: user/proc/load.c) */
/* Pages evicted and paged in so far (after each reclaim): a period may end. */
void load_paged(uint64_t evicted, uint64_t page_ins);
void load_stats(struct mem_stats *s);

/* ---- pressure.c */
int pressure_start(handle_t system);
bool pressure_low(void);
void pressure_stats(struct mem_stats *s);

/* ---- main.c: what mem was given */
struct mem_env {
	handle_t self, quota, system, serve;
	handle_t con;	 /* the console, to report memory pressure (0: none) */
	handle_t fs;	 /* fs's endpoint, unbadged: mem mints the badges of file ranges */
	handle_t fs_mem; /* fs's endpoint with FS_BADGE_MEM: FS_MEM_* requests */
	handle_t blk;	 /* blk's endpoint (swap), or 0 */
	bool no_swap;	 /* swap=off */
	bool overcommit; /* overcommit=1: only each space's own limit bounds its promises */
	bool no_load;	 /* loadcontrol=off: proc holds no process when paging thrashes */
	const uint8_t *initrd;
	uint64_t initrd_size;
};
extern struct mem_env env;

/* Does m's page table hold frames other than pool pages (kind_foreign, or a program's text)? */
static inline bool mapping_foreign(const struct vs *v, const struct vm_mapping *m)
{
	return kind_foreign(m->kind) || (m->kind == KIND_FILE && v->image && v->image->fsobj);
}

static inline const uint8_t *vs_file_data(const struct vs *v, uint64_t *size)
{
	*size = v->image ? v->image->size : env.initrd_size;
	return v->image ? v->image->data : env.initrd;
}

#endif
