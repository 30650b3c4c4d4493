/*
 * Monitor command `lspci`: every PCI function pci_init() found, with its
 * ids, class, BARs, INTx routing and capability list (read live from
 * configuration space). Holds no state.
 */
#include "drivers/pci.h"
#include "kernel/printk.h"
#include "monitor/monitor.h"

static const char *cap_name(u8 id)
{
	switch (id) {
	case 0x01: return "PM";
	case PCI_CAP_MSI: return "MSI";
	case PCI_CAP_VENDOR: return "vendor";
	case PCI_CAP_PCIE: return "PCIe";
	case PCI_CAP_MSIX: return "MSI-X";
	default: return "?";
	}
}

static void lspci_one(const struct pci_dev *dev)
{
	static const char *const kinds[] = { "", "io", "mem32", "mem64" };
	unsigned int i, guard;
	int gsi;
	u8 pos;

	kprintf("%02x:%02x.%u %04x:%04x class %02x%02x%02x", dev->bus, dev->slot, dev->fn, dev->vendor,
		dev->device, dev->class_code, dev->subclass, dev->prog_if);
	if ((dev->header_type & 0x7f) == 0)
		kprintf(" subsys %04x:%04x", dev->subsys_vendor, dev->subsys_id);
	if ((dev->header_type & 0x7f) == 1)
		kprintf(" bridge to bus %02x", pci_read8(dev, PCI_SECONDARY_BUS));
	gsi = pci_intx_gsi(dev);
	if (gsi >= 0)
		kprintf(" irq INT%c gsi %d", 'A' + dev->irq_pin - 1, gsi);
	kprintf("\n");
	for (i = 0; i < 6; i++) {
		const struct pci_bar *bar = &dev->bar[i];

		if (bar->kind != PCI_BAR_NONE)
			kprintf("    BAR%u %s%s %#lx size %#lx\n", i, kinds[bar->kind],
				bar->prefetchable ? " pref" : "", (unsigned long)bar->addr,
				(unsigned long)bar->size);
	}
	if (!(pci_read16(dev, PCI_STATUS) & PCI_STATUS_CAP_LIST))
		return;
	kprintf("    caps:");
	pos = pci_read8(dev, PCI_CAP_PTR) & 0xfc;
	for (guard = 0; pos >= 0x40 && guard < 48; guard++) {
		u8 id = pci_read8(dev, pos);

		kprintf(" %s@%#x", cap_name(id), pos);
		pos = pci_read8(dev, pos + 1) & 0xfc;
	}
	kprintf("\n");
}

static int cmd_lspci(int argc, char **argv)
{
	unsigned int i;

	for (i = 0; i < pci_count(); i++)
		lspci_one(pci_get(i));
	return 0;
}
MONITOR_CMD("lspci", 0, 0, "", "PCI functions: ids, class, BARs, capabilities, INTx GSI", cmd_lspci);
