/*
 * The interface between a virtio driver and its transport: what a driver
 * needs from "a virtio device", independent of how it is reached. The PCI
 * transport (drivers/virtio/pci.c) implements it for real devices; the
 * simulated balloon (drivers/virtio/balloon_sim.c) implements it for tests,
 * hosted and in the kernel, including hostile behaviour. Drivers written
 * against it (drivers/virtio/balloon.c) therefore build hosted unchanged.
 *
 * Order of calls (spec 3.1.1): negotiate, setup_queue for each queue,
 * driver_ok; fail when the driver gives up; reset to take everything back
 * (queues freed: the device no longer uses them).
 */
#ifndef DRIVERS_VIRTIO_VIRTIO_H
#define DRIVERS_VIRTIO_VIRTIO_H

#include "drivers/virtio/virtqueue.h"
#include "include/types.h"

#define VIRTIO_ID_BALLOON 5
#define VIRTIO_F_VERSION_1 (1ULL << 32)

struct virtio_device;

struct virtio_device_ops {
	/*
	 * negotiate - reset, ACKNOWLEDGE, DRIVER, accept @wanted & offered
	 * (VERSION_1 required), FEATURES_OK verified; vd->features is set.
	 * Return: 0; -ENODEV when VERSION_1 is missing or FEATURES_OK was
	 * refused (FAILED set); -ETIMEDOUT when the reset never finished.
	 */
	int (*negotiate)(struct virtio_device *vd, u64 wanted);
	/* Set up queue @index (at most VQ_MAX_SIZE entries). Return: the
	 * virtqueue, or NULL when it does not exist or memory ran out. */
	struct virtqueue *(*setup_queue)(struct virtio_device *vd, unsigned int index,
					 const char *name);
	/* Set DRIVER_OK. Return: 0, or -EIO when the device needs a reset. */
	int (*driver_ok)(struct virtio_device *vd);
	/* Set FAILED: the driver gave up on the device. */
	void (*fail)(struct virtio_device *vd);
	/* Reset and free the queues. Return: 0 or -ETIMEDOUT (queues kept:
	 * the device may still use them). */
	int (*reset)(struct virtio_device *vd);
	/* A generation-consistent copy of @len bytes of device config at
	 * @off. Return: 0, -EINVAL (outside the config) or -EAGAIN. */
	int (*config_read)(struct virtio_device *vd, u32 off, void *buf, u32 len);
	/* Write a 32-bit LE config field. Return: 0 or -EINVAL. */
	int (*config_write32)(struct virtio_device *vd, u32 off, u32 v);
};

struct virtio_device {
	const struct virtio_device_ops *ops;
	u64 offered;  /* what the device offered (valid after negotiate) */
	u64 features; /* negotiated (valid after negotiate) */
};

#endif
