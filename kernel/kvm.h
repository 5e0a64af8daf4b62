/*
 * The kernel's own address space: the direct map of RAM (largest pages
 * that fit, R+W, no X), device MMIO in the same window, and the image
 * mapped section by section (text R+X, rodata R, data/bss R+W). Every
 * process's root table shares these kernel-half entries.
 */
#ifndef STRATA_KERNEL_KVM_H
#define STRATA_KERNEL_KVM_H

#include "kernel/memlayout.h"
#include "mm/types.h"

#define DIRECT_VA(pa) ((unsigned long)(pa) + DIRECT_BASE)

/* Build the kernel table and switch the boot hart to it. ERR_OK or an error. */
int kvm_init(void);
/* Switch this hart to the kernel table (secondary harts). */
void kvm_switch_hart(void);
/* Map device registers [pa, pa+len) at DIRECT_VA(pa). Idempotent per page. */
int kvm_map_device(paddr_t pa, size_t len);
paddr_t kvm_root(void);
/* Number of implemented ASID bits, found by writing satp. */
unsigned kvm_asid_bits(void);

#endif
