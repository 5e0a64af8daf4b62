/*
 * FP register save and restore (see kernel/fpu.h). The kernel is built for
 * rv64imac; the D extension is enabled for these two functions only. The
 * caller makes sure sstatus.FS is not Off.
 */
#include "kernel/fpu.h"

	.text
	.option push
	.option arch, +d

/* void fpu_save(struct fpu_state *a0) */
	.globl fpu_save
fpu_save:
	fsd f0, 0*8(a0)
	fsd f1, 1*8(a0)
	fsd f2, 2*8(a0)
	fsd f3, 3*8(a0)
	fsd f4, 4*8(a0)
	fsd f5, 5*8(a0)
	fsd f6, 6*8(a0)
	fsd f7, 7*8(a0)
	fsd f8, 8*8(a0)
	fsd f9, 9*8(a0)
	fsd f10, 10*8(a0)
	fsd f11, 11*8(a0)
	fsd f12, 12*8(a0)
	fsd f13, 13*8(a0)
	fsd f14, 14*8(a0)
	fsd f15, 15*8(a0)
	fsd f16, 16*8(a0)
	fsd f17, 17*8(a0)
	fsd f18, 18*8(a0)
	fsd f19, 19*8(a0)
	fsd f20, 20*8(a0)
	fsd f21, 21*8(a0)
	fsd f22, 22*8(a0)
	fsd f23, 23*8(a0)
	fsd f24, 24*8(a0)
	fsd f25, 25*8(a0)
	fsd f26, 26*8(a0)
	fsd f27, 27*8(a0)
	fsd f28, 28*8(a0)
	fsd f29, 29*8(a0)
	fsd f30, 30*8(a0)
	fsd f31, 31*8(a0)
	frcsr t0
	sd t0, FPU_FCSR_OFF(a0)
	ret

/* void fpu_restore(const struct fpu_state *a0) */
	.globl fpu_restore
fpu_restore:
	fld f0, 0*8(a0)
	fld f1, 1*8(a0)
	fld f2, 2*8(a0)
	fld f3, 3*8(a0)
	fld f4, 4*8(a0)
	fld f5, 5*8(a0)
	fld f6, 6*8(a0)
	fld f7, 7*8(a0)
	fld f8, 8*8(a0)
	fld f9, 9*8(a0)
	fld f10, 10*8(a0)
	fld f11, 11*8(a0)
	fld f12, 12*8(a0)
	fld f13, 13*8(a0)
	fld f14, 14*8(a0)
	fld f15, 15*8(a0)
	fld f16, 16*8(a0)
	fld f17, 17*8(a0)
	fld f18, 18*8(a0)
	fld f19, 19*8(a0)
	fld f20, 20*8(a0)
	fld f21, 21*8(a0)
	fld f22, 22*8(a0)
	fld f23, 23*8(a0)
	fld f24, 24*8(a0)
	fld f25, 25*8(a0)
	fld f26, 26*8(a0)
	fld f27, 27*8(a0)
	fld f28, 28*8(a0)
	fld f29, 29*8(a0)
	fld f30, 30*8(a0)
	fld f31, 31*8(a0)
	ld t0, FPU_FCSR_OFF(a0)
	fscsr t0
	ret

	.option pop
