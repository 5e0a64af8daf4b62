/*
 * Strata's virtual memory map (Sv39, 39-bit virtual addresses).
 *
 *  0xffffffffffffffff +--------------------------------+
 *                     | kernel image (text, rodata,    |  root slots 510..511
 *                     | data, bss), linked at          |
 *  KERNEL_VBASE ----> | 0xffffffff80200000             |
 *  0xffffffff80000000 +--------------------------------+
 *                     | scratch: self-tests, temporary |  root slot 509
 *  KSCRATCH_BASE ---> | kernel mappings                |
 *  0xffffffff40000000 +--------------------------------+
 *                     | direct map: physical address   |  root slots 256..508
 *                     | pa is at DIRECT_BASE + pa      |  (RAM and device MMIO,
 *  DIRECT_BASE -----> |                                |   up to DIRECT_MAX_PA)
 *  0xffffffc000000000 +--------------------------------+
 *                     | not canonical in Sv39          |
 *  0x0000004000000000 +--------------------------------+ USER_TOP (2^38)
 *                     | user space (one per process)   |  root slots 0..255
 *  0x0000000000000000 +--------------------------------+
 *
 * The kernel half (slots 256..511) is the same in every root table and its
 * mappings are Global. The kernel image is loaded at any 2 MiB aligned
 * physical address; the boot code maps it at KERNEL_VBASE whatever that is.
 */
#ifndef STRATA_KERNEL_MEMLAYOUT_H
#define STRATA_KERNEL_MEMLAYOUT_H

#define KERNEL_VBASE  0xffffffff80200000
#define KSCRATCH_BASE 0xffffffff40000000
#define KSCRATCH_SIZE 0x40000000
#define DIRECT_BASE   0xffffffc000000000
#define DIRECT_MAX_PA 0x3f40000000 /* 253 GiB: slots 256..508 */
#define USER_TOP      0x0000004000000000

#define ROOT_SLOT_DIRECT_FIRST 256
#define ROOT_SLOT_DIRECT_LAST  508
#define ROOT_SLOT_KERNEL       510

#define KSTACK_ORDER 2 /* 16 KiB kernel stacks */
#define KSTACK_SIZE  (4096 << KSTACK_ORDER)
#define MAX_HARTS    32

#endif
