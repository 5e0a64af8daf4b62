/*
 * Interrupt objects: one PLIC source delivered to a notification. The
 * driver waits on the notification, services the device and acknowledges
 * with SYS_IRQ_ACK, which completes the interrupt at the PLIC so the
 * source can fire again.
 */
#ifndef STRATA_KERNEL_IRQ_H
#define STRATA_KERNEL_IRQ_H

#include <stdbool.h>
#include <stddef.h>

#include "kernel/notify.h"
#include "kernel/object.h"

struct irq {
	struct object obj;
	unsigned source;  /* PLIC source number */
	struct notify *n; /* bound notification (reference held) or NULL */
	uint64_t bits;
	bool in_service; /* claimed, not yet acknowledged */
	int claim_ctx;	 /* PLIC context that claimed it */
};

/*
 * Set up the PLIC found in the device tree (all sources off). ERR_OK, or
 * an error with a sentence in err: no PLIC, no S-mode context for the boot
 * hart, ...
 */
int plic_init(char *err, size_t errlen);
/* Enable external interrupts on this hart's S-mode context. */
void plic_init_hart(void);
/* Handle a supervisor external interrupt (called with the kernel lock held). */
void plic_handle(void);
bool plic_present(void);

/* An IRQ object for source; ERR_RANGE if the PLIC has no such source, ERR_EXISTS if taken. */
int irq_create(unsigned source, struct irq **out);
void irq_destroy(struct irq *irq);
int irq_bind(struct irq *irq, struct notify *n, uint64_t bits);
int irq_ack(struct irq *irq);

#endif
