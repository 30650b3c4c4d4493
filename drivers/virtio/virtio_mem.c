/*
 * virtio-mem config decoding and checks (see virtio_mem.h). Pure: no
 * device access, so the host runs the same code against hostile configs.
 */
#include "drivers/virtio/virtio_mem.h"

#define MAX_PHYS_BITS 52 /* x86-64's architectural limit */

static u64 le64_at(const u8 *raw, unsigned int off)
{
	u64 v = 0;
	int i;

	for (i = 7; i >= 0; i--)
		v = v << 8 | raw[off + (unsigned int)i];
	return v;
}

void virtio_mem_config_parse(const u8 *raw, struct virtio_mem_config *cfg)
{
	cfg->block_size = le64_at(raw, VIRTIO_MEM_CFG_BLOCK_SIZE);
	cfg->node_id = (u16)(raw[VIRTIO_MEM_CFG_NODE_ID] | raw[VIRTIO_MEM_CFG_NODE_ID + 1] << 8);
	cfg->addr = le64_at(raw, VIRTIO_MEM_CFG_ADDR);
	cfg->region_size = le64_at(raw, VIRTIO_MEM_CFG_REGION_SIZE);
	cfg->usable_region_size = le64_at(raw, VIRTIO_MEM_CFG_USABLE_REGION_SIZE);
	cfg->plugged_size = le64_at(raw, VIRTIO_MEM_CFG_PLUGGED_SIZE);
	cfg->requested_size = le64_at(raw, VIRTIO_MEM_CFG_REQUESTED_SIZE);
}

static bool aligned(u64 v, u64 block) { return (v & (block - 1)) == 0; }

const char *virtio_mem_config_check(const struct virtio_mem_config *cfg)
{
	u64 block = cfg->block_size;

	if (block < 4096 || (block & (block - 1)))
		return "block_size is not a power of two of at least 4 KiB";
	if (!aligned(cfg->addr, block) || !aligned(cfg->region_size, block) ||
	    !aligned(cfg->usable_region_size, block) || !aligned(cfg->plugged_size, block) ||
	    !aligned(cfg->requested_size, block))
		return "a size or the address is not a multiple of block_size";
	if (!cfg->region_size)
		return "region_size is 0";
	if (cfg->addr >> MAX_PHYS_BITS || cfg->region_size > (1ULL << MAX_PHYS_BITS) - cfg->addr)
		return "the region ends beyond the physical address space";
	if (cfg->usable_region_size > cfg->region_size)
		return "usable_region_size exceeds region_size";
	/* Plugged blocks may lie beyond a usable region that shrank since. */
	if (cfg->plugged_size > cfg->region_size)
		return "plugged_size exceeds region_size";
	if (cfg->requested_size > cfg->usable_region_size)
		return "requested_size exceeds usable_region_size";
	return NULL;
}
