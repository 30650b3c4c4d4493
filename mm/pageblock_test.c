/*
 * Pageblock helpers (mm/pageblock.h) on private mm instances, host and
 * kernel: the span is clipped to the zone, the free-block walk finds every
 * free head once, and a pageblock inside a larger free block counts as
 * free (the second half of an order-10 block); per-cpu cached pages count
 * only when asked.
 */
#include "lib/ktest.h"
#include "mm/internal.h"
#include "mm/testing.h"

#define SPAN 2048

static struct mm_test_env env;

static unsigned int block_free(unsigned long pfn, bool with_pcp)
{
	unsigned long flags = mm_lock_irqsave(&env.mm.lock);
	unsigned int n = pageblock_free_pages_locked(&env.mm, pfn, with_pcp);

	mm_unlock_irqrestore(&env.mm.lock, flags);
	return n;
}

/* Free pages found by walking the free heads of the pageblock of @pfn. */
static unsigned long walked_free(unsigned long pfn, unsigned long *heads)
{
	unsigned long flags = mm_lock_irqsave(&env.mm.lock), start, end, n = 0;
	struct page *page;

	*heads = 0;
	pageblock_span(&env.mm, pfn, &start, &end);
	for (; (page = pageblock_next_free(&env.mm, &start, end)); start += 1UL << page_order(page)) {
		n += 1UL << page_order(page);
		(*heads)++;
	}
	mm_unlock_irqrestore(&env.mm.lock, flags);
	return n;
}

/* A zone that starts and ends inside pageblocks: spans are clipped. */
static void pageblock_span_clips_to_zone(struct ktest *test)
{
	static const struct pfn_range usable = { 100, SPAN - 100 };
	unsigned long start, end, base;

	KTEST_ASSERT_EQ(test, mm_test_env_init(&env, SPAN, &usable, 1, NULL, 0), 0);
	base = env.base_pfn;
	pageblock_span(&env.mm, base + 200, &start, &end);
	KTEST_EXPECT_EQ(test, start, env.mm.base_pfn);
	KTEST_EXPECT_EQ(test, end, pageblock_start(base + 200) + PAGEBLOCK_PAGES);
	KTEST_EXPECT_EQ(test, block_free(base + 200, false), end - start); /* all free */
	pageblock_span(&env.mm, env.mm.end_pfn - 1, &start, &end);
	KTEST_EXPECT_EQ(test, start, pageblock_start(env.mm.end_pfn - 1));
	KTEST_EXPECT_EQ(test, end, env.mm.end_pfn);
	KTEST_EXPECT_EQ(test, block_free(env.mm.end_pfn - 1, false), end - start);
	KTEST_EXPECT_EQ(test, mm_check(&env.mm), 0);
	mm_test_env_destroy(&env);
}

/* Fresh: order-10 blocks; the second pageblock of each is inside one. One
 * page taken from it: 511 free, found as 9 heads (orders 0..8) by the walk;
 * a page in a per-cpu cache counts only with @with_pcp. */
static void pageblock_free_counts_and_walk(struct ktest *test)
{
	unsigned long second, heads;
	struct page *page;

	KTEST_ASSERT_EQ(test, mm_test_env_simple(&env, SPAN), 0);
	/* The second pageblock of the first order-10 block (the zone's free
	 * memory starts as maximal aligned blocks). */
	second = ALIGN_UP(env.mm.base_pfn, 1UL << MAX_ORDER) + PAGEBLOCK_PAGES;
	KTEST_ASSERT_LE(test, second + PAGEBLOCK_PAGES, env.mm.end_pfn);
	KTEST_EXPECT_EQ(test, block_free(second, false), PAGEBLOCK_PAGES);
	KTEST_EXPECT_EQ(test, walked_free(second, &heads), 0); /* its head lies before it */
	KTEST_EXPECT_EQ(test, heads, 0);
	page = mm_alloc_pfn(&env.mm, second + 7);
	KTEST_ASSERT_NOT_NULL(test, page);
	KTEST_EXPECT_EQ(test, block_free(second, false), PAGEBLOCK_PAGES - 1);
	KTEST_EXPECT_EQ(test, walked_free(second, &heads), PAGEBLOCK_PAGES - 1);
	KTEST_EXPECT_EQ(test, heads, PAGEBLOCK_ORDER);
	KTEST_EXPECT_EQ(test, block_free(second - PAGEBLOCK_PAGES, false), PAGEBLOCK_PAGES);
	mm_free_pages(&env.mm, page, 0); /* to this cpu's cache */
	if (page_is_pcp(page)) {
		KTEST_EXPECT_EQ(test, block_free(second, false), PAGEBLOCK_PAGES - 1);
		KTEST_EXPECT_EQ(test, block_free(second, true), PAGEBLOCK_PAGES);
	}
	mm_drain_pcp(&env.mm);
	KTEST_EXPECT_EQ(test, block_free(second, false), PAGEBLOCK_PAGES);
	KTEST_EXPECT_EQ(test, mm_check(&env.mm), 0);
	mm_test_env_destroy(&env);
}

static const struct ktest_case pageblock_cases[] = {
	KTEST_CASE(pageblock_span_clips_to_zone),
	KTEST_CASE(pageblock_free_counts_and_walk),
	KTEST_END,
};
KTEST_SUITE(pageblock, pageblock_cases);
