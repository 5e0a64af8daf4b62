#include "kernel/shutdown.h"

#include "kernel/arch.h"
#include "kernel/boot.h"
#include "kernel/console.h"
#include "kernel/kvm.h"
#include "kernel/sbi.h"
#include "kernel/trap.h"
#include "lib/error.h"

#define FINISHER_PASS		     0x5555
#define FINISHER_FAIL		     0x3333
#define SEMIHOST_SYS_EXIT	     0x18
#define ADP_STOPPED_APPLICATION_EXIT 0x20026

static unsigned long finisher; /* virtual address, 0 if none */

void shutdown_init(void)
{
	if (platform.test.present && kvm_map_device(platform.test.base, 0x1000) == ERR_OK)
		finisher = DIRECT_VA(platform.test.base);
}

static void semihost_exit(int code)
{
	uint64_t block[2] = {ADP_STOPPED_APPLICATION_EXIT, (uint64_t)code};
	uint64_t ret;

	probe_semihost(SEMIHOST_SYS_EXIT, (uint64_t)(uintptr_t)block, &ret);
}

void machine_exit(int code)
{
	kprintf("strata: exit status %d\n", code);
	if (finisher) {
		uint32_t v = code == 0 ? FINISHER_PASS : ((uint32_t)code << 16) | FINISHER_FAIL;
		mmio_write32(finisher, v);
	}
	semihost_exit(code);
	if (sbi_has(SBI_EXT_SRST)) {
		sbi_system_reset(SBI_SRST_SHUTDOWN,
				 code ? SBI_SRST_REASON_FAILURE : SBI_SRST_REASON_NONE);
	}
	kprintf("strata: cannot power off; halting\n");
	for (;;) {
		arch_intr_off();
		arch_wfi();
	}
}
