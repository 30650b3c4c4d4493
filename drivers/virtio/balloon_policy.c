/*
 * Placement policy (see balloon.h, enum balloon_policy): where inflate
 * takes pages and which ones deflate gives back. AWARE keeps 2 MiB blocks
 * whole: inflate fills partly free pageblocks first, deflate gives back
 * the pageblocks closest to free first. NAIVE takes what the buddy hands
 * out and deflates last in first out (b->lifo).
 *
 * State: the rankings (b->rank, b->fill) hold pageblocks only; they may go
 * stale (pages migrated or deflated since) and are made again when what
 * is left of them gives nothing, and dropped on every new target.
 */
#include "drivers/virtio/balloon_internal.h"
#include "mm/hole.h"
#include "mm/page.h"
#include "mm/pageblock.h"

/*
 * Aware inflate: fill partly free pageblocks one at a time, fullest first
 * (mm_partial_pageblocks, ranked again when the list runs out, at most
 * once per page); once none is left until the next target, a hole
 * anywhere or a new block (mm_alloc_hole_page), whose pageblock is then
 * filled before another is broken.
 */
static struct page *take_aware(struct balloon *balloon, gfp_t gfp)
{
	struct mm *mm = balloon->cfg.mm;
	bool ranked = false;
	struct page *page;

	while (!balloon->fill_none) {
		if (balloon->filling) {
			page = mm_alloc_pageblock_page(mm, &balloon->fill_cursor, gfp);
			if (page)
				return page;
			balloon->filling = false;
		}
		if (balloon->fill_pos == balloon->nr_fill) {
			if (ranked)
				break;
			balloon->nr_fill = mm_partial_pageblocks(mm, balloon->fill, BALLOON_RANK_BLOCKS);
			balloon->fill_pos = 0;
			balloon->fill_none = !balloon->nr_fill;
			ranked = true;
			continue;
		}
		balloon->fill_cursor = balloon->fill[balloon->fill_pos++];
		balloon->filling = true;
	}
	page = mm_alloc_hole_page(mm, gfp);
	if (page && !balloon->filling) {
		balloon->fill_cursor = pageblock_start(mm_page_to_pfn(mm, page));
		balloon->filling = true;
	}
	return page;
}

struct page *balloon_policy_take(struct balloon *balloon, gfp_t gfp)
{
	if (balloon->cfg.policy == BALLOON_POLICY_AWARE)
		return take_aware(balloon, gfp);
	return mm_alloc_pages(balloon->cfg.mm, 0, gfp);
}

void balloon_policy_reset(struct balloon *balloon)
{
	balloon->nr_rank = balloon->rank_pos = 0;
	balloon->nr_fill = balloon->fill_pos = 0;
	balloon->fill_none = false;
}

/* Insert @block with @score into the ranking (best first, bounded). */
static void rank_insert(struct balloon *balloon, unsigned long block, unsigned int score)
{
	unsigned int i = balloon->nr_rank < BALLOON_RANK_BLOCKS ? balloon->nr_rank++ : BALLOON_RANK_BLOCKS;

	if (i == BALLOON_RANK_BLOCKS) {
		if (score <= balloon->rank[i - 1].score)
			return; /* not among the best */
		i--;
	}
	for (; i > 0 && balloon->rank[i - 1].score < score; i--)
		balloon->rank[i] = balloon->rank[i - 1];
	balloon->rank[i] = (struct balloon_rank){ .block = block, .score = score };
}

/*
 * Rank the pageblocks holding balloon pages by how free they would be with
 * those pages given back: free pages + ballooned (not isolated) pages.
 * One pass over the xarray (sorted by PFN: a block's pages are adjacent).
 */
static void rank_blocks(struct balloon *balloon)
{
	unsigned long index, block = ~0UL;
	unsigned int count = 0;
	void *entry;

	balloon->nr_rank = balloon->rank_pos = 0;
	xa_for_each(&balloon->pfns, index, entry) {
		if (entry_isolated(entry))
			continue;
		if (index >> PAGEBLOCK_ORDER != block) {
			if (count)
				rank_insert(balloon, block, count + mm_pageblock_free_pages(
							balloon->cfg.mm, block << PAGEBLOCK_ORDER));
			block = index >> PAGEBLOCK_ORDER;
			count = 0;
		}
		count++;
	}
	if (count)
		rank_insert(balloon, block, count + mm_pageblock_free_pages(balloon->cfg.mm,
								      block << PAGEBLOCK_ORDER));
}

/* The ballooned (not isolated) PFNs of the ranked blocks from rank_pos on,
 * up to @want; a block is passed once it gave all it has. Return: how many. */
static unsigned int pick_ranked(struct balloon *balloon, unsigned int want)
{
	unsigned int n = 0;

	while (n < want && balloon->rank_pos < balloon->nr_rank) {
		unsigned long first = balloon->rank[balloon->rank_pos].block << PAGEBLOCK_ORDER, index;
		void *entry;

		xa_for_each_range(&balloon->pfns, index, entry, first, first + PAGEBLOCK_PAGES - 1) {
			if (n == want)
				break;
			if (!entry_isolated(entry))
				balloon->buf[n++] = (u32)index;
		}
		if (n < want)
			balloon->rank_pos++; /* this block is done */
	}
	return n;
}

/*
 * Aware deflate: ballooned (not isolated) PFNs of the best-ranked blocks.
 * The ranking is made again when what is left of it gives nothing (used
 * up, or stale: its blocks' pages migrated or deflated since), only at the
 * start of a batch (picked PFNs stay in the xarray until the host
 * acknowledges, so ranking mid-batch would count them again); it is dropped
 * whenever the host sets a new target. Return: how many picked (fewer than
 * @want when the ranked blocks run out: the next batch ranks again).
 */
static unsigned int pick_aware(struct balloon *balloon, unsigned int want)
{
	unsigned int n = pick_ranked(balloon, want);

	if (!n) {
		rank_blocks(balloon);
		n = pick_ranked(balloon, want);
	}
	return n;
}

/*
 * Naive deflate, last in first out: the @want ballooned (not isolated)
 * PFNs inflated last, newest first, from b->lifo. Return: how many.
 */
static unsigned int pick_lifo(struct balloon *balloon, unsigned int want)
{
	unsigned int n = 0;
	unsigned long seq;
	void *entry;

	xa_for_each_reverse(&balloon->lifo, seq, entry) {
		unsigned long pfn = xa_to_value(entry);

		if (n == want)
			break;
		if (!entry_isolated(xa_load(&balloon->pfns, pfn)))
			balloon->buf[n++] = (u32)pfn;
	}
	return n;
}

/*
 * Choose up to @want PFNs to deflate into b->buf: pages in the balloon's
 * hands first (aware: by pageblock rank; naive: last in first out);
 * isolated ones (migration holds them) only when there are no others.
 * Return: how many.
 */
unsigned int balloon_pick_deflate(struct balloon *balloon, unsigned int want)
{
	unsigned int n = balloon->cfg.policy == BALLOON_POLICY_AWARE ? pick_aware(balloon, want)
							       : pick_lifo(balloon, want);
	unsigned long index;
	void *entry;

	if (n)
		return n;
	xa_for_each(&balloon->pfns, index, entry) {
		if (n == want)
			break;
		if (entry_isolated(entry))
			balloon->buf[n++] = (u32)index;
	}
	return n;
}
