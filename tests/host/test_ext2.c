/*
 * Host tests for lib/ext2/. Images are made at test time by mke2fs (from a
 * directory tree with -d where a test reads files it did not write), changed
 * through the library over a file-backed device (tests/host/ext2dev.h), and
 * then checked by `e2fsck -fn`, which must find nothing to fix. Work files
 * live in build/ext2-tests/ (removed when every test passed). Run from the
 * repository root.
 */
#include "lib/ext2/ext2.h"

#include <stdarg.h>
#include <stdint.h>
#include <string.h>

#include "tests/host/check.h"
#include "tests/host/ext2dev.h"

static char work[256];

/* Runs a shell command (formatted); returns its exit status. */
static int sh(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int sh(const char *fmt, ...)
{
	char cmd[1024];
	va_list ap;
	int st;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	st = system(cmd);
	return st == -1 ? -1 : WEXITSTATUS(st);
}

static const char *wpath(const char *name)
{
	static char p[4][512];
	static int i;

	i = (i + 1) % 4;
	snprintf(p[i], sizeof(p[i]), "%s/%s", work, name);
	return p[i];
}

/* mke2fs -t ext2 an image of kib KiB, from directory src if not NULL. */
static int mkimg(const char *img, unsigned bsize, unsigned kib, const char *src, const char *extra)
{
	return sh("mke2fs -q -F -t ext2 -b %u %s%s %s %s %uk >%s/mke2fs.log 2>&1", bsize,
		  src ? "-d " : "", src ? src : "", extra ? extra : "", wpath(img), kib, work);
}

/* e2fsck -fn: 0 if the image is clean; prints the log otherwise. */
static int fsck_clean(const char *img)
{
	int st = sh("e2fsck -fn %s >%s/fsck.log 2>&1", wpath(img), work);

	if (st != 0) {
		char line[256];
		FILE *f = fopen(wpath("fsck.log"), "r");

		printf("    e2fsck exit status %d:\n", st);
		while (f && fgets(line, sizeof(line), f))
			printf("    | %s", line);
		if (f)
			fclose(f);
	}
	return st;
}

struct mnt {
	struct hdev d;
	struct ext2_dev dev;
	struct ext2_fs fs;
};

static int mnt_open(struct mnt *m, const char *img, unsigned flags)
{
	int err;

	if (hdev_open(&m->d, &m->dev, wpath(img)))
		return -100;
	err = ext2_mount(&m->fs, &m->dev, flags);
	if (err)
		hdev_close(&m->d);
	return err;
}

/* Unmounts; 0 if no buffer was left held and the library stayed in its limit. */
static int mnt_close(struct mnt *m)
{
	int err = ext2_unmount(&m->fs);

	hdev_close(&m->d);
	if (m->d.held || m->d.max_held > EXT2_MAX_HELD) {
		printf("    buffers held %d, at most %d\n", m->d.held, m->d.max_held);
		return -101;
	}
	return err;
}

/* The inode at slash-separated path from the root. */
static int walk(struct ext2_fs *fs, const char *path, uint32_t *ino)
{
	*ino = EXT2_ROOT_INO;
	while (*path) {
		size_t n = strcspn(path, "/");
		int err = ext2_lookup(fs, *ino, path, n, ino);

		if (err)
			return err;
		path += n;
		path += *path == '/';
	}
	return 0;
}

static uint8_t pat(uint64_t i, unsigned seed)
{
	return (uint8_t)(i * 31 + seed + (i >> 9) * 7);
}

static void fill(uint8_t *b, size_t n, uint64_t off, unsigned seed)
{
	for (size_t i = 0; i < n; i++)
		b[i] = pat(off + i, seed);
}

/* 1 if n bytes at off of ino hold the pattern seed (or zeros for seed 0). */
static int holds(struct ext2_fs *fs, uint32_t ino, uint64_t off, size_t n, unsigned seed)
{
	uint8_t *b = malloc(n ? n : 1);
	long r = ext2_read(fs, ino, off, b, n);
	int ok = r == (long)n;

	for (size_t i = 0; ok && i < n; i++)
		ok = b[i] == (seed ? pat(off + i, seed) : 0);
	free(b);
	return ok;
}

/* Writes a pattern file of n bytes at path (host side, for mke2fs -d). */
static void host_file(const char *path, size_t n, unsigned seed)
{
	uint8_t *b = malloc(n ? n : 1);
	FILE *f = fopen(path, "wb");

	fill(b, n, 0, seed);
	if (f) {
		fwrite(b, 1, n, f);
		fclose(f);
	}
	free(b);
}

/* ------------------------------------------------------------ reading mke2fs -d trees */

static const char *src_tree(void)
{
	static int made;
	static char src[512];

	snprintf(src, sizeof(src), "%s/src", work);

	if (!made) {
		sh("mkdir -p %s/sub/deeper %s/empty", src, src);
		host_file(wpath("src/small.txt"), 100, 1);
		host_file(wpath("src/big.bin"), 300 * 1024 + 77, 2); /* past the single-indirect */
		host_file(wpath("src/sub/nested.txt"), 5000, 3);
		host_file(wpath("src/sub/deeper/zero"), 0, 4);
		sh("ln -s small.txt %s/fastlink", src);
		sh("ln -s %0100d %s/slowlink", 0, src);
		sh("truncate -s 200000 %s/sparse && printf tail >>%s/sparse", src, src);
		made = 1;
	}
	return src;
}

static void read_tree(unsigned bsize)
{
	struct mnt m;
	uint32_t ino;
	char link[200];
	struct ext2_dirent de;
	uint64_t cookie = 0;
	int names = 0, r;

	CHECK(mkimg("tree.img", bsize, 4096, src_tree(), NULL) == 0);
	CHECK(mnt_open(&m, "tree.img", EXT2_MOUNT_RDONLY) == 0);
	CHECK(walk(&m.fs, "small.txt", &ino) == 0 && holds(&m.fs, ino, 0, 100, 1));
	CHECK(walk(&m.fs, "big.bin", &ino) == 0 && holds(&m.fs, ino, 0, 300 * 1024 + 77, 2));
	CHECK(holds(&m.fs, ino, 300 * 1024 + 77, 0, 2)); /* at the end: nothing */
	CHECK(walk(&m.fs, "sub/nested.txt", &ino) == 0 && holds(&m.fs, ino, 0, 5000, 3));
	CHECK(walk(&m.fs, "sub/deeper/zero", &ino) == 0 && holds(&m.fs, ino, 0, 0, 4));
	CHECK(walk(&m.fs, "sparse", &ino) == 0 && holds(&m.fs, ino, 0, 200000, 0));
	CHECK(ext2_read(&m.fs, ino, 200000, link, 10) == 4 && memcmp(link, "tail", 4) == 0);
	CHECK(walk(&m.fs, "fastlink", &ino) == 0);
	CHECK(ext2_readlink(&m.fs, ino, link, sizeof(link)) == 9 && strcmp(link, "small.txt") == 0);
	CHECK(walk(&m.fs, "slowlink", &ino) == 0);
	CHECK(ext2_readlink(&m.fs, ino, link, sizeof(link)) == 100 && link[99] == '0');
	CHECK(walk(&m.fs, "nothere", &ino) == EXT2_ENOENT && m.fs.why[0]);
	CHECK(walk(&m.fs, "small.txt/x", &ino) == EXT2_ENOTDIR);
	CHECK(ext2_read(&m.fs, EXT2_ROOT_INO, 0, link, 1) == EXT2_EISDIR);
	while ((r = ext2_readdir(&m.fs, EXT2_ROOT_INO, &cookie, &de)) == 1) {
		names++;
		if (strcmp(de.name, "sub") == 0)
			CHECK(de.type == EXT2_FT_DIR);
		if (strcmp(de.name, "fastlink") == 0)
			CHECK(de.type == EXT2_FT_SYMLINK);
	}
	CHECK(r == 0);
	/* . .. lost+found small.txt big.bin sub empty fastlink slowlink sparse */
	CHECKF(names == 10, "%d names", names);
	CHECK(ext2_create(&m.fs, EXT2_ROOT_INO, "x", 1, 0644, 0, 0, &ino) == EXT2_EROFS);
	CHECK(mnt_close(&m) == 0);
	CHECK(fsck_clean("tree.img") == 0);
}

static void read_tree_1k(void)
{
	read_tree(1024);
}
static void read_tree_2k(void)
{
	read_tree(2048);
}
static void read_tree_4k(void)
{
	read_tree(4096);
}

/* ------------------------------------------------------------ writing */

static void create_write_read(void)
{
	struct mnt m;
	uint32_t a, b, ino;
	uint8_t buf[10000];
	struct ext2_inode in;

	CHECK(mkimg("rw.img", 1024, 8192, NULL, NULL) == 0);
	CHECK(mnt_open(&m, "rw.img", 0) == 0);
	CHECK(ext2_create(&m.fs, EXT2_ROOT_INO, "a.txt", 5, 0644, 1000, 1000, &a) == 0);
	CHECK(ext2_create(&m.fs, EXT2_ROOT_INO, "a.txt", 5, 0644, 0, 0, &ino) == EXT2_EEXIST);
	fill(buf, sizeof(buf), 0, 5);
	CHECK(ext2_write(&m.fs, a, 0, buf, sizeof(buf)) == sizeof(buf));
	/* unaligned overwrite in the middle, and an append */
	fill(buf, 3000, 0, 6);
	CHECK(ext2_write(&m.fs, a, 10000, buf, 3000) == 3000);
	CHECK(holds(&m.fs, a, 0, 10000, 5));
	CHECK(ext2_iget(&m.fs, a, &in) == 0 && ext2_isize(&in) == 13000 && in.i_uid == 1000);
	CHECK(in.i_mtime >= 1700000000u && in.i_blocks == 14 * 2); /* 13 data, 1 indirect */
	/* a file with data beyond the direct and single-indirect blocks */
	CHECK(ext2_mkdir(&m.fs, EXT2_ROOT_INO, "d", 1, 0755, 0, 0, &ino) == 0);
	CHECK(ext2_create(&m.fs, ino, "b", 1, 0600, 0, 0, &b) == 0);
	for (uint64_t off = 0; off < 400 * 1024; off += sizeof(buf)) {
		fill(buf, sizeof(buf), off, 7);
		CHECK(ext2_write(&m.fs, b, off, buf, sizeof(buf)) == sizeof(buf));
	}
	CHECK(mnt_close(&m) == 0);
	CHECK(fsck_clean("rw.img") == 0);
	CHECK(mnt_open(&m, "rw.img", EXT2_MOUNT_RDONLY) == 0);
	CHECK(walk(&m.fs, "d/b", &ino) == 0 && ino == b);
	for (uint64_t off = 0; off < 400 * 1024; off += sizeof(buf))
		CHECK(holds(&m.fs, b, off, sizeof(buf), 7));
	CHECK(mnt_close(&m) == 0);
	CHECK(sh("debugfs -R 'cat /a.txt' %s 2>/dev/null | cmp -s -n 10000 - /dev/null; "
		 "test $(debugfs -R 'cat /a.txt' %s 2>/dev/null | wc -c) = 13000",
		 wpath("rw.img"), wpath("rw.img")) == 0);
}

static void large_sparse(void)
{
	struct mnt m;
	uint32_t f;
	uint8_t buf[4096];
	struct ext2_inode in;
	const uint64_t tind = (12 + 256 + 256 * 256) * 1024ull; /* 1 KiB blocks: triple indirect */
	const uint64_t huge = 5ull << 30;

	CHECK(mkimg("big.img", 1024, 4096, NULL, NULL) == 0);
	CHECK(mnt_open(&m, "big.img", 0) == 0);
	CHECK(ext2_create(&m.fs, EXT2_ROOT_INO, "sparse", 6, 0644, 0, 0, &f) == 0);
	fill(buf, sizeof(buf), tind - 100, 8);
	CHECK(ext2_write(&m.fs, f, tind - 100, buf, sizeof(buf)) == sizeof(buf));
	fill(buf, sizeof(buf), huge, 9);
	CHECK(ext2_write(&m.fs, f, huge, buf, sizeof(buf)) == sizeof(buf));
	CHECK(ext2_iget(&m.fs, f, &in) == 0 && ext2_isize(&in) == huge + 4096);
	CHECK(in.i_size_high == 1);
	CHECK(holds(&m.fs, f, 0, 4096, 0) && holds(&m.fs, f, tind - 100, 4096, 8));
	CHECK(holds(&m.fs, f, huge - 4096, 4096, 0) && holds(&m.fs, f, huge, 4096, 9));
	CHECK(mnt_close(&m) == 0);
	CHECK(fsck_clean("big.img") == 0);
	/* shrink below the triple-indirect boundary, then grow again: zeros come back */
	CHECK(mnt_open(&m, "big.img", 0) == 0);
	CHECK(ext2_truncate(&m.fs, f, tind + 50) == 0);
	CHECK(holds(&m.fs, f, tind - 100, 150, 8));
	CHECK(ext2_truncate(&m.fs, f, tind + 4096) == 0);
	CHECK(holds(&m.fs, f, tind + 50, 4046, 0));
	CHECK(ext2_truncate(&m.fs, f, 0) == 0);
	CHECK(ext2_iget(&m.fs, f, &in) == 0 && in.i_blocks == 0 && ext2_isize(&in) == 0);
	CHECK(mnt_close(&m) == 0);
	CHECK(fsck_clean("big.img") == 0);
}

/* ext2_bmap: holes are 0, written blocks are where ext2_read finds them. */
static void bmap_blocks(void)
{
	struct mnt m;
	uint32_t f, p[4];
	uint8_t buf[1024], blk[1024];
	const uint64_t dind = (12 + 256) * 1024ull; /* 1 KiB blocks: double indirect */

	CHECK(mkimg("bmap.img", 1024, 1024, NULL, NULL) == 0);
	CHECK(mnt_open(&m, "bmap.img", 0) == 0);
	CHECK(ext2_create(&m.fs, EXT2_ROOT_INO, "f", 1, 0644, 0, 0, &f) == 0);
	fill(buf, sizeof(buf), 0, 3);
	CHECK(ext2_write(&m.fs, f, 1024, buf, sizeof(buf)) == sizeof(buf));
	CHECK(ext2_write(&m.fs, f, dind + 1024, buf, sizeof(buf)) == sizeof(buf));
	CHECK(ext2_bmap(&m.fs, f, 0, 3, p) == 0);
	CHECK(p[0] == 0 && p[1] != 0 && p[2] == 0);
	CHECK(ext2_bmap(&m.fs, f, dind / 1024, 4, p) == 0);
	CHECK(p[0] == 0 && p[1] != 0 && p[2] == 0 && p[3] == 0);
	CHECK(ext2_bmap(&m.fs, f, 0xffffffffull, 2, p) == 0 && p[0] == 0 && p[1] == 0);
	CHECK(mnt_close(&m) == 0);
	/* The block the map names holds the bytes. */
	FILE *img = fopen(wpath("bmap.img"), "rb");
	CHECK(mnt_open(&m, "bmap.img", 0) == 0);
	CHECK(ext2_bmap(&m.fs, f, dind / 1024 + 1, 1, p) == 0 && p[0]);
	CHECK(mnt_close(&m) == 0);
	CHECK(img && fseek(img, (long)p[0] * 1024, SEEK_SET) == 0);
	CHECK(fread(blk, 1, sizeof(blk), img) == sizeof(blk));
	fclose(img);
	CHECK(memcmp(blk, buf, sizeof(buf)) == 0);
	CHECK(fsck_clean("bmap.img") == 0);
}

static void truncate_shrink_grow(void)
{
	struct mnt m;
	uint32_t f;
	uint8_t buf[70000];
	struct ext2_inode in;
	uint32_t free0;

	CHECK(mkimg("tr.img", 4096, 8192, NULL, NULL) == 0);
	CHECK(mnt_open(&m, "tr.img", 0) == 0);
	free0 = m.fs.sb.s_free_blocks_count;
	CHECK(ext2_create(&m.fs, EXT2_ROOT_INO, "t", 1, 0644, 0, 0, &f) == 0);
	fill(buf, sizeof(buf), 0, 10);
	CHECK(ext2_write(&m.fs, f, 0, buf, sizeof(buf)) == sizeof(buf));
	CHECK(ext2_truncate(&m.fs, f, 50001) == 0);
	CHECK(holds(&m.fs, f, 0, 50001, 10));
	CHECK(ext2_truncate(&m.fs, f, 90000) == 0);
	CHECK(holds(&m.fs, f, 50001, 39999, 0));
	CHECK(ext2_iget(&m.fs, f, &in) == 0 && in.i_blocks == 13 * 8 + 8); /* 13 data + indirect */
	CHECK(ext2_truncate(&m.fs, EXT2_ROOT_INO, 0) == EXT2_EISDIR);
	CHECK(ext2_unlink(&m.fs, EXT2_ROOT_INO, "t", 1) == 0);
	CHECK(m.fs.sb.s_free_blocks_count == free0);
	CHECK(mnt_close(&m) == 0);
	CHECK(fsck_clean("tr.img") == 0);
}

/* ------------------------------------------------------------ directories */

static void many_files(unsigned bsize)
{
	struct mnt m;
	uint32_t d, ino;
	char name[64];
	struct ext2_dirent de;
	struct ext2_inode in;
	uint64_t cookie = 0;
	int n = 0, r;

	CHECK(mkimg("many.img", bsize, 4096, NULL, NULL) == 0);
	CHECK(mnt_open(&m, "many.img", 0) == 0);
	CHECK(ext2_mkdir(&m.fs, EXT2_ROOT_INO, "dir", 3, 0755, 0, 0, &d) == 0);
	for (int i = 0; i < 300; i++) {
		int len = snprintf(name, sizeof(name), "a-rather-long-file-name-%04d", i);
		CHECK(ext2_create(&m.fs, d, name, (size_t)len, 0644, 0, 0, &ino) == 0);
	}
	CHECK(ext2_iget(&m.fs, d, &in) == 0 && ext2_isize(&in) >= 3 * bsize);
	/* remove every other one, then readdir sees exactly the rest */
	for (int i = 0; i < 300; i += 2) {
		int len = snprintf(name, sizeof(name), "a-rather-long-file-name-%04d", i);
		CHECK(ext2_unlink(&m.fs, d, name, (size_t)len) == 0);
	}
	while ((r = ext2_readdir(&m.fs, d, &cookie, &de)) == 1) {
		int i = atoi(de.name + 24);
		if (de.name[0] == '.')
			continue;
		CHECKF(i % 2 == 1 && de.type == EXT2_FT_REG_FILE, "%s", de.name);
		n++;
	}
	CHECK(r == 0 && n == 150);
	/* names come back into the freed slots without growing the directory */
	uint64_t size = ext2_isize(&in);
	for (int i = 0; i < 300; i += 2) {
		int len = snprintf(name, sizeof(name), "a-rather-long-file-name-%04d", i);
		CHECK(ext2_create(&m.fs, d, name, (size_t)len, 0644, 0, 0, &ino) == 0);
	}
	CHECK(ext2_iget(&m.fs, d, &in) == 0 && ext2_isize(&in) == size);
	CHECK(mnt_close(&m) == 0);
	CHECK(fsck_clean("many.img") == 0);
}

static void many_files_1k(void)
{
	many_files(1024);
}
static void many_files_4k(void)
{
	many_files(4096);
}

static void htree_dir(void)
{
	struct mnt m;
	uint32_t d, ino;
	char name[64];
	struct ext2_inode in;
	struct ext2_dirent de;
	uint64_t cookie = 0;
	int n = 0;

	CHECK(sh("mkdir -p %s/hsrc/big && cd %s/hsrc/big && for i in $(seq 1 400); do "
		 ": > file-with-a-long-name-$i; done",
		 work, work) == 0);
	CHECK(mkimg("htree.img", 1024, 4096, wpath("hsrc"), NULL) == 0);
	sh("e2fsck -fyD %s >/dev/null 2>&1", wpath("htree.img")); /* index the directories */
	CHECK(fsck_clean("htree.img") == 0);
	CHECK(mnt_open(&m, "htree.img", 0) == 0);
	CHECK(walk(&m.fs, "big", &d) == 0 && ext2_iget(&m.fs, d, &in) == 0);
	CHECK(in.i_flags & EXT2_INDEX_FL);
	while (ext2_readdir(&m.fs, d, &cookie, &de) == 1)
		n += de.name[0] != '.';
	CHECK(n == 400);
	CHECK(walk(&m.fs, "big/file-with-a-long-name-377", &ino) == 0);
	/* removing keeps the index valid; adding drops it */
	CHECK(ext2_unlink(&m.fs, d, "file-with-a-long-name-5", 23) == 0);
	CHECK(ext2_iget(&m.fs, d, &in) == 0 && (in.i_flags & EXT2_INDEX_FL));
	for (int i = 0; i < 50; i++) {
		int len = snprintf(name, sizeof(name), "new-%d", i);
		CHECK(ext2_create(&m.fs, d, name, (size_t)len, 0644, 0, 0, &ino) == 0);
	}
	CHECK(ext2_iget(&m.fs, d, &in) == 0 && !(in.i_flags & EXT2_INDEX_FL));
	CHECK(walk(&m.fs, "big/new-49", &ino) == 0 &&
	      walk(&m.fs, "big/file-with-a-long-name-400", &ino) == 0);
	CHECK(mnt_close(&m) == 0);
	CHECK(fsck_clean("htree.img") == 0);
}

static void mkdir_rmdir_unlink(void)
{
	struct mnt m;
	uint32_t a, b, f, ino;
	struct ext2_inode in;
	char longname[300];

	memset(longname, 'x', sizeof(longname));
	CHECK(mkimg("dirs.img", 1024, 2048, NULL, NULL) == 0);
	CHECK(mnt_open(&m, "dirs.img", 0) == 0);
	CHECK(ext2_mkdir(&m.fs, EXT2_ROOT_INO, "a", 1, 0755, 0, 0, &a) == 0);
	CHECK(ext2_mkdir(&m.fs, a, "b", 1, 0755, 0, 0, &b) == 0);
	CHECK(ext2_iget(&m.fs, a, &in) == 0 && in.i_links_count == 3);
	CHECK(walk(&m.fs, "a/b/..", &ino) == 0 && ino == a);
	CHECK(walk(&m.fs, "a/b/.", &ino) == 0 && ino == b);
	CHECK(ext2_create(&m.fs, b, "f", 1, 0644, 0, 0, &f) == 0);
	CHECK(ext2_rmdir(&m.fs, a, "b", 1) == EXT2_ENOTEMPTY);
	CHECK(ext2_rmdir(&m.fs, b, "f", 1) == EXT2_ENOTDIR);
	CHECK(ext2_unlink(&m.fs, a, "b", 1) == EXT2_EISDIR);
	CHECK(ext2_unlink(&m.fs, a, ".", 1) == EXT2_EINVAL);
	CHECK(ext2_rmdir(&m.fs, a, "..", 2) == EXT2_ENOTEMPTY);
	CHECK(ext2_mkdir(&m.fs, a, "b", 1, 0755, 0, 0, &ino) == EXT2_EEXIST);
	CHECK(ext2_create(&m.fs, a, longname, 256, 0644, 0, 0, &ino) == EXT2_ENAMETOOLONG);
	CHECK(ext2_create(&m.fs, a, longname, 255, 0644, 0, 0, &ino) == 0);
	CHECK(ext2_create(&m.fs, a, "x/y", 3, 0644, 0, 0, &ino) == EXT2_EINVAL);
	CHECK(ext2_create(&m.fs, f, "z", 1, 0644, 0, 0, &ino) == EXT2_ENOTDIR);
	CHECK(ext2_unlink(&m.fs, a, "nope", 4) == EXT2_ENOENT);
	/* hard links and the deferred free of an open file */
	CHECK(ext2_link(&m.fs, a, "f2", 2, f) == 0);
	CHECK(ext2_link(&m.fs, a, "bb", 2, b) == EXT2_EPERM);
	CHECK(ext2_write(&m.fs, f, 0, "hello", 5) == 5);
	CHECK(ext2_unlink(&m.fs, b, "f", 1) == 0);
	CHECK(ext2_iget(&m.fs, f, &in) == 0 && in.i_links_count == 1);
	CHECK(ext2_rmdir(&m.fs, a, "b", 1) == 0);
	CHECK(ext2_iget(&m.fs, a, &in) == 0 && in.i_links_count == 2);
	CHECK(mnt_close(&m) == 0);
	CHECK(fsck_clean("dirs.img") == 0);
}

static uint32_t busy_one;
static int busy_cb(void *ctx, uint32_t ino)
{
	(void)ctx;
	return ino == busy_one;
}

static void unlink_busy(void)
{
	struct mnt m;
	uint32_t f, free_inodes;
	struct ext2_inode in;

	CHECK(mkimg("busy.img", 1024, 2048, NULL, NULL) == 0);
	CHECK(mnt_open(&m, "busy.img", 0) == 0);
	m.fs.dev.busy = busy_cb;
	free_inodes = m.fs.sb.s_free_inodes_count;
	CHECK(ext2_create(&m.fs, EXT2_ROOT_INO, "open", 4, 0644, 0, 0, &f) == 0);
	CHECK(ext2_write(&m.fs, f, 0, "still here", 10) == 10);
	busy_one = f;
	CHECK(ext2_unlink(&m.fs, EXT2_ROOT_INO, "open", 4) == 0);
	CHECK(ext2_iget(&m.fs, f, &in) == 0 && in.i_links_count == 0 && in.i_dtime == 0);
	CHECK(holds(&m.fs, f, 0, 0, 0));
	{
		char b[16];
		CHECK(ext2_read(&m.fs, f, 0, b, sizeof(b)) == 10 &&
		      memcmp(b, "still here", 10) == 0);
	}
	busy_one = 0;
	CHECK(ext2_release(&m.fs, f) == 0);
	CHECK(m.fs.sb.s_free_inodes_count == free_inodes);
	CHECK(ext2_release(&m.fs, f) == 0); /* twice is harmless */
	CHECK(mnt_close(&m) == 0);
	CHECK(fsck_clean("busy.img") == 0);
}

static void rename_all(unsigned bsize)
{
	struct mnt m;
	uint32_t a, b, c, f, g, e, ino;
	struct ext2_inode in;

	CHECK(mkimg("ren.img", bsize, 2048, NULL, NULL) == 0);
	CHECK(mnt_open(&m, "ren.img", 0) == 0);
	CHECK(ext2_mkdir(&m.fs, EXT2_ROOT_INO, "a", 1, 0755, 0, 0, &a) == 0);
	CHECK(ext2_mkdir(&m.fs, EXT2_ROOT_INO, "b", 1, 0755, 0, 0, &b) == 0);
	CHECK(ext2_mkdir(&m.fs, a, "c", 1, 0755, 0, 0, &c) == 0);
	CHECK(ext2_create(&m.fs, a, "f", 1, 0644, 0, 0, &f) == 0);
	CHECK(ext2_create(&m.fs, b, "g", 1, 0644, 0, 0, &g) == 0);
	CHECK(ext2_write(&m.fs, f, 0, "ffff", 4) == 4);
	/* a file within a directory, and across */
	CHECK(ext2_rename(&m.fs, a, "f", 1, a, "f-renamed", 9) == 0);
	CHECK(ext2_lookup(&m.fs, a, "f", 1, &ino) == EXT2_ENOENT);
	CHECK(ext2_rename(&m.fs, a, "f-renamed", 9, b, "f", 1) == 0);
	CHECK(walk(&m.fs, "b/f", &ino) == 0 && ino == f);
	/* over an existing file: the old one is freed */
	CHECK(ext2_rename(&m.fs, b, "f", 1, b, "g", 1) == 0);
	CHECK(walk(&m.fs, "b/g", &ino) == 0 && ino == f && holds(&m.fs, f, 0, 0, 0));
	CHECK(ext2_iget(&m.fs, g, &in) == 0 && in.i_links_count == 0 && in.i_dtime != 0);
	/* a directory to another parent: ".." and link counts follow */
	CHECK(ext2_rename(&m.fs, a, "c", 1, b, "c", 1) == 0);
	CHECK(walk(&m.fs, "b/c/..", &ino) == 0 && ino == b);
	CHECK(ext2_iget(&m.fs, a, &in) == 0 && in.i_links_count == 2);
	CHECK(ext2_iget(&m.fs, b, &in) == 0 && in.i_links_count == 3);
	/* not below itself; not over a non-empty directory; types must match */
	CHECK(ext2_rename(&m.fs, EXT2_ROOT_INO, "b", 1, c, "b", 1) == EXT2_EINVAL);
	CHECK(ext2_rename(&m.fs, EXT2_ROOT_INO, "a", 1, EXT2_ROOT_INO, "b", 1) == EXT2_ENOTEMPTY);
	CHECK(ext2_rename(&m.fs, b, "g", 1, b, "c", 1) == EXT2_EISDIR);
	CHECK(ext2_rename(&m.fs, b, "c", 1, b, "g", 1) == EXT2_ENOTDIR);
	CHECK(ext2_rename(&m.fs, b, "zz", 2, b, "g", 1) == EXT2_ENOENT);
	/* over an empty directory, across parents */
	CHECK(ext2_mkdir(&m.fs, a, "e", 1, 0755, 0, 0, &e) == 0);
	CHECK(ext2_rename(&m.fs, b, "c", 1, a, "e", 1) == 0);
	CHECK(walk(&m.fs, "a/e", &ino) == 0 && ino == c && walk(&m.fs, "a/e/..", &ino) == 0 &&
	      ino == a);
	CHECK(ext2_iget(&m.fs, a, &in) == 0 && in.i_links_count == 3);
	CHECK(ext2_iget(&m.fs, b, &in) == 0 && in.i_links_count == 2);
	CHECK(ext2_iget(&m.fs, e, &in) == 0 && in.i_links_count == 0);
	/* the same inode under both names: nothing happens */
	CHECK(ext2_link(&m.fs, a, "g2", 2, f) == 0);
	CHECK(ext2_rename(&m.fs, a, "g2", 2, b, "g", 1) == 0);
	CHECK(walk(&m.fs, "a/g2", &ino) == 0 && ino == f);
	CHECK(mnt_close(&m) == 0);
	CHECK(fsck_clean("ren.img") == 0);
}

static void rename_1k(void)
{
	rename_all(1024);
}
static void rename_4k(void)
{
	rename_all(4096);
}

static void symlinks(void)
{
	struct mnt m;
	uint32_t s1, s2;
	char target[600], buf[700];

	memset(target, 't', sizeof(target));
	CHECK(mkimg("sym.img", 1024, 2048, NULL, NULL) == 0);
	CHECK(mnt_open(&m, "sym.img", 0) == 0);
	CHECK(ext2_symlink(&m.fs, EXT2_ROOT_INO, "s1", 2, "short/target", 12, 0, 0, &s1) == 0);
	CHECK(ext2_symlink(&m.fs, EXT2_ROOT_INO, "s2", 2, target, 600, 0, 0, &s2) == 0);
	CHECK(ext2_readlink(&m.fs, s1, buf, sizeof(buf)) == 12 && strcmp(buf, "short/target") == 0);
	CHECK(ext2_readlink(&m.fs, s2, buf, sizeof(buf)) == 600 && buf[599] == 't' && !buf[600]);
	CHECK(mnt_close(&m) == 0);
	CHECK(fsck_clean("sym.img") == 0);
	CHECK(mnt_open(&m, "sym.img", 0) == 0);
	CHECK(ext2_unlink(&m.fs, EXT2_ROOT_INO, "s1", 2) == 0);
	CHECK(ext2_unlink(&m.fs, EXT2_ROOT_INO, "s2", 2) == 0);
	CHECK(mnt_close(&m) == 0);
	CHECK(fsck_clean("sym.img") == 0);
}

/* ------------------------------------------------------------ full disk */

static void enospc(void)
{
	struct mnt m;
	uint32_t f, g, ino, d;
	uint8_t buf[8192];
	uint64_t off = 0;
	long r;
	int files = 0, err;
	char name[32];

	CHECK(mkimg("full.img", 1024, 256, NULL, "-N 64") == 0);
	CHECK(mnt_open(&m, "full.img", 0) == 0);
	CHECK(ext2_create(&m.fs, EXT2_ROOT_INO, "keep", 4, 0644, 0, 0, &g) == 0);
	CHECK(ext2_write(&m.fs, g, 0, "precious", 8) == 8);
	CHECK(ext2_create(&m.fs, EXT2_ROOT_INO, "fill", 4, 0644, 0, 0, &f) == 0);
	for (;;) {
		fill(buf, sizeof(buf), off, 11);
		r = ext2_write(&m.fs, f, off, buf, sizeof(buf));
		if (r < (long)sizeof(buf))
			break;
		off += (uint64_t)r;
	}
	CHECKF(r >= 0 || r == EXT2_ENOSPC, "%ld %s", r, m.fs.why);
	if (r > 0)
		off += (uint64_t)r;
	CHECK(m.fs.sb.s_free_blocks_count == 0);
	CHECK(ext2_write(&m.fs, f, off, buf, 1) == EXT2_ENOSPC);
	CHECK(ext2_mkdir(&m.fs, EXT2_ROOT_INO, "nd", 2, 0755, 0, 0, &d) == EXT2_ENOSPC);
	CHECK(holds(&m.fs, f, 0, (size_t)off, 11));
	/* inodes run out too (directory blocks may as well) */
	while ((err = ext2_create(&m.fs, EXT2_ROOT_INO, name,
				  (size_t)snprintf(name, sizeof(name), "n%d", files), 0644, 0, 0,
				  &ino)) == 0)
		files++;
	CHECK(err == EXT2_ENOSPC);
	CHECK(mnt_close(&m) == 0);
	CHECK(fsck_clean("full.img") == 0);
	CHECK(mnt_open(&m, "full.img", 0) == 0);
	CHECK(walk(&m.fs, "keep", &g) == 0 && ext2_read(&m.fs, g, 0, buf, 100) == 8 &&
	      memcmp(buf, "precious", 8) == 0);
	CHECK(holds(&m.fs, f, 0, (size_t)off, 11));
	/* freeing makes room again */
	CHECK(ext2_unlink(&m.fs, EXT2_ROOT_INO, "fill", 4) == 0);
	CHECK(ext2_mkdir(&m.fs, EXT2_ROOT_INO, "nd", 2, 0755, 0, 0, &d) == 0);
	CHECK(mnt_close(&m) == 0);
	CHECK(fsck_clean("full.img") == 0);
}

/* An I/O error in the middle of work leaves no buffer held. */
static void io_errors(void)
{
	struct mnt m;
	uint32_t ino;
	uint8_t buf[3000];
	int failed = 0;

	CHECK(mkimg("io.img", 1024, 2048, NULL, NULL) == 0);
	for (long n = 1; n < 200; n += 3) {
		char name[16];
		int len = snprintf(name, sizeof(name), "f%ld", n);

		CHECK(mnt_open(&m, "io.img", 0) == 0);
		m.d.fail_after = n;
		if (ext2_create(&m.fs, EXT2_ROOT_INO, name, (size_t)len, 0644, 0, 0, &ino) < 0 ||
		    ext2_write(&m.fs, ino, 0, buf, sizeof(buf)) < 0 ||
		    ext2_mkdir(&m.fs, EXT2_ROOT_INO, "d", 1, 0755, 0, 0, &ino) < 0)
			failed++;
		m.d.fail_after = 0;
		CHECKF(m.d.held == 0, "after %ld gets: %d held", n, m.d.held);
		hdev_close(&m.d);
	}
	CHECK(failed > 0);
}

/* ------------------------------------------------------------ corruption */

/* Copies base.img to bad.img and writes n bytes at off. */
static void patch(const void *bytes, size_t n, long off)
{
	FILE *f;

	sh("cp %s %s", wpath("base.img"), wpath("bad.img"));
	f = fopen(wpath("bad.img"), "r+b");
	if (f) {
		fseek(f, off, SEEK_SET);
		fwrite(bytes, 1, n, f);
		fclose(f);
	}
}

static void patch32(long off, uint32_t v)
{
	patch(&v, 4, off);
}

static int mount_bad(struct mnt *m, unsigned flags, const char *want)
{
	int err = mnt_open(m, "bad.img", flags);

	if (err == 0)
		return 0;
	if (!strstr(m->fs.why, want)) {
		printf("    \"%s\" does not say \"%s\"\n", m->fs.why, want);
		return -1000;
	}
	return err;
}

static void corrupt_super(void)
{
	struct mnt m;
	uint16_t v16;

	CHECK(mkimg("base.img", 1024, 1024, src_tree(), NULL) == 0);
	v16 = 0x1234;
	patch(&v16, 2, 1024 + 56);
	CHECK(mount_bad(&m, 0, "bad magic") == EXT2_ECORRUPT);
	patch32(1024 + 76, 7);
	CHECK(mount_bad(&m, 0, "revision 7") == EXT2_EUNSUPPORTED);
	patch32(1024 + 24, 9);
	CHECK(mount_bad(&m, 0, "block size") == EXT2_ECORRUPT);
	patch32(1024 + 96, 0x2 | 0x40);
	CHECK(mount_bad(&m, 0, "incompatible features 0x40") == EXT2_EUNSUPPORTED);
	patch32(1024 + 0, 12345);
	CHECK(mount_bad(&m, 0, "inode count") == EXT2_ECORRUPT);
	patch32(1024 + 4, 1u << 30);
	CHECK(mount_bad(&m, 0, "do not fit") == EXT2_ECORRUPT);
	patch32(1024 + 32, 0);
	CHECK(mount_bad(&m, 0, "blocks per group") == EXT2_ECORRUPT);
	v16 = 100;
	patch(&v16, 2, 1024 + 88);
	CHECK(mount_bad(&m, 0, "inode size") == EXT2_ECORRUPT);
	patch32(1024 + 20, 0);
	CHECK(mount_bad(&m, 0, "first data block") == EXT2_ECORRUPT);
	patch32(1024 + 12, 0xffffff);
	CHECK(mount_bad(&m, 0, "free counts") == EXT2_ECORRUPT);
	/* group 0's block bitmap pointer, in the table at block 2 */
	patch32(2048 + 0, 5000000);
	CHECK(mount_bad(&m, 0, "group 0: block bitmap") == EXT2_ECORRUPT);
	patch32(2048 + 8, 1);
	CHECK(mount_bad(&m, 0, "group 0: inode table") == EXT2_ECORRUPT);
	/* an unknown ro_compat feature: read-only */
	patch32(1024 + 100, 0x1 | 0x2 | 0x400);
	CHECK(mnt_open(&m, "bad.img", 0) == 0 && m.fs.readonly);
	CHECK(mnt_close(&m) == 0);
	/* a truncated device */
	CHECK(sh("cp %s %s && truncate -s 1500 %s", wpath("base.img"), wpath("bad.img"),
		 wpath("bad.img")) == 0);
	CHECK(mount_bad(&m, 0, "superblock") == EXT2_ECORRUPT);
	CHECK(sh("cp %s %s && truncate -s 500000 %s", wpath("base.img"), wpath("bad.img"),
		 wpath("bad.img")) == 0);
	CHECK(mount_bad(&m, 0, "do not fit") == EXT2_ECORRUPT);
}

/* The byte offset of inode ino's first byte in base.img (debugfs imap). */
static long inode_offset(const char *path)
{
	char cmd[512], line[256];
	long blk = -1, off = -1;
	FILE *p;

	snprintf(cmd, sizeof(cmd), "debugfs -R 'imap %s' %s 2>/dev/null", path, wpath("base.img"));
	p = popen(cmd, "r");
	while (p && fgets(line, sizeof(line), p))
		if (sscanf(line, " located at block %ld, offset 0x%lx", &blk, &off) == 2)
			break;
	if (p)
		pclose(p);
	return blk < 0 ? -1 : blk * 1024 + off;
}

static long first_block(const char *path)
{
	char cmd[512], line[256];
	long blk = -1;
	FILE *p;

	snprintf(cmd, sizeof(cmd), "debugfs -R 'bmap %s 0' %s 2>/dev/null", path,
		 wpath("base.img"));
	p = popen(cmd, "r");
	if (p && fgets(line, sizeof(line), p))
		blk = atol(line);
	if (p)
		pclose(p);
	return blk;
}

static void corrupt_inode_and_dir(void)
{
	struct mnt m;
	uint32_t ino;
	uint8_t buf[4096];
	long ioff, dblk;
	uint32_t zero = 0;

	CHECK(mkimg("base.img", 1024, 1024, src_tree(), NULL) == 0);
	/* big.bin's single-indirect pointer points past the end */
	CHECK((ioff = inode_offset("/big.bin")) > 0);
	patch32(ioff + 40 + 4 * 12, 0x7fffffff);
	CHECK(mnt_open(&m, "bad.img", EXT2_MOUNT_RDONLY) == 0);
	CHECK(walk(&m.fs, "big.bin", &ino) == 0);
	CHECK(ext2_read(&m.fs, ino, 0, buf, 1024) == 1024);
	CHECK(ext2_read(&m.fs, ino, 12 * 1024, buf, 1024) == EXT2_ECORRUPT);
	CHECKF(strstr(m.fs.why, "block pointer 2147483647"), "%s", m.fs.why);
	CHECK(mnt_close(&m) == 0);
	/* the root directory's first block: a zero rec_len */
	CHECK((dblk = first_block("/")) > 0);
	patch(&zero, 2, dblk * 1024 + 12 + 4);
	CHECK(mnt_open(&m, "bad.img", 0) == 0);
	CHECK(walk(&m.fs, "small.txt", &ino) == EXT2_ECORRUPT);
	CHECKF(strstr(m.fs.why, "bad entry at offset 12"), "%s", m.fs.why);
	CHECK(ext2_create(&m.fs, EXT2_ROOT_INO, "n", 1, 0644, 0, 0, &ino) == EXT2_ECORRUPT);
	CHECK(mnt_close(&m) == 0);
	/* the root inode is not a directory */
	CHECK((ioff = inode_offset("/")) > 0);
	{
		uint16_t mode = 0100644;
		patch(&mode, 2, ioff);
	}
	CHECK(mount_bad(&m, 0, "root inode") == EXT2_ECORRUPT);
	CHECK(ext2_err_name(EXT2_ENOTEMPTY)[5] == 'E' && strcmp(ext2_err_name(1), "EXT2_E?") == 0);
}

int main(void)
{
	snprintf(work, sizeof(work), "build/ext2-tests/XXXXXX");
	sh("mkdir -p build/ext2-tests");
	if (!mkdtemp(work)) {
		printf("not ok - ext2/setup (cannot make %s)\n", work);
		return 1;
	}
	check_suite = "ext2";
	RUN(read_tree_1k);
	RUN(read_tree_2k);
	RUN(read_tree_4k);
	RUN(create_write_read);
	RUN(large_sparse);
	RUN(bmap_blocks);
	RUN(truncate_shrink_grow);
	RUN(many_files_1k);
	RUN(many_files_4k);
	RUN(htree_dir);
	RUN(mkdir_rmdir_unlink);
	RUN(unlink_busy);
	RUN(rename_1k);
	RUN(rename_4k);
	RUN(symlinks);
	RUN(enospc);
	RUN(io_errors);
	RUN(corrupt_super);
	RUN(corrupt_inode_and_dir);
	if (check_done() == 0)
		sh("rm -rf %s", work);
	return check_done();
}
