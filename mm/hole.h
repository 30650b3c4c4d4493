/*
 * Contiguity-aware placement for owners that can put a page anywhere (the
 * balloon): take order-0 pages from holes - free blocks smaller than a
 * pageblock - before breaking a free 2 MiB block, and measure how free a
 * pageblock is so that pages can be given back where they complete one.
 */
#ifndef MM_HOLE_H
#define MM_HOLE_H

#include "mm/mm.h"

/*
 * mm_alloc_hole_page - allocate one order-0 page from a hole: the smallest
 * free buddy block below PAGEBLOCK_ORDER on the UNMOVABLE lists (pageblocks
 * that can never be emptied anyway), else the smallest on the MOVABLE
 * lists; never from an ISOLATE pageblock and never by splitting a block of
 * order >= PAGEBLOCK_ORDER while a smaller one is free. Pageblock types do
 * not change. The per-cpu caches are bypassed (not drained). Only when no
 * hole exists does it fall back to mm_alloc_pages(mm, 0, @gfp), which may
 * split a big block (or use a per-cpu cached page first).
 * @gfp: as for mm_alloc_pages (the watermark, GFP_ZERO, GFP_NOWARN...).
 * Return: the page (PG_head, type KERNEL, refcount 1), or NULL.
 * Context: as mm_alloc_pages.
 */
struct page *mm_alloc_hole_page(struct mm *mm, gfp_t gfp);

/*
 * mm_pageblock_free_pages - free pages in the pageblock containing @pfn:
 * pages in buddy blocks plus order-0 pages cached on a per-cpu list (they
 * are free too, and a drain returns them to the buddy). Pages isolated for
 * free page reporting do not count. A snapshot: ranking hint only.
 * Return: 0..PAGEBLOCK_PAGES (0 for a PFN outside the zone).
 * Context: any; takes the zone lock.
 */
unsigned int mm_pageblock_free_pages(struct mm *mm, unsigned long pfn);

#endif
