/*
 * Poison on free (mm/poison.h) on a private mm: free pages hold the poison
 * through the per-cpu caches, the buddy and merges; allocation paths check
 * it (plain, by PFN, GFP_ZERO after the check); a write after free is
 * reported at the next allocation of that page with its PFN (host only:
 * the kernel's mm_bug panics, which tests/qemu covers with crash=poison).
 */
#include "lib/ktest.h"
#include "lib/string.h"
#include "mm/poison.h"
#include "mm/testing.h"

#define SPAN 1024

static struct mm_test_env env;

/* A private mm whose free memory is all poisoned, as mm_init would leave it
 * with mm_config.poison set. */
static int poisoned_env(void)
{
	int err = mm_test_env_simple(&env, SPAN);

	if (!err)
		mm_test_poison_free(&env.mm);
	return err;
}

static bool all_poison(struct page *page, unsigned int order)
{
	const u8 *va = mm_page_address(&env.mm, page);
	size_t i;

	for (i = 0; i < PAGE_SIZE << order; i++)
		if (va[i] != MM_POISON_BYTE)
			return false;
	return true;
}

/* Written pages come back poisoned, whatever way they are freed and taken. */
static void poison_filled_on_free_checked_on_alloc(struct ktest *test)
{
	struct page *page, *q;
	unsigned long pfn;

	KTEST_ASSERT_EQ(test, poisoned_env(), 0);
	page = mm_alloc_pages(&env.mm, 3, GFP_KERNEL);
	KTEST_ASSERT_NOT_NULL(test, page);
	KTEST_EXPECT_TRUE(test, all_poison(page, 3));
	memset(mm_page_address(&env.mm, page), 0x5c, PAGE_SIZE << 3);
	pfn = mm_page_to_pfn(&env.mm, page);
	mm_free_pages(&env.mm, page, 3);
	KTEST_EXPECT_TRUE(test, all_poison(page, 3));
	q = mm_alloc_pages(&env.mm, 0, GFP_KERNEL); /* order 0: through the per-cpu cache */
	KTEST_ASSERT_NOT_NULL(test, q);
	memset(mm_page_address(&env.mm, q), 0x11, PAGE_SIZE);
	mm_free_pages(&env.mm, q, 0);
	KTEST_EXPECT_TRUE(test, all_poison(q, 0));
	mm_drain_pcp(&env.mm);
	q = mm_alloc_pfn(&env.mm, pfn + 1);
	KTEST_ASSERT_NOT_NULL(test, q);
	mm_free_pages(&env.mm, q, 0);
	q = mm_alloc_pages(&env.mm, 0, GFP_KERNEL | GFP_ZERO); /* checked, then zeroed */
	KTEST_ASSERT_NOT_NULL(test, q);
	KTEST_EXPECT_EQ(test, ((u8 *)mm_page_address(&env.mm, q))[100], 0);
	mm_free_pages(&env.mm, q, 0);
	KTEST_EXPECT_EQ(test, env.mm.stats.poison_bad, 0);
	mm_test_env_finish(test, &env, SPAN);
}

/* A write through a stale pointer is caught when the page is next taken. */
static void poison_catches_write_after_free(struct ktest *test)
{
	struct page *page;
	unsigned long pfn;
	u8 *stale;

	if (!mm_test_bugs_survivable())
		KTEST_SKIP(test, "mm_bug() panics here (crash=poison covers it)");
	KTEST_ASSERT_EQ(test, poisoned_env(), 0);
	mm_test_take_bugs();
	page = mm_alloc_pages(&env.mm, 0, GFP_KERNEL);
	KTEST_ASSERT_NOT_NULL(test, page);
	pfn = mm_page_to_pfn(&env.mm, page);
	stale = mm_page_address(&env.mm, page);
	mm_free_pages(&env.mm, page, 0);
	mm_drain_pcp(&env.mm);
	stale[123] = 0; /* use after free */
	page = mm_alloc_pfn(&env.mm, pfn);
	KTEST_ASSERT_NOT_NULL(test, page);
	KTEST_EXPECT_EQ(test, mm_test_take_bugs(), 1);
	KTEST_EXPECT_EQ(test, env.mm.stats.poison_bad, 1);
	mm_free_pages(&env.mm, page, 0); /* poisoned afresh: clean from now on */
	mm_drain_pcp(&env.mm);
	page = mm_alloc_pfn(&env.mm, pfn);
	KTEST_ASSERT_NOT_NULL(test, page);
	KTEST_EXPECT_EQ(test, mm_test_take_bugs(), 0);
	mm_free_pages(&env.mm, page, 0);
	mm_test_env_finish(test, &env, SPAN);
}

static const struct ktest_case poison_cases[] = {
	KTEST_CASE(poison_filled_on_free_checked_on_alloc),
	KTEST_CASE(poison_catches_write_after_free),
	KTEST_END,
};
KTEST_SUITE(poison, poison_cases);
