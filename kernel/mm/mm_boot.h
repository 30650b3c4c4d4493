/*
 * The kernel's memory manager instance and its bring-up. mm_boot_init()
 * turns the multiboot2 memory map into kernel_mm: sanitize the map, apply
 * mem=, start the boot allocator, build the final page tables
 * (paging_init), allocate the mem_map and call mm_init() with everything
 * that must stay untouched reserved. The wrappers below are how the rest of
 * the kernel allocates pages.
 */
#ifndef KERNEL_MM_BOOT_H
#define KERNEL_MM_BOOT_H

#include "arch/x86_64/layout.h"
#include "mm/mm.h"

/* The kernel's one mm; valid once mm_boot_init() returned. Its lock is
 * kernel_mm.lock; everything else is per mm/mm.h. */
extern struct mm kernel_mm;

/*
 * mm_boot_init - bring up paging and the page allocator from boot_info.
 * Prints "mm: <MiB> usable, <N> pages, struct page 32 B, mem_map <K> KiB".
 * Panics when the memory map leaves nothing to run on.
 * Context: boot, once; after acpi_init() (its tables stay mapped).
 */
void mm_boot_init(void);

/* Has mm_boot_init() finished (alloc_pages works)? */
bool mm_ready(void);

/* The usable RAM kernel_mm was built from (after mem=): sorted PFN ranges. */
const struct pfn_range *mm_boot_usable(size_t *n);

/* alloc_pages - 2^@order pages from kernel_mm (see mm_alloc_pages). */
static inline struct page *alloc_pages(unsigned int order, gfp_t gfp)
{
	return mm_alloc_pages(&kernel_mm, order, gfp);
}

static inline void free_pages(struct page *page, unsigned int order)
{
	mm_free_pages(&kernel_mm, page, order);
}

static inline unsigned long page_to_pfn(const struct page *page)
{
	return mm_page_to_pfn(&kernel_mm, page);
}

/* The direct-map address of @page's memory. */
static inline void *page_address(const struct page *page)
{
	return mm_page_address(&kernel_mm, page);
}

/* The descriptor of @pfn, or NULL when kernel_mm does not cover it. */
static inline struct page *pfn_to_page(unsigned long pfn)
{
	return mm_pfn_valid(&kernel_mm, pfn) ? mm_pfn_to_page(&kernel_mm, pfn) : NULL;
}

/* The descriptor of the page holding direct-map address @addr, or NULL when
 * @addr is not a direct-map address of memory kernel_mm covers. */
static inline struct page *virt_to_page(const void *addr)
{
	unsigned long va = (unsigned long)addr;

	if (va < PHYS_OFFSET || va - PHYS_OFFSET >= DIRECT_MAP_MAX)
		return NULL;
	return pfn_to_page(mm_virt_to_pfn(addr));
}

#endif
