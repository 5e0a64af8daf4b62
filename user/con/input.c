/*
 * The input thread: wait for the UART's interrupt, take every byte that
 * came, feed the line discipline, then complete the interrupt. A byte
 * that arrives after the last check keeps the (level) interrupt pending,
 * so it is not lost between the drain and the acknowledgement.
 */
#include "user/con/input.h"

#include "lib/error.h"
#include "lib/user/syscall.h"
#include "lib/user/ulib.h"
#include "user/con/echo.h"
#include "user/con/foreground.h"
#include "user/con/ldisc.h"
#include "user/con/uart.h"

#define IRQ_BIT	  1ull
#define READY_BIT 1ull
#define BURST	  64 /* bytes handled between echo flushes and signals */

static struct {
	handle_t irq, notify, ready_signal;
	struct ldisc ld;
	struct echo echo;
} in;

/*
 * Handle up to BURST received bytes, send their echo and tell readers if
 * a line is ready. Returns false when the UART has no more.
 */
static bool drain_burst(void)
{
	bool more = true;

	for (int i = 0; i < BURST; i++) {
		int c = con_uart.drv->rx_byte(con_uart.regs);
		if (c < 0) {
			more = false;
			break;
		}
		ldisc_byte(&in.ld, (unsigned char)c, &in.echo);
	}
	echo_flush(&in.echo);
	if (in.ld.queued) {
		in.ld.queued = false;
		sys_notify_signal(in.ready_signal, READY_BIT);
	}
	if (in.ld.signal) {
		foreground_signal(in.ld.signal);
		in.ld.signal = 0;
	}
	return more;
}

static void input_main(void *arg)
{
	(void)arg;
	for (;;) {
		uint64_t bits;
		int e = sys_notify_wait(in.notify, &bits);
		if (e != ERR_OK) {
			uprintf("con: input stops: %s\n", err_name(e));
			return;
		}
		while (drain_burst())
			;
		/* ERR_STATE (nothing in service) only means no interrupt was owed. */
		sys_irq_ack(in.irq);
	}
}

size_t input_typed(void)
{
	return __atomic_load_n(&in.ld.len, __ATOMIC_RELAXED);
}

void input_wake_reader(void)
{
	sys_notify_signal(in.ready_signal, READY_BIT);
}

int input_start(handle_t irq, handle_t ready_signal)
{
	handle_t thread;
	int e = sys_notify_create(&in.notify);

	in.irq = irq;
	in.ready_signal = ready_signal;
	if (e == ERR_OK)
		e = sys_irq_bind(irq, in.notify, IRQ_BIT);
	if (e == ERR_OK)
		e = uthread_spawn(input_main, 0, CON_PRIO, 0, &thread);
	if (e != ERR_OK)
		return e;
	/*
	 * Take what was typed before we started first: turning the 16550's
	 * FIFOs on clears its receiver. The input thread cannot run
	 * drain_burst yet, as no receive interrupt is enabled.
	 */
	while (drain_burst())
		;
	con_uart.drv->rx_enable(con_uart.regs);
	return ERR_OK;
}
