/*
 * Hole-first order-0 allocation and pageblock occupancy (see hole.h), for
 * a contiguity-aware balloon: inflating fills holes in already-broken
 * pageblocks before touching free 2 MiB blocks, and deflating can rank
 * pageblocks by how close they are to being free.
 *
 * Invariants kept: while any free block below PAGEBLOCK_ORDER exists outside
 * ISOLATE pageblocks, mm_alloc_hole_page does not split a bigger one;
 * mm_alloc_pageblock_page never splits one at all, and neither touches an
 * ISOLATE pageblock or changes a pageblock's type.
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

	mm_assert_held(&mm->lock);
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
			mm_nr_free_add_locked(mm, (long)(1UL << o) - 1);
			return page;
		}
	}
	return NULL;
}

/* @page was just taken from a hole (and prepared as allocated under the
 * zone lock): count it, zero it if asked. */
static struct page *hole_page_taken(struct mm *mm, struct page *page, gfp_t gfp)
{
	mm_stat_inc(mm, alloc[0]);
	mm->stats.hole_alloc++;
	if (gfp & GFP_ZERO)
		memset(mm_page_address(mm, page), 0, PAGE_SIZE);
	return page;
}

struct page *mm_alloc_hole_page(struct mm *mm, gfp_t gfp)
{
	struct page *page = NULL;
	unsigned long flags;

	flags = mm_lock_irqsave(&mm->lock);
	if (buddy_watermark_ok(mm, 0, gfp))
		page = take_hole_locked(mm);
	if (page)
		buddy_prep_allocated(mm, page, 0);
	mm_unlock_irqrestore(&mm->lock, flags);
	if (!page) {
		mm_stat_inc(mm, hole_fallback);
		return mm_alloc_pages(mm, 0, gfp);
	}
	return hole_page_taken(mm, page, gfp);
}

unsigned int mm_pageblock_free_pages(struct mm *mm, unsigned long pfn)
{
	unsigned long flags;
	unsigned int n;

	if (!mm_pfn_valid(mm, pfn))
		return 0;
	flags = mm_lock_irqsave(&mm->lock);
	n = pageblock_free_pages_locked(mm, pfn, true);
	mm_unlock_irqrestore(&mm->lock, flags);
	return n;
}

/* Ranking key of a partly free pageblock: UNMOVABLE ones (never to be
 * emptied) above all, then the fewer free pages the better. */
static unsigned int fill_score(const struct mm *mm, unsigned long pfn, unsigned int free)
{
	return (pageblock_mt(mm, pfn) == MIGRATE_UNMOVABLE ? PAGEBLOCK_PAGES : 0) +
	       PAGEBLOCK_PAGES - free;
}

unsigned int mm_partial_pageblocks(struct mm *mm, unsigned long *pfns, unsigned int max)
{
	unsigned int score[MM_PARTIAL_MAX], n = 0, i;
	unsigned long pfn;

	max = MIN(max, (unsigned int)MM_PARTIAL_MAX);
	for (pfn = mm->base_pfn; pfn < mm->end_pfn && max;
	     pfn = (pfn | (PAGEBLOCK_PAGES - 1)) + 1) {
		unsigned long flags = mm_lock_irqsave(&mm->lock);
		unsigned int free = 0, s;

		if (pageblock_mt(mm, pfn) != MIGRATE_ISOLATE)
			free = pageblock_free_pages_locked(mm, pfn, false);
		mm_unlock_irqrestore(&mm->lock, flags);
		if (!free || free == PAGEBLOCK_PAGES)
			continue;
		s = fill_score(mm, pfn, free);
		if (n == max && s <= score[n - 1])
			continue; /* not among the best */
		for (i = n < max ? n++ : n - 1; i > 0 && score[i - 1] < s; i--) {
			score[i] = score[i - 1];
			pfns[i] = pfns[i - 1];
		}
		score[i] = s;
		pfns[i] = pageblock_start(pfn);
	}
	return n;
}

/* Take one page of the first free buddy block below PAGEBLOCK_ORDER in
 * [*cursor, end) (zone lock held); the cursor moves past it. */
static struct page *take_from_block_locked(struct mm *mm, unsigned long *cursor,
					   unsigned long end)
{
	unsigned long pfn = *cursor;

	mm_assert_held(&mm->lock);
	while (pfn < end) {
		struct page *page = mm_pfn_to_page(mm, pfn);
		unsigned int o;

		if (!page_is_buddy(page) && !page_is_head(page)) {
			pfn++; /* a tail, a reserved or a per-cpu cached page */
			continue;
		}
		o = page_order(page);
		if (page_is_buddy(page) && o < PAGEBLOCK_ORDER) {
			enum migratetype mt = page_list_mt(page);

			buddy_take_block_locked(mm, page);
			buddy_split_locked(mm, page, o, 0, mt);
			mm_nr_free_add_locked(mm, (long)(1UL << o) - 1);
			*cursor = pfn + 1;
			return page;
		}
		pfn += 1UL << o;
	}
	*cursor = end;
	return NULL;
}

struct page *mm_alloc_pageblock_page(struct mm *mm, unsigned long *cursor, gfp_t gfp)
{
	unsigned long start, end, flags;
	struct page *page = NULL;

	if (!mm_pfn_valid(mm, *cursor))
		return NULL;
	pageblock_span(mm, *cursor, &start, &end);
	flags = mm_lock_irqsave(&mm->lock);
	if (pageblock_mt(mm, start) != MIGRATE_ISOLATE && buddy_watermark_ok(mm, 0, gfp))
		page = take_from_block_locked(mm, cursor, end);
	if (page)
		buddy_prep_allocated(mm, page, 0);
	mm_unlock_irqrestore(&mm->lock, flags);
	return page ? hole_page_taken(mm, page, gfp) : NULL;
}
