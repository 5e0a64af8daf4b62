/*
 * Memory pressure. A thread of its own waits on the kernel's memory watch
 * (SYS_MEM_WATCH): when free pages fall below the low-water mark mem says
 * so on the console, stops fault-around (every page must then be asked
 * for) and polls until free memory is back above the mark plus an eighth,
 * which is where the kernel re-arms the watch.
 *
 * The mark is set where mem is near the end of what it may give: free
 * pages are then the pages mem will never take (the other quotas' budgets,
 * mostly unused) plus a sixteenth of memory. A mark on free pages
 * alone would never be reached, as mem's quota runs out first.
 */
#include "user/mem/mem.h"

#include "lib/error.h"
#include "lib/user/conprint.h"
#include "lib/user/syscall.h"
#include "lib/user/ulib.h"

#define POLL_NS (20 * 1000 * 1000ull)

static volatile bool low;
static volatile uint64_t events;
static uint64_t mark;
static handle_t sys, note;
static struct con_out out; /* the watcher's console and its IPC buffer */

bool pressure_low(void)
{
	return low;
}

void pressure_stats(struct mem_stats *s)
{
	s->pressure = low;
	s->pressure_events = events;
	s->low_water = mark;
}

static uint64_t free_pages(void)
{
	uint64_t free = 0, total = 0;

	sys_mem_info(sys, &free, &total);
	return free;
}

static void watch(void *arg)
{
	(void)arg;
	for (;;) {
		uint64_t bits;
		if (sys_notify_wait(note, &bits) != ERR_OK)
			return;
		events++;
		low = true;
		con_printf(&out, "mem: memory is low: %lu pages free (low-water mark %lu)\n",
			   free_pages(), mark);
		while (free_pages() < mark + mark / 8)
			sys_sleep(POLL_NS);
		low = false;
		con_printf(&out, "mem: memory is no longer low: %lu pages free\n", free_pages());
	}
}

int pressure_start(handle_t system)
{
	uint64_t free = 0, total = 0;
	handle_t thread;
	int e = sys_mem_info(system, &free, &total);

	sys = system;
	mark = total / 16 > 256 ? total / 16 : 256;
	if (free > pool_capacity())
		mark += free - pool_capacity();
	if (e == ERR_OK)
		e = sys_notify_create(&note);
	if (e == ERR_OK)
		e = sys_mem_watch(system, note, 1, mark);
	void *ipcbuf = umap_pages(0, 0);
	out = (struct con_out){env.con, ipcbuf};
	if (e == ERR_OK && !ipcbuf)
		e = ERR_NOMEM;
	if (e == ERR_OK)
		e = uthread_spawn(watch, 0, 29, (uint64_t)ipcbuf, &thread);
	return e;
}
