/*
 * Per-hart state. Each hart's tp register points at its struct hart while
 * it runs in the kernel; fields are written only by the hart itself unless
 * marked otherwise.
 */
#ifndef STRATA_KERNEL_HART_H
#define STRATA_KERNEL_HART_H

#include <stdbool.h>
#include <stdint.h>

#include "kernel/memlayout.h"
#include "kernel/thread.h"

struct space;

struct hart {
	uint64_t stack_top; /* first field: secondary_high loads sp from it */
	uint64_t stack_base;
	uint32_t hartid;	 /* the firmware's hart id */
	unsigned index;		 /* 0 = boot hart, then in start order */
	volatile int online;	 /* set by the hart itself, read by the boot hart */
	volatile uint64_t ticks; /* timer interrupts taken */
	uint64_t fixup_cause;	 /* scause of the last exception-table fixup */
	uint64_t fixup_addr;	 /* stval of the last exception-table fixup */
	volatile bool halted;	 /* set when stopped by panic */

	/* Scheduling; written by this hart under the big kernel lock. */
	struct thread *current;	  /* NULL while in the scheduler loop */
	struct context sched_ctx; /* the scheduler loop's context */
	volatile bool idle;	  /* waiting in wfi; read by other harts */
	uint64_t idle_time;	  /* timebase ticks spent in the idle wfi (SYS_KERNEL_STATS) */
	unsigned slice_left;	  /* ticks left in current's time slice */
	struct space *space;	  /* whose user half satp holds, or NULL */
	uint16_t asid;	   /* the ASID satp holds with it (space->asid but after a roll-over) */
	uint64_t asid_gen; /* ASID generation this hart's TLB is clean for */
	/*
	 * The thread whose FP state this hart's f registers hold, or NULL.
	 * Set by user_return when it loads them; cleared by run() whenever
	 * the thread leaves the hart, so it is only ever current or NULL.
	 */
	struct thread *fpu_owner;
};

extern struct hart harts[MAX_HARTS];
extern unsigned nharts; /* harts in use (online or being started) */

static inline struct hart *this_hart(void)
{
	struct hart *h;
	__asm__ volatile("mv %0, tp" : "=r"(h));
	return h;
}

/* Start every usable hart of the platform except the boot hart. */
void smp_start_secondaries(void);
/* Interrupt every other online hart and stop it (used by panic). */
void smp_stop_others(void);
/* Software interrupt handler. */
void smp_handle_ipi(void);
/* Interrupt hart h (to wake it from idle, or to reach its user thread). */
void smp_kick(struct hart *h);

#endif
