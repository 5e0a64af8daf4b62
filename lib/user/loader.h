/*
 * Loading programs from the initrd into new address spaces, from user
 * space (the root task and, later, the process server).
 */
#ifndef STRATA_LIB_USER_LOADER_H
#define STRATA_LIB_USER_LOADER_H

#include <stddef.h>
#include <stdint.h>

#include "lib/abi.h"

#define ULOAD_STACK_PAGES 4
#define ULOAD_STACK_TOP	  0x3f00000000ull

struct initrd {
	const uint8_t *data; /* mapped read-only in the caller */
	size_t size;
};

/* Map the initrd frame (bootinfo) read-only into the caller's space. */
int initrd_map(handle_t frame, size_t offset, size_t size, struct initrd *rd);

struct uprocess {
	handle_t space, thread;
	uint64_t entry, sp;
};

/*
 * Create a space charged to quota, load program `name` from the initrd
 * (each segment W^X as its ELF says) into frames charged to quota too (the
 * handle needs MANAGE), give it a stack, and create (not start) its first
 * thread with argument arg and priority prio. On error nothing is left
 * behind; err gets a sentence.
 */
int uload_program(const struct initrd *rd, const char *name, handle_t quota, uint64_t arg,
		  unsigned prio, struct uprocess *p, char *err, size_t errlen);
/*
 * The same in two steps, for a caller that gives the child handles first
 * (SYS_HANDLE_GIVE into p->space) and passes one as the thread's argument:
 * uload_space loads the program and its stack (p->thread stays 0; on
 * error nothing is left), uload_thread makes the first thread (not
 * started; on error the caller closes p->space).
 */
int uload_space(const struct initrd *rd, const char *name, handle_t quota, struct uprocess *p,
		char *err, size_t errlen);
int uload_thread(struct uprocess *p, uint64_t arg, unsigned prio);

#endif
