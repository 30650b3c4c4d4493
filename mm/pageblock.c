/*
 * Pageblock spans and free-block walks (see pageblock.h).
 */
#include "mm/internal.h"
#include "mm/pageblock.h"

void pageblock_clear_skips(struct mm *mm)
{
	unsigned long b;

	for (b = 0; b < mm->nr_pageblocks; b++)
		__atomic_fetch_and(&mm->pageblock[b], (u8)~PB_SKIP, __ATOMIC_RELAXED);
}

void pageblock_span(const struct mm *mm, unsigned long pfn, unsigned long *start,
		    unsigned long *end)
{
	unsigned long block = pageblock_start(pfn);

	*start = MAX(block, mm->base_pfn);
	*end = MIN(block + PAGEBLOCK_PAGES, mm->end_pfn);
}

struct page *pageblock_next_free(const struct mm *mm, unsigned long *pfn, unsigned long end)
{
	while (*pfn < end) {
		struct page *page = mm_pfn_to_page(mm, *pfn);

		if (page_is_buddy(page))
			return page;
		(*pfn)++;
	}
	return NULL;
}

/* Free pages in [pfn, end), all inside one pageblock; per-cpu cached pages
 * count when @with_pcp. */
static unsigned int count_free_locked(const struct mm *mm, unsigned long pfn, unsigned long end,
				      bool with_pcp)
{
	unsigned int n = 0;

	mm_assert_held(&mm->lock);
	while (pfn < end) {
		const struct page *page = mm_pfn_to_page(mm, pfn);

		if (page_is_buddy(page)) {
			n += (unsigned int)MIN(1UL << page_order(page), end - pfn);
			pfn += 1UL << page_order(page);
		} else if (page_is_head(page)) {
			pfn += 1UL << page_order(page);
		} else {
			n += with_pcp && page_is_pcp(page);
			pfn++;
		}
	}
	return n;
}

unsigned int pageblock_free_pages_locked(const struct mm *mm, unsigned long pfn, bool with_pcp)
{
	unsigned long start, end, head_pfn;
	const struct page *head;

	mm_assert_held(&mm->lock);
	pageblock_span(mm, pfn, &start, &end);
	head = buddy_block_head(mm, start, &head_pfn);
	if (head && head_pfn < start)
		return page_is_buddy(head) ? (unsigned int)(end - start) : 0;
	return count_free_locked(mm, start, end, with_pcp);
}
