/*
 * Host tests for lib/fdt.c and lib/dt_platform.c.
 *
 * Fixtures in tests/data/ (run from the repository root): device trees
 * dumped from QEMU 7.2 (virt with 4 harts / 2 GiB and 1 hart / 128 MiB,
 * sifive_u with 5 harts), trimmed to their totalsize, and two handcrafted
 * trees compiled from the .dts files next to them. Corrupt blobs are made
 * here: truncations, header edits, byte flips and a small blob builder for
 * structure-block errors. Every blob is copied into a malloc'd buffer of
 * exactly its length, so AddressSanitizer catches any read past the end.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/dt_platform.h"
#include "lib/error.h"
#include "lib/fdt.h"
#include "tests/host/check.h"
#include "tests/host/fixture.h"

/* ------------------------------------------------------------ helpers */

/* An exactly-sized copy of the first len bytes (at least one byte allocated). */
static uint8_t *copy_prefix(const uint8_t *src, size_t len)
{
	uint8_t *d = malloc(len ? len : 1);

	if (len)
		memcpy(d, src, len);
	return d;
}

static void put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* Header field offsets. */
enum {
	H_MAGIC = 0,
	H_TOTAL = 4,
	H_OFF_STRUCT = 8,
	H_OFF_STRINGS = 12,
	H_OFF_RSVMAP = 16,
	H_VERSION = 20,
	H_LAST_COMP = 24,
	H_BOOT_CPU = 28,
	H_SIZE_STRINGS = 32,
	H_SIZE_STRUCT = 36,
};

static bool terminated(const char *s, size_t n)
{
	return memchr(s, 0, n) != NULL;
}

/* A successful parse must describe a platform the kernel can use. */
static bool consistent(const struct platform *p)
{
	bool usable = false;

	if (p->nmem < 1 || p->nmem > PLAT_MAX_MEM || p->nreserved > PLAT_MAX_RESERVED ||
	    p->nharts < 1 || p->nharts > PLAT_MAX_HARTS || p->nvirtio > PLAT_MAX_VIRTIO ||
	    p->nplic_ctx > PLAT_MAX_PLIC_CTX)
		return false;
	for (unsigned i = 0; i < p->nharts; i++) {
		usable |= p->harts[i].usable;
		if (!terminated(p->harts[i].isa, sizeof(p->harts[i].isa)) ||
		    !terminated(p->harts[i].mmu_type, sizeof(p->harts[i].mmu_type)))
			return false;
		if (p->harts[i].usable && !p->harts[i].mmu_type[0])
			return false;
		if (dt_platform_hart(p, p->harts[i].hartid) != &p->harts[i])
			return false;
	}
	for (unsigned i = 0; i < p->nmem; i++)
		if (p->mem[i].size == 0)
			return false;
	if (p->has_initrd && p->initrd_end < p->initrd_start)
		return false;
	if (p->rtc.present && (p->rtc.size < DT_RTC_REGS_SIZE || (p->rtc.base & 3)))
		return false;
	return usable && terminated(p->model, sizeof(p->model)) &&
	       terminated(p->compatible, sizeof(p->compatible)) &&
	       terminated(p->bootargs, sizeof(p->bootargs)) &&
	       terminated(p->stdout_path, sizeof(p->stdout_path)) &&
	       terminated(p->uart.compatible, sizeof(p->uart.compatible));
}

static const char *const prop_names[] = {
    "compatible",  "reg",	  "model",    "status",	    "device_type",	   "#address-cells",
    "#size-cells", "ranges",	  "phandle",  "interrupts", "interrupts-extended", "riscv,isa",
    "mmu-type",	   "stdout-path", "bootargs", "riscv,ndev", "linux,initrd-start",  "nope",
};

/*
 * Walk the whole tree with the fdt.h API, touching every node and the
 * properties we know. Returns the number of nodes, or -1 if the walk does
 * not end within a bound (offsets must strictly increase).
 */
static int walk_all(const struct fdt *f)
{
	int stack[FDT_MAX_DEPTH + 1], depth = 0, count = 0, node = fdt_root(f);
	int limit = (int)(f->size / 4) + 2;

	if (node < 0)
		return 0;
	stack[0] = node;
	for (;;) {
		const char *name = fdt_node_name(f, node);
		uint32_t len, v;

		if (++count > limit)
			return -1;
		if (name)
			(void)strlen(name);
		for (size_t i = 0; i < sizeof(prop_names) / sizeof(prop_names[0]); i++) {
			const uint8_t *val = fdt_getprop(f, node, prop_names[i], &len);

			if (val && len)
				(void)(val[0] + val[len - 1]);
			(void)fdt_getprop_str(f, node, prop_names[i]);
			(void)fdt_getprop_u32(f, node, prop_names[i], &v);
		}
		(void)fdt_is_compatible(f, node, "virtio,mmio");
		int child = fdt_first_child(f, node);

		if (child >= 0 && depth < FDT_MAX_DEPTH) {
			if (child <= node)
				return -1;
			stack[++depth] = node = child;
			continue;
		}
		for (;;) {
			int sib;

			if (depth == 0)
				return count;
			sib = fdt_next_sibling(f, stack[depth]);
			if (sib >= 0) {
				if (sib <= stack[depth])
					return -1;
				stack[depth] = node = sib;
				break;
			}
			depth--;
		}
	}
}

/* Parse a fixture file; prints the error on failure. */
static int parse_file(const char *path, struct platform *p)
{
	struct blob b = load(path);
	char err[160] = "";
	int r;

	if (!b.data)
		return ERR_NOENT;
	r = dt_platform_parse(b.data, b.len, p, err, sizeof(err));
	if (r < 0)
		printf("    %s: %s: %s\n", path, err_name(r), err);
	free(b.data);
	return r;
}

static struct platform plat; /* large: keep it off the stack */

/* ------------------------------------------------------------ real trees */

static void virt_4h_2g(void)
{
	struct platform *p = &plat;

	CHECK(parse_file("tests/data/virt-4h-2g.dtb", p) == ERR_OK);
	CHECK(strcmp(p->model, "riscv-virtio,qemu") == 0);
	CHECK(strcmp(p->compatible, "riscv-virtio") == 0);
	CHECK(p->boot_cpuid == 0);
	CHECK(p->nmem == 1);
	CHECK(p->mem[0].base == 0x80000000u && p->mem[0].size == 0x80000000u);
	CHECK(p->nreserved == 0);
	CHECK(p->nharts == 4);
	for (uint32_t h = 0; h < 4; h++) {
		const struct plat_hart *ph = dt_platform_hart(p, h);

		CHECKF(ph && ph->usable, "hart %u", h);
		CHECK(strcmp(ph->mmu_type, "riscv,sv48") == 0);
		CHECK(dt_isa_has(ph->isa, "sstc"));
		CHECK(dt_isa_has(ph->isa, "h"));
		CHECK(dt_isa_has(ph->isa, "zba"));
		CHECK(!dt_isa_has(ph->isa, "svpbmt"));
	}
	CHECK(dt_platform_hart(p, 4) == NULL);
	CHECK(p->timebase_hz == 10000000);
	CHECK(strcmp(p->stdout_path, "/soc/serial@10000000") == 0);
	CHECK(strcmp(p->stdout_compatible, "ns16550a") == 0);
	CHECK(p->other_intc[0] == '\0'); /* the harts' own and the PLIC do not count */
	CHECK(p->bootargs[0] == '\0');
	CHECK(!p->has_initrd);

	CHECK(p->uart.present);
	CHECK(strcmp(p->uart.compatible, "ns16550a") == 0);
	CHECK(p->uart.base == 0x10000000u && p->uart.size == 0x100);
	CHECK(p->uart.irq == 10);
	CHECK(p->uart.reg_shift == 0 && p->uart.reg_io_width == 1);
	CHECK(p->uart.clock_hz == 3686400);

	/* QEMU 7.2 says riscv,ndev = <0x60>. */
	CHECK(p->plic.present);
	CHECK(p->plic.base == 0xc000000u && p->plic.size == 0x600000u);
	CHECK(p->plic_ndev == 96);
	CHECK(strcmp(p->plic.compatible, "sifive,plic-1.0.0") == 0);
	CHECK(p->nplic_ctx == 8);
	for (uint32_t h = 0; h < 4; h++) {
		CHECKF(p->plic_ctx[2 * h].hartid == h && p->plic_ctx[2 * h].cause == 11, "ctx %u",
		       2 * h);
		CHECKF(p->plic_ctx[2 * h + 1].hartid == h && p->plic_ctx[2 * h + 1].cause == 9,
		       "ctx %u", 2 * h + 1);
	}

	CHECK(p->test.present);
	CHECK(p->test.base == 0x100000 && p->test.size == 0x1000);
	CHECK(strcmp(p->test.compatible, "sifive,test1") == 0);

	CHECK(p->nvirtio == 8);
	for (unsigned i = 0; i < 8; i++) {
		CHECKF(p->virtio[i].base == 0x10001000u + 0x1000u * i, "virtio %u", i);
		CHECK(p->virtio[i].size == 0x1000);
		CHECK(p->virtio[i].irq == i + 1);
		CHECK(strcmp(p->virtio[i].compatible, "virtio,mmio") == 0);
	}
	CHECK(p->rtc.present && !p->rtc_unusable);
	CHECK(p->rtc.base == 0x101000 && p->rtc.size == 0x1000 && p->rtc.irq == 11);
	CHECK(strcmp(p->rtc.compatible, "google,goldfish-rtc") == 0);
	CHECK(consistent(p));
}

static void virt_1h_128m(void)
{
	struct platform *p = &plat;

	CHECK(parse_file("tests/data/virt-1h-128m.dtb", p) == ERR_OK);
	CHECK(p->nmem == 1);
	CHECK(p->mem[0].base == 0x80000000u && p->mem[0].size == 128u << 20);
	CHECK(p->nharts == 1 && p->harts[0].hartid == 0 && p->harts[0].usable);
	CHECK(p->timebase_hz == 10000000);
	CHECK(p->uart.present && p->uart.base == 0x10000000u && p->uart.irq == 10);
	CHECK(p->plic.present && p->plic.base == 0xc000000u);
	CHECK(p->nplic_ctx == 2);
	CHECK(p->plic_ctx[0].hartid == 0 && p->plic_ctx[0].cause == 11);
	CHECK(p->plic_ctx[1].hartid == 0 && p->plic_ctx[1].cause == 9);
	CHECK(p->test.present && p->test.base == 0x100000);
	CHECK(p->nvirtio == 8);
	CHECK(!p->sdspi.present);
	CHECK(consistent(p));
}

static void sifive_u_5h(void)
{
	struct platform *p = &plat;

	CHECK(parse_file("tests/data/sifive_u-5h.dtb", p) == ERR_OK);
	CHECK(strcmp(p->model, "SiFive HiFive Unleashed A00") == 0);
	CHECK(strcmp(p->compatible, "sifive,hifive-unleashed-a00") == 0);
	CHECK(p->nmem == 1 && p->mem[0].base == 0x80000000u);
	CHECK(p->nharts == 5);
	CHECK(!dt_platform_hart(p, 0)->usable); /* E51: no mmu-type */
	CHECK(dt_platform_hart(p, 0)->mmu_type[0] == '\0');
	for (uint32_t h = 1; h <= 4; h++) {
		const struct plat_hart *ph = dt_platform_hart(p, h);

		CHECKF(ph && ph->usable, "hart %u", h);
		CHECK(!dt_isa_has(ph->isa, "sstc"));
		CHECK(dt_isa_has(ph->isa, "zicsr"));
		CHECK(!dt_isa_has(ph->isa, "h"));
	}
	CHECK(p->timebase_hz == 1000000);
	CHECK(p->uart.present);
	CHECK(strcmp(p->uart.compatible, "sifive,uart0") == 0);
	CHECK(p->uart.base == 0x10010000u && p->uart.irq == 4);
	CHECK(p->uart.clock_hz == 0);
	CHECK(p->plic.present && p->plic.base == 0xc000000u && p->plic_ndev == 53);
	/* Context 0: hart 0 M-mode; then for hart N >= 1, 2N-1 is M-mode and 2N is S-mode. */
	CHECK(p->nplic_ctx == 9);
	CHECK(p->plic_ctx[0].hartid == 0 && p->plic_ctx[0].cause == 11);
	for (uint32_t h = 1; h <= 4; h++) {
		CHECK(p->plic_ctx[2 * h - 1].hartid == h && p->plic_ctx[2 * h - 1].cause == 11);
		CHECK(p->plic_ctx[2 * h].hartid == h && p->plic_ctx[2 * h].cause == 9);
	}
	CHECK(!p->test.present);
	CHECK(p->nvirtio == 0);
	/* SPI0 (0x10040000) holds a flash; SPI2 the SD card slot. */
	CHECK(p->sdspi.present && p->sdspi.base == 0x10050000u && p->sdspi.irq == 6);
	CHECK(strcmp(p->sdspi.compatible, "sifive,spi0") == 0 && p->sdspi.unit == 0);
	CHECK(!p->rtc.present && !p->rtc_unusable); /* no RTC: the wall clock counts from 1970 */
	CHECK(consistent(p));
}

/* ------------------------------------------------------------ handcrafted trees */

static void hand_1cell(void)
{
	struct platform *p = &plat;
	const struct plat_hart *h;

	CHECK(parse_file("tests/data/hand-1cell.dtb", p) == ERR_OK);
	CHECK(strcmp(p->model, "Strata handcrafted, 1 cell") == 0);
	CHECK(strcmp(p->compatible, "strata,hand-1cell") == 0);
	CHECK(p->nmem == 3);
	CHECK(p->mem[0].base == 0x80000000u && p->mem[0].size == 0x10000000u);
	CHECK(p->mem[1].base == 0x90000000u && p->mem[1].size == 0x10000000u);
	CHECK(p->mem[2].base == 0xc0000000u && p->mem[2].size == 0x8000000u);

	CHECK(p->nreserved == 4);
	CHECK(p->reserved[0].base == 0x80000000u && p->reserved[0].size == 0x20000);
	CHECK(p->reserved[1].base == 0x9f000000u && p->reserved[1].size == 0x1000);
	CHECK(p->reserved[2].base == 0x80000000u && p->reserved[2].size == 0x80000);
	CHECK(p->reserved[3].base == 0xa0000000u && p->reserved[3].size == 0x100000);

	CHECK(p->nharts == 5);
	CHECK((h = dt_platform_hart(p, 0)) && !h->usable); /* disabled */
	CHECK(strcmp(h->mmu_type, "riscv,sv39") == 0);
	CHECK((h = dt_platform_hart(p, 1)) && !h->usable); /* no mmu-type */
	CHECK((h = dt_platform_hart(p, 2)) && h->usable);  /* status "ok" */
	CHECK(dt_isa_has(h->isa, "sstc") && dt_isa_has(h->isa, "SVPBMT"));
	CHECK(dt_isa_has(h->isa, "c") && !dt_isa_has(h->isa, "v"));
	CHECK((h = dt_platform_hart(p, 3)) && !h->usable); /* riscv,none */
	CHECK((h = dt_platform_hart(p, 5)) && h->usable);  /* no status */
	CHECK(strcmp(h->mmu_type, "riscv,sv57") == 0);
	CHECK(!dt_isa_has(h->isa, "sstc") && dt_isa_has(h->isa, "sstcx"));
	CHECK(dt_isa_has(h->isa, "d")); /* g */
	CHECK(dt_platform_hart(p, 4) == NULL);
	CHECK(p->timebase_hz == 25000000); /* from cpu@2 */

	CHECK(strcmp(p->bootargs, "console=ttyS0 init=/init") == 0);
	CHECK(strcmp(p->stdout_path, "serial0") == 0);
	CHECK(p->has_initrd && p->initrd_start == 0x88000000u && p->initrd_end == 0x88100000u);

	/* stdout-path -> alias serial0 -> /soc/uart@1000, through the soc's ranges */
	CHECK(p->uart.present && strcmp(p->uart.compatible, "ns16550a") == 0);
	CHECK(p->uart.base == 0x10001000u && p->uart.size == 0x100);
	CHECK(p->uart.irq == 3 && p->uart.reg_shift == 2 && p->uart.reg_io_width == 4);
	CHECK(p->uart.clock_hz == 50000000);

	CHECK(p->plic.present && p->plic.base == 0xc000000u && p->plic.size == 0x4000000u);
	CHECK(strcmp(p->plic.compatible, "riscv,plic0") == 0 && p->plic_ndev == 31);
	CHECK(p->nplic_ctx == 5);
	CHECK(p->plic_ctx[0].hartid == 2 && p->plic_ctx[0].cause == 11);
	CHECK(p->plic_ctx[1].hartid == 2 && p->plic_ctx[1].cause == 9);
	CHECK(p->plic_ctx[2].hartid == 5 && p->plic_ctx[2].cause == 11);
	CHECK(p->plic_ctx[3].hartid == 5 && p->plic_ctx[3].cause == 9);
	CHECK(p->plic_ctx[4].hartid == 0 && p->plic_ctx[4].cause == 11);

	CHECK(p->test.present && p->test.base == 0x100000 && p->test.size == 0x1000);
	CHECK(strcmp(p->test.compatible, "sifive,test0") == 0);
	/* virtio@200000 is outside the ranges; /isolated-bus has no ranges */
	CHECK(p->nvirtio == 1);
	CHECK(p->virtio[0].base == 0x10003000u && p->virtio[0].irq == 7);
	CHECK(consistent(p));
}

static void hand_2cell(void)
{
	struct platform *p = &plat;
	const struct plat_hart *h;

	CHECK(parse_file("tests/data/hand-2cell.dtb", p) == ERR_OK);
	CHECK(p->nmem == 2);
	CHECK(p->mem[0].base == 0x80000000u && p->mem[0].size == 0x40000000u);
	CHECK(p->mem[1].base == 0x200000000ull && p->mem[1].size == 0x100000000ull);
	/* /reserved-memory has its own 2/1 cells */
	CHECK(p->nreserved == 4);
	CHECK(p->reserved[0].base == 0x80000000u && p->reserved[0].size == 0x40000);
	CHECK(p->reserved[1].base == 0x80000000u && p->reserved[1].size == 0x80000);
	CHECK(p->reserved[2].base == 0x200000000ull && p->reserved[2].size == 0x1000);
	CHECK(p->reserved[3].base == 0x200010000ull && p->reserved[3].size == 0x2000);
	CHECK(p->nharts == 1);
	CHECK((h = dt_platform_hart(p, 7)) && h->usable);
	CHECK(p->timebase_hz == 4000000);
	CHECK(p->has_initrd && p->initrd_start == 0x100000000ull);
	CHECK(p->initrd_end == 0x100400000ull);
	CHECK(strcmp(p->stdout_path, "/soc/gpio@3000") == 0);
	CHECK(strcmp(p->stdout_compatible, "sifive,gpio0") == 0);
	/* stdout names a gpio: fall back to the first UART */
	CHECK(p->uart.present && strcmp(p->uart.compatible, "sifive,uart0") == 0);
	CHECK(p->uart.base == 0x4000 && p->uart.irq == 5);
	CHECK(p->plic.present && strcmp(p->plic.compatible, "sifive,plic-1.0.0") == 0);
	CHECK(p->plic_ndev == 53 && p->nplic_ctx == 0);
	CHECK(p->test.present && strcmp(p->test.compatible, "sifive,test1") == 0);
	CHECK(p->nvirtio == 0);
	CHECK(consistent(p));
}

/* ------------------------------------------------------------ fdt.h API */

static void fdt_api(void)
{
	struct blob b = load("tests/data/virt-4h-2g.dtb");
	struct fdt f;
	char err[128];
	int root, n, n2;
	uint32_t v, len;
	const char *s;

	CHECK(b.data);
	CHECK(fdt_open(&f, b.data, b.len, err, sizeof(err)) == ERR_OK);
	CHECK(err[0] == '\0');
	CHECK(f.size == b.len && f.boot_cpuid == 0);
	CHECK((root = fdt_root(&f)) >= 0);
	CHECK(strcmp(fdt_node_name(&f, root), "") == 0);
	CHECK(fdt_path(&f, "/") == root);
	CHECK(fdt_getprop_u32(&f, root, "#address-cells", &v) && v == 2);
	CHECK(!fdt_getprop_u32(&f, root, "model", &v)); /* not 4 bytes */
	CHECK(strcmp(fdt_getprop_str(&f, root, "model"), "riscv-virtio,qemu") == 0);
	CHECK(fdt_getprop(&f, root, "no-such-prop", &len) == NULL);

	CHECK((n = fdt_path(&f, "/soc/serial@10000000")) >= 0);
	CHECK(strcmp(fdt_node_name(&f, n), "serial@10000000") == 0);
	CHECK(fdt_path(&f, "/soc/serial") == n); /* unit address may be left out */
	CHECK(fdt_path(&f, "//soc//serial@10000000/") == n);
	CHECK(fdt_path(&f, "/soc/serial@10000001") == ERR_NOENT);
	CHECK(fdt_path(&f, "/soc/seria") == ERR_NOENT);
	CHECK(fdt_path(&f, "/nope") == ERR_NOENT);
	CHECK(fdt_path(&f, "soc") == ERR_INVALID);
	CHECK(fdt_is_compatible(&f, n, "ns16550a"));
	CHECK(!fdt_is_compatible(&f, n, "ns16550"));
	CHECK(fdt_getprop_u32(&f, n, "interrupts", &v) && v == 10);
	CHECK(fdt_getprop(&f, n, "reg", &len) && len == 16);

	CHECK((n = fdt_path(&f, "/soc/test@100000")) >= 0);
	CHECK(fdt_is_compatible(&f, n, "sifive,test0") && fdt_is_compatible(&f, n, "syscon"));
	CHECK(!fdt_is_compatible(&f, n, "sifive,test"));

	CHECK((n = fdt_find_phandle(&f, 9)) >= 0);
	CHECK(strcmp(fdt_node_name(&f, n), "plic@c000000") == 0);
	CHECK(fdt_find_phandle(&f, 0x1234) == ERR_NOENT);
	CHECK(fdt_find_phandle(&f, 0) == ERR_NOENT);

	CHECK((n = fdt_path(&f, "/cpus/cpu@2")) >= 0);
	CHECK(fdt_getprop_u32(&f, n, "reg", &v) && v == 2);
	CHECK((s = fdt_getprop_str(&f, n, "mmu-type")) && strcmp(s, "riscv,sv48") == 0);
	CHECK((n2 = fdt_first_child(&f, n)) >= 0);
	CHECK(strcmp(fdt_node_name(&f, n2), "interrupt-controller") == 0);
	CHECK(fdt_first_child(&f, n2) == ERR_NOENT);
	CHECK(fdt_next_sibling(&f, n2) == ERR_NOENT);
	CHECK(fdt_next_sibling(&f, root) == ERR_NOENT);
	CHECK((n2 = fdt_next_sibling(&f, n)) >= 0);
	CHECK(strcmp(fdt_node_name(&f, n2), "cpu@3") == 0);
	CHECK(fdt_getprop(&f, fdt_path(&f, "/soc/test@100000") + 1, "reg", &len) == NULL);
	CHECK(fdt_node_name(&f, -1) == NULL && fdt_first_child(&f, 2) < 0);

	CHECK(fdt_rsvmap_entry(&f, 0, NULL, NULL) == ERR_NOENT);
	CHECK(walk_all(&f) == 39); /* dtc -O dts | grep -c '{$' */
	free(b.data);

	b = load("tests/data/hand-1cell.dtb");
	CHECK(b.data);
	CHECK(fdt_open(&f, b.data, b.len, err, sizeof(err)) == ERR_OK);
	uint64_t a, sz;
	CHECK(fdt_rsvmap_entry(&f, 0, &a, &sz) == ERR_OK && a == 0x80000000u && sz == 0x20000);
	CHECK(fdt_rsvmap_entry(&f, 1, &a, &sz) == ERR_OK && a == 0x9f000000u && sz == 0x1000);
	CHECK(fdt_rsvmap_entry(&f, 2, &a, &sz) == ERR_NOENT);
	CHECK(walk_all(&f) == 31);
	free(b.data);
}

static void be_cells(void)
{
	const uint8_t c[8] = {0x12, 0x34, 0x56, 0x78, 0x9a, 0xbc, 0xde, 0xf0};

	CHECK(fdt_be32(c) == 0x12345678u);
	CHECK(fdt_be32(c + 4) == 0x9abcdef0u);
	CHECK(fdt_be64(c) == 0x123456789abcdef0ull);
}

/* ------------------------------------------------------------ ISA strings */

static void isa_strings(void)
{
	const char *virt = "rv64imafdch_zicsr_zifencei_zihintpause_zba_zbb_zbc_zbs_sstc";

	CHECK(dt_isa_has(virt, "sstc"));
	CHECK(dt_isa_has(virt, "SSTC"));
	CHECK(dt_isa_has(virt, "zicsr"));
	CHECK(dt_isa_has(virt, "zbs"));
	CHECK(dt_isa_has(virt, "h"));
	CHECK(dt_isa_has(virt, "a"));
	CHECK(!dt_isa_has(virt, "v"));
	CHECK(!dt_isa_has(virt, "z")); /* letters only count before the first '_' */
	CHECK(!dt_isa_has(virt, "zb"));
	CHECK(!dt_isa_has(virt, "sst"));
	CHECK(!dt_isa_has(virt, "rv64"));
	CHECK(!dt_isa_has(virt, ""));
	CHECK(dt_isa_has("rv64imac_sstc_zicsr", "sstc"));
	CHECK(!dt_isa_has("rv64imac_sstcx", "sstc"));
	CHECK(!dt_isa_has("rv64imac_xsstc", "sstc"));
	CHECK(dt_isa_has("RV64IMAC_Sstc", "sstc"));
	CHECK(!dt_isa_has("rv64imac", "sstc"));
	CHECK(!dt_isa_has("rv64imac", "f"));
	CHECK(dt_isa_has("rv64gc", "f") && dt_isa_has("rv64gc", "c"));
	CHECK(!dt_isa_has("rv64gc", "h"));
	CHECK(!dt_isa_has("", "i") && !dt_isa_has(NULL, "i") && !dt_isa_has("rv64i", NULL));
	CHECK(!dt_isa_has("x86_sstc", "sstc"));
	CHECK(dt_isa_has("rv64i__sstc_", "sstc"));
}

/* ------------------------------------------------------------ header corruption */

static int parse_bytes(const uint8_t *src, size_t len, char *err, size_t errlen)
{
	uint8_t *d = copy_prefix(src, len);
	int r = dt_platform_parse(d, len, &plat, err, errlen);

	free(d);
	return r;
}

static void header_errors(void)
{
	struct blob b = load("tests/data/virt-4h-2g.dtb");
	uint8_t *m;
	char err[160];
	int r;

	CHECK(b.data);
	m = malloc(b.len);
	CHECK(m);

	CHECK(parse_bytes(b.data, 1000, err, sizeof(err)) == ERR_TRUNCATED);
	CHECKF(strcmp(err, "blob truncated: totalsize 5326 > 1000 bytes given") == 0, "%s", err);
	CHECK(parse_bytes(b.data, 0, err, sizeof(err)) == ERR_TRUNCATED && err[0]);
	CHECK(parse_bytes(b.data, 20, err, sizeof(err)) == ERR_TRUNCATED && err[0]);
	CHECK(dt_platform_parse(NULL, 100, &plat, err, sizeof(err)) < 0 && err[0]);

	memcpy(m, b.data, b.len);
	put32(m + H_MAGIC, 0xfeedd00d);
	CHECK(parse_bytes(m, b.len, err, sizeof(err)) == ERR_CORRUPT);
	CHECKF(strncmp(err, "bad magic 0xfeedd00d", 20) == 0, "%s", err);

	memcpy(m, b.data, b.len);
	put32(m + H_VERSION, 15);
	CHECK(parse_bytes(m, b.len, err, sizeof(err)) == ERR_UNSUPPORTED && err[0]);
	memcpy(m, b.data, b.len);
	put32(m + H_LAST_COMP, 18);
	CHECK(parse_bytes(m, b.len, err, sizeof(err)) == ERR_UNSUPPORTED && err[0]);
	/* Version 16 has no size_dt_struct: still readable. */
	memcpy(m, b.data, b.len);
	put32(m + H_VERSION, 16);
	put32(m + H_SIZE_STRUCT, 0xffffffff);
	CHECK(parse_bytes(m, b.len, err, sizeof(err)) == ERR_OK);

	static const struct {
		unsigned field;
		uint32_t value;
		int want;
	} cases[] = {
	    {H_TOTAL, 0xffffffff, ERR_TRUNCATED},
	    {H_TOTAL, 8, ERR_CORRUPT},
	    {H_TOTAL, 5325, ERR_CORRUPT},
	    {H_OFF_STRUCT, 0xffffffff, ERR_CORRUPT},
	    {H_OFF_STRUCT, 5326, ERR_CORRUPT},
	    {H_OFF_STRUCT, 0x3a, ERR_CORRUPT},
	    {H_OFF_STRUCT, 4, ERR_CORRUPT},
	    {H_SIZE_STRUCT, 0xffffffff, ERR_CORRUPT},
	    {H_SIZE_STRUCT, 0xfffffffc, ERR_CORRUPT},
	    {H_SIZE_STRUCT, 100, ERR_TRUNCATED},
	    {H_SIZE_STRUCT, 0, ERR_TRUNCATED},
	    {H_OFF_STRINGS, 0xffffffff, ERR_CORRUPT},
	    {H_SIZE_STRINGS, 0xffffffff, ERR_CORRUPT},
	    {H_SIZE_STRINGS, 10, ERR_CORRUPT},
	    {H_OFF_RSVMAP, 0xffffffff, ERR_CORRUPT},
	    {H_OFF_RSVMAP, 0x2c, ERR_CORRUPT},
	    {H_OFF_RSVMAP, 5320, ERR_CORRUPT},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		memcpy(m, b.data, b.len);
		put32(m + cases[i].field, cases[i].value);
		err[0] = '\0';
		r = parse_bytes(m, b.len, err, sizeof(err));
		CHECKF(r == cases[i].want && err[0], "case %zu: %s: %s", i, err_name(r), err);
	}
	/* A tiny err buffer is still terminated. */
	memcpy(m, b.data, b.len);
	put32(m + H_MAGIC, 0);
	err[0] = 'x';
	err[1] = 'y';
	CHECK(parse_bytes(m, b.len, err, 2) == ERR_CORRUPT && err[0] == 'b' && err[1] == '\0');
	CHECK(parse_bytes(m, b.len, NULL, 0) == ERR_CORRUPT);
	free(m);
	free(b.data);
}

/* ------------------------------------------------------------ truncation */

static const char *const fixtures[] = {
    "tests/data/virt-4h-2g.dtb", "tests/data/virt-1h-128m.dtb", "tests/data/sifive_u-5h.dtb",
    "tests/data/hand-1cell.dtb", "tests/data/hand-2cell.dtb",
};
#define NFIXTURES (sizeof(fixtures) / sizeof(fixtures[0]))

/* Parse (and walk) one blob of exactly len bytes; false if the outcome is inconsistent. */
static bool survives(const uint8_t *src, size_t len, int *result)
{
	uint8_t *d = copy_prefix(src, len);
	char err[160] = "";
	struct fdt f;
	bool ok = true;
	int r = dt_platform_parse(d, len, &plat, err, sizeof(err));

	if (r < 0)
		ok = err[0] != '\0' && r >= ERR_LAST;
	else
		ok = r == ERR_OK && consistent(&plat);
	if (!ok)
		printf("    len %zu: %s: \"%s\"\n", len, err_name(r), err);
	if (fdt_open(&f, d, len, err, sizeof(err)) == ERR_OK) {
		uint64_t a, s;

		if (walk_all(&f) < 0) {
			printf("    len %zu: walk did not end\n", len);
			ok = false;
		}
		(void)fdt_path(&f, "/soc/serial@10000000");
		(void)fdt_path(&f, "/chosen");
		(void)fdt_find_phandle(&f, 3);
		for (unsigned i = 0; i < 4; i++)
			(void)fdt_rsvmap_entry(&f, i, &a, &s);
	}
	free(d);
	*result = r;
	return ok;
}

static void truncations(void)
{
	for (size_t k = 0; k < NFIXTURES; k++) {
		struct blob b = load(fixtures[k]);
		uint8_t *m;
		int r;

		CHECK(b.data);
		/* As given: totalsize says more than there is. */
		for (size_t len = 0; len < b.len; len++) {
			CHECKF(survives(b.data, len, &r), "%s", fixtures[k]);
			CHECKF(r < 0, "%s truncated to %zu parsed", fixtures[k], len);
		}
		/* Header fixed up to the shorter length: the blocks themselves end early. */
		m = malloc(b.len);
		for (size_t len = 40; len < b.len; len++) {
			uint32_t os = get32(b.data + H_OFF_STRUCT),
				 ot = get32(b.data + H_OFF_STRINGS);

			memcpy(m, b.data, b.len);
			put32(m + H_TOTAL, (uint32_t)len);
			if (os + get32(m + H_SIZE_STRUCT) > len)
				put32(m + H_SIZE_STRUCT, os < len ? (uint32_t)len - os : 0);
			if (ot + get32(m + H_SIZE_STRINGS) > len)
				put32(m + H_SIZE_STRINGS, ot < len ? (uint32_t)len - ot : 0);
			CHECKF(survives(m, len, &r), "%s fixed up to %zu", fixtures[k], len);
		}
		free(m);
		free(b.data);
	}
}

/* ------------------------------------------------------------ random damage */

static uint64_t rng_state;

static uint64_t rng(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

static void byte_flips(void)
{
	unsigned total_ok = 0, total = 0;

	for (size_t k = 0; k < NFIXTURES; k++) {
		struct blob b = load(fixtures[k]);
		uint8_t *m;
		int r;

		CHECK(b.data);
		m = malloc(b.len);
		rng_state = 0x9e3779b97f4a7c15ull + k;
		for (unsigned it = 0; it < 3000; it++) {
			unsigned nflips = 1 + (unsigned)(rng() % 4);

			memcpy(m, b.data, b.len);
			for (unsigned j = 0; j < nflips; j++) {
				size_t at = (size_t)(rng() % b.len);

				/* half single-bit flips, half random bytes; bias towards the header
				 */
				if (rng() & 1)
					at %= 64;
				if (rng() & 1)
					m[at] ^= (uint8_t)(1u << (rng() % 8));
				else
					m[at] = (uint8_t)rng();
			}
			CHECKF(survives(m, b.len, &r), "%s iteration %u", fixtures[k], it);
			total_ok += r == ERR_OK;
			total++;
		}
		free(m);
		free(b.data);
	}
	/* Most single flips land in values and names: some blobs must still parse. */
	CHECKF(total_ok > 0 && total_ok < total, "%u of %u parsed", total_ok, total);
}

/* ------------------------------------------------------------ a small blob builder */

struct builder {
	uint8_t st[16384];
	size_t nst;
	char str[4096];
	size_t nstr;
	uint8_t rsv[64];
	size_t nrsv;
};

static void b_u32(struct builder *b, uint32_t v)
{
	if (b->nst + 4 > sizeof(b->st))
		abort();
	put32(b->st + b->nst, v);
	b->nst += 4;
}

static void b_bytes(struct builder *b, const void *p, size_t n)
{
	if (b->nst + n + 3 > sizeof(b->st))
		abort();
	memcpy(b->st + b->nst, p, n);
	b->nst += n;
	while (b->nst & 3)
		b->st[b->nst++] = 0;
}

static void b_begin(struct builder *b, const char *name)
{
	b_u32(b, 1);
	b_bytes(b, name, strlen(name) + 1);
}

static void b_end(struct builder *b)
{
	b_u32(b, 2);
}

static void b_prop(struct builder *b, const char *name, const void *val, uint32_t len)
{
	b_u32(b, 3);
	b_u32(b, len);
	b_u32(b, (uint32_t)b->nstr);
	if (b->nstr + strlen(name) + 1 > sizeof(b->str))
		abort();
	memcpy(b->str + b->nstr, name, strlen(name) + 1);
	b->nstr += strlen(name) + 1;
	b_bytes(b, val, len);
}

static void b_str(struct builder *b, const char *name, const char *s)
{
	b_prop(b, name, s, (uint32_t)strlen(s) + 1);
}

static void b_cells(struct builder *b, const char *name, unsigned n, const uint32_t *c)
{
	uint8_t v[1024];

	if (n > sizeof(v) / 4)
		abort();
	for (unsigned i = 0; i < n; i++)
		put32(v + 4 * i, c[i]);
	b_prop(b, name, v, 4 * n);
}

static void b_u32prop(struct builder *b, const char *name, uint32_t c)
{
	b_cells(b, name, 1, &c);
}

/* Lay the blob out: header, rsvmap at 40 (+ terminator), structure, strings. */
static size_t b_finish(const struct builder *b, uint8_t *out)
{
	size_t rsv = 40, st = rsv + b->nrsv + 16, strs = st + b->nst, total = strs + b->nstr;

	memset(out, 0, total);
	put32(out + H_MAGIC, FDT_MAGIC);
	put32(out + H_TOTAL, (uint32_t)total);
	put32(out + H_OFF_STRUCT, (uint32_t)st);
	put32(out + H_OFF_STRINGS, (uint32_t)strs);
	put32(out + H_OFF_RSVMAP, (uint32_t)rsv);
	put32(out + H_VERSION, 17);
	put32(out + H_LAST_COMP, 16);
	put32(out + H_SIZE_STRINGS, (uint32_t)b->nstr);
	put32(out + H_SIZE_STRUCT, (uint32_t)b->nst);
	memcpy(out + rsv, b->rsv, b->nrsv);
	memcpy(out + st, b->st, b->nst);
	memcpy(out + strs, b->str, b->nstr);
	return total;
}

static struct builder bld;
static uint8_t out[32768];

/* Root with memory and cpus; extra hooks let a test add or break parts. */
enum {
	M_NONE = 0,
	M_NO_MEMORY = 1 << 0,
	M_NO_USABLE_HART = 1 << 1,
	M_BAD_MEMORY_REG = 1 << 2,
	M_BAD_INITRD = 1 << 3,
	M_ZERO_MEMORY = 1 << 4,
	M_PLIC_TRUNCATED = 1 << 5,
};

static void b_platform(struct builder *b, unsigned mode)
{
	memset(b, 0, sizeof(*b));
	b_begin(b, "");
	b_u32prop(b, "#address-cells", 2);
	b_u32prop(b, "#size-cells", 2);
	b_str(b, "model", "built");
	if (!(mode & M_NO_MEMORY)) {
		uint32_t reg[4] = {0, 0x80000000u, 0, (mode & M_ZERO_MEMORY) ? 0 : 0x1000000u};

		b_begin(b, "memory@80000000");
		b_str(b, "device_type", "memory");
		b_cells(b, "reg", (mode & M_BAD_MEMORY_REG) ? 3 : 4, reg);
		b_end(b);
	}
	b_begin(b, "chosen");
	if (mode & M_BAD_INITRD) {
		b_u32prop(b, "linux,initrd-start", 0x2000);
		b_u32prop(b, "linux,initrd-end", 0x1000);
	}
	b_end(b);
	b_begin(b, "cpus");
	b_u32prop(b, "#address-cells", 1);
	b_u32prop(b, "#size-cells", 0);
	b_begin(b, "cpu@0");
	b_str(b, "device_type", "cpu");
	b_u32prop(b, "reg", 0);
	b_str(b, "mmu-type", (mode & M_NO_USABLE_HART) ? "riscv,none" : "riscv,sv39");
	b_begin(b, "interrupt-controller");
	b_str(b, "compatible", "riscv,cpu-intc");
	b_prop(b, "interrupt-controller", "", 0);
	b_u32prop(b, "phandle", 1);
	b_end(b);
	b_end(b);
	b_end(b);
	b_begin(b, "plic@c000000");
	b_str(b, "compatible", "riscv,plic0");
	uint32_t preg[4] = {0, 0xc000000, 0, 0x4000000}, ie[5] = {1, 11, 1, 9, 1};
	b_cells(b, "reg", 4, preg);
	b_cells(b, "interrupts-extended", (mode & M_PLIC_TRUNCATED) ? 5 : 4, ie);
	b_end(b);
}

static int build_parse(struct builder *b, char *err, size_t errlen)
{
	size_t n = b_finish(b, out);

	return parse_bytes(out, n, err, errlen);
}

static void builder_platforms(void)
{
	char err[160];

	b_platform(&bld, M_NONE);
	b_end(&bld);
	b_u32(&bld, 9);
	CHECK(build_parse(&bld, err, sizeof(err)) == ERR_OK);
	CHECK(plat.nmem == 1 && plat.nharts == 1 && plat.harts[0].usable);
	CHECK(plat.nplic_ctx == 2 && plat.plic_ctx[1].cause == 9 && plat.plic_ctx[1].hartid == 0);
	CHECK(plat.other_intc[0] == '\0'); /* a hart's controller is not another one */

	/* An interrupt controller Strata does not drive is named for the boot line. */
	b_platform(&bld, M_NONE);
	b_begin(&bld, "aplic@d000000");
	b_str(&bld, "compatible", "riscv,aplic");
	b_prop(&bld, "interrupt-controller", "", 0);
	b_end(&bld);
	b_end(&bld);
	b_u32(&bld, 9);
	CHECK(build_parse(&bld, err, sizeof(err)) == ERR_OK);
	CHECKF(strcmp(plat.other_intc, "riscv,aplic") == 0, "%s", plat.other_intc);

	b_platform(&bld, M_PLIC_TRUNCATED); /* a dangling phandle at the end is dropped */
	b_end(&bld);
	b_u32(&bld, 9);
	CHECK(build_parse(&bld, err, sizeof(err)) == ERR_OK && plat.nplic_ctx == 2);

	b_platform(&bld, M_NO_MEMORY);
	b_end(&bld);
	b_u32(&bld, 9);
	CHECK(build_parse(&bld, err, sizeof(err)) == ERR_NOENT);
	CHECKF(strcmp(err, "no memory node") == 0, "%s", err);

	b_platform(&bld, M_ZERO_MEMORY);
	b_end(&bld);
	b_u32(&bld, 9);
	CHECK(build_parse(&bld, err, sizeof(err)) == ERR_NOENT && err[0]);

	b_platform(&bld, M_NO_USABLE_HART);
	b_end(&bld);
	b_u32(&bld, 9);
	CHECK(build_parse(&bld, err, sizeof(err)) == ERR_NOENT);
	CHECKF(strncmp(err, "no usable hart", 14) == 0, "%s", err);

	b_platform(&bld, M_BAD_MEMORY_REG);
	b_end(&bld);
	b_u32(&bld, 9);
	CHECK(build_parse(&bld, err, sizeof(err)) == ERR_CORRUPT);
	CHECKF(strstr(err, "memory@80000000") != NULL, "%s", err);

	b_platform(&bld, M_BAD_INITRD);
	b_end(&bld);
	b_u32(&bld, 9);
	CHECK(build_parse(&bld, err, sizeof(err)) == ERR_CORRUPT && strstr(err, "initrd"));
}

/* An RTC node with reg cells as given (n of them; n < 0: no reg), after the platform. */
static int build_rtc(const uint32_t *reg, int n, bool second_good)
{
	static const uint32_t good[4] = {0, 0x102000, 0, 0x1000};
	char err[160];

	b_platform(&bld, M_NONE);
	b_begin(&bld, "rtc@101000");
	b_str(&bld, "compatible", "google,goldfish-rtc");
	if (n >= 0)
		b_cells(&bld, "reg", (unsigned)n, reg);
	b_end(&bld);
	if (second_good) {
		b_begin(&bld, "rtc@102000");
		b_str(&bld, "compatible", "google,goldfish-rtc");
		b_cells(&bld, "reg", 4, good);
		b_end(&bld);
	}
	b_end(&bld);
	b_u32(&bld, 9);
	return build_parse(&bld, err, sizeof(err));
}

/* A goldfish RTC is taken only with a reg reaching both time registers; else ignored, no error. */
static void rtc_nodes(void)
{
	uint32_t reg[4] = {0, 0x101000, 0, 0x1000};

	CHECK(build_rtc(reg, 4, false) == ERR_OK);
	CHECK(plat.rtc.present && !plat.rtc_unusable && plat.rtc.base == 0x101000);
	CHECK(consistent(&plat));

	CHECK(build_rtc(reg, -1, false) == ERR_OK); /* no reg */
	CHECK(!plat.rtc.present && plat.rtc_unusable && consistent(&plat));
	CHECK(build_rtc(reg, 3, false) == ERR_OK); /* a tuple cut short */
	CHECK(!plat.rtc.present && plat.rtc_unusable && consistent(&plat));
	CHECK(build_rtc(reg, 0, false) == ERR_OK); /* empty */
	CHECK(!plat.rtc.present && plat.rtc_unusable);
	reg[3] = DT_RTC_REGS_SIZE - 1; /* too small for TIME_HIGH */
	CHECK(build_rtc(reg, 4, false) == ERR_OK);
	CHECK(!plat.rtc.present && plat.rtc_unusable);
	reg[3] = DT_RTC_REGS_SIZE;
	CHECK(build_rtc(reg, 4, false) == ERR_OK);
	CHECK(plat.rtc.present && plat.rtc.size == DT_RTC_REGS_SIZE);
	reg[1] = 0x101002; /* misaligned: a word read there would trap */
	CHECK(build_rtc(reg, 4, false) == ERR_OK);
	CHECK(!plat.rtc.present && plat.rtc_unusable);

	/* A bad node does not hide a good one after it. */
	CHECK(build_rtc(reg, -1, true) == ERR_OK);
	CHECK(plat.rtc.present && plat.rtc.base == 0x102000 && plat.rtc_unusable);
	CHECK(consistent(&plat));
}

static void builder_structure_errors(void)
{
	char err[160];
	uint32_t v;
	int r;

	/* Missing FDT_END. */
	b_platform(&bld, M_NONE);
	b_end(&bld);
	CHECK(build_parse(&bld, err, sizeof(err)) == ERR_TRUNCATED && err[0]);

	/* Unknown token. */
	b_platform(&bld, M_NONE);
	b_u32(&bld, 7);
	b_end(&bld);
	b_u32(&bld, 9);
	CHECK(build_parse(&bld, err, sizeof(err)) == ERR_CORRUPT && strstr(err, "unknown token"));

	/* FDT_END inside the root. */
	b_platform(&bld, M_NONE);
	b_u32(&bld, 9);
	CHECK(build_parse(&bld, err, sizeof(err)) == ERR_CORRUPT && err[0]);

	/* Extra END_NODE, property outside any node, a second root. */
	b_platform(&bld, M_NONE);
	b_end(&bld);
	b_end(&bld);
	b_u32(&bld, 9);
	CHECK(build_parse(&bld, err, sizeof(err)) == ERR_CORRUPT && err[0]);
	b_platform(&bld, M_NONE);
	b_end(&bld);
	b_u32prop(&bld, "x", 1);
	b_u32(&bld, 9);
	CHECK(build_parse(&bld, err, sizeof(err)) == ERR_CORRUPT && err[0]);
	b_platform(&bld, M_NONE);
	b_end(&bld);
	b_begin(&bld, "");
	b_end(&bld);
	b_u32(&bld, 9);
	CHECK(build_parse(&bld, err, sizeof(err)) == ERR_CORRUPT && err[0]);

	/* NOPs anywhere are fine. */
	memset(&bld, 0, sizeof(bld));
	b_u32(&bld, 4);
	b_begin(&bld, "");
	b_u32(&bld, 4);
	b_u32prop(&bld, "a", 5);
	b_u32(&bld, 4);
	b_begin(&bld, "n");
	b_end(&bld);
	b_u32(&bld, 4);
	b_end(&bld);
	b_u32(&bld, 4);
	b_u32(&bld, 9);
	{
		size_t n = b_finish(&bld, out);
		struct fdt f;
		int root;

		CHECK(fdt_open(&f, out, n, err, sizeof(err)) == ERR_OK);
		CHECK((root = fdt_root(&f)) == 4);
		CHECK(fdt_getprop_u32(&f, root, "a", &v) && v == 5);
		CHECK(fdt_first_child(&f, root) >= 0);
		CHECK(walk_all(&f) == 2);
	}

	/* Node name not terminated inside the structure block. */
	memset(&bld, 0, sizeof(bld));
	b_begin(&bld, "");
	b_u32(&bld, 1);
	memcpy(bld.st + bld.nst, "abcdefgh", 8);
	bld.nst += 8;
	CHECK(build_parse(&bld, err, sizeof(err)) == ERR_CORRUPT && strstr(err, "not terminated"));

	/* Property name not terminated inside the strings block. */
	memset(&bld, 0, sizeof(bld));
	b_begin(&bld, "");
	b_u32(&bld, 3);
	b_u32(&bld, 0);
	b_u32(&bld, 0); /* name offset 0: "dangling" without a NUL */
	b_end(&bld);
	b_u32(&bld, 9);
	memcpy(bld.str, "dangling", 8);
	bld.nstr = 8;
	CHECK(build_parse(&bld, err, sizeof(err)) == ERR_CORRUPT && strstr(err, "not terminated"));

	/* Property length beyond the block, and huge. */
	for (int k = 0; k < 2; k++) {
		b_platform(&bld, M_NONE);
		b_u32(&bld, 3);
		b_u32(&bld, k ? 0xfffffff0u : 0x1000);
		b_u32(&bld, 0);
		b_end(&bld);
		b_u32(&bld, 9);
		r = build_parse(&bld, err, sizeof(err));
		CHECKF(r == ERR_TRUNCATED && strstr(err, "length"), "%s: %s", err_name(r), err);
	}

	/* Name offset outside the strings block. */
	b_platform(&bld, M_NONE);
	b_u32(&bld, 3);
	b_u32(&bld, 0);
	b_u32(&bld, 0xffffff00u);
	b_end(&bld);
	b_u32(&bld, 9);
	CHECK(build_parse(&bld, err, sizeof(err)) == ERR_CORRUPT && strstr(err, "strings"));

	/* Reservation map without its terminator: the structure block follows at once. */
	b_platform(&bld, M_NONE);
	b_end(&bld);
	b_u32(&bld, 9);
	{
		size_t n = b_finish(&bld, out);

		memset(out + 40, 0xff, 16); /* the terminator becomes an entry */
		CHECK(parse_bytes(out, n, err, sizeof(err)) == ERR_CORRUPT &&
		      strstr(err, "reserv"));
	}
}

static void deep_nesting(void)
{
	char err[160];
	struct fdt f;
	size_t n;

	/* FDT_MAX_DEPTH levels (the root is one) open fine... */
	memset(&bld, 0, sizeof(bld));
	for (int i = 0; i < FDT_MAX_DEPTH; i++)
		b_begin(&bld, i ? "n" : "");
	for (int i = 0; i < FDT_MAX_DEPTH; i++)
		b_end(&bld);
	b_u32(&bld, 9);
	n = b_finish(&bld, out);
	CHECK(fdt_open(&f, out, n, err, sizeof(err)) == ERR_OK);
	CHECK(walk_all(&f) == FDT_MAX_DEPTH);
	CHECK(parse_bytes(out, n, err, sizeof(err)) == ERR_NOENT); /* no memory, no crash */

	/* ...one more does not; nor do 200. */
	for (int depth = FDT_MAX_DEPTH + 1; depth <= 200; depth += 167) {
		memset(&bld, 0, sizeof(bld));
		for (int i = 0; i < depth; i++)
			b_begin(&bld, i ? "n" : "");
		for (int i = 0; i < depth; i++)
			b_end(&bld);
		b_u32(&bld, 9);
		n = b_finish(&bld, out);
		CHECK(fdt_open(&f, out, n, err, sizeof(err)) == ERR_CORRUPT);
		CHECKF(strstr(err, "deeper than 32"), "%s", err);
		CHECK(parse_bytes(out, n, err, sizeof(err)) == ERR_CORRUPT);
	}
}

/* Tables keep their first entries when the tree has more. */
static void table_caps(void)
{
	char err[160];
	uint32_t ph = 1;

	memset(&bld, 0, sizeof(bld));
	b_begin(&bld, "");
	b_u32prop(&bld, "#address-cells", 1);
	b_u32prop(&bld, "#size-cells", 1);
	for (unsigned i = 0; i < PLAT_MAX_MEM + 3; i++) {
		uint32_t reg[2] = {0x80000000u + i * 0x100000u, 0x100000u};

		b_begin(&bld, "memory");
		b_str(&bld, "device_type", "memory");
		b_cells(&bld, "reg", 2, reg);
		b_end(&bld);
	}
	b_begin(&bld, "cpus");
	b_u32prop(&bld, "#address-cells", 1);
	b_u32prop(&bld, "#size-cells", 0);
	for (unsigned i = 0; i < PLAT_MAX_HARTS + 5; i++) {
		b_begin(&bld, "cpu");
		b_str(&bld, "device_type", "cpu");
		b_u32prop(&bld, "reg", i);
		b_u32prop(&bld, "phandle", ph + i);
		b_str(&bld, "mmu-type", "riscv,sv39");
		b_end(&bld);
	}
	b_end(&bld);
	for (unsigned i = 0; i < PLAT_MAX_VIRTIO + 4; i++) {
		uint32_t reg[2] = {0x10100000u - i * 0x1000u, 0x1000u};

		b_begin(&bld, "virtio");
		b_str(&bld, "compatible", "virtio,mmio");
		b_cells(&bld, "reg", 2, reg);
		b_u32prop(&bld, "interrupts", i + 1);
		b_end(&bld);
	}
	b_begin(&bld, "plic");
	b_str(&bld, "compatible", "sifive,plic-1.0.0");
	{
		uint32_t reg[2] = {0xc000000, 0x4000000}, ie[2 * (PLAT_MAX_PLIC_CTX + 6)];

		for (unsigned i = 0; i < PLAT_MAX_PLIC_CTX + 6; i++) {
			ie[2 * i] = ph + i / 2;
			ie[2 * i + 1] = i & 1 ? 9 : 11;
		}
		b_cells(&bld, "reg", 2, reg);
		b_cells(&bld, "interrupts-extended", 2 * (PLAT_MAX_PLIC_CTX + 6), ie);
	}
	b_end(&bld);
	b_end(&bld);
	b_u32(&bld, 9);
	CHECK(build_parse(&bld, err, sizeof(err)) == ERR_OK);
	CHECK(plat.nmem == PLAT_MAX_MEM && plat.mem[0].base == 0x80000000u);
	CHECK(plat.nharts == PLAT_MAX_HARTS && plat.harts[PLAT_MAX_HARTS - 1].hartid == 31);
	CHECK(plat.nvirtio == PLAT_MAX_VIRTIO);
	/* the first 16 in tree order, then sorted by address */
	CHECK(plat.virtio[0].base == 0x10100000u - 15 * 0x1000u && plat.virtio[0].irq == 16);
	CHECK(plat.virtio[15].base == 0x10100000u && plat.virtio[15].irq == 1);
	CHECK(plat.nplic_ctx == PLAT_MAX_PLIC_CTX);
	CHECK(plat.plic_ctx[63].hartid == 31 && plat.plic_ctx[63].cause == 9);
	CHECK(consistent(&plat));
}

int main(void)
{
	check_suite = "fdt";
	RUN(be_cells);
	RUN(fdt_api);
	RUN(virt_4h_2g);
	RUN(virt_1h_128m);
	RUN(sifive_u_5h);
	RUN(hand_1cell);
	RUN(hand_2cell);
	RUN(isa_strings);
	RUN(header_errors);
	RUN(builder_platforms);
	RUN(rtc_nodes);
	RUN(builder_structure_errors);
	RUN(deep_nesting);
	RUN(table_caps);
	RUN(truncations);
	RUN(byte_flips);
	return check_done();
}
