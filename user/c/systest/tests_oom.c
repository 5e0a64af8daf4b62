/*
 * The OOM killer: with `overcommit=1` mem promises beyond RAM + swap, and
 * when a fault finds neither a page nor a slot proc ends a process, chosen
 * by resident + swapped pages and its OOM adjustment, never one set to
 * -1000 nor one serving others (a name under /srv). check.sh runs these as
 * `systest --oom` on a boot with `overcommit=1`, 64 MiB and the disk's swap,
 * and looks for the console's "Out of memory: killed" lines.
 *
 * Each test starts holders (children that fill their memory, say so on a
 * pipe, and wait until their pipe closes, then check every page and exit 0
 * if all are intact) and one grower that asks for more than there is; the
 * victim ends with SIGKILL, and everyone else finds its memory intact.
 */
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lib/libc/strata.h"
#include "lib/user/syscall.h"
#include "user/c/systest/systest.h"

#define PAGE  4096
#define WORDS (PAGE / sizeof(uint64_t))

static struct mem_stats stats(void)
{
	struct mem_stats s = {0};

	strata_mem_stats(&s);
	return s;
}

/* Everything mem can give: RAM it holds plus swap (the commit limit). */
static uint64_t everything(void)
{
	return stats().commit_limit;
}

static uint64_t word_of(uint64_t i, uint64_t salt)
{
	return (i * 0x9e3779b97f4a7c15ull) ^ salt;
}

/* Map n pages and write a word of each; NULL if the mapping is refused. */
static uint64_t *fill(uint64_t n, uint64_t salt)
{
	uint64_t *m = mmap(0, n * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (m == MAP_FAILED)
		return 0;
	for (uint64_t i = 0; i < n; i++)
		m[i * WORDS + i % WORDS] = word_of(i, salt);
	return m;
}

static bool intact(const uint64_t *m, uint64_t n, uint64_t salt)
{
	for (uint64_t i = 0; i < n; i++)
		if (m[i * WORDS + i % WORDS] != word_of(i, salt)) {
			printf("    page %lu of %lu lost its word: %#lx, not %#lx\n",
			       (unsigned long)i, (unsigned long)n,
			       (unsigned long)m[i * WORDS + i % WORDS],
			       (unsigned long)word_of(i, salt));
			return false;
		}
	return true;
}

enum holder_kind { PLAIN, PUBLISHES };

struct holder {
	int pid;
	int ready, release; /* the parent's ends: read "filled", close to let it check and end */
};

/*
 * The parent's ends of every holder's pipes: a child closes them, or a
 * later holder would keep an earlier one's pipe open after its release.
 */
static int parent_ends[8], nends;

static void close_parent_ends(void)
{
	for (int i = 0; i < nends; i++)
		if (parent_ends[i] >= 0)
			close(parent_ends[i]);
}

static void forget_parent_ends(const struct holder *h)
{
	for (int i = 0; i < nends; i++)
		if (parent_ends[i] == h->ready || parent_ends[i] == h->release)
			parent_ends[i] = -1;
}

/* A child that fills n pages (and publishes a name if asked), says so, and waits for release. */
static bool hold(struct holder *h, uint64_t n, enum holder_kind kind, uint64_t salt)
{
	int up[2], down[2];

	if (pipe(up) != 0 || pipe(down) != 0)
		return false;
	h->pid = fork();
	if (h->pid < 0)
		return false;
	if (h->pid == 0) {
		close(up[0]);
		close(down[1]);
		close_parent_ends();
		char name[32];
		handle_t ep;
		snprintf(name, sizeof(name), "oom-holder-%d", getpid());
		if (kind == PUBLISHES &&
		    (sys_endpoint_create(&ep) != 0 || strata_srv_publish(name, ep) != 0))
			_exit(3);
		uint64_t *m = fill(n, salt);
		char c = 'r';
		if (!m || write(up[1], &c, 1) != 1)
			_exit(2);
		while (read(down[0], &c, 1) > 0)
			;
		_exit(intact(m, n, salt) ? 0 : 1);
	}
	close(up[1]);
	close(down[0]);
	h->ready = up[0];
	h->release = down[1];
	parent_ends[nends++] = h->ready;
	parent_ends[nends++] = h->release;
	char c;
	return read(h->ready, &c, 1) == 1;
}

/* Release h and return its wait status. */
static int release(struct holder *h)
{
	int st = -1;

	forget_parent_ends(h);
	close(h->release);
	close(h->ready);
	if (waitpid(h->pid, &st, 0) != h->pid)
		return -1;
	return st;
}

/* A child that fills n pages and exits 0 if they are all intact: its wait status. */
static int grow(uint64_t n, uint64_t salt)
{
	int pid = fork(), st = -1;

	if (pid < 0)
		return -1;
	if (pid == 0) {
		close_parent_ends();
		uint64_t *m = fill(n, salt);
		_exit(m && intact(m, n, salt) ? 0 : 1);
	}
	if (waitpid(pid, &st, 0) != pid)
		return -1;
	return st;
}

static bool killed(int st)
{
	if (WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL)
		return true;
	printf("    wait status %#x, not killed by SIGKILL\n", st);
	return false;
}

static bool exited_ok(int st)
{
	if (WIFEXITED(st) && WEXITSTATUS(st) == 0)
		return true;
	printf("    wait status %#x, not exit 0\n", st);
	return false;
}

/* Overcommitted, a promise beyond what mem can give is made, and so is a fork of it. */
static bool t_oom_overcommit(void)
{
	struct mem_stats s = stats();
	CHECK(s.overcommit == 1);
	uint64_t n = s.commit_limit - s.committed + 1; /* strict commit refuses this */
	uint64_t *m = mmap(0, n * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CHECK(m != MAP_FAILED);
	CHECK(stats().committed > stats().commit_limit);
	m[0] = 1;
	int pid = fork();
	CHECK(pid >= 0);
	if (pid == 0)
		_exit(m[0] == 1 ? 0 : 1);
	int st;
	CHECK(waitpid(pid, &st, 0) == pid && exited_ok(st));
	CHECK(munmap(m, n * PAGE) == 0);
	return true;
}

/* A grower that asks for more than there is is the biggest: it dies, the holder lives. */
static bool t_oom_kills_biggest(void)
{
	uint64_t all = everything();
	struct holder h;
	CHECK(hold(&h, all / 4, PLAIN, 1));
	CHECK(killed(grow(7 * all / 8, 2)));
	CHECK(exited_ok(release(&h)));
	CHECK(exited_ok(grow(all / 2, 3))); /* the system goes on, and memory came back */
	return true;
}

/* A smaller holder weighed up (oom_adj 1000) dies first, and the grower completes. */
static bool t_oom_adj_chooses(void)
{
	uint64_t all = everything();
	struct holder h;
	CHECK(hold(&h, all / 4, PLAIN, 4));
	int before = 5, set = PROC_OOM_ADJ_MAX;
	CHECK(strata_oom_adj(h.pid, &set, &before) == 0 && before == 0);
	CHECK(strata_oom_adj(h.pid, NULL, &before) == 0 && before == PROC_OOM_ADJ_MAX);
	CHECK(exited_ok(grow(7 * all / 8, 5)));
	CHECK(killed(release(&h)));
	return true;
}

/*
 * Bigger holders that may not be chosen (oom_adj -1000; a name under /srv)
 * outlive the smaller grower.
 */
static bool t_oom_spares_protected(void)
{
	uint64_t all = everything();
	struct holder a, b;
	int set = PROC_OOM_ADJ_MIN;
	CHECK(hold(&a, 3 * all / 8, PLAIN, 6));
	CHECK(strata_oom_adj(a.pid, &set, NULL) == 0);
	CHECK(hold(&b, 3 * all / 8, PUBLISHES, 7));
	CHECK(killed(grow(all / 2, 8)));
	CHECK(exited_ok(release(&a)));
	CHECK(exited_ok(release(&b)));
	return true;
}

/* PROC_OOM_ADJ's misuse: out of range, no such process, root's "itself". */
static bool t_oom_adj_misuse(void)
{
	int v = PROC_OOM_ADJ_MAX + 1, before;
	errno = 0;
	CHECK(strata_oom_adj(0, &v, NULL) == -1 && errno == EINVAL);
	v = PROC_OOM_ADJ_MIN - 1;
	CHECK(strata_oom_adj(0, &v, NULL) == -1 && errno == EINVAL);
	CHECK(strata_oom_adj(0, NULL, &before) == 0 && before == 0);
	CHECK(strata_oom_adj(-1, NULL, &before) == -1 && errno == ESRCH);
	CHECK(strata_oom_adj(1 << 30, NULL, &before) == -1 && errno == ESRCH);
	v = -7;
	CHECK(strata_oom_adj(0, &v, NULL) == 0);
	int pid = fork(); /* a child starts with its parent's value */
	CHECK(pid >= 0);
	if (pid == 0)
		_exit(strata_oom_adj(0, NULL, &before) == 0 && before == -7 ? 0 : 1);
	int st;
	CHECK(waitpid(pid, &st, 0) == pid && exited_ok(st));
	struct proc_info info;
	CHECK(strata_proc_find(getpid(), &info) == 0 && info.oom_adj == -7);
	return true;
}

const struct systest oom_tests[] = {
    {"oom_overcommit", t_oom_overcommit},
    {"oom_kills_biggest", t_oom_kills_biggest},
    {"oom_adj_chooses", t_oom_adj_chooses},
    {"oom_spares_protected", t_oom_spares_protected},
    {0, 0},
};

/* Runs in every boot (no overcommit needed). */
const struct systest oom_adj_tests[] = {
    {"oom_adj_misuse", t_oom_adj_misuse},
    {0, 0},
};
