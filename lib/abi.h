/*
 * The system-call and message ABI, shared by the kernel and user space.
 * docs/abi.md explains every call; this header is the authoritative list
 * of numbers and layouts.
 *
 * A system call is `ecall` with the call number in a7 and arguments in
 * a0..a6. On return a0 holds an error code (enum err, 0 = ERR_OK) and a1..a7
 * hold results where a call has them. Every call checks all of its
 * arguments before it changes anything.
 */
#ifndef STRATA_LIB_ABI_H
#define STRATA_LIB_ABI_H

#include <stdint.h>

/* ------------------------------------------------------------------ calls */
/* clang-format off */
enum sys {
	SYS_DEBUG_WRITE          = 0,  /* (buf, len): write to the kernel console */
	SYS_HANDLE_CLOSE         = 1,  /* (h) */
	SYS_HANDLE_DUP           = 2,  /* (h, rights) -> a1 = new handle with rights & old rights */
	SYS_HANDLE_INFO          = 3,  /* (h) -> a1 = type, a2 = rights, a3 = badge */
	SYS_QUOTA_SPLIT          = 4,  /* (quota, bytes) -> a1 = new quota holding bytes taken from quota */
	SYS_QUOTA_INFO           = 5,  /* (quota) -> a1 = limit bytes, a2 = used bytes */
	SYS_FRAME_ALLOC          = 6,  /* (order, flags) -> a1 = frame (always zeroed), charged to the caller */
	SYS_FRAME_INFO           = 7,  /* (frame) -> a1 = pages, a2 = physical address if RIGHT_DEVICE else 0 */
	SYS_FRAME_COPY           = 8,  /* (dst frame, dst page, src frame, src page, npages) */
	SYS_FRAME_ZERO           = 9,  /* (frame, page, npages) */
	SYS_SPACE_CREATE         = 10, /* (quota) -> a1 = space handle */
	SYS_SPACE_MAP            = 11, /* (space, va, frame, page, npages, prot) */
	SYS_SPACE_UNMAP          = 12, /* (space, va, len) */
	SYS_SPACE_PROTECT        = 13, /* (space, va, len, prot): only removes rights */
	SYS_SPACE_AD             = 14, /* (space, va, npages, out, AD_* flags) -> out[i] = PAGE_MAPPED|PAGE_A|PAGE_D */
	SYS_REGION_ADD           = 15, /* (space, va, len, endpoint, badge, maxprot) */
	SYS_REGION_REMOVE        = 16, /* (space, va) */
	SYS_THREAD_CREATE        = 17, /* (space, entry, sp, arg, priority) -> a1 = thread handle */
	SYS_THREAD_START         = 18, /* (thread) */
	SYS_THREAD_SUSPEND       = 19, /* (thread) */
	SYS_THREAD_EXIT          = 20, /* (status): never returns */
	SYS_THREAD_SET_EXCEPTION = 21, /* (thread, endpoint, badge) */
	SYS_THREAD_SET_IPCBUF    = 22, /* (thread, va) */
	SYS_YIELD                = 23, /* () */
	SYS_SLEEP                = 24, /* (nanoseconds) */
	SYS_CLOCK                = 25, /* () -> a1 = ns since boot, a2 = ns since 1970 at boot (0: no RTC), a3/a4 = caller's user/kernel CPU ns */
	SYS_ENDPOINT_CREATE      = 26, /* () -> a1 = endpoint handle */
	SYS_CALL                 = 27, /* (endpoint, tag, w0..w4) -> a1 = tag, a2..a6 = w0..w4, a7 = badge */
	SYS_SEND                 = 28, /* (endpoint, tag, w0..w4): never blocks; ERR_WOULDBLOCK if nobody waits */
	SYS_RECV                 = 29, /* (endpoint) -> a1 = tag, a2..a6 = w0..w4, a7 = badge */
	SYS_REPLY                = 30, /* (-, tag, w0..w4) */
	SYS_REPLY_RECV           = 31, /* (endpoint, tag, w0..w4): reply, then receive as SYS_RECV */
	SYS_NOTIFY_CREATE        = 32, /* () -> a1 = notification handle */
	SYS_NOTIFY_SIGNAL        = 33, /* (notification, bits) */
	SYS_NOTIFY_WAIT          = 34, /* (notification) -> a1 = bits (cleared) */
	SYS_NOTIFY_POLL          = 35, /* (notification) -> a1 = bits (cleared), never blocks */
	SYS_IRQ_BIND             = 36, /* (irq, notification, bits) */
	SYS_IRQ_ACK              = 37, /* (irq) */
	SYS_MEM_WATCH            = 38, /* (system, notification, bits, low_water_pages) */
	SYS_MEM_INFO             = 39, /* (system, out) -> a1 = free, a2 = total, a3 = slab pages; out[19] = free blocks per order */
	SYS_SYSTEM_EXIT          = 40, /* (system, status): power off */
	SYS_HANDLE_MINT          = 41, /* (h, rights, badge) -> a1 = new handle carrying badge (h has none) */
	SYS_THREAD_INFO          = 42, /* (thread) -> a1 = id, a2 = state, a3 = exit status, a4 = faults, a5/a6 = user/kernel CPU ns */
	SYS_THREAD_KILL          = 43, /* (thread, status) */
	SYS_HANDLE_GIVE          = 44, /* (space, h, rights) -> a1 = handle to h's object in space's table */
	SYS_KERNEL_STATS         = 45, /* (system, reset) -> a1 = longest big-lock hold (cycles), a2 = live objects */
	SYS_KERNEL_CHECK         = 46, /* (system) -> a1 = objects whose reference count is wrong (ERR_STATE if any) */
	SYS_FRAME_PHYS           = 47, /* (frame, system with DEVICE) -> a1 = physical address, a2 = pages (drivers' DMA) */
	SYS_REPLY_SAVE           = 48, /* () -> a1 = reply handle for the caller this thread owes */
	SYS_REPLY_TO             = 49, /* (reply, tag, w0..w4): answer a saved reply (used up) */
	SYS_THREAD_UPCALL        = 50, /* (thread, n 1..63, entry): run entry(n) in it (signals) */
	SYS_UPCALL_RETURN        = 51, /* (ctx or 0): back to the registers in ctx, or to those the running upcall kept */
	SYS_UPCALL_SAVE          = 52, /* (ctx): copy the kept registers to ctx and let upcalls nest */
	SYS_THREAD_WATCH         = 53, /* (thread, notification or 0, bits): signal bits when it dies */
	SYS_FRAME_AD             = 54, /* (frame, page, npages, out, AD_CLEAR|AD_UNMAP): FRAME_RMAP pages' bits in every space -> a1 = mappings */
	SYS_COUNT
};
/* clang-format on */

/* Thread states reported by SYS_THREAD_INFO. */
enum thread_state_abi {
	THREAD_NEW = 0,
	THREAD_READY = 1,
	THREAD_RUNNING = 2,
	THREAD_BLOCKED = 3,
	THREAD_SUSPENDED = 4,
	THREAD_DEAD = 5,
};

/* ------------------------------------------------------------------ handles */
typedef int32_t handle_t; /* > 0; 0 is never a valid handle */

enum obj_type {
	OBJ_NONE = 0,
	OBJ_THREAD = 1,
	OBJ_SPACE = 2,
	OBJ_ENDPOINT = 3,
	OBJ_NOTIFY = 4,
	OBJ_FRAME = 5,
	OBJ_IRQ = 6,
	OBJ_QUOTA = 7,
	OBJ_SYSTEM = 8,
	OBJ_REPLY = 9,
};

/* Rights carried by a handle. */
#define RIGHT_READ  (1u << 0) /* read contents / receive */
#define RIGHT_WRITE (1u << 1) /* modify contents / send */
#define RIGHT_MAP   (1u << 2) /* map a frame; map/unmap/protect in a space */
#define RIGHT_GRANT (1u << 3) /* pass this handle to another process in a message */
#define RIGHT_MANAGE                                                                               \
	(1u << 4)	       /* control the object (start/suspend threads, regions, bind IRQs)   \
				*/
#define RIGHT_EXEC   (1u << 5) /* frames: may be mapped executable */
#define RIGHT_DEVICE (1u << 6) /* frames: learn the physical address (DMA) */
#define RIGHTS_ALL   0x7fu

/* User addresses are below this (Sv39: 2^38). */
#define USER_TOP_ABI 0x4000000000ull

/* Page rights in map calls, map items and regions. */
#define PROT_R (1u << 0)
#define PROT_W (1u << 1)
#define PROT_X (1u << 2)

/*
 * SYS_REGION_ADD flag (with maxrights in a5): take the range from whatever
 * regions it overlaps instead of failing with ERR_EXISTS.
 */
#define REGION_REPLACE (1u << 8)

/* SYS_FRAME_ALLOC flags */
#define FRAME_ZEROED (1u << 0) /* accepted; frames are always zeroed */
#define FRAME_DEVICE                                                                               \
	(1u << 1)	      /* handle gets RIGHT_DEVICE (DMA); a2 = system handle with MANAGE    \
			       */
#define FRAME_QUOTA (1u << 2) /* charged to a3 = a quota handle with MANAGE, not the caller's */
#define FRAME_RMAP  (1u << 3) /* the kernel keeps where its pages are mapped (SYS_FRAME_AD) */

/* SYS_SPACE_AD result bits per page */
#define PAGE_MAPPED (1u << 0)
#define PAGE_A	    (1u << 1)
#define PAGE_D	    (1u << 2)

/* SYS_SPACE_AD flags (a4) */
#define AD_CLEAR    (1u << 0) /* clear A and D after reading them */
#define AD_UNMAP    (1u << 1) /* unmap the pages, giving each one's bits as it was taken out */
#define AD_LIST	    (1u << 2) /* a1 points to an array of a2 page addresses (at most AD_LIST_MAX) */
#define AD_LIST_MAX 64
#define AD_OTHERS   (1u << 3) /* SYS_FRAME_AD: every space but the caller's own */

/* ------------------------------------------------------------------ messages */
/*
 * A message is a tag and up to MSG_MAX_WORDS words. The tag says:
 *   bits  0..15  label (chosen by the protocol)
 *   bits 16..22  number of words (0..MSG_MAX_WORDS)
 *   bits 23..25  number of handles (0..MSG_MAX_HANDLES)
 *   bits 32..63  0 in requests; in replies that carry an error: the error (negative)
 * Words 0..4 travel in registers; words 5.. and the handles go through
 * the thread's IPC buffer (SYS_THREAD_SET_IPCBUF), as struct ipc_buffer.
 */
#define MSG_REG_WORDS	5
#define MSG_MAX_WORDS	64
#define MSG_MAX_HANDLES 4

static inline uint64_t msg_tag(unsigned label, unsigned words, unsigned handles)
{
	return (uint64_t)(label & 0xffff) | ((uint64_t)(words & 0x7f) << 16) |
	       ((uint64_t)(handles & 7) << 23);
}
static inline unsigned msg_label(uint64_t tag)
{
	return tag & 0xffff;
}
static inline unsigned msg_words(uint64_t tag)
{
	return (tag >> 16) & 0x7f;
}
static inline unsigned msg_handles(uint64_t tag)
{
	return (tag >> 23) & 7;
}
static inline int msg_error(uint64_t tag)
{
	return (int)(int32_t)(tag >> 32);
}
static inline uint64_t msg_error_tag(unsigned label, int err)
{
	return (uint64_t)(label & 0xffff) | ((uint64_t)(uint32_t)err << 32);
}

struct ipc_buffer {
	uint64_t words[MSG_MAX_WORDS]; /* words[0..4] mirror the registers */
	handle_t handles[MSG_MAX_HANDLES];
	uint32_t handle_rights[MSG_MAX_HANDLES]; /* rights given with each handle (send); received
						    rights */
};

/* ------------------------------------------------------------------ faults */
/*
 * Fault message, sent by the kernel to a region's pager as if the faulting
 * thread had called it (badge = the region's badge):
 *   label MSG_FAULT, words: [0] address, [1] access (PROT_R/W/X) and pages
 *   of the region after the faulting one (fault_msg_access, fault_msg_ahead),
 *   [2] offset of the address in the pager's object (the region's offset,
 *   SYS_REGION_ADD a6, plus the distance from the region's base), [3] pc,
 *   [4] thread id.
 * The pager replies with label MSG_FAULT and 2 words per map item
 * (up to FAULT_MAX_ITEMS):
 *   word 2i   = target va (page aligned) | rights (PROT_R/W/X in the low bits)
 *   word 2i+1 = frame handle (low 32 bits) | page index in the frame (high 32 bits)
 * or with an error tag (msg_error_tag), which raises an exception instead.
 */
#define MSG_FROM_KERNEL (1ull << 31) /* tag bit set only on messages the kernel sends */

/*
 * Fault word 1: the access (PROT_R, PROT_W or PROT_X) in bits 0..2, and in
 * bits 8..15 how many pages of the region follow the faulting page (at most
 * 255): a pager may map that many more in its reply (fault-around) without
 * knowing where the region ends.
 */
#define FAULT_ACCESS_MASK 7u
#define FAULT_AHEAD_SHIFT 8
#define FAULT_AHEAD_MAX	  255u
static inline unsigned fault_msg_access(uint64_t w1)
{
	return (unsigned)w1 & FAULT_ACCESS_MASK;
}
static inline unsigned fault_msg_ahead(uint64_t w1)
{
	return (unsigned)(w1 >> FAULT_AHEAD_SHIFT) & FAULT_AHEAD_MAX;
}
#define MSG_FAULT	0xf001
#define MSG_EXCEPTION	0xf002
#define FAULT_MAX_ITEMS 16

static inline uint64_t fault_item_va(uint64_t va, unsigned rights)
{
	return (va & ~0xfffull) | (rights & 7);
}
static inline uint64_t fault_item_frame(handle_t frame, uint32_t page)
{
	return (uint32_t)frame | ((uint64_t)page << 32);
}

/*
 * Exception message, sent to a thread's exception endpoint as if the
 * thread had called it: label MSG_EXCEPTION, words: [0] cause (scause),
 * [1] address (stval), [2] pc, [3] thread id, [4] why a page fault could
 * not be resolved (ERR_NOENT: no region, ERR_PERM: beyond the region's
 * rights, ERR_RANGE: not a user address, or the pager's error), 0 otherwise. Replying with label
 * MSG_EXCEPTION and no error resumes the thread (at the same pc, or at words[0] if nonzero);
 * replying with an error tag, or closing the endpoint, kills it.
 */

/*
 * The registers an upcall interrupted (SYS_UPCALL_SAVE, SYS_UPCALL_RETURN):
 * x[1..31] (x[0] unused), the pc to go on at, f0-f31, fcsr, and whether
 * the thread had used the FP registers.
 */
struct upcall_context { /* 536 bytes */
	uint64_t x[32];
	uint64_t pc;
	uint64_t f[32];
	uint64_t fcsr;
	uint64_t fpu_used;
};

/* ------------------------------------------------------------------ boot */
/*
 * The root task finds this page mapped read-only at BOOTINFO_VA, its IPC
 * buffer at BOOTINFO_VA + 4096 and its stack just below BOOTINFO_VA.
 * Handles listed here are in the root task's table.
 */
#define BOOTINFO_VA	 0x3ffff00000ull
#define BOOTINFO_MAGIC	 0x5354524154414249ull /* "STRATABI" */
#define ROOT_STACK_PAGES 16
#define BOOT_MAX_DEVICES 24
#define BOOTARGS_MAX	 1024 /* the kernel command line, its NUL included; longer: no boot */

struct boot_device {
	char compatible[32];
	uint64_t pa, size;
	handle_t frame; /* MMIO frame with RIGHT_DEVICE, or 0 */
	handle_t irq;	/* IRQ object, or 0 */
	uint32_t irq_source;
	uint32_t pad;
};

struct bootinfo {
	uint64_t magic;
	handle_t self_space, self_thread, quota, system;
	handle_t initrd;	/* frame covering the initrd (read-only), or 0 */
	uint32_t initrd_offset; /* where the archive starts in the frame's first page */
	uint64_t initrd_size;	/* bytes */
	uint64_t total_pages, free_pages;
	uint64_t timebase_hz;
	uint32_t nharts;
	uint32_t ndevices;
	struct boot_device devices[BOOT_MAX_DEVICES];
	char bootargs[BOOTARGS_MAX];
};

#endif
