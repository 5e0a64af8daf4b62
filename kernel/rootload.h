#ifndef STRATA_KERNEL_ROOTLOAD_H
#define STRATA_KERNEL_ROOTLOAD_H

/*
 * Start the root task: find "root" in the initrd (cpio newc), check its
 * ELF, load it into a fresh address space (W^X per segment), and give it
 * every initial handle: its space and thread, the memory quota, the system
 * object, the initrd, device MMIO frames and IRQs (struct bootinfo).
 * Returns 0, or -1 after printing why nothing could be started.
 */
int rootload_start(void);

#endif
