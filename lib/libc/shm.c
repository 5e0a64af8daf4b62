/*
 * POSIX shared memory: shm_open, shm_unlink, and the descriptors they give,
 * which ftruncate sizes, fstat describes, mmap maps (MAP_SHARED) and close
 * closes. The objects are mem's (MEM_SHM_OPEN: named, zero-filled pages,
 * the same pages for every process that maps one); a descriptor is the C
 * library's own note of an object id, numbered from SHM_FD_BASE so it
 * never meets fs's descriptors. As POSIX has shm_open do, a descriptor is
 * close-on-exec (exec starts the C library afresh); fork copies it with the
 * rest of the C library's state.
 * An object lives while it has its name or a mapping: once unlinked and
 * unmapped, a descriptor still open to it fails with EBADF.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>

#include "lib/libc/strata.h"
#include "lib/libc/sys.h"
#include "lib/user/msgbytes.h"

#define SHM_FDS 32

static struct {
	uint64_t id; /* 0: free */
	bool writable;
} fds[SHM_FDS];

static handle_t mem_ep(void)
{
	return __strata_us ? __strata_us->mem : 0;
}

int __strata_shm_slot(int fd)
{
	int i = fd - SHM_FD_BASE;

	return i >= 0 && i < SHM_FDS && fds[i].id ? i : -1;
}

/* "/name" -> a name message for mem: w[first] = length, the bytes after it. */
static int name_msg(struct msg *m, unsigned label, unsigned first, const char *path)
{
	if (!path || path[0] != '/' || strchr(path + 1, '/'))
		return ERR_INVALID;
	size_t n = strlen(path + 1);
	if (n == 0 || n > MEM_SHM_NAME_MAX)
		return n ? ERR_RANGE : ERR_INVALID;
	m->tag = msg_tag(label, msgbytes_put_name(m, __strata_ipcbuf(), first, path + 1, n), 0);
	return ERR_OK;
}

static int shm_errno(int e)
{
	return e == ERR_RANGE ? ENAMETOOLONG : e == ERR_NOMEM ? ENFILE : __strata_errno(e);
}

int shm_open(const char *name, int oflag, mode_t mode)
{
	struct msg m = {.w = {0}};
	int slot = -1;

	(void)mode; /* no owners or permissions: every process may open every object */
	if ((oflag & ~(O_ACCMODE | O_CREAT | O_EXCL | O_TRUNC | O_CLOEXEC)) ||
	    ((oflag & O_ACCMODE) != O_RDONLY && (oflag & O_ACCMODE) != O_RDWR) ||
	    ((oflag & O_TRUNC) && (oflag & O_ACCMODE) == O_RDONLY)) {
		errno = EINVAL;
		return -1;
	}
	for (int i = 0; i < SHM_FDS && slot < 0; i++)
		if (!fds[i].id)
			slot = i;
	if (slot < 0) {
		errno = EMFILE;
		return -1;
	}
	m.w[0] = ((oflag & O_CREAT) ? MEM_SHM_CREATE : 0) | ((oflag & O_EXCL) ? MEM_SHM_EXCL : 0) |
		 ((oflag & O_TRUNC) ? MEM_SHM_TRUNC : 0);
	int e = name_msg(&m, MEM_SHM_OPEN, 1, name);
	if (e == ERR_OK)
		e = __strata_call(mem_ep(), &m);
	if (e != ERR_OK) {
		errno = shm_errno(e);
		return -1;
	}
	fds[slot].id = m.w[0];
	fds[slot].writable = (oflag & O_ACCMODE) == O_RDWR;
	return SHM_FD_BASE + slot;
}

int shm_unlink(const char *name)
{
	struct msg m = {.w = {0}};
	int e = name_msg(&m, MEM_SHM_UNLINK, 0, name);

	if (e == ERR_OK)
		e = __strata_call(mem_ep(), &m);
	if (e != ERR_OK) {
		errno = shm_errno(e);
		return -1;
	}
	return 0;
}

/* The object's size (bytes = MEM_SHM_ASK) or a new one; ERR_NOENT once it is gone. */
static int shm_size(int slot, uint64_t bytes, uint64_t *out)
{
	struct msg m = {.tag = msg_tag(MEM_SHM_SIZE, 2, 0), .w = {fds[slot].id, bytes}};
	int e = __strata_call(mem_ep(), &m);

	if (e == ERR_OK)
		*out = m.w[1];
	return e;
}

int __strata_shm_close(int slot)
{
	fds[slot].id = 0;
	return 0;
}

int __strata_shm_truncate(int slot, long len)
{
	uint64_t size;

	if (len < 0)
		return __strata_fail(ERR_INVALID);
	if (!fds[slot].writable)
		return __strata_fail(ERR_INVALID); /* EINVAL: not open for writing */
	int e = shm_size(slot, (uint64_t)len, &size);
	return e == ERR_OK ? 0 : (errno = e == ERR_NOENT ? EBADF : __strata_errno(e), -1);
}

int __strata_shm_fstat(int slot, struct stat *st)
{
	uint64_t size;
	int e = shm_size(slot, MEM_SHM_ASK, &size);

	if (e != ERR_OK)
		return (errno = e == ERR_NOENT ? EBADF : __strata_errno(e), -1);
	memset(st, 0, sizeof(*st));
	st->st_mode = S_IFREG | 0666;
	st->st_size = (off_t)size;
	st->st_nlink = 1;
	st->st_blksize = 4096;
	st->st_blocks = (blkcnt_t)((size + 511) / 512);
	return 0;
}

void *__strata_shm_map(int slot, void *addr, size_t len, int prot, int flags, long off)
{
	if (!(flags & MAP_SHARED) || off < 0) {
		errno = (flags & MAP_PRIVATE) ? ENOTSUP : EINVAL;
		return MAP_FAILED;
	}
	if ((prot & PROT_WRITE) && !fds[slot].writable) {
		errno = EACCES;
		return MAP_FAILED;
	}
	struct msg m = {.tag = msg_tag(MEM_MMAP, 6, 0),
			.w = {(uintptr_t)addr, len, (unsigned)prot,
			      MEM_MMAP_OBJECT | ((flags & MAP_FIXED) ? MEM_MMAP_FIXED : 0) |
				  (fds[slot].writable ? 0 : MEM_MMAP_RDONLY),
			      fds[slot].id}};
	__strata_ipcbuf()->words[5] = (uint64_t)off;
	int e = __strata_call(mem_ep(), &m);
	if (e != ERR_OK) {
		errno = e == ERR_NOENT ? EBADF : __strata_errno(e);
		return MAP_FAILED;
	}
	return (void *)m.w[0];
}
