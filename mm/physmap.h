/*
 * The direct map: every physical address the kernel touches is reached at
 * pa + physmap_offset. In the kernel the offset is the direct-map base
 * (see kernel/memlayout.h); in host tests it points into a buffer that
 * simulates physical memory, so mm/ code runs unchanged on both.
 */
#ifndef STRATA_MM_PHYSMAP_H
#define STRATA_MM_PHYSMAP_H

#include "mm/types.h"

extern uintptr_t physmap_offset;

static inline void *pa_to_kva(paddr_t pa)
{
	return (void *)(uintptr_t)(pa + physmap_offset);
}

static inline paddr_t kva_to_pa(const void *kva)
{
	return (paddr_t)((uintptr_t)kva - physmap_offset);
}

#endif
