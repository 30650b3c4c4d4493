/*
 * Multiboot2 information parser. Layout: u32 total_size, u32 reserved, then
 * tags, each {u32 type, u32 size, payload} starting 8-byte aligned, ending
 * with a tag {0, 8}. Invariant kept while walking: every byte read lies in
 * [mbi, mbi + total_size) and total_size <= avail.
 */
#include "kernel/multiboot.h"
#include "boot/multiboot2.h"
#include "include/compiler.h"
#include "include/errno.h"
#include "lib/printf.h"
#include "lib/string.h"

#define MMAP_TAG_HEADER 16 /* type, size, entry_size, entry_version */

static u32 get32(const u8 *p)
{
	u32 v;

	memcpy(&v, p, sizeof(v));
	return v;
}

static int fail(struct boot_info *bi, const char *what, u32 offset)
{
	snprintf(bi->error, sizeof(bi->error), "%s at offset %u", what, offset);
	return -EINVAL;
}

/* A string tag's payload must contain its terminating NUL. */
static int parse_string(struct boot_info *bi, const u8 *tag, u32 size, u32 off,
			const char **out)
{
	if (size < 9 || !memchr(tag + 8, 0, size - 8))
		return fail(bi, "unterminated string tag", off);
	*out = (const char *)(tag + 8);
	return 0;
}

static int parse_mmap(struct boot_info *bi, const u8 *tag, u32 size, u32 off)
{
	u32 esize;

	if (size < MMAP_TAG_HEADER)
		return fail(bi, "memory map tag too short", off);
	esize = get32(tag + 8);
	if (esize < sizeof(struct mb2_mmap_entry) || esize % 8 || esize > 4096)
		return fail(bi, "memory map entry size invalid", off);
	bi->mmap = tag + MMAP_TAG_HEADER;
	bi->mmap_entry_size = esize;
	bi->mmap_count = (size - MMAP_TAG_HEADER) / esize;
	return 0;
}

static int parse_tag(struct boot_info *bi, const u8 *tag, u32 type, u32 size, u32 off)
{
	switch (type) {
	case MB2_TAG_CMDLINE:
		return parse_string(bi, tag, size, off, &bi->cmdline);
	case MB2_TAG_BOOTLOADER:
		return parse_string(bi, tag, size, off, &bi->bootloader);
	case MB2_TAG_MMAP:
		return parse_mmap(bi, tag, size, off);
	case MB2_TAG_ACPI_OLD:
	case MB2_TAG_ACPI_NEW:
		/* Prefer the ACPI 2.0 RSDP when both are given. */
		if (size > 8 && (type == MB2_TAG_ACPI_NEW || !bi->rsdp)) {
			bi->rsdp = tag + 8;
			bi->rsdp_len = size - 8;
		}
		return 0;
	default:
		return 0; /* tags we do not use are skipped, having been bounds-checked */
	}
}

int multiboot_parse(const void *mbi, size_t avail, struct boot_info *bi)
{
	const u8 *base = mbi;
	u32 total, off = 8;

	memset(bi, 0, sizeof(*bi));
	bi->cmdline = "";
	bi->bootloader = "";
	if (!mbi || ((uintptr_t)mbi & 7))
		return fail(bi, "boot information misaligned", 0);
	if (avail < 16)
		return fail(bi, "boot information truncated", 0);
	total = get32(base);
	if (total < 16 || total > avail || total > MB2_INFO_MAX || total % 8)
		return fail(bi, "boot information total_size invalid", 0);
	bi->total_size = total;
	for (;;) {
		const u8 *tag = base + off;
		u32 type, size;
		int err;

		if (off > total - 8)
			return fail(bi, "no end tag", off);
		type = get32(tag);
		size = get32(tag + 4);
		bi->tags++;
		if (size < 8 || size > total - off)
			return fail(bi, "tag size invalid", off);
		if (type == MB2_TAG_END)
			return size == 8 ? 0 : fail(bi, "end tag size invalid", off);
		err = parse_tag(bi, tag, type, size, off);
		if (err)
			return err;
		off += ALIGN_UP(size, 8u); /* no overflow: size <= total <= MB2_INFO_MAX */
	}
}

struct mb2_mmap_entry multiboot_mmap_entry(const struct boot_info *bi, u32 i)
{
	struct mb2_mmap_entry entry;

	memcpy(&entry, bi->mmap + (size_t)i * bi->mmap_entry_size, sizeof(entry));
	return entry;
}

const char *multiboot_mmap_type_name(u32 type)
{
	switch (type) {
	case MB2_MMAP_AVAILABLE:
		return "usable";
	case MB2_MMAP_RESERVED:
		return "reserved";
	case MB2_MMAP_ACPI_RECLAIMABLE:
		return "ACPI reclaimable";
	case MB2_MMAP_NVS:
		return "ACPI NVS";
	case MB2_MMAP_BADRAM:
		return "bad RAM";
	default:
		return "unknown";
	}
}
