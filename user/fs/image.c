/*
 * FS_PROC_IMAGE: proc loads a program from the file system. The first step
 * says how large the file is, so that proc allocates the frame (and pays
 * for it); the second reads the file into that frame, mapped in fs for the
 * copy. proc then lends the frame to mem, which fills the program's pages
 * from it as it does from the initrd.
 */
#include "user/fs/fs.h"

#include "lib/user/syscall.h"
#include "lib/user/ulib.h"

#define COPY_CHUNK (64u << 10)

/* The file a request names, checked: a regular file of at most FS_IMAGE_MAX bytes. */
static int image_file(const struct msg *m, struct walk *w, struct fs_stat *st)
{
	int e = path_stat_msg(m, w, st);

	if (e == 0 && (st->mode & FS_S_IFMT) != FS_S_IFREG)
		e = -FS_EACCES;
	if (e == 0 && st->size > FS_IMAGE_MAX)
		e = -FS_ENOEXEC;
	return e;
}

/*
 * Read the first size bytes of the file into the frame (bytes long, 0: the
 * whole frame); the frame handle is closed.
 */
static int64_t read_into(struct walk *w, uint64_t size, handle_t frame, uint64_t bytes)
{
	uint64_t pages = 0, pa = 0, got = 0;
	int64_t r = 0;

	if (sys_frame_info(frame, &pages, &pa) != ERR_OK || bytes > pages * PAGE)
		r = -FS_EINVAL;
	else if (size > (bytes ? bytes : pages * PAGE))
		r = -FS_EFBIG;
	uint64_t va = r == 0 ? uvm_reserve(pages * PAGE) : 0;
	if (r == 0 &&
	    (!va || sys_space_map(uenv.space, va, frame, 0, pages, PROT_R | PROT_W) != ERR_OK))
		r = -FS_EINVAL;
	while (r == 0 && got < size) {
		uint64_t n = size - got < COPY_CHUNK ? size - got : COPY_CHUNK;
		int64_t k = w->mnt->ops->read(w->mnt->priv, w->ino, got, (uint8_t *)va + got, n);
		if (k <= 0)
			r = k < 0 ? k : -FS_EIO; /* the file shrank under us: say so */
		else
			got += (uint64_t)k;
	}
	if (va)
		sys_space_unmap(uenv.space, va, pages * PAGE);
	sys_handle_close(frame);
	return r == 0 ? (int64_t)got : r;
}

int64_t do_proc_image(struct msg *m)
{
	static struct walk w;
	struct fs_stat st;
	handle_t frame = msg_handles(m->tag) == 1 ? FS_IPCBUF->handles[0] : 0;
	int e = msg_words(m->tag) > FS_PATH_WORD ? image_file(m, &w, &st) : -FS_EINVAL;

	if (e == 0 && m->w[0] == 0 && !frame)
		return (int64_t)st.size;
	if (e == 0 && frame)
		return read_into(&w, st.size, frame, m->w[0]);
	if (frame)
		sys_handle_close(frame);
	return e ? e : -FS_EINVAL;
}

/*
 * FS_PROC_MAP: a program mapped from the page cache (its text shared by
 * every process that runs it): its mapping object, and its head read into
 * proc's frame for proc to check the ELF headers.
 */
int64_t do_proc_map(struct msg *m)
{
	static struct walk w;
	struct fs_stat st;
	handle_t frame = msg_handles(m->tag) == 1 ? FS_IPCBUF->handles[0] : 0;
	uint64_t id = 0, pages = 0, pa = 0;
	int e = frame && msg_words(m->tag) > FS_PATH_WORD ? image_file(m, &w, &st) : -FS_EINVAL;

	if (e == 0 && sys_frame_info(frame, &pages, &pa) != ERR_OK)
		e = -FS_EINVAL;
	if (e == 0)
		e = map_proc_ref(w.mnt, w.ino, &id);
	if (e) {
		if (frame)
			sys_handle_close(frame);
		return e;
	}
	int64_t r = read_into(&w, st.size < pages * PAGE ? st.size : pages * PAGE, frame, 0);
	if (r < 0) {
		map_unref(id);
		return r;
	}
	m->w[1] = st.size;
	fs_reply_words = 2;
	return (int64_t)id;
}
