#include "lib/faultmsg.h"

#include "lib/error.h"

#define ITEM_RESERVED 0xff8ull /* bits 3..11 of the address word */

static int decode_one(uint64_t w0, uint64_t w1, uint64_t rbase, uint64_t rend, unsigned maxrights,
		      struct fault_item *it)
{
	it->va = w0 & ~(uint64_t)0xfff;
	it->prot = (unsigned)(w0 & 7);
	it->frame = (handle_t)(uint32_t)w1;
	it->page = (uint32_t)(w1 >> 32);
	if ((w0 & ITEM_RESERVED) || it->prot == 0)
		return ERR_INVALID;
	if ((it->prot & PROT_W) && (it->prot & PROT_X))
		return ERR_PERM;
	if (it->prot & ~maxrights)
		return ERR_PERM;
	if (it->va < rbase || it->va >= rend)
		return ERR_RANGE;
	return ERR_OK;
}

int fault_items_decode(uint64_t tag, const uint64_t *words, uint64_t rbase, uint64_t rend,
		       unsigned maxrights, struct fault_item *items, unsigned *n)
{
	unsigned nw = msg_words(tag);

	if (msg_error(tag))
		return msg_error(tag) < 0 ? msg_error(tag) : ERR_INVALID;
	if (msg_label(tag) != MSG_FAULT || (nw & 1) || nw / 2 > FAULT_MAX_ITEMS)
		return ERR_INVALID;
	for (unsigned i = 0; i < nw / 2; i++) {
		int e =
		    decode_one(words[2 * i], words[2 * i + 1], rbase, rend, maxrights, &items[i]);
		if (e != ERR_OK)
			return e;
		for (unsigned j = 0; j < i; j++) {
			if (items[j].va == items[i].va)
				return ERR_INVALID;
		}
	}
	*n = nw / 2;
	return ERR_OK;
}
