/*
 * fsdisktest: the in-guest tests of the disk side of the file server
 * (lib/user/fsdisk: the page cache over blk and the ext2 volume). root runs
 * it before init with `test=fsdisktest`, giving it the blk endpoint, the
 * console and the system handle. It expects the disk scripts/mkdisk.sh
 * makes: partition 3 "test" (the same tree as "root", which fs has
 * mounted meanwhile), ext2 with 4 KiB blocks, /etc/hostname,
 * /etc/seq.txt (the numbers 1..60000, one a line), /bin holding every
 * program, /tmp.
 *
 * Each test mounts the volume, works, and unmounts it; free memory (free
 * pages plus the kernel's cache pages) must be back where it was before
 * the mount. Prints "ok - fsdisk/NAME" / "not ok - fsdisk/NAME" and
 * "fsdisktest: N passed, M failed". It leaves /home/fsdisk.txt behind for
 * the host to read (scripts/check.sh), and the host runs e2fsck -fn on the
 * partition after the boot.
 *
 * A disk whose file system does not mount (the corrupt-superblock boot)
 * gives one line "fsdisktest: mount failed: ERRNO (why)" and the summary
 * "fsdisktest: 0 passed, 1 failed", without a "not ok" line.
 */
#include "lib/error.h"
#include "lib/fmt.h"
#include "lib/str.h"
#include "lib/user/fsdisk/vol.h"
#include "lib/user/ipc.h"
#include "lib/user/syscall.h"
#include "lib/user/ulib.h"
#include "lib/user/ustart.h"

#define PAGE	    4096ull
#define TPRIO	    26
#define CACHE_PAGES 256 /* 1 MiB: small, so that eviction and write-back are exercised */
#define SEQ_LINES   60000
#define MANY_FILES  400
#define IPCBUF	    ((struct ipc_buffer *)USTART_IPCBUF)

static handle_t blk_ep;
static int failed_here;
static struct vol vol;
static uint8_t buf[64 * 1024], buf2[64 * 1024];

#define CHECK(c)                                                                                   \
	do {                                                                                       \
		if (!(c)) {                                                                        \
			uprintf("    %s:%d: check failed: %s (%s)\n", __FILE__, __LINE__, #c,      \
				vol_why(&vol));                                                    \
			failed_here = 1;                                                           \
			return;                                                                    \
		}                                                                                  \
	} while (0)

static int mount(void)
{
	struct vol_config c = {.blk = blk_ep,
			       .part_name = "test", /* fs has "root" mounted meanwhile */
			       .ipc = IPCBUF,
			       .cache_pages = CACHE_PAGES,
			       .workers = 4,
			       .prio = TPRIO,
			       .writeback_ms = 1000};
	return vol_mount(&vol, &c);
}

#define MOUNT()	 CHECK(mount() == 0)
#define UMOUNT() CHECK(vol_unmount(&vol) == 0)

static uint8_t pat(uint64_t i, unsigned seed)
{
	return (uint8_t)(i * 31 + seed + (i >> 12) * 7);
}

static void fill(uint8_t *b, size_t n, uint64_t off, unsigned seed)
{
	for (size_t i = 0; i < n; i++)
		b[i] = pat(off + i, seed);
}

/* 1 if n bytes at off of ino hold pattern seed (0: zeros). */
static int holds(uint32_t ino, uint64_t off, size_t n, unsigned seed)
{
	while (n) {
		size_t k = n > sizeof(buf2) ? sizeof(buf2) : n;
		if (vol_read(&vol, ino, off, buf2, k) != (long)k)
			return 0;
		for (size_t i = 0; i < k; i++)
			if (buf2[i] != (seed ? pat(off + i, seed) : 0))
				return 0;
		off += k;
		n -= k;
	}
	return 1;
}

static long write_pat(uint32_t ino, uint64_t off, size_t n, unsigned seed)
{
	long total = 0;

	while (n) {
		size_t k = n > sizeof(buf) ? sizeof(buf) : n;
		fill(buf, k, off, seed);
		long r = vol_write(&vol, ino, off, buf, k);
		if (r < 0)
			return total ? total : r;
		total += r;
		if ((size_t)r < k)
			break;
		off += k;
		n -= k;
	}
	return total;
}

static uint64_t free_now(void)
{
	uint64_t free = 0, slab = 0, blocks[19];

	sys_mem_info_orders(uenv.system, &free, 0, blocks, &slab);
	return free + slab;
}

static int create(const char *path, uint32_t *ino)
{
	return vol_open(&vol, path, FS_O_RDWR | FS_O_CREAT | FS_O_TRUNC, 0644, ino, 0);
}

/* ------------------------------------------------------------ tests */

static void t_mount(void)
{
	struct fs_statfs sf;
	struct fs_stat st;

	MOUNT();
	CHECK(vol_statfs(&vol, &sf) == 0);
	CHECK(sf.block_size == 4096 && sf.blocks == 8192 && sf.blocks_free < sf.blocks);
	CHECK(sf.inodes_free < sf.inodes);
	CHECK(vol_stat_path(&vol, "/", &st) == 0 && st.ino == 2 && (st.mode & 0170000) == 0040000);
	CHECK(vol_stat_path(&vol, "/bin/../etc/./hostname", &st) == 0 && st.size == 7);
	uprintf("    %lu blocks of %lu bytes, %lu free; %lu inodes, %lu free\n", sf.blocks,
		sf.block_size, sf.blocks_free, sf.inodes, sf.inodes_free);
	UMOUNT();
}

/* Files mke2fs put in the image: their bytes, read in pieces of several sizes. */
static void t_read_image(void)
{
	static char line[16];
	uint32_t ino;
	struct fs_stat st;
	unsigned kind;

	MOUNT();
	CHECK(vol_open(&vol, "/etc/hostname", FS_O_RDONLY, 0, &ino, &kind) == 0);
	CHECK(kind == FS_KIND_FILE);
	CHECK(vol_read(&vol, ino, 0, buf, 100) == 7 && memcmp(buf, "strata\n", 7) == 0);
	CHECK(vol_read(&vol, ino, 7, buf, 100) == 0);
	CHECK(vol_close(&vol, ino) == 0);

	CHECK(vol_open(&vol, "/etc/seq.txt", FS_O_RDONLY, 0, &ino, 0) == 0);
	CHECK(vol_stat(&vol, ino, &st) == 0);
	const size_t sizes[] = {65536, 4096, 1000, 12345};
	for (unsigned s = 0; s < 4; s++) {
		uint64_t off = 0;
		unsigned next = 1, at = 0; /* the number being checked, and its digit */
		for (;;) {
			long r = vol_read(&vol, ino, off, buf, sizes[s]);
			CHECK(r >= 0);
			if (r == 0)
				break;
			for (long i = 0; i < r; i++) {
				if (!at)
					fmt_snprintf(line, sizeof(line), "%u\n", next);
				CHECK(buf[i] == (uint8_t)line[at]);
				if (line[++at] == 0) {
					at = 0;
					next++;
				}
			}
			off += (uint64_t)r;
		}
		CHECK(off == st.size && next == SEQ_LINES + 1);
	}
	CHECK(vol_close(&vol, ino) == 0);

	/* Every program is in /bin, an ELF file. */
	CHECK(vol_open(&vol, "/bin/fsdisktest", FS_O_RDONLY, 0, &ino, 0) == 0);
	CHECK(vol_read(&vol, ino, 0, buf, 4) == 4 && memcmp(buf, "\177ELF", 4) == 0);
	CHECK(vol_close(&vol, ino) == 0);
	UMOUNT();
}

/* readdir finds these names in /bin, once each. */
static void t_readdir(void)
{
	const char *want[] = {".", "..", "blk", "root", "fsdisktest", "mem", "proc", "con"};
	unsigned seen[8] = {0}, total = 0;
	uint64_t cookie = 0;
	uint32_t ino;
	long r;

	MOUNT();
	CHECK(vol_open(&vol, "/bin", FS_O_RDONLY | FS_O_DIRECTORY, 0, &ino, 0) == 0);
	/* A small buffer: several calls, the cookie carries on. */
	while ((r = vol_readdir(&vol, ino, &cookie, buf, 100)) > 0) {
		for (long at = 0; at < r;) {
			struct fs_dirent *d = (struct fs_dirent *)(buf + at);
			CHECK(d->reclen % 8 == 0 && d->reclen >= 16 && d->name[d->namelen] == 0);
			for (unsigned k = 0; k < 8; k++)
				seen[k] += strcmp(d->name, want[k]) == 0;
			total++;
			at += d->reclen;
		}
	}
	CHECK(r == 0);
	for (unsigned k = 0; k < 8; k++)
		CHECK(seen[k] == 1);
	CHECK(total > 10);
	CHECK(vol_readdir(&vol, ino, &cookie, buf, 8) == 0);
	cookie = 0;
	CHECK(vol_readdir(&vol, ino, &cookie, buf, 8) == -FS_EINVAL);
	CHECK(vol_close(&vol, ino) == 0);
	UMOUNT();
}

static void t_create_rw(void)
{
	uint32_t ino, ino2;
	struct fs_stat st;

	MOUNT();
	CHECK(vol_open(&vol, "/tmp/a", FS_O_RDWR | FS_O_CREAT | FS_O_EXCL, 0600, &ino, 0) == 0);
	CHECK(vol_open(&vol, "/tmp/a", FS_O_RDWR | FS_O_CREAT | FS_O_EXCL, 0600, &ino2, 0) ==
	      -FS_EEXIST);
	CHECK(write_pat(ino, 0, 100000, 3) == 100000);
	CHECK(write_pat(ino, 5000, 3000, 4) == 3000); /* inside, unaligned */
	CHECK(holds(ino, 0, 5000, 3) && holds(ino, 5000, 3000, 4) && holds(ino, 8000, 92000, 3));
	CHECK(vol_stat(&vol, ino, &st) == 0 && st.size == 100000 && (st.mode & 0777) == 0600);
	CHECK(st.blocks == (25 + 1) * 8); /* and the indirect block */
	CHECK(vol_close(&vol, ino) == 0);
	UMOUNT();
	/* After a remount the bytes come from the disk. */
	MOUNT();
	CHECK(vol_open(&vol, "/tmp/a", FS_O_RDONLY, 0, &ino, 0) == 0);
	CHECK(holds(ino, 0, 5000, 3) && holds(ino, 5000, 3000, 4) && holds(ino, 8000, 92000, 3));
	CHECK(vol_close(&vol, ino) == 0);
	CHECK(vol_open(&vol, "/tmp/a", FS_O_WRONLY | FS_O_TRUNC, 0, &ino, 0) == 0);
	CHECK(vol_stat(&vol, ino, &st) == 0 && st.size == 0 && st.blocks == 0);
	CHECK(vol_close(&vol, ino) == 0);
	CHECK(vol_open(&vol, "/tmp/none", FS_O_RDONLY, 0, &ino, 0) == -FS_ENOENT);
	CHECK(vol_open(&vol, "/tmp", FS_O_RDWR, 0, &ino, 0) == -FS_EISDIR);
	CHECK(vol_open(&vol, "/tmp/a", FS_O_RDONLY | FS_O_DIRECTORY, 0, &ino, 0) == -FS_ENOTDIR);
	CHECK(vol_open(&vol, "/tmp/a/", FS_O_RDONLY, 0, &ino, 0) == -FS_ENOTDIR);
	CHECK(vol_open(&vol, "/tmp/a/b", FS_O_RDWR | FS_O_CREAT, 0644, &ino, 0) == -FS_ENOTDIR);
	CHECK(vol_open(&vol, "/nodir/b", FS_O_RDWR | FS_O_CREAT, 0644, &ino, 0) == -FS_ENOENT);
	CHECK(vol_unlink(&vol, "/tmp/a") == 0);
	CHECK(vol_stat_path(&vol, "/tmp/a", &st) == -FS_ENOENT);
	UMOUNT();
}

/* 4 KiB blocks: 12 direct, 1024 indirect, 1024^2 double-indirect blocks, then triple. */
static void t_large_sparse(void)
{
	const uint64_t dind = (12 + 1024) * PAGE, tind = (12 + 1024 + 1024 * 1024) * PAGE;
	struct fs_statfs before, after;
	struct fs_stat st;
	uint32_t ino;

	MOUNT();
	CHECK(vol_statfs(&vol, &before) == 0);
	CHECK(create("/tmp/sparse", &ino) == 0);
	CHECK(write_pat(ino, dind - 100, 8192, 5) == 8192);
	CHECK(write_pat(ino, tind - 5000, 10000, 6) == 10000);
	CHECK(write_pat(ino, 5ull << 30, 4096, 7) == 4096);
	CHECK(vol_stat(&vol, ino, &st) == 0 && st.size == (5ull << 30) + 4096);
	CHECK(holds(ino, 0, 4096, 0) && holds(ino, dind - 100, 8192, 5));
	CHECK(holds(ino, dind + 8092, 4096, 0) && holds(ino, tind - 5000, 10000, 6));
	CHECK(holds(ino, (5ull << 30) - 4096, 4096, 0) && holds(ino, 5ull << 30, 4096, 7));
	CHECK(vol_sync(&vol) == 0);
	CHECK(vol_truncate(&vol, ino, tind + 10) == 0);
	CHECK(holds(ino, tind - 5000, 5010, 6));
	CHECK(vol_truncate(&vol, ino, dind) == 0);
	CHECK(holds(ino, dind - 100, 100, 5));
	CHECK(vol_truncate(&vol, ino, 0) == 0);
	CHECK(vol_stat(&vol, ino, &st) == 0 && st.size == 0 && st.blocks == 0);
	CHECK(vol_close(&vol, ino) == 0);
	CHECK(vol_unlink(&vol, "/tmp/sparse") == 0);
	CHECK(vol_statfs(&vol, &after) == 0);
	CHECK(after.blocks_free == before.blocks_free);
	UMOUNT();
}

static void name_of(char *p, size_t n, const char *dir, unsigned i)
{
	fmt_snprintf(p, n, "%s/file-%u-with-a-longer-name", dir, i);
}

static void t_many_files(void)
{
	static char path[128];
	struct fs_stat st;
	uint32_t ino, dir;
	uint64_t cookie = 0;
	unsigned total = 0;
	long r;

	MOUNT();
	CHECK(vol_mkdir(&vol, "/tmp/many", 0755) == 0);
	for (unsigned i = 0; i < MANY_FILES; i++) {
		name_of(path, sizeof(path), "/tmp/many", i);
		CHECK(vol_open(&vol, path, FS_O_WRONLY | FS_O_CREAT | FS_O_EXCL, 0644, &ino, 0) ==
		      0);
		fmt_snprintf((char *)buf, 64, "this is file %u\n", i);
		size_t n = strlen((char *)buf);
		CHECK(vol_write(&vol, ino, 0, buf, n) == (long)n);
		CHECK(vol_close(&vol, ino) == 0);
	}
	UMOUNT();
	MOUNT();
	CHECK(vol_open(&vol, "/tmp/many", FS_O_RDONLY, 0, &dir, 0) == 0);
	while ((r = vol_readdir(&vol, dir, &cookie, buf, sizeof(buf))) > 0)
		for (long at = 0; at < r; at += ((struct fs_dirent *)(buf + at))->reclen)
			total++;
	CHECK(r == 0 && total == MANY_FILES + 2);
	CHECK(vol_close(&vol, dir) == 0);
	for (unsigned i = 0; i < MANY_FILES; i += 7) {
		name_of(path, sizeof(path), "/tmp/many", i);
		CHECK(vol_open(&vol, path, FS_O_RDONLY, 0, &ino, 0) == 0);
		fmt_snprintf((char *)buf2, 64, "this is file %u\n", i);
		r = vol_read(&vol, ino, 0, buf, sizeof(buf));
		CHECK(r == (long)strlen((char *)buf2) && memcmp(buf, buf2, (size_t)r) == 0);
		CHECK(vol_close(&vol, ino) == 0);
	}
	CHECK(vol_rmdir(&vol, "/tmp/many") == -FS_ENOTEMPTY);
	for (unsigned i = 0; i < MANY_FILES; i++) {
		name_of(path, sizeof(path), "/tmp/many", i);
		CHECK(vol_unlink(&vol, path) == 0);
	}
	CHECK(vol_rmdir(&vol, "/tmp/many/") == 0);
	CHECK(vol_stat_path(&vol, "/tmp/many", &st) == -FS_ENOENT);
	UMOUNT();
}

static void t_rename(void)
{
	struct fs_stat st, r2;
	uint32_t ino;

	MOUNT();
	CHECK(vol_mkdir(&vol, "/tmp/r1", 0755) == 0 && vol_mkdir(&vol, "/tmp/r2", 0755) == 0);
	CHECK(vol_mkdir(&vol, "/tmp/r1/sub", 0755) == 0);
	CHECK(create("/tmp/r1/f", &ino) == 0 && write_pat(ino, 0, 5000, 8) == 5000);
	CHECK(vol_close(&vol, ino) == 0);
	CHECK(vol_rename(&vol, "/tmp/r1/f", "/tmp/r2/g") == 0);
	CHECK(vol_stat_path(&vol, "/tmp/r1/f", &st) == -FS_ENOENT);
	CHECK(vol_open(&vol, "/tmp/r2/g", FS_O_RDONLY, 0, &ino, 0) == 0 && holds(ino, 0, 5000, 8));
	CHECK(vol_close(&vol, ino) == 0);
	/* A directory moves: its ".." and both parents' link counts follow. */
	CHECK(vol_rename(&vol, "/tmp/r1/sub", "/tmp/r2/sub") == 0);
	CHECK(vol_stat_path(&vol, "/tmp/r2/sub/..", &st) == 0);
	CHECK(vol_stat_path(&vol, "/tmp/r2", &r2) == 0 && st.ino == r2.ino && r2.nlink == 3);
	CHECK(vol_stat_path(&vol, "/tmp/r1", &st) == 0 && st.nlink == 2);
	CHECK(vol_rename(&vol, "/tmp/r2", "/tmp/r2/sub/x") == -FS_EINVAL);
	/* Onto an existing file: replaced. */
	CHECK(create("/tmp/r1/h", &ino) == 0 && vol_close(&vol, ino) == 0);
	CHECK(vol_rename(&vol, "/tmp/r2/g", "/tmp/r1/h") == 0);
	CHECK(vol_stat_path(&vol, "/tmp/r1/h", &st) == 0 && st.size == 5000);
	CHECK(vol_rename(&vol, "/tmp/r1/none", "/tmp/r1/x") == -FS_ENOENT);
	CHECK(vol_rename(&vol, "/tmp/r1/h", "/tmp/r2/sub") == -FS_EISDIR);
	CHECK(vol_unlink(&vol, "/tmp/r1/h") == 0 && vol_rmdir(&vol, "/tmp/r2/sub") == 0);
	CHECK(vol_rmdir(&vol, "/tmp/r1") == 0 && vol_rmdir(&vol, "/tmp/r2") == 0);
	UMOUNT();
}

static void t_errors(void)
{
	static char longname[300];
	uint32_t ino;

	MOUNT();
	CHECK(vol_mkdir(&vol, "/tmp", 0755) == -FS_EEXIST);
	CHECK(vol_mkdir(&vol, "/tmp/.", 0755) == -FS_EEXIST);
	CHECK(vol_mkdir(&vol, "/none/x", 0755) == -FS_ENOENT);
	CHECK(vol_mkdir(&vol, "/etc/hostname/x", 0755) == -FS_ENOTDIR);
	CHECK(vol_rmdir(&vol, "/etc") == -FS_ENOTEMPTY);
	CHECK(vol_rmdir(&vol, "/etc/hostname") == -FS_ENOTDIR);
	CHECK(vol_rmdir(&vol, "/") == -FS_EINVAL);
	CHECK(vol_rmdir(&vol, "/tmp/.") == -FS_EINVAL);
	CHECK(vol_rmdir(&vol, "/tmp/none") == -FS_ENOENT);
	CHECK(vol_unlink(&vol, "/tmp") == -FS_EISDIR);
	CHECK(vol_unlink(&vol, "/tmp/none") == -FS_ENOENT);
	CHECK(vol_unlink(&vol, "/etc/hostname/") == -FS_EISDIR);
	CHECK(vol_lookup(&vol, "etc/hostname", &ino) == -FS_EINVAL);
	CHECK(vol_lookup(&vol, "/etc/hostname/x", &ino) == -FS_ENOTDIR);
	memset(longname, 'n', sizeof(longname) - 1);
	longname[0] = '/';
	CHECK(vol_mkdir(&vol, longname, 0755) == -FS_ENAMETOOLONG);
	CHECK(vol_lookup(&vol, longname, &ino) == -FS_ENAMETOOLONG);
	CHECK(vol_close(&vol, 12345) == -FS_EBADF && vol_iref(&vol, 12345) == -FS_EBADF);
	UMOUNT();
}

/* An open file whose name goes keeps its data until it is closed. */
static void t_unlink_open(void)
{
	struct fs_statfs before, during, after;
	uint32_t ino;

	MOUNT();
	CHECK(vol_statfs(&vol, &before) == 0);
	CHECK(create("/tmp/ghost", &ino) == 0 && write_pat(ino, 0, 200000, 9) == 200000);
	CHECK(vol_iref(&vol, ino) == 0);
	CHECK(vol_unlink(&vol, "/tmp/ghost") == 0);
	CHECK(vol_lookup(&vol, "/tmp/ghost", &ino) == -FS_ENOENT);
	CHECK(holds(ino, 0, 200000, 9));
	CHECK(vol_statfs(&vol, &during) == 0 && during.blocks_free < before.blocks_free);
	CHECK(vol_close(&vol, ino) == 0 && holds(ino, 0, 200000, 9));
	CHECK(vol_close(&vol, ino) == 0);
	CHECK(vol_statfs(&vol, &after) == 0 && after.blocks_free == before.blocks_free);
	CHECK(after.inodes_free == before.inodes_free);
	UMOUNT();
}

/* fsync writes the file's pages, sync all, the background thread the rest. */
static void t_sync(void)
{
	struct vol_stats s;
	uint32_t a, b;

	MOUNT();
	CHECK(create("/tmp/s1", &a) == 0 && write_pat(a, 0, 64 * 1024, 10) == 64 * 1024);
	CHECK(create("/tmp/s2", &b) == 0 && write_pat(b, 0, 64 * 1024, 11) == 64 * 1024);
	vol_stats(&vol, &s);
	CHECK(s.cache.dirty >= 32);
	CHECK(vol_fsync(&vol, a) == 0);
	vol_stats(&vol, &s);
	CHECK(s.cache.dirty >= 16 && s.cache.dirty < 32); /* b's data is still dirty */
	CHECK(vol_sync(&vol) == 0);
	vol_stats(&vol, &s);
	CHECK(s.cache.dirty == 0);
	CHECK(write_pat(a, 100, 10000, 12) == 10000);
	vol_stats(&vol, &s);
	CHECK(s.cache.dirty > 0);
	sys_sleep(2500ull * 1000 * 1000); /* the background write-back runs every second */
	vol_stats(&vol, &s);
	CHECK(s.cache.dirty == 0);
	CHECK(vol_close(&vol, a) == 0 && vol_close(&vol, b) == 0);
	CHECK(vol_unlink(&vol, "/tmp/s1") == 0 && vol_unlink(&vol, "/tmp/s2") == 0);
	/* Memory pressure: clean pages go, and their frames. */
	CHECK(vol_sync(&vol) == 0);
	vol_trim(&vol);
	vol_stats(&vol, &s);
	CHECK(s.cache.pages == 0 && s.cache.frames == 0);
	UMOUNT();
}

/* A sequential reader: pages are read ahead, several requests in flight. */
static void t_readahead(void)
{
	const size_t size = 2 << 20;
	struct vol_stats s0, s1, s2;
	uint32_t ino;

	MOUNT();
	CHECK(create("/tmp/seq", &ino) == 0 && write_pat(ino, 0, size, 13) == (long)size);
	CHECK(vol_close(&vol, ino) == 0);
	UMOUNT();
	MOUNT();
	CHECK(vol_open(&vol, "/tmp/seq", FS_O_RDONLY, 0, &ino, 0) == 0);
	vol_stats(&vol, &s0);
	CHECK(holds(ino, 0, size, 13));
	vol_stats(&vol, &s1);
	uprintf("    2 MiB read: %lu pages read, %lu of them ahead, at most %lu in flight\n",
		s1.cache.reads - s0.cache.reads, s1.cache.readahead - s0.cache.readahead,
		s1.cache.max_inflight);
	CHECK(s1.cache.readahead - s0.cache.readahead >= size / PAGE / 2);
	CHECK(s1.cache.max_inflight > 1);
	/* The last 512 KiB are still cached: read again without the disk. */
	CHECK(holds(ino, size - (512 << 10), 512 << 10, 13));
	vol_stats(&vol, &s2);
	CHECK(s2.cache.reads == s1.cache.reads);
	CHECK(vol_close(&vol, ino) == 0);
	CHECK(vol_unlink(&vol, "/tmp/seq") == 0);
	UMOUNT();
}

/* Fill the disk: ENOSPC, a short write before it, and every byte written before intact. */
static void t_enospc(void)
{
	struct fs_statfs before, full, after;
	uint32_t keep, fill_ino;
	uint64_t off = 0;
	long r = 0;

	MOUNT();
	CHECK(vol_statfs(&vol, &before) == 0);
	CHECK(create("/tmp/keep", &keep) == 0 && write_pat(keep, 0, 300000, 14) == 300000);
	CHECK(create("/tmp/fill", &fill_ino) == 0);
	for (;;) {
		fill(buf, 60000, off,
		     15); /* not a multiple of the block size: one write falls short */
		r = vol_write(&vol, fill_ino, off, buf, 60000);
		if (r != 60000)
			break;
		off += (uint64_t)r;
	}
	CHECK(r > 0 || r == -FS_ENOSPC);
	if (r > 0) {
		off += (uint64_t)r;
		CHECK(vol_write(&vol, fill_ino, off, buf, 60000) == -FS_ENOSPC);
	}
	CHECK(vol_statfs(&vol, &full) == 0 && full.blocks_free == 0);
	uprintf("    %lu bytes written before the disk was full\n", off);
	CHECK(vol_mkdir(&vol, "/tmp/nospace", 0755) == -FS_ENOSPC);
	CHECK(vol_sync(&vol) == 0);
	CHECK(vol_close(&vol, keep) == 0 && vol_close(&vol, fill_ino) == 0);
	UMOUNT();
	MOUNT();
	CHECK(vol_open(&vol, "/tmp/fill", FS_O_RDONLY, 0, &fill_ino, 0) == 0);
	CHECK(holds(fill_ino, 0, off, 15) && vol_read(&vol, fill_ino, off, buf, 10) == 0);
	CHECK(vol_open(&vol, "/tmp/keep", FS_O_RDONLY, 0, &keep, 0) == 0);
	CHECK(holds(keep, 0, 300000, 14));
	CHECK(vol_close(&vol, keep) == 0 && vol_close(&vol, fill_ino) == 0);
	CHECK(vol_unlink(&vol, "/tmp/fill") == 0 && vol_unlink(&vol, "/tmp/keep") == 0);
	CHECK(vol_statfs(&vol, &after) == 0 && after.blocks_free == before.blocks_free);
	UMOUNT();
}

/* What the host reads after the boot (scripts/check.sh). */
/* The byte at off of ino (0x100 if it cannot be read). */
static unsigned byte_at(uint32_t ino, uint64_t off)
{
	uint8_t c;

	return vol_read(&vol, ino, off, &c, 1) == 1 ? c : 0x100;
}

/*
 * Mapped pages (vol_map_page), as the file server's mmap maps them. The
 * cache leaves its own space out when it asks the kernel about a page
 * (AD_OTHERS), so the "processes" here are spaces of their own (other,
 * other2), and a mapping of this space stands for one that is gone: what a
 * departed mapping stored is still known to the frame. fsync writes exactly
 * the pages stored to, and the bytes are on the disk after a remount; a
 * hole gets its block; truncation takes a page back from every mapping;
 * eviction takes a mapped page back from every space at once.
 */
static void t_mapped(void)
{
	struct vol_stats s0, s1;
	uint32_t ino, big;
	handle_t f, other, other2;
	uint64_t pg, va = uvm_reserve(4 * PAGE);
	const uint64_t at = 0x40000000;
	uint8_t ad[2];
	volatile uint8_t *p = (volatile uint8_t *)va;

	MOUNT();
	CHECK(sys_space_create(uenv.quota, &other) == 0 &&
	      sys_space_create(uenv.quota, &other2) == 0);
	CHECK(create("/tmp/mapped", &ino) == 0 && write_pat(ino, 0, 3 * PAGE, 20) == 3 * PAGE);
	CHECK(vol_truncate(&vol, ino, 5 * PAGE) == 0); /* pages 3 and 4: a hole */
	CHECK(vol_sync(&vol) == 0);
	CHECK(vol_map_page(&vol, ino, 5 * PAGE, 1, &f, &pg) == -FS_ENXIO);
	CHECK(vol_map_page(&vol, ino, 3 * PAGE, 0, &f, &pg) == -FS_ENOENT);
	CHECK(vol_map_page(&vol, ino, 1, 1, &f, &pg) == -FS_ENODEV);
	CHECK(vol_map_page(&vol, ino, 0, 1, &f, &pg) == 0);
	CHECK(sys_space_map(uenv.space, va, f, pg, 1, PROT_R | PROT_W) == 0);
	CHECK(sys_space_map(other, at, f, pg, 1, PROT_R) == 0);
	CHECK(sys_space_map(other2, at, f, pg, 1, PROT_R) == 0);
	CHECK(vol_map_page(&vol, ino, 2 * PAGE, 1, &f, &pg) == 0);
	CHECK(sys_space_map(uenv.space, va + PAGE, f, pg, 1, PROT_R) == 0);
	CHECK(sys_space_map(other, at + PAGE, f, pg, 1, PROT_R) == 0);
	CHECK(vol_map_page(&vol, ino, 3 * PAGE, 1, &f, &pg) == 0); /* the hole gets a block */
	CHECK(sys_space_map(uenv.space, va + 2 * PAGE, f, pg, 1, PROT_R | PROT_W) == 0);
	CHECK(sys_space_map(other2, at + 2 * PAGE, f, pg, 1, PROT_R) == 0);
	CHECK(p[5] == pat(5, 20) && p[PAGE + 7] == pat(2 * PAGE + 7, 20) && p[2 * PAGE] == 0);
	CHECK(vol_sync(&vol) == 0); /* the hole's new block */
	vol_stats(&vol, &s0);
	if (s0.cache.mapped != 3 || s0.cache.dirty != 0)
		uprintf("    mapped %u, dirty %u\n", s0.cache.mapped, s0.cache.dirty);
	CHECK(s0.cache.mapped == 3 && s0.cache.dirty == 0);
	/* Stores through mappings that then go: only the D bits tell, and fsync finds them. */
	p[5] = 0xab;
	p[2 * PAGE + 1] = 0xcd;
	CHECK(sys_space_unmap(uenv.space, va, 3 * PAGE) == 0);
	CHECK(vol_fsync(&vol, ino) == 0);
	vol_stats(&vol, &s1);
	CHECK(s1.cache.writes == s0.cache.writes + 2 && s1.cache.dirty == 0); /* those two */
	CHECK(vol_fsync(&vol, ino) == 0);
	vol_stats(&vol, &s0);
	CHECK(s0.cache.writes == s1.cache.writes); /* nothing written since */
	/* Truncation takes page 2 back from the space mapping it. */
	CHECK(vol_truncate(&vol, ino, 2 * PAGE + 10) == 0);
	CHECK(sys_space_ad(other, at + PAGE, 1, ad, 0) == 0 && (ad[0] & PAGE_MAPPED));
	CHECK(vol_truncate(&vol, ino, PAGE) == 0);
	CHECK(sys_space_ad(other, at + PAGE, 1, ad, 0) == 0 && ad[0] == 0);
	/* Eviction: writing far more than the cache holds takes page 0 back from both spaces. */
	CHECK(create("/tmp/mapped-big", &big) == 0);
	CHECK(write_pat(big, 0, 2 * CACHE_PAGES * PAGE, 21) == 2 * CACHE_PAGES * PAGE);
	CHECK(vol_sync(&vol) == 0 && holds(big, 0, 2 * CACHE_PAGES * PAGE, 21));
	vol_stats(&vol, &s1);
	CHECK(sys_space_ad(other, at, 1, ad, 0) == 0 && ad[0] == 0);
	CHECK(sys_space_ad(other2, at, 1, ad, 0) == 0 && ad[0] == 0);
	CHECK(s1.cache.taken_back >= 1 && s1.cache.mapped == 0);
	CHECK(sys_handle_close(other) == 0 && sys_handle_close(other2) == 0);
	CHECK(vol_close(&vol, ino) == 0 && vol_close(&vol, big) == 0);
	CHECK(vol_unlink(&vol, "/tmp/mapped-big") == 0);
	UMOUNT();
	/* What the mappings stored is on the disk. */
	MOUNT();
	CHECK(vol_lookup(&vol, "/tmp/mapped", &ino) == 0);
	CHECK(byte_at(ino, 5) == 0xab && byte_at(ino, 6) == pat(6, 20));
	CHECK(vol_unlink(&vol, "/tmp/mapped") == 0);
	UMOUNT();
}

static void t_leave_file(void)
{
	const char text[] = "written by fsdisktest\n";
	uint32_t ino;

	MOUNT();
	CHECK(create("/home/fsdisk.txt", &ino) == 0);
	CHECK(vol_write(&vol, ino, 0, text, sizeof(text) - 1) == sizeof(text) - 1);
	CHECK(vol_close(&vol, ino) == 0);
	UMOUNT();
}

/* ------------------------------------------------------------ runner */

struct test {
	const char *name;
	void (*fn)(void);
};

static const struct test tests[] = {
    {"mount", t_mount},
    {"read_image", t_read_image},
    {"readdir", t_readdir},
    {"create_rw", t_create_rw},
    {"large_sparse", t_large_sparse},
    {"many_files", t_many_files},
    {"rename", t_rename},
    {"errors", t_errors},
    {"unlink_open", t_unlink_open},
    {"sync", t_sync},
    {"readahead", t_readahead},
    {"enospc", t_enospc},
    {"mapped", t_mapped},
    {"leave_file", t_leave_file},
};

int main(const struct ustart *us)
{
	int passed = 0, failed = 0;

	if (us->magic != USTART_MAGIC || us->role != ROLE_TEST || !us->system) {
		uprintf("fsdisktest: not started as a test by root\n");
		return 1;
	}
	uenv = (struct uenv){us->self_space, us->self_thread, us->quota, us->system};
	blk_ep = us->blk;
	if (!blk_ep) {
		uprintf("fsdisktest: no disk: nothing to test\nfsdisktest: 0 passed, 1 failed\n");
		return 1;
	}
	/* A file system that does not mount is reported once, cleanly. */
	int e = mount();
	if (e) {
		uprintf("fsdisktest: mount failed: %d (%s)\n", -e, vol_why(&vol));
		uprintf("fsdisktest: 0 passed, 1 failed\n");
		return 1;
	}
	vol_unmount(&vol);
	for (unsigned i = 0; i < sizeof(tests) / sizeof(tests[0]); i++) {
		uint64_t before = free_now(), after = 0;
		failed_here = 0;
		tests[i].fn();
		if (failed_here && vol.mounted)
			vol_unmount(&vol);
		for (int k = 0; k < 100 && (after = free_now()) != before; k++)
			sys_sleep(10 * 1000 * 1000);
		if (!failed_here && after != before) {
			uprintf("    free memory %lu pages before, %lu after\n", before, after);
			failed_here = 1;
		}
		uprintf("%s - fsdisk/%s\n", failed_here ? "not ok" : "ok", tests[i].name);
		failed_here ? failed++ : passed++;
	}
	uprintf("fsdisktest: %d passed, %d failed\n", passed, failed);
	return failed;
}
