/*
 * Boot entry. The image starts with the RISC-V Linux image header so that
 * U-Boot's booti loads it; QEMU -kernel jumps to the first byte too, which
 * is a jump over the header.
 *
 * Every hart arrives here in S-mode with a0 = hart id, a1 = DTB (physical),
 * paging off, at whatever physical address the image was loaded (2 MiB
 * aligned). The boot hart zeroes bss, builds a boot page table that maps
 *   - the load region 1:1 (one 1 GiB page) so the next instruction after
 *     enabling paging still runs,
 *   - the direct map DIRECT_BASE + pa for pa < DIRECT_MAX_PA (1 GiB pages),
 *   - the image at KERNEL_VBASE (2 MiB pages, RWX until kvm_init replaces it),
 * jumps to the high half and calls kmain(hartid, dtb_pa). Secondary harts
 * enter at secondary_entry with a1 = their struct hart and reuse the table.
 */
#include "kernel/memlayout.h"

#define PTE_V 0x01
#define PTE_RWX_AD 0xce /* R W X A D */
#define PTE_RW_ADG 0xe6 /* R W A D G */
#define BOOT_IMAGE_2M_PAGES 16 /* the image + bss must fit in 32 MiB */

	.section .text.head, "ax"
	.option push
	.option norvc
	.globl _head_code
_head_code:
	j _start                  /* code0 */
	.word 0                   /* code1 */
	.dword 0x200000           /* text_offset: load at RAM base + 2 MiB */
	.dword __image_size       /* image_size, including bss */
	.dword 0                  /* flags: little endian */
	.word 2                   /* version 0.2 */
	.word 0                   /* res1 */
	.dword 0                  /* res2 */
	.ascii "RISCV\0\0\0"      /* magic */
	.ascii "RSC\x05"          /* magic2 */
	.word 0                   /* res3 */
	.option pop

	.section .text.boot, "ax"
	.globl _start
_start:
	lla t0, early_trap
	csrw stvec, t0
	csrw sie, zero
	csrw satp, zero
	mv s0, a0
	mv s1, a1

	/* The image must sit on a 2 MiB boundary: the boot map uses 2 MiB pages. */
	lla s2, _head_code
	li t0, 0x1fffff
	and t0, s2, t0
	bnez t0, misaligned

	lla t0, __bss_start
	lla t1, __bss_end
1:	bgeu t0, t1, 2f
	sd zero, 0(t0)
	addi t0, t0, 8
	j 1b
2:
	lla t0, kernel_load_pa
	sd s2, 0(t0)

	/* Identity map of the 1 GiB that holds the image. */
	lla t0, boot_pt_root
	srli t1, s2, 30
	slli t2, t1, 3
	add t2, t0, t2
	slli t3, t1, 28
	ori t3, t3, PTE_V | PTE_RWX_AD
	sd t3, 0(t2)

	/* Direct map: slots 256..508 -> physical GiB 0..252. */
	li t1, 0
	li t4, (ROOT_SLOT_DIRECT_LAST - ROOT_SLOT_DIRECT_FIRST + 1)
3:	slli t3, t1, 28
	ori t3, t3, PTE_V | PTE_RW_ADG
	addi t2, t1, ROOT_SLOT_DIRECT_FIRST
	slli t2, t2, 3
	add t2, t0, t2
	sd t3, 0(t2)
	addi t1, t1, 1
	blt t1, t4, 3b

	/* Kernel image: slot 510 -> boot_pt_kernel, 2 MiB pages from VPN1 = 1. */
	lla t5, boot_pt_kernel
	srli t3, t5, 12
	slli t3, t3, 10
	ori t3, t3, PTE_V
	li t2, ROOT_SLOT_KERNEL * 8
	add t2, t0, t2
	sd t3, 0(t2)
	li t1, 0
	li t4, BOOT_IMAGE_2M_PAGES
4:	slli t3, t1, 21
	add t3, t3, s2
	srli t3, t3, 12
	slli t3, t3, 10
	ori t3, t3, PTE_V | PTE_RWX_AD
	addi t2, t1, 1
	slli t2, t2, 3
	add t2, t5, t2
	sd t3, 0(t2)
	addi t1, t1, 1
	blt t1, t4, 4b

	call boot_enable_paging
	lla t0, .Lkmain_high
	ld t0, 0(t0)
	jr t0

misaligned:
	lla s3, misaligned_msg
5:	lbu a0, 0(s3)
	beqz a0, early_trap
	li a7, 1 /* SBI legacy console putchar */
	ecall
	addi s3, s3, 1
	j 5b

/* satp <- boot_pt_root (Sv39, ASID 0); the identity map keeps us running. */
boot_enable_paging:
	lla t0, boot_pt_root
	srli t0, t0, 12
	li t1, 8
	slli t1, t1, 60
	or t0, t0, t1
	sfence.vma
	csrw satp, t0
	sfence.vma
	ret

	.globl secondary_entry
secondary_entry:
	lla t0, early_trap
	csrw stvec, t0
	csrw sie, zero
	mv s0, a0
	mv s1, a1
	call boot_enable_paging
	lla t0, .Lsecondary_high
	ld t0, 0(t0)
	jr t0

	.align 2
early_trap:
	wfi
	j early_trap

	.align 3
.Lkmain_high:
	.dword kmain_high
.Lsecondary_high:
	.dword secondary_high

	.section .rodata
misaligned_msg:
	.asciz "strata: image not loaded at a 2 MiB boundary; stopping\n"

	.text
/* Now running at KERNEL_VBASE: pc-relative addresses are virtual. */
kmain_high:
	la sp, boot_stack_top
	la tp, harts /* harts[0] is the boot hart */
	mv a0, s0
	mv a1, s1
	li fp, 0 /* fp is s0: clear it only now, it ends backtraces */
	call kmain
6:	wfi
	j 6b

/* a1 was the hart's struct hart: its first field is the stack top. */
secondary_high:
	ld sp, 0(s1)
	li fp, 0
	mv tp, s1
	mv a0, s1
	call secondary_main
7:	wfi
	j 7b

	.section .bss
	.align 12
	.globl boot_pt_root
boot_pt_root:
	.space 4096
boot_pt_kernel:
	.space 4096
	.globl boot_stack
boot_stack:
	.space KSTACK_SIZE
	.globl boot_stack_top
boot_stack_top:

	.section .data
	.align 3
	.globl kernel_load_pa
kernel_load_pa:
	.dword 0
