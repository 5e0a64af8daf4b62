/*
 * What lib/libc/malloc.c needs from Strata's C library when it is linked
 * into a Linux program instead (scripts/glibc-alloc.sh): the start-up
 * page's memory-server handle, which says the heap may shrink (glibc's
 * sbrk gives pages back as Strata's does).
 */
#include "lib/libc/sys.h"

static struct ustart linux_us = {.mem = 1};
struct ustart *__strata_us = &linux_us;
