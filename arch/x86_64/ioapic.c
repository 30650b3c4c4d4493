/*
 * IOAPIC driver: one IOAPIC (all that QEMU's q35 has). Every redirection
 * entry starts masked; ioapic_route() allocates a vector, programs the entry
 * for the boot CPU and unmasks it. ioapic_lock (irq-saving) guards the
 * routing table and the register-select/window pair, which two CPUs must
 * not interleave.
 */
#include "arch/x86_64/ioapic.h"
#include "arch/x86_64/acpi.h"
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/lapic.h"
#include "arch/x86_64/paging.h"
#include "include/assert.h"
#include "include/errno.h"
#include "kernel/printk.h"
#include "kernel/spinlock.h"

#define IOREGSEL 0x00
#define IOWIN 0x10
#define IOAPIC_VER 0x01
#define IOREDTBL(n) (0x10 + 2 * (n))

#define RTE_MASKED (1u << 16)
#define RTE_LEVEL (1u << 15)
#define RTE_ACTIVE_LOW (1u << 13)

#define MAX_GSI 240

static volatile u32 *ioapic;
static u32 gsi_base;
static unsigned int gsi_count;
static s16 gsi_vector[MAX_GSI];
static struct spinlock ioapic_lock = SPINLOCK_INIT("ioapic");

static u32 ioapic_read(u32 reg)
{
	ioapic[IOREGSEL / 4] = reg;
	return ioapic[IOWIN / 4];
}

static void ioapic_write(u32 reg, u32 v)
{
	ioapic[IOREGSEL / 4] = reg;
	ioapic[IOWIN / 4] = v;
}

unsigned int ioapic_gsi_count(void) { return gsi_count; }

void ioapic_init(phys_addr_t base, u32 base_gsi)
{
	unsigned int i;

	ioapic = ioremap(base, PAGE_SIZE);
	BUG_ON(!ioapic);
	gsi_base = base_gsi;
	gsi_count = ((ioapic_read(IOAPIC_VER) >> 16) & 0xff) + 1;
	if (gsi_count > MAX_GSI)
		gsi_count = MAX_GSI;
	for (i = 0; i < gsi_count; i++) {
		ioapic_write(IOREDTBL(i), RTE_MASKED);
		ioapic_write(IOREDTBL(i) + 1, 0);
		gsi_vector[i] = -1;
	}
	pr_info("ioapic: %u inputs from GSI %u\n", gsi_count, gsi_base);
}

int ioapic_route(u32 gsi, enum irq_trigger trigger, enum irq_polarity polarity,
		 irq_handler_t handler, void *arg, const char *name)
{
	u32 pin = gsi - gsi_base, low;
	unsigned long flags;
	int vec;

	if (!ioapic || gsi < gsi_base || pin >= gsi_count)
		return -EINVAL;
	vec = irq_alloc_vector(handler, arg, name);
	if (vec < 0)
		return vec;
	low = (u32)vec | (trigger == IRQ_LEVEL ? RTE_LEVEL : 0) |
	      (polarity == IRQ_ACTIVE_LOW ? RTE_ACTIVE_LOW : 0);
	flags = spin_lock_irqsave(&ioapic_lock);
	if (gsi_vector[pin] >= 0) {
		spin_unlock_irqrestore(&ioapic_lock, flags);
		irq_free_vector((unsigned int)vec);
		return -EBUSY;
	}
	gsi_vector[pin] = (s16)vec;
	ioapic_write(IOREDTBL(pin) + 1, lapic_id() << 24);
	ioapic_write(IOREDTBL(pin), low);
	spin_unlock_irqrestore(&ioapic_lock, flags);
	pr_debug("ioapic: gsi %u -> vector %#x (%s)\n", gsi, vec, name);
	return vec;
}

int ioapic_route_isa(unsigned int irq, irq_handler_t handler, void *arg, const char *name)
{
	u16 fl;
	enum irq_polarity pol = IRQ_ACTIVE_HIGH;
	enum irq_trigger trig = IRQ_EDGE;

	if (irq >= 16)
		return -EINVAL;
	/* MPS INTI flags: polarity bits 0-1 (3 = active low), trigger 2-3 (3 = level). */
	fl = acpi_info.madt.isa_flags[irq];
	if ((fl & 3) == 3)
		pol = IRQ_ACTIVE_LOW;
	if (((fl >> 2) & 3) == 3)
		trig = IRQ_LEVEL;
	return ioapic_route(acpi_info.madt.isa_gsi[irq], trig, pol, handler, arg, name);
}

void ioapic_mask(u32 gsi, bool masked)
{
	u32 pin = gsi - gsi_base, low;
	unsigned long flags;

	if (!ioapic || gsi < gsi_base || pin >= gsi_count)
		return;
	flags = spin_lock_irqsave(&ioapic_lock);
	low = ioapic_read(IOREDTBL(pin));
	ioapic_write(IOREDTBL(pin), masked ? low | RTE_MASKED : low & ~RTE_MASKED);
	spin_unlock_irqrestore(&ioapic_lock, flags);
}
