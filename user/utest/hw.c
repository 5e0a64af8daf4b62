/*
 * In-guest tests of hardware paths: a real interrupt delivered through the
 * PLIC to a notification and acknowledged, and TLB shootdown on SMP.
 */
#include "lib/str.h"
#include "user/utest/harness.h"

#define PAGE	4096ull
#define IRQ_BIT 0x100

/* ns16550a: IER at 1 (THR-empty interrupt = bit 1), IIR at 2. */
#define NS_IER 1
#define NS_IIR 2
/* sifive,uart0: txctrl at 0x08 (txcnt in bits 16..18), ie at 0x10 (txwm = bit 0). */
#define SF_TXCTRL 0x08
#define SF_IE	  0x10

static const struct boot_device *find_uart(void)
{
	for (unsigned i = 0; i < bi->ndevices; i++) {
		const struct boot_device *d = &bi->devices[i];
		if ((strcmp(d->compatible, "ns16550a") == 0 ||
		     strcmp(d->compatible, "sifive,uart0") == 0) &&
		    d->frame && d->irq)
			return d;
	}
	return 0;
}

/* Make the UART raise its transmit interrupt (its transmitter is idle), or stop it. */
static void uart_tx_irq(const struct boot_device *d, volatile uint8_t *regs, int on)
{
	if (strcmp(d->compatible, "ns16550a") == 0) {
		regs[NS_IER] = on ? 0x02 : 0;
		(void)regs[NS_IIR]; /* reading IIR clears a THR-empty interrupt */
		return;
	}
	volatile uint32_t *txctrl = (volatile uint32_t *)(regs + SF_TXCTRL);
	volatile uint32_t *ie = (volatile uint32_t *)(regs + SF_IE);
	if (on)
		*txctrl = (*txctrl & ~(7u << 16)) | (1u << 16); /* fires while the FIFO holds < 1 */
	*ie = on ? 1 : 0;
}

static bool irq_delivery(void)
{
	const struct boot_device *d = find_uart();
	handle_t n;
	uint64_t bits = 0;

	CHECK(d != 0);
	uint64_t va = uvm_reserve(PAGE);
	OK(sys_space_map(uenv.space, va, d->frame, 0, 1, PROT_R | PROT_W));
	volatile uint8_t *regs = (volatile uint8_t *)(va + (d->pa & (PAGE - 1)));
	OK(sys_notify_create(&n));
	CHECK_ERR(sys_irq_bind(d->irq, n, 0), ERR_INVALID);
	CHECK_ERR(sys_irq_bind(n, n, IRQ_BIT), ERR_INVALID); /* not an IRQ handle */
	CHECK_ERR(sys_irq_ack(d->irq), ERR_STATE);	     /* nothing in service */
	OK(sys_irq_bind(d->irq, n, IRQ_BIT));
	uart_tx_irq(d, regs, 1);
	OK(sys_notify_wait(n, &bits)); /* returns only if the interrupt arrived */
	CHECK(bits == IRQ_BIT);
	uart_tx_irq(d, regs, 0);
	OK(sys_irq_ack(d->irq));
	CHECK_ERR(sys_irq_ack(d->irq), ERR_STATE);
	OK(sys_notify_poll(n, &bits));
	CHECK(bits == 0);
	OK(sys_space_unmap(uenv.space, va, PAGE));
	OK(sys_handle_close(n));
	return true;
}

struct reader {
	volatile uint64_t *page;
	volatile int started, stop;
	volatile uint64_t reads;
};

static void read_forever(void *arg)
{
	struct reader *r = arg;

	r->started = 1;
	while (!r->stop) {
		(void)r->page[0];
		r->reads++;
	}
}

/*
 * A thread keeps reading a page (on another hart when there is one) while we
 * unmap it: its very next reads must fault, so the stale translation was
 * shot down on its hart. If it still reads after the unmap, it stops on our
 * flag and exits normally — a failure.
 */
static bool tlb_shootdown(void)
{
	struct reader r = {0};
	struct uthread t;
	struct msg m = {0};
	handle_t exc;

	r.page = map_pages(0);
	CHECK(r.page);
	OK(sys_endpoint_create(&exc));
	OK(spawn_ex(&t, read_forever, &r, 10, exc, 7));
	for (int i = 0; i < 500 && (!r.started || r.reads < 1000); i++)
		sys_sleep(1000000); /* sleep, not yield: on one hart the reader must get to run */
	CHECK(r.reads >= 1000);
	OK(sys_space_unmap(uenv.space, (uint64_t)r.page, PAGE));
	uint64_t after = r.reads;
	sys_sleep(20000000);
	r.stop = 1;
	struct thread_info ti = {0};
	sys_sleep(5000000);
	OK(sys_thread_info(t.h, &ti));
	CHECK(ti.state != THREAD_DEAD); /* it did not run on unhindered */
	OK(ipc_recv(exc, &m));
	CHECK(msg_label(m.tag) == MSG_EXCEPTION && m.w[0] == 13 && m.w[1] == (uint64_t)r.page);
	CHECK(r.reads - after < 4); /* at most the reads already in flight */
	m = (struct msg){.tag = msg_error_tag(MSG_EXCEPTION, ERR_FAULT)};
	OK(ipc_reply(&m));
	join(&t);
	OK(sys_handle_close(exc));
	return true;
}

const struct test hw_tests[] = {
    {"irq_delivery", irq_delivery},
    {"tlb_shootdown", tlb_shootdown},
    {0, 0},
};
