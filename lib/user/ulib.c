#include "lib/user/ulib.h"

#include "lib/fmt.h"
#include "lib/user/syscall.h"

#define PRINT_BUF   256
#define STACK_ORDER 2 /* 16 KiB thread stacks */

struct uenv uenv;
static uint64_t next_va = UHEAP_BASE;

struct outbuf {
	char buf[PRINT_BUF];
	size_t n;
};

static void out_putc(void *ctx, char c)
{
	struct outbuf *o = ctx;

	o->buf[o->n++] = c;
	if (o->n == PRINT_BUF) {
		sys_debug_write(o->buf, o->n);
		o->n = 0;
	}
}

int uprintf(const char *fmt, ...)
{
	struct outbuf o;
	va_list ap;

	o.n = 0;
	va_start(ap, fmt);
	int n = fmt_vformat(out_putc, &o, fmt, ap);
	va_end(ap);
	if (o.n)
		sys_debug_write(o.buf, o.n);
	return n;
}

void uexit(int status)
{
	sys_thread_exit(status);
}

uint64_t uvm_reserve(uint64_t bytes)
{
	uint64_t va = next_va;

	next_va += (bytes + 4095) & ~4095ull;
	next_va += 4096; /* an unmapped guard page between reservations */
	return va;
}

void *umap_pages(unsigned order, handle_t *frame)
{
	handle_t f;

	if (sys_frame_alloc(order, FRAME_ZEROED, &f) != ERR_OK)
		return 0;
	uint64_t va = uvm_reserve(4096ull << order);
	if (sys_space_map(uenv.space, va, f, 0, 1ull << order, PROT_R | PROT_W) != ERR_OK) {
		sys_handle_close(f);
		return 0;
	}
	if (frame)
		*frame = f;
	else
		sys_handle_close(f); /* the mapping keeps the frame alive */
	return (void *)va;
}

struct spawn {
	void (*fn)(void *);
	void *arg;
};

static void thread_entry(struct spawn *s)
{
	s->fn(s->arg);
	sys_thread_exit(0);
}

int uthread_spawn(void (*fn)(void *), void *arg, unsigned prio, uint64_t ipcbuf_va,
		  handle_t *thread)
{
	uint8_t *stack = umap_pages(STACK_ORDER, 0);
	uint8_t *ipcbuf = ipcbuf_va ? (uint8_t *)ipcbuf_va : umap_pages(0, 0);

	if (!stack || !ipcbuf)
		return ERR_NOMEM;
	/* The spawn record lives at the top of the new stack. */
	uint64_t top = (uint64_t)stack + (4096ull << STACK_ORDER);
	struct spawn *s = (struct spawn *)(top - 64);
	s->fn = fn;
	s->arg = arg;
	int e = sys_thread_create(uenv.space, (uint64_t)thread_entry, top - 64, (uint64_t)s, prio,
				  thread);
	if (e == ERR_OK)
		e = sys_thread_set_ipcbuf(*thread, (uint64_t)ipcbuf);
	if (e == ERR_OK)
		e = sys_thread_start(*thread);
	return e;
}
