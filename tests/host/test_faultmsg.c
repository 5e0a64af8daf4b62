/* Host tests for lib/faultmsg.c: decoding a pager's map-item reply. */
#include "lib/faultmsg.h"

#include "lib/error.h"
#include "tests/host/check.h"

#define BASE 0x40000000ull
#define END  (BASE + 64 * 4096)
#define RW   (PROT_R | PROT_W)

static uint64_t tag_items(unsigned n)
{
	return msg_tag(MSG_FAULT, 2 * n, 0);
}

static void decodes_items(void)
{
	uint64_t w[4] = {fault_item_va(BASE + 0x3000, RW), fault_item_frame(7, 2),
			 fault_item_va(BASE, PROT_R), fault_item_frame(9, 0)};
	struct fault_item it[FAULT_MAX_ITEMS];
	unsigned n = 99;

	CHECK(fault_items_decode(tag_items(2), w, BASE, END, RW, it, &n) == ERR_OK);
	CHECK(n == 2);
	CHECK(it[0].va == BASE + 0x3000 && it[0].prot == RW && it[0].frame == 7 && it[0].page == 2);
	CHECK(it[1].va == BASE && it[1].prot == PROT_R && it[1].frame == 9 && it[1].page == 0);
	CHECK(fault_items_decode(tag_items(0), w, BASE, END, RW, it, &n) == ERR_OK && n == 0);
}

static void refuses_bad_replies(void)
{
	struct fault_item it[FAULT_MAX_ITEMS];
	unsigned n = 0;
	uint64_t w[2 * FAULT_MAX_ITEMS + 2];

	for (unsigned i = 0; i < FAULT_MAX_ITEMS + 1; i++) {
		w[2 * i] = fault_item_va(BASE + i * 4096, PROT_R);
		w[2 * i + 1] = fault_item_frame(1, i);
	}
	CHECK(fault_items_decode(tag_items(FAULT_MAX_ITEMS), w, BASE, END, RW, it, &n) == ERR_OK);
	CHECK(n == FAULT_MAX_ITEMS);
	CHECK(fault_items_decode(tag_items(FAULT_MAX_ITEMS + 1), w, BASE, END, RW, it, &n) ==
	      ERR_INVALID);
	CHECK(fault_items_decode(msg_tag(MSG_FAULT, 3, 0), w, BASE, END, RW, it, &n) ==
	      ERR_INVALID);
	CHECK(fault_items_decode(msg_tag(1, 2, 0), w, BASE, END, RW, it, &n) == ERR_INVALID);
	CHECK(fault_items_decode(msg_error_tag(MSG_FAULT, ERR_NOMEM), w, BASE, END, RW, it, &n) ==
	      ERR_NOMEM);
	CHECK(fault_items_decode(msg_error_tag(MSG_FAULT, 5), w, BASE, END, RW, it, &n) ==
	      ERR_INVALID);

	uint64_t one[2] = {fault_item_va(END, PROT_R), fault_item_frame(1, 0)};
	CHECK(fault_items_decode(tag_items(1), one, BASE, END, RW, it, &n) == ERR_RANGE);
	one[0] = fault_item_va(BASE - 4096, PROT_R);
	CHECK(fault_items_decode(tag_items(1), one, BASE, END, RW, it, &n) == ERR_RANGE);
	one[0] = fault_item_va(BASE, PROT_R | PROT_X);
	CHECK(fault_items_decode(tag_items(1), one, BASE, END, RW, it, &n) == ERR_PERM);
	one[0] = fault_item_va(BASE, PROT_W | PROT_X);
	CHECK(fault_items_decode(tag_items(1), one, BASE, END, 7, it, &n) == ERR_PERM);
	one[0] = fault_item_va(BASE, 0);
	CHECK(fault_items_decode(tag_items(1), one, BASE, END, RW, it, &n) == ERR_INVALID);
	one[0] = BASE | 0x10 | PROT_R; /* reserved bit */
	CHECK(fault_items_decode(tag_items(1), one, BASE, END, RW, it, &n) == ERR_INVALID);
	uint64_t dup[4] = {fault_item_va(BASE, PROT_R), 1, fault_item_va(BASE, RW), 2};
	CHECK(fault_items_decode(tag_items(2), dup, BASE, END, RW, it, &n) == ERR_INVALID);
}

int main(void)
{
	check_suite = "faultmsg";
	RUN(decodes_items);
	RUN(refuses_bad_replies);
	return check_done();
}
