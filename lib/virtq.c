/* The driver's side of a virtio split virtqueue: see virtq.h. */
#include "lib/virtq.h"

#define USED_ELEMS 4 /* byte offset of the used ring's elements */

static size_t align_up(size_t v, size_t a)
{
	return (v + a - 1) & ~(a - 1);
}

static size_t avail_bytes(unsigned num)
{
	return 2 * (3 + (size_t)num); /* flags, idx, ring[num], used_event */
}

static size_t used_offset(unsigned num)
{
	return align_up(sizeof(struct virtq_desc) * num + avail_bytes(num), VIRTQ_ALIGN);
}

size_t virtq_size(unsigned num)
{
	if (num == 0 || num > 32768 || (num & (num - 1)))
		return 0;
	return used_offset(num) + USED_ELEMS + sizeof(struct virtq_used_elem) * num + 2;
}

void virtq_init(struct virtq *q, void *va, uint64_t pa, unsigned num)
{
	uint8_t *b = va;
	size_t n = virtq_size(num);

	for (size_t i = 0; i < n; i++)
		b[i] = 0;
	q->num = num;
	q->desc = va;
	q->desc_pa = pa;
	q->avail = (volatile uint16_t *)(b + sizeof(struct virtq_desc) * num);
	q->avail_pa = pa + sizeof(struct virtq_desc) * num;
	q->used = (volatile uint16_t *)(b + used_offset(num));
	q->used_pa = pa + used_offset(num);
	q->avail_idx = 0;
	q->last_used = 0;
}

void virtq_desc_set(struct virtq *q, unsigned i, uint64_t pa, uint32_t len, uint16_t flags,
		    uint16_t next)
{
	q->desc[i] = (struct virtq_desc){pa, len, flags, next};
}

void virtq_publish(struct virtq *q, uint16_t head)
{
	q->avail[2 + (q->avail_idx & (q->num - 1))] = head;
	/* The descriptors and the ring entry before the index that shows them. */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	q->avail_idx++;
	q->avail[1] = q->avail_idx;
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
}

int virtq_should_notify(const struct virtq *q)
{
	return !(q->used[0] & VIRTQ_USED_NO_NOTIFY);
}

int virtq_take_used(struct virtq *q, struct virtq_used_elem *e)
{
	if (q->used[1] == q->last_used)
		return 0;
	/* The index before the element it covers. */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	const volatile uint8_t *base = (const volatile uint8_t *)q->used + USED_ELEMS;
	const volatile struct virtq_used_elem *u =
	    (const volatile struct virtq_used_elem *)base + (q->last_used & (q->num - 1));
	e->id = u->id;
	e->len = u->len;
	q->last_used++;
	return 1;
}
