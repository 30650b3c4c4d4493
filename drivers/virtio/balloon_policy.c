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
static struct page *take_aware(struct balloon *b, gfp_t gfp)
{
	struct mm *mm = b->cfg.mm;
	bool ranked = false;
	struct page *page;

	while (!b->fill_none) {
		if (b->filling) {
			page = mm_alloc_pageblock_page(mm, &b->fill_cursor, gfp);
			if (page)
				return page;
			b->filling = false;
		}
		if (b->fill_pos == b->nr_fill) {
			if (ranked)
				break;
			b->nr_fill = mm_partial_pageblocks(mm, b->fill, BALLOON_RANK_BLOCKS);
			b->fill_pos = 0;
			b->fill_none = !b->nr_fill;
			ranked = true;
			continue;
		}
		b->fill_cursor = b->fill[b->fill_pos++];
		b->filling = true;
	}
	page = mm_alloc_hole_page(mm, gfp);
	if (page && !b->filling) {
		b->fill_cursor = pageblock_start(mm_page_to_pfn(mm, page));
		b->filling = true;
	}
	return page;
}

struct page *balloon_policy_take(struct balloon *b, gfp_t gfp)
{
	if (b->cfg.policy == BALLOON_POLICY_AWARE)
		return take_aware(b, gfp);
	return mm_alloc_pages(b->cfg.mm, 0, gfp);
}

void balloon_policy_reset(struct balloon *b)
{
	b->nr_rank = b->rank_pos = 0;
	b->nr_fill = b->fill_pos = 0;
	b->fill_none = false;
}

/* Insert @block with @score into the ranking (best first, bounded). */
static void rank_insert(struct balloon *b, unsigned long block, unsigned int score)
{
	unsigned int i = b->nr_rank < BALLOON_RANK_BLOCKS ? b->nr_rank++ : BALLOON_RANK_BLOCKS;

	if (i == BALLOON_RANK_BLOCKS) {
		if (score <= b->rank[i - 1].score)
			return; /* not among the best */
		i--;
	}
	for (; i > 0 && b->rank[i - 1].score < score; i--)
		b->rank[i] = b->rank[i - 1];
	b->rank[i] = (struct balloon_rank){ .block = block, .score = score };
}

/*
 * Rank the pageblocks holding balloon pages by how free they would be with
 * those pages given back: free pages + ballooned (not isolated) pages.
 * One pass over the xarray (sorted by PFN: a block's pages are adjacent).
 */
static void rank_blocks(struct balloon *b)
{
	unsigned long index, block = ~0UL;
	unsigned int count = 0;
	void *entry;

	b->nr_rank = b->rank_pos = 0;
	xa_for_each(&b->pfns, index, entry) {
		if (entry_isolated(entry))
			continue;
		if (index >> PAGEBLOCK_ORDER != block) {
			if (count)
				rank_insert(b, block, count + mm_pageblock_free_pages(
							b->cfg.mm, block << PAGEBLOCK_ORDER));
			block = index >> PAGEBLOCK_ORDER;
			count = 0;
		}
		count++;
	}
	if (count)
		rank_insert(b, block, count + mm_pageblock_free_pages(b->cfg.mm,
								      block << PAGEBLOCK_ORDER));
}

/* The ballooned (not isolated) PFNs of the ranked blocks from rank_pos on,
 * up to @want; a block is passed once it gave all it has. Return: how many. */
static unsigned int pick_ranked(struct balloon *b, unsigned int want)
{
	unsigned int n = 0;

	while (n < want && b->rank_pos < b->nr_rank) {
		unsigned long first = b->rank[b->rank_pos].block << PAGEBLOCK_ORDER, index;
		void *entry;

		xa_for_each_range(&b->pfns, index, entry, first, first + PAGEBLOCK_PAGES - 1) {
			if (n == want)
				break;
			if (!entry_isolated(entry))
				b->buf[n++] = (u32)index;
		}
		if (n < want)
			b->rank_pos++; /* this block is done */
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
static unsigned int pick_aware(struct balloon *b, unsigned int want)
{
	unsigned int n = pick_ranked(b, want);

	if (!n) {
		rank_blocks(b);
		n = pick_ranked(b, want);
	}
	return n;
}

/*
 * Naive deflate, last in first out: the @want ballooned (not isolated)
 * PFNs inflated last, newest first, from b->lifo. Return: how many.
 */
static unsigned int pick_lifo(struct balloon *b, unsigned int want)
{
	unsigned int n = 0;
	unsigned long seq;
	void *entry;

	xa_for_each_reverse(&b->lifo, seq, entry) {
		unsigned long pfn = xa_to_value(entry);

		if (n == want)
			break;
		if (!entry_isolated(xa_load(&b->pfns, pfn)))
			b->buf[n++] = (u32)pfn;
	}
	return n;
}

/*
 * Choose up to @want PFNs to deflate into b->buf: pages in the balloon's
 * hands first (aware: by pageblock rank; naive: last in first out);
 * isolated ones (migration holds them) only when there are no others.
 * Return: how many.
 */
unsigned int balloon_pick_deflate(struct balloon *b, unsigned int want)
{
	unsigned int n = b->cfg.policy == BALLOON_POLICY_AWARE ? pick_aware(b, want)
							       : pick_lifo(b, want);
	unsigned long index;
	void *entry;

	if (n)
		return n;
	xa_for_each(&b->pfns, index, entry) {
		if (n == want)
			break;
		if (entry_isolated(entry))
			b->buf[n++] = (u32)index;
	}
	return n;
}
