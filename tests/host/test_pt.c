/*
 * Host tests for mm/pt.c. Physical memory is simulated: a host buffer stands
 * for [SIM_BASE, SIM_BASE + SIM_SIZE) and physmap_offset points the direct
 * map at it. Page-table pages come from a test pool that counts live pages
 * (so tests can see that unmap freed tables and failed calls leaked nothing),
 * refuses frees it did not hand out, and can fail after N allocations.
 * Mapped leaf addresses are never dereferenced, so they need no backing.
 */
#include "tests/host/check.h"

#include <stdint.h>
#include <string.h>

#include "lib/error.h"
#include "mm/physmap.h"
#include "mm/pt.h"

#define SIM_BASE  0x80000000ull
#define SIM_SIZE  (16ull << 20)
#define SIM_PAGES (SIM_SIZE / PAGE_SIZE)

static uint8_t *sim_mem;

struct tpool {
	paddr_t stack[SIM_PAGES];
	size_t nfree;
	uint8_t live_map[SIM_PAGES];
	size_t live;
	long fail_after; /* allocations left before ERR_NOMEM; -1: never fail */
	size_t bad_frees;
};

static struct tpool pool;

static int tp_alloc(void *ctx, paddr_t *pa)
{
	struct tpool *p = ctx;
	size_t i;

	if (p->fail_after == 0 || p->nfree == 0)
		return ERR_NOMEM;
	if (p->fail_after > 0)
		p->fail_after--;
	*pa = p->stack[--p->nfree];
	i = (*pa - SIM_BASE) / PAGE_SIZE;
	p->live_map[i] = 1;
	p->live++;
	memset(pa_to_kva(*pa), 0, PAGE_SIZE);
	return ERR_OK;
}

static void tp_free(void *ctx, paddr_t pa)
{
	struct tpool *p = ctx;
	size_t i = (pa - SIM_BASE) / PAGE_SIZE;

	if (pa < SIM_BASE || pa >= SIM_BASE + SIM_SIZE || (pa & PAGE_MASK) || !p->live_map[i]) {
		p->bad_frees++;
		return;
	}
	/* Junk-fill so a use after free of a table shows up as garbage. */
	memset(pa_to_kva(pa), 0xa5, PAGE_SIZE);
	p->live_map[i] = 0;
	p->live--;
	p->stack[p->nfree++] = pa;
}

static const struct pt_alloc talloc = {tp_alloc, tp_free, &pool};

/* Fresh pool and a fresh root table; pool.live is 1 afterwards (the root). */
static paddr_t setup(void)
{
	paddr_t root;

	memset(sim_mem, 0x5a, SIM_SIZE);
	pool.nfree = 0;
	pool.live = 0;
	pool.bad_frees = 0;
	pool.fail_after = -1;
	memset(pool.live_map, 0, sizeof(pool.live_map));
	for (size_t i = SIM_PAGES; i-- > 0;)
		pool.stack[pool.nfree++] = SIM_BASE + i * PAGE_SIZE;
	if (tp_alloc(&pool, &root) != ERR_OK)
		abort();
	return root;
}

static pte_t *table_of(paddr_t pa)
{
	return pa_to_kva(pa);
}

static unsigned vpn(vaddr_t va, int level)
{
	return (va >> (12 + 9 * level)) & 511;
}

#define F_R  PTE_R
#define F_RW (PTE_R | PTE_W)
#define F_RX (PTE_R | PTE_X)

static const size_t sizes[3] = {PAGE_4K, PAGE_2M, PAGE_1G};

/* ------------------------------------------------------------------ tests */

static void test_canonical(void)
{
	CHECK(pt_va_canonical(0));
	CHECK(pt_va_canonical(0x3fffffffffull));
	CHECK(!pt_va_canonical(0x4000000000ull));
	CHECK(!pt_va_canonical(0x7fffffffffull));
	CHECK(!pt_va_canonical(0x8000000000ull));
	CHECK(!pt_va_canonical(0xffffffbfffffffffull));
	CHECK(pt_va_canonical(0xffffffc000000000ull));
	CHECK(pt_va_canonical(0xffffffffffffffffull));
	CHECK(!pt_va_canonical(0x8000000000000000ull));
	CHECK(!pt_va_canonical(0xffffff8000000000ull));
	CHECK(!pt_va_canonical(0x0000800000000000ull));
}

/* PTE values computed by hand from the Sv39 layout. */
static void test_pte_encoding(void)
{
	paddr_t root = setup();
	pte_t *r = table_of(root);
	struct pt_walk w;

	/* 4 KiB at 0x1000 -> 0x80201000, RW: PPN 0x80201 << 10 | R W V. */
	CHECK(pt_map(root, 0x1000, 0x80201000, PAGE_4K, PTE_R | PTE_W, &talloc) == ERR_OK);
	w = pt_walk(root, 0x1000);
	CHECK(w.mapped && w.level == 0);
	CHECK(*w.pte == 0x20080407ull);
	/* The path: root[0] -> L1, L1[0] -> L0, both pointer PTEs with only V set. */
	CHECK((r[0] & PTE_FLAGS_MASK) == PTE_V);
	pte_t *l1 = table_of(pte_pa(r[0]));
	CHECK((l1[0] & PTE_FLAGS_MASK) == PTE_V);
	pte_t *l0 = table_of(pte_pa(l1[0]));
	CHECK(&l0[1] == w.pte);
	CHECK(pool.live == 3);

	/* 2 MiB at 0xffffffff80200000 -> 0x80200000, R X G A: VPN2 510, VPN1 1. */
	CHECK(pt_map(root, 0xffffffff80200000ull, 0x80200000, PAGE_2M,
		     PTE_R | PTE_X | PTE_G | PTE_A, &talloc) == ERR_OK);
	CHECK(vpn(0xffffffff80200000ull, 2) == 510 && vpn(0xffffffff80200000ull, 1) == 1);
	l1 = table_of(pte_pa(r[510]));
	CHECK(l1[1] == 0x2008006bull);
	w = pt_walk(root, 0xffffffff80200000ull);
	CHECK(w.pte == &l1[1] && w.level == 1 && w.mapped);

	/* 1 GiB at 0xffffffc000000000 -> 0x80000000, R W A D: root[256]. */
	CHECK(pt_map(root, 0xffffffc000000000ull, 0x80000000, PAGE_1G,
		     PTE_R | PTE_W | PTE_A | PTE_D, &talloc) == ERR_OK);
	CHECK(r[256] == 0x200000c7ull);
	w = pt_walk(root, 0xffffffc000000000ull + 0x12345678);
	CHECK(w.pte == &r[256] && w.level == 2 && w.mapped);
	CHECK(w.pa == 0x80000000ull + 0x12345678);

	/* 4 KiB, U R X at the top user page -> PA 0x12345000 (PPN 0x12345). */
	CHECK(pt_map(root, 0x3ffffff000ull, 0x12345000ull, PAGE_4K, PTE_U | PTE_R | PTE_X,
		     &talloc) == ERR_OK);
	w = pt_walk(root, 0x3ffffff000ull);
	CHECK(*w.pte == ((0x12345ull << 10) | 0x1b));
	CHECK(w.pte == &table_of(pte_pa(table_of(pte_pa(r[255]))[511]))[511]);
	CHECK(pool.bad_frees == 0);
}

static void test_map_walk_unmap_all_sizes(void)
{
	static const vaddr_t vas[] = {
	    0x0ull,
	    0x40000000ull,
	    0x12345678000ull & 0x3fffffffffull,
	    0x3ffffff000ull,
	    0xffffffc000000000ull,
	    0xffffffff80200000ull,
	    0xffffffffffe00000ull,
	    0xfffffffffffff000ull,
	    0xffffffe012345000ull,
	};

	for (int l = 0; l < 3; l++) {
		size_t size = sizes[l];

		for (size_t i = 0; i < sizeof(vas) / sizeof(vas[0]); i++) {
			vaddr_t va = vas[i] & ~(vaddr_t)(size - 1);
			paddr_t pa = (0x100000000ull + i * PAGE_1G) & ~(paddr_t)(size - 1);
			paddr_t old = 0;
			paddr_t root = setup();
			struct pt_walk w;

			CHECKF(pt_map(root, va, pa, size, F_RW, &talloc) == ERR_OK,
			       "va %llx size %zx", (unsigned long long)va, size);
			CHECK(pool.live == 1 + (size_t)(2 - l));
			const size_t offs[] = {0, 8, size / 2 + 123, size - 1};
			for (int k = 0; k < 4; k++) {
				w = pt_walk(root, va + offs[k]);
				CHECK(w.mapped && w.level == l && w.pa == pa + offs[k]);
				CHECK((*w.pte & PTE_FLAGS_MASK) == (F_RW | PTE_V));
			}
			/* The pages next door are not mapped (unless va wraps to the top). */
			if (va + size != 0 && pt_va_canonical(va + size))
				CHECK(!pt_walk(root, va + size).mapped);
			if (va != 0 && pt_va_canonical(va - 1))
				CHECK(!pt_walk(root, va - 1).mapped);

			CHECK(pt_unmap(root, va, size, &talloc, &old) == ERR_OK);
			CHECK(old == pa);
			w = pt_walk(root, va);
			CHECK(!w.mapped && w.level == 2 && *w.pte == 0);
			CHECK(pool.live == 1);
			CHECK(pool.bad_frees == 0);
		}
	}
}

/* Expected result of pt_map for a flag combination, from the rules in pt.h. */
static int expected_flag_result(uint64_t f)
{
	if (!(f & PTE_RWX))
		return ERR_INVALID;
	if ((f & PTE_W) && (f & PTE_X))
		return ERR_PERM;
	if ((f & PTE_W) && !(f & PTE_R))
		return ERR_INVALID;
	return ERR_OK;
}

static void test_every_flag_combination(void)
{
	static const uint64_t bits[7] = {PTE_R, PTE_W, PTE_X, PTE_U, PTE_G, PTE_A, PTE_D};
	int nok = 0;

	for (unsigned combo = 0; combo < 128; combo++) {
		uint64_t f = 0;

		for (int b = 0; b < 7; b++)
			if (combo & (1u << b))
				f |= bits[b];
		for (int l = 0; l < 2; l++) {
			paddr_t root = setup();
			vaddr_t va = l ? 0xffffffff80200000ull : 0x3ffffff000ull;
			paddr_t pa = 0x87654000ull & ~(paddr_t)(sizes[l] - 1);
			int want = expected_flag_result(f);
			int got = pt_map(root, va, pa, sizes[l], f, &talloc);
			struct pt_walk w = pt_walk(root, va);

			CHECKF(got == want, "flags %#llx: got %s want %s", (unsigned long long)f,
			       err_name(got), err_name(want));
			if (want == ERR_OK) {
				CHECK(w.mapped && *w.pte == (((pa >> 12) << 10) | f | PTE_V));
				nok++;
			} else {
				CHECK(!w.mapped && pool.live == 1);
			}
		}
	}
	/* R or X required, W needs R, no W with X: R,X,RW,RX = 4 of the 8 RWX sets. */
	CHECK(nok == 4 * 16 * 2);

	/* Bits outside PTE_MAP_FLAGS: V, RSW, PPN bits. */
	paddr_t root = setup();
	CHECK(pt_map(root, 0, 0, PAGE_4K, F_R | PTE_V, &talloc) == ERR_INVALID);
	CHECK(pt_map(root, 0, 0, PAGE_4K, F_R | (1ull << 8), &talloc) == ERR_INVALID);
	CHECK(pt_map(root, 0, 0, PAGE_4K, F_R | (1ull << 10), &talloc) == ERR_INVALID);
	CHECK(pt_map(root, 0, 0, PAGE_4K, F_R | (1ull << 63), &talloc) == ERR_INVALID);
	CHECK(pool.live == 1);
}

static void test_bad_arguments(void)
{
	paddr_t root = setup();
	paddr_t old = 0x1234;

	/* Misaligned va or pa for each size. */
	CHECK(pt_map(root, 0x1800, 0x80000000, PAGE_4K, F_R, &talloc) == ERR_ALIGN);
	CHECK(pt_map(root, 0x1000, 0x80000800, PAGE_4K, F_R, &talloc) == ERR_ALIGN);
	CHECK(pt_map(root, 0x201000, 0x80000000, PAGE_2M, F_R, &talloc) == ERR_ALIGN);
	CHECK(pt_map(root, 0x200000, 0x80001000, PAGE_2M, F_R, &talloc) == ERR_ALIGN);
	CHECK(pt_map(root, 0x40200000, 0x80000000, PAGE_1G, F_R, &talloc) == ERR_ALIGN);
	CHECK(pt_map(root, 0x40000000, 0x80200000, PAGE_1G, F_R, &talloc) == ERR_ALIGN);
	CHECK(pt_map(root, 0xffffffff80200000ull, 0x80000000, PAGE_1G, F_R, &talloc) == ERR_ALIGN);

	/* Non-canonical va, pa beyond 56 bits. */
	CHECK(pt_map(root, 0x4000000000ull, 0x80000000, PAGE_4K, F_R, &talloc) == ERR_RANGE);
	CHECK(pt_map(root, 0xffffff8000000000ull, 0x80000000, PAGE_4K, F_R, &talloc) == ERR_RANGE);
	CHECK(pt_map(root, 0x8000000000000000ull, 0x80000000, PAGE_1G, F_R, &talloc) == ERR_RANGE);
	CHECK(pt_map(root, 0x1000, 1ull << 56, PAGE_4K, F_R, &talloc) == ERR_RANGE);

	/* Sizes that are not a Sv39 page. */
	static const size_t bad[] = {0, 1, 2048, 8192, 4u << 20, (size_t)1 << 39, 0x1001};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		CHECK(pt_map(root, 0, 0x80000000, bad[i], F_R, &talloc) == ERR_INVALID);
		CHECK(pt_unmap(root, 0, bad[i], &talloc, &old) == ERR_INVALID);
	}

	CHECK(pt_unmap(root, 0x1800, PAGE_4K, &talloc, &old) == ERR_ALIGN);
	CHECK(pt_unmap(root, 0x1000, PAGE_2M, &talloc, &old) == ERR_ALIGN);
	CHECK(pt_unmap(root, 0x4000000000ull, PAGE_4K, &talloc, &old) == ERR_RANGE);
	CHECK(pt_unmap(root, 0x1000, PAGE_4K, &talloc, &old) == ERR_NOENT);
	CHECK(old == 0x1234);

	for (unsigned i = 0; i < PT_ENTRIES; i++)
		CHECK(table_of(root)[i] == 0);
	CHECK(pool.live == 1 && pool.bad_frees == 0);
}

static void test_exists(void)
{
	paddr_t root = setup();
	struct pt_walk w;
	pte_t before;
	size_t live;

	/* 4 KiB inside an existing 2 MiB leaf, and at its start. */
	CHECK(pt_map(root, 0x200000, 0x80200000, PAGE_2M, F_RW, &talloc) == ERR_OK);
	w = pt_walk(root, 0x200000);
	before = *w.pte;
	live = pool.live;
	CHECK(pt_map(root, 0x201000, 0x90000000, PAGE_4K, F_R, &talloc) == ERR_EXISTS);
	CHECK(pt_map(root, 0x200000, 0x90000000, PAGE_4K, F_R, &talloc) == ERR_EXISTS);
	CHECK(pt_map(root, 0x200000, 0x90000000, PAGE_2M, F_R, &talloc) == ERR_EXISTS);
	/* 1 GiB over the table holding the 2 MiB leaf. */
	CHECK(pt_map(root, 0, 0x80000000, PAGE_1G, F_R, &talloc) == ERR_EXISTS);
	CHECK(*w.pte == before && pool.live == live);

	/* 2 MiB over a table holding 4 KiB leaves. */
	CHECK(pt_map(root, 0x40001000, 0x80001000, PAGE_4K, F_R, &talloc) == ERR_OK);
	live = pool.live;
	CHECK(pt_map(root, 0x40000000, 0x80000000, PAGE_2M, F_R, &talloc) == ERR_EXISTS);
	CHECK(pt_map(root, 0x40000000, 0x80000000, PAGE_1G, F_R, &talloc) == ERR_EXISTS);
	/* Same 4 KiB twice, even with the same target. */
	CHECK(pt_map(root, 0x40001000, 0x80001000, PAGE_4K, F_R, &talloc) == ERR_EXISTS);
	CHECK(pt_map(root, 0x40001000, 0x80005000, PAGE_4K, F_RW, &talloc) == ERR_EXISTS);
	w = pt_walk(root, 0x40001000);
	CHECK(w.mapped && w.pa == 0x80001000 && (*w.pte & PTE_FLAGS_MASK) == (F_R | PTE_V));
	CHECK(pool.live == live);

	/* 2 MiB and 4 KiB under a 1 GiB leaf. */
	CHECK(pt_map(root, 0xffffffc000000000ull, 0x80000000, PAGE_1G, F_RW, &talloc) == ERR_OK);
	live = pool.live;
	CHECK(pt_map(root, 0xffffffc000200000ull, 0, PAGE_2M, F_R, &talloc) == ERR_EXISTS);
	CHECK(pt_map(root, 0xffffffc000201000ull, 0, PAGE_4K, F_R, &talloc) == ERR_EXISTS);
	CHECK(pool.live == live && pool.bad_frees == 0);
}

static void test_unmap_prunes_tables(void)
{
	paddr_t root = setup();
	const vaddr_t a = 0x10000000, b = 0x10001000, c = 0x10200000, d = 0x80000000;
	pte_t *r = table_of(root);
	struct pt_walk w;

	CHECK(pt_map(root, a, 0x1000, PAGE_4K, F_R, &talloc) == ERR_OK);
	CHECK(pt_map(root, b, 0x2000, PAGE_4K, F_R, &talloc) == ERR_OK);
	CHECK(pt_map(root, c, 0x3000, PAGE_4K, F_R, &talloc) == ERR_OK);
	CHECK(pt_map(root, d, 0x4000, PAGE_4K, F_R, &talloc) == ERR_OK);
	/* root + L1(0) + L0(a,b) + L0(c) + L1(2) + L0(d) */
	CHECK(pool.live == 6);

	CHECK(pt_unmap(root, a, PAGE_4K, &talloc, NULL) == ERR_OK);
	CHECK(pool.live == 6); /* b still uses the L0 table */
	w = pt_walk(root, b);
	CHECK(w.mapped && w.pa == 0x2000);
	CHECK(pt_unmap(root, b, PAGE_4K, &talloc, NULL) == ERR_OK);
	CHECK(pool.live == 5); /* L0 gone, L1(0) kept for c */
	w = pt_walk(root, c);
	CHECK(w.mapped && w.pa == 0x3000);
	w = pt_walk(root, a);
	CHECK(!w.mapped && w.level == 1);
	CHECK(pt_unmap(root, c, PAGE_4K, &talloc, NULL) == ERR_OK);
	CHECK(pool.live == 3 && r[0] == 0);
	CHECK(pt_walk(root, d).mapped);
	CHECK(pt_unmap(root, d, PAGE_4K, &talloc, NULL) == ERR_OK);
	CHECK(pool.live == 1 && r[2] == 0);

	/* A 2 MiB leaf and a 4 KiB table under the same L1: freeing one keeps the L1. */
	CHECK(pt_map(root, 0x200000, 0x200000, PAGE_2M, F_R, &talloc) == ERR_OK);
	CHECK(pt_map(root, 0x401000, 0x1000, PAGE_4K, F_R, &talloc) == ERR_OK);
	CHECK(pool.live == 3);
	CHECK(pt_unmap(root, 0x200000, PAGE_2M, &talloc, NULL) == ERR_OK);
	CHECK(pool.live == 3);
	CHECK(pt_unmap(root, 0x401000, PAGE_4K, &talloc, NULL) == ERR_OK);
	CHECK(pool.live == 1);
	CHECK(pool.bad_frees == 0);
}

static void test_unmap_wrong_size(void)
{
	paddr_t root = setup();
	paddr_t old = 7;
	size_t live;

	CHECK(pt_map(root, 0x200000, 0x80200000, PAGE_2M, F_R, &talloc) == ERR_OK);
	CHECK(pt_map(root, 0x40001000, 0x1000, PAGE_4K, F_R, &talloc) == ERR_OK);
	CHECK(pt_map(root, 0x80000000, 0x80000000, PAGE_1G, F_R, &talloc) == ERR_OK);
	live = pool.live;

	CHECK(pt_unmap(root, 0x200000, PAGE_4K, &talloc, &old) == ERR_NOENT);
	CHECK(pt_unmap(root, 0x201000, PAGE_4K, &talloc, &old) == ERR_NOENT);
	CHECK(pt_unmap(root, 0, PAGE_1G, &talloc, &old) == ERR_NOENT);
	CHECK(pt_unmap(root, 0x40000000, PAGE_2M, &talloc, &old) == ERR_NOENT);
	CHECK(pt_unmap(root, 0x40000000, PAGE_1G, &talloc, &old) == ERR_NOENT);
	CHECK(pt_unmap(root, 0x80000000, PAGE_2M, &talloc, &old) == ERR_NOENT);
	CHECK(pt_unmap(root, 0x80000000, PAGE_4K, &talloc, &old) == ERR_NOENT);
	CHECK(pt_unmap(root, 0x40002000, PAGE_4K, &talloc, &old) == ERR_NOENT);
	CHECK(pt_unmap(root, 0xffffffc000000000ull, PAGE_1G, &talloc, &old) == ERR_NOENT);
	CHECK(old == 7 && pool.live == live);
	CHECK(pt_walk(root, 0x200000).mapped && pt_walk(root, 0x40001000).mapped &&
	      pt_walk(root, 0x80000000).mapped);

	/* The right sizes work. */
	CHECK(pt_unmap(root, 0x200000, PAGE_2M, &talloc, &old) == ERR_OK && old == 0x80200000);
	CHECK(pt_unmap(root, 0x40001000, PAGE_4K, &talloc, &old) == ERR_OK && old == 0x1000);
	CHECK(pt_unmap(root, 0x80000000, PAGE_1G, &talloc, &old) == ERR_OK && old == 0x80000000);
	CHECK(pool.live == 1 && pool.bad_frees == 0);
}

static void test_protect(void)
{
	paddr_t root = setup();
	const vaddr_t va = 0xffffffff80200000ull;
	struct pt_walk w;
	pte_t before;

	CHECK(pt_map(root, va, 0x80200000, PAGE_2M, F_RW | PTE_G, &talloc) == ERR_OK);
	CHECK(pt_protect(root, va + 0x1234, PTE_R | PTE_X | PTE_A) == ERR_OK);
	w = pt_walk(root, va + 0x1234);
	CHECK(w.mapped && w.level == 1 && w.pa == 0x80201234);
	CHECK(*w.pte == (((0x80200000ull >> 12) << 10) | PTE_R | PTE_X | PTE_A | PTE_V));

	/* Same rules as pt_map; nothing changes on refusal. */
	before = *w.pte;
	CHECK(pt_protect(root, va, PTE_R | PTE_W | PTE_X) == ERR_PERM);
	CHECK(pt_protect(root, va, PTE_W | PTE_X) == ERR_PERM);
	CHECK(pt_protect(root, va, PTE_W) == ERR_INVALID);
	CHECK(pt_protect(root, va, 0) == ERR_INVALID);
	CHECK(pt_protect(root, va, PTE_U | PTE_A) == ERR_INVALID);
	CHECK(pt_protect(root, va, PTE_R | PTE_V) == ERR_INVALID);
	CHECK(pt_protect(root, 0x4000000000ull, PTE_R) == ERR_RANGE);
	CHECK(pt_protect(root, va + PAGE_2M, PTE_R) == ERR_NOENT);
	CHECK(pt_protect(root, 0x1000, PTE_R) == ERR_NOENT);
	CHECK(*w.pte == before);

	/* Software bits survive a protect. */
	*w.pte |= 3ull << PTE_RSW_SHIFT;
	CHECK(pt_protect(root, va, PTE_R | PTE_U) == ERR_OK);
	CHECK(*w.pte ==
	      (((0x80200000ull >> 12) << 10) | (3ull << PTE_RSW_SHIFT) | PTE_R | PTE_U | PTE_V));

	/* 4 KiB and 1 GiB leaves too. */
	CHECK(pt_map(root, 0x3ffffff000ull, 0x5000, PAGE_4K, F_R, &talloc) == ERR_OK);
	CHECK(pt_protect(root, 0x3ffffffabcull, F_RW | PTE_D) == ERR_OK);
	w = pt_walk(root, 0x3ffffff000ull);
	CHECK(*w.pte == ((5ull << 10) | F_RW | PTE_D | PTE_V));
	CHECK(pt_map(root, 0x40000000, 0x40000000, PAGE_1G, F_R, &talloc) == ERR_OK);
	CHECK(pt_protect(root, 0x7fffffff, PTE_X) == ERR_OK);
	w = pt_walk(root, 0x7fffffff);
	CHECK(w.mapped && w.level == 2 && w.pa == 0x7fffffff &&
	      *w.pte == ((0x40000ull << 10) | PTE_X | PTE_V));
	CHECK(pool.bad_frees == 0);
}

static void test_walk(void)
{
	paddr_t root = setup();
	pte_t *r = table_of(root);
	struct pt_walk w;

	w = pt_walk(root, 0x4000000000ull);
	CHECK(w.pte == NULL && !w.mapped);
	w = pt_walk(root, 0x123456000ull);
	CHECK(w.pte == &r[vpn(0x123456000ull, 2)] && w.level == 2 && !w.mapped);

	CHECK(pt_map(root, 0x123456000ull, 0x80000000, PAGE_4K, F_R, &talloc) == ERR_OK);
	w = pt_walk(root, 0x123457000ull);
	CHECK(w.level == 0 && !w.mapped && *w.pte == 0);
	w = pt_walk(root, 0x123600000ull); /* next 2 MiB: L1 entry empty */
	CHECK(w.level == 1 && !w.mapped);
	w = pt_walk(root, 0x123456fffull);
	CHECK(w.mapped && w.pa == 0x80000fff);

	/* 1 GiB: offsets within the superpage reach the PA. */
	CHECK(pt_map(root, 0xffffffffc0000000ull, 0xc0000000ull, PAGE_1G, F_RX, &talloc) == ERR_OK);
	w = pt_walk(root, 0xffffffffffffffffull);
	CHECK(w.mapped && w.level == 2 && w.pa == 0xffffffffull);

	/* What hardware would fault on is not "mapped": a misaligned superpage, W alone. */
	r[3] = pte_make(0x40200000, PTE_R | PTE_V);
	CHECK(!pt_walk(root, 3ull << 30).mapped);
	CHECK(pt_walk(root, 3ull << 30).level == 2);
	r[4] = pte_make(0x40000000, PTE_W | PTE_V);
	CHECK(!pt_walk(root, 4ull << 30).mapped);
	r[3] = r[4] = 0;
	CHECK(pool.bad_frees == 0);
}

static void test_map_range_picks_largest(void)
{
	paddr_t root = setup();
	/* 3 x 4K, 1 x 1G, 1 x 2M, 2 x 4K. */
	const vaddr_t va = 0x3fffd000;
	const paddr_t pa = 0x7fffd000;
	const size_t len = 0x3000 + PAGE_1G + PAGE_2M + 0x2000;
	static const struct {
		vaddr_t off;
		int level;
	} expect[] = {
	    {0, 0},
	    {0x1000, 0},
	    {0x2fff, 0},
	    {0x3000, 2},
	    {0x3000 + PAGE_1G - 1, 2},
	    {0x3000 + PAGE_1G, 1},
	    {0x3000 + PAGE_1G + PAGE_2M - 1, 1},
	    {0x3000 + PAGE_1G + PAGE_2M, 0},
	    {0x3000 + PAGE_1G + PAGE_2M + 0x1fff, 0},
	};

	CHECK(pt_map_range(root, va, pa, len, F_RW, &talloc) == ERR_OK);
	for (size_t i = 0; i < sizeof(expect) / sizeof(expect[0]); i++) {
		struct pt_walk w = pt_walk(root, va + expect[i].off);

		CHECKF(w.mapped && w.level == expect[i].level && w.pa == pa + expect[i].off,
		       "offset %#llx: mapped %d level %d", (unsigned long long)expect[i].off,
		       w.mapped, w.level);
	}
	CHECK(!pt_walk(root, va + len).mapped);
	CHECK(!pt_walk(root, va - 1).mapped);
	/* root, L1 + L0 under root[0], L1 + L0 under root[2]; the 1 GiB leaf is in the root */
	CHECK(pool.live == 5);

	/* Unmapping piece by piece returns every table. */
	CHECK(pt_unmap(root, va, PAGE_4K, &talloc, NULL) == ERR_OK);
	CHECK(pt_unmap(root, va + 0x1000, PAGE_4K, &talloc, NULL) == ERR_OK);
	CHECK(pt_unmap(root, va + 0x2000, PAGE_4K, &talloc, NULL) == ERR_OK);
	CHECK(pt_unmap(root, va + 0x3000, PAGE_1G, &talloc, NULL) == ERR_OK);
	CHECK(pt_unmap(root, va + 0x3000 + PAGE_1G, PAGE_2M, &talloc, NULL) == ERR_OK);
	CHECK(pt_unmap(root, va + 0x3000 + PAGE_1G + PAGE_2M, PAGE_4K, &talloc, NULL) == ERR_OK);
	CHECK(pt_unmap(root, va + 0x4000 + PAGE_1G + PAGE_2M, PAGE_4K, &talloc, NULL) == ERR_OK);
	CHECK(pool.live == 1);

	/* va 2 MiB aligned but pa only 4 KiB aligned: only 4 KiB pages. */
	CHECK(pt_map_range(root, 0x200000, 0x81001000, PAGE_2M, F_R, &talloc) == ERR_OK);
	for (size_t off = 0; off < PAGE_2M; off += PAGE_4K) {
		struct pt_walk w = pt_walk(root, 0x200000 + off);
		CHECK(w.mapped && w.level == 0 && w.pa == 0x81001000 + off);
	}
	/* Both aligned but len short of 2 MiB: 4 KiB pages. */
	CHECK(pt_map_range(root, 0xffffffff80000000ull, 0x80000000, PAGE_2M - PAGE_4K, F_RX,
			   &talloc) == ERR_OK);
	CHECK(pt_walk(root, 0xffffffff80000000ull).level == 0);
	/* Kernel half, 2 MiB pages. */
	CHECK(pt_map_range(root, 0xffffffff80200000ull, 0x80200000, 2 * PAGE_2M, F_RW, &talloc) ==
	      ERR_OK);
	CHECK(pt_walk(root, 0xffffffff80200000ull).level == 1);
	CHECK(pt_walk(root, 0xffffffff80400000ull).level == 1);
	CHECK(pt_walk(root, 0xffffffff805fffffull).pa == 0x805fffff);

	pt_free_tables(root, 0, PT_ENTRIES - 1, &talloc);
	CHECK(pool.live == 1 && pool.bad_frees == 0);
}

static void test_map_range_arguments(void)
{
	paddr_t root = setup();

	CHECK(pt_map_range(root, 0x1000, 0x1000, 0, F_R, &talloc) == ERR_INVALID);
	CHECK(pt_map_range(root, 0x1000, 0x1000, 0x1800, F_R, &talloc) == ERR_ALIGN);
	CHECK(pt_map_range(root, 0x1800, 0x1000, 0x1000, F_R, &talloc) == ERR_ALIGN);
	CHECK(pt_map_range(root, 0x1000, 0x1800, 0x1000, F_R, &talloc) == ERR_ALIGN);
	CHECK(pt_map_range(root, 0x1000, 0x1000, 0x1000, F_RW | PTE_X, &talloc) == ERR_PERM);
	CHECK(pt_map_range(root, 0x1000, 0x1000, 0x1000, PTE_W, &talloc) == ERR_INVALID);
	/* Runs into or starts in the non-canonical hole, or wraps. */
	CHECK(pt_map_range(root, 0x3ffffff000ull, 0, 0x2000, F_R, &talloc) == ERR_RANGE);
	CHECK(pt_map_range(root, 0x4000000000ull, 0, 0x1000, F_R, &talloc) == ERR_RANGE);
	CHECK(pt_map_range(root, 0xfffffffffffff000ull, 0, 0x2000, F_R, &talloc) == ERR_RANGE);
	CHECK(pt_map_range(root, 0x1000, (1ull << 56) - 0x1000, 0x2000, F_R, &talloc) == ERR_RANGE);
	CHECK(pool.live == 1);
	for (unsigned i = 0; i < PT_ENTRIES; i++)
		CHECK(table_of(root)[i] == 0);

	/* The last user page and the last kernel page are fine. */
	CHECK(pt_map_range(root, 0x3ffffff000ull, 0x1000, 0x1000, F_R, &talloc) == ERR_OK);
	CHECK(pt_map_range(root, 0xfffffffffffff000ull, 0x2000, 0x1000, F_R, &talloc) == ERR_OK);
	pt_free_tables(root, 0, PT_ENTRIES - 1, &talloc);
	CHECK(pool.live == 1 && pool.bad_frees == 0);
}

/* Every allocation failure point: ERR_NOMEM, nothing mapped, no table leaked. */
static void test_map_range_nomem_unwinds(void)
{
	/* 2 x 4K (L1 + L0), 1G (root leaf), 2M (L1), 4K (L0): 4 tables. */
	const vaddr_t va = 0x40000000 - 0x2000;
	const paddr_t pa = 0x80000000 - 0x2000;
	const size_t len = 0x2000 + PAGE_1G + PAGE_2M + 0x1000;
	int succeeded = 0;

	for (long n = 0; n < 10 && !succeeded; n++) {
		paddr_t root = setup();
		int err;

		pool.fail_after = n;
		err = pt_map_range(root, va, pa, len, F_RW, &talloc);
		pool.fail_after = -1;
		if (err == ERR_OK) {
			succeeded = 1;
			CHECKF(n == 4, "needed %ld tables", n);
			CHECK(pool.live == 5);
			break;
		}
		CHECK(err == ERR_NOMEM);
		CHECKF(pool.live == 1, "n=%ld live=%zu", n, pool.live);
		for (size_t off = 0; off < len; off += PAGE_4K)
			CHECK(!pt_walk(root, va + off).mapped);
		for (unsigned i = 0; i < PT_ENTRIES; i++)
			CHECK(table_of(root)[i] == 0);
		CHECK(pool.bad_frees == 0);
	}
	CHECK(succeeded);
}

/* An existing mapping part-way: earlier pages unmapped again, the old one kept. */
static void test_map_range_exists_unwinds(void)
{
	paddr_t root = setup();
	struct pt_walk w;
	size_t live;

	CHECK(pt_map(root, 0x1000, 0x1000, PAGE_4K, F_R, &talloc) == ERR_OK);
	CHECK(pt_map(root, 0x40600000, 0x9000, PAGE_4K, F_R, &talloc) == ERR_OK);
	live = pool.live; /* root, L1(0), L0(0), L1(1), L0(0x40600000) */
	CHECK(live == 5);
	CHECK(pt_map_range(root, 0x40000000, 0x80000000, 4 * PAGE_2M, F_RW, &talloc) == ERR_EXISTS);
	for (size_t off = 0; off < 3 * PAGE_2M; off += PAGE_2M)
		CHECK(!pt_walk(root, 0x40000000 + off).mapped);
	w = pt_walk(root, 0x40600000);
	CHECK(w.mapped && w.pa == 0x9000 && w.level == 0);
	CHECK(pool.live == live);

	/* Unwind must not free a table the range only shared. */
	CHECK(pt_map_range(root, 0x2000, 0x2000, 0x2000, F_R, &talloc) == ERR_OK);
	CHECK(pt_map_range(root, 0x0, 0x0, 0x5000, F_R, &talloc) == ERR_EXISTS);
	CHECK(pt_walk(root, 0x1000).mapped && pt_walk(root, 0x2000).mapped);
	CHECK(!pt_walk(root, 0x0).mapped);
	CHECK(pool.live == live && pool.bad_frees == 0);
}

static void test_map_nomem(void)
{
	paddr_t root = setup();

	/* A 4 KiB page in an empty tree needs two tables. */
	pool.fail_after = 0;
	CHECK(pt_map(root, 0x1000, 0x1000, PAGE_4K, F_R, &talloc) == ERR_NOMEM);
	CHECK(pool.live == 1);
	pool.fail_after = 1;
	CHECK(pt_map(root, 0x1000, 0x1000, PAGE_4K, F_R, &talloc) == ERR_NOMEM);
	CHECK(pool.live == 1 && table_of(root)[0] == 0);
	pool.fail_after = 2;
	CHECK(pt_map(root, 0x1000, 0x1000, PAGE_4K, F_R, &talloc) == ERR_OK);
	CHECK(pool.live == 3);
	/* Existing tables need no allocation; a 1 GiB leaf needs none either. */
	pool.fail_after = 0;
	CHECK(pt_map(root, 0x2000, 0x2000, PAGE_4K, F_R, &talloc) == ERR_OK);
	CHECK(pt_map(root, 0x40000000, 0, PAGE_1G, F_R, &talloc) == ERR_OK);
	CHECK(pt_map(root, 0, 0, PAGE_4K, F_R, NULL) == ERR_OK);
	CHECK(pt_map(root, 0x80000000, 0, PAGE_2M, F_R, &talloc) == ERR_NOMEM);
	CHECK(pt_map(root, 0x80000000, 0, PAGE_2M, F_R, NULL) == ERR_NOMEM);
	pool.fail_after = -1;
	CHECK(pool.live == 3 && pool.bad_frees == 0);
}

static void test_free_tables(void)
{
	paddr_t root = setup();
	pte_t *r = table_of(root);

	/* User half: root[0] (two L0s), root[255] (one L0); kernel half: root[256], root[510]. */
	CHECK(pt_map(root, 0x1000, 0x1000, PAGE_4K, F_R, &talloc) == ERR_OK);
	CHECK(pt_map(root, 0x200000, 0x1000, PAGE_4K, F_R, &talloc) == ERR_OK);
	CHECK(pt_map(root, 0x400000, 0x400000, PAGE_2M, F_R, &talloc) == ERR_OK);
	CHECK(pt_map(root, 0x3ffffff000ull, 0x1000, PAGE_4K, F_R, &talloc) == ERR_OK);
	CHECK(pt_map(root, 0xffffffc000000000ull, 0, PAGE_1G, F_R, &talloc) == ERR_OK);
	CHECK(pt_map(root, 0xffffffc040000000ull, 0, PAGE_2M, F_R, &talloc) == ERR_OK);
	CHECK(pt_map(root, 0xffffffff80200000ull, 0x80200000, PAGE_4K, F_R, &talloc) == ERR_OK);
	/* root + root[0] (L1 + 2 L0) + root[255] (L1 + L0) + root[257] (L1) + root[510] (L1 + L0)
	 */
	CHECK(pool.live == 9);

	pt_free_tables(root, 0, 255, &talloc);
	CHECK(pool.live == 4);
	CHECK(r[0] == 0 && r[255] == 0);
	CHECK(pt_walk(root, 0xffffffff80200000ull).mapped);
	CHECK(pt_walk(root, 0xffffffc000000000ull).mapped);
	/* Leaves in the root stay: pt_free_tables frees tables, not frames. */
	pt_free_tables(root, 256, 256, &talloc);
	CHECK(pool.live == 4 && r[256] != 0);
	pt_free_tables(root, 257, 100000, &talloc);
	CHECK(pool.live == 1 && r[257] == 0 && r[510] == 0);
	CHECK(pool.bad_frees == 0);
}

/* Random maps and unmaps of 4K/2M pages in a small window against a shadow. */
static void test_random_against_shadow(void)
{
	enum { SLOTS = 4 * 512 }; /* 4 x 2 MiB of 4 KiB pages, in two 1 GiB regions */
	static uint8_t shadow[SLOTS];
	paddr_t root = setup();
	uint64_t rng = 0x9e3779b97f4a7c15ull;

	memset(shadow, 0, sizeof(shadow));
	for (int iter = 0; iter < 20000; iter++) {
		rng ^= rng << 13;
		rng ^= rng >> 7;
		rng ^= rng << 17;
		unsigned slot = rng % SLOTS;
		bool big = (rng >> 20) % 4 == 0;
		bool do_map = (rng >> 24) & 1;
		unsigned first = big ? slot & ~511u : slot;
		unsigned n = big ? 512 : 1;
		vaddr_t va = (vaddr_t)(first / 1024) * PAGE_1G + (vaddr_t)(first % 1024) * PAGE_4K;
		size_t size = big ? PAGE_2M : PAGE_4K;
		bool any = false, whole = true;

		for (unsigned i = first; i < first + n; i++) {
			any |= shadow[i] != 0;
			whole &= shadow[i] == (big ? 2 : 1);
		}
		if (do_map) {
			int err = pt_map(root, va, va + 0x100000000ull, size, F_R, &talloc);
			/* Empty tables are pruned, so "anything there" decides exactly. */
			CHECK(err == (any ? ERR_EXISTS : ERR_OK));
			if (err == ERR_OK)
				memset(&shadow[first], big ? 2 : 1, n);
		} else {
			int err = pt_unmap(root, va, size, &talloc, NULL);
			bool present = big ? whole : shadow[slot] == 1;

			CHECK(err == (present ? ERR_OK : ERR_NOENT));
			if (err == ERR_OK)
				memset(&shadow[first], 0, n);
		}
	}
	for (unsigned i = 0; i < SLOTS; i += 7) {
		vaddr_t va = (vaddr_t)(i / 1024) * PAGE_1G + (vaddr_t)(i % 1024) * PAGE_4K;
		struct pt_walk w = pt_walk(root, va);

		CHECK(w.mapped == (shadow[i] != 0));
		if (w.mapped)
			CHECK(w.pa == va + 0x100000000ull && w.level == (shadow[i] == 2 ? 1 : 0));
	}
	for (unsigned i = 0; i < SLOTS; i++) {
		vaddr_t va = (vaddr_t)(i / 1024) * PAGE_1G + (vaddr_t)(i % 1024) * PAGE_4K;

		if (shadow[i] == 1)
			CHECK(pt_unmap(root, va, PAGE_4K, &talloc, NULL) == ERR_OK);
		else if (shadow[i] == 2 && i % 512 == 0)
			CHECK(pt_unmap(root, va, PAGE_2M, &talloc, NULL) == ERR_OK);
	}
	CHECK(pool.live == 1 && pool.bad_frees == 0);
}

int main(void)
{
	check_suite = "pt";
	sim_mem = aligned_alloc(PAGE_SIZE, SIM_SIZE);
	if (!sim_mem)
		return 2;
	physmap_offset = (uintptr_t)sim_mem - SIM_BASE;

	RUN(test_canonical);
	RUN(test_pte_encoding);
	RUN(test_map_walk_unmap_all_sizes);
	RUN(test_every_flag_combination);
	RUN(test_bad_arguments);
	RUN(test_exists);
	RUN(test_unmap_prunes_tables);
	RUN(test_unmap_wrong_size);
	RUN(test_protect);
	RUN(test_walk);
	RUN(test_map_range_picks_largest);
	RUN(test_map_range_arguments);
	RUN(test_map_range_nomem_unwinds);
	RUN(test_map_range_exists_unwinds);
	RUN(test_map_nomem);
	RUN(test_free_tables);
	RUN(test_random_against_shadow);

	free(sim_mem);
	return check_done();
}
