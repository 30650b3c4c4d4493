/*
 * virtio-mem on PCI (see virtio_mem_pci.h). One device at most (QEMU may
 * give several; the first is taken, the others are listed and left).
 */
#include "drivers/virtio/virtio_mem_pci.h"
#include "drivers/virtio/pci.h"
#include "drivers/virtio/virtio_mem.h"
#include "include/errno.h"
#include "kernel/printk.h"

static struct virtio_pci vmem_vp;

/* Read and check the config. Return: 0, or the error (logged). */
static int read_config(struct virtio_pci *vp, struct virtio_mem_config *cfg)
{
	u8 raw[VIRTIO_MEM_CFG_LEN];
	const char *why;
	int err = virtio_pci_config_read(vp, 0, raw, sizeof(raw));

	if (err) {
		pr_err("virtio-mem: cannot read the config (%d)\n", err);
		return err;
	}
	virtio_mem_config_parse(raw, cfg);
	why = virtio_mem_config_check(cfg);
	if (why) {
		pr_err("virtio-mem: bad config: %s (block %#lx, region %#lx+%#lx, usable %#lx, "
		       "plugged %#lx, requested %#lx); device left alone\n", why,
		       (unsigned long)cfg->block_size, (unsigned long)cfg->addr,
		       (unsigned long)cfg->region_size, (unsigned long)cfg->usable_region_size,
		       (unsigned long)cfg->plugged_size, (unsigned long)cfg->requested_size);
		return -EINVAL;
	}
	return 0;
}

void virtio_mem_init(void)
{
	struct virtio_mem_config cfg;
	struct pci_dev *dev = NULL;
	unsigned int i;
	int err;

	for (i = 0; i < pci_count() && !dev; i++)
		if (virtio_pci_device_type(pci_get(i)) == VIRTIO_ID_MEM)
			dev = pci_get(i);
	if (!dev)
		return;
	err = virtio_pci_probe(&vmem_vp, dev);
	if (!err)
		err = virtio_pci_negotiate(&vmem_vp, VIRTIO_F_VERSION_1 |
							VIRTIO_MEM_F_UNPLUGGED_INACCESSIBLE);
	if (!err)
		err = read_config(&vmem_vp, &cfg);
	if (err) {
		pr_err("virtio-mem: %02x:%02x.%u: setup failed (%d)\n", dev->bus, dev->slot, dev->fn,
		       err);
		virtio_pci_fail(&vmem_vp);
		return;
	}
	pr_info("virtio-mem: %02x:%02x.%u block %lu KiB, region %#lx+%lu MiB, usable %lu MiB, "
		"plugged %lu MiB, requested %lu MiB, features %#lx; plugging not built yet\n",
		dev->bus, dev->slot, dev->fn, (unsigned long)(cfg.block_size >> 10),
		(unsigned long)cfg.addr, (unsigned long)(cfg.region_size >> 20),
		(unsigned long)(cfg.usable_region_size >> 20),
		(unsigned long)(cfg.plugged_size >> 20), (unsigned long)(cfg.requested_size >> 20),
		(unsigned long)vmem_vp.vdev.features);
}
