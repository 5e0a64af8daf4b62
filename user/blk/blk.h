/*
 * blk: the block-device server. lib/user/blk_proto.h is the protocol.
 *
 *   main.c     start-up: map the device, pick its backend, partitions, threads
 *   request.c  the request layer: workers receive, check, issue, reply
 *   virtio.c   backend: a virtio-mmio block device (legacy and modern), its
 *              queue and interrupt thread; DMA into the client's frame
 *   spi.c      the SiFive SPI controller (sifive,spi0): byte exchange
 *              through its FIFOs, chip select, clock
 *   sdspi.c    backend: an SD card in SPI mode behind spi.c; blk copies
 *              between the FIFO and the client's frame, mapped in blk
 *
 * Threads: NWORKERS workers, all receiving on the one endpoint (and for
 * virtio an interrupt thread). Worker i owns request slot i of its
 * backend, so a request in flight needs no allocation and no lookup. The
 * request layer checks a request completely, then hands the backend a
 * struct blk_io; the backend moves the data and says ERR_OK or ERR_IO.
 */
#ifndef STRATA_USER_BLK_BLK_H
#define STRATA_USER_BLK_BLK_H

#include <stdbool.h>
#include <stdint.h>

#include "lib/abi.h"
#include "lib/partition.h"
#include "lib/user/ipc.h"

#define BLK_PRIO   29
#define NWORKERS   40 /* requests in flight at most (and at most the slots) */
#define NSLOTS_MAX NWORKERS
#define PAGE	   4096ull

/* One data transfer, checked: the backend may trust every field. */
struct blk_io {
	bool write;	 /* to the disk (BLK_WRITE), else from it */
	uint64_t sector; /* on the disk */
	uint32_t bytes;	 /* a multiple of 512, at most max_sectors of them */
	uint64_t pa;	 /* DMA backends: where the data lies */
	uint8_t *va;	 /* mapping backends (blk.maps): the data, mapped in blk */
};

/* What a backend does; slot is the worker's (0 at start-up). */
struct blk_ops {
	/* Move io's data: ERR_OK, ERR_IO (device error or timeout) or ERR_UNSUPPORTED. */
	int (*rw)(unsigned slot, const struct blk_io *io);
	/* Empty the device's write cache (called only with blk.flush). */
	int (*flush)(unsigned slot);
	/* Read sector lba into buf (512 bytes of blk's own): start-up only. */
	int (*read_sector)(uint64_t lba, void *buf);
};

struct blk_dev {
	const struct blk_ops *ops;
	const char *what;	 /* for the ready line: "virtio-mmio legacy", "SD card (SDHC)" */
	bool modern;		 /* virtio-mmio version 2 (BLK_F_MODERN) */
	bool ro;		 /* writes get ERR_PERM */
	bool flush;		 /* a write cache that BLK_FLUSH empties */
	bool maps;		 /* no DMA: data requests map the client's frame into blk */
	bool broken;		 /* every data request fails with ERR_IO */
	uint64_t capacity;	 /* sectors */
	uint32_t max_sectors;	 /* per request */
	unsigned nslots;	 /* request slots: workers */
	handle_t ram_frame;	 /* a RAM frame of ours, for frame probes */
	struct part_table parts; /* read at start-up */
};
extern struct blk_dev blk;

/* Statistics (BLK_STATS), kept by the request layer, updated atomically. */
struct blk_stats {
	uint64_t done, peak, failed, inflight;
};
extern struct blk_stats blk_stats;

/*
 * Backends. Each sets the device up from its mapped registers and fills
 * blk (ops, capacity, slots, ...): ERR_OK, or an error after printing why.
 */
int virtio_start(volatile uint32_t *regs, handle_t irq);
/*
 * The SD card behind the SPI controller at regs, on chip select cs. A card
 * that is missing or never answers is not an error: blk then serves a
 * broken disk of 0 sectors (every data request fails with ERR_IO).
 */
int sdspi_start(volatile uint32_t *regs, unsigned cs);

/*
 * Start the workers on ep; the calling thread (whose IPC buffer is own)
 * becomes worker 0 and never returns. A worker that cannot be started
 * leaves fewer requests in flight, which is said on the console.
 */
void workers_run(handle_t ep, struct ipc_buffer *own) __attribute__((noreturn));

#endif
