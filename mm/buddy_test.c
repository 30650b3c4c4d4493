/*
 * Buddy allocator tests on private mm instances (mm/testing.h), run on the
 * host and in the kernel. Spans stay within one order-10 block (1024 pages)
 * so the kernel can provide them. Every case ends with mm_check().
 */
#include "include/errno.h"
#include "lib/ktest.h"
#include "lib/string.h"
#include "mm/internal.h"
#include "mm/testing.h"

#define SPAN 1024

static struct mm_test_env env;
static unsigned long held[SPAN];

static unsigned long blocks_at(const struct mm *mm, unsigned int order)
{
	unsigned int mt;
	unsigned long n = 0;

	for (mt = 0; mt < MIGRATE_TYPES; mt++)
		n += mm->free_area[order].nr[mt];
	return n;
}

#define SETUP_SIMPLE(t)                                                  \
	do {                                                             \
		KTEST_ASSERT_EQ(t, mm_test_env_simple(&env, SPAN), 0); \
	} while (0)

static void finish(struct ktest *test)
{
	KTEST_EXPECT_EQ(test, mm_check(&env.mm), 0);
	mm_test_env_destroy(&env);
}

/* A fresh aligned zone is one order-10 block with every page free. */
static void buddy_init_builds_maximal_blocks(struct ktest *test)
{
	SETUP_SIMPLE(test);
	KTEST_EXPECT_EQ(test, env.mm.nr_free, SPAN);
	KTEST_EXPECT_EQ(test, env.mm.nr_managed, SPAN);
	KTEST_EXPECT_EQ(test, blocks_at(&env.mm, MAX_ORDER), 1);
	KTEST_EXPECT_EQ(test, env.mm.nr_reserved, 0);
	finish(test);
}

/* Gaps and reserved ranges are never handed out; counts add up. */
static void buddy_init_honours_gaps_and_reserved(struct ktest *test)
{
	static const struct pfn_range usable[] = { { 3, 700 }, { 800, 1024 } };
	static const struct pfn_range reserved[] = { { 100, 110 }, { 105, 120 }, { 1000, 1024 } };
	struct page *page;
	unsigned long n = 0, pfn;

	KTEST_ASSERT_EQ(test, mm_test_env_init(&env, SPAN, usable, 2, reserved, 3), 0);
	KTEST_EXPECT_EQ(test, env.mm.base_pfn, env.base_pfn + 3);
	KTEST_EXPECT_EQ(test, env.mm.nr_reserved, 100 + 20 + 24);
	KTEST_EXPECT_EQ(test, env.mm.nr_free, (700 - 3) + (1000 - 800) - 20);
	while ((page = mm_alloc_pages(&env.mm, 0, GFP_ATOMIC | GFP_NOWARN))) {
		pfn = mm_page_to_pfn(&env.mm, page) - env.base_pfn;
		KTEST_EXPECT_TRUE(test, (pfn >= 3 && pfn < 100) || (pfn >= 120 && pfn < 700) ||
				     (pfn >= 800 && pfn < 1000));
		held[n++] = pfn + env.base_pfn;
	}
	KTEST_EXPECT_GE(test, n, env.mm.nr_managed - env.mm.wmark[WMARK_MIN]);
	KTEST_EXPECT_EQ(test, mm_check(&env.mm), 0);
	while (n)
		mm_free_pages(&env.mm, mm_pfn_to_page(&env.mm, held[--n]), 0);
	finish(test);
}

/* Bad ranges are refused. */
static void buddy_init_rejects_bad_ranges(struct ktest *test)
{
	static const struct pfn_range overlapping[] = { { 0, 100 }, { 50, 200 } };
	static const struct pfn_range empty[] = { { 10, 10 } };

	KTEST_EXPECT_EQ(test, mm_test_env_init(&env, SPAN, overlapping, 2, NULL, 0), -EINVAL);
	KTEST_EXPECT_EQ(test, mm_test_env_init(&env, SPAN, empty, 1, NULL, 0), -EINVAL);
	KTEST_EXPECT_EQ(test, mm_test_env_init(&env, SPAN, NULL, 0, NULL, 0), -EINVAL);
}

/* An order-0 allocation splits the order-10 block into one block per order;
 * freeing it merges everything back. */
static void buddy_split_and_merge(struct ktest *test)
{
	struct page *page;
	unsigned int o;

	SETUP_SIMPLE(test);
	page = mm_alloc_pages(&env.mm, 1, GFP_KERNEL);
	KTEST_ASSERT_NOT_NULL(test, page);
	KTEST_EXPECT_EQ(test, mm_page_to_pfn(&env.mm, page) % 2, 0);
	KTEST_EXPECT_EQ(test, page_order(page), 1);
	KTEST_EXPECT_EQ(test, page_type(page), MEMDESC_KERNEL);
	for (o = 1; o < MAX_ORDER; o++)
		KTEST_EXPECT_EQ(test, blocks_at(&env.mm, o), 1);
	KTEST_EXPECT_EQ(test, blocks_at(&env.mm, MAX_ORDER), 0);
	KTEST_EXPECT_EQ(test, mm_check(&env.mm), 0);
	mm_free_pages(&env.mm, page, 1);
	KTEST_EXPECT_EQ(test, blocks_at(&env.mm, MAX_ORDER), 1);
	KTEST_EXPECT_EQ(test, env.mm.nr_free, SPAN);
	finish(test);
}

/* Every order that leaves the watermark intact can be allocated, is
 * aligned, and frees back whole; taking the whole zone is refused. */
static void buddy_every_order(struct ktest *test)
{
	unsigned int o;

	SETUP_SIMPLE(test);
	KTEST_EXPECT_NULL(test, mm_alloc_pages(&env.mm, MAX_ORDER, GFP_ATOMIC | GFP_NOWARN));
	for (o = 0; o < MAX_ORDER; o++) {
		struct page *page = mm_alloc_pages(&env.mm, o, GFP_ATOMIC);

		KTEST_ASSERT_NOT_NULL(test, page);
		KTEST_EXPECT_EQ(test, mm_page_to_pfn(&env.mm, page) & ((1UL << o) - 1), 0);
		KTEST_EXPECT_EQ(test, mm_check(&env.mm), 0);
		mm_free_pages(&env.mm, page, o);
		mm_drain_pcp(&env.mm);
		KTEST_EXPECT_EQ(test, env.mm.nr_free, SPAN);
	}
	KTEST_EXPECT_NULL(test, mm_alloc_pages(&env.mm, MAX_ORDER + 1, GFP_NOWARN));
	finish(test);
}

/* Order-0 pages go through the per-cpu cache: refilled in batches, freed
 * there, bounded by high, and drained back on request. */
static void buddy_pcp_batches_and_drains(struct ktest *test)
{
	struct pcp_cache *pcp;
	unsigned int i, n;

	SETUP_SIMPLE(test);
	pcp = &env.mm.pcp[0];
	held[0] = mm_page_to_pfn(&env.mm, mm_alloc_pages(&env.mm, 0, GFP_KERNEL));
	KTEST_EXPECT_EQ(test, env.mm.stats.pcp_refill, 1);
	KTEST_EXPECT_EQ(test, pcp->count, pcp->batch - 1);
	KTEST_EXPECT_EQ(test, mm_nr_free_pages(&env.mm), SPAN - 1);
	n = pcp->high + pcp->batch;
	for (i = 1; i < n; i++)
		held[i] = mm_page_to_pfn(&env.mm, mm_alloc_pages(&env.mm, 0, GFP_KERNEL));
	for (i = 0; i < n; i++) {
		mm_free_pages(&env.mm, mm_pfn_to_page(&env.mm, held[i]), 0);
		KTEST_EXPECT_LE(test, pcp->count, pcp->high);
	}
	KTEST_EXPECT_GT(test, env.mm.stats.pcp_drain, 0);
	KTEST_EXPECT_EQ(test, mm_check(&env.mm), 0);
	mm_drain_pcp(&env.mm);
	KTEST_EXPECT_EQ(test, pcp->count, 0);
	KTEST_EXPECT_EQ(test, env.mm.nr_free, SPAN);
	KTEST_EXPECT_EQ(test, blocks_at(&env.mm, MAX_ORDER), 1);
	finish(test);
}

/* An unmovable allocation in an all-movable zone steals a whole pageblock,
 * and later unmovable allocations stay in it. */
static void buddy_fallback_steals_pageblock(struct ktest *test)
{
	struct page *page, *b, *m;
	unsigned long pa, pb, pm;

	SETUP_SIMPLE(test);
	page = mm_alloc_pages(&env.mm, 2, GFP_KERNEL);
	KTEST_ASSERT_NOT_NULL(test, page);
	pa = mm_page_to_pfn(&env.mm, page);
	KTEST_EXPECT_EQ(test, pageblock_mt(&env.mm, pa), MIGRATE_UNMOVABLE);
	KTEST_EXPECT_EQ(test, env.mm.stats.fallback, 1);
	KTEST_EXPECT_GE(test, env.mm.stats.steal_block, 1);
	b = mm_alloc_pages(&env.mm, 3, GFP_KERNEL);
	KTEST_ASSERT_NOT_NULL(test, b);
	pb = mm_page_to_pfn(&env.mm, b);
	KTEST_EXPECT_EQ(test, pb >> PAGEBLOCK_ORDER, pa >> PAGEBLOCK_ORDER);
	KTEST_EXPECT_EQ(test, env.mm.stats.fallback, 1); /* served from the stolen block */
	m = mm_alloc_pages(&env.mm, 3, GFP_MOVABLE);
	KTEST_ASSERT_NOT_NULL(test, m);
	pm = mm_page_to_pfn(&env.mm, m);
	KTEST_EXPECT_NE(test, pm >> PAGEBLOCK_ORDER, pa >> PAGEBLOCK_ORDER);
	KTEST_EXPECT_EQ(test, pageblock_mt(&env.mm, pm), MIGRATE_MOVABLE);
	mm_free_pages(&env.mm, page, 2);
	mm_free_pages(&env.mm, b, 3);
	mm_free_pages(&env.mm, m, 3);
	KTEST_EXPECT_EQ(test, mm_nr_free_pages(&env.mm), SPAN);
	finish(test);
}

/* Ordinary allocations stop at the min watermark; ATOMIC ones may go
 * halfway below it; nothing goes below that. */
static void buddy_watermarks(struct ktest *test)
{
	unsigned long n = 0, min;
	struct page *page;

	SETUP_SIMPLE(test);
	min = env.mm.wmark[WMARK_MIN];
	KTEST_ASSERT_GT(test, min, 1);
	KTEST_EXPECT_LE(test, env.mm.wmark[WMARK_MIN], env.mm.wmark[WMARK_LOW]);
	KTEST_EXPECT_LE(test, env.mm.wmark[WMARK_LOW], env.mm.wmark[WMARK_HIGH]);
	while ((page = mm_alloc_pages(&env.mm, 0, GFP_NOWARN)))
		held[n++] = mm_page_to_pfn(&env.mm, page);
	KTEST_EXPECT_GE(test, mm_nr_free_pages(&env.mm), min);
	KTEST_EXPECT_GE(test, env.mm.stats.alloc_fail[0], 1);
	page = mm_alloc_pages(&env.mm, 0, GFP_ATOMIC | GFP_NOWARN);
	KTEST_ASSERT_NOT_NULL(test, page);
	held[n++] = mm_page_to_pfn(&env.mm, page);
	while ((page = mm_alloc_pages(&env.mm, 0, GFP_ATOMIC | GFP_NOWARN)))
		held[n++] = mm_page_to_pfn(&env.mm, page);
	KTEST_EXPECT_GE(test, env.mm.nr_free, min / 2);
	KTEST_EXPECT_EQ(test, mm_check(&env.mm), 0);
	while (n)
		mm_free_pages(&env.mm, mm_pfn_to_page(&env.mm, held[--n]), 0);
	mm_drain_pcp(&env.mm);
	KTEST_EXPECT_EQ(test, env.mm.nr_free, SPAN);
	finish(test);
}

/* GFP_ZERO hands out zeroed memory. */
static void buddy_gfp_zero(struct ktest *test)
{
	struct page *page;
	u8 *va;
	unsigned long i, nonzero = 0;

	SETUP_SIMPLE(test);
	page = mm_alloc_pages(&env.mm, 1, GFP_KERNEL);
	KTEST_ASSERT_NOT_NULL(test, page);
	memset(mm_page_address(&env.mm, page), 0xa5, 2 * PAGE_SIZE);
	mm_free_pages(&env.mm, page, 1);
	page = mm_alloc_pages(&env.mm, 1, GFP_ZERO);
	KTEST_ASSERT_NOT_NULL(test, page);
	va = mm_page_address(&env.mm, page);
	for (i = 0; i < 2 * PAGE_SIZE; i++)
		nonzero += va[i] != 0;
	KTEST_EXPECT_EQ(test, nonzero, 0);
	mm_free_pages(&env.mm, page, 1);
	finish(test);
}

/* Exhaustion: take every page at mixed orders, give all back: the free
 * count and the block structure are exactly as at the start. */
static void buddy_exhaustion_restores_everything(struct ktest *test)
{
	unsigned long n = 0, start;
	unsigned int order = 3;
	struct page *page;

	SETUP_SIMPLE(test);
	start = mm_nr_free_pages(&env.mm);
	for (;;) {
		page = mm_alloc_pages(&env.mm, order, GFP_ATOMIC | GFP_NOWARN);
		if (!page) {
			if (!order)
				break;
			order--;
			continue;
		}
		held[n++] = mm_page_to_pfn(&env.mm, page) | ((unsigned long)order << 56);
	}
	KTEST_EXPECT_LE(test, mm_nr_free_pages(&env.mm), env.mm.wmark[WMARK_MIN]);
	while (n) {
		unsigned long v = held[--n];

		mm_free_pages(&env.mm, mm_pfn_to_page(&env.mm, v & ((1UL << 56) - 1)),
			      (unsigned int)(v >> 56));
	}
	mm_drain_pcp(&env.mm);
	KTEST_EXPECT_EQ(test, mm_nr_free_pages(&env.mm), start);
	KTEST_EXPECT_EQ(test, blocks_at(&env.mm, MAX_ORDER), 1);
	finish(test);
}

/* Double free, wrong order, tails, reserved pages and foreign pointers are
 * reported with the PFN and change nothing. */
static void buddy_misuse_detected(struct ktest *test)
{
	static const struct pfn_range usable[] = { { 0, SPAN } };
	static const struct pfn_range reserved[] = { { 0, 8 } };
	struct page *page, *q;
	unsigned long free_before;

	if (!mm_test_bugs_survivable())
		KTEST_SKIP(test, "mm_bug() panics here");
	KTEST_ASSERT_EQ(test, mm_test_env_init(&env, SPAN, usable, 1, reserved, 1), 0);
	mm_test_take_bugs();
	page = mm_alloc_pages(&env.mm, 2, GFP_KERNEL);
	q = mm_alloc_pages(&env.mm, 0, GFP_KERNEL);
	KTEST_ASSERT_NOT_NULL(test, page);
	KTEST_ASSERT_NOT_NULL(test, q);
	free_before = mm_nr_free_pages(&env.mm);
	mm_free_pages(&env.mm, page, 1);      /* wrong order */
	mm_free_pages(&env.mm, page + 1, 0);  /* a tail */
	mm_free_pages(&env.mm, mm_pfn_to_page(&env.mm, env.base_pfn), 0); /* reserved */
	mm_free_pages(&env.mm, (struct page *)&held[0], 0); /* not a descriptor */
	KTEST_EXPECT_EQ(test, mm_test_take_bugs(), 4);
	KTEST_EXPECT_EQ(test, mm_nr_free_pages(&env.mm), free_before);
	KTEST_EXPECT_EQ(test, mm_check(&env.mm), 0);
	mm_free_pages(&env.mm, page, 2);
	mm_free_pages(&env.mm, q, 0);
	mm_free_pages(&env.mm, page, 2); /* double free (buddy) */
	mm_free_pages(&env.mm, q, 0); /* double free (pcp) */
	KTEST_EXPECT_EQ(test, mm_test_take_bugs(), 2);
	KTEST_EXPECT_EQ(test, env.mm.stats.bugs, 6);
	KTEST_EXPECT_EQ(test, mm_nr_free_pages(&env.mm), SPAN - 8);
	finish(test);
}

/* mm_check notices a corrupted descriptor (and the test puts it back). */
static void buddy_check_detects_corruption(struct ktest *test)
{
	struct page *page;
	unsigned long saved;

	SETUP_SIMPLE(test);
	page = mm_alloc_pages(&env.mm, 3, GFP_KERNEL);
	KTEST_ASSERT_NOT_NULL(test, page);
	saved = page[1].flags;
	page[1].flags = PG_head; /* a tail claiming to be a head */
	KTEST_EXPECT_GT(test, mm_check(&env.mm), 0);
	page[1].flags = saved;
	env.mm.free_area[0].nr[MIGRATE_MOVABLE]++;
	KTEST_EXPECT_GT(test, mm_check(&env.mm), 0);
	env.mm.free_area[0].nr[MIGRATE_MOVABLE]--;
	mm_free_pages(&env.mm, page, 3);
	finish(test);
}

static const struct ktest_case buddy_cases[] = {
	KTEST_CASE(buddy_init_builds_maximal_blocks),
	KTEST_CASE(buddy_init_honours_gaps_and_reserved),
	KTEST_CASE(buddy_init_rejects_bad_ranges),
	KTEST_CASE(buddy_split_and_merge),
	KTEST_CASE(buddy_every_order),
	KTEST_CASE(buddy_pcp_batches_and_drains),
	KTEST_CASE(buddy_fallback_steals_pageblock),
	KTEST_CASE(buddy_watermarks),
	KTEST_CASE(buddy_gfp_zero),
	KTEST_CASE(buddy_exhaustion_restores_everything),
	KTEST_CASE(buddy_misuse_detected),
	KTEST_CASE(buddy_check_detects_corruption),
	KTEST_END,
};
KTEST_SUITE(buddy, buddy_cases);
