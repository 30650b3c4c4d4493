/*
 * alloc_contig_range and friends (see contig.h).
 *
 * Basic algorithm:
 *   isolate: every pageblock touching the range becomes ISOLATE (its old
 *     type saved in the pageblock table), its free pages move to the
 *     ISOLATE lists and per-cpu caches are drained; from now on nothing in
 *     those blocks is handed out and their free pages never merge across
 *     the border
 *   check: any allocated page in the range that is not movable -> -EBUSY
 *   migrate every movable page of the range (targets come from outside:
 *     ISOLATE blocks never serve allocations)
 *   claim: take the free blocks covering the range off the lists, give the
 *     parts outside it back, mark the range allocated in aligned pieces
 *   restore the saved types (free pages back to their lists, re-merged)
 *
 * Invariant on every exit: no pageblock stays ISOLATE and no page is lost.
 */
#include "include/errno.h"
#include "mm/contig.h"
#include "mm/internal.h"
#include "mm/migrate.h"

/* Make the blocks of [start, end) ISOLATE. Fails (-EBUSY) without change
 * when one already is. */
static int isolate_blocks(struct mm *mm, unsigned long start, unsigned long end)
{
	unsigned long flags = mm_lock_irqsave(&mm->lock), b;

	for (b = pageblock_start(start); b < end; b += PAGEBLOCK_PAGES) {
		if (pageblock_mt(mm, b) == MIGRATE_ISOLATE) {
			mm_unlock_irqrestore(&mm->lock, flags);
			return -EBUSY;
		}
	}
	for (b = pageblock_start(start); b < end; b += PAGEBLOCK_PAGES) {
		pageblock_save_mt(mm, b);
		buddy_set_block_type_locked(mm, b, MIGRATE_ISOLATE);
	}
	mm_unlock_irqrestore(&mm->lock, flags);
	mm_drain_pcp(mm); /* cached pages of these blocks go to ISOLATE lists */
	return 0;
}

/* Re-free every free block of [start, end) so it merges with its buddies. */
static void remerge_locked(struct mm *mm, unsigned long start, unsigned long end)
{
	unsigned long pfn = start;
	struct page *page;

	mm_assert_held(&mm->lock);
	while ((page = pageblock_next_free(mm, &pfn, end))) {
		unsigned int order = buddy_take_block_locked(mm, page);

		buddy_free_locked(mm, pfn, order, pageblock_mt(mm, pfn));
		mm_nr_free_add_locked(mm, 1L << order);
		pfn += 1UL << order;
	}
}

static void restore_blocks(struct mm *mm, unsigned long start, unsigned long end)
{
	unsigned long flags = mm_lock_irqsave(&mm->lock), b;
	unsigned long lo = MAX(pageblock_start(start), mm->base_pfn);
	unsigned long hi = MIN(ALIGN_UP(end, PAGEBLOCK_PAGES), mm->end_pfn);

	for (b = pageblock_start(start); b < end; b += PAGEBLOCK_PAGES)
		buddy_set_block_type_locked(mm, b, pageblock_saved_mt(mm, b));
	remerge_locked(mm, lo, hi);
	mm_unlock_irqrestore(&mm->lock, flags);
}

/*
 * Collect the movable heads of [start, end) into @pfns (up to @max).
 * Return: how many, or -EBUSY when a page there cannot move.
 */
static long collect_movable(struct mm *mm, unsigned long start, unsigned long end,
			    unsigned long *pfns, size_t max)
{
	unsigned long pfn = start;
	long n = 0;

	while (pfn < end) {
		unsigned long head;
		struct page *page = buddy_block_head(mm, pfn, &head);

		if (!page)
			return -EBUSY; /* reserved */
		if (page_is_head(page)) {
			if (!page_looks_movable(page))
				return -EBUSY;
			if ((size_t)n < max)
				pfns[n] = head;
			n++;
		}
		pfn = head + (1UL << page_order(page));
	}
	return n;
}

/* Move everything movable out of [start, end), a batch at a time. */
static int evacuate(struct mm *mm, unsigned long start, unsigned long end)
{
	unsigned long pfns[MIGRATE_BATCH];
	int rounds;

	for (rounds = 0; rounds < 64; rounds++) {
		struct migrate_result result;
		long n = collect_movable(mm, start, end, pfns, MIGRATE_BATCH);

		if (n <= 0)
			return (int)n; /* 0: nothing left; -EBUSY */
		migrate_pages(mm, pfns, (size_t)MIN(n, (long)MIGRATE_BATCH), NULL, NULL, NULL,
			      MIGRATE_SYNC, &result);
		if (result.failed)
			return -EBUSY;
		mm_drain_pcp(mm);
	}
	return -EBUSY;
}

/* Take the free blocks covering [start, end); return the parts outside.
 * Return: false when a page of the range is not free (nothing taken then). */
static bool claim_locked(struct mm *mm, unsigned long start, unsigned long end)
{
	unsigned long pfn;

	mm_assert_held(&mm->lock);
	for (pfn = start; pfn < end;) { /* first check: all free */
		unsigned long head;
		struct page *page = buddy_block_head(mm, pfn, &head);

		if (!page || !page_is_buddy(page))
			return false;
		pfn = head + (1UL << page_order(page));
	}
	for (pfn = start; pfn < end;) {
		unsigned long head, i, block_end;
		struct page *page = buddy_block_head(mm, pfn, &head);
		unsigned int order = buddy_take_block_locked(mm, page);

		block_end = head + (1UL << order);
		for (i = head; i < block_end; i++) /* pieces outside the range go back */
			if (i < start || i >= end) {
				buddy_free_locked(mm, i, 0, pageblock_mt(mm, i));
				mm_nr_free_add_locked(mm, 1);
			}
		pfn = block_end;
	}
	return true;
}

/* Mark [start, end) allocated as maximal aligned blocks. */
static void mark_allocated(struct mm *mm, unsigned long start, unsigned long end)
{
	while (start < end) {
		unsigned int order = MAX_ORDER;

		while (order && ((start & ((1UL << order) - 1)) || start + (1UL << order) > end))
			order--;
		buddy_prep_allocated(mm, mm_pfn_to_page(mm, start), order);
		mm_stat_inc(mm, alloc[order]);
		start += 1UL << order;
	}
}

int alloc_contig_range(struct mm *mm, unsigned long pfn, unsigned long nr_pages)
{
	unsigned long end = pfn + nr_pages, flags;
	bool claimed;
	int err;

	if (!nr_pages || end < pfn || !mm_pfn_valid(mm, pfn) || end > mm->end_pfn)
		return -EINVAL;
	err = isolate_blocks(mm, pfn, end);
	if (err)
		return err;
	err = evacuate(mm, pfn, end);
	if (!err) {
		flags = mm_lock_irqsave(&mm->lock);
		claimed = claim_locked(mm, pfn, end);
		if (claimed)
			mark_allocated(mm, pfn, end);
		mm_unlock_irqrestore(&mm->lock, flags);
		err = claimed ? 0 : -EBUSY;
	}
	restore_blocks(mm, pfn, end);
	return err;
}

int alloc_contig_pages(struct mm *mm, unsigned long nr_pages, unsigned long *pfn)
{
	unsigned long start, scratch[1];

	if (!nr_pages || nr_pages > mm->end_pfn - mm->base_pfn)
		return -EINVAL;
	for (start = ALIGN_UP(mm->base_pfn, PAGEBLOCK_PAGES); start + nr_pages <= mm->end_pfn;
	     start += PAGEBLOCK_PAGES) {
		if (collect_movable(mm, start, start + nr_pages, scratch, 0) < 0)
			continue; /* an unmovable page: don't even try */
		if (alloc_contig_range(mm, start, nr_pages) == 0) {
			*pfn = start;
			return 0;
		}
	}
	return -ENOMEM;
}

void free_contig_range(struct mm *mm, unsigned long pfn, unsigned long nr_pages)
{
	unsigned long end = pfn + nr_pages;

	while (pfn < end) {
		struct page *page = mm_pfn_to_page(mm, pfn);
		unsigned int order = page_order(page);

		mm_free_pages(mm, page, order);
		pfn += 1UL << order;
	}
}
