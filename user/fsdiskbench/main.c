/*
 * fsdiskbench: figures of the disk side of the file server (lib/user/fsdisk)
 * on the disk's root partition. root runs it with `test=fsdiskbench`
 * (scripts/bench.sh). Prints "bench: NAME: VALUE UNIT" lines.
 *
 * Instructions (instret, meaningful under -icount shift=0,sleep=off) are
 * given only for windows that never wait for the disk: everything they touch
 * is cached and the background write-back is off. Under icount a hart waiting
 * for the disk still counts instructions, so the figures that include disk
 * I/O are given as MiB/s of wall time (run them without icount).
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
#define BIG	    (16ull << 20)
#define CACHED	    (2ull << 20)
#define CHUNK	    (64 * 1024)
#define SMALL_FILES 1000
#define IPCBUF	    ((struct ipc_buffer *)USTART_IPCBUF)

static handle_t blk_ep;
static struct vol vol;
static uint8_t buf[CHUNK];

static inline uint64_t instret(void)
{
	uint64_t v;
	__asm__ volatile("csrr %0, instret" : "=r"(v));
	return v;
}

static int mount(uint32_t pages)
{
	struct vol_config c = {.blk = blk_ep,
			       .part_name = "test", /* fs has "root" mounted meanwhile */
			       .ipc = IPCBUF,
			       .cache_pages = pages,
			       .workers = 8,
			       .prio = 26,
			       .writeback_ms = 0};
	return vol_mount(&vol, &c);
}

static void mibs(const char *what, uint64_t bytes, uint64_t ns)
{
	uint64_t kib_s = ns ? bytes * 1000000000ull / 1024 / ns : 0;

	uprintf("bench: %s: %lu.%02lu MiB/s\n", what, kib_s / 1024, kib_s % 1024 * 100 / 1024);
}

static void per(const char *what, uint64_t n, uint64_t count)
{
	uprintf("bench: %s: %lu instructions\n", what, n / count);
}

static int write_file(const char *path, uint64_t size)
{
	uint32_t ino;

	if (vol_open(&vol, path, FS_O_RDWR | FS_O_CREAT | FS_O_TRUNC, 0644, &ino, 0))
		return -1;
	for (uint64_t off = 0; off < size; off += CHUNK)
		if (vol_write(&vol, ino, off, buf, CHUNK) != CHUNK)
			return -1;
	return vol_close(&vol, ino);
}

static int read_file(const char *path, uint64_t size)
{
	uint32_t ino;

	if (vol_open(&vol, path, FS_O_RDONLY, 0, &ino, 0))
		return -1;
	for (uint64_t off = 0; off < size; off += CHUNK)
		if (vol_read(&vol, ino, off, buf, CHUNK) != CHUNK)
			return -1;
	return vol_close(&vol, ino);
}

static int run(void)
{
	static char path[64];
	uint64_t t, n;
	struct fs_stat st;

	memset(buf, 0x5a, sizeof(buf));
	/* The disk: 16 MiB written and synced, then read cold, through a 4 MiB cache. */
	if (mount(1024))
		return -1;
	t = sys_clock();
	if (write_file("/tmp/big", BIG) || vol_sync(&vol))
		return -2;
	mibs("fsdisk 16 MiB sequential write + sync (wall)", BIG, sys_clock() - t);
	if (vol_unmount(&vol) || mount(1024))
		return -3;
	t = sys_clock();
	if (read_file("/tmp/big", BIG))
		return -4;
	mibs("fsdisk 16 MiB sequential read, cold (wall)", BIG, sys_clock() - t);
	t = sys_clock();
	if (read_file("/tmp/big", CACHED))
		return -4;
	(void)t;
	if (vol_unlink(&vol, "/tmp/big") || vol_unmount(&vol))
		return -5;

	/* The cache alone: nothing below waits for the disk. */
	if (mount(1024))
		return -6;
	if (write_file("/tmp/cached", CACHED) || read_file("/tmp/cached", CACHED))
		return -7;
	t = sys_clock();
	n = instret();
	if (read_file("/tmp/cached", CACHED))
		return -8;
	n = instret() - n;
	t = sys_clock() - t;
	per("fsdisk read of a cached file (64 KiB reads), per page", n, CACHED / PAGE);
	mibs("fsdisk read of a cached file (wall)", CACHED, t);
	n = instret();
	if (write_file("/tmp/cached", CACHED)) /* O_TRUNC: blocks freed, allocated again */
		return -9;
	per("fsdisk write into the cache (truncate + 64 KiB writes), per page", instret() - n,
	    CACHED / PAGE);
	n = instret();
	for (int i = 0; i < 1000; i++)
		if (vol_stat_path(&vol, "/tmp/cached", &st))
			return -10;
	per("fsdisk stat of a cached file by path", instret() - n, 1000);
	/* 1,000 files need ~1,100 pages (data, inode table, directory): all fit. */
	if (vol_unlink(&vol, "/tmp/cached") || vol_unmount(&vol) || mount(1536))
		return -11;
	if (vol_mkdir(&vol, "/tmp/small", 0755) || vol_sync(&vol))
		return -11;
	n = instret();
	for (int i = 0; i < SMALL_FILES; i++) {
		uint32_t ino;
		fmt_snprintf(path, sizeof(path), "/tmp/small/f%d", i);
		if (vol_open(&vol, path, FS_O_WRONLY | FS_O_CREAT | FS_O_EXCL, 0644, &ino, 0) ||
		    vol_write(&vol, ino, 0, buf, 100) != 100 || vol_close(&vol, ino))
			return -12;
	}
	per("fsdisk create + write 100 bytes + close, 1,000 files, each", instret() - n,
	    SMALL_FILES);
	t = sys_clock();
	if (vol_sync(&vol))
		return -13;
	uprintf("bench: fsdisk sync after 1,000 small files (wall): %lu us\n",
		(sys_clock() - t) / 1000);
	for (int i = 0; i < SMALL_FILES; i++) {
		fmt_snprintf(path, sizeof(path), "/tmp/small/f%d", i);
		if (vol_unlink(&vol, path))
			return -14;
	}
	if (vol_rmdir(&vol, "/tmp/small"))
		return -15;
	return vol_unmount(&vol) ? -16 : 0;
}

int main(const struct ustart *us)
{
	if (us->magic != USTART_MAGIC || us->role != ROLE_TEST || !us->blk) {
		uprintf("fsdiskbench: not started as a test by root, or no disk\n");
		return 1;
	}
	uenv = (struct uenv){us->self_space, us->self_thread, us->quota, us->system};
	blk_ep = us->blk;
	int e = run();
	if (e)
		uprintf("fsdiskbench: failed at step %d (%s)\n", -e, vol_why(&vol));
	return e ? 1 : 0;
}
