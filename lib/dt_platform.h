/*
 * Platform facts from the device tree: everything Strata needs to know
 * about a board, gathered once at boot into a plain struct.
 */
#ifndef STRATA_LIB_DT_PLATFORM_H
#define STRATA_LIB_DT_PLATFORM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/abi.h"

#define PLAT_MAX_MEM	  8
#define PLAT_MAX_RESERVED 16
#define PLAT_MAX_HARTS	  32
#define PLAT_MAX_VIRTIO	  16
#define PLAT_MAX_PLIC_CTX 64
#define DT_RTC_REGS_SIZE  8 /* goldfish RTC: TIME_LOW and TIME_HIGH, the registers read */

struct plat_range {
	uint64_t base, size;
};

struct plat_hart {
	uint32_t hartid;
	bool usable;	   /* status okay (or absent) and has mmu-type: Strata runs here */
	char mmu_type[16]; /* "riscv,sv39", ... ; "" if absent */
	char isa[96];	   /* riscv,isa (truncated to fit, always NUL terminated) */
};

struct plat_device {
	bool present;
	uint64_t base, size;
	uint32_t irq;	       /* first interrupt, 0 if none */
	uint32_t reg_shift;    /* ns16550a: register stride shift (default 0) */
	uint32_t reg_io_width; /* ns16550a: access width in bytes (default 1) */
	uint32_t clock_hz;     /* UART input clock, 0 if unknown */
	char compatible[32];   /* the first compatible string we matched */
	uint32_t unit;	       /* sifive,spi0: chip select of its mmc-spi-slot child */
};

/* One PLIC context: which hart and which privilege it interrupts. */
struct plat_plic_ctx {
	uint32_t hartid;
	uint32_t cause; /* 9 = S-mode external, 11 = M-mode external */
};

struct platform {
	char model[64];
	char compatible[64]; /* first string of the root's compatible */
	uint32_t boot_cpuid; /* from the FDT header */

	struct plat_range mem[PLAT_MAX_MEM];
	unsigned nmem;
	/* /memreserve/ entries and /reserved-memory children with reg */
	struct plat_range reserved[PLAT_MAX_RESERVED];
	unsigned nreserved;

	struct plat_hart harts[PLAT_MAX_HARTS];
	unsigned nharts;
	uint64_t timebase_hz;

	char bootargs[BOOTARGS_MAX];
	char stdout_path[64];
	char stdout_compatible[32]; /* first compatible of the stdout-path node, "" if none */
	bool has_initrd;
	uint64_t initrd_start, initrd_end;

	struct plat_device uart; /* ns16550a or sifive,uart0; stdout-path preferred */
	struct plat_device plic; /* riscv,plic0 / sifive,plic-1.0.0 */
	uint32_t plic_ndev;
	struct plat_plic_ctx plic_ctx[PLAT_MAX_PLIC_CTX];
	unsigned nplic_ctx;
	/* first compatible of another interrupt controller (not the PLIC, not a hart's), "" if none
	 */
	char other_intc[32];
	struct plat_device test; /* sifive,test0/1 finisher, if any */
	struct plat_device virtio[PLAT_MAX_VIRTIO];
	unsigned nvirtio;
	/*
	 * The first sifive,spi0 controller with an mmc-spi-slot child: an SD
	 * card slot on SPI (the HiFive Unleashed's, SPI2 at 0x10050000). The
	 * slot is in the tree whether or not a card is in it.
	 */
	struct plat_device sdspi;
	/*
	 * The first google,goldfish-rtc whose reg covers its time registers
	 * (DT_RTC_REGS_SIZE bytes) at a word-aligned address. rtc_unusable: a
	 * node of that kind had a missing, short or misaligned reg; it is
	 * ignored, not an error.
	 */
	struct plat_device rtc;
	bool rtc_unusable;
};

/*
 * Parse the blob into *p. Returns ERR_OK, or an error with a sentence in err
 * saying what is wrong ("memory node has no reg", "blob truncated at ...").
 * A blob without memory or without a usable hart is an error; unknown
 * nodes are ignored; tables that would overflow keep their first entries.
 */
int dt_platform_parse(const void *blob, size_t len, struct platform *p, char *err, size_t errlen);

/* The hart entry for hartid, or NULL. */
const struct plat_hart *dt_platform_hart(const struct platform *p, uint32_t hartid);

/* True if the ISA string (e.g. "rv64imafdch_zicsr_sstc") names extension ext ("sstc", "h"). */
bool dt_isa_has(const char *isa, const char *ext);

#endif
