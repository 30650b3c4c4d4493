/*
 * Contiguity-aware placement for owners that can put a page anywhere (the
 * balloon): take order-0 pages from holes - free blocks smaller than a
 * pageblock - before breaking a free 2 MiB block, filling the fullest
 * pageblocks first, and measure how free a pageblock is so that pages can
 * be given back where they complete one.
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

#define MM_PARTIAL_MAX 64 /* most pageblocks one mm_partial_pageblocks call ranks */

/*
 * mm_partial_pageblocks - the partly free pageblocks (some pages free in
 * the buddy, some not), best places to fill first: UNMOVABLE pageblocks
 * above all (they can never be emptied), then those with the fewest free
 * pages. ISOLATE pageblocks and per-cpu cached pages are left out.
 * @pfns: receives the first PFN of each, best first.
 * @max: at most this many (and at most MM_PARTIAL_MAX).
 * Return: how many. One pass over the zone: call it once per fill, not
 * once per page.
 * Context: any; takes the zone lock once per pageblock.
 */
unsigned int mm_partial_pageblocks(struct mm *mm, unsigned long *pfns, unsigned int max);

/*
 * mm_alloc_pageblock_page - allocate one order-0 page from the free buddy
 * blocks (below PAGEBLOCK_ORDER) of the pageblock holding *@cursor, the
 * first one from *@cursor on; the cursor moves past the page, so filling a
 * pageblock walks it once. Start with the cursor at the pageblock's first
 * PFN. Never from an ISOLATE pageblock, never splitting a free 2 MiB
 * block; the pageblock type does not change; per-cpu caches bypassed.
 * @gfp: the watermark, GFP_ZERO as for mm_alloc_pages.
 * Return: the page (PG_head, type KERNEL, refcount 1), or NULL when
 * nothing is left from the cursor on (or the watermark says no).
 * Context: as mm_alloc_pages.
 */
struct page *mm_alloc_pageblock_page(struct mm *mm, unsigned long *cursor, gfp_t gfp);

#endif
