/*
 * Names for servers that ordinary processes start (/srv): a process
 * publishes an endpoint (or a notification) under a name, and any process
 * that looks the name up gets a copy it can call (or signal) but not
 * receive on (WRITE|GRANT). This is how a pager started from the shell
 * meets its clients, and how the two ends of a shared-memory ring wake
 * each other. A name lasts until its process withdraws it or ends.
 */
#include "user/proc/proc.h"

#include "lib/error.h"
#include "lib/str.h"
#include "lib/user/msgbytes.h"
#include "lib/user/syscall.h"

#define SRV_MAX 16

static struct srv_name {
	char name[PROC_SRV_NAME_MAX + 1]; /* "": free */
	handle_t ep;
	int32_t pid;
} names[SRV_MAX];

/* The name in w0 (its length) and the bytes from word 1; ERR_INVALID unless it is a fine name. */
static int name_get(const struct msg *m, char *out)
{
	return msgbytes_get_name(m, IPCBUF, 0, out, PROC_SRV_NAME_MAX) ? ERR_OK : ERR_INVALID;
}

static struct srv_name *find(const char *name)
{
	for (unsigned i = 0; i < SRV_MAX; i++)
		if (names[i].name[0] && strcmp(names[i].name, name) == 0)
			return &names[i];
	return 0;
}

static void forget(struct srv_name *s)
{
	sys_handle_close(s->ep);
	*s = (struct srv_name){0};
}

void srv_forget_pid(int32_t pid)
{
	for (unsigned i = 0; i < SRV_MAX; i++)
		if (names[i].name[0] && names[i].pid == pid)
			forget(&names[i]);
}

bool srv_published(int32_t pid)
{
	for (unsigned i = 0; i < SRV_MAX; i++)
		if (names[i].name[0] && names[i].pid == pid)
			return true;
	return false;
}

/* Is h an endpoint others may call, or a notification they may signal? */
static bool publishable(handle_t h)
{
	unsigned type = 0;
	uint32_t rights = 0;

	return h > 0 && sys_handle_info(h, &type, &rights) == ERR_OK &&
	       (type == OBJ_ENDPOINT || type == OBJ_NOTIFY) && (rights & RIGHT_WRITE) &&
	       (rights & RIGHT_GRANT);
}

/* PROC_SRV_PUBLISH; ep (handles[0], or 0) is proc's now: kept, or closed on error. */
int do_srv_publish(int32_t caller, struct msg *m, handle_t ep)
{
	char name[PROC_SRV_NAME_MAX + 1];
	struct srv_name *s = 0;
	int e = name_get(m, name);

	if (e == ERR_OK && !publishable(ep))
		e = ERR_INVALID;
	if (e == ERR_OK && find(name))
		e = ERR_EXISTS;
	for (unsigned i = 0; e == ERR_OK && !s && i < SRV_MAX; i++)
		if (!names[i].name[0])
			s = &names[i];
	if (e == ERR_OK && !s)
		e = ERR_FULL;
	if (e != ERR_OK) {
		if (ep > 0)
			sys_handle_close(ep);
		return e;
	}
	str_copy(s->name, name, sizeof(s->name));
	s->ep = ep;
	s->pid = caller;
	*m = (struct msg){.tag = msg_tag(PROC_SRV_PUBLISH, 0, 0)};
	return ERR_OK;
}

int do_srv_lookup(struct msg *m)
{
	char name[PROC_SRV_NAME_MAX + 1];
	int e = name_get(m, name);
	struct srv_name *s = e == ERR_OK ? find(name) : 0;

	if (e != ERR_OK)
		return e;
	if (!s)
		return ERR_NOENT;
	IPCBUF->handles[0] = s->ep;
	IPCBUF->handle_rights[0] = RIGHT_WRITE | RIGHT_GRANT;
	*m = (struct msg){.tag = msg_tag(PROC_SRV_LOOKUP, 0, 1)};
	return ERR_OK;
}

/* PROC_SRV_WITHDRAW: the caller's own name goes. */
int do_srv_withdraw(int32_t caller, struct msg *m)
{
	char name[PROC_SRV_NAME_MAX + 1];
	int e = name_get(m, name);
	struct srv_name *s = e == ERR_OK ? find(name) : 0;

	if (e != ERR_OK)
		return e;
	if (!s || s->pid != caller)
		return ERR_NOENT;
	forget(s);
	*m = (struct msg){.tag = msg_tag(PROC_SRV_WITHDRAW, 0, 0)};
	return ERR_OK;
}

int do_srv_list(struct msg *m)
{
	char text[MSGBYTES_MAX(1)];
	size_t n = 0;

	for (unsigned i = 0; i < SRV_MAX; i++) {
		size_t len = strlen(names[i].name);
		if (!len || n + len + 1 > sizeof(text))
			continue;
		memcpy(text + n, names[i].name, len);
		n += len;
		text[n++] = '\n';
	}
	*m = (struct msg){.tag = 0, .w = {n}};
	unsigned words = msgbytes_put(m, IPCBUF, 1, text, n);
	m->tag = msg_tag(PROC_SRV_LIST, words, 0);
	return ERR_OK;
}
