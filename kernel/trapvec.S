/*
 * Trap entry and exit. stvec always points at trap_entry. sscratch tells
 * where the trap came from: 0 while the hart runs in the kernel; the
 * current thread's struct utrapframe while it runs in user mode.
 *
 * From user mode: save the user registers into the utrapframe, load tp
 * (this hart) from it, and call user_trap(tf) on the thread's kernel stack
 * just below the frame. user_trap never returns; it leaves through
 * user_return_to(tf).
 *
 * From the kernel: push a struct trapframe on the current stack and call
 * kernel_trap(tf); restore (sepc and sstatus may have been changed by an
 * exception-table fixup) and sret.
 */
#include "kernel/trap.h"

#define UTF_KERNEL_TP (TF_SIZE)

.macro SAVE_GPRS base
	sd x1, 1*8(\base)
	sd x3, 3*8(\base)
	sd x4, 4*8(\base)
	sd x5, 5*8(\base)
	sd x6, 6*8(\base)
	sd x7, 7*8(\base)
	sd x8, 8*8(\base)
	sd x9, 9*8(\base)
	sd x10, 10*8(\base)
	sd x11, 11*8(\base)
	sd x12, 12*8(\base)
	sd x13, 13*8(\base)
	sd x14, 14*8(\base)
	sd x15, 15*8(\base)
	sd x16, 16*8(\base)
	sd x17, 17*8(\base)
	sd x18, 18*8(\base)
	sd x19, 19*8(\base)
	sd x20, 20*8(\base)
	sd x21, 21*8(\base)
	sd x22, 22*8(\base)
	sd x23, 23*8(\base)
	sd x24, 24*8(\base)
	sd x25, 25*8(\base)
	sd x26, 26*8(\base)
	sd x27, 27*8(\base)
	sd x28, 28*8(\base)
	sd x29, 29*8(\base)
	sd x30, 30*8(\base)
	sd x31, 31*8(\base)
.endm

/* sepc, sstatus, scause and stval into the frame at base (clobbers t0). */
.macro SAVE_TRAP_CSRS base
	csrr t0, sepc
	sd t0, TF_SEPC*8(\base)
	csrr t0, sstatus
	sd t0, TF_SSTATUS*8(\base)
	csrr t0, scause
	sd t0, TF_SCAUSE*8(\base)
	csrr t0, stval
	sd t0, TF_STVAL*8(\base)
.endm

/* Restores every register but x2 (sp), which the caller handles. */
.macro LOAD_GPRS base
	ld x1, 1*8(\base)
	ld x3, 3*8(\base)
	ld x4, 4*8(\base)
	ld x5, 5*8(\base)
	ld x6, 6*8(\base)
	ld x7, 7*8(\base)
	ld x8, 8*8(\base)
	ld x9, 9*8(\base)
	ld x10, 10*8(\base)
	ld x11, 11*8(\base)
	ld x12, 12*8(\base)
	ld x13, 13*8(\base)
	ld x14, 14*8(\base)
	ld x15, 15*8(\base)
	ld x16, 16*8(\base)
	ld x17, 17*8(\base)
	ld x18, 18*8(\base)
	ld x19, 19*8(\base)
	ld x20, 20*8(\base)
	ld x21, 21*8(\base)
	ld x22, 22*8(\base)
	ld x23, 23*8(\base)
	ld x24, 24*8(\base)
	ld x25, 25*8(\base)
	ld x26, 26*8(\base)
	ld x27, 27*8(\base)
	ld x28, 28*8(\base)
	ld x29, 29*8(\base)
	ld x30, 30*8(\base)
	ld x31, 31*8(\base)
.endm

	.text
	.align 4
	.globl trap_entry
trap_entry:
	csrrw sp, sscratch, sp
	bnez sp, from_user
	csrrw sp, sscratch, sp /* from the kernel: sp back, sscratch = 0 again */

	addi sp, sp, -TF_SIZE
	SAVE_GPRS sp
	addi t0, sp, TF_SIZE
	sd t0, 2*8(sp)
	SAVE_TRAP_CSRS sp
	mv a0, sp
	call kernel_trap
	ld t0, TF_SEPC*8(sp)
	csrw sepc, t0
	ld t0, TF_SSTATUS*8(sp)
	csrw sstatus, t0
	LOAD_GPRS sp
	addi sp, sp, TF_SIZE
	sret

from_user:
	/* sp = this thread's utrapframe, sscratch = the user's sp */
	SAVE_GPRS sp
	csrr t0, sscratch
	sd t0, 2*8(sp)
	csrw sscratch, zero
	SAVE_TRAP_CSRS sp
	ld tp, UTF_KERNEL_TP(sp)
	mv a0, sp
	li fp, 0
	call user_trap
1:	j 1b /* user_trap does not return */

/*
 * void user_return_to(struct utrapframe *utf): load the user registers
 * and sret to U-mode. The caller has set sstatus (SPP = 0, SPIE) and holds
 * no locks; interrupts are off until sret.
 */
	.globl user_return_to
user_return_to:
	ld t0, TF_SEPC*8(a0)
	csrw sepc, t0
	csrw sscratch, a0
	mv sp, a0
	LOAD_GPRS sp
	ld sp, 2*8(sp)
	sret
