/*
 * KTAP tests of the PCI scan on QEMU q35 (kernel only): the host bridge and
 * the ICH9 LPC are found, BARs are sized, capability walks end, and the
 * balloon's INTx lands on a PIRQ GSI (16-23).
 */
#include "drivers/pci.h"
#include "include/errno.h"
#include "lib/ktest.h"

/* q35's host bridge (8086:29c0) at 00:00.0 and LPC (8086:2918) at 00:1f.0. */
static void pci_scan_finds_q35_chipset(struct ktest *test)
{
	struct pci_dev *host = pci_get(0), *lpc = pci_find(0x8086, 0x2918, NULL);

	KTEST_ASSERT_NOT_NULL(test, host);
	KTEST_EXPECT_EQ(test, host->vendor, 0x8086);
	KTEST_EXPECT_EQ(test, host->device, 0x29c0);
	KTEST_ASSERT_NOT_NULL(test, lpc);
	KTEST_EXPECT_EQ(test, lpc->slot, 31);
	KTEST_EXPECT_EQ(test, lpc->class_code, 0x06); /* bridge */
}

/* The virtio balloon's modern BAR is a memory BAR with a power-of-two size,
 * its capability walk ends, and its INTx maps to a PIRQ E-H GSI as q35's
 * slot rotation says. */
static void pci_balloon_bar_caps_and_gsi(struct ktest *test)
{
	unsigned int i, found_mem = 0, caps = 0;
	struct pci_dev *dev = NULL;
	u8 pos = 0;
	int gsi;

	for (i = 0; i < pci_count() && !dev; i++)
		if (pci_get(i)->vendor == 0x1af4)
			dev = pci_get(i);
	if (!dev)
		KTEST_SKIP(test, "no virtio device");
	for (i = 0; i < 6; i++) {
		if (dev->bar[i].kind == PCI_BAR_MEM32 || dev->bar[i].kind == PCI_BAR_MEM64) {
			found_mem++;
			KTEST_EXPECT_EQ(test, dev->bar[i].size & (dev->bar[i].size - 1), 0);
			KTEST_EXPECT_NOT_NULL(test, pci_map_bar(dev, i));
		}
	}
	KTEST_EXPECT_GT(test, found_mem, 0);
	while ((pos = pci_next_cap(dev, pos, PCI_CAP_VENDOR)) && caps < 100)
		caps++;
	KTEST_EXPECT_GE(test, caps, 4); /* common, notify, ISR, device (+ PCI cfg) */
	KTEST_EXPECT_LT(test, caps, 100);
	KTEST_EXPECT_EQ(test, pci_next_cap(dev, 0, 0xee), 0);
	gsi = pci_intx_gsi(dev);
	ktest_diag(test, "%02x:%02x.%u INT%c -> GSI %d", dev->bus, dev->slot, dev->fn,
		   'A' + dev->irq_pin - 1, gsi);
	KTEST_ASSERT_EQ(test, dev->parent, -1);
	KTEST_EXPECT_EQ(test, gsi, 16 + 4 + (int)((dev->slot + dev->irq_pin - 1) % 4));
}

/* Functions without an interrupt pin have no GSI. */
static void pci_no_pin_no_gsi(struct ktest *test)
{
	struct pci_dev *host = pci_get(0);

	KTEST_ASSERT_NOT_NULL(test, host);
	KTEST_EXPECT_EQ(test, host->irq_pin, 0);
	KTEST_EXPECT_EQ(test, pci_intx_gsi(host), -ENOENT);
}

static const struct ktest_case pci_cases[] = {
	KTEST_CASE(pci_scan_finds_q35_chipset),
	KTEST_CASE(pci_balloon_bar_caps_and_gsi),
	KTEST_CASE(pci_no_pin_no_gsi),
	KTEST_END,
};
KTEST_SUITE(pci, pci_cases);
