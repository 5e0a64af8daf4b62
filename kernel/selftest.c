#include "kernel/selftest.h"

#include "kernel/arch.h"
#include "kernel/boot.h"
#include "kernel/console.h"
#include "kernel/frames.h"
#include "kernel/hart.h"
#include "kernel/kvm.h"
#include "kernel/timer.h"
#include "kernel/trap.h"
#include "lib/error.h"
#include "lib/str.h"
#include "mm/physmap.h"

#define PATTERN 0x5a5a0123456789a5ull

static int failures, passes;

/* Report one check inside a test; returns cond so tests can bail out. */
#define EXPECT(cond)                                                                               \
	({                                                                                         \
		bool __ok = (cond);                                                                \
		if (!__ok)                                                                         \
			kprintf("    %s:%d: expected %s\n", __FILE__, __LINE__, #cond);            \
		__ok;                                                                              \
	})

/*
 * Run one test and check it gave back every frame. kmalloc keeps empty slab
 * pages cached, so they are returned first on both sides of the count.
 */
static void run(const char *name, bool (*fn)(void))
{
	kmalloc_shrink();
	size_t before = frames_free_pages();
	bool ok = fn();
	kmalloc_shrink();
	size_t after = frames_free_pages();

	if (ok && after != before) {
		kprintf("    leaked %ld frames (%zu free before, %zu after)\n",
			(long)before - (long)after, before, after);
		ok = false;
	}
	char why[96];
	if (ok && frames_check(why, sizeof(why)) != ERR_OK) {
		kprintf("    buddy invariant broken: %s\n", why);
		ok = false;
	}
	kprintf("%s - kernel/%s\n", ok ? "ok" : "not ok", name);
	if (ok)
		passes++;
	else
		failures++;
}

static bool test_buddy_orders(void)
{
	paddr_t pa[11];
	int order;

	for (order = 0; order <= 10; order++) {
		if (!EXPECT(frame_alloc((unsigned)order, true, &pa[order]) == ERR_OK))
			break;
		EXPECT(IS_ALIGNED(pa[order], PAGE_SIZE << order));
		uint64_t *p = pa_to_kva(pa[order]);
		p[0] = PATTERN;
		p[((PAGE_SIZE << order) / 8) - 1] = PATTERN;
	}
	bool ok = order == 11;
	while (order-- > 0) {
		uint64_t *p = pa_to_kva(pa[order]);
		ok &= EXPECT(p[0] == PATTERN);
		ok &= EXPECT(frame_free(pa[order], (unsigned)order) == ERR_OK);
	}
	return ok;
}

static bool test_buddy_misuse(void)
{
	paddr_t pa;

	if (!EXPECT(frame_alloc(1, false, &pa) == ERR_OK))
		return false;
	bool ok = EXPECT(frame_free(pa, 0) == ERR_INVALID);	  /* wrong order */
	ok &= EXPECT(frame_free(pa + PAGE_SIZE, 0) == ERR_STATE); /* tail page */
	ok &= EXPECT(frame_free(pa, 1) == ERR_OK);
	ok &= EXPECT(frame_free(pa, 1) == ERR_STATE); /* double free */
	int e = frame_free(kernel_load_pa, 0);	      /* the image: never allocated */
	ok &= EXPECT(e == ERR_RANGE || e == ERR_STATE);
	return ok;
}

static bool test_kmalloc(void)
{
	void *p[64];
	bool ok = true;

	for (int i = 0; i < 64; i++) {
		size_t sz = (size_t)(i * 97 % 3000) + 1;
		p[i] = kmalloc(sz);
		if (!EXPECT(p[i] != NULL))
			return false;
		memset(p[i], i, sz);
	}
	for (int i = 0; i < 64; i++) {
		ok &= EXPECT(((unsigned char *)p[i])[0] == (unsigned char)i);
		ok &= EXPECT(kfree(p[i]) == ERR_OK);
	}
	ok &= EXPECT(kfree(p[0]) != ERR_OK); /* double free is refused */
	return ok;
}

/*
 * Sv39 on the real MMU: map a fresh frame at a scratch address, access it
 * through the new mapping, protect it read-only and take the store fault,
 * unmap it and take the load fault. Faults are recovered through the
 * exception table, as copies from user memory will be.
 */
static bool test_sv39_4k(void)
{
	const vaddr_t va = KSCRATCH_BASE;
	paddr_t pa;
	uint64_t v = 0;
	bool ok = true;

	if (!EXPECT(frame_alloc(0, true, &pa) == ERR_OK))
		return false;
	*(uint64_t *)pa_to_kva(pa) = PATTERN;
	ok &= EXPECT(pt_map(kvm_root(), va, pa, PAGE_4K, PTE_R | PTE_W | PTE_G | PTE_A | PTE_D,
			    &kernel_pt_alloc) == ERR_OK);
	arch_sfence_vma(va, 0);
	ok &= EXPECT(probe_load64(va, &v) == ERR_OK && v == PATTERN);
	ok &= EXPECT(probe_store64(va + 8, ~PATTERN) == ERR_OK);
	ok &= EXPECT(((uint64_t *)pa_to_kva(pa))[1] == ~PATTERN);

	ok &= EXPECT(pt_protect(kvm_root(), va, PTE_R | PTE_G | PTE_A) == ERR_OK);
	arch_sfence_vma(va, 0);
	ok &= EXPECT(probe_store64(va, 1) == ERR_FAULT);
	ok &= EXPECT(trap_last_fixup_cause() == EXC_STORE_PAGE);
	ok &= EXPECT(pt_protect(kvm_root(), va, PTE_R | PTE_W | PTE_X) == ERR_PERM);

	paddr_t old = 0;
	ok &= EXPECT(pt_unmap(kvm_root(), va, PAGE_4K, &kernel_pt_alloc, &old) == ERR_OK);
	ok &= EXPECT(old == pa);
	arch_sfence_vma(va, 0);
	ok &= EXPECT(probe_load64(va, &v) == ERR_FAULT);
	ok &= EXPECT(trap_last_fixup_cause() == EXC_LOAD_PAGE);
	ok &= EXPECT(frame_free(pa, 0) == ERR_OK);
	return ok;
}

/* A 2 MiB leaf: both ends of the page translate to the right frame. */
static bool test_sv39_2m(void)
{
	const vaddr_t va = KSCRATCH_BASE + PAGE_2M;
	paddr_t pa;
	uint64_t v = 0;
	bool ok = true;

	if (!EXPECT(frame_alloc(9, true, &pa) == ERR_OK))
		return false;
	((uint64_t *)pa_to_kva(pa))[PAGE_2M / 8 - 1] = PATTERN;
	ok &= EXPECT(pt_map(kvm_root(), va, pa, PAGE_2M, PTE_R | PTE_W | PTE_G | PTE_A | PTE_D,
			    &kernel_pt_alloc) == ERR_OK);
	arch_sfence_vma(va, 0);
	struct pt_walk w = pt_walk(kvm_root(), va + PAGE_2M - 8);
	ok &= EXPECT(w.mapped && w.level == 1 && w.pa == pa + PAGE_2M - 8);
	ok &= EXPECT(probe_load64(va + PAGE_2M - 8, &v) == ERR_OK && v == PATTERN);
	ok &= EXPECT(pt_unmap(kvm_root(), va, PAGE_2M, &kernel_pt_alloc, NULL) == ERR_OK);
	arch_sfence_vma(va, 0);
	ok &= EXPECT(probe_load64(va, &v) == ERR_FAULT);
	ok &= EXPECT(frame_free(pa, 9) == ERR_OK);
	return ok;
}

/* W^X holds for kernel mappings too, and nothing is left behind. */
static bool test_sv39_wx_refused(void)
{
	paddr_t pa;

	if (!EXPECT(frame_alloc(0, true, &pa) == ERR_OK))
		return false;
	bool ok = EXPECT(pt_map(kvm_root(), KSCRATCH_BASE, pa, PAGE_4K, PTE_R | PTE_W | PTE_X,
				&kernel_pt_alloc) == ERR_PERM);
	ok &= EXPECT(!pt_walk(kvm_root(), KSCRATCH_BASE).mapped);
	ok &= EXPECT(frame_free(pa, 0) == ERR_OK);
	return ok;
}

/* The kernel image is mapped W^X: text is not writable, data not executable. */
static bool test_image_permissions(void)
{
	struct pt_walk t = pt_walk(kvm_root(), (vaddr_t)(uintptr_t)_head);
	struct pt_walk r = pt_walk(kvm_root(), (vaddr_t)(uintptr_t)_etext);
	struct pt_walk d = pt_walk(kvm_root(), (vaddr_t)(uintptr_t)__bss_start);
	bool ok = EXPECT(t.mapped && (*t.pte & PTE_X) && !(*t.pte & PTE_W));
	ok &= EXPECT(r.mapped && !(*r.pte & PTE_X) && !(*r.pte & PTE_W));
	ok &= EXPECT(d.mapped && !(*d.pte & PTE_X) && (*d.pte & PTE_W));
	ok &= EXPECT(probe_store64((uintptr_t)_head, 0) == ERR_FAULT);
	return ok;
}

/* Every online hart takes timer interrupts. */
static bool test_timer_all_harts(void)
{
	uint64_t start[MAX_HARTS];
	uint64_t deadline = arch_time() + platform.timebase_hz; /* one second */

	for (unsigned i = 0; i < nharts; i++)
		start[i] = harts[i].ticks;
	for (;;) {
		bool all = true;
		for (unsigned i = 0; i < nharts; i++) {
			if (harts[i].online && harts[i].ticks < start[i] + 3)
				all = false;
		}
		if (all)
			return true;
		if (arch_time() > deadline)
			break;
		arch_wfi();
	}
	for (unsigned i = 0; i < nharts; i++)
		kprintf("    hart %u: %lu ticks\n", harts[i].hartid, harts[i].ticks - start[i]);
	return false;
}

/* Every usable hart of the device tree came online. */
static bool test_all_harts_online(void)
{
	unsigned usable = 0, online = 0;

	for (unsigned i = 0; i < platform.nharts; i++)
		usable += platform.harts[i].usable;
	for (unsigned i = 0; i < nharts; i++)
		online += harts[i].online != 0;
	return EXPECT(online == usable);
}

int selftest_run(void)
{
	run("buddy_orders", test_buddy_orders);
	run("buddy_misuse", test_buddy_misuse);
	run("kmalloc", test_kmalloc);
	run("sv39_4k_map_access_fault", test_sv39_4k);
	run("sv39_2m_leaf", test_sv39_2m);
	run("sv39_wx_refused", test_sv39_wx_refused);
	run("image_wx", test_image_permissions);
	run("harts_online", test_all_harts_online);
	run("timer_all_harts", test_timer_all_harts);
	kprintf("selftest: %d passed, %d failed\n", passes, failures);
	return failures;
}
