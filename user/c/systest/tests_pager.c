/*
 * Ranges of ordinary processes served by other pagers (MEM_MAP_PAGER,
 * lib/libc/pager.c): sqpager, started as a child, serves its object to
 * this process; munmap, offsets, MAP_FIXED, fork, a fault beyond the
 * object, and the pager's death; and what mem and the kernel refuse.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lib/libc/strata.h"
#include "lib/libc/sys.h"
#include "lib/user/syscall.h"
#include "lib/user/ustart.h"
#include "user/c/systest/systest.h"

#define PAGE	  4096ull
#define OBJ_PAGES 8

/* Start sqpager (mode: NULL or "hold") under a name of this process's; wait until it is published.
 */
static pid_t start_pager_mode(char *name, size_t size, handle_t *ep, char *mode)
{
	char pages[8];
	snprintf(name, size, "systest-%d", getpid());
	snprintf(pages, sizeof(pages), "%d", OBJ_PAGES);
	char *argv[] = {"sqpager", name, pages, mode, 0};
	pid_t pid = strata_spawn("sqpager", argv, 0);

	for (int i = 0; pid > 0 && i < 500; i++) {
		if (strata_srv_lookup(name, ep) == 0)
			return pid;
		usleep(10000);
	}
	return -1;
}

static pid_t start_pager(char *name, size_t size, handle_t *ep)
{
	return start_pager_mode(name, size, ep, NULL);
}

static void stop_pager(pid_t pid)
{
	int st;

	kill(pid, SIGKILL);
	waitpid(pid, &st, 0);
}

/* Does word i of the object read i * i through w, which shows it from page `first` on? */
static bool squares(const volatile uint64_t *w, uint64_t first, uint64_t pages)
{
	for (uint64_t i = 0; i < pages * PAGE / 8; i++) {
		uint64_t k = first * PAGE / 8 + i;
		if (w[i] != k * k) {
			printf("    word %lu reads %lu\n", (unsigned long)k, (unsigned long)w[i]);
			return false;
		}
	}
	return true;
}

/* This process's mapping containing va, from mem's list (MEM_VS_MAPS). */
static bool my_mapping(const volatile void *va, struct mem_map_info *out)
{
	int i = 0;

	do {
		i = strata_vs_maps(0, i, out);
		if (i >= 0 && out->va <= (uint64_t)va && (uint64_t)va < out->va + out->len)
			return true;
	} while (i > 0);
	return false;
}

/* Touch w[0] in a child; its wait status. */
static int touch_in_child(const volatile uint64_t *w)
{
	pid_t pid = fork();
	int st;

	if (pid == 0)
		_exit(w[0] == 12345 ? 3 : 4);
	if (pid < 0 || waitpid(pid, &st, 0) != pid)
		return -1;
	return st;
}

/*
 * A pager the test started serves ranges of this process: the object's
 * bytes, at an offset, over an anonymous mapping (MAP_FIXED), shared with
 * a forked child (both see each other's writes); a page beyond the object
 * is SIGBUS, and so is a new page once the pager is dead, while pages
 * already mapped stay readable.
 */
static bool pager_serves_process(void)
{
	char name[32];
	handle_t ep;
	pid_t pager = start_pager(name, sizeof(name), &ep);

	CHECK(pager > 0);
	volatile uint64_t *w =
	    strata_pager_map(0, OBJ_PAGES * PAGE, PROT_READ | PROT_WRITE, 0, ep, 0, 0);
	CHECK(w != MAP_FAILED);
	CHECK(squares(w, 0, OBJ_PAGES));
	w[3 * PAGE / 8] = 7; /* page 3, seen again through the next mapping */
	CHECK(munmap((void *)w, OBJ_PAGES * PAGE) == 0);

	/* Over the middle of an anonymous mapping, from object page 2 on. */
	uint64_t *anon =
	    mmap(0, 8 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CHECK(anon != MAP_FAILED);
	memset(anon, 0x5a, 8 * PAGE);
	w = strata_pager_map(anon + 2 * PAGE / 8, 4 * PAGE, PROT_READ | PROT_WRITE, MAP_FIXED, ep,
			     0, 2 * PAGE);
	CHECK(w == anon + 2 * PAGE / 8);
	CHECK(w[PAGE / 8] == 7);  /* object page 3 */
	struct mem_map_info info; /* pmap's view: another pager's range, one page mapped */
	CHECK(my_mapping(w, &info) && info.kind == MEM_KIND_PAGER && info.va == (uint64_t)w);
	CHECK(info.len == 4 * PAGE && info.offset == 2 * PAGE && info.resident == 1);
	CHECK(my_mapping(anon, &info) && info.kind == MEM_KIND_ANON && info.resident == 2);
	w[PAGE / 8] = 3 * PAGE / 8 * (3 * PAGE / 8);
	CHECK(squares(w, 2, 4));
	CHECK(anon[0] == 0x5a5a5a5a5a5a5a5aull && anon[7 * PAGE / 8] == 0x5a5a5a5a5a5a5a5aull);

	/* fork shares the range: the child reads what the parent wrote. */
	w[0] = 12345;
	int st = touch_in_child(w);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 3);
	w[0] = 2 * PAGE / 8 * (2 * PAGE / 8);

	/* munmap of the middle gives it back to mem: it is unmapped memory again. */
	CHECK(munmap((void *)(w + PAGE / 8), PAGE) == 0);
	pid_t pid = fork();
	if (pid == 0)
		_exit(w[PAGE / 8] == 0 ? 0 : 1);
	CHECK(pid > 0 && waitpid(pid, &st, 0) == pid);
	CHECK(WIFSIGNALED(st) && WTERMSIG(st) == SIGSEGV);
	CHECK(squares(w + 2 * PAGE / 8, 4, 2)); /* the piece after the hole keeps its offset */
	CHECK(munmap(anon, 8 * PAGE) == 0);

	/* Beyond the object: SIGBUS, from the pager's refusal. */
	w = strata_pager_map(0, 4 * PAGE, PROT_READ, 0, ep, 0, (OBJ_PAGES - 2) * PAGE);
	CHECK(w != MAP_FAILED);
	CHECK(squares(w, OBJ_PAGES - 2, 2));
	st = touch_in_child(w + 2 * PAGE / 8);
	CHECK(WIFSIGNALED(st) && WTERMSIG(st) == SIGBUS);

	/* The pager dies: mapped pages stay, a new fault is SIGBUS (no pager). */
	stop_pager(pager);
	CHECK(squares(w, OBJ_PAGES - 2, 2));
	st = touch_in_child(w + 3 * PAGE / 8);
	CHECK(WIFSIGNALED(st) && WTERMSIG(st) == SIGBUS);
	CHECK(munmap((void *)w, 4 * PAGE) == 0);
	CHECK(strata_srv_lookup(name, &ep) == -1 && errno == ENOENT);
	return true;
}

/*
 * What a range served by another pager refuses: a handle that is no
 * endpoint, an unaligned offset, unknown flags, W and X, a badge a badged
 * handle does not carry, handles that may not be passed on (mem's frame,
 * mem's endpoint). Names: bad, taken, unknown.
 */
static bool pager_map_misuse(void)
{
	handle_t ep, badged, frame;
	void *mem_frame = strata_pager_memory(3 * PAGE, &frame); /* rounded up to 4 pages */

	CHECK(mem_frame != MAP_FAILED);
	CHECK(strata_endpoint(&ep) == 0);
	CHECK(sys_handle_mint(ep, RIGHT_WRITE | RIGHT_GRANT, 5, &badged) == 0);
	handle_t note;
	CHECK(sys_notify_create(&note) == 0);
	CHECK(strata_pager_map(0, PAGE, PROT_READ, 0, note, 0, 0) == MAP_FAILED && errno == EINVAL);
	/* mem's frame handle may not be passed on at all (no GRANT): the call itself fails. */
	CHECK(strata_pager_map(0, PAGE, PROT_READ, 0, frame, 0, 0) == MAP_FAILED && errno == EPERM);
	CHECK(strata_pager_map(0, PAGE, PROT_READ, 0, ep, 0, 100) == MAP_FAILED && errno == EINVAL);
	CHECK(strata_pager_map(0, PAGE, PROT_READ, 0x40, ep, 0, 0) == MAP_FAILED &&
	      errno == EINVAL);
	CHECK(strata_pager_map(0, PAGE, PROT_WRITE | PROT_EXEC, 0, ep, 0, 0) == MAP_FAILED &&
	      errno == EINVAL);
	CHECK(strata_pager_map(0, PAGE, PROT_READ, 0, badged, 6, 0) == MAP_FAILED &&
	      errno == EPERM);
	CHECK(strata_pager_map((void *)0x1000, PAGE, PROT_READ, MAP_FIXED, ep, 0, 0) ==
		  MAP_FAILED &&
	      errno == ENOMEM);
	void *b = strata_pager_map(0, PAGE, PROT_READ, 0, badged, 5, 0);
	CHECK(b != MAP_FAILED && munmap(b, PAGE) == 0);

	/* The frame mem lent is memory of this process's: read-write, 4 pages. */
	memset(mem_frame, 1, 4 * PAGE);
	CHECK(munmap(mem_frame, 4 * PAGE) == 0);
	CHECK(strata_pager_memory(0, &frame) == MAP_FAILED && errno == EINVAL);
	CHECK(strata_pager_memory(MEM_FRAME_MAX + 1, &frame) == MAP_FAILED && errno == EINVAL);

	/* Nor may mem's endpoint (no GRANT): mem is never asked to page a range for itself. */
	CHECK(strata_pager_map(0, PAGE, PROT_READ, 0, __strata_us->mem, 0, 0) == MAP_FAILED &&
	      errno == EPERM);

	CHECK(strata_srv_publish("bad/name", ep) == -1 && errno == EINVAL);
	CHECK(strata_srv_publish("", ep) == -1 && errno == EINVAL);
	handle_t own_frame; /* a frame of this process's own, which it may pass on: no endpoint */
	CHECK(sys_frame_alloc(0, 0, &own_frame) == 0);
	CHECK(strata_srv_publish("x", own_frame) == -1 && errno == EINVAL);
	CHECK(sys_handle_close(own_frame) == 0);
	char name[40];
	snprintf(name, sizeof(name), "misuse-%d", getpid());
	CHECK(strata_srv_publish(name, ep) == 0);
	CHECK(strata_srv_publish(name, ep) == -1 && errno == EEXIST);
	handle_t got;
	CHECK(strata_srv_lookup(name, &got) == 0);
	CHECK(strata_srv_lookup("no-such-name", &got) == -1 && errno == ENOENT);
	/* A notification may be published too; withdrawn, the name is free again. */
	char nname[48];
	snprintf(nname, sizeof(nname), "%s.n", name);
	CHECK(strata_srv_publish(nname, note) == 0);
	CHECK(strata_srv_lookup(nname, &got) == 0 && sys_notify_signal(got, 1) == 0);
	CHECK(strata_srv_withdraw(nname) == 0);
	CHECK(strata_srv_withdraw(nname) == -1 && errno == ENOENT);
	CHECK(strata_srv_lookup(nname, &got) == -1 && errno == ENOENT);
	CHECK(strata_srv_withdraw(name) == 0 && strata_srv_publish(name, ep) == 0);
	return true;
}

/*
 * A pager holds one fault (as if it read the page from a disk) and serves
 * another meanwhile: a child's fault on the object's last page is held
 * until this process's fault on another page has been answered. A pager
 * that could not hold it would never answer either. And a pager killed
 * while it holds a fault leaves its client a SIGBUS.
 */
static bool pager_holds_fault(void)
{
	char name[32];
	handle_t ep;
	pid_t pager = start_pager_mode(name, sizeof(name), &ep, "hold");

	CHECK(pager > 0);
	volatile uint64_t *w = strata_pager_map(0, OBJ_PAGES * PAGE, PROT_READ, 0, ep, 0, 0);
	CHECK(w != MAP_FAILED);
	uint64_t last = (OBJ_PAGES - 1) * PAGE / 8;
	pid_t child = fork();
	if (child == 0)
		_exit(w[last] == last * last ? 0 : 1); /* held until the parent's fault */
	CHECK(child > 0);
	/*
	 * Fault on a fresh page again and again until the child is through:
	 * each is answered while the child's is held, and the one after the
	 * child's fault arrived releases it. (Bounded: a pager that could not
	 * hold a fault would leave the child stuck, and the check fails.)
	 */
	int st, done = 0;
	for (int i = 0; i < 2000 && !done; i++) {
		volatile uint64_t *t = strata_pager_map(0, PAGE, PROT_READ, 0, ep, 0, 0);
		CHECK(t != MAP_FAILED && squares(t, 0, 1));
		CHECK(munmap((void *)t, PAGE) == 0);
		done = waitpid(child, &st, WNOHANG);
		if (!done)
			usleep(1000);
	}
	CHECK(done == child && WIFEXITED(st) && WEXITSTATUS(st) == 0);
	CHECK(squares(w + last, OBJ_PAGES - 1, 1));
	CHECK(munmap((void *)w, OBJ_PAGES * PAGE) == 0);
	stop_pager(pager);

	/* A pager killed while it holds a fault: the client gets SIGBUS, not a hang. */
	pager = start_pager_mode(name, sizeof(name), &ep, "hold");
	CHECK(pager > 0);
	w = strata_pager_map(0, OBJ_PAGES * PAGE, PROT_READ, 0, ep, 0, 0);
	CHECK(w != MAP_FAILED);
	child = fork();
	if (child == 0)
		_exit(w[last] == last * last ? 0 : 1);
	CHECK(child > 0);
	usleep(20000); /* most likely held by now; if not, the fault finds no pager: SIGBUS too */
	stop_pager(pager);
	CHECK(waitpid(child, &st, 0) == child && WIFSIGNALED(st) && WTERMSIG(st) == SIGBUS);
	CHECK(munmap((void *)w, OBJ_PAGES * PAGE) == 0);
	return true;
}

/*
 * A pager whose backing store is a file (filepager, which reads it through
 * fs): the mapping shows the file's bytes, as read() gives them; past the
 * end of the file is SIGBUS, a write SIGSEGV.
 */
static bool pager_backed_by_file(void)
{
	static char want[64 << 10];
	const char *path = "/bin/hello";
	char name[32];
	handle_t ep;
	int st;

	int fd = open(path, O_RDONLY);
	ssize_t size = fd >= 0 ? read(fd, want, sizeof(want)) : -1;
	CHECK(size > 0 && size < (ssize_t)sizeof(want) && close(fd) == 0);
	snprintf(name, sizeof(name), "file-%d", getpid());
	char *argv[] = {"filepager", name, (char *)path, 0};
	pid_t pager = strata_spawn("filepager", argv, 0);
	CHECK(pager > 0);
	for (int i = 0; i < 500 && strata_srv_lookup(name, &ep) != 0; i++)
		usleep(10000);
	uint64_t len = ((uint64_t)size + PAGE - 1) / PAGE * PAGE;
	volatile char *w = strata_pager_map(0, len + PAGE, PROT_READ | PROT_WRITE, 0, ep, 0, 0);
	CHECK(w != MAP_FAILED);
	CHECK(memcmp((const void *)w, want, (size_t)size) == 0);
	for (uint64_t i = (uint64_t)size; i < len; i++)
		CHECK(w[i] == 0); /* the last page's tail */
	pid_t pid = fork();
	if (pid == 0)
		_exit(w[len] == 0 ? 0 : 1); /* past the end of the file */
	CHECK(pid > 0 && waitpid(pid, &st, 0) == pid && WIFSIGNALED(st) && WTERMSIG(st) == SIGBUS);
	pid = fork();
	if (pid == 0) {
		w[0] = 1; /* read-only backing store */
		_exit(0);
	}
	CHECK(pid > 0 && waitpid(pid, &st, 0) == pid && WIFSIGNALED(st) && WTERMSIG(st) == SIGSEGV);
	CHECK(munmap((void *)w, len + PAGE) == 0);
	stop_pager(pager);
	return true;
}

/*
 * A process that ends with ranges served by its own endpoint, and with
 * frames from mem, leaves nothing behind (the runner counts the pages).
 */
static bool pager_ranges_die_with_process(void)
{
	unsigned long before = systest_free_pages(), now = 0;

	for (int round = 0; round < 3; round++) {
		pid_t pid = fork();
		if (pid == 0) {
			handle_t ep, frame;
			if (strata_endpoint(&ep) != 0)
				_exit(1);
			for (int i = 0; i < 4; i++)
				if (strata_pager_map(0, (i + 1) * PAGE, PROT_READ, 0, ep, 0, 0) ==
				    MAP_FAILED)
					_exit(2);
			if (round > 0 && strata_pager_memory(2 * PAGE, &frame) == MAP_FAILED)
				_exit(3);
			char *r = strata_pager_map(0, 8 * PAGE, PROT_READ, 0, ep, 0, 0);
			if (r == MAP_FAILED ||
			    mmap(r + PAGE, PAGE, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED,
				 -1, 0) != r + PAGE ||
			    munmap(r + 3 * PAGE, 2 * PAGE) != 0)
				_exit(4);
			_exit(0);
		}
		int st;
		CHECK(pid > 0 && waitpid(pid, &st, 0) == pid && WIFEXITED(st) &&
		      WEXITSTATUS(st) == 0);
	}
	for (int i = 0; i < 100 && (now = systest_free_pages()) != before; i++)
		usleep(10000);
	if (now != before)
		printf("    unused pages %lu before, %lu after\n", before, now);
	CHECK(now == before);
	return true;
}

/*
 * Many ranges of other pagers in one process: each splits mem's region in
 * the kernel's table (which grows from 8 entries past 32), up to the 16
 * links a process has; the 17th is ENOMEM; munmap gives each back (the
 * table's pieces merge again) and nothing is left (the runner counts).
 */
static bool pager_many_ranges(void)
{
	enum { LINKS = 16 };
	handle_t ep;
	void *r[LINKS];

	CHECK(strata_endpoint(&ep) == 0);
	for (int i = 0; i < LINKS; i++) {
		/* Apart from each other, so no two merge: 2 more region entries each. */
		r[i] = strata_pager_map((void *)(UMMAP_BASE + (uint64_t)(4 * i + 1) * (1 << 20)),
					PAGE, PROT_READ, MAP_FIXED, ep, (uint64_t)i + 1, 0);
		CHECK(r[i] != MAP_FAILED);
	}
	errno = 0;
	CHECK(strata_pager_map(0, PAGE, PROT_READ, 0, ep, 99, 0) == MAP_FAILED && errno == ENOMEM);
	struct mem_map_info info;
	CHECK(my_mapping(r[7], &info) && info.kind == MEM_KIND_PAGER && info.badge == 8);
	for (int i = 0; i < LINKS; i++)
		CHECK(munmap(r[i], PAGE) == 0);
	CHECK(my_mapping(r[7], &info) == false);
	void *again = strata_pager_map(0, PAGE, PROT_READ, 0, ep, 1, 0); /* the links are free */
	CHECK(again != MAP_FAILED && munmap(again, PAGE) == 0);
	return true;
}

const struct systest pager_tests[] = {
    {"pager_ranges_die_with_process", pager_ranges_die_with_process},
    {"pager_serves_process", pager_serves_process},
    {"pager_map_misuse", pager_map_misuse},
    {"pager_holds_fault", pager_holds_fault},
    {"pager_backed_by_file", pager_backed_by_file},
    {"pager_many_ranges", pager_many_ranges},
    {0, 0},
};
