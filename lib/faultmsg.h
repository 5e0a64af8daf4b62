/*
 * Decoding a pager's reply to a fault message (docs/abi.md, "The fault
 * protocol"). Freestanding, so the same checks run in the kernel, in host
 * tests and under the fuzzer: everything about the items that can be
 * checked without the kernel's tables is checked here.
 */
#ifndef STRATA_LIB_FAULTMSG_H
#define STRATA_LIB_FAULTMSG_H

#include <stdint.h>

#include "lib/abi.h"

struct fault_item {
	uint64_t va;	/* page-aligned target */
	unsigned prot;	/* PROT_R | PROT_W | PROT_X */
	handle_t frame; /* in the pager's handle table */
	uint32_t page;	/* page index within the frame */
};

/*
 * Decode the reply (tag, words[0..msg_words(tag))) to a fault in the region
 * [rbase, rend) with maximum rights maxrights. Returns ERR_OK with *n items
 * in items[] (room for FAULT_MAX_ITEMS), or: the error the pager put in the
 * tag; ERR_INVALID for a wrong label, an odd word count, more than
 * FAULT_MAX_ITEMS items, reserved bits set, no rights, or two items for one
 * address; ERR_PERM for W and X together or rights beyond maxrights;
 * ERR_RANGE for a target outside the region.
 */
int fault_items_decode(uint64_t tag, const uint64_t *words, uint64_t rbase, uint64_t rend,
		       unsigned maxrights, struct fault_item *items, unsigned *n);

#endif
