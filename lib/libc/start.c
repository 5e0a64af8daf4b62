/*
 * Program start for Strata C programs: find the start-up page, set up
 * environ, run the constructors and main.
 */
#include <stdint.h>
#include <stdlib.h>

#include "lib/libc/sys.h"

struct ustart *__strata_us;
extern char **environ;

extern void __libc_init_array(void);
extern int main(int argc, char **argv, char **envp);

/*
 * Called by crt0.S with the thread's start-up argument: USTART_VA for a
 * program proc started (struct ustart there), anything else for a program
 * started without servers (root's loader, tests), which then gets no
 * arguments and writes to the kernel console.
 */
void __strata_main(uint64_t arg)
{
	static char *no_args[] = {0};
	int argc = 0;
	char **argv = no_args, **envp = no_args;

	if (arg == USTART_VA && ((struct ustart *)arg)->magic == USTART_MAGIC) {
		__strata_us = (struct ustart *)arg;
		argc = __strata_us->argc;
		argv = (char **)__strata_us->argv;
		envp = (char **)__strata_us->envp;
	}
	environ = envp;
	__libc_init_array();
	exit(main(argc, argv, envp));
}
