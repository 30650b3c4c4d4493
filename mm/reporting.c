/*
 * Free page reporting (see reporting.h): taking unreported free blocks out
 * of the buddy and putting them back, reported or not.
 *
 * Invariants: PG_reported only on free heads (buddy.c clears it for free
 * when a block leaves its list); on every free list the unreported blocks
 * come first, so a scan stops at the first reported block;
 * nr_report_isolated == pages of all MEMDESC_REPORTING blocks (mm_check).
 * Locking: zone lock (IRQ-saving) around each call; no callbacks.
 */
#include "mm/internal.h"
#include "mm/reporting.h"

/* Would taking a block of @order leave free memory at or above low? */
static bool room_for(const struct mm *mm, unsigned int order)
{
	return mm->nr_free >= (1UL << order) + mm->wmark[WMARK_LOW];
}

/* Take unreported blocks from one free list into @pfns/@orders. */
static unsigned int take_list_locked(struct mm *mm, unsigned int order, enum migratetype mt,
				     unsigned long *pfns, unsigned int *orders, unsigned int max)
{
	struct list_head *list = &mm->free_area[order].list[mt];
	unsigned int n = 0;

	mm_assert_held(&mm->lock);
	while (n < max && !list_empty(list) && room_for(mm, order)) {
		struct page *page = list_first_entry(list, struct page, buddy_list);

		if (page_is_reported(page))
			break; /* the rest of the list is reported too */
		buddy_take_block_locked(mm, page);
		buddy_prep_allocated(mm, page, order);
		page_set_memdesc(page, MEMDESC_REPORTING, NULL);
		pfns[n] = mm_page_to_pfn(mm, page);
		orders[n] = order;
		n++;
	}
	mm->nr_report_isolated += (unsigned long)n << order;
	mm->stats.report_taken += n;
	return n;
}

unsigned int mm_report_take(struct mm *mm, unsigned int min_order, unsigned long *pfns,
			    unsigned int *orders, unsigned int max)
{
	unsigned long flags;
	unsigned int n = 0, o, mt;

	flags = mm_lock_irqsave(&mm->lock);
	for (o = min_order; o <= MAX_ORDER && n < max; o++)
		for (mt = 0; mt < MIGRATE_TYPES && n < max; mt++)
			if (mt != MIGRATE_ISOLATE)
				n += take_list_locked(mm, o, (enum migratetype)mt, pfns + n,
						      orders + n, max - n);
	mm_unlock_irqrestore(&mm->lock, flags);
	return n;
}

/* Is [@pfn, 2^@order) a block mm_report_take() handed out? */
static bool is_reporting_block(const struct mm *mm, unsigned long pfn, unsigned int order)
{
	const struct page *page;

	if (!mm_pfn_valid(mm, pfn) || order > MAX_ORDER)
		return false;
	page = mm_pfn_to_page(mm, pfn);
	return page_is_head(page) && page_order(page) == order && !page_is_isolated(page) &&
	       page_type(page) == MEMDESC_REPORTING;
}

static void return_one_locked(struct mm *mm, unsigned long pfn, unsigned int order,
			      bool reported)
{
	struct page *page;

	mm_assert_held(&mm->lock);
	if (!is_reporting_block(mm, pfn, order)) {
		mm_stat_inc(mm, bugs);
		mm_bug("%s: mm_report_return of pfn %#lx order %u, not a reporting block\n",
		       mm->name, pfn, order);
		return;
	}
	page = mm_pfn_to_page(mm, pfn);
	page_flags_set(page, 0);
	buddy_free_locked(mm, pfn, order, pageblock_mt(mm, pfn));
	mm_nr_free_add_locked(mm, 1L << order);
	mm->nr_report_isolated -= 1UL << order;
	if (!reported)
		return;
	mm->stats.report_blocks++;
	mm->stats.report_pages += 1UL << order;
	if (page_is_buddy(page) && page_order(page) == order)
		buddy_set_reported_locked(mm, page);
}

void mm_report_return(struct mm *mm, const unsigned long *pfns, const unsigned int *orders,
		      unsigned int n, bool reported)
{
	unsigned long flags = mm_lock_irqsave(&mm->lock);
	unsigned int i;

	for (i = 0; i < n; i++)
		return_one_locked(mm, pfns[i], orders[i], reported);
	mm_unlock_irqrestore(&mm->lock, flags);
}
