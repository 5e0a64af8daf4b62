/*
 * Page-table watch (kernel/ptewatch.h): only built with KDEBUG=ptewatch.
 * Every hook runs with the big kernel lock held, which guards the ring.
 */
#ifdef KDEBUG_PTEWATCH
#include "kernel/ptewatch.h"

#include "kernel/arch.h"
#include "kernel/console.h"
#include "kernel/fault.h"
#include "kernel/frameobj.h"
#include "kernel/frames.h"
#include "kernel/hart.h"
#include "kernel/memlayout.h"
#include "kernel/space.h"
#include "kernel/thread.h"
#include "mm/physmap.h"

#define RING 8192 /* events kept */

struct pw_event {
	uint64_t seq;
	struct space *s;
	uint64_t va, old, new;
	uint64_t tid;	/* current thread, 0 if none */
	uint64_t a0;	/* its first system-call argument (a handle, mostly) */
	uint64_t sysno; /* its system call, ~0 if it is not in one */
	uint8_t hart, kind, live;
	struct space *caller; /* the current thread's own space */
};

static struct pw_event ring[RING];
static uint64_t seq;

static const char *const kind_name[] = {"map",	"replace",  "unmap", "protect", "ad",
					"undo", "teardown", "table", "frame",	"create"};

void ptewatch_leaf(struct space *s, enum ptewatch_kind kind, uint64_t va, pte_t old, pte_t new)
{
	struct thread *t = thread_current();
	struct pw_event *e = &ring[seq % RING];

	*e = (struct pw_event){.seq = ++seq,
			       .s = s,
			       .va = va,
			       .old = old,
			       .new = new,
			       .tid = t ? t->id : 0,
			       .sysno = ~0ull,
			       .hart = (uint8_t)this_hart()->index,
			       .kind = (uint8_t)kind,
			       .live = s ? s->live_threads > 0 : 0,
			       .caller = t ? t->space : NULL};
	if (t && t->utf->tf.scause == EXC_ECALL_U) {
		e->sysno = t->utf->tf.x[17];
		e->a0 = t->utf->tf.x[10];
	}
}

static void print_event(const struct pw_event *e)
{
	kprintf("ptewatch:   #%lu hart %u thread %lu sys %ld (a0 %#lx) %s space %p%s va %p old %#lx"
		" new %#lx (caller's space %p)\n",
		e->seq, e->hart, e->tid, (long)e->sysno, e->a0, kind_name[e->kind], (void *)e->s,
		e->live ? " (live)" : "", (void *)e->va, e->old, e->new, (void *)e->caller);
}

/* The walk of s at va, and the ring's events for that page of s, its tables and its frame. */
static void report(struct space *s, uint64_t va, unsigned access)
{
	kprintf("ptewatch:   space %p root %#lx asid %u satp %#lx tlb_harts %#lx resident %lu"
		" spurious %lu\n",
		(void *)s, s->root, s->asid, csr_read(satp), s->tlb_harts, s->resident,
		s->spurious);
	const pte_t *table = pa_to_kva(s->root);
	pte_t leaf = 0;
	for (int level = 2; level >= 0; level--) {
		unsigned idx = (unsigned)(va >> (12 + 9 * level)) & 511;
		pte_t e = table[idx];
		kprintf("ptewatch:   level %d [%u] = %#lx\n", level, idx, e);
		if (!(e & PTE_V))
			break;
		if (e & PTE_RWX) {
			leaf = e;
			break;
		}
		table = pa_to_kva(pte_pa(e));
	}
	if (leaf) {
		paddr_t pa = pte_pa(leaf) + (va & 0xfff & ~7ul);
		struct frameobj *f = frameobj_of(pte_pa(leaf));
		bool permits = ((access & PROT_R) ? (leaf & PTE_R) : 1) &&
			       ((access & PROT_W) ? (leaf & PTE_W) : 1) &&
			       ((access & PROT_X) ? (leaf & PTE_X) : 1) && (leaf & PTE_U);
		kprintf("ptewatch:   leaf %s the access (%s fault); frame %p maps %lu refs %u;"
			" word at va %#lx\n",
			permits ? "permits" : "does not permit", permits ? "spurious" : "real",
			(void *)f, f ? f->maps : 0, f ? (unsigned)f->obj.refs : 0,
			f && !f->mmio ? *(const uint64_t *)pa_to_kva(pa) : 0);
	}
	uint64_t first = seq > RING ? seq - RING : 0;
	for (uint64_t i = seq; i-- > first;) {
		if (ring[i % RING].kind == PW_CREATE && ring[i % RING].s == s) {
			first = i;
			break;
		}
	}
	kprintf("ptewatch:   events for space %p at page %p, its tables and its frame:\n",
		(void *)s, (void *)(va & ~0xffful));
	unsigned n = 0;
	for (uint64_t i = first; i < seq; i++) {
		const struct pw_event *e = &ring[i % RING];
		bool mine = e->s == s && (e->kind == PW_TABLE || e->kind == PW_CREATE ||
					  (e->va >> 12) == (va >> 12));
		bool frame = leaf && e->kind == PW_FRAME && pte_pa(leaf) >= e->va &&
			     pte_pa(leaf) < e->va + e->old * PAGE_SIZE;
		if (mine || frame)
			print_event(e);
		n += e->s == s;
	}
	kprintf("ptewatch:   %u events of %lu in the ring since #%lu are this space's\n", n,
		seq - first, first + 1);
}

void ptewatch_death(struct thread *t, uint64_t cause, uint64_t va)
{
	struct space *s = t->space;
	unsigned access = fault_access(cause);

	/* Fuzzed threads jump anywhere: only user addresses with a table under them. */
	if (!access || va >= USER_TOP || !(((const pte_t *)pa_to_kva(s->root))[va >> 30] & PTE_V))
		return;
	kprintf("ptewatch: thread %lu on hart %u died of a fault at %p (access %u)\n", t->id,
		this_hart()->index, (void *)va, access);
	report(s, va, access);
}

void ptewatch_spurious(struct space *s, uint64_t va, unsigned access)
{
	struct thread *t = thread_current();

	kprintf("ptewatch: spurious fault: thread %lu on hart %u at %p (access %u)\n",
		t ? t->id : 0, this_hart()->index, (void *)va, access);
	report(s, va, access);
}

void ptewatch_handle(struct space *to, struct object *o, uint32_t rights, int handle,
		     const char *how)
{
	struct thread *t = thread_current();

	/* A supervisor giving a child its own space is the normal case: not that. */
	if (o != &to->obj || !(rights & RIGHT_MAP) || (how[0] == 'g' && (!t || t->space != to)))
		return;
	kprintf("ptewatch: %s: space %p got handle %#x with RIGHT_MAP to itself (rights %#x) from"
		" thread %lu of space %p\n",
		how, (void *)to, handle, rights, t ? t->id : 0, t ? (void *)t->space : NULL);
}
#endif
