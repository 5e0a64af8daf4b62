/*
 * blk: the block-device server. root starts it when the machine has a
 * virtio-blk device or an SD card slot on SPI, and hands it the device's
 * register frame, its interrupt, its compatible string and the system
 * handle (for DMA memory of its own and its clients' frame addresses).
 * blk picks the backend by the compatible, sets the device up, reads the
 * partition table, then serves lib/user/blk_proto.h with NWORKERS threads
 * on its endpoint (see blk.h).
 */
#include "lib/error.h"
#include "lib/partition.h"
#include "lib/str.h"
#include "lib/user/syscall.h"
#include "lib/user/ulib.h"
#include "lib/user/ustart.h"
#include "user/blk/blk.h"

struct blk_dev blk;

static const char *const kinds[] = {"no partition table", "MBR", "GPT"};

static int read_cb(void *ctx, uint64_t lba, void *buf)
{
	(void)ctx;
	return blk.ops->read_sector(lba, buf);
}

static void read_partitions(void)
{
	if (blk.broken)
		return;
	char err[96];
	int e = part_parse(read_cb, 0, blk.capacity, &blk.parts, err, sizeof(err));

	if (e != ERR_OK) {
		uprintf("blk: partition table unreadable (%s): %s; only the whole disk is served\n",
			err_name(e), err);
		return;
	}
	unsigned used = 0;
	for (unsigned i = 0; i < blk.parts.nslots; i++)
		used += blk.parts.slot[i].count != 0;
	uprintf("blk: %s%s, %u partitions\n", kinds[blk.parts.kind],
		blk.parts.backup ? " (from the backup header)" : "", used);
}

int main(const struct ustart *us)
{
	if (us->magic != USTART_MAGIC || us->role != ROLE_BLK) {
		uprintf("blk: not started as the block server\n");
		return 1;
	}
	uenv = (struct uenv){us->self_space, us->self_thread, us->quota, us->system};
	if (!us->serve || !us->device || !us->irq || !us->system) {
		uprintf("blk: start-up page lacks handles\n");
		return 1;
	}
	uint64_t va = uvm_reserve(PAGE);
	if (sys_space_map(uenv.space, va, us->device, 0, 1, PROT_R | PROT_W) != ERR_OK) {
		uprintf("blk: cannot map the device\n");
		return 1;
	}
	int e = ERR_UNSUPPORTED;
	if (strcmp(us->device_compatible, "virtio,mmio") == 0)
		e = virtio_start((volatile uint32_t *)va, us->irq);
	else if (strcmp(us->device_compatible, "sifive,spi0") == 0)
		e = sdspi_start((volatile uint32_t *)va, 0); /* the slot is at chip select 0 */
	else
		uprintf("blk: no backend for a %s device\n", us->device_compatible);
	if (e != ERR_OK)
		return 1;
	if (sys_frame_alloc(0, FRAME_ZEROED, &blk.ram_frame) != ERR_OK) {
		uprintf("blk: out of memory at start\n");
		return 1;
	}
	read_partitions();
	uprintf("blk: ready (%s, %lu sectors%s, %u requests in flight)\n", blk.what, blk.capacity,
		blk.ro	     ? ", read-only"
		: blk.broken ? ", failing every request"
			     : "",
		blk.nslots);
	workers_run(us->serve, (struct ipc_buffer *)USTART_IPCBUF);
}
