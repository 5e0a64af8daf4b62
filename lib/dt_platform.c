/*
 * Platform facts from the device tree (see dt_platform.h).
 *
 * One depth-first walk over the tree visits every node with its ancestors
 * on a stack, so a node's "reg" is read with its parent's #address-cells /
 * #size-cells (defaults 2 and 1; they are not inherited) and device
 * addresses are translated through the ancestors' "ranges". /chosen,
 * /aliases, /cpus and /reserved-memory are looked up by path first, so the
 * walk knows which nodes are special when it meets them.
 */
#include "lib/dt_platform.h"

#include <stdarg.h>

#include "lib/error.h"
#include "lib/fdt.h"
#include "lib/str.h"

#define NO_HART 0xffffffffu

/* ------------------------------------------------------------ sentences */

/* Write a sentence into err, cut to fit: %s string, %u unsigned, %X uint64_t as 0x... */
static void errf(char *err, size_t errlen, const char *fmt, ...)
{
	size_t n = 0;
	va_list ap;

	if (!err || errlen == 0)
		return;
	va_start(ap, fmt);
	for (const char *p = fmt; *p && n + 1 < errlen; p++) {
		char num[24];
		const char *s = num;
		unsigned i = sizeof(num) - 1;

		if (*p != '%' || !p[1]) {
			err[n++] = *p;
			continue;
		}
		p++;
		if (*p == 's') {
			s = va_arg(ap, const char *);
			if (!s)
				s = "(null)";
		} else {
			uint64_t v = *p == 'X' ? va_arg(ap, uint64_t) : va_arg(ap, unsigned);
			unsigned base = *p == 'X' ? 16 : 10;

			num[i] = '\0';
			do {
				num[--i] = "0123456789abcdef"[v % base];
				v /= base;
			} while (v);
			if (base == 16) {
				num[--i] = 'x';
				num[--i] = '0';
			}
			s = &num[i];
		}
		while (*s && n + 1 < errlen)
			err[n++] = *s++;
	}
	va_end(ap);
	err[n] = '\0';
}

/* ------------------------------------------------------------ walking */

struct frame {
	int node;
	uint32_t ac, sc; /* this node's #address-cells / #size-cells, for its children */
};

/* Depth-first walk; st[0..depth] is the current node and its ancestors. */
struct walk {
	const struct fdt *f;
	struct frame st[FDT_MAX_DEPTH];
	int depth;
};

static void walk_set(struct walk *w, int depth, int node)
{
	struct frame *fr = &w->st[depth];

	fr->node = node;
	if (!fdt_getprop_u32(w->f, node, "#address-cells", &fr->ac))
		fr->ac = 2;
	if (!fdt_getprop_u32(w->f, node, "#size-cells", &fr->sc))
		fr->sc = 1;
	w->depth = depth;
}

/* Start at the root: returns its offset or an error. */
static int walk_start(struct walk *w, const struct fdt *f)
{
	int root = fdt_root(f);

	w->f = f;
	w->depth = 0;
	if (root >= 0)
		walk_set(w, 0, root);
	return root;
}

/* The next node in depth-first order, ERR_NOENT after the last, or an error. */
static int walk_next(struct walk *w)
{
	int node = fdt_first_child(w->f, w->st[w->depth].node);

	if (node >= 0) {
		if (w->depth + 1 >= FDT_MAX_DEPTH)
			return ERR_CORRUPT;
		walk_set(w, w->depth + 1, node);
		return node;
	}
	if (node != ERR_NOENT)
		return node;
	while (w->depth > 0) {
		node = fdt_next_sibling(w->f, w->st[w->depth].node);
		if (node >= 0) {
			walk_set(w, w->depth, node);
			return node;
		}
		if (node != ERR_NOENT)
			return node;
		w->depth--;
	}
	return ERR_NOENT;
}

/* ------------------------------------------------------------ values */

/* n cells (0..2) as a number. */
static uint64_t cells(const uint8_t *p, uint32_t n)
{
	return n == 0 ? 0 : n == 1 ? fdt_be32(p) : fdt_be64(p);
}

/*
 * Tuple i of a reg-style value with ac address and sc size cells. False if
 * the cell counts are ones we cannot hold in 64 bits or the tuple is absent.
 */
static bool reg_tuple(const uint8_t *v, uint32_t len, uint32_t ac, uint32_t sc, unsigned i,
		      uint64_t *base, uint64_t *size)
{
	uint64_t tuple = 4 * (uint64_t)(ac + sc);

	if (!v || ac < 1 || ac > 2 || sc > 2 || (uint64_t)(i + 1) * tuple > len)
		return false;
	*base = cells(v + i * tuple, ac);
	*size = cells(v + i * tuple + 4 * ac, sc);
	return true;
}

/* A property holding a u32 or a u64. */
static bool prop_uint(const struct fdt *f, int node, const char *name, uint64_t *out)
{
	uint32_t len;
	const uint8_t *v = fdt_getprop(f, node, name, &len);

	if (!v || (len != 4 && len != 8))
		return false;
	*out = len == 4 ? fdt_be32(v) : fdt_be64(v);
	return true;
}

static bool prop_is(const struct fdt *f, int node, const char *name, const char *value)
{
	const char *s = fdt_getprop_str(f, node, name);

	return s && strcmp(s, value) == 0;
}

/* The first string of node's compatible list that is in want[], or NULL. */
static const char *compat_match(const struct fdt *f, int node, const char *const *want)
{
	uint32_t len, i = 0;
	const char *v = fdt_getprop(f, node, "compatible", &len);

	while (v && i < len) {
		size_t l = strnlen(v + i, len - i);

		if (l == len - i)
			return NULL; /* unterminated tail */
		for (const char *const *w = want; *w; w++)
			if (strcmp(v + i, *w) == 0)
				return *w;
		i += (uint32_t)l + 1;
	}
	return NULL;
}

/*
 * Translate addr from the address space of the children of st[level] to
 * the root's, through each ancestor's "ranges". An empty "ranges" is the
 * identity; a missing one means the bus is not memory-mapped (false).
 */
static bool translate(const struct walk *w, int level, uint64_t *addr)
{
	for (int i = level; i > 0; i--) {
		const struct frame *bus = &w->st[i], *up = &w->st[i - 1];
		uint32_t len, ca = bus->ac, pa = up->ac, sz = bus->sc;
		const uint8_t *r = fdt_getprop(w->f, bus->node, "ranges", &len);
		uint64_t entry = 4 * ((uint64_t)ca + pa + sz);
		bool found = false;

		if (!r)
			return false;
		if (len == 0)
			continue;
		if (ca < 1 || ca > 2 || pa < 1 || pa > 2 || sz > 2 || len % entry)
			return false;
		for (uint64_t o = 0; o < len && !found; o += entry) {
			uint64_t cb = cells(r + o, ca), pb = cells(r + o + 4 * ca, pa);
			uint64_t size = cells(r + o + 4 * (ca + pa), sz);

			if (*addr >= cb && *addr - cb < size) {
				*addr = pb + (*addr - cb);
				found = true;
			}
		}
		if (!found)
			return false;
	}
	return true;
}

/* ------------------------------------------------------------ parsing */

struct parse {
	const struct fdt *f;
	struct platform *p;
	char *err;
	size_t errlen;
	int cpus, chosen, reserved; /* node offsets, or negative if absent */
	int stdout_node;	    /* the node stdout-path names, or negative */
	bool uart_is_stdout;
	int plic_node;
	unsigned ncpu_nodes, nmem_nodes;
};

static const char *const uart_compat[] = {"ns16550a", "sifive,uart0", NULL};
static const char *const plic_compat[] = {"riscv,plic0", "sifive,plic-1.0.0", NULL};
static const char *const test_compat[] = {"sifive,test0", "sifive,test1", NULL};
static const char *const virtio_compat[] = {"virtio,mmio", NULL};
static const char *const spi_compat[] = {"sifive,spi0", NULL};
static const char *const mmc_spi_compat[] = {"mmc-spi-slot", NULL};
static const char *const rtc_compat[] = {"google,goldfish-rtc", NULL};

static void add_range(struct plat_range *tab, unsigned *n, unsigned cap, uint64_t base,
		      uint64_t size)
{
	if (*n < cap) {
		tab[*n].base = base;
		tab[*n].size = size;
		(*n)++;
	}
}

/* Every reg tuple of the current node, in its parent's cells, into tab. */
static int add_reg_ranges(struct parse *ps, const struct walk *w, struct plat_range *tab,
			  unsigned *n, unsigned cap, const char *what)
{
	const struct frame *up = &w->st[w->depth - 1];
	int node = w->st[w->depth].node;
	uint32_t len;
	const uint8_t *v = fdt_getprop(ps->f, node, "reg", &len);
	uint64_t base, size, tuple = 4 * ((uint64_t)up->ac + up->sc);

	if (!v || len == 0 || !reg_tuple(v, len, up->ac, up->sc, 0, &base, &size) || len % tuple) {
		errf(ps->err, ps->errlen,
		     "%s node %s has no usable reg (%u bytes with %u address and %u size cells)",
		     what, fdt_node_name(ps->f, node), v ? len : 0, up->ac, up->sc);
		return ERR_CORRUPT;
	}
	for (unsigned i = 0; reg_tuple(v, len, up->ac, up->sc, i, &base, &size); i++)
		if (size)
			add_range(tab, n, cap, base, size);
	return ERR_OK;
}

static void add_hart(struct parse *ps, const struct walk *w)
{
	const struct fdt *f = ps->f;
	struct platform *p = ps->p;
	const struct frame *up = &w->st[w->depth - 1];
	int node = w->st[w->depth].node;
	uint32_t len;
	const uint8_t *reg = fdt_getprop(f, node, "reg", &len);
	const char *status = fdt_getprop_str(f, node, "status");
	const char *mmu = fdt_getprop_str(f, node, "mmu-type");
	const char *isa = fdt_getprop_str(f, node, "riscv,isa");
	struct plat_hart *h;
	uint64_t id, unused;

	ps->ncpu_nodes++;
	if (p->timebase_hz == 0)
		prop_uint(f, node, "timebase-frequency", &p->timebase_hz);
	if (!reg_tuple(reg, len, up->ac, 0, 0, &id, &unused) || id > 0xffffffffu ||
	    dt_platform_hart(p, (uint32_t)id) || p->nharts == PLAT_MAX_HARTS)
		return;
	h = &p->harts[p->nharts++];
	h->hartid = (uint32_t)id;
	h->usable = (!status || strcmp(status, "okay") == 0 || strcmp(status, "ok") == 0) && mmu &&
		    strcmp(mmu, "riscv,none") != 0;
	str_copy(h->mmu_type, mmu ? mmu : "", sizeof(h->mmu_type));
	str_copy(h->isa, isa ? isa : "", sizeof(h->isa));
}

/* Fill d from the current node: first reg tuple (translated), first interrupt, UART details. */
static bool get_device(const struct walk *w, const char *compat, struct plat_device *d)
{
	const struct fdt *f = w->f;
	const struct frame *up = &w->st[w->depth - 1];
	int node = w->st[w->depth].node;
	uint32_t len;
	const uint8_t *v = fdt_getprop(f, node, "reg", &len);
	uint64_t clock;

	memset(d, 0, sizeof(*d));
	if (!reg_tuple(v, len, up->ac, up->sc, 0, &d->base, &d->size) ||
	    !translate(w, w->depth - 1, &d->base))
		return false;
	v = fdt_getprop(f, node, "interrupts", &len);
	if (v && len >= 4)
		d->irq = fdt_be32(v);
	if (!fdt_getprop_u32(f, node, "reg-shift", &d->reg_shift))
		d->reg_shift = 0;
	if (!fdt_getprop_u32(f, node, "reg-io-width", &d->reg_io_width))
		d->reg_io_width = 1;
	if (prop_uint(f, node, "clock-frequency", &clock) && clock <= 0xffffffffu)
		d->clock_hz = (uint32_t)clock;
	str_copy(d->compatible, compat, sizeof(d->compatible));
	d->present = true;
	return true;
}

/* The first compatible string of node into buf ("" if none). */
static void first_compat(const struct fdt *f, int node, char *buf, size_t n)
{
	const char *s = fdt_getprop_str(f, node, "compatible");

	str_copy(buf, s ? s : "", n);
}

/* The node's first mmc-spi-slot child (an SD card slot): its chip select in *cs. */
static bool has_sd_slot(const struct fdt *f, int node, uint32_t *cs)
{
	for (int c = fdt_first_child(f, node); c >= 0; c = fdt_next_sibling(f, c))
		if (compat_match(f, c, mmc_spi_compat)) {
			if (!fdt_getprop_u32(f, c, "reg", cs))
				*cs = 0;
			return true;
		}
	return false;
}

/*
 * An RTC node: usable only if its reg reaches both time registers and is
 * word-aligned (a misaligned MMIO read would trap in the kernel).
 */
static void visit_rtc(const struct walk *w, const char *compat, struct platform *p)
{
	struct plat_device d;

	if (get_device(w, compat, &d) && d.size >= DT_RTC_REGS_SIZE && (d.base & 3) == 0)
		p->rtc = d;
	else
		p->rtc_unusable = true;
}

static void visit_device(struct parse *ps, const struct walk *w)
{
	struct platform *p = ps->p;
	int node = w->st[w->depth].node;
	struct plat_device d;
	const char *c;

	if (node == ps->stdout_node)
		first_compat(ps->f, node, p->stdout_compatible, sizeof(p->stdout_compatible));
	if (fdt_getprop(ps->f, node, "interrupt-controller", NULL) && !p->other_intc[0] &&
	    !compat_match(ps->f, node, plic_compat) &&
	    !prop_is(ps->f, w->st[w->depth - 1].node, "device_type", "cpu"))
		first_compat(ps->f, node, p->other_intc, sizeof(p->other_intc));

	if ((c = compat_match(ps->f, node, uart_compat)) && !ps->uart_is_stdout &&
	    (node == ps->stdout_node || !p->uart.present) && get_device(w, c, &d)) {
		p->uart = d;
		ps->uart_is_stdout = node == ps->stdout_node;
	}
	if ((c = compat_match(ps->f, node, plic_compat)) && !p->plic.present &&
	    get_device(w, c, &p->plic)) {
		p->plic.irq = 0;
		fdt_getprop_u32(ps->f, node, "riscv,ndev", &p->plic_ndev);
		ps->plic_node = node;
	}
	if ((c = compat_match(ps->f, node, test_compat)) && !p->test.present)
		get_device(w, c, &p->test);
	if ((c = compat_match(ps->f, node, virtio_compat)) && p->nvirtio < PLAT_MAX_VIRTIO &&
	    get_device(w, c, &p->virtio[p->nvirtio]))
		p->nvirtio++;
	uint32_t cs;
	if ((c = compat_match(ps->f, node, spi_compat)) && !p->sdspi.present &&
	    has_sd_slot(ps->f, node, &cs) && get_device(w, c, &p->sdspi))
		p->sdspi.unit = cs;
	if ((c = compat_match(ps->f, node, rtc_compat)) && !p->rtc.present)
		visit_rtc(w, c, p);
}

/* Everything one node contributes; negative on a fatal problem (err written). */
static int visit(struct parse *ps, const struct walk *w)
{
	struct platform *p = ps->p;
	int node = w->st[w->depth].node, parent;
	const char *type;

	if (w->depth == 0)
		return ERR_OK;
	parent = w->st[w->depth - 1].node;
	type = fdt_getprop_str(ps->f, node, "device_type");
	if (type && strcmp(type, "memory") == 0) {
		ps->nmem_nodes++;
		if (add_reg_ranges(ps, w, p->mem, &p->nmem, PLAT_MAX_MEM, "memory") < 0)
			return ERR_CORRUPT;
	}
	if (parent == ps->reserved && fdt_getprop(ps->f, node, "reg", NULL) &&
	    add_reg_ranges(ps, w, p->reserved, &p->nreserved, PLAT_MAX_RESERVED,
			   "reserved-memory") < 0)
		return ERR_CORRUPT;
	if (parent == ps->cpus && type && strcmp(type, "cpu") == 0)
		add_hart(ps, w);
	visit_device(ps, w);
	return ERR_OK;
}

/*
 * What the node with this phandle says for interrupts-extended: its
 * #interrupt-cells (default 1) and the hart it belongs to (the node itself
 * or its parent being a cpu node), NO_HART if none.
 */
static void phandle_target(const struct fdt *f, uint32_t phandle, uint32_t *icells, uint32_t *hart)
{
	struct walk w;
	int node;

	*icells = 1;
	*hart = NO_HART;
	for (node = walk_start(&w, f); node >= 0; node = walk_next(&w)) {
		uint32_t ph;
		uint64_t id, unused;
		uint32_t len;
		const uint8_t *reg;
		int d;

		if (!(fdt_getprop_u32(f, node, "phandle", &ph) ||
		      fdt_getprop_u32(f, node, "linux,phandle", &ph)) ||
		    ph != phandle)
			continue;
		if (!fdt_getprop_u32(f, node, "#interrupt-cells", icells))
			*icells = 1;
		for (d = w.depth; d > 0 && d >= w.depth - 1; d--) {
			if (!prop_is(f, w.st[d].node, "device_type", "cpu"))
				continue;
			reg = fdt_getprop(f, w.st[d].node, "reg", &len);
			if (reg_tuple(reg, len, w.st[d - 1].ac, 0, 0, &id, &unused) &&
			    id <= 0xffffffffu)
				*hart = (uint32_t)id;
			break;
		}
		return;
	}
}

/* PLIC contexts from interrupts-extended: (phandle, cause...) per context, in order. */
static void plic_contexts(struct parse *ps)
{
	struct platform *p = ps->p;
	uint32_t len, n, last = 0, icells = 1, hart = NO_HART;
	const uint8_t *v = fdt_getprop(ps->f, ps->plic_node, "interrupts-extended", &len);

	if (!v)
		return;
	n = len / 4;
	for (uint32_t i = 0; i < n && p->nplic_ctx < PLAT_MAX_PLIC_CTX;) {
		uint32_t ph = fdt_be32(v + 4 * i);
		struct plat_plic_ctx *c;

		if (ph != last) {
			phandle_target(ps->f, ph, &icells, &hart);
			last = ph;
		}
		if ((uint64_t)i + icells >= n)
			break;
		c = &p->plic_ctx[p->nplic_ctx++];
		c->hartid = hart;
		c->cause = icells ? fdt_be32(v + 4 * (i + 1)) : 0;
		i += 1 + icells;
	}
}

/*
 * stdout-path, without ":options", into p->stdout_path; returns the node it
 * names (an absolute path or an /aliases name), or a negative code.
 */
static int stdout_node(struct parse *ps)
{
	char path[128];
	const char *s = fdt_getprop_str(ps->f, ps->chosen, "stdout-path");
	int aliases;
	size_t n;

	if (!s)
		s = fdt_getprop_str(ps->f, ps->chosen, "linux,stdout-path");
	if (!s)
		return ERR_NOENT;
	for (n = 0; s[n] && s[n] != ':'; n++)
		;
	if (n >= sizeof(path))
		return ERR_NOENT;
	memcpy(path, s, n);
	path[n] = '\0';
	str_copy(ps->p->stdout_path, path, sizeof(ps->p->stdout_path));
	if (path[0] == '/')
		return fdt_path(ps->f, path);
	aliases = fdt_path(ps->f, "/aliases");
	s = aliases >= 0 ? fdt_getprop_str(ps->f, aliases, path) : NULL;
	return s && s[0] == '/' ? fdt_path(ps->f, s) : ERR_NOENT;
}

static int chosen_initrd(struct parse *ps)
{
	struct platform *p = ps->p;
	bool has_start = fdt_getprop(ps->f, ps->chosen, "linux,initrd-start", NULL) != NULL;
	bool has_end = fdt_getprop(ps->f, ps->chosen, "linux,initrd-end", NULL) != NULL;

	if (!has_start && !has_end)
		return ERR_OK;
	if (!prop_uint(ps->f, ps->chosen, "linux,initrd-start", &p->initrd_start) ||
	    !prop_uint(ps->f, ps->chosen, "linux,initrd-end", &p->initrd_end) ||
	    p->initrd_end < p->initrd_start) {
		errf(ps->err, ps->errlen,
		     "/chosen has a bad initrd: linux,initrd-start and -end must both be u32 or "
		     "u64 with start <= end");
		return ERR_CORRUPT;
	}
	p->has_initrd = true;
	return ERR_OK;
}

static int root_facts(struct parse *ps, int root)
{
	const char *s = fdt_getprop_str(ps->f, root, "model");

	if (s)
		str_copy(ps->p->model, s, sizeof(ps->p->model));
	s = fdt_getprop_str(ps->f, root, "compatible");
	if (s)
		str_copy(ps->p->compatible, s, sizeof(ps->p->compatible));
	if (ps->cpus >= 0)
		prop_uint(ps->f, ps->cpus, "timebase-frequency", &ps->p->timebase_hz);
	if (ps->chosen < 0 || !(s = fdt_getprop_str(ps->f, ps->chosen, "bootargs")))
		return ERR_OK;
	/* A command line cut short would run something else than was asked for. */
	size_t n = strlen(s);
	if (n >= sizeof(ps->p->bootargs)) {
		errf(ps->err, ps->errlen,
		     "the command line (/chosen bootargs) is %u bytes, the most is %u", (unsigned)n,
		     (unsigned)sizeof(ps->p->bootargs) - 1);
		return ERR_RANGE;
	}
	str_copy(ps->p->bootargs, s, sizeof(ps->p->bootargs));
	return ERR_OK;
}

static int rsvmap(struct parse *ps)
{
	struct platform *p = ps->p;
	uint64_t a, s;
	unsigned i;
	int r;

	for (i = 0; (r = fdt_rsvmap_entry(ps->f, i, &a, &s)) == ERR_OK; i++)
		add_range(p->reserved, &p->nreserved, PLAT_MAX_RESERVED, a, s);
	if (r != ERR_NOENT) {
		errf(ps->err, ps->errlen, "memory reservation block is not terminated");
		return r;
	}
	return ERR_OK;
}

/* Sort virtio devices by address (slot order), small n: insertion sort. */
static void sort_virtio(struct platform *p)
{
	for (unsigned i = 1; i < p->nvirtio; i++) {
		struct plat_device d = p->virtio[i];
		unsigned j = i;

		for (; j > 0 && p->virtio[j - 1].base > d.base; j--)
			p->virtio[j] = p->virtio[j - 1];
		p->virtio[j] = d;
	}
}

static int walk_tree(struct parse *ps)
{
	struct walk w;
	int node, r;

	for (node = walk_start(&w, ps->f); node >= 0; node = walk_next(&w))
		if ((r = visit(ps, &w)) < 0)
			return r;
	if (node != ERR_NOENT) {
		errf(ps->err, ps->errlen, "malformed structure block: %s while walking the tree",
		     err_name(node));
		return node == ERR_TRUNCATED ? ERR_TRUNCATED : ERR_CORRUPT;
	}
	return ERR_OK;
}

int dt_platform_parse(const void *blob, size_t len, struct platform *p, char *err, size_t errlen)
{
	struct fdt f;
	struct parse ps = {.f = &f, .p = p, .err = err, .errlen = errlen, .plic_node = -1};
	int root, r;

	if (!p) {
		errf(err, errlen, "no platform struct given");
		return ERR_INVALID;
	}
	memset(p, 0, sizeof(*p));
	if ((r = fdt_open(&f, blob, len, err, errlen)) < 0)
		return r;
	if ((root = fdt_root(&f)) < 0) {
		errf(err, errlen, "device tree has no root node");
		return ERR_CORRUPT;
	}
	p->boot_cpuid = f.boot_cpuid;
	ps.cpus = fdt_path(&f, "/cpus");
	ps.chosen = fdt_path(&f, "/chosen");
	ps.reserved = fdt_path(&f, "/reserved-memory");
	ps.stdout_node = ps.chosen >= 0 ? stdout_node(&ps) : ERR_NOENT;
	if ((r = root_facts(&ps, root)) < 0 || (r = rsvmap(&ps)) < 0 || (r = walk_tree(&ps)) < 0 ||
	    (ps.chosen >= 0 && (r = chosen_initrd(&ps)) < 0))
		return r;
	if (ps.plic_node >= 0)
		plic_contexts(&ps);
	sort_virtio(p);

	if (p->nmem == 0) {
		errf(err, errlen,
		     ps.nmem_nodes ? "memory nodes describe no memory (all sizes 0)"
				   : "no memory node");
		return ERR_NOENT;
	}
	for (unsigned i = 0; i < p->nharts; i++)
		if (p->harts[i].usable)
			return ERR_OK;
	errf(err, errlen,
	     "no usable hart: %u cpu nodes, none with status okay, an mmu-type and a reg",
	     ps.ncpu_nodes);
	return ERR_NOENT;
}

const struct plat_hart *dt_platform_hart(const struct platform *p, uint32_t hartid)
{
	for (unsigned i = 0; p && i < p->nharts; i++)
		if (p->harts[i].hartid == hartid)
			return &p->harts[i];
	return NULL;
}

/* ------------------------------------------------------------ ISA strings */

static char lower(char c)
{
	return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

/* s[0..n) equals ext, ignoring case. */
static bool same_ci(const char *s, size_t n, const char *ext)
{
	size_t i;

	for (i = 0; i < n && ext[i]; i++)
		if (lower(s[i]) != lower(ext[i]))
			return false;
	return i == n && ext[i] == '\0';
}

bool dt_isa_has(const char *isa, const char *ext)
{
	const char *s;
	size_t n;

	if (!isa || !ext || !ext[0] || lower(isa[0]) != 'r' || lower(isa[1]) != 'v')
		return false;
	for (s = isa + 2; *s >= '0' && *s <= '9'; s++)
		;
	/* Single letters up to the first '_' ("g" stands for "imafd"). */
	for (; *s && *s != '_'; s++) {
		if (ext[1] != '\0')
			continue;
		if (lower(*s) == lower(ext[0]))
			return true;
		if (lower(*s) == 'g' && strchr("imafd", lower(ext[0])))
			return true;
	}
	/* Then '_'-separated extensions. */
	while (*s == '_') {
		s++;
		for (n = 0; s[n] && s[n] != '_'; n++)
			;
		if (n && same_ci(s, n, ext))
			return true;
		s += n;
	}
	return false;
}
