/*
 * OOM-notifier tests on private mm instances (mm/testing.h), host and
 * kernel: an exhausted zone, a notifier that holds pages (as a balloon
 * does) and gives them back when asked. Every case ends with mm_check().
 */
#include "lib/ktest.h"
#include "mm/internal.h"
#include "mm/oom.h"
#include "mm/testing.h"

#define SPAN 1024
#define STASH 64

static struct mm_test_env env;
static unsigned long held[SPAN];
static unsigned long nr_held;

/* A notifier's state: pages it holds, what it saw when called. */
struct stash {
	unsigned long pfns[STASH];
	unsigned int n;
	unsigned int per_call;   /* pages to free per release() */
	unsigned int calls;
	unsigned int locked_calls; /* calls made with the zone lock held (bug) */
	unsigned int sleepable_calls; /* calls told they may sleep */
	bool allocate_inside;    /* try an allocation from inside release() */
	unsigned int inner_ok;   /* inner allocations that succeeded */
};

static unsigned long stash_release(struct mm *mm, unsigned int order, gfp_t gfp, void *arg)
{
	struct stash *stash = arg;
	unsigned long freed = 0;

	stash->calls++;
	stash->sleepable_calls += mm_oom_may_sleep(gfp);
	if (mm_lock_held(&mm->lock))
		stash->locked_calls++;
	if (stash->allocate_inside) {
		struct page *page = mm_alloc_pages(mm, order, gfp | GFP_NOWARN);

		if (page) {
			stash->inner_ok++;
			mm_free_pages(mm, page, order);
		}
	}
	while (stash->n && freed < stash->per_call) {
		mm_free_pages(mm, mm_pfn_to_page(mm, stash->pfns[--stash->n]), 0);
		freed++;
	}
	return freed;
}

static void stash_init(struct stash *stash, struct mm_oom_notifier *notifier, unsigned int per_call)
{
	*stash = (struct stash){ .per_call = per_call };
	*notifier = (struct mm_oom_notifier){ .release = stash_release, .arg = stash };
}

/* Fill @stash with @count pages, then allocate order-0 pages until the zone
 * says no (held[]): the next plain allocation would fail. */
static bool exhaust(struct ktest *test, struct stash *stash, unsigned int count)
{
	struct page *page;

	KTEST_EXPECT_EQ(test, mm_test_env_simple(&env, SPAN), 0);
	nr_held = 0;
	while (stash && stash->n < count && (page = mm_alloc_pages(&env.mm, 0, GFP_NOWARN)))
		stash->pfns[stash->n++] = mm_page_to_pfn(&env.mm, page);
	while ((page = mm_alloc_pages(&env.mm, 0, GFP_NOWARN)))
		held[nr_held++] = mm_page_to_pfn(&env.mm, page);
	return test->failures == 0 && (!stash || stash->n == count);
}

static void release_all(struct stash *stash)
{
	while (nr_held)
		mm_free_pages(&env.mm, mm_pfn_to_page(&env.mm, held[--nr_held]), 0);
	while (stash && stash->n)
		mm_free_pages(&env.mm, mm_pfn_to_page(&env.mm, stash->pfns[--stash->n]), 0);
}

static void finish(struct ktest *test, struct stash *stash)
{
	release_all(stash);
	mm_test_env_finish(test, &env, SPAN);
}

/* A notifier that frees pages it held makes a failing allocation succeed;
 * it runs once, without the zone lock, and the counters say so. */
static void oom_notifier_frees_pages_for_failing_alloc(struct ktest *test)
{
	struct stash stash;
	struct mm_oom_notifier notifier;
	struct page *page;

	stash_init(&stash, &notifier, 32);
	KTEST_ASSERT_TRUE(test, exhaust(test, &stash, STASH));
	KTEST_EXPECT_NULL(test, mm_alloc_pages(&env.mm, 0, GFP_NOWARN));
	mm_oom_notifier_register(&env.mm, &notifier);
	page = mm_alloc_pages(&env.mm, 0, GFP_NOWARN);
	KTEST_EXPECT_NOT_NULL(test, page);
	KTEST_EXPECT_EQ(test, stash.calls, 1);
	KTEST_EXPECT_EQ(test, stash.locked_calls, 0);
	KTEST_EXPECT_EQ(test, stash.n, STASH - 32);
	KTEST_EXPECT_EQ(test, env.mm.stats.oom_notify, 1);
	KTEST_EXPECT_EQ(test, env.mm.stats.oom_released, 32);
	KTEST_EXPECT_EQ(test, env.mm.stats.oom_success, 1);
	KTEST_EXPECT_EQ(test, mm_check(&env.mm), 0);
	if (page)
		held[nr_held++] = mm_page_to_pfn(&env.mm, page);
	mm_oom_notifier_unregister(&env.mm, &notifier);
	finish(test, &stash);
}

/* High order: the released order-0 pages would sit in the per-cpu cache,
 * invisible to the watermark and to merging; they are drained, merge, and
 * the order-3 allocation succeeds. */
static void oom_notifier_released_pages_merge_for_high_order(struct ktest *test)
{
	struct stash stash;
	struct mm_oom_notifier notifier;
	struct page *page;
	unsigned int i;

	stash_init(&stash, &notifier, 16);
	KTEST_ASSERT_EQ(test, mm_test_env_simple(&env, SPAN), 0);
	for (i = 0; i < 16; i++) { /* an aligned order-4 run the notifier holds */
		page = mm_alloc_pfn(&env.mm, env.mm.base_pfn + 16 + i);
		KTEST_ASSERT_NOT_NULL(test, page);
		stash.pfns[stash.n++] = mm_page_to_pfn(&env.mm, page);
	}
	nr_held = 0;
	while ((page = mm_alloc_pages(&env.mm, 0, GFP_NOWARN)))
		held[nr_held++] = mm_page_to_pfn(&env.mm, page);
	mm_oom_notifier_register(&env.mm, &notifier);
	page = mm_alloc_pages(&env.mm, 3, GFP_NOWARN);
	KTEST_EXPECT_NOT_NULL(test, page);
	KTEST_EXPECT_EQ(test, stash.calls, 1);
	KTEST_EXPECT_EQ(test, env.mm.pcp[0].count, 0);
	if (page)
		mm_free_pages(&env.mm, page, 3);
	mm_oom_notifier_unregister(&env.mm, &notifier);
	finish(test, &stash);
}

/* A notifier that cannot help: the allocation still fails, cleanly, after
 * one walk (no retry when nothing was released); GFP_NORETRY skips it. */
static void oom_notifier_returning_zero_fails_cleanly(struct ktest *test)
{
	struct stash stash;
	struct mm_oom_notifier notifier;
	u64 fails;

	stash_init(&stash, &notifier, 0);
	KTEST_ASSERT_TRUE(test, exhaust(test, NULL, 0));
	mm_oom_notifier_register(&env.mm, &notifier);
	fails = env.mm.stats.alloc_fail[0];
	KTEST_EXPECT_NULL(test, mm_alloc_pages(&env.mm, 0, GFP_NOWARN));
	KTEST_EXPECT_EQ(test, stash.calls, 1);
	KTEST_EXPECT_EQ(test, env.mm.stats.oom_notify, 1);
	KTEST_EXPECT_EQ(test, env.mm.stats.oom_success, 0);
	KTEST_EXPECT_EQ(test, env.mm.stats.alloc_fail[0], fails + 1);
	KTEST_EXPECT_NULL(test, mm_alloc_pages(&env.mm, 0, GFP_NOWARN | GFP_NORETRY));
	KTEST_EXPECT_EQ(test, stash.calls, 1);
	KTEST_EXPECT_EQ(test, mm_check(&env.mm), 0);
	mm_oom_notifier_unregister(&env.mm, &notifier);
	finish(test, NULL);
}

/* An allocation made inside release() (which fails: the zone is empty) does
 * not walk the notifiers again; the outer one still gets the pages. */
static void oom_notifier_no_recursion(struct ktest *test)
{
	struct stash stash;
	struct mm_oom_notifier notifier;
	struct page *page;

	stash_init(&stash, &notifier, 32);
	stash.allocate_inside = true;
	KTEST_ASSERT_TRUE(test, exhaust(test, &stash, STASH));
	mm_oom_notifier_register(&env.mm, &notifier);
	page = mm_alloc_pages(&env.mm, 0, GFP_NOWARN);
	KTEST_EXPECT_NOT_NULL(test, page);
	KTEST_EXPECT_EQ(test, stash.calls, 1);
	KTEST_EXPECT_EQ(test, stash.inner_ok, 0);
	KTEST_EXPECT_EQ(test, env.mm.stats.oom_notify, 1);
	KTEST_EXPECT_EQ(test, env.mm.stats.oom_busy, 1);
	KTEST_EXPECT_FALSE(test, env.mm.oom.notifying);
	if (page)
		held[nr_held++] = mm_page_to_pfn(&env.mm, page);
	mm_oom_notifier_unregister(&env.mm, &notifier);
	finish(test, &stash);
}

/* Every registered notifier is asked; an unregistered one never again. */
static void oom_notifier_unregister(struct ktest *test)
{
	struct stash stash, b;
	struct mm_oom_notifier na, nb;
	struct page *page;

	stash_init(&stash, &na, 0);
	stash_init(&b, &nb, 32);
	KTEST_ASSERT_TRUE(test, exhaust(test, &b, STASH));
	mm_oom_notifier_register(&env.mm, &na);
	mm_oom_notifier_register(&env.mm, &nb);
	page = mm_alloc_pages(&env.mm, 0, GFP_NOWARN);
	KTEST_EXPECT_NOT_NULL(test, page);
	KTEST_EXPECT_EQ(test, stash.calls, 1);
	KTEST_EXPECT_EQ(test, b.calls, 1);
	if (page)
		held[nr_held++] = mm_page_to_pfn(&env.mm, page);
	mm_oom_notifier_unregister(&env.mm, &nb);
	while ((page = mm_alloc_pages(&env.mm, 0, GFP_NOWARN))) /* what b released */
		held[nr_held++] = mm_page_to_pfn(&env.mm, page);
	KTEST_EXPECT_EQ(test, stash.calls, 2);
	KTEST_EXPECT_EQ(test, b.calls, 1);
	mm_oom_notifier_unregister(&env.mm, &na);
	KTEST_EXPECT_NULL(test, mm_alloc_pages(&env.mm, 0, GFP_NOWARN));
	KTEST_EXPECT_EQ(test, stash.calls, 2);
	KTEST_EXPECT_EQ(test, env.mm.stats.oom_notify, 2);
	finish(test, &b);
}

/* GFP_KERNEL from a caller that holds a spinlock (interrupts off) is an
 * atomic context to the notifiers: they must not sleep (the balloon would
 * wait for its thread with the caller's lock held). Without the lock, the
 * same allocation may sleep. */
static void oom_notifier_atomic_under_a_lock(struct ktest *test)
{
	struct stash stash;
	struct mm_oom_notifier notifier;
	struct mm_lock lock;
	unsigned long flags;
	struct page *page;

	stash_init(&stash, &notifier, 1);
	KTEST_ASSERT_TRUE(test, exhaust(test, &stash, 2));
	mm_oom_notifier_register(&env.mm, &notifier);
	mm_lock_init(&lock, "ktest-oom-caller");
	flags = mm_lock_irqsave(&lock);
	page = mm_alloc_pages(&env.mm, 0, GFP_KERNEL | GFP_NOWARN);
	mm_unlock_irqrestore(&lock, flags);
	KTEST_EXPECT_NOT_NULL(test, page);
	KTEST_EXPECT_EQ(test, stash.calls, 1);
	KTEST_EXPECT_EQ(test, stash.sleepable_calls, 0);
	if (page)
		held[nr_held++] = mm_page_to_pfn(&env.mm, page);
	page = mm_alloc_pages(&env.mm, 0, GFP_KERNEL | GFP_NOWARN);
	KTEST_EXPECT_NOT_NULL(test, page);
	KTEST_EXPECT_EQ(test, stash.calls, 2);
	KTEST_EXPECT_EQ(test, stash.sleepable_calls, 1);
	if (page)
		held[nr_held++] = mm_page_to_pfn(&env.mm, page);
	mm_oom_notifier_unregister(&env.mm, &notifier);
	finish(test, &stash);
}

static const struct ktest_case oom_cases[] = {
	KTEST_CASE(oom_notifier_frees_pages_for_failing_alloc),
	KTEST_CASE(oom_notifier_released_pages_merge_for_high_order),
	KTEST_CASE(oom_notifier_returning_zero_fails_cleanly),
	KTEST_CASE(oom_notifier_no_recursion),
	KTEST_CASE(oom_notifier_unregister),
	KTEST_CASE(oom_notifier_atomic_under_a_lock),
	KTEST_END,
};
KTEST_SUITE(oom, oom_cases);
