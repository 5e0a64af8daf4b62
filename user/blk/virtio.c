/*
 * The virtio-mmio block device (virtio 1.x sections 4.2 and 5.2): reset,
 * feature negotiation and queue set-up for both register layouts — legacy
 * (version 1: QueuePFN, guest page size, 32 feature bits) and modern
 * (version 2: 64-bit queue addresses, QueueReady, FEATURES_OK) — then
 * requests on slots and the interrupt thread that completes them.
 */
#include "lib/error.h"
#include "lib/str.h"
#include "lib/user/blk_proto.h"
#include "lib/user/spinlock.h"
#include "lib/user/syscall.h"
#include "lib/user/ulib.h"
#include "lib/virtq.h"
#include "user/blk/blk.h"

/* Register offsets (virtio 1.x 4.2.2, and 4.2.4 for the legacy ones). */
enum {
	R_MAGIC = 0x000,
	R_VERSION = 0x004,
	R_DEVICE_ID = 0x008,
	R_DEV_FEATURES = 0x010,
	R_DEV_FEATURES_SEL = 0x014,
	R_DRV_FEATURES = 0x020,
	R_DRV_FEATURES_SEL = 0x024,
	R_GUEST_PAGE_SIZE = 0x028, /* legacy */
	R_QUEUE_SEL = 0x030,
	R_QUEUE_NUM_MAX = 0x034,
	R_QUEUE_NUM = 0x038,
	R_QUEUE_ALIGN = 0x03c, /* legacy */
	R_QUEUE_PFN = 0x040,   /* legacy */
	R_QUEUE_READY = 0x044,
	R_QUEUE_NOTIFY = 0x050,
	R_INT_STATUS = 0x060,
	R_INT_ACK = 0x064,
	R_STATUS = 0x070,
	R_QUEUE_DESC = 0x080, /* low, high at +4 */
	R_QUEUE_DRIVER = 0x090,
	R_QUEUE_DEVICE = 0x0a0,
	R_CONFIG_GEN = 0x0fc,
	R_CONFIG = 0x100,
};

#define VIRTIO_MAGIC 0x74726976 /* "virt" */
#define DEVICE_BLK   2

/* Device status bits. */
enum { S_ACK = 1, S_DRIVER = 2, S_DRIVER_OK = 4, S_FEATURES_OK = 8, S_NEEDS_RESET = 64 };

/* Feature bits we may take (virtio 1.x 5.2.3 and 6). */
#define F_SIZE_MAX  (1ull << 1)
#define F_RO	    (1ull << 5)
#define F_FLUSH	    (1ull << 9)
#define F_VERSION_1 (1ull << 32)

/* virtio_blk_config offsets. */
enum { C_CAPACITY = 0x00, C_SIZE_MAX = 0x08 };

/* virtio-blk request types (virtio 1.x 5.2.6). */
enum { VBLK_IN = 0, VBLK_OUT = 1, VBLK_FLUSH = 4 };

#define QUEUE_MAX 128 /* virtqueue entries we ask for */
#define VQ_SLOTS  (QUEUE_MAX / 3)

/* Status byte values. */
enum { ST_OK = 0, ST_IOERR = 1, ST_UNSUPP = 2 };

#define IRQ_BIT	 1ull
#define DONE_BIT 1ull

/* The header page: request headers, status bytes, and a sector for start-up reads. */
#define HDR_OFF(s)    (16u * (s))
#define STATUS_OFF(s) (1024u + (s))
#define SCRATCH_OFF   2048u

static struct {
	volatile uint32_t *regs;
	struct virtq q;
	struct spinlock
	    lock;     /* guards q's available side; the interrupt thread owns the used side */
	uint8_t *hdr; /* the header page, mapped */
	uint64_t hdr_pa;
	handle_t irq, irq_notify;
	handle_t done[VQ_SLOTS]; /* each slot's completion notification */
} vq;

static uint32_t rd(unsigned off)
{
	return vq.regs[off / 4];
}

static void wr(unsigned off, uint32_t v)
{
	/* Memory writes (the rings) before the register write the device acts on. */
	__asm__ volatile("fence iorw, iorw" ::: "memory");
	vq.regs[off / 4] = v;
}

static void wr64(unsigned off, uint64_t v)
{
	wr(off, (uint32_t)v);
	wr(off + 4, (uint32_t)(v >> 32));
}

/* A DMA frame of 2^order pages of ours, mapped: its va, and its pa in *pa; 0 on failure. */
static void *dma_alloc(unsigned order, uint64_t *pa, handle_t *frame)
{
	handle_t f;
	uint64_t pages;

	if (sys_frame_alloc(order, FRAME_ZEROED, &f) != ERR_OK)
		return 0;
	uint64_t va = uvm_reserve(PAGE << order);
	if (sys_frame_phys(f, uenv.system, pa, &pages) != ERR_OK ||
	    sys_space_map(uenv.space, va, f, 0, 1ull << order, PROT_R | PROT_W) != ERR_OK) {
		sys_handle_close(f);
		return 0;
	}
	*frame = f;
	return (void *)va;
}

static uint64_t config64(unsigned off)
{
	uint32_t gen, lo, hi;

	do {
		gen = blk.modern ? rd(R_CONFIG_GEN) : 0;
		lo = rd(R_CONFIG + off);
		hi = rd(R_CONFIG + off + 4);
	} while (blk.modern && gen != rd(R_CONFIG_GEN));
	return (uint64_t)hi << 32 | lo;
}

static uint64_t device_features(void)
{
	wr(R_DEV_FEATURES_SEL, 0);
	uint64_t f = rd(R_DEV_FEATURES);
	if (blk.modern) {
		wr(R_DEV_FEATURES_SEL, 1);
		f |= (uint64_t)rd(R_DEV_FEATURES) << 32;
	}
	return f;
}

static void driver_features(uint64_t f)
{
	wr(R_DRV_FEATURES_SEL, 0);
	wr(R_DRV_FEATURES, (uint32_t)f);
	if (blk.modern) {
		wr(R_DRV_FEATURES_SEL, 1);
		wr(R_DRV_FEATURES, (uint32_t)(f >> 32));
	}
}

/* Steps 1-6 of virtio 1.x 3.1.1 (legacy: 3.1.2, without FEATURES_OK). */
static int negotiate(void)
{
	wr(R_STATUS, 0);
	while (blk.modern && rd(R_STATUS) != 0)
		sys_yield();
	wr(R_STATUS, S_ACK);
	wr(R_STATUS, S_ACK | S_DRIVER);
	uint64_t offered = device_features();
	uint64_t want = F_RO | F_FLUSH | F_SIZE_MAX | (blk.modern ? F_VERSION_1 : 0);
	if (blk.modern && !(offered & F_VERSION_1)) {
		uprintf("blk: a modern device without VIRTIO_F_VERSION_1\n");
		return ERR_UNSUPPORTED;
	}
	uint64_t f = offered & want;
	driver_features(f);
	if (blk.modern) {
		wr(R_STATUS, S_ACK | S_DRIVER | S_FEATURES_OK);
		if (!(rd(R_STATUS) & S_FEATURES_OK)) {
			uprintf("blk: the device refused our features\n");
			return ERR_UNSUPPORTED;
		}
	}
	blk.ro = f & F_RO;
	blk.flush = f & F_FLUSH;
	blk.capacity = config64(C_CAPACITY);
	blk.max_sectors = BLK_MAX_SECTORS;
	if (f & F_SIZE_MAX) {
		uint32_t size_max = (uint32_t)config64(C_SIZE_MAX);
		if (size_max / 512 < blk.max_sectors)
			blk.max_sectors = size_max / 512;
	}
	return blk.max_sectors ? ERR_OK : ERR_UNSUPPORTED;
}

static int queue_setup(void)
{
	handle_t qf, hf;
	uint64_t qpa;
	unsigned num = QUEUE_MAX;

	wr(R_QUEUE_SEL, 0);
	if ((blk.modern && rd(R_QUEUE_READY)) || (!blk.modern && rd(R_QUEUE_PFN))) {
		uprintf("blk: queue 0 is already in use\n");
		return ERR_STATE;
	}
	uint32_t max = rd(R_QUEUE_NUM_MAX);
	while (num > max)
		num /= 2;
	if (num < 4) {
		uprintf("blk: queue 0 has only %u entries\n", max);
		return ERR_UNSUPPORTED;
	}
	void *qva = dma_alloc(1, &qpa, &qf); /* virtq_size(128) is 5126 bytes */
	vq.hdr = dma_alloc(0, &vq.hdr_pa, &hf);
	if (!qva || !vq.hdr || virtq_size(num) > 2 * PAGE) {
		uprintf("blk: no DMA memory for the queue\n");
		return ERR_NOMEM;
	}
	virtq_init(&vq.q, qva, qpa, num);
	blk.nslots = num / 3 < NWORKERS ? num / 3 : NWORKERS;
	wr(R_QUEUE_NUM, num);
	if (blk.modern) {
		wr64(R_QUEUE_DESC, vq.q.desc_pa);
		wr64(R_QUEUE_DRIVER, vq.q.avail_pa);
		wr64(R_QUEUE_DEVICE, vq.q.used_pa);
		wr(R_QUEUE_READY, 1);
	} else {
		wr(R_GUEST_PAGE_SIZE, PAGE);
		wr(R_QUEUE_ALIGN, VIRTQ_ALIGN);
		wr(R_QUEUE_PFN, (uint32_t)(qpa / PAGE));
	}
	return ERR_OK;
}

/* A request of slot s has completed (or the device broke): wake its worker. */
static void complete(unsigned s)
{
	sys_notify_signal(vq.done[s], DONE_BIT);
}

/* The interrupt thread: acknowledge the device, hand each used chain back to its slot. */
static void irq_main(void *arg)
{
	(void)arg;
	for (;;) {
		uint64_t bits;
		if (sys_notify_wait(vq.irq_notify, &bits) != ERR_OK)
			return;
		uint32_t isr = rd(R_INT_STATUS);
		wr(R_INT_ACK, isr);
		if (rd(R_STATUS) & S_NEEDS_RESET && !blk.broken) {
			uprintf("blk: the device needs a reset; every request fails from now on\n");
			__atomic_store_n(&blk.broken, true, __ATOMIC_RELEASE);
			/* Wake every slot: those in flight find the status byte unset. */
			for (unsigned s = 0; s < blk.nslots; s++)
				sys_notify_signal(vq.done[s], DONE_BIT);
		}
		struct virtq_used_elem e;
		while (virtq_take_used(&vq.q, &e)) {
			unsigned s = e.id / 3;
			if (e.id % 3 || s >= blk.nslots)
				uprintf("blk: the device returned descriptor %u\n", e.id);
			else
				complete(s);
		}
		/* ERR_STATE only means no interrupt was in service. */
		sys_irq_ack(vq.irq);
	}
}

static int virtio_rw(unsigned s, const struct blk_io *io);
static int virtio_flush(unsigned s);
static int virtio_read_sector(uint64_t lba, void *buf);

static const struct blk_ops virtio_ops = {virtio_rw, virtio_flush, virtio_read_sector};

int virtio_start(volatile uint32_t *regs, handle_t irq)
{
	vq.regs = regs;
	if (rd(R_MAGIC) != VIRTIO_MAGIC || rd(R_DEVICE_ID) != DEVICE_BLK ||
	    (rd(R_VERSION) != 1 && rd(R_VERSION) != 2)) {
		uprintf("blk: not a virtio-mmio block device (magic %x, version %u, device %u)\n",
			rd(R_MAGIC), rd(R_VERSION), rd(R_DEVICE_ID));
		return ERR_UNSUPPORTED;
	}
	blk.modern = rd(R_VERSION) == 2;
	blk.ops = &virtio_ops;
	blk.what = blk.modern ? "virtio-mmio modern" : "virtio-mmio legacy";
	int e = negotiate();
	if (e == ERR_OK)
		e = queue_setup();
	for (unsigned s = 0; e == ERR_OK && s < blk.nslots; s++)
		e = sys_notify_create(&vq.done[s]);
	vq.irq = irq;
	if (e == ERR_OK)
		e = sys_notify_create(&vq.irq_notify);
	if (e == ERR_OK)
		e = sys_irq_bind(irq, vq.irq_notify, IRQ_BIT);
	handle_t t;
	if (e == ERR_OK)
		e = uthread_spawn(irq_main, 0, BLK_PRIO, 0, &t);
	if (e != ERR_OK) {
		uprintf("blk: cannot start the device: %s\n", err_name(e));
		wr(R_STATUS, 0);
		return e;
	}
	wr(R_STATUS, rd(R_STATUS) | S_DRIVER_OK);
	return ERR_OK;
}

/*
 * Issue one request on slot s and wait for the device to finish it: type
 * VBLK_*, sector on the disk, data at physical address pa, bytes (0 for a
 * flush). Returns ERR_OK, ERR_IO (device error, or the device is broken)
 * or ERR_UNSUPPORTED (the device refused the type).
 */
static int issue(unsigned s, unsigned type, uint64_t sector, uint64_t pa, uint32_t bytes)
{
	uint8_t *hdr = vq.hdr + HDR_OFF(s);
	volatile uint8_t *status = vq.hdr + STATUS_OFF(s);
	uint16_t d = (uint16_t)(3 * s);

	if (__atomic_load_n(&blk.broken, __ATOMIC_ACQUIRE))
		return ERR_IO;
	for (int i = 0; i < 4; i++) {
		hdr[i] = (uint8_t)(type >> (8 * i)); /* type, little endian */
		hdr[4 + i] = 0;			     /* reserved */
	}
	for (int i = 0; i < 8; i++)
		hdr[8 + i] = (uint8_t)(sector >> (8 * i));
	*status = 0xff; /* the device writes 0, 1 or 2 */
	uint16_t data_flags = type == VBLK_IN ? VIRTQ_DESC_WRITE : 0;
	if (bytes) {
		virtq_desc_set(&vq.q, d, vq.hdr_pa + HDR_OFF(s), 16, VIRTQ_DESC_NEXT, d + 1);
		virtq_desc_set(&vq.q, d + 1, pa, bytes, data_flags | VIRTQ_DESC_NEXT, d + 2);
	} else {
		virtq_desc_set(&vq.q, d, vq.hdr_pa + HDR_OFF(s), 16, VIRTQ_DESC_NEXT, d + 2);
	}
	virtq_desc_set(&vq.q, d + 2, vq.hdr_pa + STATUS_OFF(s), 1, VIRTQ_DESC_WRITE, 0);
	spin_lock(&vq.lock);
	virtq_publish(&vq.q, d);
	if (virtq_should_notify(&vq.q))
		wr(R_QUEUE_NOTIFY, 0);
	spin_unlock(&vq.lock);

	uint64_t bits;
	sys_notify_wait(vq.done[s], &bits);
	__asm__ volatile("fence iorw, iorw" ::: "memory");
	uint8_t st = *status;
	if (st == ST_OK)
		return ERR_OK;
	return st == ST_UNSUPP ? ERR_UNSUPPORTED : ERR_IO;
}

static int virtio_rw(unsigned s, const struct blk_io *io)
{
	return issue(s, io->write ? VBLK_OUT : VBLK_IN, io->sector, io->pa, io->bytes);
}

static int virtio_flush(unsigned s)
{
	return issue(s, VBLK_FLUSH, 0, 0, 0);
}

static int virtio_read_sector(uint64_t lba, void *buf)
{
	int e = issue(0, VBLK_IN, lba, vq.hdr_pa + SCRATCH_OFF, 512);

	if (e == ERR_OK)
		memcpy(buf, vq.hdr + SCRATCH_OFF, 512);
	return e;
}
