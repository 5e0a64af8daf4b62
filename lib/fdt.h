/*
 * Flattened device tree reader (devicetree specification v0.4, version 17
 * blobs; version 16 is accepted).
 *
 * Freestanding and bounds-checked: every offset read from the blob is
 * checked against the header's sizes and the caller's length, so a truncated
 * or corrupt blob yields an error, never an out-of-bounds read or a loop.
 */
#ifndef STRATA_LIB_FDT_H
#define STRATA_LIB_FDT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define FDT_MAGIC     0xd00dfeedu
#define FDT_MAX_DEPTH 32

struct fdt {
	const uint8_t *blob;
	size_t size; /* totalsize from the header, checked <= the caller's length */
	uint32_t off_struct, size_struct;
	uint32_t off_strings, size_strings;
	uint32_t off_rsvmap;
	uint32_t boot_cpuid;
};

/* Validate the header and structure-block bounds. ERR_OK or ERR_TRUNCATED / ERR_CORRUPT /
 * ERR_UNSUPPORTED; err gets a sentence. */
int fdt_open(struct fdt *f, const void *blob, size_t len, char *err, size_t errlen);

/* Read a big-endian cell. */
uint32_t fdt_be32(const void *p);
uint64_t fdt_be64(const void *p);

/* Memory reservation block entries: returns ERR_OK and fills *addr,*size, ERR_NOENT past the end,
 * ERR_CORRUPT if unterminated. */
int fdt_rsvmap_entry(const struct fdt *f, unsigned index, uint64_t *addr, uint64_t *size);

/*
 * Walking: a node is named by its offset in the structure block (of its
 * FDT_BEGIN_NODE token). fdt_root() is the root node.
 * Each function returns an offset >= 0, ERR_NOENT at the end, or a
 * negative error (ERR_CORRUPT, ERR_TRUNCATED) for a malformed blob.
 */
int fdt_root(const struct fdt *f);
int fdt_first_child(const struct fdt *f, int node);
int fdt_next_sibling(const struct fdt *f, int node);
/* Node name ("cpu@0"), or NULL if malformed. */
const char *fdt_node_name(const struct fdt *f, int node);

/* Find a property of node; returns pointer to its value and its length, or NULL. */
const void *fdt_getprop(const struct fdt *f, int node, const char *name, uint32_t *len);

/* Find a node by absolute path ("/soc/serial@10000000"); ERR_NOENT if absent. */
int fdt_path(const struct fdt *f, const char *path);
/* Find a node by phandle anywhere in the tree; ERR_NOENT if absent. */
int fdt_find_phandle(const struct fdt *f, uint32_t phandle);

/* True if node's "compatible" list contains compat. */
bool fdt_is_compatible(const struct fdt *f, int node, const char *compat);
/* Property value is a NUL-terminated string within its length: return it, else NULL. */
const char *fdt_getprop_str(const struct fdt *f, int node, const char *name);
/* Read a u32 property; false if missing or wrong size. */
bool fdt_getprop_u32(const struct fdt *f, int node, const char *name, uint32_t *out);

#endif
