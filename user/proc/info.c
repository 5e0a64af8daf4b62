/* PROC_GETPID and PROC_LIST: who the caller is, and what runs. */
#include "user/proc/proc.h"

#include "lib/error.h"
#include "lib/str.h"
#include "lib/user/msgbytes.h"

/* -> w0 = the caller's pid, w1 = its parent's (root is pid 0, its own parent). */
int do_getpid(int32_t caller, struct msg *m)
{
	int32_t ppid = 0;

	if (caller != 0)
		ppid = proc_running(caller)->ppid;
	*m = (struct msg){.tag = msg_tag(PROC_GETPID, 2, 0),
			  .w = {(uint64_t)(int64_t)caller, (uint64_t)(int64_t)ppid}};
	return ERR_OK;
}

/* Describe p; memory figures come from mem for a running process, 0 for a zombie. */
static void describe(const struct process *p, struct proc_info *info)
{
	struct mem_vs_stats st;

	memset(info, 0, sizeof(*info));
	info->pid = p->pid;
	info->ppid = p->ppid;
	info->pgid = p->pgid;
	info->oom_adj = p->oom_adj;
	info->flags = (p->held ? PROC_INFO_HELD : 0) | (p->stopped_by ? PROC_INFO_STOPPED : 0);
	info->state = p->state;
	info->status = p->state == SLOT_ZOMBIE ? p->status : 0;
	memcpy(info->name, p->name, sizeof(info->name));
	if (p->state == SLOT_RUNNING && p->vs && mem_vs_stats(p->vs, &st) == ERR_OK) {
		info->resident = st.resident;
		info->faults = st.faults;
		info->cow_copies = st.cow_copies;
		info->committed = st.committed;
		info->shared = st.shared;
		info->file = st.file;
		info->swapped = st.swapped;
		info->vs = p->vs;
	}
}

/*
 * w0 = cursor (a slot index) -> the first running or zombie process at or
 * after it: w0 = the cursor to ask with next (0 when no process follows),
 * struct proc_info from word 1. ERR_NOENT when there is none.
 */
int do_list(struct msg *m)
{
	uint64_t cursor = m->w[0];
	struct proc_info info;

	for (uint64_t i = cursor; i < NPROC; i++) {
		const struct process *p = &procs[i];

		if (p->state != SLOT_RUNNING && p->state != SLOT_ZOMBIE)
			continue;
		uint64_t next = 0;
		for (uint64_t j = i + 1; j < NPROC && !next; j++)
			if (procs[j].state == SLOT_RUNNING || procs[j].state == SLOT_ZOMBIE)
				next = j;
		describe(p, &info); /* calls mem: before the reply is put in the IPC buffer */
		*m = (struct msg){.w = {next}};
		unsigned words = msgbytes_put(m, IPCBUF, 1, &info, sizeof(info));
		m->tag = msg_tag(PROC_LIST, words, 0);
		return ERR_OK;
	}
	return ERR_NOENT;
}
