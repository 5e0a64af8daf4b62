/*
 * stdio where picolibc's tinystdio (1.8) falls short of the standard and
 * our glue can make up for it (user/c/libctest finds these):
 * - fgets returns NULL, with the array unterminated, when the end of the
 *   file comes after some characters: a last line without '\n' is lost.
 *   C11 7.21.7.2 returns the characters read. Ours replaces picolibc's.
 * - fflush(NULL) dereferences NULL; C11 7.21.5.2 flushes every output
 *   stream. Ours replaces picolibc's, and fdopen and fclose are wrapped
 *   (-Wl,--wrap in the Makefile's LIBC_LDFLAGS) to keep the list of
 *   streams they made: fopen and popen go through fdopen.
 * - setenv("", ...) succeeds; POSIX refuses an empty name with EINVAL, as
 *   it refuses one holding '=' (which picolibc does). setenv is wrapped.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

FILE *__real_fdopen(int fd, const char *mode);
int __real_fclose(FILE *f);
int __real_setenv(const char *name, const char *value, int overwrite);

/* The streams fdopen made and fclose has not closed, newest first. */
struct stream {
	FILE *f;
	struct stream *next;
};
static struct stream *streams;

/*
 * At most size - 1 characters, up to and including a newline; then a
 * NUL. NULL if the end of file came before any character, or on a read
 * error (the array's contents are then indeterminate).
 */
char *fgets(char *s, int size, FILE *f)
{
	int n = 0, c = 0;

	if (size <= 0)
		return NULL;
	while (n < size - 1 && c != '\n') {
		c = getc(f);
		if (c == EOF) {
			if (n == 0 || ferror(f))
				return NULL;
			break;
		}
		s[n++] = (char)c;
	}
	s[n] = '\0';
	return s;
}

/* One stream as picolibc's fflush does it; NULL: stdout, stderr and every fdopen'ed stream. */
int fflush(FILE *f)
{
	int r = 0;

	if (f)
		return f->flush ? f->flush(f) : 0;
	if (fflush(stdout) != 0 || fflush(stderr) != 0)
		r = EOF;
	for (struct stream *s = streams; s; s = s->next)
		if (fflush(s->f) != 0)
			r = EOF;
	return r;
}

/* picolibc's fdopen, the stream remembered for fflush(NULL). Fails with ENOMEM if it cannot be. */
FILE *__wrap_fdopen(int fd, const char *mode)
{
	struct stream *s = malloc(sizeof(*s));
	FILE *f;

	if (!s) {
		errno = ENOMEM;
		return NULL;
	}
	f = __real_fdopen(fd, mode);
	if (!f) {
		free(s);
		return NULL;
	}
	s->f = f;
	s->next = streams;
	streams = s;
	return f;
}

/* picolibc's fclose, the stream forgotten first (stdin, stdout and stderr were never listed). */
int __wrap_fclose(FILE *f)
{
	for (struct stream **p = &streams; *p; p = &(*p)->next)
		if ((*p)->f == f) {
			struct stream *s = *p;
			*p = s->next;
			free(s);
			break;
		}
	return __real_fclose(f);
}

int __wrap_setenv(const char *name, const char *value, int overwrite)
{
	if (!name || !*name || strchr(name, '=')) {
		errno = EINVAL;
		return -1;
	}
	return __real_setenv(name, value, overwrite);
}
