/*
 * Free page reporting tests on private mm instances (mm/testing.h), host
 * and kernel. A fresh 1024-page zone is one order-10 block; allocating its
 * first page leaves one free order-9 block at relative PFN 512, the block
 * these cases report. Every case ends with mm_check().
 */
#include "lib/ktest.h"
#include "mm/internal.h"
#include "mm/reporting.h"
#include "mm/testing.h"

#define SPAN 1024
#define MAXB 8

static struct mm_test_env env;
static unsigned long pfns[MAXB];
static unsigned int orders[MAXB];

static struct page *rel(unsigned long pfn)
{
	return mm_pfn_to_page(&env.mm, env.mm.base_pfn + pfn);
}

/* Set up the zone with page 0 allocated (returned). */
static struct page *setup(struct ktest *test)
{
	struct page *p0;

	if (mm_test_env_simple(&env, SPAN))
		return NULL;
	p0 = mm_alloc_pfn(&env.mm, env.mm.base_pfn);
	KTEST_EXPECT_TRUE(test, page_is_buddy(rel(512)) && page_order(rel(512)) == 9);
	return p0;
}

static void finish(struct ktest *test)
{
	mm_drain_pcp(&env.mm);
	KTEST_EXPECT_EQ(test, env.mm.nr_free, SPAN);
	KTEST_EXPECT_EQ(test, env.mm.nr_report_isolated, 0);
	KTEST_EXPECT_EQ(test, mm_check(&env.mm), 0);
	mm_test_env_destroy(&env);
}

/* Take: the order-9 block leaves the buddy as a REPORTING block (not free,
 * pageblock type kept); return reported: free again, marked, and skipped by
 * the next take. */
static void reporting_take_return_round_trip(struct ktest *test)
{
	struct page *p0 = setup(test);

	KTEST_ASSERT_NOT_NULL(test, p0);
	KTEST_ASSERT_EQ(test, mm_report_take(&env.mm, 9, pfns, orders, MAXB), 1);
	KTEST_EXPECT_EQ(test, pfns[0], env.mm.base_pfn + 512);
	KTEST_EXPECT_EQ(test, orders[0], 9);
	KTEST_EXPECT_TRUE(test, page_is_head(rel(512)));
	KTEST_EXPECT_EQ(test, page_type(rel(512)), MEMDESC_REPORTING);
	KTEST_EXPECT_EQ(test, env.mm.nr_free, SPAN - 1 - 512);
	KTEST_EXPECT_EQ(test, mm_nr_free_pages(&env.mm), SPAN - 1 - 512);
	KTEST_EXPECT_EQ(test, env.mm.nr_report_isolated, 512);
	KTEST_EXPECT_EQ(test, pageblock_mt(&env.mm, pfns[0]), MIGRATE_MOVABLE);
	KTEST_EXPECT_EQ(test, mm_check(&env.mm), 0);
	KTEST_EXPECT_EQ(test, mm_report_take(&env.mm, 9, pfns + 1, orders + 1, MAXB), 0);

	mm_report_return(&env.mm, pfns, orders, 1, true);
	KTEST_EXPECT_TRUE(test, page_is_buddy(rel(512)) && page_is_reported(rel(512)));
	KTEST_EXPECT_EQ(test, page_list_mt(rel(512)), MIGRATE_MOVABLE);
	KTEST_EXPECT_EQ(test, env.mm.nr_free, SPAN - 1);
	KTEST_EXPECT_EQ(test, env.mm.nr_report_isolated, 0);
	KTEST_EXPECT_EQ(test, env.mm.stats.report_blocks, 1);
	KTEST_EXPECT_EQ(test, env.mm.stats.report_pages, 512);
	KTEST_EXPECT_EQ(test, mm_check(&env.mm), 0);
	KTEST_EXPECT_EQ(test, mm_report_take(&env.mm, 9, pfns, orders, MAXB), 0);

	/* Returned unreported (the host refused): offered again. */
	KTEST_EXPECT_EQ(test, mm_report_take(&env.mm, 8, pfns, orders, MAXB), 1);
	KTEST_EXPECT_EQ(test, orders[0], 8);
	mm_report_return(&env.mm, pfns, orders, 1, false);
	KTEST_EXPECT_FALSE(test, page_is_reported(mm_pfn_to_page(&env.mm, pfns[0])));
	KTEST_EXPECT_EQ(test, mm_report_take(&env.mm, 8, pfns + 1, orders + 1, MAXB), 1);
	KTEST_EXPECT_EQ(test, pfns[1], pfns[0]);
	mm_report_return(&env.mm, pfns + 1, orders + 1, 1, true);
	KTEST_EXPECT_EQ(test, mm_check(&env.mm), 0);
	mm_free_pages(&env.mm, p0, 0);
	finish(test);
}

/* A reported block that is allocated loses the mark; freed again, it is a
 * new free block and reported again by the next pass. */
static void reporting_allocated_block_is_reported_again(struct ktest *test)
{
	struct page *p0 = setup(test), *p;

	KTEST_ASSERT_NOT_NULL(test, p0);
	KTEST_ASSERT_EQ(test, mm_report_take(&env.mm, 9, pfns, orders, MAXB), 1);
	mm_report_return(&env.mm, pfns, orders, 1, true);
	p = mm_alloc_pages(&env.mm, 9, GFP_KERNEL);
	KTEST_ASSERT_NOT_NULL(test, p);
	KTEST_EXPECT_EQ(test, p, rel(512));
	KTEST_EXPECT_FALSE(test, page_is_reported(p));
	KTEST_EXPECT_EQ(test, mm_check(&env.mm), 0);
	mm_free_pages(&env.mm, p, 9);
	KTEST_EXPECT_FALSE(test, page_is_reported(rel(512)));
	KTEST_EXPECT_EQ(test, mm_report_take(&env.mm, 9, pfns, orders, MAXB), 1);
	KTEST_EXPECT_EQ(test, pfns[0], env.mm.base_pfn + 512);
	mm_report_return(&env.mm, pfns, orders, 1, true);
	KTEST_EXPECT_EQ(test, env.mm.stats.report_blocks, 2);
	mm_free_pages(&env.mm, p0, 0);
	finish(test);
}

/* Splitting a reported block (a smaller allocation served from it) and
 * merging one with its freed buddy both clear the mark. */
static void reporting_split_and_merge_clear_the_mark(struct ktest *test)
{
	struct page *p0 = setup(test), *a, *b;

	KTEST_ASSERT_NOT_NULL(test, p0);
	KTEST_ASSERT_EQ(test, mm_report_take(&env.mm, 9, pfns, orders, MAXB), 1);
	mm_report_return(&env.mm, pfns, orders, 1, true);
	a = mm_alloc_pages(&env.mm, 8, GFP_MOVABLE); /* the order-8 block at 256 */
	b = mm_alloc_pages(&env.mm, 8, GFP_MOVABLE); /* splits the reported block */
	KTEST_ASSERT_NOT_NULL(test, a);
	KTEST_ASSERT_NOT_NULL(test, b);
	KTEST_EXPECT_EQ(test, a, rel(256));
	KTEST_EXPECT_TRUE(test, b == rel(512) || b == rel(768));
	KTEST_EXPECT_FALSE(test, page_is_reported(b == rel(512) ? rel(768) : rel(512)));
	KTEST_EXPECT_EQ(test, mm_check(&env.mm), 0);
	mm_free_pages(&env.mm, b, 8);
	mm_free_pages(&env.mm, a, 8);

	/* Reported again, then its buddy (pages 0..511) becomes free: merged
	 * into an order-10 block, which is not reported. */
	KTEST_ASSERT_EQ(test, mm_report_take(&env.mm, 9, pfns, orders, MAXB), 1);
	mm_report_return(&env.mm, pfns, orders, 1, true);
	KTEST_EXPECT_TRUE(test, page_is_reported(rel(512)));
	mm_free_pages(&env.mm, p0, 0);
	mm_drain_pcp(&env.mm);
	KTEST_EXPECT_TRUE(test, page_is_buddy(rel(0)) && page_order(rel(0)) == 10);
	KTEST_EXPECT_FALSE(test, page_is_reported(rel(0)));
	KTEST_EXPECT_EQ(test, rel(512)->flags, 0);
	finish(test);
}

/* A block returned while its buddy became free merges on the way back and
 * is then not reported; the low watermark stops a take that would eat into
 * it (an order-10 block is all of this zone). */
static void reporting_return_merged_is_unreported(struct ktest *test)
{
	struct page *p0 = setup(test);

	KTEST_ASSERT_NOT_NULL(test, p0);
	KTEST_ASSERT_EQ(test, mm_report_take(&env.mm, 9, pfns, orders, MAXB), 1);
	mm_free_pages(&env.mm, p0, 0);
	mm_drain_pcp(&env.mm);
	KTEST_EXPECT_TRUE(test, page_is_buddy(rel(0)) && page_order(rel(0)) == 9);
	KTEST_EXPECT_EQ(test, mm_check(&env.mm), 0);
	mm_report_return(&env.mm, pfns, orders, 1, true);
	KTEST_EXPECT_TRUE(test, page_is_buddy(rel(0)) && page_order(rel(0)) == 10);
	KTEST_EXPECT_FALSE(test, page_is_reported(rel(0)));
	KTEST_EXPECT_EQ(test, env.mm.stats.report_blocks, 1);
	KTEST_EXPECT_EQ(test, mm_report_take(&env.mm, 9, pfns, orders, MAXB), 0);
	KTEST_EXPECT_EQ(test, env.mm.nr_free, SPAN);
	finish(test);
}

/* Pageblock types: taking never changes one; a block goes back to the list
 * of its pageblock's type as it is at return; a type change of a free
 * reported block keeps the mark. */
static void reporting_follows_pageblock_type(struct ktest *test)
{
	struct page *p0 = setup(test);
	unsigned long flags;

	KTEST_ASSERT_NOT_NULL(test, p0);
	KTEST_ASSERT_EQ(test, mm_report_take(&env.mm, 9, pfns, orders, MAXB), 1);
	KTEST_EXPECT_EQ(test, pageblock_mt(&env.mm, pfns[0]), MIGRATE_MOVABLE);
	flags = mm_lock_irqsave(&env.mm.lock);
	buddy_set_block_type_locked(&env.mm, pfns[0], MIGRATE_UNMOVABLE);
	mm_unlock_irqrestore(&env.mm.lock, flags);
	mm_report_return(&env.mm, pfns, orders, 1, true);
	KTEST_EXPECT_EQ(test, page_list_mt(rel(512)), MIGRATE_UNMOVABLE);
	KTEST_EXPECT_TRUE(test, page_is_reported(rel(512)));
	flags = mm_lock_irqsave(&env.mm.lock);
	buddy_set_block_type_locked(&env.mm, pfns[0], MIGRATE_MOVABLE);
	mm_unlock_irqrestore(&env.mm.lock, flags);
	KTEST_EXPECT_EQ(test, page_list_mt(rel(512)), MIGRATE_MOVABLE);
	KTEST_EXPECT_TRUE(test, page_is_reported(rel(512)));
	KTEST_EXPECT_EQ(test, mm_check(&env.mm), 0);
	mm_free_pages(&env.mm, p0, 0);
	finish(test);
}

/* Reported blocks sit behind unreported ones on their list, so a take finds
 * the unreported ones; a block that is not a REPORTING block is refused. */
static void reporting_list_order_and_misuse(struct ktest *test)
{
	struct page *page[4];
	unsigned int i;

	KTEST_ASSERT_EQ(test, mm_test_env_simple(&env, SPAN), 0);
	for (i = 0; i < 4; i++) /* four free order-7 blocks, not buddies */
		page[i] = mm_alloc_pages(&env.mm, 7, GFP_MOVABLE);
	for (i = 0; i < 4; i++)
		KTEST_ASSERT_NOT_NULL(test, page[i]);
	mm_free_pages(&env.mm, page[0], 7);
	mm_free_pages(&env.mm, page[2], 7);
	KTEST_ASSERT_EQ(test, mm_report_take(&env.mm, 7, pfns, orders, 1), 1);
	KTEST_EXPECT_EQ(test, orders[0], 7);
	mm_report_return(&env.mm, pfns, orders, 1, true);
	KTEST_ASSERT_EQ(test, mm_report_take(&env.mm, 7, pfns + 1, orders + 1, 1), 1);
	KTEST_EXPECT_NE(test, pfns[1], pfns[0]);
	KTEST_EXPECT_EQ(test, orders[1], 7);
	if (mm_test_bugs_survivable()) {
		mm_test_take_bugs();
		mm_report_return(&env.mm, pfns, orders, 1, true); /* free, not taken */
		orders[1] = 6;
		mm_report_return(&env.mm, pfns + 1, orders + 1, 1, true); /* wrong order */
		KTEST_EXPECT_EQ(test, mm_test_take_bugs(), 2);
		orders[1] = 7;
	}
	mm_report_return(&env.mm, pfns + 1, orders + 1, 1, true);
	KTEST_EXPECT_EQ(test, mm_check(&env.mm), 0);
	mm_free_pages(&env.mm, page[1], 7);
	mm_free_pages(&env.mm, page[3], 7);
	finish(test);
}

static const struct ktest_case reporting_cases[] = {
	KTEST_CASE(reporting_take_return_round_trip),
	KTEST_CASE(reporting_allocated_block_is_reported_again),
	KTEST_CASE(reporting_split_and_merge_clear_the_mark),
	KTEST_CASE(reporting_return_merged_is_unreported),
	KTEST_CASE(reporting_follows_pageblock_type),
	KTEST_CASE(reporting_list_order_and_misuse),
	KTEST_END,
};
KTEST_SUITE(reporting, reporting_cases);
