/*
 * Page replacement policies: which resident page to give up when a new one
 * must come in. The same code runs in the simulator (build/host/pagesim,
 * tools/pagesim) and is meant for mem's swap: it keeps the resident set in
 * the caller's storage and is told of each reference (with its R and M
 * bits, exact in the simulator), of each clock tick (when R bits are
 * sampled and cleared), and asked for a victim.
 *
 *   opt      the page used furthest in the future (needs the future)
 *   fifo     the page resident longest
 *   second   FIFO, but a page referenced since it was last passed goes to
 *            the back once (second chance)
 *   clock    second chance with a hand over a circle instead of a queue
 *   nru      the lowest class of (R, M): not referenced and clean first
 *   lru      the page least recently used (exact)
 *   nfu      the page with the fewest ticks on which it was referenced
 *   aging    NFU with the counts shifted right each tick (recent ticks weigh most)
 *   ws       a page outside the working set (not used for tau references),
 *            else the oldest by last use
 *   wsclock  the working set with a clock hand: the first clean page outside
 *            the working set; dirty ones are cleaned as the hand passes
 */
#ifndef STRATA_LIB_REPLACE_H
#define STRATA_LIB_REPLACE_H

#include <stdbool.h>
#include <stdint.h>

enum rp_kind {
	RP_OPT,
	RP_FIFO,
	RP_SECOND,
	RP_CLOCK,
	RP_NRU,
	RP_LRU,
	RP_NFU,
	RP_AGING,
	RP_WS,
	RP_WSCLOCK,
	RP_KINDS
};

#define RP_NONE UINT64_MAX /* no page; no next use */

/* One resident page. */
struct rp_frame {
	uint64_t page;	  /* RP_NONE: free */
	uint64_t loaded;  /* when it came in */
	uint64_t last;	  /* when it was last used (exact, or as of the last tick) */
	uint64_t count;	  /* NFU: ticks referenced; aging: the shift register */
	uint64_t next;	  /* OPT: when it is used next */
	uint8_t r, m;	  /* referenced since the last tick (or hand); modified */
	uint8_t deferred; /* rp_defer: after every other page for now */
	/*
	 * The policies that give up the page with the smallest key keep the
	 * resident frames in a binary heap (victims in O(log n)): heap is the
	 * frame at heap position i (this frame's index i; positions below
	 * live), pos this frame's position.
	 */
	uint32_t heap, pos;
};

struct rp_set {
	enum rp_kind kind;
	struct rp_frame *f; /* n frames, the caller's */
	unsigned n, used;
	unsigned hand;	    /* clock, wsclock: the hand; fifo, second: the queue's head */
	uint64_t now;	    /* references so far */
	uint64_t tau;	    /* ws, wsclock: the working-set window, in references */
	uint32_t *index;    /* page -> frame + 1, open addressing, the caller's */
	unsigned index_cap; /* a power of two, at least 2 n */
	unsigned live;	    /* resident pages (frames below used may be free: rp_remove) */
	unsigned free_head; /* a removed frame + 1, linked through next; 0: none */
	uint64_t faults, writebacks;
};

/* The policy's lower-case name, and the policy of a name (-1 if none). */
const char *rp_name(enum rp_kind k);
int rp_by_name(const char *name);

/*
 * An empty set of n frames (n >= 1) for policy k, in the caller's storage:
 * frames[n] and index[index_cap] (a power of two, at least 2 n). tau is the
 * working-set window of ws and wsclock (ignored by the others).
 */
void rp_init(struct rp_set *s, enum rp_kind k, struct rp_frame *frames, unsigned n, uint32_t *index,
	     unsigned index_cap, uint64_t tau);

/*
 * A reference to page (a write if write); next_use is when this page is
 * referenced again (RP_NONE: never), which only OPT reads. True if it
 * faulted (the page was not resident: it is now, a victim gone if the set
 * was full).
 */
bool rp_reference(struct rp_set *s, uint64_t page, bool write, uint64_t next_use);

/*
 * The same set driven by a system rather than a trace (mem's swap): pages
 * come and go as the system decides, the victim is asked for separately
 * and stays resident until the caller removes it (it may yet decline to
 * give it up: then it marks it referenced and asks again).
 */
bool rp_resident(const struct rp_set *s, uint64_t page);
/* A page comes in (it is not resident). False if every frame is taken. */
bool rp_add(struct rp_set *s, uint64_t page, bool write);
/* A page goes (freed, or given up as a victim); nothing if it is not resident. */
void rp_remove(struct rp_set *s, uint64_t page);
/* A resident page was referenced (its A bit was seen set; write: its D bit). */
void rp_mark(struct rp_set *s, uint64_t page, bool write);
/*
 * Not this page for now: the policies with a heap order it after every
 * page not deferred, until rp_undefer; the others mark it referenced (the
 * hand or queue passes it). The simulator never defers; mem does for a
 * page it may not take yet.
 */
void rp_defer(struct rp_set *s, uint64_t page);
void rp_undefer(struct rp_set *s, uint64_t page);
/* When page came in (the set's reference count then: compare with s->now), or RP_NONE. */
uint64_t rp_loaded(const struct rp_set *s, uint64_t page);
/* The page the policy gives up next, in *page; false if none is resident. */
bool rp_victim(struct rp_set *s, uint64_t *page);

/* A clock tick: R bits are sampled (nfu, aging, ws) and cleared (nru, nfu, aging, ws). */
void rp_tick(struct rp_set *s);

/* What a line of a trace holds (rp_parse_line). */
enum rp_line { RP_LINE_REF, RP_LINE_SKIP, RP_LINE_BAD };

/*
 * One line of a trace (the n bytes at line, without its newline): a page
 * number, decimal or 0x hexadecimal (below RP_NONE), then optionally R or
 * W, with blanks around; blank lines and lines starting with # are
 * skipped. RP_LINE_REF with *page and *write set, RP_LINE_SKIP, or
 * RP_LINE_BAD.
 */
enum rp_line rp_parse_line(const char *line, unsigned long n, uint64_t *page, bool *write);

#endif
