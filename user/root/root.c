/*
 * root: the first user program. For now it reports what the kernel handed
 * it (handles, devices, memory, the initrd's contents) and waits; the
 * servers it will start come with the user-space issue.
 */
#include "lib/cpio.h"
#include "lib/user/loader.h"
#include "lib/user/syscall.h"
#include "lib/user/ulib.h"

int main(struct bootinfo *bi)
{
	uenv = (struct uenv){bi->self_space, bi->self_thread, bi->quota, bi->system};
	uprintf("root: started; %lu of %lu pages free, %u harts\n", bi->free_pages, bi->total_pages,
		bi->nharts);
	uprintf("root: handles: space %d thread %d quota %d system %d initrd %d\n", bi->self_space,
		bi->self_thread, bi->quota, bi->system, bi->initrd);
	for (unsigned i = 0; i < bi->ndevices; i++) {
		const struct boot_device *d = &bi->devices[i];
		uprintf("root: device %s at %#lx (frame %d, irq %u -> %d)\n", d->compatible, d->pa,
			d->frame, d->irq_source, d->irq);
	}
	struct initrd rd;
	if (bi->initrd &&
	    initrd_map(bi->initrd, bi->initrd_offset, bi->initrd_size, &rd) == ERR_OK) {
		struct cpio_iter it;
		struct cpio_entry e;
		char err[80];
		cpio_iter_init(&it, rd.data, rd.size);
		while (cpio_next(&it, &e, err, sizeof(err)) == ERR_OK)
			uprintf("root: initrd: %s (%zu bytes)\n", e.name, e.size);
	}
	uprintf("root: nothing else to start yet; waiting\n");
	handle_t n;
	uint64_t bits;
	if (sys_notify_create(&n) == ERR_OK)
		sys_notify_wait(n, &bits);
	return 0;
}
