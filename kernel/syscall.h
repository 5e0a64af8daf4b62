/*
 * System calls. Each handler decodes first (every handle, right, address
 * and length is checked) and then performs; it returns an error code that
 * lands in a0, and writes any results to a1.. through RET().
 */
#ifndef STRATA_KERNEL_SYSCALL_H
#define STRATA_KERNEL_SYSCALL_H

#include "kernel/handle.h"
#include "kernel/objects.h"
#include "kernel/trap.h"
#include "lib/error.h"

#define ARG(n) (tf->x[10 + (n)])
/*
 * Kernel-internal result, never seen by user mode: the thread was
 * suspended in a wait that had not ended; the call is made again when it
 * runs (syscall_dispatch moves the pc back to the ecall, a0 untouched).
 */
#define ERR_RESTART (-1000)
/* Kernel-internal result: the call replaced the user registers (SYS_UPCALL_RETURN): write none. */
#define ERR_NO_RESULT (-1001)
#define RET(n, v)     (tf->x[10 + (n)] = (uint64_t)(v))

typedef int (*syscall_fn)(struct thread *t, struct trapframe *tf);

void syscall_dispatch(struct thread *t, struct trapframe *tf);

/* Look up a handle of the calling process (see handle_get). */
static inline int get(struct thread *t, uint64_t h, enum obj_type type, uint32_t need, void *obj)
{
	if (h > INT32_MAX)
		return ERR_BADHANDLE;
	return handle_get(&t->space->handles, (handle_t)h, type, need, (struct object **)obj, NULL);
}

/* Install a freshly created object (drops the creation reference). */
int give_handle(struct thread *t, struct object *o, uint32_t rights, handle_t *out);

/* Install a freshly created object and return the handle in a1. */
int return_handle(struct thread *t, struct trapframe *tf, struct object *o, uint32_t rights);

/* The quota the calling process's kernel objects are charged to. */
static inline struct quota *my_quota(struct thread *t)
{
	return t->space->obj.quota;
}

/* kernel/sys_mem.c */
int sys_quota_split(struct thread *t, struct trapframe *tf);
int sys_quota_info(struct thread *t, struct trapframe *tf);
int sys_frame_alloc(struct thread *t, struct trapframe *tf);
int sys_frame_info(struct thread *t, struct trapframe *tf);
int sys_frame_phys(struct thread *t, struct trapframe *tf);
int sys_frame_copy(struct thread *t, struct trapframe *tf);
int sys_frame_zero(struct thread *t, struct trapframe *tf);
int sys_space_create(struct thread *t, struct trapframe *tf);
int sys_space_map(struct thread *t, struct trapframe *tf);
int sys_space_unmap(struct thread *t, struct trapframe *tf);
int sys_space_protect(struct thread *t, struct trapframe *tf);
int sys_space_ad(struct thread *t, struct trapframe *tf);
int sys_frame_ad(struct thread *t, struct trapframe *tf);
int sys_region_add(struct thread *t, struct trapframe *tf);
int sys_region_remove(struct thread *t, struct trapframe *tf);
int sys_mem_watch(struct thread *t, struct trapframe *tf);

/* kernel/sys_thread.c */
int sys_thread_create(struct thread *t, struct trapframe *tf);
int sys_thread_start(struct thread *t, struct trapframe *tf);
int sys_thread_suspend(struct thread *t, struct trapframe *tf);
int sys_thread_exit(struct thread *t, struct trapframe *tf);
int sys_thread_kill(struct thread *t, struct trapframe *tf);
int sys_thread_upcall(struct thread *t, struct trapframe *tf);
int sys_upcall_return(struct thread *t, struct trapframe *tf);
int sys_upcall_save(struct thread *t, struct trapframe *tf);
int sys_thread_watch(struct thread *t, struct trapframe *tf);
int sys_thread_set_exception(struct thread *t, struct trapframe *tf);
int sys_thread_set_ipcbuf(struct thread *t, struct trapframe *tf);
int sys_thread_info(struct thread *t, struct trapframe *tf);
int sys_yield(struct thread *t, struct trapframe *tf);
int sys_sleep(struct thread *t, struct trapframe *tf);
int sys_clock(struct thread *t, struct trapframe *tf);

/* kernel/sys_ipc.c */
int sys_endpoint_create(struct thread *t, struct trapframe *tf);
int sys_call(struct thread *t, struct trapframe *tf);
int sys_send(struct thread *t, struct trapframe *tf);
int sys_recv(struct thread *t, struct trapframe *tf);
int sys_reply(struct thread *t, struct trapframe *tf);
int sys_reply_recv(struct thread *t, struct trapframe *tf);
int sys_reply_save(struct thread *t, struct trapframe *tf);
int sys_reply_to(struct thread *t, struct trapframe *tf);
int sys_notify_create(struct thread *t, struct trapframe *tf);
int sys_notify_signal(struct thread *t, struct trapframe *tf);
int sys_notify_wait(struct thread *t, struct trapframe *tf);
int sys_notify_poll(struct thread *t, struct trapframe *tf);
int sys_irq_bind(struct thread *t, struct trapframe *tf);
int sys_irq_ack(struct thread *t, struct trapframe *tf);

/* Memory-pressure watch (SYS_MEM_WATCH): check after allocations. */
void memwatch_check(void);
/* The notification the watch signals (the kernel holds a reference), or NULL. */
struct notify *memwatch_notify(void);

#endif
