/*
 * The nodes of every memory space's page table (lib/radix) are pool pages
 * for mem's own use: zeroed, page aligned, and not counted as resident.
 */
#include "user/mem/mem.h"

static void *node_alloc(void *ctx)
{
	(void)ctx;
	return pool_alloc_meta();
}

static void node_free(void *ctx, void *node)
{
	(void)ctx;
	pool_free_meta(node);
}

const struct radix_alloc radix_pool_nodes = {.alloc = node_alloc, .free = node_free};
