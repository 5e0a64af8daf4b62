/*
 * The page cache of the file server: 4 KiB pages of one partition, held in
 * frames the server allocates (chunks of PCACHE_CHUNK_PAGES pages, mapped
 * in its own space) and filled and written by blk requests that lend those
 * very frames (zero copy: the device DMAs into the cache).
 *
 *   partition:  | page 0 | page 1 | page 2 | ...     key = byte offset / 4096
 *   cache:      chunk 0 (one frame, 16 slots) | chunk 1 | ...   at pc->base
 *
 * A page is keyed by its place in the partition, so blocks of 1, 2 or 4 KiB
 * live inside pages (block b of size s is in page b*s/4096): pcache_dev()
 * is the struct ext2_dev of lib/ext2 on top of it. Pages are read whole
 * (8 sectors) and written whole.
 *
 * Pages are clean or dirty (a put() said so). Clean pages that nobody holds
 * are evicted in LRU order when a new page needs a slot and the cache has
 * reached its limit; if every page is dirty, the oldest PCACHE_WB_BATCH are
 * written back first, in parallel. Dirty pages go to the disk only through
 * pcache_writeback (sync, fsync, the volume's background thread, unmount)
 * and that eviction.
 *
 * I/O: a pool of worker threads, each with its own IPC buffer, takes jobs
 * from a queue and makes the blk calls, so several requests are in flight
 * at once (read-ahead, write-back batches). The client waits for a page it
 * needs on a notification the workers signal.
 *
 * Threads: one client at a time calls pcache_* (the volume serialises its
 * callers with its mutex); the workers run beside it. pc->lock guards every
 * field marked [L]; the client alone touches the others after pcache_open.
 */
#ifndef STRATA_LIB_USER_FSDISK_PCACHE_H
#define STRATA_LIB_USER_FSDISK_PCACHE_H

#include <stdint.h>

#include "lib/ext2/ext2.h"
#include "lib/user/fsdisk/sys.h"
#include "lib/user/spinlock.h"

#define PCACHE_PAGE	   4096u
#define PCACHE_CHUNK_ORDER 4
#define PCACHE_CHUNK_PAGES (1u << PCACHE_CHUNK_ORDER) /* 64 KiB frames */
#define PCACHE_MIN_PAGES   64
#define PCACHE_MAX_WORKERS 8
#define PCACHE_WB_BATCH	   64 /* pages written back at once to free a slot */
#define PCACHE_MAP_GRACE   8  /* see pcache_map */

struct pc_page {
	uint64_t key;	     /* page index in the partition */
	uint32_t hnext;	     /* hash chain: index + 1, 0 ends it */
	uint32_t prev, next; /* LRU list (or free list): index + 1 */
	uint32_t tag;	     /* inode whose file data alone this page holds, 0: metadata */
	uint16_t held;	     /* get()s not put() yet */
	uint8_t state;	     /* [L] enum pc_state */
	uint8_t dirty;	     /* [L] */
	uint8_t mapped;	     /* given out by pcache_map: processes may map it (see below) */
	uint8_t grace;	     /* given out, not seen mapped yet: looks of eviction it survives */
};

enum pc_state {
	PC_FREE,    /* on the free list */
	PC_READING, /* a read job is queued or in the device */
	PC_VALID,   /* holds the disk's bytes (or newer ones if dirty) */
	PC_WRITING, /* a write job is queued or in the device */
	PC_FAILED,  /* the read failed: the next get() drops it and returns NULL */
};

struct pcache_stats {
	uint64_t hits, misses;	/* get()s */
	uint64_t reads, writes; /* pages transferred */
	uint64_t readahead;	/* pages read before they were asked for */
	uint64_t evictions;	/* clean pages reused */
	uint64_t errors;	/* failed requests */
	uint64_t max_inflight;	/* most requests in flight at once */
	uint32_t pages, dirty;	/* pages in use, of them dirty */
	uint32_t frames, limit; /* pages in frames now, the most there may be */
	uint32_t tables;	/* 2 MiB page tables of ours that map those frames */
	uint32_t mapped;	/* pages given out for mapping, perhaps mapped now */
	uint64_t taken_back;	/* mapped pages taken back from every space to evict them */
};

struct pc_worker {
	struct pcache *pc;
	struct fsd_thread th;
};

struct pc_job {
	uint32_t page; /* index, or PC_JOB_FLUSH */
	uint32_t write;
};
#define PC_JOB_FLUSH UINT32_MAX

struct pcache {
	/* Set by pcache_open. */
	handle_t blk;
	uint64_t part, part_sectors;
	uint64_t blk_flags; /* BLK_F_* */
	uint32_t limit;	    /* pages, a multiple of PCACHE_CHUNK_PAGES */
	uint8_t *base;	    /* the address of slot 0 (limit slots reserved) */
	struct fsd_mem meta;
	struct pc_page *pages; /* [limit] */
	uint32_t *hash, hmask;
	handle_t *chunks; /* [limit / PCACHE_CHUNK_PAGES]: frame, 0 when absent */
	struct pc_job *ring;
	uint32_t rcap;
	handle_t work, done; /* notifications: a job is queued; a job is done */
	struct pc_worker workers[PCACHE_MAX_WORKERS];
	unsigned nworkers;

	/* The client's. */
	uint32_t lru_head, lru_tail, free_head; /* index + 1 */
	uint32_t frames, used;

	struct spinlock lock;
	uint32_t rhead, rtail;	 /* [L] the job ring */
	uint32_t inflight;	 /* [L] jobs taken by workers */
	uint32_t pending_writes; /* [L] write and flush jobs not finished */
	uint32_t write_errors;	 /* [L] failed writes since the client last looked */
	int stop;		 /* [L] workers: leave */
	struct pcache_stats st;	 /* [L] */
};

/*
 * Set up a cache of at most max_pages (rounded up to whole chunks, at least
 * PCACHE_MIN_PAGES) over partition part of the blk server at blk, with
 * workers I/O threads at priority prio. Allocates only its bookkeeping;
 * frames come as pages are needed. 0 or an enum err.
 */
int pcache_open(struct pcache *pc, handle_t blk, uint32_t part, uint32_t max_pages,
		unsigned workers, unsigned prio);
/* Stop the workers and free every frame. Dirty pages are lost: write them back first. */
void pcache_close(struct pcache *pc);

/* The block device lib/ext2 mounts: get/put on this cache; size = the partition's. */
struct ext2_dev pcache_dev(struct pcache *pc);

/*
 * The buffer of block blk (size bytes: 1, 2 or 4 KiB, inside its page),
 * read from the disk unless cached (or, with EXT2_GET_NOREAD and size 4096,
 * not read at all), held until pcache_put; NULL if the device failed or no
 * slot could be had. The same block held twice is the same buffer.
 */
uint8_t *pcache_get(struct pcache *pc, uint64_t blk, uint32_t size, int flags);
/* Give back a buffer of pcache_get; dirty: it was changed. */
void pcache_put(struct pcache *pc, uint8_t *buf, int dirty);

/*
 * Start reading the pages holding blocks blk[0..n-1] (of bsize bytes; 0 is
 * skipped) that are not cached, without waiting and without writing back:
 * it stops at the first page it has no clean slot for. Returns pages started.
 */
unsigned pcache_prefetch(struct pcache *pc, const uint32_t *blk, unsigned n, uint32_t bsize);

/* Say that the page holding block blk holds file data of inode ino only (bsize == 4096). */
void pcache_tag(struct pcache *pc, uint64_t blk, uint32_t bsize, uint32_t ino);

/*
 * Write dirty pages back and wait for them, then flush the device's cache:
 * every dirty page (ino = 0), or those of inode ino and the metadata (pages
 * tagged ino or 0). 0, or ERR_IO if a write failed (that page stays dirty).
 */
int pcache_writeback(struct pcache *pc, uint32_t ino);

/*
 * Mapping. A page of file data can be mapped into processes (the file
 * server's mmap): pcache_map gives out the frame of its chunk (chunks keep
 * a reverse map, FRAME_RMAP) and marks the page mapped. Such a page is
 * never reused for another block while any space maps it: eviction first
 * reads its A bit in every space (a page used since the last look gets a
 * second chance), then takes it back from all of them at once
 * (SYS_FRAME_AD with AD_UNMAP). A page given out but not seen mapped yet
 * (the reply that maps it may be on its way through mem) survives
 * PCACHE_MAP_GRACE looks, each after a whole turn of the LRU list. Its D bits are dirtiness the
 * cache does not see otherwise: write-back gathers them (and clears them everywhere) before it
 * picks the dirty pages, so a store through a mapping reaches the disk and a page nobody wrote is
 * not written.
 */
/*
 * The page of block blk (bsize 4096), read if need be, marked mapped and
 * tagged as data of ino: *frame (the chunk's, the cache's handle) and
 * *page, its index in that frame. 0, or ERR_IO / ERR_FULL.
 */
int pcache_map(struct pcache *pc, uint64_t blk, uint32_t ino, handle_t *frame, uint32_t *page);
/* Take the page of block blk back from every space that maps it (its block is being cut). */
void pcache_unmap(struct pcache *pc, uint64_t blk);

/* Drop every clean page nobody holds and free the frames left empty. */
void pcache_trim(struct pcache *pc);

void pcache_stats(struct pcache *pc, struct pcache_stats *st);

#endif
