/*
 * Tests of the virtio-mem config checks (drivers/virtio/virtio_mem.c): the
 * little-endian decoding, QEMU's config of a fresh device passes, and each
 * broken promise of a hostile device is named. Host and kernel.
 */
#include "drivers/virtio/virtio_mem.h"
#include "lib/ktest.h"
#include "lib/string.h"

#define MIB (1ULL << 20)

/* A fresh QEMU device: 2 MiB blocks, 256 MiB at 4 GiB, nothing requested. */
static struct virtio_mem_config fresh(void)
{
	return (struct virtio_mem_config){ .block_size = 2 * MIB, .addr = 4ULL << 30,
					   .region_size = 256 * MIB,
					   .usable_region_size = 0 };
}

static void put_le64(u8 *raw, unsigned int off, u64 v)
{
	unsigned int i;

	for (i = 0; i < 8; i++)
		raw[off + i] = (u8)(v >> (8 * i));
}

static void virtio_mem_config_decodes_little_endian(struct ktest *test)
{
	u8 raw[VIRTIO_MEM_CFG_LEN];
	struct virtio_mem_config cfg;

	memset(raw, 0xee, sizeof(raw)); /* padding holds garbage */
	put_le64(raw, VIRTIO_MEM_CFG_BLOCK_SIZE, 2 * MIB);
	raw[VIRTIO_MEM_CFG_NODE_ID] = 0x34;
	raw[VIRTIO_MEM_CFG_NODE_ID + 1] = 0x12;
	put_le64(raw, VIRTIO_MEM_CFG_ADDR, 0x140000000ULL);
	put_le64(raw, VIRTIO_MEM_CFG_REGION_SIZE, 2048 * MIB);
	put_le64(raw, VIRTIO_MEM_CFG_USABLE_REGION_SIZE, 1024 * MIB);
	put_le64(raw, VIRTIO_MEM_CFG_PLUGGED_SIZE, 8 * MIB);
	put_le64(raw, VIRTIO_MEM_CFG_REQUESTED_SIZE, 512 * MIB);
	virtio_mem_config_parse(raw, &cfg);
	KTEST_EXPECT_EQ(test, cfg.block_size, 2 * MIB);
	KTEST_EXPECT_EQ(test, cfg.node_id, 0x1234);
	KTEST_EXPECT_EQ(test, cfg.addr, 0x140000000ULL);
	KTEST_EXPECT_EQ(test, cfg.region_size, 2048 * MIB);
	KTEST_EXPECT_EQ(test, cfg.usable_region_size, 1024 * MIB);
	KTEST_EXPECT_EQ(test, cfg.plugged_size, 8 * MIB);
	KTEST_EXPECT_EQ(test, cfg.requested_size, 512 * MIB);
	KTEST_EXPECT_NULL(test, virtio_mem_config_check(&cfg));
}

static void virtio_mem_config_fresh_device_passes(struct ktest *test)
{
	struct virtio_mem_config cfg = fresh();

	KTEST_EXPECT_NULL(test, virtio_mem_config_check(&cfg));
	cfg.requested_size = cfg.usable_region_size = cfg.region_size; /* all of it */
	KTEST_EXPECT_NULL(test, virtio_mem_config_check(&cfg));
	cfg.usable_region_size = 0; /* shrunk below what is still plugged */
	cfg.requested_size = 0;
	cfg.plugged_size = 64 * MIB;
	KTEST_EXPECT_NULL(test, virtio_mem_config_check(&cfg));
}

/* Each hostile config is refused, and for the right reason. */
static void virtio_mem_config_hostile_values_refused(struct ktest *test)
{
	static const struct {
		const char *what;
		struct virtio_mem_config cfg;
	} cases[] = {
		{ "power of two", { .block_size = 0, .addr = 4ULL << 30, .region_size = 256 * MIB } },
		{ "power of two", { .block_size = 3 * MIB, .addr = 6ULL << 30, .region_size = 6 * MIB } },
		{ "power of two", { .block_size = 2048, .addr = 4ULL << 30, .region_size = 256 * MIB } },
		{ "multiple", { .block_size = 2 * MIB, .addr = (4ULL << 30) + 4096, .region_size = 256 * MIB } },
		{ "multiple", { .block_size = 2 * MIB, .addr = 4ULL << 30, .region_size = 256 * MIB + 4096 } },
		{ "multiple", { .block_size = 2 * MIB, .addr = 4ULL << 30, .region_size = 256 * MIB,
				.usable_region_size = 256 * MIB, .requested_size = MIB } },
		{ "multiple", { .block_size = 2 * MIB, .addr = 4ULL << 30, .region_size = 256 * MIB,
				.usable_region_size = 3 * MIB } },
		{ "region_size is 0", { .block_size = 2 * MIB, .addr = 4ULL << 30 } },
		{ "physical address space", { .block_size = 2 * MIB, .addr = 1ULL << 52,
					      .region_size = 2 * MIB } },
		{ "physical address space", { .block_size = 2 * MIB, .addr = (1ULL << 52) - 2 * MIB,
					      .region_size = 4 * MIB } },
		{ "physical address space", { .block_size = 2 * MIB, .addr = ~(2 * MIB - 1),
					      .region_size = 4 * MIB } },
		{ "usable_region_size exceeds", { .block_size = 2 * MIB, .addr = 4ULL << 30,
						  .region_size = 256 * MIB,
						  .usable_region_size = 258 * MIB } },
		{ "plugged_size exceeds", { .block_size = 2 * MIB, .addr = 4ULL << 30,
					    .region_size = 256 * MIB, .plugged_size = 258 * MIB } },
		{ "requested_size exceeds", { .block_size = 2 * MIB, .addr = 4ULL << 30,
					      .region_size = 256 * MIB, .usable_region_size = 2 * MIB,
					      .requested_size = 4 * MIB } },
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		const char *why = virtio_mem_config_check(&cases[i].cfg);

		KTEST_EXPECT_NOT_NULL(test, why);
		if (why && !strstr(why, cases[i].what))
			ktest_fail(test, __FILE__, __LINE__, "case %u: '%s', expected one about '%s'", i,
				   why, cases[i].what);
	}
}

static const struct ktest_case virtio_mem_cases[] = {
	KTEST_CASE(virtio_mem_config_decodes_little_endian),
	KTEST_CASE(virtio_mem_config_fresh_device_passes),
	KTEST_CASE(virtio_mem_config_hostile_values_refused),
	KTEST_END,
};
KTEST_SUITE(virtio_mem, virtio_mem_cases);
