/*
 * Directories for Strata's C library (picolibc's own <sys/dirent.h> says
 * "not supported"): opendir, readdir and closedir over fs's FS_READDIR
 * (lib/libc/dir.c).
 */
#ifndef STRATA_LIBC_SYS_DIRENT_H
#define STRATA_LIBC_SYS_DIRENT_H

#include <sys/types.h>

#define DT_UNKNOWN 0
#define DT_DIR	   4
#define DT_REG	   8

struct dirent {
	ino_t d_ino;
	unsigned char d_type; /* DT_REG, DT_DIR, DT_UNKNOWN */
	char d_name[256];
};

typedef struct __strata_dir DIR;

#endif
