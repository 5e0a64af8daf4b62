/*
 * The interpreter-like allocation mix (user/c/mallocbench/mix.c) as a Linux
 * program, for scripts/glibc-alloc.sh: built once with glibc's allocator
 * and once with Strata's (lib/alloc through lib/libc/malloc.c, on glibc's
 * sbrk and mmap), both static, both run under qemu-riscv64, which counts
 * the instructions each executes. `allocmix ROUNDS` runs ROUNDS rounds.
 */
#include <stdlib.h>

#include "user/c/mallocbench/mix.h"

int main(int argc, char **argv)
{
	mix_run(argc > 1 ? (unsigned)strtoul(argv[1], 0, 10) : 1000);
	return 0;
}
