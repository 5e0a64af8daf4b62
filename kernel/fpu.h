/*
 * Floating point (F and D extensions) for user threads. The kernel itself
 * is built without FP and runs with sstatus.FS = Off; only kernel/fpu.S
 * touches the FP registers, with the D extension enabled for that file.
 *
 * Eager switching: a thread's f0-f31 and fcsr are saved into its struct
 * fpu_state on every trap from user mode that finds sstatus.FS = Dirty, and
 * loaded on the way back to user mode unless this hart still holds them
 * (struct hart.fpu_owner). See docs/architecture.md, "Floating point".
 */
#ifndef STRATA_KERNEL_FPU_H
#define STRATA_KERNEL_FPU_H

#define FPU_FCSR_OFF (32 * 8)

#ifndef __ASSEMBLY__
#include <stddef.h>
#include <stdint.h>

struct fpu_state {
	uint64_t f[32]; /* f0-f31, 64 bits each (fsd/fld) */
	uint64_t fcsr;	/* low 8 bits: frm (7:5), fflags (4:0) */
};

_Static_assert(offsetof(struct fpu_state, fcsr) == FPU_FCSR_OFF, "fpu_state matches kernel/fpu.S");

/* Store this hart's f0-f31 and fcsr into *s. Needs sstatus.FS != Off. */
void fpu_save(struct fpu_state *s);
/* Load f0-f31 and fcsr from *s. Needs sstatus.FS != Off; leaves it Dirty. */
void fpu_restore(const struct fpu_state *s);
#endif

#endif
