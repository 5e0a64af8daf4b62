/*
 * Shared-memory rings (lib/libc/shmring.c): messages from one process to
 * another through a ring in a shared-memory object, copied once into the
 * ring and once out of it, never through the kernel; each side sleeps on a
 * notification of its own and the other side signals it only when it is
 * waiting. One writer, one reader.
 *
 *   reader                                 writer
 *   r = shmring_create("name", bytes)
 *                                          w = shmring_open("name")
 *   n = shmring_recv(r, buf, max)   <----  shmring_send(w, msg, len)
 *   shmring_close(r)                       shmring_close(w)
 *
 * The ring is the shared-memory object "/name" (shm_open); the two sides
 * find each other's notifications under "name.r" and "name.w" (/srv).
 */
#ifndef STRATA_LIB_LIBC_SHMRING_H
#define STRATA_LIB_LIBC_SHMRING_H

#include <stddef.h>
#include <sys/types.h>

struct shmring;

/*
 * Make ring `name` of `bytes` bytes of messages (a power of two from 4 KiB
 * to 4 MiB) and be its reader. NULL with errno (EINVAL, EEXIST: a ring of
 * that name exists, ENOMEM).
 */
struct shmring *shmring_create(const char *name, size_t bytes);
/* Be the writer of ring `name`, made by its reader. NULL with errno (ENOENT: no such ring yet). */
struct shmring *shmring_open(const char *name);
/*
 * Put a message of len bytes (1 to a quarter of the ring) in the ring,
 * waiting while it is full. 0, or -1 (EINVAL, EMSGSIZE).
 */
int shmring_send(struct shmring *r, const void *msg, size_t len);
/*
 * Take the next message, waiting while the ring is empty: its length, or
 * -1 (EMSGSIZE: it is longer than max, and stays in the ring).
 */
ssize_t shmring_recv(struct shmring *r, void *buf, size_t max);
/* Let go of the ring (the reader's close also removes its name). */
void shmring_close(struct shmring *r);

#endif
