/*
 * root: the first user program. It starts the servers from the initrd —
 * con (console), mem (memory), fs (files) and proc (processes) — giving each only the
 * handles it needs, then asks proc to start the init program (`sh`, or
 * `init=NAME` from the kernel command line, with the words after `--` as
 * its arguments). `server=NAME` (up to MAX_EXTRA times) starts a server of
 * the user's, such as a pager of their own, after those three. root reports
 * a server that dies, restarts nothing, and when init ends powers the
 * machine off with init's exit status.
 */
#include <stddef.h>

#include "lib/error.h"
#include "lib/str.h"
#include "lib/user/con_proto.h"
#include "lib/user/fs_proto.h"
#include "lib/user/ipc.h"
#include "lib/user/mem_proto.h"
#include "lib/user/msgbytes.h"
#include "lib/user/proc_proto.h"
#include "lib/user/syscall.h"
#include "lib/user/ulib.h"
#include "user/root/servers.h"

#define PRIO_CON  30
#define PRIO_MEM  29
#define PRIO_PROC 28
#define PRIO_BLK  29
#define PRIO_TEST 26
#define PRIO_FS	  28

#define CON_QUOTA      (1ull << 20)
#define ROOT_KEEP      (2ull << 20) /* what root keeps for itself */
#define EV_CHILD       1ull	    /* root's notification: a child of root ended */
#define MAX_ARGS       64
#define MAX_ARGS_TEXT  "63"
#define MAX_EXTRA      4
#define MAX_EXTRA_TEXT "4"
#define PRIO_EXTRA     27
#define EXTRA_QUOTA    (4ull << 20) /* for each `server=NAME` */
#define BLK_QUOTA      (4ull << 20)
#define TEST_QUOTA     (8ull << 20) /* for `test=NAME` */
#define FS_QUOTA_MAX   (256ull << 20)

#define VIRTIO_MAGIC	0x74726976 /* "virt" */
#define VIRTIO_BLK	2
#define VIRTIO_R_MAGIC	0
#define VIRTIO_R_DEVICE 2 /* 32-bit register index of DeviceID (offset 8) */

enum {
	SRV_CON,
	SRV_MEM,
	SRV_FS,
	SRV_PROC,
	SRV_BLK,
	SRV_TEST,
	SRV_EXTRA,
	NSERVERS = SRV_EXTRA + MAX_EXTRA
};
static struct server servers[NSERVERS];

#define F(field) offsetof(struct ustart, field)

/* The command line: init's name and arguments, and the extra servers. */
struct init_cmd {
	char buf[BOOTARGS_MAX];
	const char *argv[MAX_ARGS + 1];
	int argc;
	const char *extra[MAX_EXTRA];
	int nextra;
	const char *test;	/* `test=NAME`, or NULL */
	const char *mem_policy; /* `mem.policy=NAME`, or NULL */
	uint32_t mem_flags;	/* MEM_BOOT_*: `swap=off`, `overcommit=1` */
};

/*
 * The next word of the command line at *p, unquoted in place: '...' and
 * "..." keep spaces, a backslash keeps the next character. Returns the
 * word, NULL at the end, or sets *why for an unterminated quote.
 */
static char *next_word(char **p, const char **why)
{
	char *s = *p, *out;

	while (*s == ' ')
		s++;
	if (!*s)
		return NULL;
	char *word = out = s;
	char quote = 0;
	for (; *s && (quote || *s != ' '); s++) {
		if (quote && *s == quote)
			quote = 0;
		else if (!quote && (*s == '\'' || *s == '"'))
			quote = *s;
		else if (*s == '\\' && quote != '\'' && s[1])
			*out++ = *++s;
		else
			*out++ = *s;
	}
	if (quote) {
		*why = "a quote is not closed";
		return NULL;
	}
	if (*s)
		s++;
	*out = 0;
	*p = s;
	return word;
}

/*
 * Split the kernel command line: `init=NAME`, `test=NAME` and
 * `server=NAME` anywhere before `--`, and init's arguments after it.
 * Returns NULL, or what is wrong with the line (nothing is ever dropped).
 */
static const char *parse_bootargs(const char *args, struct init_cmd *c)
{
	const char *why = NULL;
	bool args_part = false;
	char *p = c->buf, *w;

	str_copy(c->buf, args, sizeof(c->buf));
	c->argv[0] = "sh";
	c->argc = 1;
	c->nextra = 0;
	c->test = 0;
	c->mem_policy = 0;
	c->mem_flags = 0;
	while ((w = next_word(&p, &why)) != NULL) {
		if (args_part) {
			if (c->argc == MAX_ARGS)
				return "init has more than " MAX_ARGS_TEXT " words of arguments";
			c->argv[c->argc++] = w;
		} else if (strcmp(w, "--") == 0) {
			args_part = true;
		} else if (str_starts(w, "test=") && w[5]) {
			c->test = w + 5;
		} else if (str_starts(w, "mem.policy=")) {
			if (strlen(w + 11) == 0 || strlen(w + 11) >= 16)
				return "mem.policy= needs a policy name (fifo, clock, lru, ...)";
			c->mem_policy = w + 11;
		} else if (strcmp(w, "swap=off") == 0) {
			c->mem_flags |= MEM_BOOT_NOSWAP;
		} else if (strcmp(w, "overcommit=1") == 0) {
			c->mem_flags |= MEM_BOOT_OVERCOMMIT;
		} else if (strcmp(w, "loadcontrol=off") == 0) {
			c->mem_flags |= MEM_BOOT_NOLOAD;
		} else if (str_starts(w, "init=") && w[5]) {
			c->argv[0] = w + 5;
		} else if (str_starts(w, "server=") && w[7]) {
			if (c->nextra == MAX_EXTRA)
				return "more than " MAX_EXTRA_TEXT " server= words";
			c->extra[c->nextra++] = w + 7;
		}
	}
	c->argv[c->argc] = 0;
	return why;
}

/* The console UART among the boot devices (the kernel lists it first), or NULL. */
static const struct boot_device *find_uart(const struct bootinfo *bi)
{
	for (unsigned i = 0; i < bi->ndevices; i++) {
		const char *c = bi->devices[i].compatible;
		if (strcmp(c, "ns16550a") == 0 || strcmp(c, "sifive,uart0") == 0)
			return &bi->devices[i];
	}
	return 0;
}

/*
 * The disk: the first virtio-mmio device that is a block device, else an
 * SD card slot on SPI, or NULL. Empty virtio-mmio slots are devices too,
 * with device id 0: root reads the id through a short-lived mapping of the
 * register page. The kernel lists a `sifive,spi0` controller only when it
 * has an `mmc-spi-slot` child (lib/dt_platform.h); whether a card is in
 * the slot only blk finds out.
 */
static const struct boot_device *find_blk(const struct bootinfo *bi)
{
	uint64_t va = uvm_reserve(4096);

	for (unsigned i = 0; i < bi->ndevices; i++) {
		const struct boot_device *d = &bi->devices[i];
		if (strcmp(d->compatible, "virtio,mmio") != 0 || !d->frame || !d->irq ||
		    sys_space_map(uenv.space, va, d->frame, 0, 1, PROT_R) != ERR_OK)
			continue;
		volatile uint32_t *r = (volatile uint32_t *)va;
		bool blk = r[VIRTIO_R_MAGIC] == VIRTIO_MAGIC && r[VIRTIO_R_DEVICE] == VIRTIO_BLK;
		sys_space_unmap(uenv.space, va, 4096);
		if (blk)
			return d;
	}
	for (unsigned i = 0; i < bi->ndevices; i++) {
		const struct boot_device *d = &bi->devices[i];
		if (strcmp(d->compatible, "sifive,spi0") == 0 && d->frame && d->irq)
			return d;
	}
	return 0;
}

/* Endpoints and notifications root creates and shares between the servers. */
struct wiring {
	handle_t ep_con, ep_mem, ep_proc, ep_fs;
	handle_t ep_blk;    /* 0 if there is no disk */
	handle_t con_input; /* con signals it when a line of input is ready */
	handle_t child_ev;  /* proc signals it when a child of root ends */
};

static int make_wiring(struct wiring *w)
{
	int e = sys_endpoint_create(&w->ep_con);
	if (e == ERR_OK)
		e = sys_endpoint_create(&w->ep_mem);
	if (e == ERR_OK)
		e = sys_endpoint_create(&w->ep_proc);
	if (e == ERR_OK)
		e = sys_endpoint_create(&w->ep_fs);
	if (e == ERR_OK)
		e = sys_notify_create(&w->con_input);
	if (e == ERR_OK)
		e = sys_notify_create(&w->child_ev);
	return e;
}

static void start_con(const struct bootinfo *bi, const struct initrd *rd, const struct wiring *w)
{
	const struct boot_device *u = find_uart(bi);
	if (!u || !u->frame || !u->irq) {
		uprintf("root: no console UART with an interrupt; con not started\n");
		return;
	}
	struct ustart us = {.role = ROLE_CON, .timebase_hz = bi->timebase_hz, .nharts = bi->nharts};
	str_copy(us.device_compatible, u->compatible, sizeof(us.device_compatible));
	handle_t proc = 0; /* Ctrl-C: con may ask proc to kill, nothing else */
	if (sys_handle_mint(w->ep_proc, RIGHT_WRITE | RIGHT_GRANT, PROC_BADGE_CON, &proc) != ERR_OK)
		uprintf("root: con gets no handle to proc: Ctrl-C will not interrupt\n");
	const struct grant g[] = {
	    {w->ep_con, RIGHT_READ | RIGHT_WRITE, F(serve)},
	    {u->frame, RIGHT_READ | RIGHT_WRITE | RIGHT_MAP, F(device)},
	    {u->irq, RIGHT_MANAGE, F(irq)},
	    {w->con_input, RIGHT_WRITE, F(con_input_signal)},
	    {proc, RIGHT_WRITE, F(proc)},
	};
	server_start(&servers[SRV_CON], rd, "con", CON_QUOTA, PRIO_CON, g, proc ? 5 : 4, &us);
	if (proc)
		sys_handle_close(proc);
}

static void start_blk(const struct bootinfo *bi, const struct initrd *rd, struct wiring *w,
		      const struct boot_device *d)
{
	struct ustart us = {.role = ROLE_BLK, .timebase_hz = bi->timebase_hz, .nharts = bi->nharts};
	str_copy(us.device_compatible, d->compatible, sizeof(us.device_compatible));
	const struct grant g[] = {
	    {w->ep_blk, RIGHT_READ | RIGHT_WRITE, F(serve)},
	    {d->frame, RIGHT_READ | RIGHT_WRITE | RIGHT_MAP, F(device)},
	    {d->irq, RIGHT_MANAGE, F(irq)},
	    /* DEVICE alone: learn where its clients' frames lie (SYS_FRAME_PHYS), nothing more. */
	    {bi->system, RIGHT_DEVICE, F(system)},
	};
	if (server_start(&servers[SRV_BLK], rd, "blk", BLK_QUOTA, PRIO_BLK, g, 4, &us) != ERR_OK) {
		sys_handle_close(w->ep_blk);
		w->ep_blk = 0;
	}
}

/*
 * `test=NAME`: a test client of the servers, started before init and
 * waited for. It gets what a storage client gets — the blk endpoint — the
 * console, and the system handle to read the memory statistics.
 */
static void run_test(const struct bootinfo *bi, const struct initrd *rd, const struct wiring *w,
		     const char *name)
{
	struct ustart us = {
	    .role = ROLE_TEST, .timebase_hz = bi->timebase_hz, .nharts = bi->nharts};
	const struct grant g[] = {
	    {w->ep_con, RIGHT_WRITE, F(con)},
	    {bi->system, RIGHT_READ | RIGHT_MANAGE, F(system)},
	    {w->ep_blk, RIGHT_WRITE, F(blk)},
	};
	struct server *s = &servers[SRV_TEST];
	struct thread_info ti = {0};
	handle_t ended = 0;
	uint64_t bits;

	if (server_start(s, rd, name, TEST_QUOTA, PRIO_TEST, g, w->ep_blk ? 3 : 2, &us) != ERR_OK)
		return;
	/* Sleep until its thread dies (SYS_THREAD_WATCH); poll only if that cannot be had. */
	if (sys_notify_create(&ended) == ERR_OK &&
	    sys_thread_watch(s->p.thread, ended, 1) == ERR_OK)
		sys_notify_wait(ended, &bits);
	while (sys_thread_info(s->p.thread, &ti) == ERR_OK && ti.state != THREAD_DEAD)
		sys_sleep(20 * 1000 * 1000ull);
	if (ended)
		sys_handle_close(ended);
	s->dead_reported = 1;
	uprintf("root: test %s ended (exit status %ld)\n", name, ti.exit_status);
}

/*
 * mem gets the disk too (blk's endpoint), for swap: it looks for a swap
 * partition when its first request comes, after blk has started.
 */
static void start_mem(const struct bootinfo *bi, const struct initrd *rd, const struct wiring *w,
		      const struct init_cmd *c, uint64_t quota)
{
	struct ustart us = {.role = ROLE_MEM,
			    .initrd_offset = bi->initrd_offset,
			    .initrd_size = bi->initrd_size,
			    .timebase_hz = bi->timebase_hz,
			    .nharts = bi->nharts,
			    .mem_flags = c->mem_flags};
	const struct grant g[] = {
	    {w->ep_mem, RIGHT_READ | RIGHT_WRITE, F(serve)},
	    {bi->system, RIGHT_READ | RIGHT_MANAGE, F(system)},
	    {bi->initrd, RIGHT_READ | RIGHT_MAP, F(initrd)},
	    {w->ep_con, RIGHT_WRITE, F(con)},
	    {w->ep_fs, RIGHT_WRITE | RIGHT_GRANT, F(fs)}, /* to mint the badges of mapped files */
	    {w->ep_blk, RIGHT_WRITE, F(blk)},
	};

	if (c->mem_policy)
		str_copy(us.mem_policy, c->mem_policy, sizeof(us.mem_policy));
	server_start(&servers[SRV_MEM], rd, "mem", quota, PRIO_MEM, g, w->ep_blk ? 6 : 5, &us);
}

/* fs: its endpoint to serve on; it calls nobody (it prints through the kernel console). */
/* fs gets the disk (blk's endpoint) for its root file system, the partition named "root". */
static void start_fs(const struct bootinfo *bi, const struct initrd *rd, const struct wiring *w,
		     uint64_t quota)
{
	struct ustart us = {.role = ROLE_FS, .timebase_hz = bi->timebase_hz, .nharts = bi->nharts};
	const struct grant g[] = {{w->ep_fs, RIGHT_READ | RIGHT_WRITE, F(serve)},
				  {w->ep_blk, RIGHT_WRITE, F(blk)}};

	server_start(&servers[SRV_FS], rd, "fs", quota, PRIO_FS, g, w->ep_blk ? 2 : 1, &us);
}

/* Before the power goes: fs writes everything back (files written up to now stay). */
static void sync_disks(const struct wiring *w)
{
	struct msg m = {.tag = msg_tag(FS_FSYNC, 1, 0), .w = {FS_ALL}};

	if (w->ep_fs && ipc_call(w->ep_fs, &m) == ERR_OK && (int64_t)m.w[0] < 0)
		uprintf("root: fs could not write everything back: errno %ld\n", -(int64_t)m.w[0]);
}

/*
 * proc gets fs's endpoint twice: unbadged with GRANT, to mint each
 * process's handle (badge = pid) from, and with FS_BADGE_PROC, for the
 * FS_PROC_* messages that make and drop descriptor tables.
 */
static void start_proc(const struct bootinfo *bi, const struct initrd *rd, const struct wiring *w,
		       uint64_t quota)
{
	handle_t fs_admin = 0;
	if (sys_handle_mint(w->ep_fs, RIGHT_WRITE | RIGHT_GRANT, FS_BADGE_PROC, &fs_admin) !=
	    ERR_OK)
		uprintf("root: cannot mint fs's proc handle\n");
	struct ustart us = {.role = ROLE_PROC,
			    .initrd_offset = bi->initrd_offset,
			    .initrd_size = bi->initrd_size,
			    .timebase_hz = bi->timebase_hz,
			    .nharts = bi->nharts};
	const struct grant g[] = {
	    {w->ep_proc, RIGHT_READ | RIGHT_WRITE | RIGHT_GRANT, F(serve)},
	    {w->ep_mem, RIGHT_WRITE | RIGHT_GRANT, F(mem)},
	    {w->ep_con, RIGHT_WRITE | RIGHT_GRANT, F(con)},
	    {w->con_input, RIGHT_READ | RIGHT_GRANT, F(con_input_signal)},
	    {w->child_ev, RIGHT_WRITE, F(child_event)},
	    {bi->initrd, RIGHT_READ | RIGHT_MAP, F(initrd)},
	    {w->ep_fs, RIGHT_WRITE | RIGHT_GRANT, F(fs)},
	    {fs_admin, RIGHT_WRITE, F(fs_admin)},
	};
	server_start(&servers[SRV_PROC], rd, "proc", quota, PRIO_PROC, g, fs_admin ? 8 : 7, &us);
	if (fs_admin)
		sys_handle_close(fs_admin);
}

/*
 * A server of the user's: its own space, thread and quota, and the console
 * to print on. It talks to nobody else unless it makes endpoints of its own.
 */
static void start_extra(const struct bootinfo *bi, const struct initrd *rd, const struct wiring *w,
			int i, const char *name)
{
	struct ustart us = {
	    .role = ROLE_SERVER, .timebase_hz = bi->timebase_hz, .nharts = bi->nharts};
	const struct grant g[] = {{w->ep_con, RIGHT_WRITE, F(con)}};

	if (server_start(&servers[SRV_EXTRA + i], rd, name, EXTRA_QUOTA, PRIO_EXTRA, g, 1, &us) ==
	    ERR_OK)
		uprintf("root: started server %s\n", name);
}

/*
 * Root made the servers' endpoints, so it holds them with every right. An
 * endpoint closes only when its last READ handle goes: keeping ours would
 * leave a dead server's callers waiting forever instead of getting
 * ERR_PEER. Keep only the rights to call (proc's, to start init) and to
 * pass the endpoint on (to a `test=NAME` client).
 */
static void keep_calling_only(struct wiring *w)
{
	handle_t *eps[] = {&w->ep_con, &w->ep_mem, &w->ep_proc, &w->ep_fs, &w->ep_blk};

	for (unsigned i = 0; i < sizeof(eps) / sizeof(eps[0]); i++) {
		handle_t call;
		if (!*eps[i])
			continue;
		if (sys_handle_dup(*eps[i], RIGHT_WRITE | RIGHT_GRANT, &call) == ERR_OK) {
			sys_handle_close(*eps[i]);
			*eps[i] = call;
		}
	}
}

/* Report each server whose first thread has died, once. */
static void report_dead_servers(void)
{
	for (int i = 0; i < NSERVERS; i++) {
		struct server *s = &servers[i];
		struct thread_info ti = {0};
		if (!s->p.thread || s->dead_reported ||
		    sys_thread_info(s->p.thread, &ti) != ERR_OK || ti.state != THREAD_DEAD)
			continue;
		/* The watcher and the last look before power-off may race: one reports. */
		if (__atomic_exchange_n(&s->dead_reported, 1, __ATOMIC_RELAXED))
			continue;
		uprintf("root: server %s died (exit status %ld); it is not restarted\n", s->name,
			ti.exit_status);
	}
}

static void watch_servers(void *arg)
{
	(void)arg;
	for (;;) {
		report_dead_servers();
		sys_sleep(100 * 1000 * 1000ull);
	}
}

/* Ask proc to start cmd; returns the pid, or a negative enum err. */
/* The environment init starts with (and every process inherits unless changed). */
static const char *const init_env[] = {"PATH=/bin", "HOME=/home", "TERM=vt100"};
#define INIT_ENVC (sizeof(init_env) / sizeof(init_env[0]))

static int spawn_init(handle_t proc, const struct init_cmd *c)
{
	struct ipc_buffer *b = (struct ipc_buffer *)(BOOTINFO_VA + 4096);
	char block[PROC_ARGS_MAX];
	size_t n = 0;

	/* The path, the arguments, then the environment. */
	for (int i = -1; i < c->argc + (int)INIT_ENVC; i++) {
		const char *s = i < c->argc ? c->argv[i < 0 ? 0 : i] : init_env[i - c->argc];
		size_t l = strlen(s) + 1;
		if (n + l > sizeof(block))
			return ERR_RANGE;
		memcpy(block + n, s, l);
		n += l;
	}
	struct msg m = {.w = {0, 0, (uint64_t)c->argc, INIT_ENVC, n}};
	unsigned words = msgbytes_put(&m, b, PROC_ARGS_WORD, block, n);
	m.tag = msg_tag(PROC_SPAWN, words, 0);
	int e = ipc_call(proc, &m);
	if (e == ERR_OK)
		e = msg_error(m.tag);
	return e == ERR_OK ? (int)m.w[0] : e;
}

/* Wait until init ends; returns the exit code to power off with. */
static int wait_for_init(handle_t proc, handle_t child_ev, int init_pid)
{
	for (;;) {
		uint64_t bits;
		sys_notify_wait(child_ev, &bits);
		for (;;) {
			struct msg m = {.tag = msg_tag(PROC_WAIT, 1, 0), .w = {(uint64_t)-1}};
			if (ipc_call(proc, &m) != ERR_OK || msg_error(m.tag) != ERR_OK)
				break;
			int st = (int)m.w[1];
			if ((int)m.w[0] != init_pid)
				continue;
			if ((st & 0x7f) == 0) {
				uprintf("root: init exited with status %d\n", (st >> 8) & 0xff);
				return (st >> 8) & 0xff;
			}
			uprintf("root: init killed by signal %d\n", st & 0x7f);
			return 128 + (st & 0x7f);
		}
	}
}

/* want, but at least lo and at most hi, in whole pages. */
static uint64_t clamp_quota(uint64_t want, uint64_t lo, uint64_t hi)
{
	return (want < lo ? lo : want > hi ? hi : want) & ~4095ull;
}

int main(struct bootinfo *bi)
{
	uenv = (struct uenv){bi->self_space, bi->self_thread, bi->quota, bi->system};
	struct initrd rd;
	struct wiring w = {0};
	struct init_cmd cmd;
	uint64_t limit = 0, used = 0;

	uprintf("root: %lu of %lu pages free, %u harts\n", bi->free_pages, bi->total_pages,
		bi->nharts);
	if (!bi->initrd ||
	    initrd_map(bi->initrd, bi->initrd_offset, bi->initrd_size, &rd) != ERR_OK ||
	    make_wiring(&w) != ERR_OK || sys_quota_info(bi->quota, &limit, &used) != ERR_OK) {
		uprintf("root: no initrd, or out of memory at start\n");
		sys_system_exit(bi->system, 1);
	}
	const char *bad = parse_bootargs(bi->bootargs, &cmd);
	if (bad) {
		uprintf("root: cannot use the command line: %s\n", bad);
		sys_system_exit(bi->system, 1);
	}
	const struct boot_device *disk = find_blk(bi);
	if (disk && sys_endpoint_create(&w.ep_blk) != ERR_OK)
		disk = 0;
	uint64_t avail = (limit - used - ROOT_KEEP - CON_QUOTA - cmd.nextra * EXTRA_QUOTA -
			  (disk ? BLK_QUOTA : 0) - (cmd.test ? TEST_QUOTA : 0)) &
			 ~4095ull;
	/*
	 * proc's quota pays for every process's kernel objects and page tables
	 * (user/proc/setup.c sizes each process's share by its commit limit),
	 * so it grows with memory; fs's is its page cache, capped on a large
	 * machine, where mem (every page a program touches) gets the rest.
	 */
	uint64_t proc_quota = clamp_quota(avail / 8, 8ull << 20, UINT64_MAX);
	uint64_t fs_quota = clamp_quota(avail / 16, 4ull << 20, FS_QUOTA_MAX);
	start_con(bi, &rd, &w);
	start_mem(bi, &rd, &w, &cmd, avail - proc_quota - fs_quota);
	if (disk)
		start_blk(bi, &rd, &w, disk); /* before fs, which mounts the disk */
	start_fs(bi, &rd, &w, fs_quota);
	start_proc(bi, &rd, &w, proc_quota);
	for (int i = 0; i < cmd.nextra; i++)
		start_extra(bi, &rd, &w, i, cmd.extra[i]);
	keep_calling_only(&w);
	handle_t watcher;
	uthread_spawn(watch_servers, 0, 31, 0, &watcher);
	/*
	 * fs answers once it has mounted its file systems: the test client and
	 * init start after that (a test measuring free memory must not see fs's
	 * start-up as its own).
	 */
	sync_disks(&w);
	if (cmd.test)
		run_test(bi, &rd, &w, cmd.test);

	int pid = spawn_init(w.ep_proc, &cmd);
	if (pid < 0) {
		if (pid == ERR_RANGE)
			uprintf(
			    "root: cannot start init %s: its arguments and environment take more "
			    "than %u bytes\n",
			    cmd.argv[0], (unsigned)PROC_ARGS_MAX);
		else
			uprintf("root: cannot start init %s: %s\n", cmd.argv[0], err_name(pid));
		sys_system_exit(bi->system, 1);
	}
	/*
	 * init's end, however it comes (exit, end of input, a signal, kill 1),
	 * ends the system: nothing would be left to talk to. Say so, write
	 * the disks back and power off with init's status.
	 */
	int code = wait_for_init(w.ep_proc, w.child_ev, pid);
	report_dead_servers(); /* one last look: the watcher may not have run since */
	uprintf("root: init has ended: writing the disks back and powering off\n");
	sync_disks(&w);
	sys_system_exit(bi->system, code);
	return code;
}
