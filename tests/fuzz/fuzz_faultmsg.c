/*
 * Fuzz the decoder of a pager's fault reply: any tag, any words, any
 * region. On success every item must satisfy what the kernel relies on.
 */
#include <stdlib.h>
#include <string.h>

#include "lib/error.h"
#include "lib/faultmsg.h"

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
	uint64_t hdr[4] = {0}, words[MSG_MAX_WORDS] = {0};
	struct fault_item items[FAULT_MAX_ITEMS];
	unsigned n = 0;

	if (size < sizeof(hdr))
		return 0;
	memcpy(hdr, data, sizeof(hdr));
	size_t rest = size - sizeof(hdr);
	memcpy(words, data + sizeof(hdr), rest < sizeof(words) ? rest : sizeof(words));
	uint64_t tag = hdr[0], base = hdr[1], end = hdr[2];
	unsigned maxr = (unsigned)(hdr[3] & 7);
	if (fault_items_decode(tag, words, base, end, maxr, items, &n) != ERR_OK)
		return 0;
	if (n > FAULT_MAX_ITEMS || n * 2 != msg_words(tag))
		abort();
	for (unsigned i = 0; i < n; i++) {
		if (items[i].va & 0xfff || items[i].va < base || items[i].va >= end)
			abort();
		if (!items[i].prot || (items[i].prot & ~maxr) ||
		    ((items[i].prot & PROT_W) && (items[i].prot & PROT_X)))
			abort();
		for (unsigned j = 0; j < i; j++)
			if (items[j].va == items[i].va)
				abort();
	}
	return 0;
}
