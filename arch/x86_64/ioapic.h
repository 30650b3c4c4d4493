/*
 * The IOAPIC: routes a global system interrupt (GSI) to a CPU vector.
 * ISA IRQs are translated through the MADT's overrides (IRQ0 is GSI 2 on
 * QEMU); PCI INTx lines on q35 arrive as level-triggered, active-low GSIs
 * 16-23.
 */
#ifndef ARCH_X86_64_IOAPIC_H
#define ARCH_X86_64_IOAPIC_H

#include "arch/x86_64/trap.h"
#include "include/types.h"

enum irq_trigger { IRQ_EDGE, IRQ_LEVEL };
enum irq_polarity { IRQ_ACTIVE_HIGH, IRQ_ACTIVE_LOW };

void ioapic_init(phys_addr_t base, u32 gsi_base);

/*
 * ioapic_route - deliver @gsi to @handler(@arg) on a newly allocated vector.
 * Return: the vector, -EINVAL for a GSI this IOAPIC does not have, -EBUSY if
 * already routed, -ENOSPC when no vector is free.
 * Context: thread or boot context.
 */
int ioapic_route(u32 gsi, enum irq_trigger trigger, enum irq_polarity polarity,
		 irq_handler_t handler, void *arg, const char *name);

/* Route an ISA IRQ (0-15), applying the MADT's override for it. */
int ioapic_route_isa(unsigned int irq, irq_handler_t handler, void *arg, const char *name);

void ioapic_mask(u32 gsi, bool masked);

/* Number of redirection entries (GSIs) of the IOAPIC. */
unsigned int ioapic_gsi_count(void);

#endif
