/*
 * libFuzzer target for lib/dt_platform.c and lib/fdt.c: the input is a
 * device tree blob. It is parsed into a struct platform, and, if the
 * header opens, the whole tree is walked with the fdt.h API. Any read past
 * the exactly-sized copy, any loop or any inconsistent result is a finding.
 * Seed corpus: tests/fuzz/corpus/fuzz_dt/ (the tests/data/ fixtures).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lib/dt_platform.h"
#include "lib/error.h"
#include "lib/fdt.h"

static const char *const names[] = {
    "compatible",  "reg",	  "model",    "status",	    "device_type",	   "#address-cells",
    "#size-cells", "ranges",	  "phandle",  "interrupts", "interrupts-extended", "riscv,isa",
    "mmu-type",	   "stdout-path", "bootargs", "riscv,ndev", "linux,initrd-start",  "serial0",
};

static const char *const paths[] = {
    "/",	"/cpus",       "/cpus/cpu@0",	       "/chosen",
    "/aliases", "/soc",	       "/soc/serial@10000000", "/reserved-memory",
    "/memory",	"//soc//plic", "/a/b/c/d/e/f",
};

static void touch(const struct fdt *f, int node)
{
	const char *name = fdt_node_name(f, node);
	uint32_t len, v;

	if (name && strlen(name) > f->size)
		abort();
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		const uint8_t *val = fdt_getprop(f, node, names[i], &len);
		const char *s = fdt_getprop_str(f, node, names[i]);

		if (val && (val < f->blob || val + len > f->blob + f->size))
			abort();
		if (s && strlen(s) >= len)
			abort();
		(void)fdt_getprop_u32(f, node, names[i], &v);
	}
	(void)fdt_is_compatible(f, node, "virtio,mmio");
	(void)fdt_is_compatible(f, node, "ns16550a");
}

/* Depth-first over the whole tree; offsets must strictly increase. */
static void walk(const struct fdt *f)
{
	int stack[FDT_MAX_DEPTH + 1], depth = 0, node = fdt_root(f);
	long steps = 0;

	if (node < 0)
		return;
	stack[0] = node;
	for (;;) {
		int child;

		if (++steps > (long)f->size)
			abort(); /* more nodes than bytes: a loop */
		touch(f, node);
		child = fdt_first_child(f, node);
		if (child >= 0 && depth < FDT_MAX_DEPTH) {
			if (child <= node)
				abort();
			stack[++depth] = node = child;
			continue;
		}
		for (;;) {
			int sib;

			if (depth == 0)
				return;
			sib = fdt_next_sibling(f, stack[depth]);
			if (sib >= 0) {
				if (sib <= stack[depth])
					abort();
				stack[depth] = node = sib;
				break;
			}
			depth--;
		}
	}
}

static struct platform plat;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t *blob = malloc(size ? size : 1);
	char err[128];
	struct fdt f;
	int r;

	if (!blob)
		return 0;
	memcpy(blob, data, size);

	r = dt_platform_parse(blob, size, &plat, err, sizeof(err));
	if (r < 0 && (err[0] == '\0' || r < ERR_LAST))
		abort(); /* every error says what is wrong */
	if (r == ERR_OK) {
		bool usable = false;

		if (plat.nmem == 0 || plat.nmem > PLAT_MAX_MEM || plat.nharts > PLAT_MAX_HARTS ||
		    plat.nreserved > PLAT_MAX_RESERVED || plat.nvirtio > PLAT_MAX_VIRTIO ||
		    plat.nplic_ctx > PLAT_MAX_PLIC_CTX)
			abort();
		for (unsigned i = 0; i < plat.nharts; i++) {
			usable |= plat.harts[i].usable;
			if (dt_platform_hart(&plat, plat.harts[i].hartid) != &plat.harts[i])
				abort();
			(void)dt_isa_has(plat.harts[i].isa, "sstc");
			(void)dt_isa_has(plat.harts[i].isa, "h");
		}
		if (!usable)
			abort();
		/* The kernel reads an RTC it is given: both registers, word-aligned. */
		if (plat.rtc.present && (plat.rtc.size < DT_RTC_REGS_SIZE || (plat.rtc.base & 3)))
			abort();
	}

	if (fdt_open(&f, blob, size, err, sizeof(err)) == ERR_OK) {
		uint64_t a, s;

		walk(&f);
		for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
			int n = fdt_path(&f, paths[i]);

			if (n >= 0)
				touch(&f, n);
		}
		for (uint32_t ph = 1; ph < 12; ph++) {
			int n = fdt_find_phandle(&f, ph);

			if (n >= 0)
				touch(&f, n);
		}
		for (unsigned i = 0; i < 64 && fdt_rsvmap_entry(&f, i, &a, &s) == ERR_OK; i++)
			;
	}
	free(blob);
	return 0;
}
