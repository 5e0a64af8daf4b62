/*
 * Strata system calls for user programs (lib/abi.h has the numbers and
 * layouts, docs/abi.md the meaning). Every call returns an enum err; results
 * come back through pointers.
 */
#ifndef STRATA_LIB_USER_SYSCALL_H
#define STRATA_LIB_USER_SYSCALL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/abi.h"
#include "lib/error.h"

/* Raw result of an ecall: a0 (error) and a1..a7. */
struct sysret {
	long err;
	uint64_t r[7]; /* r[0] = a1 ... r[6] = a7 */
};

static inline struct sysret syscall7(unsigned nr, uint64_t a0, uint64_t a1, uint64_t a2,
				     uint64_t a3, uint64_t a4, uint64_t a5, uint64_t a6)
{
	register uint64_t r0 __asm__("a0") = a0;
	register uint64_t r1 __asm__("a1") = a1;
	register uint64_t r2 __asm__("a2") = a2;
	register uint64_t r3 __asm__("a3") = a3;
	register uint64_t r4 __asm__("a4") = a4;
	register uint64_t r5 __asm__("a5") = a5;
	register uint64_t r6 __asm__("a6") = a6;
	register uint64_t r7 __asm__("a7") = nr;

	__asm__ volatile("ecall"
			 : "+r"(r0), "+r"(r1), "+r"(r2), "+r"(r3), "+r"(r4), "+r"(r5), "+r"(r6),
			   "+r"(r7)
			 :
			 : "memory");
	return (struct sysret){(long)r0, {r1, r2, r3, r4, r5, r6, r7}};
}

static inline int sys0(unsigned nr, uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4,
		       uint64_t a5)
{
	return (int)syscall7(nr, a0, a1, a2, a3, a4, a5, 0).err;
}

/* A call that returns one value in a1. */
static inline int sys1(unsigned nr, uint64_t *out, uint64_t a0, uint64_t a1, uint64_t a2,
		       uint64_t a3, uint64_t a4)
{
	struct sysret r = syscall7(nr, a0, a1, a2, a3, a4, 0, 0);
	if (out && r.err == 0)
		*out = r.r[0];
	return (int)r.err;
}

static inline int sys_debug_write(const void *buf, size_t len)
{
	return sys0(SYS_DEBUG_WRITE, (uint64_t)buf, len, 0, 0, 0, 0);
}
static inline int sys_handle_close(handle_t h)
{
	return sys0(SYS_HANDLE_CLOSE, (uint64_t)h, 0, 0, 0, 0, 0);
}
static inline int sys_handle_dup(handle_t h, uint32_t rights, handle_t *out)
{
	uint64_t v = 0;
	int e = sys1(SYS_HANDLE_DUP, &v, (uint64_t)h, rights, 0, 0, 0);
	if (e == 0)
		*out = (handle_t)v;
	return e;
}
static inline int sys_handle_mint(handle_t h, uint32_t rights, uint64_t badge, handle_t *out)
{
	uint64_t v = 0;
	int e = sys1(SYS_HANDLE_MINT, &v, (uint64_t)h, rights, badge, 0, 0);
	if (e == 0)
		*out = (handle_t)v;
	return e;
}
static inline int sys_handle_give(handle_t space, handle_t h, uint32_t rights, handle_t *out)
{
	uint64_t v = 0;
	int e = sys1(SYS_HANDLE_GIVE, &v, (uint64_t)space, (uint64_t)h, rights, 0, 0);
	if (e == 0)
		*out = (handle_t)v;
	return e;
}
static inline int sys_handle_info(handle_t h, unsigned *type, uint32_t *rights)
{
	struct sysret r = syscall7(SYS_HANDLE_INFO, (uint64_t)h, 0, 0, 0, 0, 0, 0);
	if (r.err == 0) {
		*type = (unsigned)r.r[0];
		*rights = (uint32_t)r.r[1];
	}
	return (int)r.err;
}
/* The badge an endpoint handle carries (0: unbadged). */
static inline int sys_handle_badge(handle_t h, uint64_t *badge)
{
	struct sysret r = syscall7(SYS_HANDLE_INFO, (uint64_t)h, 0, 0, 0, 0, 0, 0);
	if (r.err == 0)
		*badge = r.r[2];
	return (int)r.err;
}
static inline int sys_quota_split(handle_t q, uint64_t bytes, handle_t *out)
{
	uint64_t v = 0;
	int e = sys1(SYS_QUOTA_SPLIT, &v, (uint64_t)q, bytes, 0, 0, 0);
	if (e == 0)
		*out = (handle_t)v;
	return e;
}
static inline int sys_quota_info(handle_t q, uint64_t *limit, uint64_t *used)
{
	struct sysret r = syscall7(SYS_QUOTA_INFO, (uint64_t)q, 0, 0, 0, 0, 0, 0);
	if (r.err == 0) {
		*limit = r.r[0];
		*used = r.r[1];
	}
	return (int)r.err;
}
static inline int sys_frame_alloc(unsigned order, unsigned flags, handle_t *out)
{
	uint64_t v = 0;
	int e = sys1(SYS_FRAME_ALLOC, &v, order, flags, 0, 0, 0);
	if (e == 0)
		*out = (handle_t)v;
	return e;
}
/* A frame charged to quota q (MANAGE), not to the caller's: what a loader gives a child. */
static inline int sys_frame_alloc_for(handle_t q, unsigned order, handle_t *out)
{
	uint64_t v = 0;
	int e = sys1(SYS_FRAME_ALLOC, &v, order, FRAME_QUOTA, 0, (uint64_t)q, 0);
	if (e == 0)
		*out = (handle_t)v;
	return e;
}
/* A frame for DMA: its handle can tell its physical address (needs the system handle). */
static inline int sys_frame_alloc_device(unsigned order, handle_t system, handle_t *out)
{
	uint64_t v = 0;
	int e = sys1(SYS_FRAME_ALLOC, &v, order, FRAME_DEVICE, (uint64_t)system, 0, 0);
	if (e == 0)
		*out = (handle_t)v;
	return e;
}
static inline int sys_frame_info(handle_t f, uint64_t *pages, uint64_t *pa)
{
	struct sysret r = syscall7(SYS_FRAME_INFO, (uint64_t)f, 0, 0, 0, 0, 0, 0);
	if (r.err == 0) {
		*pages = r.r[0];
		if (pa)
			*pa = r.r[1];
	}
	return (int)r.err;
}
/* References on a frame: its handles and the pages of it mapped anywhere. */
static inline int sys_frame_refs(handle_t f, uint64_t *refs)
{
	struct sysret r = syscall7(SYS_FRAME_INFO, (uint64_t)f, 0, 0, 0, 0, 0, 0);
	if (r.err == 0)
		*refs = r.r[2];
	return (int)r.err;
}
static inline int sys_frame_copy(handle_t dst, uint64_t dpage, handle_t src, uint64_t spage,
				 uint64_t n)
{
	return sys0(SYS_FRAME_COPY, (uint64_t)dst, dpage, (uint64_t)src, spage, n, 0);
}
static inline int sys_frame_zero(handle_t f, uint64_t page, uint64_t n)
{
	return sys0(SYS_FRAME_ZERO, (uint64_t)f, page, n, 0, 0, 0);
}
static inline int sys_space_create(handle_t quota, handle_t *out)
{
	uint64_t v = 0;
	int e = sys1(SYS_SPACE_CREATE, &v, (uint64_t)quota, 0, 0, 0, 0);
	if (e == 0)
		*out = (handle_t)v;
	return e;
}
static inline int sys_space_map(handle_t s, uint64_t va, handle_t f, uint64_t page, uint64_t npages,
				unsigned prot)
{
	return sys0(SYS_SPACE_MAP, (uint64_t)s, va, (uint64_t)f, page, npages, prot);
}
static inline int sys_space_unmap(handle_t s, uint64_t va, uint64_t len)
{
	return sys0(SYS_SPACE_UNMAP, (uint64_t)s, va, len, 0, 0, 0);
}
static inline int sys_space_protect(handle_t s, uint64_t va, uint64_t len, unsigned prot)
{
	return sys0(SYS_SPACE_PROTECT, (uint64_t)s, va, len, prot, 0, 0);
}
/* A/D bits of npages pages from va; flags: AD_CLEAR (1), AD_UNMAP. */
static inline int sys_space_ad(handle_t s, uint64_t va, unsigned npages, uint8_t *out, int flags)
{
	return sys0(SYS_SPACE_AD, (uint64_t)s, va, npages, (uint64_t)out, (uint64_t)flags, 0);
}
/* The same for n pages anywhere (vas[0..n), at most 64): out[i] for vas[i]. */
static inline int sys_space_ad_list(handle_t s, const uint64_t *vas, unsigned n, uint8_t *out,
				    int flags)
{
	return sys0(SYS_SPACE_AD, (uint64_t)s, (uint64_t)vas, n, (uint64_t)out,
		    (uint64_t)(flags | AD_LIST), 0);
}
/*
 * The A/D bits of pages [page, page + npages) of a FRAME_RMAP frame, ORed
 * over every space that maps each one (out[i]), with AD_CLEAR cleared
 * everywhere or with AD_UNMAP unmapped everywhere: *mappings is how many
 * mappings it met (may be NULL).
 */
static inline int sys_frame_ad(handle_t f, uint64_t page, unsigned npages, uint8_t *out, int flags,
			       uint64_t *mappings)
{
	struct sysret r =
	    syscall7(SYS_FRAME_AD, (uint64_t)f, page, npages, (uint64_t)out, (uint64_t)flags, 0, 0);
	if (mappings)
		*mappings = r.r[0];
	return (int)r.err;
}
/* A region whose base is at offset `offset` of what the pager pages; flags: REGION_REPLACE. */
static inline int sys_region_map(handle_t s, uint64_t va, uint64_t len, handle_t ep, uint64_t badge,
				 unsigned maxprot_flags, uint64_t offset)
{
	return (int)syscall7(SYS_REGION_ADD, (uint64_t)s, va, len, (uint64_t)ep, badge,
			     maxprot_flags, offset)
	    .err;
}
static inline int sys_region_add(handle_t s, uint64_t va, uint64_t len, handle_t ep, uint64_t badge,
				 unsigned maxprot)
{
	return sys_region_map(s, va, len, ep, badge, maxprot, 0);
}
static inline int sys_region_remove(handle_t s, uint64_t va)
{
	return sys0(SYS_REGION_REMOVE, (uint64_t)s, va, 0, 0, 0, 0);
}
static inline int sys_thread_create(handle_t space, uint64_t entry, uint64_t sp, uint64_t arg,
				    unsigned prio, handle_t *out)
{
	uint64_t v = 0;
	int e = sys1(SYS_THREAD_CREATE, &v, (uint64_t)space, entry, sp, arg, prio);
	if (e == 0)
		*out = (handle_t)v;
	return e;
}
static inline int sys_thread_start(handle_t t)
{
	return sys0(SYS_THREAD_START, (uint64_t)t, 0, 0, 0, 0, 0);
}
static inline int sys_thread_suspend(handle_t t)
{
	return sys0(SYS_THREAD_SUSPEND, (uint64_t)t, 0, 0, 0, 0, 0);
}
static inline void __attribute__((noreturn)) sys_thread_exit(int status)
{
	sys0(SYS_THREAD_EXIT, (uint64_t)(int64_t)status, 0, 0, 0, 0, 0);
	for (;;)
		;
}
/* Signal notification n with bits when thread t dies (n 0: stop watching). */
static inline int sys_thread_watch(handle_t t, handle_t n, uint64_t bits)
{
	return sys0(SYS_THREAD_WATCH, (uint64_t)t, (uint64_t)n, bits, 0, 0, 0);
}
static inline int sys_thread_kill(handle_t t, int status)
{
	return sys0(SYS_THREAD_KILL, (uint64_t)t, (uint64_t)(int64_t)status, 0, 0, 0, 0);
}
static inline int sys_thread_upcall(handle_t t, unsigned n, uint64_t entry)
{
	return sys0(SYS_THREAD_UPCALL, (uint64_t)t, n, entry, 0, 0, 0);
}
static inline int sys_upcall_return(struct upcall_context *ctx)
{
	return sys0(SYS_UPCALL_RETURN, (uint64_t)ctx, 0, 0, 0, 0, 0);
}
static inline int sys_upcall_save(struct upcall_context *ctx)
{
	return sys0(SYS_UPCALL_SAVE, (uint64_t)ctx, 0, 0, 0, 0, 0);
}
static inline int sys_thread_set_exception(handle_t t, handle_t ep, uint64_t badge)
{
	return sys0(SYS_THREAD_SET_EXCEPTION, (uint64_t)t, (uint64_t)ep, badge, 0, 0, 0);
}
static inline int sys_thread_set_ipcbuf(handle_t t, uint64_t va)
{
	return sys0(SYS_THREAD_SET_IPCBUF, (uint64_t)t, va, 0, 0, 0, 0);
}
struct thread_info {
	uint64_t id, state;
	int64_t exit_status;
	uint64_t faults;
	uint64_t user_ns, kernel_ns; /* CPU time */
};
static inline int sys_thread_info(handle_t t, struct thread_info *ti)
{
	struct sysret r = syscall7(SYS_THREAD_INFO, (uint64_t)t, 0, 0, 0, 0, 0, 0);
	if (r.err == 0)
		*ti = (struct thread_info){r.r[0], r.r[1], (int64_t)r.r[2], r.r[3], r.r[4], r.r[5]};
	return (int)r.err;
}
static inline int sys_yield(void)
{
	return sys0(SYS_YIELD, 0, 0, 0, 0, 0, 0);
}
static inline int sys_sleep(uint64_t ns)
{
	return sys0(SYS_SLEEP, ns, 0, 0, 0, 0, 0);
}
static inline uint64_t sys_clock(void)
{
	uint64_t v = 0;
	sys1(SYS_CLOCK, &v, 0, 0, 0, 0, 0);
	return v;
}
/* Everything SYS_CLOCK tells, in nanoseconds. */
struct clock_info {
	uint64_t since_boot;
	uint64_t boot_wall;    /* since 1970 at boot, 0 if there is no RTC */
	uint64_t user, kernel; /* the calling thread's CPU time */
};
static inline struct clock_info sys_clock_info(void)
{
	struct sysret r = syscall7(SYS_CLOCK, 0, 0, 0, 0, 0, 0, 0);
	return (struct clock_info){r.r[0], r.r[1], r.r[2], r.r[3]};
}
static inline int sys_endpoint_create(handle_t *out)
{
	uint64_t v = 0;
	int e = sys1(SYS_ENDPOINT_CREATE, &v, 0, 0, 0, 0, 0);
	if (e == 0)
		*out = (handle_t)v;
	return e;
}
static inline int sys_notify_create(handle_t *out)
{
	uint64_t v = 0;
	int e = sys1(SYS_NOTIFY_CREATE, &v, 0, 0, 0, 0, 0);
	if (e == 0)
		*out = (handle_t)v;
	return e;
}
static inline int sys_notify_signal(handle_t n, uint64_t bits)
{
	return sys0(SYS_NOTIFY_SIGNAL, (uint64_t)n, bits, 0, 0, 0, 0);
}
static inline int sys_notify_wait(handle_t n, uint64_t *bits)
{
	return sys1(SYS_NOTIFY_WAIT, bits, (uint64_t)n, 0, 0, 0, 0);
}
static inline int sys_notify_poll(handle_t n, uint64_t *bits)
{
	return sys1(SYS_NOTIFY_POLL, bits, (uint64_t)n, 0, 0, 0, 0);
}
static inline int sys_irq_bind(handle_t irq, handle_t n, uint64_t bits)
{
	return sys0(SYS_IRQ_BIND, (uint64_t)irq, (uint64_t)n, bits, 0, 0, 0);
}
static inline int sys_irq_ack(handle_t irq)
{
	return sys0(SYS_IRQ_ACK, (uint64_t)irq, 0, 0, 0, 0, 0);
}
static inline int sys_mem_watch(handle_t sys, handle_t n, uint64_t bits, uint64_t low_pages)
{
	return sys0(SYS_MEM_WATCH, (uint64_t)sys, (uint64_t)n, bits, low_pages, 0, 0);
}
/*
 * A driver's view of a frame a client handed it: *pa = its physical
 * address (pages are contiguous), *pages = its size. sys must be a system
 * handle with RIGHT_DEVICE (root gives one to the drivers it starts).
 */
static inline int sys_frame_phys(handle_t frame, handle_t sys, uint64_t *pa, uint64_t *pages)
{
	struct sysret r = syscall7(SYS_FRAME_PHYS, (uint64_t)frame, (uint64_t)sys, 0, 0, 0, 0, 0);
	if (r.err == 0) {
		*pa = r.r[0];
		if (pages)
			*pages = r.r[1];
	}
	return (int)r.err;
}
/*
 * Kernel statistics: *lock_cycles = the longest time any hart held the big
 * kernel lock since boot or the last reset (cycles), *objects = live kernel
 * objects. reset != 0 starts a new measurement after reading.
 */
static inline int sys_kernel_stats(handle_t sys, bool reset, uint64_t *lock_cycles,
				   uint64_t *objects, uint64_t *idle_ns)
{
	struct sysret r = syscall7(SYS_KERNEL_STATS, (uint64_t)sys, reset, 0, 0, 0, 0, 0);
	if (r.err == 0) {
		if (lock_cycles)
			*lock_cycles = r.r[0];
		if (objects)
			*objects = r.r[1];
		if (idle_ns)
			*idle_ns = r.r[2];
	}
	return (int)r.err;
}
/*
 * Kernel self-check: every live object's reference count against the
 * handles, mappings and kernel pointers that hold it. ERR_STATE with
 * *bad = the number of objects that disagree (each is named on the console).
 */
static inline int sys_kernel_check(handle_t sys, uint64_t *bad)
{
	struct sysret r = syscall7(SYS_KERNEL_CHECK, (uint64_t)sys, 0, 0, 0, 0, 0, 0);
	if (bad)
		*bad = r.r[0];
	return (int)r.err;
}
static inline int sys_mem_info(handle_t sys, uint64_t *free_pages, uint64_t *total_pages)
{
	struct sysret r = syscall7(SYS_MEM_INFO, (uint64_t)sys, 0, 0, 0, 0, 0, 0);
	if (r.err == 0) {
		*free_pages = r.r[0];
		if (total_pages)
			*total_pages = r.r[1];
	}
	return (int)r.err;
}
/*
 * As sys_mem_info, and blocks[0..18] = free buddy blocks of each order,
 * *slab_pages (if not NULL) = pages the kernel's object caches hold.
 */
static inline int sys_mem_info_orders(handle_t sys, uint64_t *free_pages, uint64_t *total_pages,
				      uint64_t blocks[19], uint64_t *slab_pages)
{
	struct sysret r = syscall7(SYS_MEM_INFO, (uint64_t)sys, (uint64_t)blocks, 0, 0, 0, 0, 0);
	if (r.err == 0) {
		*free_pages = r.r[0];
		if (total_pages)
			*total_pages = r.r[1];
		if (slab_pages)
			*slab_pages = r.r[2];
	}
	return (int)r.err;
}
static inline void __attribute__((noreturn)) sys_system_exit(handle_t sys, int status)
{
	sys0(SYS_SYSTEM_EXIT, (uint64_t)sys, (uint64_t)(int64_t)status, 0, 0, 0, 0);
	sys_thread_exit(status);
}

#endif
