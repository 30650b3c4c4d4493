/*
 * PCI: configuration space through the legacy ports 0xCF8/0xCFC, a boot-time
 * scan of every bus reachable from bus 0 (bridges lead to their secondary
 * buses; each bus is scanned once, so a bridge loop cannot recurse), BAR
 * sizing, capability lists, and INTx routing on QEMU's q35 (ICH9).
 *
 * The device table is filled once by pci_init() and read-only afterwards
 * (devices are never hot-plugged here). Config space accesses take a lock
 * with interrupts off (the address/data port pair is one shared register).
 */
#ifndef DRIVERS_PCI_H
#define DRIVERS_PCI_H

#include "arch/x86_64/trap.h"
#include "include/types.h"

#define PCI_MAX_DEVICES 64

/* Config space offsets. */
#define PCI_VENDOR_ID 0x00
#define PCI_DEVICE_ID 0x02
#define PCI_COMMAND 0x04
#define PCI_STATUS 0x06
#define PCI_REVISION 0x08
#define PCI_HEADER_TYPE 0x0e
#define PCI_BAR0 0x10
#define PCI_SECONDARY_BUS 0x19
#define PCI_SUBSYS_VENDOR 0x2c
#define PCI_SUBSYS_ID 0x2e
#define PCI_CAP_PTR 0x34
#define PCI_INTERRUPT_PIN 0x3d

#define PCI_COMMAND_IO (1u << 0)
#define PCI_COMMAND_MEMORY (1u << 1)
#define PCI_COMMAND_MASTER (1u << 2)
#define PCI_COMMAND_INTX_DISABLE (1u << 10)
#define PCI_STATUS_CAP_LIST (1u << 4)

#define PCI_CAP_MSI 0x05
#define PCI_CAP_VENDOR 0x09
#define PCI_CAP_PCIE 0x10
#define PCI_CAP_MSIX 0x11

enum pci_bar_kind { PCI_BAR_NONE, PCI_BAR_IO, PCI_BAR_MEM32, PCI_BAR_MEM64 };

struct pci_bar {
	enum pci_bar_kind kind;
	bool prefetchable;
	u64 addr; /* bus address (= physical: no IOMMU) */
	u64 size;
	void *virt; /* ioremap of a memory BAR, once pci_map_bar() ran */
};

/* One function. (C) constant after pci_init(); virt is set once, under
 * the config lock. */
struct pci_dev {
	u8 bus, slot, fn;
	u8 header_type;      /* low 7 bits: 0 device, 1 PCI-PCI bridge */
	u16 vendor, device;
	u16 subsys_vendor, subsys_id;
	u8 class_code, subclass, prog_if, revision;
	u8 irq_pin;          /* 0 none, 1..4 INTA..INTD */
	int parent;          /* index of the bridge above us, -1 on bus 0 */
	struct pci_bar bar[6];
};

/* Scan all buses. Prints one line per function at LOG_DEBUG and a summary.
 * Context: boot, once, after paging (ioremap) and interrupts are up. */
void pci_init(void);

/* The @i-th function found (0 .. pci_count()-1), or NULL. */
unsigned int pci_count(void);
struct pci_dev *pci_get(unsigned int i);

/* The first function with @vendor:@device at index >= *@from (updated past
 * it, for iteration). Return: the function or NULL. */
struct pci_dev *pci_find(u16 vendor, u16 device, unsigned int *from);

u8 pci_read8(const struct pci_dev *dev, u16 off);
u16 pci_read16(const struct pci_dev *dev, u16 off);
u32 pci_read32(const struct pci_dev *dev, u16 off);
void pci_write16(const struct pci_dev *dev, u16 off, u16 v);
void pci_write32(const struct pci_dev *dev, u16 off, u32 v);

/*
 * pci_next_cap - the capability with ID @id after offset @pos (0: from the
 * list head). The walk stops after 48 entries and at any pointer outside
 * 0x40..0xfc, so a looping or corrupt list ends.
 * Return: the capability's config offset, or 0 when there is none.
 */
u8 pci_next_cap(const struct pci_dev *dev, u8 pos, u8 id);

/* Turn on memory space decoding and bus mastering. */
void pci_enable(const struct pci_dev *dev);

/*
 * pci_map_bar - map memory BAR @bar uncached (above 4 GiB too).
 * Return: the virtual address of its start (mapped once, then reused),
 * or NULL for a missing, I/O or unmappable BAR.
 */
void *pci_map_bar(struct pci_dev *dev, unsigned int bar);

/*
 * pci_intx_gsi - the IOAPIC input @dev's INTx pin drives on q35: the pin is
 * swizzled up through bridges ((pin + slot) mod 4 per bridge) to a root-bus
 * slot; ICH9 maps slots 0-24 and 30 with INT[A-D] -> PIRQ[E-H] rotated by
 * the slot, slots 25-31 by their DxxIR chipset registers (RCBA); PIRQ A-H
 * are IOAPIC inputs 16-23 in APIC mode.
 * Return: the GSI; -ENOENT when the function has no INTx pin; -ENODEV when
 * the host bridge is not q35's (routing unknown: poll instead).
 */
int pci_intx_gsi(const struct pci_dev *dev);

/*
 * pci_route_intx - route @dev's INTx (level, active low) to @handler(@arg)
 * and clear the command register's INTx-disable bit.
 * Return: the vector, or -errno from pci_intx_gsi()/ioapic_route() (-EBUSY
 * when another device already owns the shared GSI).
 * Context: thread or boot context.
 */
int pci_route_intx(const struct pci_dev *dev, irq_handler_t handler, void *arg,
		   const char *name);

#endif
