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
	bool allocate_inside;    /* try an allocation from inside release() */
	unsigned int inner_ok;   /* inner allocations that succeeded */
};

static unsigned long stash_release(struct mm *mm, unsigned int order, gfp_t gfp, void *arg)
{
	struct stash *s = arg;
	unsigned long freed = 0;

	s->calls++;
	if (mm_lock_held(&mm->lock))
		s->locked_calls++;
	if (s->allocate_inside) {
		struct page *p = mm_alloc_pages(mm, order, gfp | GFP_NOWARN);

		if (p) {
			s->inner_ok++;
			mm_free_pages(mm, p, order);
		}
	}
	while (s->n && freed < s->per_call) {
		mm_free_pages(mm, mm_pfn_to_page(mm, s->pfns[--s->n]), 0);
		freed++;
	}
	return freed;
}

static void stash_init(struct stash *s, struct mm_oom_notifier *n, unsigned int per_call)
{
	*s = (struct stash){ .per_call = per_call };
	*n = (struct mm_oom_notifier){ .release = stash_release, .arg = s };
}

/* Fill @s with @count pages, then allocate order-0 pages until the zone
 * says no (held[]): the next plain allocation would fail. */
static bool exhaust(struct ktest *t, struct stash *s, unsigned int count)
{
	struct page *p;

	KTEST_EXPECT_EQ(t, mm_test_env_simple(&env, SPAN), 0);
	nr_held = 0;
	while (s && s->n < count && (p = mm_alloc_pages(&env.mm, 0, GFP_NOWARN)))
		s->pfns[s->n++] = mm_page_to_pfn(&env.mm, p);
	while ((p = mm_alloc_pages(&env.mm, 0, GFP_NOWARN)))
		held[nr_held++] = mm_page_to_pfn(&env.mm, p);
	return t->failures == 0 && (!s || s->n == count);
}

static void release_all(struct stash *s)
{
	while (nr_held)
		mm_free_pages(&env.mm, mm_pfn_to_page(&env.mm, held[--nr_held]), 0);
	while (s && s->n)
		mm_free_pages(&env.mm, mm_pfn_to_page(&env.mm, s->pfns[--s->n]), 0);
}

static void finish(struct ktest *t, struct stash *s)
{
	release_all(s);
	mm_drain_pcp(&env.mm);
	KTEST_EXPECT_EQ(t, env.mm.nr_free, SPAN);
	KTEST_EXPECT_EQ(t, mm_check(&env.mm), 0);
	mm_test_env_destroy(&env);
}

/* A notifier that frees pages it held makes a failing allocation succeed;
 * it runs once, without the zone lock, and the counters say so. */
static void oom_notifier_frees_pages_for_failing_alloc(struct ktest *t)
{
	struct stash s;
	struct mm_oom_notifier n;
	struct page *p;

	stash_init(&s, &n, 32);
	KTEST_ASSERT_TRUE(t, exhaust(t, &s, STASH));
	KTEST_EXPECT_NULL(t, mm_alloc_pages(&env.mm, 0, GFP_NOWARN));
	mm_oom_notifier_register(&env.mm, &n);
	p = mm_alloc_pages(&env.mm, 0, GFP_NOWARN);
	KTEST_EXPECT_NOT_NULL(t, p);
	KTEST_EXPECT_EQ(t, s.calls, 1);
	KTEST_EXPECT_EQ(t, s.locked_calls, 0);
	KTEST_EXPECT_EQ(t, s.n, STASH - 32);
	KTEST_EXPECT_EQ(t, env.mm.stats.oom_notify, 1);
	KTEST_EXPECT_EQ(t, env.mm.stats.oom_released, 32);
	KTEST_EXPECT_EQ(t, env.mm.stats.oom_success, 1);
	KTEST_EXPECT_EQ(t, mm_check(&env.mm), 0);
	if (p)
		held[nr_held++] = mm_page_to_pfn(&env.mm, p);
	mm_oom_notifier_unregister(&env.mm, &n);
	finish(t, &s);
}

/* High order: the released order-0 pages would sit in the per-cpu cache,
 * invisible to the watermark and to merging; they are drained, merge, and
 * the order-3 allocation succeeds. */
static void oom_notifier_released_pages_merge_for_high_order(struct ktest *t)
{
	struct stash s;
	struct mm_oom_notifier n;
	struct page *p;
	unsigned int i;

	stash_init(&s, &n, 16);
	KTEST_ASSERT_EQ(t, mm_test_env_simple(&env, SPAN), 0);
	for (i = 0; i < 16; i++) { /* an aligned order-4 run the notifier holds */
		p = mm_alloc_pfn(&env.mm, env.mm.base_pfn + 16 + i);
		KTEST_ASSERT_NOT_NULL(t, p);
		s.pfns[s.n++] = mm_page_to_pfn(&env.mm, p);
	}
	nr_held = 0;
	while ((p = mm_alloc_pages(&env.mm, 0, GFP_NOWARN)))
		held[nr_held++] = mm_page_to_pfn(&env.mm, p);
	mm_oom_notifier_register(&env.mm, &n);
	p = mm_alloc_pages(&env.mm, 3, GFP_NOWARN);
	KTEST_EXPECT_NOT_NULL(t, p);
	KTEST_EXPECT_EQ(t, s.calls, 1);
	KTEST_EXPECT_EQ(t, env.mm.pcp[0].count, 0);
	if (p)
		mm_free_pages(&env.mm, p, 3);
	mm_oom_notifier_unregister(&env.mm, &n);
	finish(t, &s);
}

/* A notifier that cannot help: the allocation still fails, cleanly, after
 * one walk (no retry when nothing was released); GFP_NORETRY skips it. */
static void oom_notifier_returning_zero_fails_cleanly(struct ktest *t)
{
	struct stash s;
	struct mm_oom_notifier n;
	u64 fails;

	stash_init(&s, &n, 0);
	KTEST_ASSERT_TRUE(t, exhaust(t, NULL, 0));
	mm_oom_notifier_register(&env.mm, &n);
	fails = env.mm.stats.alloc_fail[0];
	KTEST_EXPECT_NULL(t, mm_alloc_pages(&env.mm, 0, GFP_NOWARN));
	KTEST_EXPECT_EQ(t, s.calls, 1);
	KTEST_EXPECT_EQ(t, env.mm.stats.oom_notify, 1);
	KTEST_EXPECT_EQ(t, env.mm.stats.oom_success, 0);
	KTEST_EXPECT_EQ(t, env.mm.stats.alloc_fail[0], fails + 1);
	KTEST_EXPECT_NULL(t, mm_alloc_pages(&env.mm, 0, GFP_NOWARN | GFP_NORETRY));
	KTEST_EXPECT_EQ(t, s.calls, 1);
	KTEST_EXPECT_EQ(t, mm_check(&env.mm), 0);
	mm_oom_notifier_unregister(&env.mm, &n);
	finish(t, NULL);
}

/* An allocation made inside release() (which fails: the zone is empty) does
 * not walk the notifiers again; the outer one still gets the pages. */
static void oom_notifier_no_recursion(struct ktest *t)
{
	struct stash s;
	struct mm_oom_notifier n;
	struct page *p;

	stash_init(&s, &n, 32);
	s.allocate_inside = true;
	KTEST_ASSERT_TRUE(t, exhaust(t, &s, STASH));
	mm_oom_notifier_register(&env.mm, &n);
	p = mm_alloc_pages(&env.mm, 0, GFP_NOWARN);
	KTEST_EXPECT_NOT_NULL(t, p);
	KTEST_EXPECT_EQ(t, s.calls, 1);
	KTEST_EXPECT_EQ(t, s.inner_ok, 0);
	KTEST_EXPECT_EQ(t, env.mm.stats.oom_notify, 1);
	KTEST_EXPECT_EQ(t, env.mm.stats.oom_busy, 1);
	KTEST_EXPECT_FALSE(t, env.mm.oom.notifying);
	if (p)
		held[nr_held++] = mm_page_to_pfn(&env.mm, p);
	mm_oom_notifier_unregister(&env.mm, &n);
	finish(t, &s);
}

/* Every registered notifier is asked; an unregistered one never again. */
static void oom_notifier_unregister(struct ktest *t)
{
	struct stash a, b;
	struct mm_oom_notifier na, nb;
	struct page *p;

	stash_init(&a, &na, 0);
	stash_init(&b, &nb, 32);
	KTEST_ASSERT_TRUE(t, exhaust(t, &b, STASH));
	mm_oom_notifier_register(&env.mm, &na);
	mm_oom_notifier_register(&env.mm, &nb);
	p = mm_alloc_pages(&env.mm, 0, GFP_NOWARN);
	KTEST_EXPECT_NOT_NULL(t, p);
	KTEST_EXPECT_EQ(t, a.calls, 1);
	KTEST_EXPECT_EQ(t, b.calls, 1);
	if (p)
		held[nr_held++] = mm_page_to_pfn(&env.mm, p);
	mm_oom_notifier_unregister(&env.mm, &nb);
	while ((p = mm_alloc_pages(&env.mm, 0, GFP_NOWARN))) /* what b released */
		held[nr_held++] = mm_page_to_pfn(&env.mm, p);
	KTEST_EXPECT_EQ(t, a.calls, 2);
	KTEST_EXPECT_EQ(t, b.calls, 1);
	mm_oom_notifier_unregister(&env.mm, &na);
	KTEST_EXPECT_NULL(t, mm_alloc_pages(&env.mm, 0, GFP_NOWARN));
	KTEST_EXPECT_EQ(t, a.calls, 2);
	KTEST_EXPECT_EQ(t, env.mm.stats.oom_notify, 2);
	finish(t, &b);
}

static const struct ktest_case oom_cases[] = {
	KTEST_CASE(oom_notifier_frees_pages_for_failing_alloc),
	KTEST_CASE(oom_notifier_released_pages_merge_for_high_order),
	KTEST_CASE(oom_notifier_returning_zero_fails_cleanly),
	KTEST_CASE(oom_notifier_no_recursion),
	KTEST_CASE(oom_notifier_unregister),
	KTEST_END,
};
KTEST_SUITE(oom, oom_cases);
