/*
 * SBI calls (RISC-V Supervisor Binary Interface v0.2+): a7 = extension,
 * a6 = function, arguments in a0..a5, result in a0 (error) and a1 (value).
 */
#include "kernel/sbi.h"

#include "kernel/arch.h"

static bool has_time, has_ipi, has_rfence, has_hsm, has_srst, has_dbcn;
static bool legacy; /* v0.1 firmware: no BASE extension, nothing can be probed */
static long spec_version;

struct sbiret sbi_call(long ext, long fid, long a0, long a1, long a2, long a3)
{
	register long r_a0 __asm__("a0") = a0;
	register long r_a1 __asm__("a1") = a1;
	register long r_a2 __asm__("a2") = a2;
	register long r_a3 __asm__("a3") = a3;
	register long r_a6 __asm__("a6") = fid;
	register long r_a7 __asm__("a7") = ext;

	__asm__ volatile("ecall"
			 : "+r"(r_a0), "+r"(r_a1)
			 : "r"(r_a2), "r"(r_a3), "r"(r_a6), "r"(r_a7)
			 : "memory");
	return (struct sbiret){r_a0, r_a1};
}

static bool probe(long ext)
{
	struct sbiret r = sbi_call(SBI_EXT_BASE, 3, ext, 0, 0, 0);
	return r.error == SBI_SUCCESS && r.value != 0;
}

void sbi_init(void)
{
	struct sbiret r = sbi_call(SBI_EXT_BASE, 0, 0, 0, 0, 0);

	legacy = r.error != SBI_SUCCESS;
	spec_version = legacy ? 1 : r.value; /* v0.1 */
	if (legacy)
		return;
	has_time = probe(SBI_EXT_TIME);
	has_ipi = probe(SBI_EXT_IPI);
	has_rfence = probe(SBI_EXT_RFENCE);
	has_hsm = probe(SBI_EXT_HSM);
	has_srst = probe(SBI_EXT_SRST);
	has_dbcn = probe(SBI_EXT_DBCN);
}

bool sbi_has(long ext)
{
	switch (ext) {
	case SBI_EXT_TIME:
		return has_time;
	case SBI_EXT_IPI:
		return has_ipi;
	case SBI_EXT_RFENCE:
		return has_rfence;
	case SBI_EXT_HSM:
		return has_hsm;
	case SBI_EXT_SRST:
		return has_srst;
	case SBI_EXT_DBCN:
		return has_dbcn;
	default:
		return !legacy && probe(ext);
	}
}

bool sbi_is_legacy(void)
{
	return legacy;
}

long sbi_spec_version(void)
{
	return spec_version;
}

void sbi_console_putc(char c)
{
	if (has_dbcn) {
		sbi_call(SBI_EXT_DBCN, 2, (unsigned char)c, 0, 0, 0);
		return;
	}
	sbi_call(1, 0, (unsigned char)c, 0, 0, 0); /* legacy console putchar */
}

/* TIME where present, else the legacy call: kernel/timer.c decides whether that may happen. */
void sbi_set_timer(uint64_t stime)
{
	if (has_time)
		sbi_call(SBI_EXT_TIME, 0, (long)stime, 0, 0, 0);
	else
		sbi_call(0, 0, (long)stime, 0, 0, 0); /* legacy set_timer */
}

long sbi_send_ipi(unsigned long mask, unsigned long base)
{
	return sbi_call(SBI_EXT_IPI, 0, (long)mask, (long)base, 0, 0).error;
}

long sbi_remote_sfence_vma(unsigned long mask, unsigned long base, unsigned long start,
			   unsigned long size)
{
	return sbi_call(SBI_EXT_RFENCE, 1, (long)mask, (long)base, (long)start, (long)size).error;
}

long sbi_remote_sfence_vma_asid(unsigned long mask, unsigned long base, unsigned long start,
				unsigned long size, unsigned long asid)
{
	register long r_a4 __asm__("a4") = (long)asid;
	register long r_a0 __asm__("a0") = (long)mask;
	register long r_a1 __asm__("a1") = (long)base;
	register long r_a2 __asm__("a2") = (long)start;
	register long r_a3 __asm__("a3") = (long)size;
	register long r_a6 __asm__("a6") = 2;
	register long r_a7 __asm__("a7") = SBI_EXT_RFENCE;

	__asm__ volatile("ecall"
			 : "+r"(r_a0), "+r"(r_a1)
			 : "r"(r_a2), "r"(r_a3), "r"(r_a4), "r"(r_a6), "r"(r_a7)
			 : "memory");
	return r_a0;
}

long sbi_hart_start(unsigned long hartid, unsigned long start_pa, unsigned long opaque)
{
	return sbi_call(SBI_EXT_HSM, 0, (long)hartid, (long)start_pa, (long)opaque, 0).error;
}

long sbi_hart_status(unsigned long hartid)
{
	struct sbiret r = sbi_call(SBI_EXT_HSM, 2, (long)hartid, 0, 0, 0);
	return r.error ? r.error : r.value;
}

void sbi_hart_stop(void)
{
	sbi_call(SBI_EXT_HSM, 1, 0, 0, 0, 0);
	for (;;)
		arch_wfi();
}

long sbi_system_reset(unsigned long type, unsigned long reason)
{
	return sbi_call(SBI_EXT_SRST, 0, (long)type, (long)reason, 0, 0).error;
}

const char *sbi_error_name(long err)
{
	static const char *const names[] = {
	    "SBI_SUCCESS",
	    "SBI_ERR_FAILED",
	    "SBI_ERR_NOT_SUPPORTED",
	    "SBI_ERR_INVALID_PARAM",
	    "SBI_ERR_DENIED",
	    "SBI_ERR_INVALID_ADDRESS",
	    "SBI_ERR_ALREADY_AVAILABLE",
	    "SBI_ERR_ALREADY_STARTED",
	    "SBI_ERR_ALREADY_STOPPED",
	};
	if (err > 0 || -err >= (long)(sizeof(names) / sizeof(names[0])))
		return "SBI_ERR_?";
	return names[-err];
}
