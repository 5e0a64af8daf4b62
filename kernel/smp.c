/*
 * Secondary harts: started through SBI HSM at secondary_entry (physical
 * address), they switch to the kernel page table, set up traps and their
 * timer, report online and idle until there is work for them.
 */
#include "kernel/arch.h"
#include "kernel/boot.h"
#include "kernel/console.h"
#include "kernel/frames.h"
#include "kernel/hart.h"
#include "kernel/kvm.h"
#include "kernel/panic.h"
#include "kernel/sbi.h"
#include "kernel/sched.h"
#include "kernel/irq.h"
#include "kernel/timer.h"
#include "kernel/trap.h"
#include "lib/error.h"
#include "mm/physmap.h"

#define START_TIMEOUT_MS 2000

struct hart harts[MAX_HARTS];
unsigned nharts = 1;
static volatile bool stop_requested;

extern char secondary_entry[];

void secondary_main(struct hart *h);

void secondary_main(struct hart *h)
{
	kvm_switch_hart();
	trap_init_hart();
	csr_set(sie, SIE_SSIE);
	timer_init_hart();
	plic_init_hart();
	__atomic_store_n(&h->online, 1, __ATOMIC_RELEASE);
	bkl_lock();
	scheduler_loop();
}

static bool wait_online(struct hart *h)
{
	uint64_t deadline = arch_time() + platform.timebase_hz * START_TIMEOUT_MS / 1000;

	while (!__atomic_load_n(&h->online, __ATOMIC_ACQUIRE)) {
		if (arch_time() > deadline)
			return false;
	}
	return true;
}

static void start_one(const struct plat_hart *ph)
{
	if (nharts == MAX_HARTS) {
		kprintf("smp: hart %u not started: more than %d harts\n", ph->hartid, MAX_HARTS);
		return;
	}
	paddr_t stack;
	if (frame_alloc(KSTACK_ORDER, true, &stack) != ERR_OK) {
		kprintf("smp: hart %u not started: no memory for its stack\n", ph->hartid);
		return;
	}
	struct hart *h = &harts[nharts];
	*h = (struct hart){.hartid = ph->hartid, .index = nharts};
	h->stack_base = (uint64_t)(uintptr_t)pa_to_kva(stack);
	h->stack_top = h->stack_base + KSTACK_SIZE;
	arch_fence();
	long err = sbi_hart_start(ph->hartid, kimg_to_pa(secondary_entry), (unsigned long)h);
	if (err != 0) {
		kprintf("smp: hart %u not started: %s\n", ph->hartid, sbi_error_name(err));
		frame_free(stack, KSTACK_ORDER);
		return;
	}
	nharts++;
	if (!wait_online(h))
		kprintf("smp: hart %u started but did not come online\n", ph->hartid);
}

void smp_start_secondaries(void)
{
	if (!sbi_has(SBI_EXT_HSM)) {
		kprintf("smp: firmware has no HSM extension; running on one hart\n");
		return;
	}
	for (unsigned i = 0; i < platform.nharts; i++) {
		const struct plat_hart *ph = &platform.harts[i];
		if (ph->usable && ph->hartid != this_hart()->hartid)
			start_one(ph);
	}
}

void smp_stop_others(void)
{
	stop_requested = true;
	arch_fence();
	for (unsigned i = 0; i < nharts; i++) {
		if (&harts[i] != this_hart() && harts[i].online)
			sbi_send_ipi(1, harts[i].hartid);
	}
}

void smp_kick(struct hart *h)
{
	if (h != this_hart())
		sbi_send_ipi(1, h->hartid);
}

void smp_handle_ipi(void)
{
	if (stop_requested) {
		this_hart()->halted = true;
		for (;;) {
			arch_intr_off();
			arch_wfi();
		}
	}
}
