/*
 * con: the console server. It drives the UART root hands it: output as it
 * comes (CON_WRITE), input a line at a time through the input thread and
 * the line discipline (CON_READ). lib/user/con_proto.h is the protocol.
 */
#include "lib/error.h"
#include "lib/str.h"
#include "lib/user/con_proto.h"
#include "lib/user/ipc.h"
#include "lib/user/msgbytes.h"
#include "lib/user/syscall.h"
#include "lib/user/ulib.h"
#include "lib/user/ustart.h"
#include "user/con/foreground.h"
#include "user/con/input.h"
#include "user/con/ready.h"
#include "user/con/tx.h"
#include "user/con/uart.h"

#define IPCBUF	   ((struct ipc_buffer *)USTART_IPCBUF)
#define KERNEL_MSG (1ull << 31)

/* CON_WRITE: w0 = n, n bytes from word 1 -> w0 = n. */
static int do_write(struct msg *m)
{
	char buf[CON_DATA_MAX];
	uint64_t n = m->w[0];

	if (msg_words(m->tag) < 1 || n > CON_DATA_MAX || !msgbytes_fit(m->tag, CON_DATA_WORD, n))
		return ERR_INVALID;
	msgbytes_get(m, IPCBUF, CON_DATA_WORD, buf, n);
	tx_write(buf, n, true);
	*m = (struct msg){.tag = msg_tag(CON_WRITE, 1, 0), .w = {n}};
	return ERR_OK;
}

/* CON_READ: w0 = most bytes wanted -> w0 = n (0: end of file), bytes from word 1. */
static int do_read(struct msg *m)
{
	char buf[CON_DATA_MAX];
	uint64_t max = m->w[0];

	if (msg_words(m->tag) < 1 || max == 0 || max > CON_DATA_MAX)
		return ERR_INVALID;
	long n = ready_take(buf, max);
	tx_reader_waits(n < 0);
	if (n < 0)
		return ERR_WOULDBLOCK;
	if (ready_waiting())
		input_wake_reader(); /* another reader may be waiting for what is left */
	*m = (struct msg){.w = {(uint64_t)n}};
	unsigned words = msgbytes_put(m, IPCBUF, CON_DATA_WORD, buf, (size_t)n);
	m->tag = msg_tag(CON_READ, words, 0);
	return ERR_OK;
}

/* Handle one received message; *m becomes the reply. */
static void handle(struct msg *m)
{
	unsigned label = msg_label(m->tag);
	int e;

	/* No request carries handles: close any that came, so they cannot pile up. */
	for (unsigned i = 0; i < msg_handles(m->tag); i++)
		if (IPCBUF->handles[i] > 0)
			sys_handle_close(IPCBUF->handles[i]);
	if ((m->tag & KERNEL_MSG) || msg_handles(m->tag) || msg_error(m->tag))
		e = ERR_INVALID;
	else if (label == CON_WRITE)
		e = do_write(m);
	else if (label == CON_READ)
		e = do_read(m);
	else if (label == CON_FOREGROUND)
		e = foreground_set(m);
	else
		e = ERR_UNSUPPORTED;
	if (e != ERR_OK)
		*m = (struct msg){.tag = msg_error_tag(label, e)};
}

/*
 * The request loop. SYS_REPLY_RECV is a plain receive when no reply is
 * owed (the first turn, or after a SYS_SEND), so every turn replies with
 * what handle() left in m.
 */
static void serve(handle_t ep)
{
	struct msg m = {.tag = msg_tag(0, 0, 0)};

	for (;;) {
		int e = ipc_reply_recv(ep, &m);

		if (e == ERR_TRUNCATED || e == ERR_FAULT) {
			/* Taken but unreadable: refuse it. */
			m = (struct msg){.tag = msg_error_tag(0, ERR_INVALID)};
			continue;
		}
		if (e != ERR_OK) {
			/* Nothing received; a reply that could not be staged is still owed. */
			uprintf("con: receive failed: %s\n", err_name(e));
			m = (struct msg){.tag = msg_error_tag(0, ERR_INVALID)};
			sys_sleep(10 * 1000 * 1000);
			continue;
		}
		handle(&m);
	}
}

/* Map the UART's register page into con's space; returns its address or 0. */
static volatile uint8_t *map_device(handle_t frame)
{
	uint64_t va = uvm_reserve(4096);

	if (sys_space_map(uenv.space, va, frame, 0, 1, PROT_R | PROT_W) != ERR_OK)
		return 0;
	return (volatile uint8_t *)va;
}

int main(const struct ustart *us)
{
	char compat[sizeof(us->device_compatible) + 1];

	if (us->magic != USTART_MAGIC || us->role != ROLE_CON) {
		uprintf("con: not started as the console server\n");
		return 1;
	}
	uenv = (struct uenv){us->self_space, us->self_thread, us->quota, us->system};
	/* The string need not be terminated in the page: copy it with room for a NUL. */
	memcpy(compat, us->device_compatible, sizeof(us->device_compatible));
	compat[sizeof(us->device_compatible)] = 0;
	con_uart.drv = uart_find(compat);
	if (!con_uart.drv) {
		uprintf("con: unsupported UART %s\n", compat);
		return 1;
	}
	if (!us->serve || !us->device || !us->irq || !us->con_input_signal) {
		uprintf("con: start-up page lacks handles\n");
		return 1;
	}
	con_uart.regs = map_device(us->device);
	if (!con_uart.regs) {
		uprintf("con: cannot map the UART\n");
		return 1;
	}
	foreground_init(us->proc);
	int e = input_start(us->irq, us->con_input_signal);
	if (e != ERR_OK) {
		uprintf("con: no input thread: %s\n", err_name(e));
		return 1;
	}
	static const char ready_fmt[] = "con: ready (";
	tx_write(ready_fmt, sizeof(ready_fmt) - 1, false);
	tx_write(compat, strlen(compat), false);
	tx_write(")\n", 2, true);
	serve(us->serve);
	return 0;
}
