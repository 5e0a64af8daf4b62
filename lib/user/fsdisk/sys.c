#include "lib/user/fsdisk/sys.h"

#include "lib/error.h"
#include "lib/user/ulib.h"

#define PAGE	    4096ull
#define STACK_BYTES (16 * 1024)

int fsd_mem_alloc(struct fsd_mem *m, uint64_t bytes)
{
	unsigned order = 0;
	uint64_t va;
	int e;

	*m = (struct fsd_mem){0};
	while ((PAGE << order) < bytes)
		order++;
	if ((e = sys_frame_alloc(order, FRAME_ZEROED, &m->frame)) != ERR_OK)
		return e;
	va = uvm_reserve(PAGE << order);
	if ((e = sys_space_map(uenv.space, va, m->frame, 0, 1ull << order, PROT_R | PROT_W)) !=
	    ERR_OK) {
		sys_handle_close(m->frame);
		*m = (struct fsd_mem){0};
		return e;
	}
	m->va = (void *)va;
	m->bytes = PAGE << order;
	return ERR_OK;
}

void fsd_mem_free(struct fsd_mem *m)
{
	if (m->frame) {
		sys_space_unmap(uenv.space, (uint64_t)m->va, m->bytes);
		sys_handle_close(m->frame);
	}
	*m = (struct fsd_mem){0};
}

static void thread_entry(struct fsd_thread *t)
{
	t->fn(t->arg);
	sys_thread_exit(0);
}

int fsd_thread_start(struct fsd_thread *t, void (*fn)(void *), void *arg, unsigned prio)
{
	int e;

	*t = (struct fsd_thread){.fn = fn, .arg = arg};
	if ((e = fsd_mem_alloc(&t->stack, STACK_BYTES)) != ERR_OK ||
	    (e = fsd_mem_alloc(&t->ipc, PAGE)) != ERR_OK)
		goto fail;
	uint64_t top = (uint64_t)t->stack.va + t->stack.bytes;
	if ((e = sys_thread_create(uenv.space, (uint64_t)thread_entry, top - 64, (uint64_t)t, prio,
				   &t->t)) != ERR_OK)
		goto fail;
	if ((e = sys_thread_set_ipcbuf(t->t, (uint64_t)t->ipc.va)) == ERR_OK &&
	    (e = sys_thread_start(t->t)) == ERR_OK)
		return ERR_OK;
fail:
	if (t->t)
		sys_handle_close(t->t);
	t->t = 0;
	fsd_mem_free(&t->stack);
	fsd_mem_free(&t->ipc);
	return e;
}

void fsd_thread_join(struct fsd_thread *t)
{
	struct thread_info ti = {0};

	while (t->t && sys_thread_info(t->t, &ti) == ERR_OK && ti.state != THREAD_DEAD)
		sys_sleep(1000 * 1000);
	if (t->t)
		sys_handle_close(t->t);
	t->t = 0;
	fsd_mem_free(&t->stack);
	fsd_mem_free(&t->ipc);
}

int fsd_mutex_init(struct fsd_mutex *m)
{
	m->count = 0;
	return sys_notify_create(&m->n);
}

void fsd_mutex_fini(struct fsd_mutex *m)
{
	if (m->n)
		sys_handle_close(m->n);
	m->n = 0;
}
