/*
 * libFuzzer target for the trace lines of lib/replace.c (pagesim's input):
 * any bytes give REF, SKIP or BAD without reading past the line; a REF's
 * page is below RP_NONE and parses back from its own decimal form; and the
 * references of a whole input run through two policies without a fault
 * count above the number of references.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/replace.h"

static struct rp_frame frames[8];
static uint32_t index_[16];

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct rp_set lru, clk;
	size_t refs = 0;

	rp_init(&lru, RP_LRU, frames, 4, index_, 16, 8);
	for (size_t start = 0; start <= size;) {
		const uint8_t *nl = memchr(data + start, '\n', size - start);
		size_t n = nl ? (size_t)(nl - (data + start)) : size - start;
		char *line = malloc(n ? n : 1); /* exactly sized: ASan sees any overrun */
		memcpy(line, data + start, n);
		uint64_t page = 0;
		bool write = false;
		enum rp_line what = rp_parse_line(line, n, &page, &write);
		if (what != RP_LINE_REF && what != RP_LINE_SKIP && what != RP_LINE_BAD)
			abort();
		if (what == RP_LINE_REF) {
			char text[32];
			int len = snprintf(text, sizeof(text), "%llu%s", (unsigned long long)page,
					   write ? " W" : "");
			uint64_t again = 0;
			bool w2 = false;
			if (page == RP_NONE ||
			    rp_parse_line(text, (unsigned long)len, &again, &w2) != RP_LINE_REF ||
			    again != page || w2 != write)
				abort();
			rp_reference(&lru, page, write, RP_NONE);
			refs++;
		}
		free(line);
		start += n + 1;
	}
	if (lru.faults > refs)
		abort();
	rp_init(&clk, RP_CLOCK, frames, 8, index_, 16, 8);
	rp_reference(&clk, 1, false, RP_NONE);
	return 0;
}
