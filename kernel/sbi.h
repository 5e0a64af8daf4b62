/* Calls into the SBI firmware (OpenSBI) running in M-mode. */
#ifndef STRATA_KERNEL_SBI_H
#define STRATA_KERNEL_SBI_H

#include <stdbool.h>
#include <stdint.h>

#define SBI_EXT_BASE   0x10
#define SBI_EXT_TIME   0x54494d45
#define SBI_EXT_IPI    0x735049
#define SBI_EXT_RFENCE 0x52464e43
#define SBI_EXT_HSM    0x48534d
#define SBI_EXT_SRST   0x53525354
#define SBI_EXT_DBCN   0x4442434e

#define SBI_SUCCESS		0
#define SBI_HSM_STARTED		0
#define SBI_SRST_SHUTDOWN	0
#define SBI_SRST_REASON_NONE	0
#define SBI_SRST_REASON_FAILURE 1

struct sbiret {
	long error;
	long value;
};

struct sbiret sbi_call(long ext, long fid, long a0, long a1, long a2, long a3);

/* Probe which extensions the firmware has; call once at boot. */
void sbi_init(void);
bool sbi_has(long ext);
/* The firmware has no BASE extension (SBI v0.1): only the legacy calls exist. */
bool sbi_is_legacy(void);
long sbi_spec_version(void);

/* Early console: DBCN where present, else the legacy putchar. */
void sbi_console_putc(char c);

void sbi_set_timer(uint64_t stime);
/* Send a software interrupt to the harts in mask (bit i = hart base+i). */
long sbi_send_ipi(unsigned long mask, unsigned long base);
/* sfence.vma on remote harts for [start, start+size) of every address space. */
long sbi_remote_sfence_vma(unsigned long mask, unsigned long base, unsigned long start,
			   unsigned long size);
/* sfence.vma on remote harts for [start, start+size) of asid. */
long sbi_remote_sfence_vma_asid(unsigned long mask, unsigned long base, unsigned long start,
				unsigned long size, unsigned long asid);
long sbi_hart_start(unsigned long hartid, unsigned long start_pa, unsigned long opaque);
long sbi_hart_status(unsigned long hartid);
void sbi_hart_stop(void) __attribute__((noreturn));
/* Returns only if the firmware refused. */
long sbi_system_reset(unsigned long type, unsigned long reason);

const char *sbi_error_name(long err);

#endif
