/*
 * The RISC-V contract: every CSR access, fence and privileged instruction
 * the generic kernel needs is one of these small inline functions.
 */
#ifndef STRATA_KERNEL_ARCH_H
#define STRATA_KERNEL_ARCH_H

#include <stdint.h>

#define SSTATUS_SIE	   (1ul << 1)
#define SSTATUS_SPIE	   (1ul << 5)
#define SSTATUS_SPP	   (1ul << 8)
#define SSTATUS_FS	   (3ul << 13) /* FP state: Off, Initial, Clean, Dirty */
#define SSTATUS_FS_OFF	   (0ul << 13)
#define SSTATUS_FS_INITIAL (1ul << 13)
#define SSTATUS_FS_CLEAN   (2ul << 13)
#define SSTATUS_FS_DIRTY   (3ul << 13)
#define SSTATUS_SUM	   (1ul << 18)

#define SIE_SSIE (1ul << 1)
#define SIE_STIE (1ul << 5)
#define SIE_SEIE (1ul << 9)

#define SCAUSE_INTR (1ul << 63)
#define IRQ_S_SOFT  1
#define IRQ_S_TIMER 5
#define IRQ_S_EXT   9

#define EXC_INST_MISALIGNED  0
#define EXC_INST_ACCESS	     1
#define EXC_ILLEGAL	     2
#define EXC_BREAKPOINT	     3
#define EXC_LOAD_MISALIGNED  4
#define EXC_LOAD_ACCESS	     5
#define EXC_STORE_MISALIGNED 6
#define EXC_STORE_ACCESS     7
#define EXC_ECALL_U	     8
#define EXC_ECALL_S	     9
#define EXC_INST_PAGE	     12
#define EXC_LOAD_PAGE	     13
#define EXC_STORE_PAGE	     15

#define SATP_MODE_SV39	(8ul << 60)
#define SATP_ASID_SHIFT 44
#define SATP_ASID_MASK	0xfffful

#define CSR_STIMECMP 0x14d

#define csr_read(csr)                                                                              \
	({                                                                                         \
		unsigned long __v;                                                                 \
		__asm__ volatile("csrr %0, " #csr : "=r"(__v)::"memory");                          \
		__v;                                                                               \
	})
#define csr_write(csr, val) __asm__ volatile("csrw " #csr ", %0" ::"rK"(val) : "memory")
#define csr_set(csr, val)   __asm__ volatile("csrs " #csr ", %0" ::"rK"(val) : "memory")
#define csr_clear(csr, val) __asm__ volatile("csrc " #csr ", %0" ::"rK"(val) : "memory")

static inline void arch_sfence_vma_all(void)
{
	__asm__ volatile("sfence.vma" ::: "memory");
}

/* Flush one page of one address space (asid) from this hart's TLB. */
static inline void arch_sfence_vma(uintptr_t va, unsigned long asid)
{
	__asm__ volatile("sfence.vma %0, %1" ::"r"(va), "r"(asid) : "memory");
}

/* Flush every non-global translation of one address space (asid) from this hart's TLB. */
static inline void arch_sfence_vma_asid(unsigned long asid)
{
	__asm__ volatile("sfence.vma zero, %0" ::"r"(asid) : "memory");
}

static inline void arch_wfi(void)
{
	__asm__ volatile("wfi" ::: "memory");
}

static inline void arch_fence(void)
{
	__asm__ volatile("fence rw, rw" ::: "memory");
}

static inline void arch_intr_on(void)
{
	csr_set(sstatus, SSTATUS_SIE);
}

static inline unsigned long arch_intr_off(void)
{
	unsigned long s = csr_read(sstatus);
	csr_clear(sstatus, SSTATUS_SIE);
	return s & SSTATUS_SIE;
}

static inline void arch_intr_restore(unsigned long was_on)
{
	if (was_on)
		csr_set(sstatus, SSTATUS_SIE);
}

static inline uint64_t arch_time(void)
{
	return csr_read(time);
}

static inline void arch_set_satp(unsigned long satp)
{
	csr_write(satp, satp);
	arch_sfence_vma_all();
}

static inline void *arch_frame_pointer(void)
{
	void *fp;
	__asm__ volatile("mv %0, s0" : "=r"(fp));
	return fp;
}

static inline void mmio_write32(uintptr_t addr, uint32_t v)
{
	__asm__ volatile("sw %0, 0(%1)" ::"r"(v), "r"(addr) : "memory");
}

static inline uint32_t mmio_read32(uintptr_t addr)
{
	uint32_t v;
	__asm__ volatile("lw %0, 0(%1)" : "=r"(v) : "r"(addr) : "memory");
	return v;
}

static inline void mmio_write8(uintptr_t addr, uint8_t v)
{
	__asm__ volatile("sb %0, 0(%1)" ::"r"(v), "r"(addr) : "memory");
}

static inline uint8_t mmio_read8(uintptr_t addr)
{
	uint8_t v;
	__asm__ volatile("lbu %0, 0(%1)" : "=r"(v) : "r"(addr) : "memory");
	return v;
}

#endif
