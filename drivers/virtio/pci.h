/*
 * The virtio 1.x PCI transport, modern interface only (spec 4.1): the
 * vendor capabilities locate the common configuration, notification, ISR
 * and device-specific configuration structures in memory BARs; the driver
 * resets the device, walks the status handshake (ACKNOWLEDGE, DRIVER,
 * FEATURES_OK verified, DRIVER_OK; FAILED on error), negotiates 64-bit
 * features, and sets queues up with rings from kernel_mm (unmovable,
 * physically contiguous, by physical address: no IOMMU).
 *
 * Transitional devices (0x1000-0x103f, type in the subsystem ID) are driven
 * through their modern capabilities too; the legacy I/O BAR is never used.
 *
 * Untrusted device: capability offsets/lengths are checked against their
 * BAR, the queue size and notify offset against what was mapped, config
 * reads against the device config length; a device that refuses
 * FEATURES_OK or never finishes a reset is failed, not trusted.
 *
 * Locking: one owner thread drives setup and teardown; the interrupt
 * handler reads only the ISR and calls the registered callbacks.
 */
#ifndef DRIVERS_VIRTIO_PCI_H
#define DRIVERS_VIRTIO_PCI_H

#include "drivers/pci.h"
#include "drivers/virtio/virtio.h"
#include "drivers/virtio/virtqueue.h"

#define VIRTIO_PCI_VENDOR 0x1af4

/* Device status bits (spec 2.1). */
#define VIRTIO_STATUS_ACKNOWLEDGE 1
#define VIRTIO_STATUS_DRIVER 2
#define VIRTIO_STATUS_DRIVER_OK 4
#define VIRTIO_STATUS_FEATURES_OK 8
#define VIRTIO_STATUS_NEEDS_RESET 64
#define VIRTIO_STATUS_FAILED 128

/* ISR status bits. */
#define VIRTIO_ISR_QUEUE 1
#define VIRTIO_ISR_CONFIG 2

#define VIRTIO_PCI_MAX_QUEUES 4

struct virtio_pci;
typedef void (*virtio_config_cb)(struct virtio_pci *vp, void *arg);
typedef void (*virtio_queue_cb)(struct virtio_pci *vp, struct virtqueue *vq, void *arg);

struct virtio_pci_queue {
	struct virtqueue *vq;      /* kmalloc'ed; NULL when not set up */
	struct page *ring;         /* the ring pages (order ring_order) */
	unsigned int ring_order;
	volatile u16 *notify;      /* where to write the queue index */
};

/* (C) constant after virtio_pci_probe; (O) owner thread. */
struct virtio_pci {
	struct virtio_device vdev;         /* (C) ops; (O) features: the driver's view */
	struct pci_dev *pci;               /* (C) */
	unsigned int type;                 /* (C) virtio device ID (5 balloon) */
	volatile u8 *common;               /* (C) common configuration */
	volatile u8 *isr;                  /* (C) ISR status byte */
	volatile u8 *device;               /* (C) device-specific configuration */
	u32 device_len;                    /* (C) its length */
	volatile u8 *notify_base;          /* (C) notification area */
	u32 notify_len;                    /* (C) its length */
	u32 notify_mult;                   /* (C) notify_off_multiplier */
	u64 device_features;               /* (O) what the device offered */
	int vector;                        /* (O) interrupt vector, -1 polling */
	virtio_config_cb config_changed;   /* (O) set before virtio_pci_request_irq */
	virtio_queue_cb queue_ready;       /* (O) likewise */
	void *cb_arg;                      /* (O) */
	unsigned long irqs, config_irqs;   /* interrupt counters */
	struct virtio_pci_queue queues[VIRTIO_PCI_MAX_QUEUES]; /* (O) */
};

/* The virtio device type of @dev (modern 0x1040+N, or transitional with the
 * type in the subsystem ID), or -ENODEV when it is not a virtio device. */
int virtio_pci_device_type(const struct pci_dev *dev);

/*
 * virtio_pci_probe - locate @dev's modern capabilities, map them, enable
 * memory space and bus mastering, and reset the device. vp->vdev is then
 * the struct virtio_device a driver uses (virtio.h; its setup_queue takes
 * up to VQ_MAX_SIZE entries).
 * Return: 0; -ENODEV (not virtio, or a capability missing or outside its
 * BAR); -ENOMEM (ioremap failed); -ETIMEDOUT (the reset never finished).
 */
int virtio_pci_probe(struct virtio_pci *vp, struct pci_dev *dev);

/*
 * virtio_pci_reset - write 0 to device_status and wait (bounded) until it
 * reads 0, as the spec requires before reinitializing; then free the rings
 * (the device no longer uses them). Return: 0 or -ETIMEDOUT (rings kept:
 * the device may still own them).
 */
int virtio_pci_reset(struct virtio_pci *vp);

/*
 * virtio_pci_negotiate - reset, ACKNOWLEDGE, DRIVER, read the 64 feature
 * bits, accept @wanted & offered (VIRTIO_F_VERSION_1 required), set
 * FEATURES_OK and check the device kept it.
 * Return: 0 (vp->vdev.features set); -ENODEV when VERSION_1 is not offered or
 * FEATURES_OK was refused (FAILED is set then); -ETIMEDOUT.
 */
int virtio_pci_negotiate(struct virtio_pci *vp, u64 wanted);

/*
 * virtio_pci_setup_queue - set up queue @index with at most @max_size
 * entries (the device's size, rounded down to a power of two and capped at
 * VQ_MAX_SIZE): allocate the rings, program the addresses and enable it.
 * Call between negotiate and driver_ok.
 * Return: the virtqueue; NULL when the queue does not exist, its notify
 * offset lies outside the notification area, or memory ran out (logged).
 */
struct virtqueue *virtio_pci_setup_queue(struct virtio_pci *vp, unsigned int index,
					 unsigned int max_size, const char *name);

/* Set DRIVER_OK. Return: 0, or -EIO when the device reports NEEDS_RESET. */
int virtio_pci_driver_ok(struct virtio_pci *vp);

/* Set FAILED (the driver gave up on the device). */
void virtio_pci_fail(struct virtio_pci *vp);

u8 virtio_pci_status(const struct virtio_pci *vp);
u16 virtio_pci_queue_size(struct virtio_pci *vp, unsigned int index);

/* Read (and so clear) the ISR status. */
u8 virtio_pci_read_isr(struct virtio_pci *vp);

/*
 * virtio_pci_config_read - copy @len bytes at @off of the device config
 * into @buf, retrying until config_generation is the same before and after
 * (a consistent snapshot of multi-field values).
 * Return: 0; -EINVAL when [@off, @off+@len) is outside the config;
 * -EAGAIN when the generation kept changing (100 tries).
 */
int virtio_pci_config_read(struct virtio_pci *vp, u32 off, void *buf, u32 len);

/* Write a 32-bit little-endian config field at @off. Return: 0 or -EINVAL. */
int virtio_pci_config_write32(struct virtio_pci *vp, u32 off, u32 v);

/*
 * virtio_pci_request_irq - route the device's INTx; the handler reads the
 * ISR and calls vp->queue_ready for each set-up queue on a queue interrupt
 * and vp->config_changed on a configuration change (interrupt context).
 * Return: 0, or -errno (the caller may poll virtio_pci_read_isr instead).
 */
int virtio_pci_request_irq(struct virtio_pci *vp);

#endif
