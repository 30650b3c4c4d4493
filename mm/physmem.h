/*
 * Firmware memory maps and PFN range lists. physmem_sanitize() turns what the
 * boot loader reports (entries possibly unsorted, overlapping, zero-length or
 * not page aligned) into the sorted, disjoint, page-granular usable ranges
 * mm_init() wants, reporting every fix-up through a callback. The other
 * helpers edit such range lists (subtract, limit, clip, normalize).
 *
 * Rules of sanitizing, in order:
 *  1. zero-length entries are dropped; an entry that wraps past 2^64 ends at
 *     PHYSMEM_ADDR_MAX;
 *  2. overlapping and adjacent usable entries merge (byte-exact, so two
 *     entries that share a page lose nothing);
 *  3. wherever a non-usable entry (reserved, ACPI, NVS, bad, unknown type)
 *     overlaps usable memory, it wins: that part is not usable;
 *  4. each resulting usable range is trimmed inward to whole pages.
 * So nothing usable is lost except partial pages.
 *
 * Pure code: no allocation (the output array is also the working storage),
 * no global state, no printing; built into the kernel and the host tests.
 */
#ifndef MM_PHYSMEM_H
#define MM_PHYSMEM_H

#include "mm/mm.h"

/* Memory types, numbered as multiboot2 and the E820 map number them. */
enum physmem_type {
	PHYSMEM_USABLE = 1,
	PHYSMEM_RESERVED = 2,
	PHYSMEM_ACPI = 3, /* ACPI tables (reclaimable once parsed; we keep them) */
	PHYSMEM_NVS = 4,  /* ACPI non-volatile storage */
	PHYSMEM_BAD = 5,  /* defective RAM */
};

/* Highest byte address considered: the last page below 2^64. */
#define PHYSMEM_ADDR_MAX (~0UL & ~(PAGE_SIZE - 1))

struct physmem_entry {
	u64 base;
	u64 length;
	u32 type; /* enum physmem_type; any other value is not usable */
};

/* Receives one fix-up message (no trailing newline). */
typedef void (*physmem_warn_fn)(const char *msg, void *ctx);

/*
 * physmem_sanitize - the usable page frames of a firmware memory map.
 * @map, @n: the entries as the firmware gave them (not modified).
 * @out, @max_out: receives the usable ranges, sorted, disjoint and not
 *   adjacent (adjacent ones are merged), each at least one page.
 * @warn, @ctx: called once per fix-up ("physmem: entry 3 [0x..,0x..)
 *   overlaps entry 1 [..); merged"); may be NULL.
 * Return: the number of ranges in @out (0 when nothing is usable), or
 * -ENOSPC (also reported) when @max_out ranges are not enough.
 */
int physmem_sanitize(const struct physmem_entry *map, size_t n, struct pfn_range *out,
		    size_t max_out, physmem_warn_fn warn, void *ctx);

/*
 * physmem_subtract - remove every PFN of @sub from the range list @range.
 * @range: @n sorted disjoint ranges, room for @max; @sub: any order, may
 * overlap, may lie outside @range.
 * Return: the new count, or -ENOSPC when a split needs more than @max
 * entries (then @range holds a consistent but only partly subtracted list).
 */
int physmem_subtract(struct pfn_range *range, size_t n, size_t max, const struct pfn_range *sub,
		    size_t nsub);

/* Sort @range by start and merge overlapping or adjacent ranges; empty ones go.
 * Return: the new count. */
size_t physmem_normalize(struct pfn_range *range, size_t n);

/* Keep only the lowest @max_pages pages of sorted @range. Return: the new count. */
size_t physmem_limit(struct pfn_range *range, size_t n, unsigned long max_pages);

/* Drop every PFN at or above @end_pfn from sorted @range. Return: the new count. */
size_t physmem_clip(struct pfn_range *range, size_t n, unsigned long end_pfn);

/* Pages in @range. */
unsigned long physmem_pages(const struct pfn_range *range, size_t n);

/* "usable", "reserved", "ACPI", "NVS", "bad", or "unknown" for other types. */
const char *physmem_type_name(u32 type);

#endif
