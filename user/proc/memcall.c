/*
 * Requests to mem, through proc's handle with the admin badge. mem answers
 * at once and never calls proc, so proc may call it while it owes a
 * process a reply. Each wrapper returns ERR_OK or the error: the IPC
 * error, mem's error reply, or ERR_CORRUPT for a reply that makes no sense.
 */
#include "user/proc/proc.h"

#include "lib/error.h"
#include "lib/user/msgbytes.h"

/* Call mem with *m; the reply replaces *m. */
static int mem_call(struct msg *m)
{
	unsigned label = msg_label(m->tag);
	int e = ipc_call(env.mem_admin, m);

	if (e != ERR_OK)
		return e;
	/* mem sends no handles; should one come anyway, it must not pile up in our table. */
	for (unsigned i = 0; i < msg_handles(m->tag); i++)
		if (IPCBUF->handles[i] > 0)
			sys_handle_close(IPCBUF->handles[i]);
	if (msg_error(m->tag) != 0)
		return msg_error(m->tag) < 0 ? msg_error(m->tag) : ERR_INVALID;
	if (msg_label(m->tag) != label || msg_handles(m->tag) != 0)
		return ERR_CORRUPT;
	return ERR_OK;
}

/* Send space (with the rights mem needs to manage it) to mem as handles[0]. */
static void put_space(handle_t space)
{
	IPCBUF->handles[0] = space;
	IPCBUF->handle_rights[0] = RIGHT_MANAGE | RIGHT_MAP | RIGHT_READ;
}

/* A request that hands mem a space and gets a memory-space id back. */
static int call_with_space(struct msg *m, handle_t space, uint64_t *vs)
{
	put_space(space);
	int e = mem_call(m);
	if (e == ERR_OK && (msg_words(m->tag) < 1 || m->w[0] == 0))
		e = ERR_CORRUPT;
	if (e == ERR_OK)
		*vs = m->w[0];
	return e;
}

int mem_vs_create(handle_t space, uint64_t limit, uint64_t *vs)
{
	struct msg m = {.tag = msg_tag(MEM_VS_CREATE, 1, 1), .w = {limit}};

	return call_with_space(&m, space, vs);
}

int mem_vs_fork(uint64_t parent, handle_t space, uint64_t *vs)
{
	struct msg m = {.tag = msg_tag(MEM_VS_FORK, 1, 1), .w = {parent}};

	return call_with_space(&m, space, vs);
}

int mem_vs_reset(uint64_t vs)
{
	struct msg m = {.tag = msg_tag(MEM_VS_RESET, 1, 0), .w = {vs}};

	return mem_call(&m);
}

int mem_image(uint64_t vs, handle_t frame, uint64_t bytes)
{
	struct msg m = {.tag = msg_tag(MEM_IMAGE, 2, 1), .w = {vs, bytes}};

	IPCBUF->handles[0] = frame;
	IPCBUF->handle_rights[0] = RIGHT_READ | RIGHT_MAP;
	return mem_call(&m);
}

int mem_image_file(uint64_t vs, uint64_t id, uint64_t bytes)
{
	struct msg m = {.tag = msg_tag(MEM_IMAGE_FILE, 3, 0), .w = {vs, id, bytes}};

	return mem_call(&m);
}

int mem_vs_destroy(uint64_t vs)
{
	struct msg m = {.tag = msg_tag(MEM_VS_DESTROY, 1, 0), .w = {vs}};

	return mem_call(&m);
}

int mem_map(uint64_t vs, uint64_t va, uint64_t len, unsigned prot_kind, uint64_t off,
	    uint64_t bytes)
{
	struct msg m = {.tag = msg_tag(MEM_MAP, 6, 0), .w = {vs, va, len, prot_kind, off}};

	IPCBUF->words[5] = bytes;
	return mem_call(&m);
}

int mem_heap_init(uint64_t vs, uint64_t base)
{
	struct msg m = {.tag = msg_tag(MEM_HEAP_INIT, 2, 0), .w = {vs, base}};

	return mem_call(&m);
}

/* Write n bytes at va in vs, in as many MEM_POKE requests as they need. */
int mem_poke(uint64_t vs, uint64_t va, const void *src, size_t n)
{
	const uint8_t *b = src;

	while (n > 0) {
		size_t k = n < MSGBYTES_MAX(3) ? n : MSGBYTES_MAX(3);
		struct msg m = {.w = {vs, va, k}};
		unsigned words = msgbytes_put(&m, IPCBUF, 3, b, k);

		m.tag = msg_tag(MEM_POKE, words, 0);
		int e = mem_call(&m);
		if (e != ERR_OK)
			return e;
		b += k;
		va += k;
		n -= k;
	}
	return ERR_OK;
}

/* Call mem with *m; the reply carries n bytes (a statistics structure) for out. */
static int call_for_bytes(struct msg *m, void *out, size_t n)
{
	int e = mem_call(m);

	if (e == ERR_OK && !msgbytes_fit(m->tag, 0, n))
		e = ERR_CORRUPT;
	if (e == ERR_OK)
		msgbytes_get(m, IPCBUF, 0, out, n);
	return e;
}

int mem_vs_stats(uint64_t vs, struct mem_vs_stats *out)
{
	struct msg m = {.tag = msg_tag(MEM_VS_STATS, 1, 0), .w = {vs}};

	return call_for_bytes(&m, out, sizeof(*out));
}

uint64_t mem_vs_swapout(uint64_t vs, uint64_t most)
{
	struct msg m = {.tag = msg_tag(MEM_VS_SWAPOUT, 2, 0), .w = {vs, most}};

	return mem_call(&m) == ERR_OK ? m.w[0] : 0;
}

int mem_stats(struct mem_stats *out)
{
	struct msg m = {.tag = msg_tag(MEM_STATS, 0, 0)};

	return call_for_bytes(&m, out, sizeof(*out));
}
