/*
 * The reference-count self-check (SYS_KERNEL_CHECK): every live object's
 * count must equal the references the kernel can account for — handles,
 * mappings, quota charges, queued and staged IPC, the pointers listed in
 * kernel/objgraph.c, a live thread's hold on itself and the kernel's own
 * roots. A count above that is a leak, below it a use-after-free waiting.
 */
#ifndef STRATA_KERNEL_OBJCHECK_H
#define STRATA_KERNEL_OBJCHECK_H

#include <stdint.h>

/* Check every object; name each that disagrees on the console. Returns how many. */
uint64_t objcheck_run(void);

#endif
