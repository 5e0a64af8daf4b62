/*
 * Host tests for lib/virtq.c: the layout the legacy interface requires,
 * and chains offered and returned through a simulated device that reads
 * the available ring and writes the used ring as the virtio spec says.
 */
#include "lib/virtq.h"

#include <stdint.h>
#include <string.h>

#include "tests/host/check.h"

static uint8_t mem[2 * 4096] __attribute__((aligned(4096)));

/* The device: take every offered chain, "complete" it with len = its first descriptor's len. */
static unsigned device_run(struct virtq *q, uint16_t *seen)
{
	const uint16_t *avail = (const uint16_t *)(mem + 16 * q->num);
	uint16_t *used = (uint16_t *)(mem + (q->used_pa - q->desc_pa));
	struct virtq_used_elem *elems = (struct virtq_used_elem *)(used + 2);
	unsigned n = 0;

	while (*seen != avail[1]) {
		uint16_t head = avail[2 + (*seen & (q->num - 1))];
		elems[used[1] & (q->num - 1)] = (struct virtq_used_elem){head, q->desc[head].len};
		used[1]++;
		(*seen)++;
		n++;
	}
	return n;
}

static void layout(void)
{
	CHECK(virtq_size(0) == 0 && virtq_size(3) == 0 && virtq_size(65536) == 0);
	CHECK(virtq_size(128) == 4096 + 4 + 8 * 128 + 2);
	CHECK(virtq_size(256) ==
	      8192 + 4 + 8 * 256 + 2); /* 4096 + 518 bytes before the used ring */
	struct virtq q;
	memset(mem, 0xaa, sizeof(mem));
	virtq_init(&q, mem, 0x80000000, 128);
	CHECK(q.desc_pa == 0x80000000 && q.avail_pa == 0x80000000 + 2048);
	CHECK(q.used_pa == 0x80000000 + 4096);
	CHECK(mem[0] == 0 && mem[virtq_size(128) - 1] == 0);
}

static void chains(void)
{
	struct virtq q;
	struct virtq_used_elem e;
	uint16_t seen = 0;

	virtq_init(&q, mem, 0x80000000, 8);
	CHECK(!virtq_take_used(&q, &e));
	CHECK(virtq_should_notify(&q));
	/* 100 rounds over an 8-entry queue: the indexes wrap the ring many times. */
	for (unsigned r = 0; r < 100; r++) {
		for (uint16_t c = 0; c < 2; c++) {
			uint16_t d = (uint16_t)(3 * c);
			virtq_desc_set(&q, d, 0x1000, 16 + r, VIRTQ_DESC_NEXT, d + 1);
			virtq_desc_set(&q, d + 1, 0x2000, 512, VIRTQ_DESC_NEXT | VIRTQ_DESC_WRITE,
				       d + 2);
			virtq_desc_set(&q, d + 2, 0x3000, 1, VIRTQ_DESC_WRITE, 0);
			virtq_publish(&q, d);
		}
		CHECK(device_run(&q, &seen) == 2);
		CHECK(virtq_take_used(&q, &e) && e.id == 0 && e.len == 16 + r);
		CHECK(virtq_take_used(&q, &e) && e.id == 3 && e.len == 16 + r);
		CHECK(!virtq_take_used(&q, &e));
	}
	CHECK(q.avail_idx == 200 && q.last_used == 200);
	CHECK(q.desc[4].addr == 0x2000 && q.desc[4].next == 5);
	uint16_t *used = (uint16_t *)(mem + 4096);
	used[0] = VIRTQ_USED_NO_NOTIFY;
	CHECK(!virtq_should_notify(&q));
}

int main(void)
{
	check_suite = "virtq";
	RUN(layout);
	RUN(chains);
	return check_done();
}
