/* Calling the servers, and turning their errors into errno values. */
#include <errno.h>

#include "lib/error.h"
#include "lib/libc/strata.h"
#include "lib/libc/sys.h"
#include "lib/user/msgbytes.h"

int __strata_call(handle_t ep, struct msg *m)
{
	if (!ep)
		return ERR_UNSUPPORTED;
	int e = ipc_call(ep, m);
	return e != ERR_OK ? e : msg_error(m->tag);
}

int __strata_errno(int err)
{
	switch (err) {
	case ERR_OK:
		return 0;
	case ERR_NOMEM:
	case ERR_QUOTA:
		return ENOMEM;
	case ERR_INVALID:
	case ERR_ALIGN:
		return EINVAL;
	case ERR_RANGE:
		return E2BIG;
	case ERR_NOENT:
		return ENOENT;
	case ERR_PERM:
		return EPERM;
	case ERR_EXISTS:
		return EEXIST;
	case ERR_CORRUPT:
		return ENOEXEC;
	case ERR_FULL:
	case ERR_WOULDBLOCK:
	case ERR_BUSY:
		return EAGAIN;
	case ERR_UNSUPPORTED:
		return ENOSYS;
	case ERR_FAULT:
		return EFAULT;
	case ERR_BADHANDLE:
		return EBADF;
	case ERR_PEER:
		return EPIPE;
	case ERR_TIMEOUT:
		return ETIMEDOUT;
	case ERR_INTERRUPTED:
		return EINTR;
	default:
		return EIO;
	}
}

int __strata_fail(int err)
{
	errno = __strata_errno(err);
	return -1;
}

const char *strata_strerror(int err)
{
	return err_name(err);
}

int __strata_call_bytes(handle_t ep, struct msg *m, unsigned first, void *out, size_t n)
{
	int e = __strata_call(ep, m);

	if (e == ERR_OK && !msgbytes_fit(m->tag, first, n))
		e = ERR_CORRUPT;
	if (e == ERR_OK)
		msgbytes_get(m, __strata_ipcbuf(), first, out, n);
	return e;
}

static handle_t mem_ep(void)
{
	return __strata_us ? __strata_us->mem : 0;
}

int strata_mem_stats(struct mem_stats *out)
{
	struct msg m = {.tag = msg_tag(MEM_STATS, 0, 0)};
	int e = __strata_call_bytes(mem_ep(), &m, 0, out, sizeof(*out));

	return e == ERR_OK ? 0 : __strata_fail(e);
}

int strata_mem_compact(uint64_t *chunks)
{
	struct msg m = {.tag = msg_tag(MEM_COMPACT, 0, 0)};
	int e = __strata_call(mem_ep(), &m);

	if (e != ERR_OK)
		return __strata_fail(e);
	if (chunks)
		*chunks = m.w[0];
	return 0;
}

int strata_vs_stats(uint64_t vs, struct mem_vs_stats *out)
{
	struct msg m = {.tag = msg_tag(MEM_VS_STATS, 1, 0), .w = {vs}};
	int e = __strata_call_bytes(mem_ep(), &m, 0, out, sizeof(*out));

	return e == ERR_OK ? 0 : __strata_fail(e);
}

int strata_vs_trace(uint64_t vs)
{
	struct msg m = {.tag = msg_tag(MEM_TRACE, 1, 0), .w = {vs}};
	int e = __strata_call(mem_ep(), &m);

	return e == ERR_OK ? 0 : __strata_fail(e);
}

int strata_vs_trace_read(uint64_t vs, uint64_t *out, uint64_t *lost)
{
	struct msg m = {.tag = msg_tag(MEM_TRACE_READ, 1, 0), .w = {vs}};
	int e = __strata_call(mem_ep(), &m);
	uint64_t n = m.w[0];

	if (e == ERR_OK && (n > MEM_TRACE_RECORDS || !msgbytes_fit(m.tag, 2, n * sizeof(out[0]))))
		e = ERR_CORRUPT;
	if (e != ERR_OK)
		return __strata_fail(e);
	msgbytes_get(&m, __strata_ipcbuf(), 2, out, n * sizeof(out[0]));
	*lost = m.w[1];
	return (int)n;
}

int strata_vs_maps(uint64_t vs, int index, struct mem_map_info *out)
{
	struct msg m = {.tag = msg_tag(MEM_VS_MAPS, 2, 0), .w = {vs, (uint64_t)index}};
	int e = index < 0 ? ERR_NOENT : __strata_call_bytes(mem_ep(), &m, 1, out, sizeof(*out));

	return e == ERR_OK ? (int)m.w[0] : __strata_fail(e);
}
