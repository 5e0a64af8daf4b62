/*
 * libpager: the framework Strata pager servers are built on.
 *
 * A pager serves *objects* (struct pager_object: something whose pages it
 * can produce, through the object's fill callback). A client address range
 * is backed by an object through an *attachment*: pager_attach() adds a
 * region to the client's space whose faults come to the pager's endpoint
 * with a badge naming the attachment. pager_run() is the receive loop: it
 * checks that each message is a fault from the kernel, finds the attachment
 * by badge, fills a window of pages around the fault (fault-around) in
 * fresh frames, and answers with one reply carrying every map item
 * (docs/abi.md section 6; docs/writing-a-pager.md is the tutorial).
 *
 *   client space                      pager process
 *   +---------------------+           +------------------------------+
 *   | region [va, va+len) |  fault    | pager_run()                  |
 *   |   badge B --------------------->|   attachment B -> object     |
 *   |                     |           |   fill() each page of the    |
 *   |   pages mapped  <---------------|   window, reply with items   |
 *   +---------------------+  reply    +------------------------------+
 *
 * No memory is allocated: struct pager (with its attachment table) and the
 * objects are the caller's storage, typically static. One struct pager is
 * driven by one thread; attach and detach from that thread (for example in
 * the control callback) or before the thread starts.
 */
#ifndef STRATA_LIB_USER_PAGER_H
#define STRATA_LIB_USER_PAGER_H

#include <stdbool.h>
#include <stdint.h>

#include "lib/abi.h"
#include "lib/user/ipc.h"

#define PAGER_PAGE	 4096ull
#define PAGER_MAX_WINDOW FAULT_MAX_ITEMS /* most pages one reply can map (16) */
#define PAGER_MAX_ATTACH 16		 /* attachments per struct pager */

struct pager;
struct pager_object;

/* A decoded fault message (docs/abi.md, "The fault message"). */
struct pager_fault {
	uint64_t addr;	    /* faulting address, exact */
	unsigned access;    /* PROT_R, PROT_W or PROT_X */
	unsigned ahead;	    /* pages of the region after the faulting one (at most 255) */
	uint64_t offset;    /* where addr lies in the object: region offset + (addr - base) */
	uint64_t pc;	    /* faulting pc (after the ecall for kernel copies) */
	uint64_t thread_id; /* the faulting thread */
	uint64_t badge;	    /* the region's badge: names the attachment */
};

struct pager_object_ops {
	/*
	 * Produce one page of obj: the page at byte offset off (page aligned,
	 * below obj->size), which the client will see at va. page is a fresh
	 * zeroed 4096-byte frame mapped read-write in the pager's own space.
	 * Return ERR_OK, or an error: the fault then fails with it and the
	 * faulting thread gets an exception carrying it.
	 */
	int (*fill)(struct pager_object *obj, uint64_t off, uint64_t va, void *page);
};

/* Something a pager can page in: the caller owns it and its storage. */
struct pager_object {
	const struct pager_object_ops *ops;
	uint64_t size; /* bytes; pages at or beyond it are never mapped */
	void *data;    /* for the ops */
};

/* One region of a client space backed by an object. */
struct pager_attachment {
	struct pager_object *obj; /* NULL: free slot */
	handle_t space;		  /* client space: MANAGE (regions), MAP|READ (A/D, unmap) */
	uint64_t va, len;	  /* the region */
	unsigned maxprot;	  /* the region's maxrights */
	uint64_t badge;		  /* generation << 32 | slot + 1 */
};

/* Counters; read them with pager_stats(). */
struct pager_stats {
	uint64_t faults;   /* fault messages from the kernel */
	uint64_t pages;	   /* pages mapped by accepted replies */
	uint64_t errors;   /* faults answered with an error, or whose reply was refused */
	uint64_t rejected; /* messages that were not kernel faults, refused */
};

/*
 * Replacement policy for a later swap: it tracks resident pages and picks
 * the one to evict. Storage for the pages is the caller's (cap entries).
 */
struct pager_page {
	handle_t space; /* the client space the page is mapped in */
	uint64_t va;
	uint8_t ref;   /* referenced since the last scan (clock) */
	uint8_t dirty; /* D bit seen by a scan: sticky, so a scan loses no write */
};

struct pager_policy {
	const char *name;
	/* A page became resident. ERR_FULL if the policy's storage is full. */
	int (*on_map)(struct pager_policy *pol, handle_t space, uint64_t va);
	/* Sample (and clear) what the hardware knows about use; ERR_OK or a system-call error. */
	int (*on_access_scan)(struct pager_policy *pol);
	/* Choose a victim, remove it from the set, copy it to *victim. ERR_NOENT if empty. */
	int (*pick_victim)(struct pager_policy *pol, struct pager_page *victim);
	struct pager_page *pages; /* resident pages, oldest first */
	unsigned cap, count;
	unsigned hand; /* clock hand: index into pages */
};

/*
 * Map items a fault hook builds (struct pager's fault): up to
 * PAGER_MAX_WINDOW pages, each a page of a frame the pager keeps.
 */
struct pager_items {
	uint64_t words[2 * PAGER_MAX_WINDOW];
	unsigned n;
	/*
	 * The client space the items are mapped in, if the hook wants the
	 * pager's policy told of them (the hook's handle, with MAP|READ for
	 * the policy's A/D scans): after the reply is accepted, libpager calls
	 * policy->on_map(policy, space, va) for each item. 0: nobody is told.
	 */
	handle_t space;
};

/* Add an item: map page `page` of frame at va with prot. ERR_FULL if n is at the window's maximum.
 */
int pager_items_add(struct pager_items *it, uint64_t va, unsigned prot, handle_t frame,
		    uint64_t page);

struct pager {
	handle_t ep;		   /* endpoint the faults arrive on (READ) */
	handle_t self;		   /* the pager's own space (MAP): frames are filled there */
	struct ipc_buffer *ipcbuf; /* IPC buffer of the thread running pager_run, or NULL */
	unsigned window;	   /* pages per reply, 1..PAGER_MAX_WINDOW */
	uint64_t fill_va;	   /* PAGER_MAX_WINDOW pages of our own address space */
	/*
	 * Optional: called with a message that is not a fault (no MSG_FAULT
	 * label, no kernel bit); it rewrites *m into the reply. Return
	 * ERR_OK, or PAGER_STOP to reply and then leave pager_run. Without
	 * it such messages get an error reply. The handles the message
	 * carried (in ipcbuf) are the callback's to keep or close; libpager
	 * closes those of every message it refuses itself.
	 */
	int (*control)(struct pager *pg, struct msg *m);
	/*
	 * Optional: answer every kernel fault here instead of through the
	 * attachments, for pagers that keep their own regions and frames (mem:
	 * a region per client space, copy-on-write pages shared between
	 * spaces). Add the items to *it and return ERR_OK, or return an error
	 * for an error reply. The frames stay the pager's: nothing is closed
	 * after the reply. Items beyond 2 need ipcbuf.
	 */
	int (*fault)(struct pager *pg, const struct pager_fault *f, struct pager_items *it);
	struct pager_policy *policy; /* optional: on_map for every page mapped (errors ignored) */
	/*
	 * Optional: called by pager_run after each message is answered and
	 * before the next is taken: work that need not hold up the client
	 * (mem's reclaim ahead of demand). The IPC buffer is free to use.
	 */
	void (*after_reply)(struct pager *pg);
	void *user; /* for the program */
	volatile bool stop;
	struct pager_stats stats; /* written by the pager thread only */
	struct pager_attachment att[PAGER_MAX_ATTACH];
	uint32_t generation;
};

#define PAGER_STOP 1 /* control callback result: reply, then return from pager_run */

/*
 * Set up *pg to serve faults on ep (which it must hold with READ). self is
 * the pager's own space with MAP; ipcbuf is the IPC buffer registered for
 * the thread that will call pager_run (needed for windows of 3 pages or
 * more, else may be NULL). window is the fault-around window in pages.
 * Reserves PAGER_MAX_WINDOW pages of address space for filling frames.
 * Returns ERR_OK, or ERR_INVALID (window outside 1..16, no endpoint) or
 * ERR_STATE (window over 2 without an IPC buffer); *pg is then unusable.
 */
int pager_init(struct pager *pg, handle_t ep, handle_t self, struct ipc_buffer *ipcbuf,
	       unsigned window);

/* Change the fault-around window (1..PAGER_MAX_WINDOW; over 2 needs the IPC buffer). */
int pager_set_window(struct pager *pg, unsigned window);

/*
 * Back [va, va + len) of the client space with obj: adds the region
 * (SYS_REGION_ADD on space, which needs MANAGE; fault-around also reads
 * A/D bits, which needs MAP and READ) with a badge naming the new
 * attachment. The region's offset 0 is the object's offset 0. The pager
 * keeps using the space handle; the caller keeps owning it. Returns the
 * attachment through *out (may be NULL). Errors: ERR_FULL (all
 * PAGER_MAX_ATTACH slots used), ERR_INVALID (no object or no fill),
 * or SYS_REGION_ADD's error; nothing is recorded then.
 */
int pager_attach(struct pager *pg, struct pager_object *obj, handle_t space, uint64_t va,
		 uint64_t len, unsigned maxprot, struct pager_attachment **out);

/*
 * Undo pager_attach: remove the region and unmap its pages from the client
 * space (the mappings would otherwise keep their frames), then free the
 * slot. Returns the first error of SYS_REGION_REMOVE / SYS_SPACE_UNMAP;
 * the slot is freed either way.
 */
int pager_detach(struct pager *pg, struct pager_attachment *att);

/* The attachment whose badge this is, or NULL (also for a detached one). */
struct pager_attachment *pager_find(struct pager *pg, uint64_t badge);

/*
 * Decode a received message as a fault. Returns ERR_OK only for a message
 * the kernel sent (label MSG_FAULT, 5 words, MSG_FROM_KERNEL set);
 * ERR_INVALID for everything else, which a client may have forged.
 */
int pager_fault_decode(const struct msg *m, struct pager_fault *f);

/*
 * The receive loop: serve faults (and control messages) on pg->ep until a
 * control callback returns PAGER_STOP (ERR_OK) or receiving fails (the
 * error, e.g. ERR_PEER when the endpoint closes). Every fault is answered:
 * with map items for the window around it, or msg_error_tag(MSG_FAULT, e).
 */
int pager_run(struct pager *pg);

/*
 * Answer one received message (the thread owes its sender a reply, if it
 * was a call): the body of pager_run, for programs with their own loop.
 * Returns PAGER_STOP if the control callback asked to stop, else ERR_OK.
 */
int pager_handle(struct pager *pg, struct msg *m);

/* Copy the counters (safe from another thread of the same process). */
void pager_stats(const struct pager *pg, struct pager_stats *out);

/* ----------------------------------------------------------------- frames */

/* A frame being filled: its handle and where it is mapped in our space. */
struct pager_frame {
	handle_t h;
	void *page;
};

/*
 * Allocate a zeroed one-page frame and map it read-write at fill slot
 * `slot` (0..PAGER_MAX_WINDOW-1) of pg's own space. On error nothing is
 * left allocated or mapped.
 */
int pager_frame_get(struct pager *pg, unsigned slot, struct pager_frame *f);

/* Unmap fill slots 0..n-1 (the frames live on in their handles and mappings). */
void pager_frames_unmap(struct pager *pg, unsigned n);

/* Close n frame handles (after the reply: the client's mappings keep the frames). */
void pager_frames_close(struct pager_frame *f, unsigned n);

/* ----------------------------------------------------------------- policies */

/* First in, first out: the victim is the page made resident longest ago. */
void pager_policy_fifo_init(struct pager_policy *pol, struct pager_page *pages, unsigned cap);

/*
 * Clock (second chance): on_access_scan reads and clears the A/D bits of
 * every resident page (SYS_SPACE_AD; the spaces need MAP and READ) and
 * sets each page's ref to whether it was accessed since the last scan;
 * pick_victim sweeps the hand, clearing ref on referenced pages, and takes
 * the first unreferenced one.
 */
void pager_policy_clock_init(struct pager_policy *pol, struct pager_page *pages, unsigned cap);

#endif
