/*
 * Hole-first allocation and pageblock occupancy tests on private mm
 * instances (mm/testing.h), host and kernel. A 1024-page zone has two
 * pageblocks; the cases punch holes in one by allocating every page with
 * mm_alloc_pfn and freeing a pattern, so the layout is exact. Every case
 * ends with mm_check().
 */
#include "lib/ktest.h"
#include "mm/hole.h"
#include "mm/internal.h"
#include "mm/testing.h"

#define SPAN 1024

static struct mm_test_env env;
static unsigned long held[SPAN];
static unsigned long nr_held;

static unsigned long big_blocks(const struct mm *mm)
{
	unsigned long n = 0;
	unsigned int o, mt;

	for (o = PAGEBLOCK_ORDER; o <= MAX_ORDER; o++)
		for (mt = 0; mt < MIGRATE_TYPES; mt++)
			n += (unsigned long)mm->free_area[o].nr[mt] << (o - PAGEBLOCK_ORDER);
	return n; /* in pageblocks */
}

static unsigned long hole_pages(const struct mm *mm)
{
	unsigned long n = 0;
	unsigned int o, mt;

	for (o = 0; o < PAGEBLOCK_ORDER; o++)
		for (mt = 0; mt < MIGRATE_PCPTYPES; mt++)
			n += mm->free_area[o].nr[mt] << o;
	return n;
}

static void set_type(struct mm *mm, unsigned long rel_pfn, enum migratetype mt)
{
	unsigned long flags = mm_lock_irqsave(&mm->lock);

	buddy_set_block_type_locked(mm, mm->base_pfn + rel_pfn, mt);
	mm_unlock_irqrestore(&mm->lock, flags);
}

/*
 * Build the zone: pageblock 0 of type @mt0 with a free run of 2^@order0
 * pages at every 4 * 2^@order0 pages (holes, none of them buddies), and
 * pageblock 1 entirely free (one order-9 block) of type MOVABLE.
 */
static bool build(struct ktest *test, enum migratetype mt0, unsigned int order0)
{
	unsigned long pfn, run = 1UL << order0;

	if (mm_test_env_simple(&env, SPAN))
		return false;
	set_type(&env.mm, 0, mt0);
	nr_held = 0;
	for (pfn = 0; pfn < PAGEBLOCK_PAGES; pfn++) {
		struct page *page = mm_alloc_pfn(&env.mm, env.mm.base_pfn + pfn);

		if (!page)
			return false;
		if ((pfn / run) % 4)
			held[nr_held++] = env.mm.base_pfn + pfn;
		else
			mm_free_pages(&env.mm, page, 0);
	}
	mm_drain_pcp(&env.mm);
	KTEST_EXPECT_EQ(test, hole_pages(&env.mm), PAGEBLOCK_PAGES / 4);
	KTEST_EXPECT_EQ(test, big_blocks(&env.mm), 1);
	KTEST_EXPECT_EQ(test, env.mm.free_area[order0].nr[mt0], PAGEBLOCK_PAGES / 4 / run);
	return test->failures == 0;
}

static void finish(struct ktest *test)
{
	while (nr_held)
		mm_free_pages(&env.mm, mm_pfn_to_page(&env.mm, held[--nr_held]), 0);
	mm_test_env_finish(test, &env, SPAN);
}

/* While holes exist, hole-first allocation never costs a free order-9
 * block, whatever the caller's migratetype; pageblock types stay. Once
 * they are gone it falls back to the ordinary allocation. */
static void hole_alloc_keeps_big_blocks_while_holes_exist(struct ktest *test)
{
	unsigned long holes;
	struct page *page;

	KTEST_ASSERT_TRUE(test, build(test, MIGRATE_MOVABLE, 1));
	holes = hole_pages(&env.mm);
	while (hole_pages(&env.mm)) {
		page = mm_alloc_hole_page(&env.mm, GFP_MOVABLE | GFP_ATOMIC);
		KTEST_ASSERT_NOT_NULL(test, page);
		KTEST_EXPECT_LT(test, mm_page_to_pfn(&env.mm, page) - env.mm.base_pfn, PAGEBLOCK_PAGES);
		KTEST_EXPECT_EQ(test, big_blocks(&env.mm), 1);
		held[nr_held++] = mm_page_to_pfn(&env.mm, page);
	}
	KTEST_EXPECT_EQ(test, env.mm.stats.hole_alloc, holes);
	KTEST_EXPECT_EQ(test, env.mm.stats.hole_fallback, 0);
	KTEST_EXPECT_EQ(test, pageblock_mt(&env.mm, env.mm.base_pfn), MIGRATE_MOVABLE);
	KTEST_EXPECT_EQ(test, mm_check(&env.mm), 0);
	page = mm_alloc_hole_page(&env.mm, GFP_MOVABLE | GFP_ATOMIC);
	KTEST_ASSERT_NOT_NULL(test, page);
	KTEST_EXPECT_EQ(test, env.mm.stats.hole_fallback, 1);
	KTEST_EXPECT_GE(test, mm_page_to_pfn(&env.mm, page) - env.mm.base_pfn, PAGEBLOCK_PAGES);
	held[nr_held++] = mm_page_to_pfn(&env.mm, page);
	finish(test);
}

/* Holes in an UNMOVABLE pageblock: a MOVABLE hole allocation takes them
 * (no pageblock changes type), where a plain movable allocation on an
 * identical zone breaks the free order-9 block at once. */
static void hole_alloc_uses_unmovable_holes_unlike_plain_alloc(struct ktest *test)
{
	struct page *page;
	unsigned int i;

	KTEST_ASSERT_TRUE(test, build(test, MIGRATE_UNMOVABLE, 0));
	page = mm_alloc_pages(&env.mm, 0, GFP_MOVABLE);
	KTEST_ASSERT_NOT_NULL(test, page);
	KTEST_EXPECT_GE(test, mm_page_to_pfn(&env.mm, page) - env.mm.base_pfn, PAGEBLOCK_PAGES);
	KTEST_EXPECT_EQ(test, big_blocks(&env.mm), 0);
	held[nr_held++] = mm_page_to_pfn(&env.mm, page);
	finish(test);

	KTEST_ASSERT_TRUE(test, build(test, MIGRATE_UNMOVABLE, 0));
	for (i = 0; i < PAGEBLOCK_PAGES / 4; i++) {
		page = mm_alloc_hole_page(&env.mm, GFP_MOVABLE);
		KTEST_ASSERT_NOT_NULL(test, page);
		KTEST_EXPECT_LT(test, mm_page_to_pfn(&env.mm, page) - env.mm.base_pfn, PAGEBLOCK_PAGES);
		held[nr_held++] = mm_page_to_pfn(&env.mm, page);
	}
	KTEST_EXPECT_EQ(test, big_blocks(&env.mm), 1);
	KTEST_EXPECT_EQ(test, pageblock_mt(&env.mm, env.mm.base_pfn), MIGRATE_UNMOVABLE);
	KTEST_EXPECT_EQ(test, pageblock_mt(&env.mm, env.mm.base_pfn + PAGEBLOCK_PAGES),
			MIGRATE_MOVABLE);
	KTEST_EXPECT_EQ(test, env.mm.stats.fallback, 0);
	finish(test);
}

/* UNMOVABLE pageblocks first, then the smallest hole: with order-2 holes
 * in an unmovable pageblock and order-0 holes in a movable one, the
 * unmovable ones go first; within a type the smallest block is split. */
static void hole_alloc_prefers_unmovable_then_smallest(struct ktest *test)
{
	unsigned long pfn;
	struct page *page;
	unsigned int i;

	KTEST_ASSERT_EQ(test, mm_test_env_simple(&env, SPAN), 0);
	set_type(&env.mm, PAGEBLOCK_PAGES, MIGRATE_UNMOVABLE);
	nr_held = 0;
	for (pfn = 0; pfn < SPAN; pfn++) {
		struct page *q = mm_alloc_pfn(&env.mm, env.mm.base_pfn + pfn);

		KTEST_ASSERT_NOT_NULL(test, q);
		/* block 0 (movable): every 8th page free; block 1 (unmovable):
		 * pages 0-3 of every 32 free (order-2 holes) */
		if (pfn < PAGEBLOCK_PAGES ? pfn % 8 == 0 : pfn % 32 < 4)
			mm_free_pages(&env.mm, q, 0);
		else
			held[nr_held++] = env.mm.base_pfn + pfn;
	}
	mm_drain_pcp(&env.mm);
	KTEST_EXPECT_EQ(test, env.mm.free_area[2].nr[MIGRATE_UNMOVABLE], PAGEBLOCK_PAGES / 32);
	for (i = 0; i < PAGEBLOCK_PAGES / 8; i++) { /* 64 unmovable hole pages */
		page = mm_alloc_hole_page(&env.mm, GFP_MOVABLE | GFP_ATOMIC);
		KTEST_ASSERT_NOT_NULL(test, page);
		pfn = mm_page_to_pfn(&env.mm, page) - env.mm.base_pfn;
		KTEST_EXPECT_EQ(test, pfn / PAGEBLOCK_PAGES, 1);
		held[nr_held++] = pfn + env.mm.base_pfn;
		/* at most one split order-2 hole is open at a time */
		KTEST_EXPECT_LE(test, env.mm.free_area[1].nr[MIGRATE_UNMOVABLE] +
				   env.mm.free_area[0].nr[MIGRATE_UNMOVABLE], 2);
	}
	page = mm_alloc_hole_page(&env.mm, GFP_MOVABLE | GFP_ATOMIC);
	KTEST_ASSERT_NOT_NULL(test, page);
	KTEST_EXPECT_EQ(test, (mm_page_to_pfn(&env.mm, page) - env.mm.base_pfn) / PAGEBLOCK_PAGES, 0);
	KTEST_EXPECT_EQ(test, env.mm.stats.hole_fallback, 0);
	held[nr_held++] = mm_page_to_pfn(&env.mm, page);
	finish(test);
}

/* Free pages per pageblock: whole free blocks (also the upper half of an
 * order-10 block), holes, per-cpu cached pages; none outside the zone. */
static void hole_pageblock_free_pages(struct ktest *test)
{
	struct page *page;
	unsigned long base;

	KTEST_ASSERT_EQ(test, mm_test_env_simple(&env, SPAN), 0);
	base = env.mm.base_pfn;
	nr_held = 0;
	KTEST_EXPECT_EQ(test, mm_pageblock_free_pages(&env.mm, base), PAGEBLOCK_PAGES);
	KTEST_EXPECT_EQ(test, mm_pageblock_free_pages(&env.mm, base + SPAN - 1), PAGEBLOCK_PAGES);
	KTEST_EXPECT_EQ(test, mm_pageblock_free_pages(&env.mm, base + SPAN), 0);
	mm_test_env_destroy(&env);

	KTEST_ASSERT_TRUE(test, build(test, MIGRATE_MOVABLE, 0));
	base = env.mm.base_pfn;
	KTEST_EXPECT_EQ(test, mm_pageblock_free_pages(&env.mm, base + 5), PAGEBLOCK_PAGES / 4);
	KTEST_EXPECT_EQ(test, mm_pageblock_free_pages(&env.mm, base + 700), PAGEBLOCK_PAGES);
	page = mm_pfn_to_page(&env.mm, held[--nr_held]);
	mm_free_pages(&env.mm, page, 0); /* into the per-cpu cache */
	KTEST_EXPECT_TRUE(test, page_is_pcp(page));
	KTEST_EXPECT_EQ(test, mm_pageblock_free_pages(&env.mm, base), PAGEBLOCK_PAGES / 4 + 1);
	page = mm_alloc_pages(&env.mm, 9, GFP_MOVABLE);
	KTEST_ASSERT_NOT_NULL(test, page);
	KTEST_EXPECT_EQ(test, mm_pageblock_free_pages(&env.mm, base + 512), 0);
	mm_free_pages(&env.mm, page, 9);
	finish(test);
}

/* Take every page of pageblock @block of the zone, then free one in
 * @every (the first of each run): 512 / @every pages free there. */
static void punch(struct ktest *test, unsigned long block, unsigned long every)
{
	unsigned long pfn, first = env.mm.base_pfn + block * PAGEBLOCK_PAGES;

	for (pfn = first; pfn < first + PAGEBLOCK_PAGES; pfn++) {
		struct page *page = mm_alloc_pfn(&env.mm, pfn);

		KTEST_ASSERT_NOT_NULL(test, page);
		if ((pfn - first) % every)
			held[nr_held++] = pfn;
		else
			mm_free_pages(&env.mm, page, 0);
	}
	mm_drain_pcp(&env.mm);
}

/* The zone (two pageblocks): pageblock 0 of type @mt0 punched one page in
 * @every0, pageblock 1 (MOVABLE) one in @every1, or left free for 0. */
static void build_partial(struct ktest *test, enum migratetype mt0, unsigned long every0,
			  unsigned long every1)
{
	KTEST_ASSERT_EQ(test, mm_test_env_simple(&env, SPAN), 0);
	nr_held = 0;
	set_type(&env.mm, 0, mt0);
	punch(test, 0, every0);
	if (every1)
		punch(test, 1, every1);
}

/* finish(), checking the mm with the pages still held first. */
static void finish_partial(struct ktest *test)
{
	KTEST_EXPECT_EQ(test, mm_check(&env.mm), 0);
	finish(test);
}

/* Partly free pageblocks rank fullest first; filling one takes exactly its
 * free pages; an ISOLATE pageblock is neither ranked nor filled. */
static void hole_partial_pageblocks_fullest_first(struct ktest *test)
{
	unsigned long pfns[MM_PARTIAL_MAX], base, cursor;
	unsigned int taken = 0;
	struct page *page;

	build_partial(test, MIGRATE_MOVABLE, 4, 8); /* 128 and 64 pages free */
	base = env.mm.base_pfn;
	KTEST_ASSERT_EQ(test, mm_partial_pageblocks(&env.mm, pfns, MM_PARTIAL_MAX), 2);
	KTEST_EXPECT_EQ(test, pfns[0], base + PAGEBLOCK_PAGES);
	KTEST_EXPECT_EQ(test, pfns[1], base);
	KTEST_EXPECT_EQ(test, mm_partial_pageblocks(&env.mm, pfns, 1), 1);
	KTEST_EXPECT_EQ(test, pfns[0], base + PAGEBLOCK_PAGES);
	cursor = base + PAGEBLOCK_PAGES;
	while ((page = mm_alloc_pageblock_page(&env.mm, &cursor, GFP_MOVABLE | GFP_ATOMIC))) {
		unsigned long pfn = mm_page_to_pfn(&env.mm, page);

		KTEST_EXPECT_GE(test, pfn, base + PAGEBLOCK_PAGES);
		held[nr_held++] = pfn;
		taken++;
	}
	KTEST_EXPECT_EQ(test, taken, PAGEBLOCK_PAGES / 8);
	KTEST_EXPECT_EQ(test, mm_pageblock_free_pages(&env.mm, base + PAGEBLOCK_PAGES), 0);
	set_type(&env.mm, 0, MIGRATE_ISOLATE);
	cursor = base;
	KTEST_EXPECT_NULL(test, mm_alloc_pageblock_page(&env.mm, &cursor, GFP_MOVABLE | GFP_ATOMIC));
	KTEST_EXPECT_EQ(test, mm_partial_pageblocks(&env.mm, pfns, MM_PARTIAL_MAX), 0);
	set_type(&env.mm, 0, MIGRATE_MOVABLE);
	finish_partial(test);
}

/* An UNMOVABLE pageblock ranks above a fuller MOVABLE one; an entirely
 * free pageblock is not partly free and is never split by filling. */
static void hole_partial_pageblocks_unmovable_first(struct ktest *test)
{
	unsigned long pfns[MM_PARTIAL_MAX], base, cursor;

	build_partial(test, MIGRATE_UNMOVABLE, 4, 8);
	base = env.mm.base_pfn;
	KTEST_ASSERT_EQ(test, mm_partial_pageblocks(&env.mm, pfns, MM_PARTIAL_MAX), 2);
	KTEST_EXPECT_EQ(test, pfns[0], base);
	KTEST_EXPECT_EQ(test, pfns[1], base + PAGEBLOCK_PAGES);
	finish_partial(test);

	build_partial(test, MIGRATE_MOVABLE, 4, 0);
	base = env.mm.base_pfn;
	KTEST_ASSERT_EQ(test, mm_partial_pageblocks(&env.mm, pfns, MM_PARTIAL_MAX), 1);
	KTEST_EXPECT_EQ(test, pfns[0], base);
	cursor = base + PAGEBLOCK_PAGES;
	KTEST_EXPECT_NULL(test, mm_alloc_pageblock_page(&env.mm, &cursor, GFP_MOVABLE | GFP_ATOMIC));
	KTEST_EXPECT_EQ(test, big_blocks(&env.mm), 1);
	KTEST_EXPECT_EQ(test, pageblock_mt(&env.mm, base), MIGRATE_MOVABLE);
	finish_partial(test);
}

static const struct ktest_case hole_cases[] = {
	KTEST_CASE(hole_alloc_keeps_big_blocks_while_holes_exist),
	KTEST_CASE(hole_alloc_uses_unmovable_holes_unlike_plain_alloc),
	KTEST_CASE(hole_alloc_prefers_unmovable_then_smallest),
	KTEST_CASE(hole_pageblock_free_pages),
	KTEST_CASE(hole_partial_pageblocks_fullest_first),
	KTEST_CASE(hole_partial_pageblocks_unmovable_first),
	KTEST_END,
};
KTEST_SUITE(hole, hole_cases);
