/*
 * The PLIC (RISC-V platform-level interrupt controller) and IRQ objects.
 * Registers, from the PLIC specification:
 *   base + 4*s               priority of source s
 *   base + 0x2000 + 0x80*c   enable bits of context c
 *   base + 0x200000 + 0x1000*c       priority threshold of context c
 *   base + 0x200004 + 0x1000*c       claim / complete of context c
 * Every bound source is enabled on the S-mode context of every hart; the
 * hart that claims it signals the notification, and the driver's
 * acknowledgement completes it on that same context.
 */
#include "kernel/irq.h"

#include "kernel/arch.h"
#include "kernel/boot.h"
#include "kernel/hart.h"
#include "kernel/kvm.h"
#include "lib/error.h"
#include "lib/fmt.h"

#define PLIC_MAX_SOURCES 1024
#define CAUSE_S_EXT	 9

static unsigned long plic_base; /* virtual, 0 if there is no PLIC */
static struct irq *sources[PLIC_MAX_SOURCES];

static unsigned long reg_priority(unsigned s)
{
	return plic_base + 4ul * s;
}

static unsigned long reg_enable(int ctx, unsigned s)
{
	return plic_base + 0x2000ul + 0x80ul * (unsigned)ctx + 4ul * (s / 32);
}

static unsigned long reg_threshold(int ctx)
{
	return plic_base + 0x200000ul + 0x1000ul * (unsigned)ctx;
}

static unsigned long reg_claim(int ctx)
{
	return reg_threshold(ctx) + 4;
}

/* The PLIC context of hartid's S-mode, or -1. */
static int s_context(uint32_t hartid)
{
	for (unsigned i = 0; i < platform.nplic_ctx; i++) {
		if (platform.plic_ctx[i].hartid == hartid &&
		    platform.plic_ctx[i].cause == CAUSE_S_EXT)
			return (int)i;
	}
	return -1;
}

bool plic_present(void)
{
	return plic_base != 0;
}

int plic_init(char *err, size_t errlen)
{
	int e;

	if (!platform.plic.present) {
		if (platform.other_intc[0])
			fmt_snprintf(err, errlen,
				     "no PLIC; the interrupt controller is \"%s\", which Strata "
				     "does not drive",
				     platform.other_intc);
		else
			fmt_snprintf(
			    err, errlen,
			    "no PLIC (riscv,plic0 or sifive,plic-1.0.0) in the device tree");
		return ERR_NOENT;
	}
	if (platform.plic_ndev == 0) {
		fmt_snprintf(err, errlen, "the PLIC has no riscv,ndev");
		return ERR_CORRUPT;
	}
	if (s_context(this_hart()->hartid) < 0) {
		fmt_snprintf(err, errlen, "the PLIC has no S-mode context for boot hart %u",
			     this_hart()->hartid);
		return ERR_NOENT;
	}
	if ((e = kvm_map_device(platform.plic.base, platform.plic.size)) != ERR_OK) {
		fmt_snprintf(err, errlen, "cannot map the PLIC at %#lx: %s", platform.plic.base,
			     err_name(e));
		return e;
	}
	plic_base = DIRECT_VA(platform.plic.base);
	unsigned n =
	    platform.plic_ndev < PLIC_MAX_SOURCES ? platform.plic_ndev : PLIC_MAX_SOURCES - 1;
	for (unsigned s = 1; s <= n; s++)
		mmio_write32(reg_priority(s), 0);
	return ERR_OK;
}

void plic_init_hart(void)
{
	int ctx = s_context(this_hart()->hartid);

	if (!plic_base || ctx < 0)
		return;
	mmio_write32(reg_threshold(ctx), 0);
	csr_set(sie, SIE_SEIE);
}

static void set_enable(unsigned s, bool on)
{
	for (unsigned i = 0; i < nharts; i++) {
		int ctx = s_context(harts[i].hartid);
		if (ctx < 0)
			continue;
		uint32_t v = mmio_read32(reg_enable(ctx, s));
		v = on ? v | (1u << (s % 32)) : v & ~(1u << (s % 32));
		mmio_write32(reg_enable(ctx, s), v);
	}
}

void plic_handle(void)
{
	int ctx = s_context(this_hart()->hartid);

	if (!plic_base || ctx < 0)
		return;
	uint32_t s;
	while ((s = mmio_read32(reg_claim(ctx))) != 0) {
		struct irq *irq = s < PLIC_MAX_SOURCES ? sources[s] : NULL;
		if (!irq || !irq->n) {
			mmio_write32(reg_claim(ctx), s); /* nobody listens: complete at once */
			continue;
		}
		irq->in_service = true;
		irq->claim_ctx = ctx;
		notify_signal(irq->n, irq->bits);
	}
}

int irq_create(unsigned source, struct irq **out)
{
	int err;

	if (!plic_base || source == 0 || source > platform.plic_ndev || source >= PLIC_MAX_SOURCES)
		return ERR_RANGE;
	if (sources[source])
		return ERR_EXISTS;
	struct irq *irq = object_alloc(OBJ_IRQ, sizeof(*irq), NULL, &err);
	if (!irq)
		return err;
	irq->source = source;
	sources[source] = irq;
	*out = irq;
	return ERR_OK;
}

void irq_destroy(struct irq *irq)
{
	set_enable(irq->source, false);
	mmio_write32(reg_priority(irq->source), 0);
	if (irq->in_service)
		mmio_write32(reg_claim(irq->claim_ctx), irq->source);
	if (irq->n)
		object_put(&irq->n->obj);
	sources[irq->source] = NULL;
}

int irq_bind(struct irq *irq, struct notify *n, uint64_t bits)
{
	if (bits == 0)
		return ERR_INVALID;
	object_get(&n->obj);
	if (irq->n)
		object_put(&irq->n->obj);
	irq->n = n;
	irq->bits = bits;
	mmio_write32(reg_priority(irq->source), 1);
	set_enable(irq->source, true);
	return ERR_OK;
}

int irq_ack(struct irq *irq)
{
	if (!irq->in_service)
		return ERR_STATE;
	irq->in_service = false;
	mmio_write32(reg_claim(irq->claim_ctx), irq->source);
	return ERR_OK;
}
