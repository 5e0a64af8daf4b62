/* What the boot sequence learned, for the rest of the kernel. */
#ifndef STRATA_KERNEL_BOOT_H
#define STRATA_KERNEL_BOOT_H

#include <stdbool.h>

#include "lib/dt_platform.h"
#include "mm/types.h"

extern struct platform platform;
extern paddr_t kernel_load_pa; /* physical address of the image's first byte */
extern char _head[], _etext[], _erodata[], __bss_start[], __bss_end[], _end[];

/* Physical address of a kernel image symbol. */
static inline paddr_t kimg_to_pa(const void *p)
{
	return (paddr_t)((uintptr_t)p - (uintptr_t)_head) + kernel_load_pa;
}

/* True if the command line (/chosen bootargs) has word as a whole token. */
bool boot_arg_present(const char *word);
/* Value of "key=N" on the command line; false if absent. */
bool boot_arg_uint(const char *key, uint64_t *out);

#endif
