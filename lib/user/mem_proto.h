/*
 * The mem protocol: messages to the memory server (user/mem).
 *
 * mem is the pager of every ordinary process's whole address space. Each
 * process has a *memory space* (vs): one region [UIMAGE_BASE... USER_TOP)
 * of its address space served by mem, and inside it a list of mappings
 * (program segments, heap, stack, anonymous mmaps). A fault outside every
 * mapping, or beyond a mapping's rights, is refused (the process gets a
 * segmentation fault from proc).
 *
 * By default mem does not overcommit: every page a mapping or the heap may
 * hold is promised (committed) when it is created, against the space's
 * commit limit and against all mem can give (RAM + swap), so a process that
 * asks for too much gets ERR_NOMEM from brk or mmap (ENOMEM from malloc),
 * never a fault it cannot survive. With `overcommit=1` on the kernel command
 * line only the space's own limit holds: promises may exceed what mem can
 * give, and a fault that finds no page and no free swap is answered
 * ERR_NOMEM, on which proc's OOM killer ends a process (proc_proto.h,
 * PROC_OOM_ADJ).
 *
 * Who may send what is decided by the badge of the sender's handle:
 *   - MEM_BADGE_ADMIN (held by proc): create, fork, reset and destroy memory
 *     spaces, set up mappings in them, write into them;
 *   - a memory-space id (each process holds a handle badged with its own):
 *     brk, mmap, munmap on that space only;
 *   - any badge: the statistics calls.
 *
 * Every request is a SYS_CALL with the label below. A failure is an error
 * reply, msg_error_tag(label, err) with an enum err; success is a reply with
 * the same label and the results in the words listed. Bytes and structures
 * travel as lib/user/msgbytes.h describes. Arguments are checked completely
 * before anything changes.
 */
#ifndef STRATA_LIB_USER_MEM_PROTO_H
#define STRATA_LIB_USER_MEM_PROTO_H

#include <stdint.h>

#define MEM_BADGE_ADMIN (1ull << 63)

/* clang-format off */
enum mem_label {
	/*
	 * Admin. w0 = commit limit in pages (0: all mem can give), handles[0] = the
	 * process's space (MANAGE, MAP, READ) -> w0 = vs id. Adds the region
	 * covering the process's address space, with mem's endpoint as pager.
	 */
	MEM_VS_CREATE  = 0x100,
	/* Admin. w0 = vs: unmap and free everything, remove the region, forget the space. */
	MEM_VS_DESTROY = 0x101,
	/*
	 * Admin. w0 = parent vs, handles[0] = the child's new space -> w0 = child
	 * vs id. Copy-on-write copy of every mapping: pages are shared read-only
	 * by both until one of them writes. The child gets the parent's commit
	 * limit. ERR_NOMEM if the child's commit (equal to the parent's) does
	 * not fit in what mem can give, or mem has no memory for its tables.
	 */
	MEM_VS_FORK    = 0x102,
	/* Admin. w0 = vs: remove every mapping (exec), keep the space and region. */
	MEM_VS_RESET   = 0x103,
	/*
	 * Admin. w0 = vs, w1 = va, w2 = length, w3 = prot | MEM_MAP_* kind,
	 * w4 = offset in the initrd, w5 = bytes from the initrd. A mapping whose
	 * first w5 bytes come from the initrd (an ELF segment), the rest zero.
	 * va and length page aligned; w4 may be anything (copies are made).
	 */
	MEM_MAP        = 0x104,
	/*
	 * Admin. w0 = vs, w1 = base: the heap starts (empty) at base; brk grows
	 * it up to UHEAP_END. base is page aligned, at least UIMAGE_BASE and at
	 * most UHEAP_END (an empty heap that cannot grow), else ERR_RANGE.
	 */
	MEM_HEAP_INIT  = 0x105,
	/*
	 * Admin. w0 = vs, w1 = va, w2 = n, bytes in words 3.. (msgbytes):
	 * write n bytes at va, which must lie in one mapping (any rights).
	 */
	MEM_POKE       = 0x106,
	/*
	 * Admin. w0 = vs, w1 = bytes, handles[0] = a frame (READ|MAP) holding a
	 * program file at its start: from now on MEM_MAP_FILE offsets of this
	 * vs are in that image, not in the initrd. mem keeps the frame while a
	 * memory space (a forked child's too) may still fill pages from it;
	 * MEM_VS_RESET lets go of it. ERR_RANGE: bytes 0 or beyond the frame.
	 */
	MEM_IMAGE      = 0x107,
	/*
	 * Admin. w0 = vs, w1 = fs's mapping object of a program file (FS_PROC_MAP),
	 * w2 = its size: as MEM_IMAGE, but the program's pages come from fs's
	 * page cache: pages read or run are the cache's own (shared by every
	 * process running the program), a page written or holding the end of
	 * a segment is a copy. mem takes a reference on the object (proc keeps
	 * its own). ERR_NOENT: no such object; ERR_RANGE: size 0.
	 */
	MEM_IMAGE_FILE = 0x108,
	/*
	 * Admin. w0 = vs, w1 = most pages (0: no limit) -> w0 = pages freed.
	 * Write pages of the space's own (not shared with another) out to
	 * swap now: proc holds the process (load control), and its memory is
	 * better used by the others. Its next touches read the pages back.
	 * Fewer pages freed than w1: none of its own is left in memory.
	 * ERR_NOENT: no such vs; without swap nothing is written (w0 = 0).
	 */
	MEM_VS_SWAPOUT = 0x109,

	/*
	 * Client. w0 = new end of the heap, or 0 to ask -> w0 = the end.
	 * Shrinking frees the pages. ERR_NOMEM: past UHEAP_END, into another
	 * mapping, or beyond the commit limit.
	 */
	MEM_BRK        = 0x110,
	/*
	 * Client. w0 = address hint (0: anywhere), w1 = length, w2 = prot,
	 * w3 = flags (MEM_MMAP_FIXED, MEM_MMAP_SHARED) -> w0 = address.
	 * Anonymous, demand-zero; private (copy-on-write after fork) unless
	 * MEM_MMAP_SHARED: then every space it is forked into sees the same
	 * pages. Length is rounded up to pages. ERR_INVALID: length 0,
	 * unknown prot or flag bits, W and X together, FIXED with an unaligned
	 * hint; ERR_NOMEM: no room in [UMMAP_BASE, UMMAP_END), FIXED outside it,
	 * or the commit limit. FIXED replaces mappings it overlaps in that area.
	 */
	MEM_MMAP       = 0x111,
	/*
	 * Client. w0 = address, w1 = length: remove mappings in the range (may
	 * split one); pages not mapped are skipped. ERR_INVALID: unaligned
	 * address, length 0, or a range outside [UMMAP_BASE, UMMAP_END).
	 */
	MEM_MUNMAP     = 0x112,
	/*
	 * Client: memory for a process that pages others. w0 = bytes (rounded
	 * up to a power of two pages, at most MEM_FRAME_MAX) -> w0 = address
	 * where it is mapped read-write in the caller, w1 = a handle of the
	 * caller's to the frame behind it (READ|WRITE|MAP), whose pages the
	 * caller may name in fault replies. Counts against the caller's commit
	 * limit until munmap or exit and, after that, for as long as another
	 * space still maps a page of it. ERR_INVALID: 0 or more than
	 * MEM_FRAME_MAX bytes; ERR_NOMEM: commit limit, no room, or no block
	 * that large free.
	 */
	MEM_FRAME      = 0x113,
	/*
	 * Client: a range served by another pager. w0 = address hint,
	 * w1 = length, w2 = prot (at most what the pager may map there),
	 * w3 = flags (MEM_MMAP_FIXED), w4 = offset in the pager's object of
	 * the range's first byte (page aligned), w5 = badge (0: the handle's),
	 * handles[0] = the pager's endpoint (WRITE) -> w0 = address. Faults in
	 * the range go straight to that endpoint (fault word 2 is the object
	 * offset); mem keeps no pages there and counts no commit. munmap gives
	 * the range back to mem, exec and exit drop it, fork gives the child
	 * the same range of the same pager (shared). Errors as MEM_MMAP, and
	 * ERR_INVALID for no endpoint or an unaligned offset, ERR_PERM for a
	 * badge other than a badged handle's.
	 */
	MEM_MAP_PAGER  = 0x114,
	/*
	 * Client: a named shared-memory object (shm_open). w0 = flags
	 * (MEM_SHM_CREATE, _EXCL, _TRUNC), w1 = length of the name, its bytes
	 * from word 2 (1..MEM_SHM_NAME_MAX of [A-Za-z0-9._-]) -> w0 = the
	 * object's id, w1 = its size in bytes (0 when new). It lives while it
	 * has its name or a mapping. ERR_NOENT: no such name (without CREATE);
	 * ERR_EXISTS: CREATE|EXCL and it exists; ERR_INVALID: a bad name or
	 * flag; ERR_NOMEM: no room for another object.
	 */
	MEM_SHM_OPEN   = 0x115,
	/* Client: w0 = length of a name, its bytes from word 1: the name goes (shm_unlink). */
	MEM_SHM_UNLINK = 0x116,
	/*
	 * Client: w0 = object id, w1 = new size in bytes (MEM_SHM_ASK: only
	 * ask) -> w0 = id, w1 = the size. Shrinking takes the pages beyond the
	 * new end out of every space that maps them; touching them then is
	 * SIGBUS. ERR_NOENT: no such object, or one without a name that the
	 * caller does not map (an anonymous object is only its mappers').
	 */
	MEM_SHM_SIZE   = 0x117,
	/*
	 * Client (mprotect). w0 = address, w1 = length, w2 = prot (PROT_*, 0
	 * for none): every page of the range gets those rights; mappings are
	 * split at the ends. Pages keep their contents; the access a right no
	 * longer allows faults (SIGSEGV). ERR_INVALID: unaligned address,
	 * length 0, unknown prot bits, W and X together; ERR_NOMEM: part of
	 * the range is not mapped (the heap counts as not mapped), or no room
	 * to split; ERR_PERM: W on a shared-memory object opened read-only.
	 */
	MEM_MPROTECT   = 0x118,
	/*
	 * Client (msync). w0 = address, w1 = length, w2 = MEM_MS_* flags:
	 * the dirty pages of the file mappings in the range (MAP_SHARED) go to
	 * the file's disk, done when the reply comes (ASYNC as SYNC: fs has
	 * no write-back it could merely start); INVALIDATE has
	 * nothing to drop, mappings and read/write share one cache. Private
	 * and anonymous mappings have nothing to write. ERR_INVALID:
	 * unaligned address, length 0, unknown flags, ASYNC and SYNC together;
	 * ERR_NOMEM: part of the range is not mapped; ERR_IO: a write failed.
	 */
	MEM_MSYNC      = 0x119,
	/*
	 * Anyone (vmtrace). w0 = vs to trace (0: stop tracing) -> 0: from now
	 * on mem records the page references of that space (one at a time;
	 * a new MEM_TRACE ends the last): its faults, and samples of its
	 * pages' A/D bits (cleared by each sample). ERR_NOENT: no such vs.
	 */
	MEM_TRACE      = 0x11a,
	/*
	 * Anyone. w0 = the traced vs -> mem takes a sample, then w0 = n records
	 * (at most MEM_TRACE_RECORDS), w1 = records lost so far (the ring was
	 * full), the records from word 2: page number << 1 | 1 if written.
	 * Once the space has ended, what was recorded is still given (no
	 * sample); ERR_NOENT when none is left, or that vs is not traced.
	 */
	MEM_TRACE_READ = 0x11b,

	/* Anyone. -> struct mem_stats in words 0.. (msgbytes). */
	MEM_STATS      = 0x120,
	/* Anyone. w0 = vs (0: the caller's own) -> struct mem_vs_stats in words 0... */
	MEM_VS_STATS   = 0x121,
	/*
	 * Anyone. w0 = vs (0: the caller's own), w1 = index (0 first) ->
	 * w0 = the index to ask with next (0: this was the last),
	 * struct mem_map_info from word 1: one mapping (the heap counts as
	 * one). ERR_NOENT: no such vs, or no mapping at or after the index.
	 */
	MEM_VS_MAPS    = 0x122,
	/*
	 * Anyone. -> w0 = chunks given back, w1 = pages mem holds now. Move
	 * the pages of mem's mostly empty chunks into lower ones and give the
	 * emptied chunks back to the kernel (compaction; mem also does it by
	 * itself when the kernel could not give it a chunk of the size it
	 * asked for). Harmless, and slow only in proportion to what moves.
	 */
	MEM_COMPACT    = 0x124,
};
/* clang-format on */

/* MEM_MAP kinds, in w3 above the PROT_* bits. */
#define MEM_MAP_ANON  (0u << 4) /* demand-zero (w4, w5 ignored) */
#define MEM_MAP_FILE  (1u << 4) /* bytes of the initrd (or the vs's image), then zero */
#define MEM_MAP_STACK (2u << 4) /* demand-zero stack */
#define MEM_MAP_KIND  (3u << 4)

#define MEM_MMAP_FIXED	(1u << 0)
#define MEM_MMAP_SHARED (1u << 1) /* MEM_MMAP: shared with the children forked later */
/*
 * MEM_MMAP: map shared-memory object w4 (an id from MEM_SHM_OPEN) from byte
 * w5 (6 words); ERR_NOENT for an object without a name the caller does not
 * map already.
 */
#define MEM_MMAP_OBJECT (1u << 2)

/* MEM_MMAP with MEM_MMAP_OBJECT: the object was opened read-only: W never allowed (mprotect) */
#define MEM_MMAP_RDONLY (1u << 3)
/*
 * MEM_MMAP: map the file whose fs mapping object is w4 (FS_MAP's id) from
 * byte w5 (6 words, page aligned). With MEM_MMAP_SHARED the range is fs's
 * to page (stores reach the file; W needs an FS_MAP with FS_MAP_WRITE),
 * else it is private: the file's pages read-only until written, then a copy
 * of the process's own (committed like anonymous memory). ERR_NOENT: no
 * such object; ERR_PERM: shared W not granted; beyond the end of the file
 * a touch is SIGBUS.
 */
#define MEM_MMAP_FILE (1u << 4)

#define MEM_TRACE_RECORDS (MSG_MAX_WORDS - 2)

#define MEM_MS_ASYNC	  1u
#define MEM_MS_INVALIDATE 2u
#define MEM_MS_SYNC	  4u

#define MEM_SHM_CREATE	 (1u << 0)
#define MEM_SHM_EXCL	 (1u << 1)
#define MEM_SHM_TRUNC	 (1u << 2)
#define MEM_SHM_ASK	 UINT64_MAX
#define MEM_SHM_NAME_MAX 31
#define MEM_FRAME_MAX	 (4ull << 20) /* the largest MEM_FRAME */

#define MEM_ORDERS 19 /* buddy orders 0..18 */

struct mem_stats {
	uint64_t free_pages, total_pages; /* the kernel's view (SYS_MEM_INFO) */
	uint64_t free_blocks[MEM_ORDERS]; /* free buddy blocks per order */
	uint64_t resident;		  /* pages mem has given to processes */
	uint64_t committed, commit_limit; /* pages promised, and the most it promises */
	uint64_t pool_pages;		  /* pages mem holds from the kernel (incl. free ones) */
	uint64_t faults;		  /* fault messages handled */
	uint64_t zero_fills, file_fills;  /* pages filled with zeros / from the initrd */
	uint64_t cow_copies;		  /* pages copied on a write to a shared page */
	uint64_t cow_shared;		  /* faults answered by mapping a shared page read-only */
	uint64_t around;		  /* extra pages mapped by fault-around */
	uint64_t pressure;		  /* 1 while memory is low */
	uint64_t pressure_events;	  /* times memory went low */
	uint64_t low_water;		  /* the watch's mark, in pages */
	uint64_t spaces;		  /* live memory spaces */
	uint64_t slab_pages; /* pages the kernel's object caches hold (not free, not a leak) */
	uint64_t swap_total, swap_used; /* pages of swap (0: none), pages of it holding data */
	uint64_t page_outs, page_ins;	/* pages written to swap / read back since boot */
	uint64_t reclaim_scans;		/* pages the replacement policy looked at */
	uint64_t swap_write_errors; /* writes the disk refused (their slots are not used again) */
	uint64_t policy;	    /* the replacement policy (lib/replace.h enum rp_kind) */
	uint64_t own_pages;	    /* pool pages mem uses itself (its tables of pages) */
	uint64_t clean_drops;	    /* pages let go without a write: swap had them as they were */
	uint64_t swap_cached;	  /* of swap_used, slots of resident pages not written since read */
	uint64_t swap_write_runs; /* writes to swap (each of one or more neighbouring pages) */
	uint64_t reclaim_direct;  /* pages freed while a request waited */
	uint64_t reclaim_background; /* pages freed ahead of demand, after a reply */
	uint64_t low_mark;	     /* reclaim ahead of demand below it, to twice it (pages) */
	uint64_t
	    cpu_ns; /* CPU time of mem's serving thread, user and kernel (icount: instructions) */
	uint64_t
	    reclaim_ticks;   /* A-bit samples of every space's pages (the policy's clock ticks) */
	uint64_t overcommit; /* 1: `overcommit=1`, promises may exceed commit_limit */
	uint64_t available;  /* pages mem could give now: free in its pool, and free swap slots */
	uint64_t swap_read_runs; /* reads from swap (each of one or more neighbouring pages) */
	uint64_t pool_free;	 /* pages mem holds or may take that nobody uses */
	uint64_t paging_periods; /* periods of paging: a quarter of mem's pages evicted each */
	uint64_t thrash_periods; /* of them, periods found thrashing (user/mem/load.c) */
	uint64_t thrashing;	 /* 1: the last period was */
	uint64_t load_control;	 /* 1: proc holds processes while paging thrashes */
	uint64_t swapped_out;	 /* pages MEM_VS_SWAPOUT freed (processes proc held) */
	uint64_t compactions;	 /* times mem compacted its chunks (MEM_COMPACT or by itself) */
	uint64_t compacted;	 /* chunks given back by compaction */
	uint64_t idle_ns;	 /* time every hart together spent idle since boot (the kernel's) */
};

/* What a mapping is (struct mem_map_info's kind). */
enum mem_map_kind {
	MEM_KIND_ANON,	       /* anonymous, private */
	MEM_KIND_FILE,	       /* bytes of the program file, then zeros */
	MEM_KIND_STACK,	       /* the stack */
	MEM_KIND_HEAP,	       /* the brk heap */
	MEM_KIND_FRAME,	       /* a frame mem lent to a pager (MEM_FRAME) */
	MEM_KIND_PAGER,	       /* served by another pager (MEM_MAP_PAGER) */
	MEM_KIND_SHARED,       /* anonymous, shared with forked children */
	MEM_KIND_FILE_SHARED,  /* a file, MAP_SHARED (fs pages it; badge: its fs object) */
	MEM_KIND_FILE_PRIVATE, /* a file, MAP_PRIVATE (copy-on-write over fs's pages) */
};

struct mem_map_info {
	uint64_t va, len;
	uint32_t prot, kind; /* PROT_*, enum mem_map_kind */
	uint64_t offset;   /* file, pager and shared ranges: where va lies in the file or object */
	uint64_t badge;	   /* pager ranges: the object's badge */
	uint64_t resident; /* pages mapped now (the kernel's page table says) */
	uint64_t dirty;	   /* of those, pages written since they were mapped or last cleaned */
	uint64_t shared;   /* of those, pages mem also maps in another space, or the page cache's */
};

struct mem_vs_stats {
	uint64_t shared;    /* pages also mapped in another space (fork, shared memory) */
	uint64_t resident;  /* pages mapped in this space */
	uint64_t committed; /* pages promised to it */
	uint64_t limit;	    /* its commit limit */
	uint64_t faults;
	uint64_t zero_fills, file_fills, cow_copies, cow_shared;
	uint64_t file;	   /* pages of fs's page cache mapped here (not in resident): text, files */
	uint64_t swapped;  /* pages of this space in swap */
	uint64_t page_ins; /* pages read back from swap */
	uint64_t recent_page_ins; /* of them, in the last paging period that thrashed (mem_stats) */
};

#endif
