#include "kernel/syscall.h"

#include "kernel/console.h"
#include "kernel/cycles.h"
#include "kernel/objcheck.h"
#include "kernel/ptewatch.h"
#include "kernel/sched.h"
#include "kernel/frames.h"
#include "kernel/hart.h"
#include "kernel/memlayout.h"
#include "kernel/shutdown.h"
#include "kernel/timer.h"
#include "kernel/uaccess.h"
#include "lib/error.h"
#include "mm/slab.h"

#define DEBUG_WRITE_MAX 4096

int give_handle(struct thread *t, struct object *o, uint32_t rights, handle_t *out)
{
	int e = handle_install(&t->space->handles, o, rights, out);

	object_put(o); /* the handle now holds the object, or nothing does */
	return e;
}

int return_handle(struct thread *t, struct trapframe *tf, struct object *o, uint32_t rights)
{
	handle_t h;
	int e = give_handle(t, o, rights, &h);

	if (e == ERR_OK)
		RET(1, h);
	return e;
}

/* The whole buffer is copied in before anything is printed: all or nothing. */
static int sys_debug_write(struct thread *t, struct trapframe *tf)
{
	uint64_t buf = ARG(0), len = ARG(1);

	(void)t;
	if (len > DEBUG_WRITE_MAX)
		return ERR_RANGE;
	if (!user_range_ok(buf, len))
		return ERR_FAULT;
	if (len == 0)
		return ERR_OK;
	char *k = kmalloc(len);
	if (!k)
		return ERR_NOMEM;
	int e = copyin(k, (const void *)(uintptr_t)buf, len);
	if (e == ERR_OK)
		kprintf("%.*s", (int)len, k);
	kfree(k);
	return e;
}

static int sys_handle_close(struct thread *t, struct trapframe *tf)
{
	if (ARG(0) > INT32_MAX)
		return ERR_BADHANDLE;
	return handle_close(&t->space->handles, (handle_t)ARG(0));
}

static int dup_handle(struct thread *t, struct trapframe *tf, bool mint)
{
	struct object *o;
	uint32_t rights;

	if (ARG(0) > INT32_MAX)
		return ERR_BADHANDLE;
	handle_t h = (handle_t)ARG(0);
	int e = handle_get(&t->space->handles, h, OBJ_NONE, 0, &o, &rights);
	if (e != ERR_OK)
		return e;
	uint64_t badge = handle_badge(&t->space->handles, h);
	if (mint && badge != 0)
		return ERR_PERM; /* a badge, once given, stays */
	if (mint)
		badge = ARG(2);
	handle_t out;
	e = handle_install_badged(&t->space->handles, o, rights & (uint32_t)ARG(1), badge, &out);
	if (e == ERR_OK)
		RET(1, out);
	return e;
}

static int sys_handle_dup(struct thread *t, struct trapframe *tf)
{
	return dup_handle(t, tf, false);
}

static int sys_handle_mint(struct thread *t, struct trapframe *tf)
{
	return dup_handle(t, tf, true);
}

/* Seed another process's table (a supervisor giving a child its first handles). */
static int sys_handle_give(struct thread *t, struct trapframe *tf)
{
	struct space *s;
	struct object *o;
	uint32_t rights;
	int e = get(t, ARG(0), OBJ_SPACE, RIGHT_MANAGE, &s);

	if (e == ERR_OK && ARG(1) > INT32_MAX)
		e = ERR_BADHANDLE;
	if (e == ERR_OK)
		e = handle_get(&t->space->handles, (handle_t)ARG(1), OBJ_NONE, RIGHT_GRANT, &o,
			       &rights);
	if (e == ERR_OK && s->exited)
		e = ERR_STATE;
	if (e != ERR_OK)
		return e;
	uint64_t badge = handle_badge(&t->space->handles, (handle_t)ARG(1));
	handle_t out;
	e = handle_install_badged(&s->handles, o, rights & (uint32_t)ARG(2), badge, &out);
	if (e == ERR_OK)
		ptewatch_handle(s, o, rights & (uint32_t)ARG(2), out, "give");
	if (e == ERR_OK)
		RET(1, out);
	return e;
}

static int sys_handle_info(struct thread *t, struct trapframe *tf)
{
	struct object *o;
	uint32_t rights;

	if (ARG(0) > INT32_MAX)
		return ERR_BADHANDLE;
	int e = handle_get(&t->space->handles, (handle_t)ARG(0), OBJ_NONE, 0, &o, &rights);
	if (e != ERR_OK)
		return e;
	RET(1, o->type);
	RET(2, rights);
	RET(3, handle_badge(&t->space->handles, (handle_t)ARG(0)));
	return ERR_OK;
}

static int sys_system_exit(struct thread *t, struct trapframe *tf)
{
	void *sys;
	int e = get(t, ARG(0), OBJ_SYSTEM, RIGHT_MANAGE, &sys);

	if (e != ERR_OK)
		return e;
	machine_exit((int)ARG(1));
}

static int sys_mem_info(struct thread *t, struct trapframe *tf)
{
	void *sys;
	int e = get(t, ARG(0), OBJ_SYSTEM, RIGHT_READ, &sys);

	if (e != ERR_OK)
		return e;
	uint64_t out = ARG(1);
	if (out && (out >= USER_TOP || BUDDY_NORDERS * 8 > USER_TOP - out))
		return ERR_FAULT;
	struct buddy_stats s;
	/* Empty slab pages are free memory in waiting: count them as free. */
	kmalloc_shrink();
	frames_get_stats(&s);
	if (out) {
		uint64_t blocks[BUDDY_NORDERS];
		for (unsigned i = 0; i < BUDDY_NORDERS; i++)
			blocks[i] = s.free_blocks[i];
		if (copyout((void __user *)out, blocks, sizeof(blocks)) != ERR_OK)
			return ERR_FAULT;
	}
	struct kmalloc_stats k;
	kmalloc_get_stats(&k);
	RET(1, s.free_pages);
	RET(2, s.total_pages);
	RET(3, k.slab_pages);
	return ERR_OK;
}

static int sys_kernel_stats(struct thread *t, struct trapframe *tf)
{
	void *sys;
	int e = get(t, ARG(0), OBJ_SYSTEM, RIGHT_READ, &sys);

	if (e != ERR_OK)
		return e;
	uint64_t idle = 0;
	for (unsigned i = 0; i < MAX_HARTS; i++)
		idle += harts[i].idle_time;
	RET(1, big_lock.max_hold);
	RET(2, object_count());
	RET(3, timer_ticks_to_ns(idle));
	if (ARG(1))
		big_lock.max_hold = 0;
	return ERR_OK;
}

static int sys_kernel_check(struct thread *t, struct trapframe *tf)
{
	void *sys;
	int e = get(t, ARG(0), OBJ_SYSTEM, RIGHT_MANAGE, &sys);

	if (e != ERR_OK)
		return e;
	cycles_collect();
	uint64_t bad = objcheck_run();
	RET(1, bad);
	return bad ? ERR_STATE : ERR_OK;
}

static const syscall_fn table[SYS_COUNT] = {
    [SYS_DEBUG_WRITE] = sys_debug_write,
    [SYS_HANDLE_CLOSE] = sys_handle_close,
    [SYS_HANDLE_DUP] = sys_handle_dup,
    [SYS_HANDLE_INFO] = sys_handle_info,
    [SYS_QUOTA_SPLIT] = sys_quota_split,
    [SYS_QUOTA_INFO] = sys_quota_info,
    [SYS_FRAME_ALLOC] = sys_frame_alloc,
    [SYS_FRAME_INFO] = sys_frame_info,
    [SYS_FRAME_COPY] = sys_frame_copy,
    [SYS_FRAME_ZERO] = sys_frame_zero,
    [SYS_SPACE_CREATE] = sys_space_create,
    [SYS_SPACE_MAP] = sys_space_map,
    [SYS_SPACE_UNMAP] = sys_space_unmap,
    [SYS_SPACE_PROTECT] = sys_space_protect,
    [SYS_SPACE_AD] = sys_space_ad,
    [SYS_FRAME_AD] = sys_frame_ad,
    [SYS_REGION_ADD] = sys_region_add,
    [SYS_REGION_REMOVE] = sys_region_remove,
    [SYS_THREAD_CREATE] = sys_thread_create,
    [SYS_THREAD_START] = sys_thread_start,
    [SYS_THREAD_SUSPEND] = sys_thread_suspend,
    [SYS_THREAD_EXIT] = sys_thread_exit,
    [SYS_THREAD_SET_EXCEPTION] = sys_thread_set_exception,
    [SYS_THREAD_SET_IPCBUF] = sys_thread_set_ipcbuf,
    [SYS_YIELD] = sys_yield,
    [SYS_SLEEP] = sys_sleep,
    [SYS_CLOCK] = sys_clock,
    [SYS_ENDPOINT_CREATE] = sys_endpoint_create,
    [SYS_CALL] = sys_call,
    [SYS_SEND] = sys_send,
    [SYS_RECV] = sys_recv,
    [SYS_REPLY] = sys_reply,
    [SYS_REPLY_RECV] = sys_reply_recv,
    [SYS_NOTIFY_CREATE] = sys_notify_create,
    [SYS_NOTIFY_SIGNAL] = sys_notify_signal,
    [SYS_NOTIFY_WAIT] = sys_notify_wait,
    [SYS_NOTIFY_POLL] = sys_notify_poll,
    [SYS_IRQ_BIND] = sys_irq_bind,
    [SYS_IRQ_ACK] = sys_irq_ack,
    [SYS_MEM_WATCH] = sys_mem_watch,
    [SYS_MEM_INFO] = sys_mem_info,
    [SYS_SYSTEM_EXIT] = sys_system_exit,
    [SYS_HANDLE_MINT] = sys_handle_mint,
    [SYS_THREAD_INFO] = sys_thread_info,
    [SYS_THREAD_KILL] = sys_thread_kill,
    [SYS_HANDLE_GIVE] = sys_handle_give,
    [SYS_KERNEL_STATS] = sys_kernel_stats,
    [SYS_KERNEL_CHECK] = sys_kernel_check,
    [SYS_FRAME_PHYS] = sys_frame_phys,
    [SYS_REPLY_SAVE] = sys_reply_save,
    [SYS_REPLY_TO] = sys_reply_to,
    [SYS_THREAD_UPCALL] = sys_thread_upcall,
    [SYS_UPCALL_RETURN] = sys_upcall_return,
    [SYS_UPCALL_SAVE] = sys_upcall_save,
    [SYS_THREAD_WATCH] = sys_thread_watch,
};

/* Garbage cycles and queued teardowns; two loads when there are none. */
static inline void safe_point_work(void)
{
	if (cycles_pending())
		cycles_collect();
	if (space_reap_pending())
		space_reap();
}

/*
 * Entry and exit of a system call are the kernel's safe points: no kernel
 * code holds a borrowed object pointer there, so garbage cycles are freed
 * and large spaces torn down then, in slices (before the call too, so that
 * a leak check sees them gone).
 */
void syscall_dispatch(struct thread *t, struct trapframe *tf)
{
	uint64_t nr = tf->x[17];

	safe_point_work();
	int e = nr < SYS_COUNT && table[nr] ? table[nr](t, tf) : ERR_UNSUPPORTED;
	if (t->held[0])
		thread_release_held(t);
	safe_point_work();
	if (e == ERR_RESTART) {
		tf->sepc -= 4; /* the ecall again, with the same arguments */
		return;
	}
	if (e == ERR_NO_RESULT)
		return; /* the interrupted registers are back: leave a0 alone */
	RET(0, (int64_t)e);
}
