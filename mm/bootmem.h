/*
 * The boot allocator: hands out page-aligned runs of page frames before the
 * buddy allocator exists (page tables for the new kernel map, the mem_map).
 * It carves from the sanitized usable ranges, never touching a reserved
 * range (kernel image, boot information, low memory: given at init) or
 * anything it handed out before. Allocation is top-down below a limit (what
 * the current page tables map), so consecutive allocations sit next to each
 * other and spoil as few pageblocks as possible.
 *
 * Nothing is ever freed: every allocation must be reported to mm_init() as
 * reserved (bootmem_allocated()), after which the allocator is retired and
 * refuses further requests, so no page can end up owned twice.
 *
 * Pure code with its state in a struct bootmem owned by the caller (the
 * kernel has one, in kernel/mm/mm_boot.c); built into the kernel and the host
 * tests. Single-threaded: boot only.
 */
#ifndef MM_BOOTMEM_H
#define MM_BOOTMEM_H

#include "mm/mm.h"

#define BOOTMEM_MAX_RESERVED 32
#define BOOTMEM_MAX_ALLOCS 32

struct bootmem {
	const struct pfn_range *usable;  /* caller's sorted disjoint ranges */
	size_t nr_usable;
	struct pfn_range reserved[BOOTMEM_MAX_RESERVED]; /* sorted, merged */
	size_t nr_reserved;
	struct pfn_range allocated[BOOTMEM_MAX_ALLOCS];  /* handed out, merged */
	size_t nr_allocated;
	unsigned long limit_pfn;         /* allocations end at or below this */
	unsigned long nr_pages_allocated;
	bool retired;
};

/*
 * bootmem_init - start allocating from @usable (sorted, disjoint; kept by
 * reference, so it must outlive @bm) minus @reserved (any order).
 * The limit starts at the end of the last usable range.
 * Return: 0, or -ENOSPC when @reserved has more than BOOTMEM_MAX_RESERVED
 * ranges after merging.
 */
int bootmem_init(struct bootmem *bm, const struct pfn_range *usable, size_t nr_usable,
		 const struct pfn_range *reserved, size_t nr_reserved);

/* Allocate only below @limit_pfn from now on (e.g. what is mapped). */
void bootmem_set_limit(struct bootmem *bm, unsigned long limit_pfn);

/*
 * bootmem_alloc - take @nr_pages contiguous frames, the first aligned to
 * @align pages (a power of two), as high as possible below the limit.
 * Return: 0 with *@pfn set; -ENOMEM when no such run is free; -ENOSPC when
 * the allocation table is full; -EINVAL for a bad request or once retired.
 * The memory is not zeroed (the caller maps it).
 */
int bootmem_alloc(struct bootmem *bm, unsigned long nr_pages, unsigned long align,
		  unsigned long *pfn);

/* The ranges handed out so far (sorted, merged), to be reserved in mm_init. */
const struct pfn_range *bootmem_allocated(const struct bootmem *bm, size_t *n);

/* Refuse every further allocation (call before mm_init takes over). */
void bootmem_retire(struct bootmem *bm);

#endif
