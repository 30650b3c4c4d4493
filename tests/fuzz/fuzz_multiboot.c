/*
 * Fuzz the multiboot2 boot information parser (kernel/multiboot.c): the
 * input is the block itself, copied into a buffer of exactly its size so
 * ASan catches any read past it. Invariants when parsing succeeds: the
 * block's total size fits, the command line and boot loader name are
 * NUL-terminated inside the block, every memory map entry and the RSDP lie
 * inside it; when it fails, an error message is set.
 */
#include <stdlib.h>
#include <string.h>

#include "kernel/multiboot.h"
#include "tests/fuzz/fuzz_common.h"

static int inside(const uint8_t *buf, size_t size, const void *p, size_t len)
{
	const uint8_t *q = p;

	return q >= buf && len <= size && (size_t)(q - buf) <= size - len;
}

static void check_string(const uint8_t *buf, size_t size, const char *s, const char *what)
{
	if (!*s && !inside(buf, size, s, 1))
		return; /* "" when absent: a literal outside the block */
	FUZZ_CHECK(inside(buf, size, s, 1), "%s outside the block", what);
	FUZZ_CHECK(memchr(s, 0, size - (size_t)((const uint8_t *)s - buf)), "%s not terminated",
		   what);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t *buf = malloc(size ? size : 1);
	struct boot_info bi;
	u32 i;

	FUZZ_CHECK(buf, "malloc");
	memcpy(buf, data, size);
	if (multiboot_parse(buf, size, &bi)) {
		FUZZ_CHECK(bi.error[0], "failure without a message");
		FUZZ_CHECK(memchr(bi.error, 0, sizeof(bi.error)), "error not terminated");
		free(buf);
		return 0;
	}
	FUZZ_CHECK(bi.total_size <= size, "total_size %u > %zu available", bi.total_size, size);
	size = bi.total_size; /* nothing may point past the block itself */
	check_string(buf, size, bi.cmdline, "cmdline");
	check_string(buf, size, bi.bootloader, "bootloader");
	if (bi.mmap) {
		FUZZ_CHECK(bi.mmap_entry_size >= sizeof(struct mb2_mmap_entry),
			   "entry size %u", bi.mmap_entry_size);
		FUZZ_CHECK(inside(buf, size, bi.mmap, (size_t)bi.mmap_count * bi.mmap_entry_size),
			   "%u entries of %u bytes outside the block", bi.mmap_count,
			   bi.mmap_entry_size);
		for (i = 0; i < bi.mmap_count; i++) {
			struct mb2_mmap_entry entry = multiboot_mmap_entry(&bi, i);

			FUZZ_CHECK(multiboot_mmap_type_name(entry.type), "type name");
		}
	} else {
		FUZZ_CHECK(bi.mmap_count == 0, "%u entries without a map", bi.mmap_count);
	}
	if (bi.rsdp)
		FUZZ_CHECK(inside(buf, size, bi.rsdp, bi.rsdp_len), "RSDP outside the block");
	FUZZ_CHECK(bi.tags >= 1, "no end tag counted");
	free(buf);
	return 0;
}
