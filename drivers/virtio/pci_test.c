/*
 * KTAP tests of the virtio-pci transport on the real machine (kernel only:
 * they need QEMU's virtio-balloon-pci, transitional 1af4:1002 subsystem 5 or
 * modern 1af4:1045). The cases run in order on one device: probe,
 * negotiate VERSION_1 only, set up queue 0, read the balloon config, reset.
 * They leave the device reset (the state a driver probing later expects).
 */
#include "drivers/virtio/balloon_pci.h"
#include "drivers/virtio/pci.h"
#include "include/errno.h"
#include "lib/ktest.h"

static struct virtio_pci test_vp;
static bool probed;

static struct pci_dev *find_balloon(void)
{
	unsigned int i;

	for (i = 0; i < pci_count(); i++)
		if (virtio_pci_device_type(pci_get(i)) == VIRTIO_ID_BALLOON)
			return pci_get(i);
	return NULL;
}

/* The balloon is found by ID (1002/subsystem 5 or 1045) and its modern
 * capabilities are located and mapped; the reset leaves status 0. */
static void virtio_pci_probe_finds_balloon(struct ktest *test)
{
	struct pci_dev *dev = find_balloon();

	if (!dev)
		KTEST_SKIP(test, "no virtio-balloon-pci device");
	if (balloon_owns(dev))
		KTEST_SKIP(test, "the balloon driver owns the device (boot with balloon=off)");
	KTEST_EXPECT_TRUE(test, dev->device == 0x1045 || (dev->device == 0x1002 && dev->subsys_id == 5));
	KTEST_ASSERT_EQ(test, virtio_pci_probe(&test_vp, dev), 0);
	probed = true;
	ktest_diag(test, "balloon %02x:%02x.%u %04x:%04x, BAR4 %#lx, device config %u bytes, "
		   "notify mult %u", dev->bus, dev->slot, dev->fn, dev->vendor, dev->device,
		   (unsigned long)dev->bar[4].addr, test_vp.device_len, test_vp.notify_mult);
	KTEST_EXPECT_NOT_NULL(test, test_vp.common);
	KTEST_EXPECT_NOT_NULL(test, test_vp.isr);
	KTEST_EXPECT_NOT_NULL(test, test_vp.device);
	KTEST_EXPECT_GE(test, test_vp.device_len, 8);
	KTEST_EXPECT_EQ(test, virtio_pci_status(&test_vp), 0);
	KTEST_EXPECT_TRUE(test, pci_read16(dev, PCI_COMMAND) & PCI_COMMAND_MASTER);
}

/* Only VERSION_1 is accepted; FEATURES_OK sticks. */
static void virtio_pci_negotiates_version1_only(struct ktest *test)
{
	if (!probed)
		KTEST_SKIP(test, "no device");
	KTEST_ASSERT_EQ(test, virtio_pci_negotiate(&test_vp, 0), 0);
	ktest_diag(test, "device features %#lx", (unsigned long)test_vp.device_features);
	KTEST_EXPECT_EQ(test, test_vp.vdev.features, VIRTIO_F_VERSION_1);
	KTEST_EXPECT_EQ(test, virtio_pci_status(&test_vp),
			VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER | VIRTIO_STATUS_FEATURES_OK);
}

/* Queue 0 (inflate) gets rings by physical address and a notify address
 * inside the notification area; DRIVER_OK is accepted. */
static void virtio_pci_sets_up_queue0(struct ktest *test)
{
	struct virtqueue *vq;

	if (!probed)
		KTEST_SKIP(test, "no device");
	KTEST_EXPECT_GT(test, virtio_pci_queue_size(&test_vp, 0), 0);
	vq = virtio_pci_setup_queue(&test_vp, 0, VQ_MAX_SIZE, "balloon-inflate");
	KTEST_ASSERT_NOT_NULL(test, vq);
	ktest_diag(test, "queue 0: %u entries, desc %#lx", vq->num, (unsigned long)vq->desc_pa);
	KTEST_EXPECT_EQ(test, vq->num & (vq->num - 1), 0);
	KTEST_EXPECT_EQ(test, vq->desc_pa & 15, 0);
	KTEST_EXPECT_NULL(test, virtio_pci_setup_queue(&test_vp, 0, VQ_MAX_SIZE, "again"));
	KTEST_EXPECT_NULL(test, virtio_pci_setup_queue(&test_vp, 64, VQ_MAX_SIZE, "none"));
	KTEST_EXPECT_EQ(test, virtio_pci_driver_ok(&test_vp), 0);
	KTEST_EXPECT_TRUE(test, virtio_pci_status(&test_vp) & VIRTIO_STATUS_DRIVER_OK);
	KTEST_EXPECT_FALSE(test, vq_kick(vq)); /* nothing posted: no notification */
}

/* num_pages and actual read through the generation-checked path: nobody
 * asked to inflate, so both are 0; reads outside the config fail. */
static void virtio_pci_reads_balloon_config(struct ktest *test)
{
	u32 cfg[2] = { 0xdead, 0xbeef };
	u32 byte;

	if (!probed)
		KTEST_SKIP(test, "no device");
	KTEST_ASSERT_EQ(test, virtio_pci_config_read(&test_vp, 0, cfg, sizeof(cfg)), 0);
	ktest_diag(test, "num_pages %u actual %u", cfg[0], cfg[1]);
	KTEST_EXPECT_EQ(test, cfg[0], 0);
	KTEST_EXPECT_EQ(test, cfg[1], 0);
	KTEST_EXPECT_EQ(test, virtio_pci_config_read(&test_vp, BALLOON_CFG_ACTUAL + 1, &byte, 1), 0);
	KTEST_EXPECT_EQ(test, virtio_pci_config_read(&test_vp, test_vp.device_len - 2, &byte, 4),
			-EINVAL);
	KTEST_EXPECT_EQ(test, virtio_pci_config_read(&test_vp, 0xffffffff, &byte, 4), -EINVAL);
}

/* Reset returns the device to status 0 and frees the rings. */
static void virtio_pci_reset_frees_queues(struct ktest *test)
{
	if (!probed)
		KTEST_SKIP(test, "no device");
	KTEST_ASSERT_EQ(test, virtio_pci_reset(&test_vp), 0);
	KTEST_EXPECT_EQ(test, virtio_pci_status(&test_vp), 0);
	KTEST_EXPECT_NULL(test, test_vp.queues[0].vq);
	KTEST_EXPECT_NULL(test, test_vp.queues[0].ring);
}

static const struct ktest_case virtio_pci_cases[] = {
	KTEST_CASE(virtio_pci_probe_finds_balloon),
	KTEST_CASE(virtio_pci_negotiates_version1_only),
	KTEST_CASE(virtio_pci_sets_up_queue0),
	KTEST_CASE(virtio_pci_reads_balloon_config),
	KTEST_CASE(virtio_pci_reset_frees_queues),
	KTEST_END,
};
KTEST_SUITE(virtio_pci, virtio_pci_cases);
