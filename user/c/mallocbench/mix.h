/* The allocation workloads' helpers, and the interpreter-like mix (mix.c). */
#ifndef STRATA_USER_C_MALLOCBENCH_MIX_H
#define STRATA_USER_C_MALLOCBENCH_MIX_H

#include <stddef.h>
#include <stdint.h>

/* A xorshift generator: the same sequence on every run. */
uint64_t mb_rnd(void);
/* malloc and realloc that end the program with a message when memory runs out. */
void *mb_malloc(size_t n);
void *mb_realloc(void *p, size_t n);

/*
 * rounds rounds of the mix: 4 short-lived small objects, a string key put
 * in a hash table (which grows by realloc), and every 8th round a string
 * built by appending; everything is freed at the end.
 */
void mix_run(unsigned rounds);

#endif
