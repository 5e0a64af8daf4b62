/* Starting the servers from the initrd: see servers.c. */
#ifndef STRATA_USER_ROOT_SERVERS_H
#define STRATA_USER_ROOT_SERVERS_H

#include "lib/user/loader.h"
#include "lib/user/ustart.h"

/* A handle root gives a server: root's handle, the rights the server gets, and where it goes. */
struct grant {
	handle_t h;
	uint32_t rights;
	size_t field; /* offsetof(struct ustart, ...) of the handle_t it fills */
};

struct server {
	const char *name;
	struct uprocess p;
	int dead_reported;
};

/*
 * Load server `name` from the initrd in a new space paid for by a quota of
 * quota_bytes split from root's, give it the handles in grants[0..n), write
 * its struct ustart (template *us with the handle fields filled in) and
 * start it at priority prio with its IPC buffer at USTART_IPCBUF. On error
 * nothing is left running and the error is returned (the message printed).
 */
int server_start(struct server *s, const struct initrd *rd, const char *name, uint64_t quota_bytes,
		 unsigned prio, const struct grant *grants, unsigned n, struct ustart *us);

#endif
