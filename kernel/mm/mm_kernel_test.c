/*
 * KTAP tests of the page allocator on the real machine (kernel_mm): the boot
 * accounting, an ATOMIC allocation from a timer interrupt, and exhausting
 * all of memory and giving it back.
 */
#include "arch/x86_64/trap.h"
#include "kernel/mm/mm_boot.h"
#include "kernel/sched.h"
#include "kernel/time.h"
#include "lib/ktest.h"

/* Managed + reserved pages cover the zone; the descriptor is 32 bytes. */
static void mm_kernel_accounting(struct ktest *test)
{
	struct mm *mm = &kernel_mm;

	KTEST_EXPECT_EQ(test, sizeof(struct page), 32);
	KTEST_EXPECT_EQ(test, mm->nr_managed + mm->nr_reserved, mm->end_pfn - mm->base_pfn);
	KTEST_EXPECT_GT(test, mm->nr_managed, 16384); /* at least 64 MiB */
	KTEST_EXPECT_EQ(test, mm_check(mm), 0);
}

static struct timer atomic_timer;
static struct waitq atomic_wq;
static volatile int atomic_result;

static void alloc_in_irq(struct timer *tm)
{
	struct page *page = mm_alloc_pages(&kernel_mm, 0, GFP_ATOMIC);
	struct page *q = mm_alloc_pages(&kernel_mm, 2, GFP_ATOMIC);

	atomic_result = (in_interrupt() && page && q) ? 1 : -1;
	if (page)
		mm_free_pages(&kernel_mm, page, 0);
	if (q)
		mm_free_pages(&kernel_mm, q, 2);
	wake_up(&atomic_wq);
}

/* GFP_ATOMIC allocations and frees work from a timer interrupt. */
static void mm_kernel_atomic_from_timer_irq(struct ktest *test)
{
	waitq_init(&atomic_wq);
	atomic_result = 0;
	atomic_timer.fn = alloc_in_irq;
	timer_arm(&atomic_timer, time_ns() + 1000000);
	KTEST_ASSERT_TRUE(test, wait_event_timeout(&atomic_wq, atomic_result != 0, 1000000));
	KTEST_EXPECT_EQ(test, atomic_result, 1);
}

/* Take every page (largest blocks first, chained through their own first
 * word), give everything back: the free count is identical to the start. */
static void mm_kernel_exhaustion(struct ktest *test)
{
	struct mm *mm = &kernel_mm;
	unsigned long start, taken = 0, chain = 0;
	int order = MAX_ORDER;

	mm_drain_pcp(mm);
	start = mm_nr_free_pages(mm);
	while (order >= 0) {
		struct page *page = mm_alloc_pages(mm, (unsigned int)order, GFP_ATOMIC | GFP_NOWARN);
		unsigned long *slot;

		if (!page) {
			order--;
			continue;
		}
		slot = mm_page_address(mm, page);
		slot[0] = chain;
		chain = mm_page_to_pfn(mm, page);
		taken += 1UL << order;
	}
	ktest_diag(test, "took %lu of %lu free pages; %lu left (ATOMIC reserve)", taken, start,
		   mm_nr_free_pages(mm));
	KTEST_EXPECT_LE(test, mm_nr_free_pages(mm), mm->wmark[WMARK_MIN]);
	KTEST_EXPECT_EQ(test, mm_check(mm), 0);
	while (chain) {
		struct page *page = mm_pfn_to_page(mm, chain);

		chain = *(unsigned long *)mm_page_address(mm, page);
		mm_free_pages(mm, page, page_order(page));
	}
	mm_drain_pcp(mm);
	KTEST_EXPECT_EQ(test, mm_nr_free_pages(mm), start);
}

static const struct ktest_case mm_kernel_cases[] = {
	KTEST_CASE(mm_kernel_accounting),
	KTEST_CASE(mm_kernel_atomic_from_timer_irq),
	KTEST_CASE(mm_kernel_exhaustion),
	KTEST_END,
};
KTEST_SUITE(mm_kernel, mm_kernel_cases);
