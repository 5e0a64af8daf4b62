/*
 * Board quirks, keyed by the root node's compatible string. Generic code
 * asks for a flag; it never tests a board name itself.
 */
#ifndef STRATA_KERNEL_BOARD_H
#define STRATA_KERNEL_BOARD_H

#include <stdbool.h>

struct platform;

struct board {
	const char *compatible; /* root compatible, "" for the generic entry */
	const char *name;	/* for the banner */
	bool sw_ad_bits;	/* cores fault to let software set PTE A/D */
};

/* The entry for p's root compatible, or the generic one. Never NULL. */
const struct board *board_lookup(const struct platform *p);

#endif
