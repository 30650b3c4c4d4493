/*
 * virtio-pci modern transport (see pci.h). Register layout of the common
 * configuration structure (spec 4.1.4.3), all little endian:
 *
 *   0x00 device_feature_select  0x04 device_feature  0x08 driver_feature_select
 *   0x0c driver_feature  0x10 msix_config  0x12 num_queues  0x14 device_status
 *   0x15 config_generation  0x16 queue_select  0x18 queue_size
 *   0x1a queue_msix_vector  0x1c queue_enable  0x1e queue_notify_off
 *   0x20 queue_desc  0x28 queue_driver  0x30 queue_device
 *
 * MMIO accesses go through volatile pointers into uncached ioremap
 * mappings: UC memory is strongly ordered on x86, so ring writes in WB
 * memory (ordered among themselves, TSO) are visible before the notify
 * store that follows them in program order; the compiler barrier in the
 * accessors keeps the compiler from moving ring stores past it.
 */
#include "drivers/virtio/pci.h"
#include "arch/x86_64/paging.h"
#include "include/errno.h"
#include "kernel/mm/kmalloc.h"
#include "kernel/mm/mm_boot.h"
#include "kernel/printk.h"
#include "kernel/sched.h"
#include "lib/string.h"

#define VIRTIO_PCI_CAP_COMMON 1
#define VIRTIO_PCI_CAP_NOTIFY 2
#define VIRTIO_PCI_CAP_ISR 3
#define VIRTIO_PCI_CAP_DEVICE 4

#define CC_DFSELECT 0x00
#define CC_DF 0x04
#define CC_GFSELECT 0x08
#define CC_GF 0x0c
#define CC_MSIX_CONFIG 0x10
#define CC_NUM_QUEUES 0x12
#define CC_STATUS 0x14
#define CC_GENERATION 0x15
#define CC_Q_SELECT 0x16
#define CC_Q_SIZE 0x18
#define CC_Q_MSIX 0x1a
#define CC_Q_ENABLE 0x1c
#define CC_Q_NOFF 0x1e
#define CC_Q_DESC 0x20
#define CC_Q_DRIVER 0x28
#define CC_Q_DEVICE 0x30
#define CC_LEN 0x38

#define VIRTIO_MSI_NO_VECTOR 0xffff
#define RESET_POLL_US 10
#define RESET_TIMEOUT_US 1000000

static u8 rd8(volatile u8 *b, u32 off) { barrier(); return *(volatile u8 *)(b + off); }
static u16 rd16(volatile u8 *b, u32 off) { barrier(); return *(volatile u16 *)(b + off); }
static u32 rd32(volatile u8 *b, u32 off) { barrier(); return *(volatile u32 *)(b + off); }
static void wr8(volatile u8 *b, u32 off, u8 v) { barrier(); *(volatile u8 *)(b + off) = v; }
static void wr16(volatile u8 *b, u32 off, u16 v) { barrier(); *(volatile u16 *)(b + off) = v; }
static void wr32(volatile u8 *b, u32 off, u32 v) { barrier(); *(volatile u32 *)(b + off) = v; }

/* 64-bit registers as two 32-bit halves, low first (spec 4.1.3.1 allows
 * the driver to access them that way). */
static void wr64(volatile u8 *b, u32 off, u64 v)
{
	wr32(b, off, (u32)v);
	wr32(b, off + 4, (u32)(v >> 32));
}

int virtio_pci_device_type(const struct pci_dev *dev)
{
	if (dev->vendor != VIRTIO_PCI_VENDOR)
		return -ENODEV;
	if (dev->device >= 0x1040 && dev->device <= 0x107f)
		return dev->device - 0x1040;
	if (dev->device >= 0x1000 && dev->device <= 0x103f && dev->subsys_id)
		return dev->subsys_id;
	return -ENODEV;
}

/* Map the structure a virtio capability at @cap describes; *@len gets its
 * length. Return: the mapping or NULL (bad BAR, outside the BAR). */
static volatile u8 *map_cap(struct pci_dev *dev, u8 cap, u32 *len)
{
	u8 bar = pci_read8(dev, cap + 4);
	u32 off = pci_read32(dev, cap + 8), n = pci_read32(dev, cap + 12);
	u8 *base;

	if (bar > 5 || !n || (u64)off + n > dev->bar[bar].size)
		return NULL;
	base = pci_map_bar(dev, bar);
	if (!base)
		return NULL;
	*len = n;
	return base + off;
}

static int find_caps(struct virtio_pci *vp)
{
	struct pci_dev *dev = vp->pci;
	u32 common_len = 0, isr_len = 0;
	u8 cap = 0;

	while ((cap = pci_next_cap(dev, cap, PCI_CAP_VENDOR))) {
		u8 type = pci_read8(dev, cap + 3);
		u32 len;
		volatile u8 *p;

		/* The first capability of each type wins (spec 4.1.4). */
		if ((type == VIRTIO_PCI_CAP_COMMON && vp->common) ||
		    (type == VIRTIO_PCI_CAP_NOTIFY && vp->notify_base) ||
		    (type == VIRTIO_PCI_CAP_ISR && vp->isr) ||
		    (type == VIRTIO_PCI_CAP_DEVICE && vp->device) || type < 1 || type > 4)
			continue;
		p = map_cap(dev, cap, &len);
		if (!p)
			continue;
		if (type == VIRTIO_PCI_CAP_COMMON) {
			vp->common = p;
			common_len = len;
		} else if (type == VIRTIO_PCI_CAP_NOTIFY) {
			vp->notify_base = p;
			vp->notify_len = len;
			vp->notify_mult = pci_read32(dev, cap + 16);
		} else if (type == VIRTIO_PCI_CAP_ISR) {
			vp->isr = p;
			isr_len = len;
		} else {
			vp->device = p;
			vp->device_len = len;
		}
	}
	if (!vp->common || common_len < CC_LEN || !vp->notify_base || !vp->isr || !isr_len)
		return -ENODEV;
	return 0;
}

static const struct virtio_device_ops virtio_pci_device_ops;

int virtio_pci_probe(struct virtio_pci *vp, struct pci_dev *dev)
{
	int type = virtio_pci_device_type(dev), err;

	memset(vp, 0, sizeof(*vp));
	vp->vdev.ops = &virtio_pci_device_ops;
	vp->vector = -1;
	if (type < 0)
		return -ENODEV;
	vp->pci = dev;
	vp->type = (unsigned int)type;
	err = find_caps(vp);
	if (err) {
		pr_err("virtio-pci %02x:%02x.%u: modern capabilities missing or invalid\n", dev->bus,
		       dev->slot, dev->fn);
		return err;
	}
	pci_enable(dev);
	return virtio_pci_reset(vp);
}

u8 virtio_pci_status(const struct virtio_pci *vp) { return rd8(vp->common, CC_STATUS); }

static void add_status(struct virtio_pci *vp, u8 bits)
{
	wr8(vp->common, CC_STATUS, (u8)(rd8(vp->common, CC_STATUS) | bits));
}

static void free_queues(struct virtio_pci *vp)
{
	unsigned int i;

	for (i = 0; i < VIRTIO_PCI_MAX_QUEUES; i++) {
		struct virtio_pci_queue *queue = &vp->queues[i];

		if (queue->ring)
			free_pages(queue->ring, queue->ring_order);
		kfree(queue->vq);
		memset(queue, 0, sizeof(*queue));
	}
}

int virtio_pci_reset(struct virtio_pci *vp)
{
	u64 waited;

	wr8(vp->common, CC_STATUS, 0);
	for (waited = 0; rd8(vp->common, CC_STATUS); waited += RESET_POLL_US) {
		if (waited >= RESET_TIMEOUT_US) {
			pr_err("virtio-pci: device reset did not complete\n");
			return -ETIMEDOUT;
		}
		thread_sleep_us(RESET_POLL_US);
	}
	free_queues(vp);
	return 0;
}

void virtio_pci_fail(struct virtio_pci *vp) { add_status(vp, VIRTIO_STATUS_FAILED); }

int virtio_pci_negotiate(struct virtio_pci *vp, u64 wanted)
{
	int err = virtio_pci_reset(vp);

	if (err)
		return err;
	add_status(vp, VIRTIO_STATUS_ACKNOWLEDGE);
	add_status(vp, VIRTIO_STATUS_DRIVER);
	wr32(vp->common, CC_DFSELECT, 0);
	vp->device_features = rd32(vp->common, CC_DF);
	wr32(vp->common, CC_DFSELECT, 1);
	vp->device_features |= (u64)rd32(vp->common, CC_DF) << 32;
	if (!(vp->device_features & VIRTIO_F_VERSION_1)) {
		pr_err("virtio-pci: device does not offer VERSION_1 (features %#lx)\n",
		       (unsigned long)vp->device_features);
		virtio_pci_fail(vp);
		return -ENODEV;
	}
	vp->vdev.offered = vp->device_features;
	vp->vdev.features = (wanted | VIRTIO_F_VERSION_1) & vp->device_features;
	wr32(vp->common, CC_GFSELECT, 0);
	wr32(vp->common, CC_GF, (u32)vp->vdev.features);
	wr32(vp->common, CC_GFSELECT, 1);
	wr32(vp->common, CC_GF, (u32)(vp->vdev.features >> 32));
	add_status(vp, VIRTIO_STATUS_FEATURES_OK);
	if (!(virtio_pci_status(vp) & VIRTIO_STATUS_FEATURES_OK)) {
		pr_err("virtio-pci: device refused features %#lx\n", (unsigned long)vp->vdev.features);
		virtio_pci_fail(vp);
		return -ENODEV;
	}
	return 0;
}

u16 virtio_pci_queue_size(struct virtio_pci *vp, unsigned int index)
{
	wr16(vp->common, CC_Q_SELECT, (u16)index);
	return rd16(vp->common, CC_Q_SIZE);
}

static void pci_notify(struct virtqueue *vq)
{
	struct virtio_pci_queue *queue = vq->priv;

	barrier();
	*queue->notify = (u16)vq->index;
}

static const struct vq_transport_ops virtio_pci_vq_ops = { .notify = pci_notify };

/* Program queue @index (selected) with @queue's rings and enable it. Return:
 * 0 or -ENODEV when the notify address is outside the notify area. */
static int program_queue(struct virtio_pci *vp, struct virtio_pci_queue *queue, unsigned int index)
{
	struct virtqueue *vq = queue->vq;
	u64 noff = (u64)rd16(vp->common, CC_Q_NOFF) * vp->notify_mult;

	if (noff + 2 > vp->notify_len) {
		pr_err("virtio-pci: queue %u notify offset %#lx outside %#x bytes\n", index,
		       (unsigned long)noff, vp->notify_len);
		return -ENODEV;
	}
	queue->notify = (volatile u16 *)(vp->notify_base + noff);
	wr16(vp->common, CC_Q_SIZE, vq->num);
	wr16(vp->common, CC_Q_MSIX, VIRTIO_MSI_NO_VECTOR);
	wr64(vp->common, CC_Q_DESC, vq->desc_pa);
	wr64(vp->common, CC_Q_DRIVER, vq->avail_pa);
	wr64(vp->common, CC_Q_DEVICE, vq->used_pa);
	wr16(vp->common, CC_Q_ENABLE, 1);
	return 0;
}

struct virtqueue *virtio_pci_setup_queue(struct virtio_pci *vp, unsigned int index,
					 unsigned int max_size, const char *name)
{
	struct virtio_pci_queue *queue;
	unsigned int num, size;

	if (index >= VIRTIO_PCI_MAX_QUEUES || index >= rd16(vp->common, CC_NUM_QUEUES) ||
	    vp->queues[index].vq)
		return NULL;
	queue = &vp->queues[index];
	size = virtio_pci_queue_size(vp, index);
	if (!size || rd16(vp->common, CC_Q_ENABLE))
		return NULL;
	for (num = 1; num * 2 <= size && num * 2 <= max_size && num * 2 <= VQ_MAX_SIZE;)
		num *= 2;
	queue->vq = kzalloc(sizeof(*queue->vq), GFP_KERNEL);
	queue->ring_order = mm_order_for_bytes(vq_ring_bytes(num));
	queue->ring = alloc_pages(queue->ring_order, GFP_KERNEL | GFP_ZERO);
	if (!queue->vq || !queue->ring)
		goto err_free;
	if (vq_init(queue->vq, name, index, num, page_address(queue->ring),
		    (u64)page_to_pfn(queue->ring) << PAGE_SHIFT, &virtio_pci_vq_ops, queue))
		goto err_free;
	if (program_queue(vp, queue, index))
		goto err_free;
	return queue->vq;
err_free: /* nothing was enabled on the device yet */
	if (queue->ring)
		free_pages(queue->ring, queue->ring_order);
	kfree(queue->vq);
	memset(queue, 0, sizeof(*queue));
	pr_err("virtio-pci: cannot set up queue %u\n", index);
	return NULL;
}

int virtio_pci_driver_ok(struct virtio_pci *vp)
{
	add_status(vp, VIRTIO_STATUS_DRIVER_OK);
	return virtio_pci_status(vp) & VIRTIO_STATUS_NEEDS_RESET ? -EIO : 0;
}

u8 virtio_pci_read_isr(struct virtio_pci *vp) { return rd8(vp->isr, 0); }

int virtio_pci_config_read(struct virtio_pci *vp, u32 off, void *buf, u32 len)
{
	unsigned int tries;
	u8 *out = buf;

	if (!vp->device || off > vp->device_len || len > vp->device_len - off)
		return -EINVAL;
	for (tries = 0; tries < 100; tries++) {
		u8 gen = rd8(vp->common, CC_GENERATION);
		u32 i;

		/* Whole 32-bit fields where aligned: the spec wants each field
		 * read with its own width. */
		for (i = 0; i < len;) {
			if (!((off + i) & 3) && len - i >= 4) {
				u32 v = rd32(vp->device, off + i);

				memcpy(out + i, &v, 4);
				i += 4;
			} else {
				out[i] = rd8(vp->device, off + i);
				i++;
			}
		}
		if (rd8(vp->common, CC_GENERATION) == gen)
			return 0;
	}
	return -EAGAIN;
}

int virtio_pci_config_write32(struct virtio_pci *vp, u32 off, u32 v)
{
	if (!vp->device || (off & 3) || off > vp->device_len || vp->device_len - off < 4)
		return -EINVAL;
	wr32(vp->device, off, v);
	return 0;
}

static void virtio_pci_irq(void *arg)
{
	struct virtio_pci *vp = arg;
	u8 isr = virtio_pci_read_isr(vp); /* reading clears it and deasserts INTx */
	unsigned int i;

	if (!isr)
		return; /* a device sharing the line */
	vp->irqs++;
	if (isr & VIRTIO_ISR_CONFIG) {
		vp->config_irqs++;
		if (vp->config_changed)
			vp->config_changed(vp, vp->cb_arg);
	}
	if ((isr & VIRTIO_ISR_QUEUE) && vp->queue_ready)
		for (i = 0; i < VIRTIO_PCI_MAX_QUEUES; i++)
			if (vp->queues[i].vq)
				vp->queue_ready(vp, vp->queues[i].vq, vp->cb_arg);
}

int virtio_pci_request_irq(struct virtio_pci *vp)
{
	int vec;

	wr16(vp->common, CC_MSIX_CONFIG, VIRTIO_MSI_NO_VECTOR);
	vec = pci_route_intx(vp->pci, virtio_pci_irq, vp, "virtio");
	if (vec < 0)
		return vec;
	vp->vector = vec;
	return 0;
}

/* struct virtio_device over the functions above. */
static struct virtio_pci *to_vp(struct virtio_device *vd)
{
	return container_of(vd, struct virtio_pci, vdev);
}

static int vd_negotiate(struct virtio_device *vd, u64 wanted)
{
	return virtio_pci_negotiate(to_vp(vd), wanted);
}

static struct virtqueue *vd_setup_queue(struct virtio_device *vd, unsigned int index,
					const char *name)
{
	return virtio_pci_setup_queue(to_vp(vd), index, VQ_MAX_SIZE, name);
}

static int vd_driver_ok(struct virtio_device *vd) { return virtio_pci_driver_ok(to_vp(vd)); }
static void vd_fail(struct virtio_device *vd) { virtio_pci_fail(to_vp(vd)); }
static int vd_reset(struct virtio_device *vd) { return virtio_pci_reset(to_vp(vd)); }

static int vd_config_read(struct virtio_device *vd, u32 off, void *buf, u32 len)
{
	return virtio_pci_config_read(to_vp(vd), off, buf, len);
}

static int vd_config_write32(struct virtio_device *vd, u32 off, u32 v)
{
	return virtio_pci_config_write32(to_vp(vd), off, v);
}

static const struct virtio_device_ops virtio_pci_device_ops = {
	.negotiate = vd_negotiate,
	.setup_queue = vd_setup_queue,
	.driver_ok = vd_driver_ok,
	.fail = vd_fail,
	.reset = vd_reset,
	.config_read = vd_config_read,
	.config_write32 = vd_config_write32,
};
