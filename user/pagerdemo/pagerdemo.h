/*
 * The pagerdemo protocol: message labels and limits shared by pagerdemo
 * and the programs that start it. pagerdemo.c describes each message.
 */
#ifndef STRATA_USER_PAGERDEMO_H
#define STRATA_USER_PAGERDEMO_H

#include <stdint.h>

enum pagerdemo_label {
	PAGERDEMO_HELLO = 0x0d01,  /* {own space, own thread, window} */
	PAGERDEMO_ATTACH = 0x0d02, /* {client space, va, len, seed, maxprot} -> {badge} */
	PAGERDEMO_DETACH = 0x0d03, /* {va} */
	PAGERDEMO_STATS = 0x0d04,  /* {} -> {faults, pages, errors, rejected} */
	PAGERDEMO_QUIT = 0x0d05,   /* {}: detach everything, reply, exit */
};

#define PAGERDEMO_MAX_OBJECTS 8 /* attached regions at a time */

/* The word at client address va of a region attached with seed. */
static inline uint64_t pagerdemo_word(uint64_t va, uint64_t seed)
{
	return va ^ seed;
}

#endif
