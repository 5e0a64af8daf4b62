/*
 * blk: the virtio-blk driver server. lib/user/blk_proto.h is the protocol.
 *
 *   main.c     start-up: map the device, DMA memory, partitions, threads
 *   virtio.c   the virtio-mmio device (legacy and modern), its queue, the
 *              interrupt thread, and issuing one request on a slot
 *   request.c  the worker threads: receive, check, issue, reply
 *
 * Threads: one interrupt thread and NWORKERS workers, all receiving on the
 * one endpoint. Worker i owns request slot i — descriptors 3i..3i+2, a
 * request header and a status byte in the header page, and a notification
 * the interrupt thread signals when the device has finished the slot's
 * request — so a request in flight needs no allocation and no lookup.
 */
#ifndef STRATA_USER_BLK_BLK_H
#define STRATA_USER_BLK_BLK_H

#include <stdbool.h>
#include <stdint.h>

#include "lib/abi.h"
#include "lib/user/ipc.h"
#include "lib/partition.h"

#define BLK_PRIO   29
#define QUEUE_MAX  128 /* virtqueue entries we ask for */
#define NSLOTS_MAX (QUEUE_MAX / 3)
#define NWORKERS   40 /* requests in flight at most (and at most the slots) */
#define PAGE	   4096ull

/* virtio-blk request types (virtio 1.x 5.2.6). */
enum { VBLK_IN = 0, VBLK_OUT = 1, VBLK_FLUSH = 4 };

struct blk_dev {
	volatile uint32_t *regs;
	bool modern;		 /* virtio-mmio version 2 */
	bool ro;		 /* VIRTIO_BLK_F_RO */
	bool flush;		 /* VIRTIO_BLK_F_FLUSH */
	bool broken;		 /* the device asked for a reset: every request fails with ERR_IO */
	uint64_t capacity;	 /* sectors */
	uint32_t max_sectors;	 /* per request */
	unsigned nslots;	 /* request slots (queue entries / 3) */
	handle_t ram_frame;	 /* a RAM frame of ours (the header page), for frame probes */
	struct part_table parts; /* read at start-up */
};
extern struct blk_dev blk;

/* Statistics (BLK_STATS), updated atomically. */
struct blk_stats {
	uint64_t done, peak, failed, inflight;
};
extern struct blk_stats blk_stats;

/*
 * Reset and set up the device whose registers are mapped at regs, with the
 * queue and headers in DMA memory of ours; bind irq. ERR_OK, or an error
 * after printing why.
 */
int virtio_start(volatile uint32_t *regs, handle_t irq);

/*
 * Issue one request on slot s and wait for the device to finish it: type
 * VBLK_*, sector on the disk, data at physical address pa, bytes (0 for a
 * flush). Returns ERR_OK, ERR_IO (device error, or the device is broken)
 * or ERR_UNSUPPORTED (the device refused the type). The caller has checked
 * every argument.
 */
int virtio_rw(unsigned s, unsigned type, uint64_t sector, uint64_t pa, uint32_t bytes);

/* Read sector lba of the disk into buf (slot 0; start-up only, before the workers). */
int virtio_read_sector(uint64_t lba, void *buf);

/*
 * Start the workers on ep; the calling thread (whose IPC buffer is own)
 * becomes worker 0 and never returns. A worker that cannot be started
 * leaves fewer requests in flight, which is said on the console.
 */
void workers_run(handle_t ep, struct ipc_buffer *own) __attribute__((noreturn));

#endif
