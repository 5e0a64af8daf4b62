/*
 * The start-up page: how a Strata process learns who it is.
 *
 * Every program started by root (the servers) or by proc (everything else)
 * begins with a0 = USTART_VA, where it finds a read-only struct ustart
 * followed by its argument and environment vectors and their strings. The
 * page after it is the main thread's IPC buffer, already registered.
 *
 *   USTART_VA            struct ustart, argv[], envp[], strings
 *   USTART_VA + 4096     IPC buffer of the first thread
 *   USTACK_TOP           = USTART_VA: the stack grows down from here
 *   USTACK_TOP - USTACK_MAX + 4096 .. USTACK_TOP   stack (demand-zero)
 *   USTACK_TOP - USTACK_MAX                        guard page (never mapped)
 *
 * Handles a process does not get are 0. After fork the child's page is
 * rewritten with its own pid and handle values.
 */
#ifndef STRATA_LIB_USER_USTART_H
#define STRATA_LIB_USER_USTART_H

#include <stdbool.h>
#include <stdint.h>

#include "lib/abi.h"

#define USTART_MAGIC  0x5452415453525453ull /* "STRSTART" */
#define USTART_VA     0x3f00000000ull
#define USTART_PAGES  2 /* the page itself and the IPC buffer */
#define USTART_IPCBUF (USTART_VA + 4096)
#define USTACK_TOP    USTART_VA
#define USTACK_MAX    (1ull << 20) /* stack limit, guard page included */

/* Layout of a process's address space (mem enforces it). */
#define UIMAGE_BASE 0x10000ull	    /* lowest address a program is loaded at */
#define UMMAP_BASE  0x1000000000ull /* mmap area: [UMMAP_BASE, UMMAP_END) */
#define UMMAP_END   0x3e00000000ull
#define UHEAP_END   UMMAP_BASE /* brk never grows past this */

/*
 * The fs window (lib/user/fs_proto.h): proc maps a frame of UFSWIN_PAGES
 * pages read-write here in every process and lends fs the same frame. It
 * lies 16 MiB above the start-up page, outside every mapping of mem's and
 * far enough from them that mem's unmap and protect spans never reach it.
 */
#define UFSWIN_VA    (USTART_VA + (16ull << 20))
#define UFSWIN_PAGES 4

/*
 * Where mem lets a heap start: page aligned, in [UIMAGE_BASE, UHEAP_END].
 * At UHEAP_END itself the heap is empty and cannot grow: that is where a
 * program whose last segment ends exactly at UHEAP_END gets it.
 */
static inline bool uheap_base_ok(uint64_t base)
{
	return (base & 4095) == 0 && base >= UIMAGE_BASE && base <= UHEAP_END;
}

/* Why a process is running: which handles in struct ustart are meaningful. */
enum ustart_role {
	ROLE_PROCESS = 0, /* an ordinary program, started by proc */
	ROLE_CON = 1,	  /* console server */
	ROLE_MEM = 2,	  /* memory server */
	ROLE_PROC = 3,	  /* process server */
	ROLE_SERVER = 4,  /* a server named by `server=NAME` on the kernel command line */
	ROLE_BLK = 5,	  /* block-device server */
	ROLE_TEST = 6,	  /* a test client named by `test=NAME` on the kernel command line */
	ROLE_FS = 7,	  /* file server */
};

/* struct ustart's mem_flags: what the kernel command line says of memory. */
#define MEM_BOOT_NOSWAP	    (1u << 0) /* swap=off */
#define MEM_BOOT_OVERCOMMIT (1u << 1) /* overcommit=1 */
#define MEM_BOOT_NOLOAD	    (1u << 2) /* loadcontrol=off */

struct ustart {
	uint64_t magic; /* USTART_MAGIC */
	uint32_t role;	/* enum ustart_role */
	int32_t pid;	/* process id (0 for servers) */
	int32_t ppid;	/* parent's pid, 0 if started by root */

	/* Every process. */
	handle_t proc;	      /* proc endpoint, badged with the pid (WRITE) */
	handle_t mem;	      /* mem endpoint, badged with the process's memory space id (WRITE) */
	handle_t con;	      /* con endpoint (WRITE) */
	handle_t con_input;   /* notification: console input may be waiting (READ) */
	handle_t child_event; /* notification: a child exited (READ) */
	handle_t fs;	      /* fs endpoint, badged with the pid (WRITE) */

	/* Servers (root hands these out; 0 for ordinary processes). */
	handle_t self_space;  /* the server's own space (MAP, MANAGE) */
	handle_t self_thread; /* its first thread */
	handle_t quota;	      /* quota for what it allocates */
	handle_t system;      /* mem, blk, test: READ|MANAGE (memory info, DMA frames) */
	handle_t initrd;      /* mem, proc: the initrd frame (READ|MAP) */
	handle_t serve; /* the endpoint this server receives on (READ, and WRITE|GRANT for proc) */
	handle_t mem_admin;	   /* proc: mem endpoint with the admin badge (WRITE) */
	handle_t device;	   /* con: the UART's MMIO frame; blk: the disk's */
	handle_t irq;		   /* con: the UART's interrupt; blk: the disk's */
	handle_t con_input_signal; /* con: con_input with WRITE; proc: with READ|GRANT */
	handle_t fs_admin;	   /* proc: fs endpoint with FS_BADGE_PROC (WRITE) */
	uint32_t initrd_offset;	   /* archive start in the initrd frame's first page */
	uint32_t pad0;
	uint64_t initrd_size;
	char device_compatible[32]; /* con: "ns16550a" or "sifive,uart0" */
	uint64_t timebase_hz;
	uint32_t nharts;
	handle_t blk;	     /* fs, test, mem: the blk endpoint (WRITE), 0 if no disk */
	char mem_policy[16]; /* mem: `mem.policy=NAME` (NUL-terminated; "" for the default) */
	uint32_t mem_flags;  /* mem: MEM_BOOT_* */

	/* Every process: the program's arguments, as main() receives them. */
	uint64_t heap_base; /* first byte of the brk heap (0: no mem server) */
	int32_t argc, envc;
	uint64_t argv; /* char *argv[argc + 1] in this page (NULL-terminated) */
	uint64_t envp; /* char *envp[envc + 1] in this page */
		       /* argv[], envp[] and the strings follow, up to the end of the page. */
};

#endif
