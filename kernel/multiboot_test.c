/*
 * Tests of the multiboot2 parser on crafted blocks: a good one is indexed;
 * every kind of malformed block is rejected with a message and without
 * reading outside it (the host build runs these under ASan with the block at
 * the very end of its buffer).
 */
#include "kernel/multiboot.h"
#include "boot/multiboot2.h"
#include "include/errno.h"
#include "lib/ktest.h"
#include "lib/string.h"

static u64 block_storage[128];
static u8 *const block = (u8 *)block_storage;
static u32 block_len;

static void put32(u32 off, u32 v) { memcpy(block + off, &v, 4); }
static void put64(u32 off, u64 v) { memcpy(block + off, &v, 8); }

static void begin(void)
{
	memset(block_storage, 0xcc, sizeof(block_storage));
	block_len = 8;
}

static u32 add_tag(u32 type, u32 size)
{
	u32 off = block_len;

	put32(off, type);
	put32(off + 4, size);
	block_len = (block_len + size + 7) & ~7u;
	return off;
}

static void add_string(u32 type, const char *s)
{
	u32 off = add_tag(type, 8 + (u32)strlen(s) + 1);

	memcpy(block + off + 8, s, strlen(s) + 1);
}

static void add_mmap(void)
{
	u32 off = add_tag(MB2_TAG_MMAP, 16 + 2 * 24);

	put32(off + 8, 24);
	put32(off + 12, 0);
	put64(off + 16, 0);
	put64(off + 24, 0x9fc00);
	put32(off + 32, MB2_MMAP_AVAILABLE);
	put64(off + 40, 0x100000);
	put64(off + 48, 0x1ff00000);
	put32(off + 56, MB2_MMAP_AVAILABLE);
}

static void finish(void)
{
	add_tag(MB2_TAG_END, 8);
	put32(0, block_len);
	put32(4, 0);
}

static int parse(struct boot_info *bi) { return multiboot_parse(block, block_len, bi); }

/* A well-formed block: strings, memory map entries and the RSDP are found. */
static void multiboot_parses_good_block(struct ktest *test)
{
	struct boot_info bi;
	struct mb2_mmap_entry entry;
	u32 off;

	begin();
	add_string(MB2_TAG_CMDLINE, "test=all loglevel=7");
	add_string(MB2_TAG_BOOTLOADER, "GRUB 2.06");
	add_mmap();
	off = add_tag(MB2_TAG_ACPI_OLD, 8 + 20);
	memcpy(block + off + 8, "RSD PTR ", 8);
	add_tag(99, 13); /* an unknown tag is skipped */
	finish();
	KTEST_ASSERT_EQ(test, parse(&bi), 0);
	KTEST_EXPECT_STREQ(test, bi.cmdline, "test=all loglevel=7");
	KTEST_EXPECT_STREQ(test, bi.bootloader, "GRUB 2.06");
	KTEST_ASSERT_EQ(test, bi.mmap_count, 2);
	entry = multiboot_mmap_entry(&bi, 1);
	KTEST_EXPECT_EQ(test, entry.base, 0x100000);
	KTEST_EXPECT_EQ(test, entry.length, 0x1ff00000);
	KTEST_EXPECT_EQ(test, entry.type, MB2_MMAP_AVAILABLE);
	KTEST_EXPECT_EQ(test, bi.rsdp_len, 20);
	KTEST_EXPECT_EQ(test, bi.tags, 6);
}

/* Missing tags leave empty strings and no memory map, which is not an error here. */
static void multiboot_minimal_block(struct ktest *test)
{
	struct boot_info bi;

	begin();
	finish();
	KTEST_ASSERT_EQ(test, parse(&bi), 0);
	KTEST_EXPECT_STREQ(test, bi.cmdline, "");
	KTEST_EXPECT_EQ(test, bi.mmap_count, 0);
	KTEST_EXPECT_NULL(test, bi.mmap);
}

static int parse_error(struct boot_info *bi, const char *want)
{
	int err = parse(bi);

	return err == -EINVAL && strstr(bi->error, want) ? 0 : -1;
}

/* total_size: too small, beyond the readable bytes, not a multiple of 8. */
static void multiboot_rejects_bad_total_size(struct ktest *test)
{
	struct boot_info bi;

	begin();
	finish();
	put32(0, 8);
	KTEST_EXPECT_EQ(test, parse_error(&bi, "total_size"), 0);
	put32(0, block_len + 8);
	KTEST_EXPECT_EQ(test, parse_error(&bi, "total_size"), 0);
	put32(0, block_len - 4);
	KTEST_EXPECT_EQ(test, parse_error(&bi, "total_size"), 0);
	KTEST_EXPECT_EQ(test, multiboot_parse(block, 12, &bi), -EINVAL);
	KTEST_EXPECT_EQ(test, multiboot_parse(NULL, 64, &bi), -EINVAL);
	KTEST_EXPECT_EQ(test, multiboot_parse(block + 4, 64, &bi), -EINVAL);
}

/* A tag running past the end, a zero-size tag, and no end tag. */
static void multiboot_rejects_bad_tags(struct ktest *test)
{
	struct boot_info bi;
	u32 off;

	begin();
	off = add_tag(MB2_TAG_CMDLINE, 16);
	memcpy(block + off + 8, "x", 2);
	finish();
	put32(off + 4, 4096);
	KTEST_EXPECT_EQ(test, parse_error(&bi, "tag size invalid at offset 8"), 0);
	put32(off + 4, 0);
	KTEST_EXPECT_EQ(test, parse_error(&bi, "tag size invalid"), 0);

	begin();
	add_string(MB2_TAG_CMDLINE, "abc");
	put32(0, block_len);
	KTEST_EXPECT_EQ(test, parse_error(&bi, "no end tag"), 0);

	begin();
	off = add_tag(MB2_TAG_END, 16);
	put32(0, block_len);
	KTEST_EXPECT_EQ(test, parse_error(&bi, "end tag size"), 0);
}

/* Strings without their NUL, and memory maps with impossible entry sizes. */
static void multiboot_rejects_bad_payloads(struct ktest *test)
{
	struct boot_info bi;
	u32 off;

	begin();
	off = add_tag(MB2_TAG_BOOTLOADER, 12);
	memcpy(block + off + 8, "GRUB", 4);
	finish();
	KTEST_EXPECT_EQ(test, parse_error(&bi, "unterminated string"), 0);

	begin();
	off = add_tag(MB2_TAG_MMAP, 16 + 24);
	put32(off + 8, 20);
	finish();
	KTEST_EXPECT_EQ(test, parse_error(&bi, "entry size"), 0);

	begin();
	off = add_tag(MB2_TAG_MMAP, 12);
	finish();
	KTEST_EXPECT_EQ(test, parse_error(&bi, "too short"), 0);
}

/* Every truncation of a good block fails cleanly (or parses a shorter one). */
static void multiboot_every_truncation_is_safe(struct ktest *test)
{
	struct boot_info bi;
	u32 full, len;

	begin();
	add_string(MB2_TAG_CMDLINE, "a=b");
	add_mmap();
	finish();
	full = block_len;
	for (len = 0; len < full; len++)
		KTEST_EXPECT_EQ(test, multiboot_parse(block, len, &bi), -EINVAL);
	KTEST_EXPECT_EQ(test, multiboot_parse(block, full, &bi), 0);
}

static const struct ktest_case multiboot_cases[] = {
	KTEST_CASE(multiboot_parses_good_block),
	KTEST_CASE(multiboot_minimal_block),
	KTEST_CASE(multiboot_rejects_bad_total_size),
	KTEST_CASE(multiboot_rejects_bad_tags),
	KTEST_CASE(multiboot_rejects_bad_payloads),
	KTEST_CASE(multiboot_every_truncation_is_safe),
	KTEST_END,
};
KTEST_SUITE(multiboot, multiboot_cases);
