/*
 * Hole-first order-0 allocation and pageblock occupancy (see hole.h), for
 * a contiguity-aware balloon: inflating fills holes in already-broken
 * pageblocks before touching free 2 MiB blocks, and deflating can rank
 * pageblocks by how close they are to being free.
 *
 * Invariant kept: while any free block below PAGEBLOCK_ORDER exists outside
 * ISOLATE pageblocks, mm_alloc_hole_page does not split a bigger one.
 * Locking: the zone lock (IRQ-saving) around each buddy access; the per-cpu
 * caches are only read (their PG_pcp flags), never changed.
 */
#include "lib/string.h"
#include "mm/hole.h"
#include "mm/internal.h"

/* Lists searched, in order: UNMOVABLE pageblocks can never be emptied, so a
 * page placed there costs no contiguity. */
static const enum migratetype hole_order[] = { MIGRATE_UNMOVABLE, MIGRATE_MOVABLE };

/* Take one page from the smallest hole; NULL when there is none. */
static struct page *take_hole_locked(struct mm *mm)
{
	unsigned int i, o;

	for (i = 0; i < ARRAY_SIZE(hole_order); i++) {
		enum migratetype mt = hole_order[i];

		for (o = 0; o < PAGEBLOCK_ORDER; o++) {
			struct list_head *list = &mm->free_area[o].list[mt];
			struct page *page;

			if (list_empty(list))
				continue;
			page = list_first_entry(list, struct page, buddy_list);
			buddy_take_block_locked(mm, page);
			buddy_split_locked(mm, page, o, 0, mt);
			mm->nr_free += (1UL << o) - 1;
			return page;
		}
	}
	return NULL;
}

struct page *mm_alloc_hole_page(struct mm *mm, gfp_t gfp)
{
	struct page *page = NULL;
	unsigned long flags;

	flags = mm_lock_irqsave(&mm->lock);
	if (buddy_watermark_ok(mm, 0, gfp))
		page = take_hole_locked(mm);
	mm_unlock_irqrestore(&mm->lock, flags);
	if (!page) {
		mm->stats.hole_fallback++;
		return mm_alloc_pages(mm, 0, gfp);
	}
	buddy_prep_allocated(page, 0);
	mm->stats.alloc[0]++;
	mm->stats.hole_alloc++;
	if (gfp & GFP_ZERO)
		memset(mm_page_address(mm, page), 0, PAGE_SIZE);
	return page;
}

/* Free pages in [pfn, end), all inside one pageblock, starting at a head,
 * a pcp page, a reserved page or a tail of an allocated block. */
static unsigned int count_free_locked(const struct mm *mm, unsigned long pfn, unsigned long end)
{
	unsigned int n = 0;

	while (pfn < end) {
		const struct page *p = mm_pfn_to_page(mm, pfn);

		if (page_is_buddy(p)) {
			n += (unsigned int)MIN(1UL << page_order(p), end - pfn);
			pfn += 1UL << page_order(p);
		} else if (page_is_head(p)) {
			pfn += 1UL << page_order(p);
		} else {
			n += page_is_pcp(p);
			pfn++;
		}
	}
	return n;
}

unsigned int mm_pageblock_free_pages(struct mm *mm, unsigned long pfn)
{
	unsigned long block = pfn & ~(PAGEBLOCK_PAGES - 1), start, end, head_pfn, flags;
	const struct page *head;
	unsigned int n;

	if (!mm_pfn_valid(mm, pfn))
		return 0;
	start = MAX(block, mm->base_pfn);
	end = MIN(block + PAGEBLOCK_PAGES, mm->end_pfn);
	flags = mm_lock_irqsave(&mm->lock);
	/* The pageblock may lie inside a bigger block that starts before it. */
	head = buddy_block_head(mm, start, &head_pfn);
	if (head && head_pfn < start)
		n = page_is_buddy(head) ? (unsigned int)(end - start) : 0;
	else
		n = count_free_locked(mm, start, end);
	mm_unlock_irqrestore(&mm->lock, flags);
	return n;
}
