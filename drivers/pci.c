/*
 * PCI bus scan, config access, BARs, capabilities and q35 INTx routing (see
 * pci.h). Configuration mechanism #1: write the address (enable bit, bus,
 * device, function, register) to 0xCF8, move data through 0xCFC..0xCFF.
 *
 * State: devs[] and nr_devs are written by pci_init() only (boot, one
 * thread); cfg_lock covers the 0xCF8/0xCFC pair and BAR mappings.
 * Open question: MSI-X (the balloon in QEMU 7.2 has no MSI-X table) and
 * ECAM (extended config space beyond 256 bytes) are not supported.
 */
#include "drivers/pci.h"
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/ioapic.h"
#include "arch/x86_64/paging.h"
#include "include/errno.h"
#include "kernel/printk.h"
#include "kernel/spinlock.h"
#include "lib/string.h"

#define PCI_CONFIG_ADDRESS 0xcf8
#define PCI_CONFIG_DATA 0xcfc

/* q35: host bridge 8086:29c0; ICH9 LPC at 00:1f.0 with RCBA at 0xf0. */
#define Q35_HOST_VENDOR 0x8086
#define Q35_HOST_DEVICE 0x29c0
#define ICH9_LPC_SLOT 31
#define ICH9_LPC_RCBA 0xf0
#define ICH9_RCBA_ENABLE 1u
#define ICH9_RCBA_MASK 0xffffc000u
#define ICH9_CC_D31IR 0x3140 /* D31IR; D30IR 0x3142 ... D27IR 0x3148 */
#define ICH9_CC_DIR_DEFAULT 0x3210 /* INTA->PIRQA ... INTD->PIRQD */
#define PIRQ_GSI_BASE 16

static struct pci_dev devs[PCI_MAX_DEVICES];
static unsigned int nr_devs;
static struct spinlock cfg_lock = SPINLOCK_INIT("pci-cfg");
static volatile u16 *ich9_dir; /* RCBA + 0x3140, mapped on first need */

static u32 cfg_addr(u8 bus, u8 slot, u8 fn, u16 off)
{
	return 0x80000000u | (u32)bus << 16 | (u32)slot << 11 | (u32)fn << 8 | (off & 0xfc);
}

static u32 cfg_read(u8 bus, u8 slot, u8 fn, u16 off)
{
	unsigned long irq = spin_lock_irqsave(&cfg_lock);
	u32 v;

	outl(PCI_CONFIG_ADDRESS, cfg_addr(bus, slot, fn, off));
	v = inl(PCI_CONFIG_DATA);
	spin_unlock_irqrestore(&cfg_lock, irq);
	return v;
}

static void cfg_write(u8 bus, u8 slot, u8 fn, u16 off, u32 v)
{
	unsigned long irq = spin_lock_irqsave(&cfg_lock);

	outl(PCI_CONFIG_ADDRESS, cfg_addr(bus, slot, fn, off));
	outl(PCI_CONFIG_DATA, v);
	spin_unlock_irqrestore(&cfg_lock, irq);
}

u32 pci_read32(const struct pci_dev *dev, u16 off) { return cfg_read(dev->bus, dev->slot, dev->fn, off); }

u16 pci_read16(const struct pci_dev *dev, u16 off)
{
	return (u16)(pci_read32(dev, off) >> ((off & 2) * 8));
}

u8 pci_read8(const struct pci_dev *dev, u16 off)
{
	return (u8)(pci_read32(dev, off) >> ((off & 3) * 8));
}

void pci_write32(const struct pci_dev *dev, u16 off, u32 v) { cfg_write(dev->bus, dev->slot, dev->fn, off, v); }

/* A 16-bit write as a read-modify-write of the dword. Only used on the
 * command register, whose neighbour (status) is write-1-to-clear: writing
 * its bits back as 0 keeps them. */
void pci_write16(const struct pci_dev *dev, u16 off, u16 v)
{
	unsigned int shift = (off & 2) * 8;
	u32 old = pci_read32(dev, off);

	if (off == PCI_COMMAND)
		old &= 0x0000ffffu;
	pci_write32(dev, off, (old & ~(0xffffu << shift)) | (u32)v << shift);
}

unsigned int pci_count(void) { return nr_devs; }
struct pci_dev *pci_get(unsigned int i) { return i < nr_devs ? &devs[i] : NULL; }

struct pci_dev *pci_find(u16 vendor, u16 device, unsigned int *from)
{
	unsigned int i;

	for (i = from ? *from : 0; i < nr_devs; i++) {
		if (devs[i].vendor == vendor && devs[i].device == device) {
			if (from)
				*from = i + 1;
			return &devs[i];
		}
	}
	return NULL;
}

u8 pci_next_cap(const struct pci_dev *dev, u8 pos, u8 id)
{
	unsigned int guard;
	u8 p;

	if (!(pci_read16(dev, PCI_STATUS) & PCI_STATUS_CAP_LIST))
		return 0;
	p = pos ? pci_read8(dev, pos + 1) : pci_read8(dev, PCI_CAP_PTR);
	for (guard = 0; guard < 48; guard++) {
		p &= 0xfc;
		if (p < 0x40)
			return 0;
		if (pci_read8(dev, p) == id)
			return p;
		p = pci_read8(dev, p + 1);
	}
	return 0;
}

/* Size BAR @i with decoding off (so the all-ones probe never decodes).
 * Return: how many BAR registers it used (2 for a 64-bit BAR). */
static unsigned int size_bar(struct pci_dev *dev, unsigned int i)
{
	u16 off = PCI_BAR0 + 4 * i;
	u32 lo = pci_read32(dev, off), mask_lo, hi = 0, mask_hi = 0xffffffffu;
	struct pci_bar *bar = &dev->bar[i];
	u64 mask;

	pci_write32(dev, off, 0xffffffffu);
	mask_lo = pci_read32(dev, off);
	pci_write32(dev, off, lo);
	if (!mask_lo || mask_lo == 0xffffffffu)
		return 1; /* the device has no BAR in this slot */
	if (lo & 1) {
		bar->kind = PCI_BAR_IO;
		bar->addr = lo & ~3u;
		bar->size = (u16)~(mask_lo & ~3u) + 1u;
		return 1;
	}
	bar->prefetchable = lo & 8;
	if (((lo >> 1) & 3) == 2 && i < 5) {
		hi = pci_read32(dev, off + 4);
		pci_write32(dev, off + 4, 0xffffffffu);
		mask_hi = pci_read32(dev, off + 4);
		pci_write32(dev, off + 4, hi);
		bar->kind = PCI_BAR_MEM64;
	} else {
		bar->kind = PCI_BAR_MEM32;
	}
	mask = ((u64)mask_hi << 32) | (mask_lo & ~0xfu);
	bar->addr = ((u64)hi << 32) | (lo & ~0xfu);
	bar->size = ~mask + 1;
	return bar->kind == PCI_BAR_MEM64 ? 2 : 1;
}

static void read_bars(struct pci_dev *dev)
{
	unsigned int i, nr = (dev->header_type & 0x7f) == 1 ? 2 : 6;
	u16 cmd = pci_read16(dev, PCI_COMMAND);

	if ((dev->header_type & 0x7f) > 1)
		return;
	pci_write16(dev, PCI_COMMAND, cmd & ~(PCI_COMMAND_IO | PCI_COMMAND_MEMORY));
	for (i = 0; i < nr;)
		i += size_bar(dev, i);
	pci_write16(dev, PCI_COMMAND, cmd);
}

static void scan_bus(u8 bus, int parent, u8 *seen);

static void add_function(u8 bus, u8 slot, u8 fn, int parent, u8 *seen)
{
	struct pci_dev *dev;
	u32 class;

	if (nr_devs == PCI_MAX_DEVICES) {
		pr_warn("pci: more than %d functions; %02x:%02x.%u ignored\n", PCI_MAX_DEVICES,
			bus, slot, fn);
		return;
	}
	dev = &devs[nr_devs++];
	dev->bus = bus;
	dev->slot = slot;
	dev->fn = fn;
	dev->parent = parent;
	dev->vendor = pci_read16(dev, PCI_VENDOR_ID);
	dev->device = pci_read16(dev, PCI_DEVICE_ID);
	class = pci_read32(dev, PCI_REVISION);
	dev->revision = (u8)class;
	dev->prog_if = (u8)(class >> 8);
	dev->subclass = (u8)(class >> 16);
	dev->class_code = (u8)(class >> 24);
	dev->header_type = pci_read8(dev, PCI_HEADER_TYPE);
	if ((dev->header_type & 0x7f) == 0) {
		dev->subsys_vendor = pci_read16(dev, PCI_SUBSYS_VENDOR);
		dev->subsys_id = pci_read16(dev, PCI_SUBSYS_ID);
	}
	dev->irq_pin = pci_read8(dev, PCI_INTERRUPT_PIN);
	if (dev->irq_pin > 4)
		dev->irq_pin = 0;
	read_bars(dev);
	if ((dev->header_type & 0x7f) == 1) {
		u8 sec = pci_read8(dev, PCI_SECONDARY_BUS);

		if (sec && !(seen[sec / 8] & (1u << (sec % 8))))
			scan_bus(sec, (int)(dev - devs), seen);
	}
}

static void scan_bus(u8 bus, int parent, u8 *seen)
{
	u8 slot, fn;

	seen[bus / 8] |= 1u << (bus % 8);
	for (slot = 0; slot < 32; slot++) {
		u32 id = cfg_read(bus, slot, 0, PCI_VENDOR_ID);
		u8 nfn;

		if ((id & 0xffff) == 0xffff)
			continue;
		nfn = (cfg_read(bus, slot, 0, PCI_HEADER_TYPE & ~3u) >> 16) & 0x80 ? 8 : 1;
		for (fn = 0; fn < nfn; fn++) {
			if (fn && (cfg_read(bus, slot, fn, PCI_VENDOR_ID) & 0xffff) == 0xffff)
				continue;
			add_function(bus, slot, fn, parent, seen);
		}
	}
}

void pci_init(void)
{
	u8 seen[32] = { 0 };

	scan_bus(0, -1, seen);
	pr_info("pci: %u functions\n", nr_devs);
}

void pci_enable(const struct pci_dev *dev)
{
	u16 cmd = pci_read16(dev, PCI_COMMAND);

	pci_write16(dev, PCI_COMMAND, cmd | PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER);
}

void *pci_map_bar(struct pci_dev *dev, unsigned int i)
{
	struct pci_bar *bar;
	unsigned long irq;
	void *va;

	if (i >= 6)
		return NULL;
	bar = &dev->bar[i];
	if ((bar->kind != PCI_BAR_MEM32 && bar->kind != PCI_BAR_MEM64) || !bar->addr || !bar->size ||
	    bar->size > (1UL << 28))
		return NULL;
	if (READ_ONCE(bar->virt))
		return bar->virt;
	va = ioremap(bar->addr, bar->size);
	irq = spin_lock_irqsave(&cfg_lock);
	if (!bar->virt)
		bar->virt = va; /* a racing mapper's copy is wasted window, not wrong */
	va = bar->virt;
	spin_unlock_irqrestore(&cfg_lock, irq);
	return va;
}

/* PIRQ (0 = A .. 7 = H) of INTx @pin (0 = A) at root-bus @slot on ICH9. */
static unsigned int ich9_pirq(unsigned int slot, unsigned int pin)
{
	static const u16 dir_off[7] = { 0x3150, 0x314c, 0x3148, 0x3146, 0x3144, 0x3142, 0x3140 };
	u16 ir = ICH9_CC_DIR_DEFAULT;

	if (slot < 25 || slot == 30)
		return slot == 30 ? pin + 4 : (slot + pin) % 4 + 4;
	if (!ich9_dir) {
		struct pci_dev lpc = { .bus = 0, .slot = ICH9_LPC_SLOT, .fn = 0 };
		u32 rcba = pci_read32(&lpc, ICH9_LPC_RCBA);

		if (rcba & ICH9_RCBA_ENABLE)
			ich9_dir = ioremap((rcba & ICH9_RCBA_MASK) + ICH9_CC_D31IR, 0x14);
	}
	if (ich9_dir)
		ir = ich9_dir[(dir_off[slot - 25] - ICH9_CC_D31IR) / 2];
	return (ir >> (4 * pin)) & 7;
}

int pci_intx_gsi(const struct pci_dev *dev)
{
	struct pci_dev host = { .bus = 0, .slot = 0, .fn = 0 };
	unsigned int pin, hops;

	if (!dev->irq_pin)
		return -ENOENT;
	if (pci_read16(&host, PCI_VENDOR_ID) != Q35_HOST_VENDOR ||
	    pci_read16(&host, PCI_DEVICE_ID) != Q35_HOST_DEVICE)
		return -ENODEV;
	pin = dev->irq_pin - 1u;
	for (hops = 0; dev->parent >= 0 && hops < PCI_MAX_DEVICES; hops++) {
		pin = (pin + dev->slot) % 4;
		dev = &devs[dev->parent];
	}
	return PIRQ_GSI_BASE + (int)ich9_pirq(dev->slot, pin);
}

int pci_route_intx(const struct pci_dev *dev, irq_handler_t handler, void *arg, const char *name)
{
	int gsi = pci_intx_gsi(dev), vec;

	if (gsi < 0)
		return gsi;
	vec = ioapic_route((u32)gsi, IRQ_LEVEL, IRQ_ACTIVE_LOW, handler, arg, name);
	if (vec < 0)
		return vec;
	pci_write16(dev, PCI_COMMAND, pci_read16(dev, PCI_COMMAND) & ~PCI_COMMAND_INTX_DISABLE);
	return vec;
}
