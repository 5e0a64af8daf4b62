/*
 * PROC_EXEC: the calling process starts over with another program. It keeps
 * its pid, parent, children, handles and commit limit; its memory is
 * replaced and a new thread runs the new program.
 */
#include "user/proc/proc.h"

#include "lib/error.h"
#include "lib/str.h"
#include "lib/user/syscall.h"
#include "lib/user/ulib.h"

/*
 * Everything that can be refused is checked before the caller's memory is
 * touched, so an error reply finds it as it was. After MEM_VS_RESET there is
 * no way back: a failure then ends the process (reported, as SIGKILL).
 * The old thread is killed only once the new one runs, as killing the last
 * thread of a space would end the process and close its handles. Returns
 * an error to reply, or ERR_OK if the caller is gone (no reply).
 */
int do_exec(struct process *p, struct msg *m)
{
	static struct proc_args a;
	struct program prog;
	handle_t t;
	uint64_t tid;

	int e = program_prepare(m, 0, &a, &prog);
	if (e != ERR_OK)
		return e;

	p->heap_base = prog.heap_base;
	e = mem_vs_reset(p->vs);
	if (e == ERR_OK)
		e = program_map(p->vs, &prog);
	program_release(&prog); /* mem holds the program's image now, if it needs one */
	if (e == ERR_OK)
		e = startpage_write(p);
	if (e == ERR_OK)
		e = fs_exec(p); /* before the new program runs: it must not see close-on-exec fds */
	if (e == ERR_OK)
		e = setup_thread(p, prog.img.entry, USTACK_TOP, USTART_VA, &t, &tid);
	if (e != ERR_OK) {
		con_printf(&env.out, "%s[%d]: exec failed: %s\n", p->name, p->pid, err_name(e));
		process_end(p, PROC_STATUS_SIGNALED(PROC_SIGKILL));
	} else {
		times_add_thread(p);
		sys_thread_kill(p->thread, -1);
		sys_handle_close(p->thread);
		p->thread = t;
		p->tid = tid;
		str_copy(p->name, program_name(a.path), sizeof(p->name));
		signal_exec(p);
	}
	*m = (struct msg){.tag = msg_tag(PROC_EXEC, 0, 0)}; /* the caller is gone */
	return ERR_OK;
}
