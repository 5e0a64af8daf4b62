#include "kernel/kvm.h"

#include "kernel/arch.h"
#include "kernel/boot.h"
#include "kernel/frames.h"
#include "kernel/spinlock.h"
#include "lib/error.h"
#include "mm/physmap.h"
#include "mm/pt.h"

#define KFLAGS (PTE_G | PTE_A | PTE_D)

static paddr_t root;
static unsigned asid_bits;
static struct spinlock kvm_lock = SPINLOCK_INIT("kvm");

static int map_image_section(const char *start, const char *end, uint64_t flags)
{
	size_t len = ALIGN_UP((uintptr_t)end, PAGE_SIZE) - (uintptr_t)start;

	return pt_map_range(root, (vaddr_t)(uintptr_t)start, kimg_to_pa(start), len, flags | KFLAGS,
			    &kernel_pt_alloc);
}

static int map_ram(void)
{
	for (unsigned i = 0; i < platform.nmem; i++) {
		paddr_t b = ALIGN_UP(platform.mem[i].base, PAGE_SIZE);
		paddr_t e = ALIGN_DOWN(platform.mem[i].base + platform.mem[i].size, PAGE_SIZE);
		if (e > DIRECT_MAX_PA)
			e = DIRECT_MAX_PA;
		if (b >= e)
			continue;
		int err = pt_map_range(root, DIRECT_VA(b), b, e - b, PTE_R | PTE_W | KFLAGS,
				       &kernel_pt_alloc);
		if (err != ERR_OK)
			return err;
	}
	return ERR_OK;
}

/* Write all-ones into satp's ASID field and see which bits stick. */
static unsigned detect_asid_bits(unsigned long satp)
{
	csr_write(satp, satp | (SATP_ASID_MASK << SATP_ASID_SHIFT));
	unsigned long got = (csr_read(satp) >> SATP_ASID_SHIFT) & SATP_ASID_MASK;
	csr_write(satp, satp);
	arch_sfence_vma_all();
	unsigned n = 0;
	while (got & 1) {
		n++;
		got >>= 1;
	}
	return n;
}

int kvm_init(void)
{
	int e = frame_alloc(0, true, &root);

	if (e == ERR_OK)
		e = map_ram();
	if (e == ERR_OK)
		e = map_image_section(_head, _etext, PTE_R | PTE_X);
	if (e == ERR_OK)
		e = map_image_section(_etext, _erodata, PTE_R);
	if (e == ERR_OK)
		e = map_image_section(_erodata, _end, PTE_R | PTE_W);
	if (e != ERR_OK)
		return e;
	unsigned long satp = SATP_MODE_SV39 | (root >> PAGE_SHIFT);
	arch_set_satp(satp);
	asid_bits = detect_asid_bits(satp);
	return ERR_OK;
}

void kvm_switch_hart(void)
{
	arch_set_satp(SATP_MODE_SV39 | (root >> PAGE_SHIFT));
}

int kvm_map_device(paddr_t pa, size_t len)
{
	paddr_t b = ALIGN_DOWN(pa, PAGE_SIZE), e = ALIGN_UP(pa + len, PAGE_SIZE);
	int err = ERR_OK;

	if (e > DIRECT_MAX_PA || e < b)
		return ERR_RANGE;
	spin_lock(&kvm_lock);
	for (paddr_t p = b; p < e && err == ERR_OK; p += PAGE_SIZE) {
		struct pt_walk w = pt_walk(root, DIRECT_VA(p));
		if (w.mapped)
			continue; /* RAM or an earlier device mapping already covers it */
		err = pt_map(root, DIRECT_VA(p), p, PAGE_4K, PTE_R | PTE_W | KFLAGS,
			     &kernel_pt_alloc);
		arch_sfence_vma(DIRECT_VA(p), 0);
	}
	spin_unlock(&kvm_lock);
	return err;
}

paddr_t kvm_root(void)
{
	return root;
}

unsigned kvm_asid_bits(void)
{
	return asid_bits;
}
