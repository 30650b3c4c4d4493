/*
 * virtio-mem (virtio 1.2, device id 24): the device-specific configuration
 * (spec 5.15.4) and what a driver may believe of it. The config is read
 * from an untrusted device, so virtio_mem_config_check() states every
 * relation the spec promises and the driver relies on; a config that
 * breaks one is reported and the device left alone.
 *
 * This is the first slice of the driver (issue 20): the PCI side reads and
 * checks the config at boot (virtio_mem_pci.c); plugging, unplugging and
 * memory hot-add come next. Pure, hostable (tests/host runs the checks).
 */
#ifndef DRIVERS_VIRTIO_VIRTIO_MEM_H
#define DRIVERS_VIRTIO_VIRTIO_MEM_H

#include "include/types.h"

#define VIRTIO_ID_MEM 24

/* Feature bits (spec 5.15.3). */
#define VIRTIO_MEM_F_ACPI_PXM (1ULL << 0)                /* node_id is an ACPI PXM */
#define VIRTIO_MEM_F_UNPLUGGED_INACCESSIBLE (1ULL << 1)  /* unplugged memory must not be read */

/* The config's layout: little-endian fields at these offsets, 56 bytes. */
#define VIRTIO_MEM_CFG_BLOCK_SIZE 0
#define VIRTIO_MEM_CFG_NODE_ID 8
#define VIRTIO_MEM_CFG_ADDR 16
#define VIRTIO_MEM_CFG_REGION_SIZE 24
#define VIRTIO_MEM_CFG_USABLE_REGION_SIZE 32
#define VIRTIO_MEM_CFG_PLUGGED_SIZE 40
#define VIRTIO_MEM_CFG_REQUESTED_SIZE 48
#define VIRTIO_MEM_CFG_LEN 56

/* The config in CPU order. */
struct virtio_mem_config {
	u64 block_size;          /* plug granularity: a power of two, >= 4 KiB */
	u16 node_id;
	u64 addr;                /* start of the device's region (guest physical) */
	u64 region_size;         /* the whole region */
	u64 usable_region_size;  /* the part that may be plugged now (grows with requests) */
	u64 plugged_size;        /* plugged bytes, as the device counts them */
	u64 requested_size;      /* what the host wants plugged */
};

/* Decode the @raw bytes of a config snapshot (VIRTIO_MEM_CFG_LEN of them). */
void virtio_mem_config_parse(const u8 *raw, struct virtio_mem_config *cfg);

/*
 * virtio_mem_config_check - does @cfg hold what the spec promises? The
 * block size a power of two of at least 4 KiB; addr, region_size,
 * usable_region_size, plugged_size and requested_size multiples of it;
 * region not empty, ending within the 52-bit physical address space;
 * requested_size <= usable_region_size <= region_size; plugged_size <=
 * region_size (blocks plugged earlier may lie beyond a usable region that
 * shrank since).
 * Return: NULL when it does, else what is wrong (a constant string).
 */
const char *virtio_mem_config_check(const struct virtio_mem_config *cfg);

#endif
