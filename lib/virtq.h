/*
 * A virtio split virtqueue (virtio 1.x section 2.6), the driver's side: the
 * descriptor table, the available ring (driver -> device) and the used ring
 * (device -> driver) in one physically contiguous block laid out as the
 * legacy interface requires, which the modern interface accepts as well:
 *
 *   0                      descriptors: 16 bytes x num
 *   16 num                 available ring: flags, idx, ring[num], used_event
 *   align up to 4096       used ring: flags, idx, {id, len}[num], avail_event
 *
 * Freestanding; the caller owns the memory (DMA-able, zeroed) and does the
 * device's register writes (notify) after virtq_publish.
 */
#ifndef STRATA_LIB_VIRTQ_H
#define STRATA_LIB_VIRTQ_H

#include <stddef.h>
#include <stdint.h>

#define VIRTQ_ALIGN	     4096 /* legacy QueueAlign, used ring alignment */
#define VIRTQ_DESC_NEXT	     1	  /* the chain goes on in .next */
#define VIRTQ_DESC_WRITE     2	  /* the device writes this buffer */
#define VIRTQ_USED_NO_NOTIFY 1	  /* used.flags: the device asks not to be notified */

struct virtq_desc {
	uint64_t addr; /* physical address */
	uint32_t len;
	uint16_t flags;
	uint16_t next;
};

struct virtq_used_elem {
	uint32_t id;  /* head of the chain the device finished */
	uint32_t len; /* bytes it wrote */
};

struct virtq {
	unsigned num; /* entries, a power of two */
	struct virtq_desc *desc;
	volatile uint16_t *avail; /* [0] flags, [1] idx, [2 + i] ring */
	volatile uint16_t *used;  /* [0] flags, [1] idx; elements from byte 4 */
	uint64_t desc_pa, avail_pa, used_pa;
	uint16_t avail_idx; /* next free slot in the available ring (free-running) */
	uint16_t last_used; /* used elements consumed so far (free-running) */
};

/* Bytes the queue needs for num entries (a power of two, 1..32768), or 0 if num is not one. */
size_t virtq_size(unsigned num);

/* Set q up over memory at va (physical address pa) of virtq_size(num) bytes, zeroed here. */
void virtq_init(struct virtq *q, void *va, uint64_t pa, unsigned num);

/* Fill descriptor i. */
void virtq_desc_set(struct virtq *q, unsigned i, uint64_t pa, uint32_t len, uint16_t flags,
		    uint16_t next);

/* Offer the chain starting at descriptor head to the device (memory barrier included). */
void virtq_publish(struct virtq *q, uint16_t head);

/* Does the device want a notification (used ring flags)? */
int virtq_should_notify(const struct virtq *q);

/* Take the next used element: 1 and *e filled, or 0 if there is none. */
int virtq_take_used(struct virtq *q, struct virtq_used_elem *e);

#endif
