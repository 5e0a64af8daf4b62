#include "kernel/board.h"

#include "lib/dt_platform.h"
#include "lib/str.h"

static const struct board boards[] = {
    {.compatible = "riscv-virtio", .name = "QEMU virt"},
    /* U54 cores raise page faults for A/D updates instead of setting them. */
    {.compatible = "sifive,hifive-unleashed-a00",
     .name = "SiFive HiFive Unleashed",
     .sw_ad_bits = true},
    {.compatible = "sifive,hifive-unmatched-a00",
     .name = "SiFive HiFive Unmatched",
     .sw_ad_bits = true},
};

static const struct board generic = {.compatible = "", .name = "generic RISC-V"};

const struct board *board_lookup(const struct platform *p)
{
	for (unsigned i = 0; i < sizeof(boards) / sizeof(boards[0]); i++) {
		if (strcmp(boards[i].compatible, p->compatible) == 0)
			return &boards[i];
	}
	return &generic;
}
