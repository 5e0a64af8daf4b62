/*
 * proc, the process server: shared state and the pieces it is built from.
 *
 * proc owns every ordinary process: it creates its space, asks mem to set
 * up its memory, gives it its handles, starts its thread and is its
 * exception handler. One thread serves requests (main.c); a second one
 * (reaper.c) only wakes the first up now and then so it can notice
 * processes whose thread died without telling anyone.
 */
#ifndef STRATA_USER_PROC_PROC_H
#define STRATA_USER_PROC_PROC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/abi.h"
#include "lib/elf.h"
#include "lib/user/conprint.h"
#include "lib/user/fs_proto.h"
#include "lib/user/ipc.h"
#include "lib/user/loader.h"
#include "lib/user/mem_proto.h"
#include "lib/user/proc_proto.h"
#include "lib/user/ustart.h"

#define NPROC	  64 /* process slots */
#define PROC_PRIO 10 /* priority of every process's thread */
#define PAGE	  4096ull

/* Badges on proc's endpoint besides 0 (root) and a pid (a process). */
#define EXC_BADGE    (1ull << 62) /* | pid: an exception of that process's thread */
#define REAPER_BADGE (1ull << 61) /* the reaper thread's periodic call */
#define PID_MASK     0x7fffffffull

/* What proc signals on a parent's child_event notification (root's too) when a child ends. */
#define CHILD_EVENT_BITS 1ull

/* The IPC buffer of proc's main thread (registered by root). */
#define IPCBUF ((struct ipc_buffer *)USTART_IPCBUF)

/* A slot is free, being set up (invisible to requests), running or a zombie. */
enum slot_state {
	SLOT_FREE = 0,
	SLOT_RUNNING = PROC_RUNNING,
	SLOT_ZOMBIE = PROC_ZOMBIE,
	SLOT_NEW = 3,
};

/* Handle values proc gave a process, in the process's own table. */
struct given {
	handle_t proc, mem, con, con_input, child_event, fs;
};

/* A process's signals (signal.c); bit n is signal n. */
struct sigstate {
	uint32_t handled, ignored, blocked, nodefer, pending;
	uint64_t entry;	   /* the handler upcall entry */
	uint64_t alarm_at; /* SYS_CLOCK time of SIGALRM, 0: none */
};

struct process {
	enum slot_state state;
	int32_t pid;
	int32_t ppid;	 /* 0: root; -1: orphan (reaped as soon as it ends) */
	int32_t pgid;	 /* its process group (pgroup.c) */
	uint64_t serial; /* order of creation: a group is signalled last started first */
	int32_t status;	 /* wait status, once a zombie */
	char name[32];
	/* proc's own handles for the process; 0 once closed. */
	handle_t space, thread, quota, event;
	uint64_t tid;	      /* kernel id of its thread, to match exception messages */
	uint64_t vs;	      /* its memory space in mem; 0 if none */
	uint64_t limit;	      /* commit limit in pages (0: mem's default) */
	uint64_t quota_bytes; /* kernel quota split for it */
	uint64_t heap_base;
	int fs_table; /* fs holds a descriptor table for it (FS_PROC_FORK done) */
	struct given given;
	struct sigstate sig;
	int stopped_by;	    /* the signal that stopped it (its thread suspended), 0: runs */
	bool stop_reported; /* a PROC_WAIT with PROC_WAIT_STOPPED told the parent */
	int32_t oom_adj;    /* PROC_OOM_ADJ: the OOM killer's weight (oom.c) */
	bool oom_retried;   /* a failed fault of it was retried without a kill since the last */
	/* load.c: held (thread suspended) while paging thrashes */
	bool held, swapping_out; /* held; mem still writing its pages out */
	uint64_t held_pages;	 /* resident when held: the room it needs to go on */
	uint64_t hold_serial;	 /* order of holds: the longest held goes on first */
	/* CPU time (times.c): of its ended threads; of its waited-for children */
	uint64_t user_ns, kernel_ns;
	uint64_t child_user_ns, child_kernel_ns;
};

/* proc's own handles and the initrd, from its start-up page. */
struct proc_env {
	handle_t space, quota, serve;
	handle_t mem;	    /* mem's endpoint, unbadged: per-process handles are minted from it */
	handle_t mem_admin; /* mem's endpoint with MEM_BADGE_ADMIN */
	handle_t con, con_input, root_event;
	handle_t
	    fs; /* fs's endpoint, unbadged: per-process handles are minted from it (0: no fs) */
	handle_t fs_admin; /* fs's endpoint with FS_BADGE_PROC */
	struct initrd rd;
	uint64_t timebase_hz;
	uint32_t nharts;
	uint64_t default_limit; /* commit limit in pages of a process started without one */
	struct con_out out;	/* reports (crashes) go through con, whole lines */
};

extern struct proc_env env;
extern struct process procs[NPROC];

/* ---- table.c: process slots */
struct process *proc_alloc(int32_t ppid);
void proc_free(struct process *p);
struct process *proc_find(int32_t pid); /* running or zombie */
struct process *proc_running(int32_t pid);

/* ---- pgroup.c: process groups */
/* Whether group pgid has a process, running or a zombie. */
bool pgroup_exists(int32_t pgid);
/* The running processes of group pgid, last started first, into out[NPROC]; how many. */
unsigned pgroup_members(int32_t pgid, struct process **out);
int do_setpgid(int32_t caller, struct msg *m);
int do_getpgid(int32_t caller, struct msg *m);

/* ---- srv.c: names of endpoints processes publish (/srv) */
int do_srv_publish(int32_t caller, struct msg *m, handle_t ep);
int do_srv_lookup(struct msg *m);
int do_srv_list(struct msg *m);
int do_srv_withdraw(int32_t caller, struct msg *m);
void srv_forget_pid(int32_t pid);
/* Has pid published a name (does it serve others)? */
bool srv_published(int32_t pid);

/* ---- args.c: the argument block of PROC_SPAWN and PROC_EXEC */
struct proc_args {
	char buf[PROC_ARGS_MAX];
	size_t len;
	uint32_t argc, envc;
	const char *path;    /* buf */
	const char *strings; /* the argc + envc strings after the path */
	size_t strings_len;
};
int args_decode(const struct msg *m, struct proc_args *a);

/* ---- program.c: programs in the initrd */
struct program {
	struct elf_image img;
	uint64_t file_off;  /* of the ELF file's first byte in the initrd archive, or 0 */
	uint64_t heap_base; /* first page above every segment */
	/* A program from the file system: a frame of ours holding the file (0: the initrd). */
	handle_t image;
	uint64_t image_size, image_va, image_bytes; /* file size; where we map it, how much */
	/* Or mapped from the page cache: fs's mapping object (proc holds a reference), 0: none. */
	uint64_t fsobj;
};
const char *program_name(const char *path);
int program_find(const char *path, struct program *prog);
int program_map(uint64_t vs, const struct program *prog);
int program_prepare(const struct msg *m, uint64_t flags_allowed, struct proc_args *a,
		    struct program *prog);
/* Let go of what program_find took (a program file's frame); the program is mem's now. */
void program_release(struct program *prog);

/* ---- memcall.c: requests to mem */
int mem_vs_create(handle_t space, uint64_t limit, uint64_t *vs);
int mem_vs_fork(uint64_t parent, handle_t space, uint64_t *vs);
int mem_vs_reset(uint64_t vs);
int mem_vs_destroy(uint64_t vs);
/* Lend mem the frame holding a program file (bytes long) for vs's file mappings. */
int mem_image(uint64_t vs, handle_t frame, uint64_t bytes);
/* The program file of vs is fs's mapping object id, of bytes (MEM_IMAGE_FILE). */
int mem_image_file(uint64_t vs, uint64_t id, uint64_t bytes);
int mem_map(uint64_t vs, uint64_t va, uint64_t len, unsigned prot_kind, uint64_t off,
	    uint64_t bytes);
int mem_heap_init(uint64_t vs, uint64_t base);
int mem_poke(uint64_t vs, uint64_t va, const void *src, size_t n);
int mem_vs_stats(uint64_t vs, struct mem_vs_stats *out);
int mem_stats(struct mem_stats *out);
/* Have mem write up to most pages of vs out (MEM_VS_SWAPOUT): the pages freed (0 on error). */
uint64_t mem_vs_swapout(uint64_t vs, uint64_t most);

/* ---- fscall.c: descriptor tables in fs */
int fs_attach(struct process *p, int32_t parent, bool spawn);
/* Read the program file at path (absolute) into a new frame of ours: *frame, *size. */
int fs_image(const char *path, handle_t *frame, uint64_t *size);
/*
 * The program file at path mapped from the page cache: fs's mapping object
 * (a reference of ours: fs_unmap_image drops it), its size, and its first
 * bytes (up to a page) in head. ERR_UNSUPPORTED: its file system cannot map
 * (read it with fs_image); else as fs_image.
 */
int fs_map_image(const char *path, handle_t head, uint64_t *id, uint64_t *size);
void fs_unmap_image(uint64_t id);
int fs_exec(const struct process *p);
void fs_interrupt(const struct process *p);
void fs_detach(struct process *p);

/* ---- startpage.c: the struct ustart page of a process */
int startpage_build(const struct proc_args *a);
int startpage_write(const struct process *p);
int startpage_write_forked(const struct process *p);

/* ---- setup.c: the kernel objects and handles of a process */
void setup_default_limit(void);
int setup_limit(uint64_t *limit, uint64_t *bytes); /* ERR_QUOTA: limit too big */
int setup_objects(struct process *p);
int setup_give_handles(struct process *p);
int setup_thread(const struct process *p, uint64_t pc, uint64_t sp, uint64_t a0, handle_t *thread,
		 uint64_t *tid);
void setup_discard(struct process *p);

/* ---- end.c: a process ends */
void process_end(struct process *p, int32_t status);
void process_reap(struct process *p);

/* ---- request handlers (spawn.c, exec.c, fork.c, wait.c, info.c, kill.c, exception.c) */
int do_spawn(int32_t caller, struct msg *m);
int do_exec(struct process *caller, struct msg *m);
int do_fork(struct process *caller, struct msg *m);
int do_wait(int32_t caller, struct msg *m);
int do_kill(int32_t caller, struct msg *m);
int do_getpid(int32_t caller, struct msg *m);
int do_list(struct msg *m);
void do_exit(struct process *caller, struct msg *m);
void do_exception(struct msg *m);

/* ---- oom.c: the OOM killer (overcommit=1) */
enum oom_verdict {
	OOM_NOT_OVERCOMMITTED, /* mem keeps its promises: the fault is an ordinary error */
	OOM_RETRY,	       /* memory was freed (another process ended): retry the access */
	OOM_FAULTER_DIES,      /* the faulting process is the one to end */
};
/* A fault of faulter's running thread found no memory (ERR_NOMEM from mem): free some. */
enum oom_verdict oom_fault(struct process *faulter);
int do_oom_adj(int32_t caller, struct msg *m);

/* ---- load.c: load control (holding a process while paging thrashes) */
/* The reaper's tick: hold a process, or let one go on. */
void load_tick(void);
/* Let held p go on (its thread resumes unless a signal stopped it). */
void load_release(struct process *p);

/* signal.c */
/* sig (1..31) arrives at running process p: as its dispositions say. */
void signal_send(struct process *p, int sig);
/* end.c: tell p's parent (its child event) that p changed: ended or stopped. */
void notify_parent(const struct process *p);
/* A fault's sig: true if p's handler runs for it (the thread then resumes into it). */
bool signal_handles_fault(struct process *p, int sig);
int do_signals(struct process *p, struct msg *m);
int do_alarm(struct process *p, struct msg *m);
/* Alarms that are due: SIGALRM (called by the reaper's periodic call). */
void signal_alarms(void);
void signal_fork(struct process *child, const struct process *parent);
void signal_exec(struct process *p);
/* ---- times.c: CPU time that outlives threads */
/* Add the CPU time of p's thread (about to be replaced or gone) to p's. */
void times_add_thread(struct process *p);
/* Child c of parent was waited for: its figures join the parent's children's. */
void times_reaped(int32_t parent, const struct process *c);
int do_times(int32_t caller, struct msg *m);

/* ---- reaper.c */
int reaper_start(void);
void reaper_scan(void);

#endif
