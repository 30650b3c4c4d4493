/*
 * Multiboot2 boot information: validated parsing of the block GRUB hands
 * over. multiboot_parse() checks every length and alignment before reading a
 * tag and never reads past the block; on malformed input it fails with a
 * message naming the offending tag and offset. Pure code (no printing, no
 * kernel services), so it also builds in the host tests and fuzzers.
 */
#ifndef KERNEL_MULTIBOOT_H
#define KERNEL_MULTIBOOT_H

#include "include/types.h"

/* Largest boot information block accepted (GRUB's are a few KiB). */
#define MB2_INFO_MAX (1u << 20)

struct mb2_mmap_entry {
	u64 base;
	u64 length;
	u32 type;
	u32 reserved;
} __attribute__((packed));

struct boot_info {
	u32 total_size;            /* size of the whole block */
	const char *cmdline;       /* "" when absent; NUL-terminated inside the block */
	const char *bootloader;    /* "" when absent */
	const u8 *mmap;            /* first entry, or NULL */
	u32 mmap_entry_size;       /* >= sizeof(struct mb2_mmap_entry), multiple of 8 */
	u32 mmap_count;
	const void *rsdp;          /* copy of the ACPI RSDP inside the block, or NULL */
	u32 rsdp_len;
	u32 tags;                  /* number of tags seen, the end tag included */
	char error[96];            /* why parsing failed */
};

/*
 * multiboot_parse - validate and index the boot information at @mbi.
 * @avail: bytes readable at @mbi (an upper bound from the caller).
 * Return: 0, or -EINVAL with @bi->error set; @bi is zeroed first.
 */
int multiboot_parse(const void *mbi, size_t avail, struct boot_info *bi);

/* The @i-th memory map entry (i < mmap_count), copied out (entries may be
 * unaligned or larger than the struct). */
struct mb2_mmap_entry multiboot_mmap_entry(const struct boot_info *bi, u32 i);

const char *multiboot_mmap_type_name(u32 type);

#endif
