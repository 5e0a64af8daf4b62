/* systest: memory through mem — malloc, brk, mmap/munmap, fault-around, limits. */
#include <errno.h>
#include <sys/stat.h>
#include <stdio.h>
#include <signal.h>
#include <fcntl.h>
#include <malloc.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lib/libc/strata.h"
#include "lib/user/ustart.h"
#include "user/c/systest/systest.h"

#define PAGE 4096ul

static uint64_t rng = 0x2545f4914f6cdd1dull;

static uint64_t next(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

struct block {
	unsigned char *p;
	size_t size;
	unsigned char seed;
};

static bool intact(const struct block *b, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (b->p[i] != (unsigned char)(b->seed + i * 13))
			return false;
	return true;
}

static void fill(struct block *b)
{
	for (size_t i = 0; i < b->size; i++)
		b->p[i] = (unsigned char)(b->seed + i * 13);
}

/* printf formats as expected, and malloc/realloc/free keep contents over many random sizes. */
static bool malloc_stress(void)
{
	static struct block blocks[128];
	char buf[96];

	snprintf(buf, sizeof(buf), "%d %u %lx %s %5.2f %c", -42, 42u, 0xbeefUL, "str", 3.14159,
		 'z');
	CHECK(strcmp(buf, "-42 42 beef str  3.14 z") == 0);
	for (int r = 0; r < 6000; r++) {
		struct block *b = &blocks[next() % 128];
		size_t size = 1 + next() % ((next() & 3) ? 512 : 65536);
		if (!b->p) {
			CHECK((b->p = malloc(size)) != NULL);
			b->size = size;
			b->seed = (unsigned char)next();
			fill(b);
		} else if (next() & 1) {
			CHECK(intact(b, b->size));
			free(b->p);
			b->p = NULL;
		} else {
			unsigned char *q = realloc(b->p, size);
			CHECK(q != NULL);
			b->p = q;
			CHECK(intact(b, size < b->size ? size : b->size));
			b->size = size;
			fill(b);
		}
	}
	for (int i = 0; i < 128; i++) {
		CHECK(!blocks[i].p || intact(&blocks[i], blocks[i].size));
		free(blocks[i].p);
	}
	return true;
}

/* sbrk: growing gives zeroed writable memory; shrinking below the start and huge growth fail. */
static bool brk_edges(void)
{
	char *start = sbrk(0);
	CHECK(start != (void *)-1);
	char *p = sbrk(3 * PAGE);
	CHECK(p == start);
	for (size_t i = 0; i < 3 * PAGE; i++)
		CHECK(p[i] == 0);
	memset(p, 7, 3 * PAGE);
	CHECK(sbrk(0) == start + 3 * PAGE);
	CHECK(sbrk(-(intptr_t)PAGE) == start + 3 * PAGE);
	errno = 0;
	CHECK(sbrk((intptr_t)1 << 40) == (void *)-1 && errno == ENOMEM);
	errno = 0;
	CHECK(sbrk(-((intptr_t)1 << 40)) == (void *)-1 && errno == ENOMEM);
	CHECK(sbrk(0) == start + 2 * PAGE); /* failures changed nothing */
	CHECK(p[0] == 7 && p[2 * PAGE - 1] == 7);
	CHECK(sbrk(-(intptr_t)(2 * PAGE)) == start + 2 * PAGE);
	return true;
}

static bool mmap_fails(void *addr, size_t len, int prot, int flags, int err)
{
	errno = 0;
	void *p = mmap(addr, len, prot, flags, -1, 0);
	if (p != MAP_FAILED || errno != err) {
		printf("    mmap(%p, %zu, %d, %#x) = %p errno %d, expected errno %d\n", addr, len,
		       prot, flags, p, errno, err);
		return false;
	}
	return true;
}

/* Bad mmap/munmap arguments give errors, not crashes. */
static bool mmap_edges(void)
{
	const int rw = PROT_READ | PROT_WRITE, anon = MAP_PRIVATE | MAP_ANONYMOUS;

	CHECK(mmap_fails(0, 0, rw, anon, EINVAL));
	CHECK(mmap_fails(0, PAGE, PROT_NONE, anon, EINVAL));
	CHECK(mmap_fails(0, PAGE, PROT_WRITE | PROT_EXEC, anon, EINVAL));
	CHECK(mmap_fails(0, PAGE, rw, MAP_SHARED | MAP_PRIVATE | MAP_ANONYMOUS, EINVAL));
	CHECK(mmap_fails(0, PAGE, rw, MAP_ANONYMOUS, EINVAL));
	CHECK(mmap_fails(0, PAGE, rw, MAP_SHARED, EINVAL));
	errno = 0; /* a file: not mapped */
	CHECK(mmap(0, PAGE, rw, MAP_SHARED, 0, 0) == MAP_FAILED && errno == ENODEV);
	CHECK(mmap_fails(0, PAGE, rw, MAP_PRIVATE, EINVAL));
	CHECK(mmap_fails((void *)(UMMAP_BASE + 123), PAGE, rw, anon | MAP_FIXED, EINVAL));
	CHECK(mmap_fails((void *)0x100000, PAGE, rw, anon | MAP_FIXED, ENOMEM));
	CHECK(mmap_fails((void *)USER_TOP_ABI, PAGE, rw, anon | MAP_FIXED, ENOMEM));
	CHECK(mmap_fails((void *)(UMMAP_END - PAGE), 2 * PAGE, rw, anon | MAP_FIXED, ENOMEM));
	CHECK(mmap_fails(0, (size_t)1 << 45, rw, anon, ENOMEM));
	CHECK(mmap_fails(0, (size_t)-1, rw, anon, ENOMEM) ||
	      mmap_fails(0, (size_t)-1, rw, anon, EINVAL));
	errno = 0;
	CHECK(munmap((void *)(UMMAP_BASE + 1), PAGE) == -1 && errno == EINVAL);
	errno = 0;
	CHECK(munmap((void *)UMMAP_BASE, 0) == -1 && errno == EINVAL);
	errno = 0;
	CHECK(munmap((void *)0x10000, PAGE) == -1 && errno == EINVAL);
	CHECK(munmap((void *)(UMMAP_END - 16 * PAGE), 16 * PAGE) == 0); /* nothing there: fine */
	return true;
}

/* A child touches p: the status it ends with. */
static int touch_in_child(volatile char *p)
{
	int st = -1, pid = fork();
	if (pid == 0) {
		p[0] = 1;
		_exit(0);
	}
	if (pid < 0 || waitpid(pid, &st, 0) != pid)
		return -1;
	return st;
}

/* Mappings work, split on a partial munmap, get replaced by MAP_FIXED, and are gone after munmap.
 */
static bool mmap_use(void)
{
	const int rw = PROT_READ | PROT_WRITE, anon = MAP_PRIVATE | MAP_ANONYMOUS;
	char *p = mmap(0, 64 * PAGE, rw, anon, -1, 0);

	CHECK(p != MAP_FAILED && (uintptr_t)p % PAGE == 0);
	CHECK((uintptr_t)p >= UMMAP_BASE && (uintptr_t)p + 64 * PAGE <= UMMAP_END);
	for (int i = 0; i < 64; i++) {
		CHECK(p[i * PAGE] == 0);
		memset(p + i * PAGE, i + 1, PAGE);
	}
	CHECK(munmap(p + 16 * PAGE, 16 * PAGE) == 0);
	for (int i = 0; i < 64; i++)
		if (i < 16 || i >= 32)
			CHECK(p[i * PAGE] == i + 1 && p[i * PAGE + PAGE - 1] == i + 1);
	CHECK(WIFSIGNALED(touch_in_child(p + 20 * PAGE)));
	char *q = mmap(p + 8 * PAGE, 16 * PAGE, rw, anon | MAP_FIXED, -1, 0);
	CHECK(q == p + 8 * PAGE);
	for (int i = 8; i < 24; i++)
		CHECK(p[i * PAGE] == 0); /* replaced by fresh zero pages */
	CHECK(p[7 * PAGE] == 8 && p[32 * PAGE] == 33);
	char *r = mmap(0, 5000, PROT_READ, anon, -1, 0); /* length rounds up to pages */
	CHECK(r != MAP_FAILED && r[4999] == 0 && r[8191] == 0);
	int st = touch_in_child(r);
	CHECK(WIFSIGNALED(st) && WTERMSIG(st) == 11); /* read-only mapping */
	CHECK(munmap(r, 2 * PAGE) == 0);
	CHECK(munmap(p, 64 * PAGE) == 0);
	st = touch_in_child(p);
	CHECK(WIFSIGNALED(st) && WTERMSIG(st) == 11);
	return true;
}

/* Sequential touches are served by fewer faults than pages (fault-around). */
static bool fault_around(void)
{
	struct mem_vs_stats a, b;
	const size_t n = 256;
	volatile char *p =
	    mmap(0, n * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	CHECK(p != MAP_FAILED);
	CHECK(strata_vs_stats(0, &a) == 0);
	for (size_t i = 0; i < n; i++)
		p[i * PAGE] = 1;
	CHECK(strata_vs_stats(0, &b) == 0);
	CHECK(b.resident - a.resident >= n);
	CHECK(b.faults - a.faults < n / 2);
	CHECK(munmap((void *)p, n * PAGE) == 0);
	return true;
}

/*
 * MAP_SHARED | MAP_ANONYMOUS: parent and child see each other's writes
 * after fork, also to pages neither had touched before it; a private
 * mapping beside it stays copy-on-write; a child's munmap or exit leaves
 * the parent's pages alone; MAP_FIXED over part of it and munmap of the
 * rest give everything back (the runner counts the pages).
 */
static bool mmap_shared(void)
{
	const int rw = PROT_READ | PROT_WRITE;
	volatile uint64_t *s = mmap(0, 8 * PAGE, rw, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	volatile uint64_t *p = mmap(0, PAGE, rw, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	int st;

	CHECK(s != MAP_FAILED && p != MAP_FAILED);
	CHECK(s[0] == 0);
	s[0] = 1; /* touched before the fork */
	p[0] = 1;
	pid_t pid = fork();
	if (pid == 0) {
		bool ok = s[0] == 1 && s[3 * PAGE / 8] == 0;
		s[0] = 2;	     /* a page both had */
		s[3 * PAGE / 8] = 3; /* a page nobody had */
		p[0] = 9;	     /* private: the parent keeps its 1 */
		while (s[5 * PAGE / 8] !=
		       4) /* the parent's answer, through a page made after the fork */
			usleep(1000);
		munmap((void *)s, 8 * PAGE); /* the parent's pages stay */
		_exit(ok ? 0 : 1);
	}
	CHECK(pid > 0);
	while (s[3 * PAGE / 8] != 3)
		usleep(1000);
	CHECK(s[0] == 2 && p[0] == 1);
	s[5 * PAGE / 8] = 4;
	CHECK(waitpid(pid, &st, 0) == pid && WIFEXITED(st) && WEXITSTATUS(st) == 0);
	CHECK(s[0] == 2 && s[3 * PAGE / 8] == 3 && s[5 * PAGE / 8] == 4);
	/* Private over part of it, then all of it gone. */
	CHECK(mmap((void *)(s + PAGE / 8), PAGE, rw, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1,
		   0) == (void *)(s + PAGE / 8));
	CHECK(s[PAGE / 8] == 0 && s[0] == 2);
	CHECK(munmap((void *)s, 8 * PAGE) == 0 && munmap((void *)p, PAGE) == 0);
	return true;
}

/* A child that touches p (a write if write): its signal, 0 if it got through. */
static int touch_signal(volatile char *p, bool write)
{
	int st;
	pid_t pid = fork();

	if (pid == 0) {
		if (write)
			*p = 7;
		_exit(*p == 7 || !write ? 0 : 1);
	}
	if (pid < 0 || waitpid(pid, &st, 0) != pid)
		return -1;
	return WIFSIGNALED(st) ? WTERMSIG(st) : WEXITSTATUS(st) ? -2 : 0;
}

/*
 * mprotect: the middle of a mapping made read-only, then none, then
 * read-write again keeps its bytes; each right taken away faults (in a
 * child); pages shared copy-on-write after fork stay so when write comes
 * back; a read-only shared-memory descriptor's mapping cannot get W; and
 * what mprotect refuses.
 */
static bool mprotect_rights(void)
{
	const int rw = PROT_READ | PROT_WRITE;
	volatile char *p = mmap(0, 4 * PAGE, rw, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	CHECK(p != MAP_FAILED);
	memset((void *)p, 5, 4 * PAGE);
	CHECK(mprotect((void *)(p + PAGE), 2 * PAGE, PROT_READ) == 0);
	CHECK(touch_signal(p + PAGE, true) == SIGSEGV && touch_signal(p + PAGE, false) == 0);
	CHECK(touch_signal(p, true) == 0 && touch_signal(p + 3 * PAGE, true) == 0); /* the ends */
	CHECK(mprotect((void *)(p + PAGE), PAGE, PROT_NONE) == 0);
	CHECK(touch_signal(p + PAGE, false) == SIGSEGV && touch_signal(p + 2 * PAGE, false) == 0);
	CHECK(mprotect((void *)p, 4 * PAGE, rw) == 0); /* over the three pieces at once */
	CHECK(p[PAGE] == 5 && p[2 * PAGE] == 5);       /* contents kept through PROT_NONE */
	p[PAGE] = 6;
	/* Copy-on-write survives: after fork, write comes back to the parent's pages. */
	pid_t pid = fork();
	if (pid == 0) {
		for (int i = 0; i < 100 && p[0] == 5; i++)
			usleep(1000);
		_exit(p[0] == 5 && p[PAGE] == 6 ? 0 : 1); /* the parent's write below is not ours */
	}
	CHECK(pid > 0);
	CHECK(mprotect((void *)p, 4 * PAGE, PROT_READ) == 0 &&
	      mprotect((void *)p, 4 * PAGE, rw) == 0);
	p[0] = 9;
	int st;
	CHECK(waitpid(pid, &st, 0) == pid && WIFEXITED(st) && WEXITSTATUS(st) == 0);
	/* Refused. */
	errno = 0;
	CHECK(mprotect((void *)(p + 1), PAGE, PROT_READ) == -1 && errno == EINVAL);
	CHECK(mprotect((void *)p, PAGE, PROT_WRITE | PROT_EXEC) == -1 && errno == EINVAL);
	CHECK(mprotect((void *)p, PAGE, 8) == -1 && errno == EINVAL);
	CHECK(mprotect((void *)p, 8 * PAGE, PROT_READ) == -1 && errno == ENOMEM); /* beyond */
	CHECK(mprotect((void *)p, 0, PROT_READ) == -1 && errno == EINVAL);
	CHECK(mprotect(sbrk(0), PAGE, PROT_READ) == -1 && errno == ENOMEM); /* the heap */
	char name[32];
	snprintf(name, sizeof(name), "/mprot-%d", getpid());
	int fd = shm_open(name, O_RDWR | O_CREAT | O_EXCL, 0600);
	CHECK(fd >= 0 && ftruncate(fd, PAGE) == 0);
	int ro = shm_open(name, O_RDONLY, 0);
	void *r = ro >= 0 ? mmap(0, PAGE, PROT_READ, MAP_SHARED, ro, 0) : MAP_FAILED;
	CHECK(r != MAP_FAILED);
	CHECK(mprotect(r, PAGE, rw) == -1 && errno == EACCES);
	CHECK(munmap(r, PAGE) == 0 && close(ro) == 0 && close(fd) == 0 && shm_unlink(name) == 0);
	CHECK(munmap((void *)p, 4 * PAGE) == 0);
	return true;
}

/*
 * Several processes at once on one shared page (on every hart the boot
 * has): each adds to a common counter with atomic adds and counts in a
 * slot of its own; every add and every count is there at the end (the
 * page is one page, not copies).
 */
static bool mmap_shared_coherent(void)
{
	enum { KIDS = 3, ADDS = 20000 };
	volatile uint64_t *s =
	    mmap(0, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	pid_t pid[KIDS];
	int st;

	CHECK(s != MAP_FAILED);
	for (int k = 0; k < KIDS; k++) {
		pid[k] = fork();
		if (pid[k] == 0) {
			for (int i = 0; i < ADDS; i++) {
				__atomic_fetch_add(&s[0], 1, __ATOMIC_SEQ_CST);
				s[1 + k] = (uint64_t)i + 1;
			}
			_exit(0);
		}
		CHECK(pid[k] > 0);
	}
	for (int k = 0; k < KIDS; k++)
		CHECK(waitpid(pid[k], &st, 0) == pid[k] && WIFEXITED(st) && WEXITSTATUS(st) == 0);
	CHECK(s[0] == (uint64_t)KIDS * ADDS);
	for (int k = 0; k < KIDS; k++)
		CHECK(s[1 + k] == ADDS);
	CHECK(munmap((void *)s, PAGE) == 0);
	return true;
}

/*
 * POSIX shared memory: an object made with shm_open and sized with
 * ftruncate is seen by an unrelated process (spawned, it opens the same
 * name) and by a forked child; shrinking it makes the cut pages SIGBUS;
 * names are checked; unlinked and unmapped, it is gone (the runner counts
 * the pages).
 */
static bool shm_objects(void)
{
	const int rw = PROT_READ | PROT_WRITE;
	char name[32];
	struct stat st;
	int st_child;

	snprintf(name, sizeof(name), "/systest-%d", getpid());
	int fd = shm_open(name, O_RDWR | O_CREAT | O_EXCL, 0600);
	CHECK(fd >= 0);
	CHECK(shm_open(name, O_RDWR | O_CREAT | O_EXCL, 0600) == -1 && errno == EEXIST);
	CHECK(fstat(fd, &st) == 0 && st.st_size == 0);
	CHECK(ftruncate(fd, 3 * PAGE) == 0 && fstat(fd, &st) == 0 && st.st_size == 3 * PAGE);
	volatile uint64_t *w = mmap(0, 4 * PAGE, rw, MAP_SHARED, fd, 0);
	CHECK(w != MAP_FAILED);
	CHECK(w[0] == 0 && w[2 * PAGE / 8] == 0);
	w[0] = 0x5157;
	char *argv[] = {"systest", "shm-peer", name, 0};
	CHECK(run_child(argv, 0) == 0);
	CHECK(w[1] == 0x7515); /* written by the other process, through its own mapping */
	pid_t pid = fork();
	if (pid == 0) {
		w[2] = 3;			     /* the child's mapping is the same object */
		_exit(w[3 * PAGE / 8] == 0 ? 0 : 1); /* page 3 is beyond the object: SIGBUS */
	}
	CHECK(pid > 0 && waitpid(pid, &st_child, 0) == pid);
	CHECK(WIFSIGNALED(st_child) && WTERMSIG(st_child) == SIGBUS && w[2] == 3);
	/* Shrinking cuts page 2 out of this space too. */
	w[2 * PAGE / 8] = 9;
	CHECK(ftruncate(fd, PAGE) == 0);
	pid = fork();
	if (pid == 0)
		_exit(w[2 * PAGE / 8] == 9 ? 0 : 1);
	CHECK(pid > 0 && waitpid(pid, &st_child, 0) == pid);
	CHECK(WIFSIGNALED(st_child) && WTERMSIG(st_child) == SIGBUS);
	CHECK(w[0] == 0x5157);
	/* A second mapping of the same object shows the same page. */
	volatile uint64_t *w2 = mmap(0, PAGE, PROT_READ, MAP_SHARED, fd, 0);
	CHECK(w2 != MAP_FAILED && w2[1] == 0x7515);
	CHECK(mmap(0, PAGE, rw, MAP_PRIVATE, fd, 0) == MAP_FAILED && errno == ENOTSUP);
	int ro = shm_open(name, O_RDONLY, 0);
	CHECK(ro >= 0);
	CHECK(mmap(0, PAGE, rw, MAP_SHARED, ro, 0) == MAP_FAILED && errno == EACCES);
	CHECK(ftruncate(ro, 0) == -1 && errno == EINVAL);
	CHECK(close(ro) == 0 && close(ro) == -1 && errno == EBADF);
	/* Names. */
	CHECK(shm_open("noslash", O_RDWR | O_CREAT, 0600) == -1 && errno == EINVAL);
	CHECK(shm_open("/a/b", O_RDWR | O_CREAT, 0600) == -1 && errno == EINVAL);
	CHECK(shm_open("/0123456789012345678901234567890123", O_RDWR | O_CREAT, 0) == -1 &&
	      errno == ENAMETOOLONG);
	CHECK(shm_open("/systest-none", O_RDWR, 0) == -1 && errno == ENOENT);
	CHECK(shm_unlink(name) == 0);
	CHECK(shm_unlink(name) == -1 && errno == ENOENT);
	CHECK(shm_open(name, O_RDWR, 0) == -1 && errno == ENOENT);
	CHECK(w[1] == 0x7515); /* unlinked, still mapped: still there */
	CHECK(munmap((void *)w, 4 * PAGE) == 0 && munmap((void *)w2, PAGE) == 0);
	CHECK(close(fd) == 0);
	return true;
}

/* shmring: two processes exchange 300 messages through a shared-memory ring, every byte checked. */
static bool shmring_messages(void)
{
	char *argv[] = {"shmring", "300", 0};
	CHECK(run_child(argv, 0) == 0);
	return true;
}

/* A process over its commit limit gets ENOMEM from malloc; the system goes on. */
static bool quota_enomem(void)
{
	char *argv[] = {"systest", "alloc-over", 0};
	CHECK(run_child(argv, 2048) == 0);
	return true;
}

/* Running into the stack's guard page is a segmentation fault, not corruption. */
static bool stack_guard(void)
{
	char *argv[] = {"systest", "stack-overflow", 0};
	int st = run_child(argv, 0);
	CHECK(st != -1 && WIFSIGNALED(st) && WTERMSIG(st) == 11);
	return true;
}

/*
 * A process that takes nearly all mem can give brings memory low: mem
 * reports it (pressure flag, event count, a console line) and clears the
 * flag once the memory is back.
 */
static bool pressure(void)
{
	struct mem_stats s0, s1;
	char n[24];
	char *argv[] = {"systest", "hold", n, 0};

	CHECK(strata_mem_stats(&s0) == 0 && !s0.pressure);
	/*
	 * Room for the helper's program, stack and malloc's headers besides the
	 * blocks; of what RAM holds (swap would take the rest, slowly).
	 */
	unsigned long room = s0.commit_limit - s0.swap_total - s0.committed,
		      mib = (room - 320) / 258;
	snprintf(n, sizeof(n), "%lu", mib);
	CHECK(run_child(argv, room) == 0);
	for (int i = 0; i < 200 && strata_mem_stats(&s1) == 0 && s1.pressure; i++)
		usleep(10000);
	CHECK(s1.pressure_events > s0.pressure_events && !s1.pressure);
	return true;
}

/* ---- Strata's allocator (lib/alloc, lib/libc/malloc.c) */

struct mblock {
	unsigned char *p;
	size_t n, align;
	unsigned id;
	bool zero; /* from calloc, not written since */
};

static unsigned char pat(unsigned id, size_t i)
{
	return (unsigned char)(id * 131 + i * 7 + (i >> 8) + 1);
}

static void mfill(struct mblock *b)
{
	for (size_t i = 0; i < b->n; i++)
		b->p[i] = pat(b->id, i);
	b->zero = false;
}

/* The first n bytes of b are as written (or zero). */
static bool mintact(const struct mblock *b, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (b->p[i] != (b->zero ? 0 : pat(b->id, i)))
			return false;
	return true;
}

static bool mblock_ok(const struct mblock *b)
{
	size_t al = b->align > 16 ? b->align : 16;
	return mintact(b, b->n) && (uintptr_t)b->p % al == 0 && malloc_usable_size(b->p) >= b->n;
}

static size_t msize(void)
{
	unsigned r = (unsigned)(next() % 1000);
	if (r < 700)
		return next() % 257;
	if (r < 900)
		return 257 + next() % 16128;
	if (r < 990)
		return 16385 + next() % 120000;
	return 131072 + next() % 500000;
}

/*
 * A random workload of malloc, calloc, realloc, memalign and free with
 * every block's bytes checked before it is freed or resized (and calloc's
 * zeros), then everything freed: the heap and the mappings go back to mem.
 */
static bool malloc_model(void)
{
	enum { SLOTS = 400, OPS = 20000 };
	static struct mblock m[SLOTS];
	struct mem_vs_stats v0, v1;
	unsigned id = 1;

	free(malloc(1)); /* the allocator's first span is not the test's */
	CHECK(strata_vs_stats(0, &v0) == 0);
	for (int op = 0; op < OPS; op++) {
		struct mblock *b = &m[next() % SLOTS];
		unsigned what = (unsigned)(next() % 10);
		if (!b->p) {
			size_t n = msize();
			b->align = 0;
			b->zero = false;
			if (what < 5) {
				b->p = malloc(n);
			} else if (what < 7) {
				size_t k = 1 + n % 7;
				n = n / k * k;
				b->p = calloc(k, n / k);
				b->zero = true;
			} else if (what < 9) {
				b->align = (size_t)1 << (next() % 17);
				CHECK(posix_memalign((void **)&b->p, b->align < 8 ? 8 : b->align,
						     n) == 0);
				b->align = b->align < 8 ? 8 : b->align;
			} else {
				b->p = realloc(NULL, n);
			}
			CHECK(b->p != NULL);
			b->n = n;
			b->id = id++;
			if (!b->zero)
				mfill(b);
			CHECK(mblock_ok(b));
		} else if (what < 5) {
			CHECK(mblock_ok(b));
			free(b->p);
			b->p = NULL;
		} else {
			size_t n = next() % 4 ? msize() : b->n + next() % 300;
			CHECK(mblock_ok(b));
			unsigned char *q = realloc(b->p, n);
			if (n == 0) {
				CHECK(q == NULL);
				b->p = NULL;
				continue;
			}
			CHECK(q != NULL);
			b->p = q;
			CHECK(mintact(b, n < b->n ? n : b->n));
			b->n = n;
			b->id = id++;
			b->align = 0;
			mfill(b);
		}
	}
	for (int i = 0; i < SLOTS; i++) {
		if (!m[i].p)
			continue;
		CHECK(mblock_ok(&m[i]));
		free(m[i].p);
		m[i].p = NULL;
	}
	/*
	 * All freed: what mem still counts is what may stay free at the heap's
	 * top uncut (less than 256 KiB: lib/alloc's TRIM_PAGES, 64) and an
	 * empty span or two (16 pages at most each). malloc_trim gives all back.
	 */
	CHECK(strata_vs_stats(0, &v1) == 0);
	if (v1.committed >= v0.committed + 64 + 2 * 16) {
		printf("    committed %lu pages before, %lu after\n", (unsigned long)v0.committed,
		       (unsigned long)v1.committed);
		return false;
	}
	malloc_trim(0);
	CHECK(strata_vs_stats(0, &v1) == 0 && v1.committed <= v0.committed);
	/* The errors: ENOMEM, and NULL for sizes past any that could be had. */
	volatile size_t huge = SIZE_MAX; /* volatile: the compiler refuses such sizes it can see */
	errno = 0;
	CHECK(malloc(huge) == NULL && errno == ENOMEM);
	errno = 0;
	CHECK(calloc(huge / 2, 3) == NULL && errno == ENOMEM);
	void *p;
	CHECK(posix_memalign(&p, 24, 10) == EINVAL && aligned_alloc(3, 10) == NULL);
	return true;
}

/* A double free stops the program with a message, rather than corrupting the heap. */
static bool malloc_double_free(void)
{
	char *argv[] = {"systest", "double-free", 0};
	int st = run_child(argv, 0);

	CHECK(st != -1 && st != 0);
	return true;
}

/* Free buddy blocks of order 8 (1 MiB, mem's smallest full chunk) and above, in pages. */
static uint64_t big_free(const struct mem_stats *s)
{
	uint64_t n = 0;

	for (unsigned o = 8; o < MEM_ORDERS; o++)
		n += s->free_blocks[o] << o;
	return n;
}

/*
 * Compaction: a region spread over many chunks, then all but one page in
 * every 256 let go, leaves chunks mostly empty that mem cannot give back;
 * MEM_COMPACT moves the survivors down and gives the chunks back (the
 * kernel's big blocks come back), and the survivors keep their bytes.
 */
static bool mem_compaction(void)
{
	const uint64_t n = 4096, stride = 256;
	char *m = mmap(0, n * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CHECK(m != MAP_FAILED);
	for (uint64_t i = 0; i < n; i++)
		m[i * PAGE + 1] = (char)(i * 7 + 1);
	for (uint64_t i = 0; i < n; i += stride) /* keep page i, free the others up to the next */
		CHECK(munmap(m + (i + 1) * PAGE, (stride - 1) * PAGE) == 0);
	struct mem_stats s1, s2;
	CHECK(strata_mem_stats(&s1) == 0);
	uint64_t chunks = 0;
	CHECK(strata_mem_compact(&chunks) == 0);
	CHECK(strata_mem_stats(&s2) == 0);
	printf("    %lu chunks given back: mem holds %lu pages, was %lu; free in blocks of 1 MiB "
	       "and up %lu pages, was %lu\n",
	       (unsigned long)chunks, (unsigned long)s2.pool_pages, (unsigned long)s1.pool_pages,
	       (unsigned long)big_free(&s2), (unsigned long)big_free(&s1));
	CHECK(chunks >= 4);
	CHECK(s2.pool_pages < s1.pool_pages);
	CHECK(big_free(&s2) > big_free(&s1));
	CHECK(s2.compactions == s1.compactions + 1 && s2.compacted >= s1.compacted + chunks);
	for (uint64_t i = 0; i < n; i += stride)
		CHECK(m[i * PAGE + 1] == (char)(i * 7 + 1));
	for (uint64_t i = 0; i < n; i += stride)
		CHECK(munmap(m + i * PAGE, PAGE) == 0);
	return true;
}

/* The kernel's idle time (mem_stats.idle_ns, from SYS_KERNEL_STATS) grows while this one sleeps. */
static bool idle_time_counts(void)
{
	struct mem_stats s0, s1;
	CHECK(strata_mem_stats(&s0) == 0);
	usleep(50000);
	CHECK(strata_mem_stats(&s1) == 0);
	CHECK(s1.idle_ns > s0.idle_ns);
	return true;
}

const struct systest mem_tests[] = {
    {"mem_compaction", mem_compaction},
    {"idle_time_counts", idle_time_counts},
    {"malloc_stress", malloc_stress},
    {"malloc_model", malloc_model},
    {"malloc_double_free", malloc_double_free},
    {"brk_edges", brk_edges},
    {"mmap_edges", mmap_edges},
    {"mmap_use", mmap_use},
    {"mmap_shared", mmap_shared},
    {"mprotect_rights", mprotect_rights},
    {"mmap_shared_coherent", mmap_shared_coherent},
    {"shm_objects", shm_objects},
    {"shmring_messages", shmring_messages},
    {"fault_around", fault_around},
    {"quota_enomem", quota_enomem},
    {"stack_guard", stack_guard},
    {"pressure", pressure},
    {0, 0},
};
