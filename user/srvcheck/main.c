/*
 * srvcheck: a server for the test of root's `server=NAME`. It checks what
 * root gave it — its role, its own space, thread and quota, the console
 * endpoint to call, and none of the other servers' handles — prints the
 * result and then ends on purpose with status 3, so the test can see root
 * report a server that died (and not restart it).
 */
#include "lib/user/syscall.h"
#include "lib/user/ulib.h"
#include "lib/user/ustart.h"

#define DIED_ON_PURPOSE 3

/* Does h name an object of type `type` with at least `rights`? */
static int holds(handle_t h, unsigned type, uint32_t rights)
{
	unsigned t = 0;
	uint32_t r = 0;

	return h && sys_handle_info(h, &t, &r) == ERR_OK && t == type && (r & rights) == rights;
}

int main(const struct ustart *us)
{
	int ok = us->magic == USTART_MAGIC && us->role == ROLE_SERVER &&
		 holds(us->self_space, OBJ_SPACE, RIGHT_MANAGE | RIGHT_MAP) &&
		 holds(us->self_thread, OBJ_THREAD, RIGHT_MANAGE) &&
		 holds(us->quota, OBJ_QUOTA, RIGHT_MANAGE) &&
		 holds(us->con, OBJ_ENDPOINT, RIGHT_WRITE) &&
		 !holds(us->con, OBJ_ENDPOINT, RIGHT_READ) && !us->mem && !us->proc &&
		 !us->system && !us->initrd && !us->serve;

	uprintf("srvcheck: start-up page and handles %s\n", ok ? "as expected" : "WRONG");
	return DIED_ON_PURPOSE;
}
