/*
 * Tests of the isolation claim and the owner's release (mm/movable.h,
 * page_try_isolate in mm/page.h) on a private mm (host and kernel): one
 * claim wins, a second fails; free, reserved and non-movable pages are never
 * claimed; an owner giving up a claimed page marks it released instead of
 * freeing it, and dropping the claim says so; an unclaimed page is cleared
 * for its owner to free. The same race on several CPUs at once:
 * kernel/mm/isolate_smp_test.c.
 */
#include "lib/ktest.h"
#include "mm/movable.h"
#include "mm/testing.h"

#define SPAN 256

static struct mm_test_env env;

static struct page *movable_page(struct ktest *test)
{
	struct page *page = mm_alloc_pages(&env.mm, 0, GFP_MOVABLE);

	if (page)
		movable_page_init(page, MEMDESC_TEST, NULL);
	return page;
}

/* Two claims on one page: the first wins, the second fails. */
static void movable_claim_once(struct ktest *test)
{
	struct page *page;

	KTEST_ASSERT_EQ(test, mm_test_env_simple(&env, SPAN), 0);
	page = movable_page(test);
	KTEST_ASSERT_NOT_NULL(test, page);
	KTEST_EXPECT_TRUE(test, page_isolate_claim(page));
	KTEST_EXPECT_TRUE(test, page_is_isolated(page));
	KTEST_EXPECT_FALSE(test, page_isolate_claim(page));
	KTEST_EXPECT_FALSE(test, page_isolate_unclaim(page)); /* not released */
	KTEST_EXPECT_FALSE(test, page_is_isolated(page));
	KTEST_EXPECT_TRUE(test, movable_page_clear(&env.mm, page));
	KTEST_EXPECT_FALSE(test, page_is_movable(page));
	mm_free_pages(&env.mm, page, 0);
	mm_test_env_finish(test, &env, SPAN);
}

/* Only an allocated movable head can be claimed. */
static void movable_claim_refuses_other_states(struct ktest *test)
{
	struct page *plain, *free_page;

	KTEST_ASSERT_EQ(test, mm_test_env_simple(&env, SPAN), 0);
	plain = mm_alloc_pages(&env.mm, 0, GFP_KERNEL);
	KTEST_ASSERT_NOT_NULL(test, plain);
	KTEST_EXPECT_FALSE(test, page_isolate_claim(plain)); /* not movable */
	free_page = movable_page(test);
	KTEST_ASSERT_NOT_NULL(test, free_page);
	KTEST_EXPECT_TRUE(test, movable_page_clear(&env.mm, free_page));
	mm_free_pages(&env.mm, free_page, 0);
	KTEST_EXPECT_FALSE(test, page_isolate_claim(free_page)); /* free now */
	mm_drain_pcp(&env.mm);
	KTEST_EXPECT_FALSE(test, page_isolate_claim(free_page)); /* on a buddy list */
	mm_free_pages(&env.mm, plain, 0);
	mm_test_env_finish(test, &env, SPAN);
}

/* The owner gives a claimed page up: released, not freed; dropping the
 * claim reports it, and a released page cannot be claimed again. */
static void movable_clear_of_claimed_page_releases(struct ktest *test)
{
	struct page *page;

	KTEST_ASSERT_EQ(test, mm_test_env_simple(&env, SPAN), 0);
	page = movable_page(test);
	KTEST_ASSERT_NOT_NULL(test, page);
	KTEST_ASSERT_TRUE(test, page_isolate_claim(page));
	KTEST_EXPECT_FALSE(test, movable_page_clear(&env.mm, page)); /* the core frees it */
	KTEST_EXPECT_TRUE(test, page_flags(page) & PG_released);
	KTEST_EXPECT_TRUE(test, page_is_movable(page));
	KTEST_EXPECT_TRUE(test, page_isolate_unclaim(page)); /* released: ours to free */
	KTEST_EXPECT_FALSE(test, page_isolate_claim(page));
	page_flags_clear(page, PG_released | PG_movable);
	mm_free_pages(&env.mm, page, 0);
	mm_test_env_finish(test, &env, SPAN);
}

static const struct ktest_case movable_cases[] = {
	KTEST_CASE(movable_claim_once),
	KTEST_CASE(movable_claim_refuses_other_states),
	KTEST_CASE(movable_clear_of_claimed_page_releases),
	KTEST_END,
};
KTEST_SUITE(movable_claim, movable_cases);
