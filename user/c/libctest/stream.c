/*
 * Streams on files under /tmp: writing and reading back, positioning,
 * fgets/fputs/ungetc, the end-of-file and error indicators, buffering
 * modes seen through the file's size (stat) while the stream is open,
 * the "a", "r+" and "w+" modes, remove and rename.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "user/c/libctest/libctest.h"

#define TEXT  "/tmp/libctest-text"
#define DATA  "/tmp/libctest-data"
#define OTHER "/tmp/libctest-other"

/* The file's size on the file system (what reached it), or -1. */
static long size_of(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 ? (long)st.st_size : -1;
}

static unsigned char pattern(long i)
{
	return (unsigned char)(i * 7 + (i >> 8));
}

static void text(void)
{
	char line[32];
	FILE *f = fopen(TEXT, "w");

	REQUIRE(f != NULL);
	CHECK(fputs("first line\n", f) >= 0);
	CHECK(fprintf(f, "%s %d\n", "second", 2) == 9);
	CHECK(fputc('x', f) == 'x');
	CHECK(fputs("yz", f) >= 0); /* no newline at the end */
	CHECK(fclose(f) == 0);
	CHECK(size_of(TEXT) == 23);

	f = fopen(TEXT, "r");
	REQUIRE(f != NULL);
	CHECK(fgets(line, sizeof(line), f) == line);
	CHECK_STR(line, "first line\n");
	CHECK(fgets(line, 4, f) == line); /* at most size - 1 characters */
	CHECK_STR(line, "sec");
	CHECK(fgets(line, sizeof(line), f) == line);
	CHECK_STR(line, "ond 2\n");
	CHECK(fgets(line, sizeof(line), f) == line);
	CHECK_STR(line, "xyz");
	CHECK(feof(f));
	strcpy(line, "keep");
	CHECK(fgets(line, sizeof(line), f) == NULL);
	CHECK_STR(line, "keep"); /* unchanged at end of file with nothing read */
	CHECK(fgetc(f) == EOF && feof(f) && !ferror(f));
	clearerr(f);
	CHECK(!feof(f) && !ferror(f));
	/* ungetc: pushed back characters come first; it clears end of file. */
	rewind(f);
	CHECK(fgets(line, 1, f) == line && line[0] == 0); /* room for the NUL only */
	CHECK(fgetc(f) == 'f');
	CHECK(ungetc('F', f) == 'F');
	CHECK(fgetc(f) == 'F' && fgetc(f) == 'i');
	CHECK(ungetc(EOF, f) == EOF);
	CHECK(fseek(f, 0, SEEK_END) == 0 && fgetc(f) == EOF && feof(f));
	CHECK(ungetc('!', f) == '!' && !feof(f));
	CHECK(fgetc(f) == '!' && fgetc(f) == EOF);
	/* fscanf on a stream. */
	int n = 0;
	char word[16];
	rewind(f);
	CHECK(fscanf(f, "%s line second %d", word, &n) == 2 && n == 2);
	CHECK_STR(word, "first");
	/* A read-only stream refuses writes; POSIX (fputc, EBADF) also sets the error indicator. */
	CHECK(fputc('w', f) == EOF);
	DEVIATION("picolibc 1.8 leaves the error indicator clear (POSIX, not C11)",
		  CHECK(ferror(f)));
	clearerr(f);
	CHECK(!ferror(f));
	CHECK(fclose(f) == 0);
}

static void binary(void)
{
	static unsigned char out[10000], in[10000];
	FILE *f = fopen(DATA, "wb");

	for (long i = 0; i < (long)sizeof(out); i++)
		out[i] = pattern(i);
	REQUIRE(f != NULL);
	CHECK(fwrite(out, 1, sizeof(out), f) == sizeof(out));
	CHECK(ftell(f) == 10000);
	CHECK(fwrite(out, 100, 0, f) == 0);
	CHECK(fclose(f) == 0);
	CHECK(size_of(DATA) == 10000);

	f = fopen(DATA, "rb");
	REQUIRE(f != NULL);
	CHECK(fread(in, 1, sizeof(in), f) == sizeof(in));
	CHECK(memcmp(in, out, sizeof(in)) == 0);
	CHECK(fread(in, 1, 1, f) == 0 && feof(f));
	CHECK(fseek(f, 5000, SEEK_SET) == 0 && ftell(f) == 5000 && !feof(f));
	CHECK(fread(in, 1, 10, f) == 10 && memcmp(in, out + 5000, 10) == 0);
	CHECK(fseek(f, -20, SEEK_CUR) == 0 && ftell(f) == 4990);
	CHECK(fread(in, 1, 1, f) == 1 && in[0] == out[4990]);
	CHECK(fseek(f, -10, SEEK_END) == 0 && ftell(f) == 9990);
	/* A short read at the end: whole elements only. */
	CHECK(fread(in, 4, 5, f) == 2 && feof(f) && memcmp(in, out + 9990, 8) == 0);
	rewind(f);
	CHECK(ftell(f) == 0 && !feof(f));
	CHECK(fread(in, 1000, 3, f) == 3 && memcmp(in, out, 3000) == 0);
	CHECK(fgetc(f) == out[3000]);
	CHECK(fseek(f, -1, SEEK_SET) != 0); /* before the start */
	CHECK(fclose(f) == 0);
}

static void modes(void)
{
	char buf[32] = "";
	FILE *f;

	/* "a": every write goes to the end, wherever the position was put. */
	f = fopen(OTHER, "w");
	REQUIRE(f != NULL);
	CHECK(fputs("abc", f) >= 0 && fclose(f) == 0);
	f = fopen(OTHER, "a");
	REQUIRE(f != NULL);
	CHECK(fputs("def", f) >= 0);
	CHECK(fseek(f, 0, SEEK_SET) == 0);
	CHECK(fputs("ghi", f) >= 0);
	CHECK(fclose(f) == 0);
	f = fopen(OTHER, "r");
	REQUIRE(f != NULL);
	CHECK(fread(buf, 1, sizeof(buf) - 1, f) == 9);
	CHECK_STR(buf, "abcdefghi");
	CHECK(fclose(f) == 0);

	/* "r+": read, then write in place after a positioning call; the file keeps its length. */
	f = fopen(OTHER, "r+");
	REQUIRE(f != NULL);
	CHECK(fgetc(f) == 'a' && fgetc(f) == 'b');
	CHECK(fseek(f, 0, SEEK_CUR) == 0);
	CHECK(fputs("XY", f) >= 0);
	CHECK(fflush(f) == 0);
	CHECK(size_of(OTHER) == 9);
	rewind(f);
	memset(buf, 0, sizeof(buf));
	CHECK(fread(buf, 1, sizeof(buf) - 1, f) == 9);
	CHECK_STR(buf, "abXYefghi");
	CHECK(fclose(f) == 0);

	/* "w+": truncates, reads back what it wrote. */
	f = fopen(OTHER, "w+");
	REQUIRE(f != NULL);
	CHECK(size_of(OTHER) == 0);
	CHECK(fputs("new", f) >= 0);
	rewind(f);
	CHECK(fgets(buf, sizeof(buf), f) == buf);
	CHECK_STR(buf, "new");
	CHECK(fclose(f) == 0);

	/* "r" on a file that is not there: NULL and ENOENT. */
	errno = 0;
	CHECK(fopen("/tmp/libctest-no-such-file", "r") == NULL && errno == ENOENT);
}

static void buffering(void)
{
	static char fbuf[256], chunk[200];
	FILE *f = fopen(TEXT, "w");

	REQUIRE(f != NULL);
	/* Line buffered: nothing reaches the file until a newline. */
	CHECK(setvbuf(f, NULL, _IOLBF, 64) == 0);
	CHECK(fputs("abc", f) >= 0);
	CHECK(size_of(TEXT) == 0);
	CHECK(fputs("d\nef", f) >= 0);
	CHECK(size_of(TEXT) == 5);
	CHECK(fflush(f) == 0);
	CHECK(size_of(TEXT) == 7);
	CHECK(fclose(f) == 0);

	/* Unbuffered: each character at once. */
	f = fopen(TEXT, "w");
	REQUIRE(f != NULL);
	CHECK(setvbuf(f, NULL, _IONBF, 0) == 0);
	CHECK(fputc('a', f) == 'a');
	CHECK(size_of(TEXT) == 1);
	CHECK(fputs("bc", f) >= 0);
	CHECK(size_of(TEXT) == 3);
	CHECK(fclose(f) == 0);

	/*
	 * Fully buffered in our own 256 bytes: nothing until it is full,
	 * newlines or not. (glibc writes through when its buffer is under
	 * 128 bytes; C11 7.21.3p3 only says "intended", so the buffer is big.)
	 */
	memset(chunk, 'z', sizeof(chunk));
	chunk[10] = '\n';
	f = fopen(TEXT, "w");
	REQUIRE(f != NULL);
	CHECK(setvbuf(f, fbuf, _IOFBF, sizeof(fbuf)) == 0);
	CHECK(fwrite(chunk, 1, 200, f) == 200);
	CHECK(size_of(TEXT) == 0);
	CHECK(fwrite(chunk, 1, 100, f) == 100);
	CHECK(size_of(TEXT) >= 256 && size_of(TEXT) < 300);
	CHECK(fclose(f) == 0); /* fclose flushes */
	CHECK(size_of(TEXT) == 300);

	/* fflush(NULL) flushes every output stream, fopen'ed ones too. */
	f = fopen(TEXT, "w");
	REQUIRE(f != NULL);
	CHECK(fputs("pending", f) >= 0 && size_of(TEXT) == 0);
	CHECK(fflush(NULL) == 0 && size_of(TEXT) == 7);
	CHECK(fclose(f) == 0);
}

static void names(void)
{
	FILE *f = fopen(OTHER, "w");
	char buf[8] = "";

	REQUIRE(f != NULL);
	CHECK(fputs("moved", f) >= 0 && fclose(f) == 0);
	CHECK(rename(OTHER, DATA) == 0); /* replaces DATA */
	CHECK(size_of(OTHER) == -1);
	f = fopen(DATA, "r");
	REQUIRE(f != NULL);
	CHECK(fgets(buf, sizeof(buf), f) == buf);
	CHECK_STR(buf, "moved");
	CHECK(fclose(f) == 0);
	CHECK(remove(DATA) == 0 && size_of(DATA) == -1);
	CHECK(remove(TEXT) == 0);
	errno = 0;
	CHECK(remove(TEXT) != 0 && errno == ENOENT);
	errno = 0;
	CHECK(rename(TEXT, OTHER) != 0 && errno == ENOENT);
}

void test_stream(void)
{
	text();
	binary();
	modes();
	buffering();
	names();
}
