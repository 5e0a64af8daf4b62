/*
 * Program images: a program file proc read from the file system and lends
 * mem in a frame (MEM_IMAGE), so that the program's pages are filled from
 * it on demand as they are from the initrd; or, where the file system can
 * map, fs's mapping object of the file (MEM_IMAGE_FILE), whose pages are
 * mapped from the page cache (file.c). An image is shared by the
 * memory spaces that may still fill pages from it — the one it was lent for
 * and every child forked since — and goes back (unmapped, handle closed)
 * when the last of them is reset or destroyed.
 */
#include "user/mem/mem.h"

#include "lib/user/syscall.h"
#include "lib/user/ulib.h"

#define NIMAGES NVS

static struct image images[NIMAGES];

static struct image *free_image(void)
{
	for (unsigned i = 0; i < NIMAGES; i++)
		if (!images[i].refs)
			return &images[i];
	return 0;
}

int image_new(handle_t frame, uint64_t size, struct image **out)
{
	uint64_t pages = 0, pa = 0;
	struct image *im = free_image();
	int e = sys_frame_info(frame, &pages, &pa);

	if (e == ERR_OK && !im)
		e = ERR_FULL;
	if (e == ERR_OK && (size == 0 || size > pages * PAGE))
		e = ERR_RANGE;
	uint64_t va = e == ERR_OK ? uvm_reserve(pages * PAGE) : 0;
	if (e == ERR_OK && !va)
		e = ERR_NOMEM;
	if (e == ERR_OK)
		e = sys_space_map(env.self, va, frame, 0, pages, PROT_R);
	if (e != ERR_OK) {
		sys_handle_close(frame);
		return e;
	}
	*im = (struct image){.frame = frame,
			     .data = (const uint8_t *)va,
			     .size = size,
			     .mapped = pages * PAGE,
			     .refs = 1};
	*out = im;
	return ERR_OK;
}

int image_new_file(uint64_t id, uint64_t size, struct image **out)
{
	struct image *im = free_image();

	if (!im)
		return ERR_FULL;
	if (size == 0)
		return ERR_RANGE;
	int e = file_ref(id, false);
	if (e != ERR_OK)
		return e;
	*im = (struct image){.fsobj = id, .size = size, .refs = 1};
	*out = im;
	return ERR_OK;
}

void image_ref(struct image *im)
{
	im->refs++;
}

void image_unref(struct image *im)
{
	if (--im->refs)
		return;
	if (im->fsobj) {
		file_unref(im->fsobj);
	} else {
		sys_space_unmap(env.self, (uint64_t)im->data, im->mapped);
		sys_handle_close(im->frame);
	}
	*im = (struct image){0};
}
