/*
 * Tests of the lock statistics (mm/lock_stat.h), in the kernel and on the
 * host: a hold of known length is counted as one uncontended acquisition of
 * at least that long; a cached order-0 allocation and free take only this
 * CPU's cache lock, an order-9 one the zone lock. Contention needs two CPUs
 * at once: tests/host/smp_lock_stat_test.c.
 */
#include "lib/ktest.h"
#include "mm/testing.h"

#define HOLD_NS 20000

/* Spin until mm_time_ns() has moved @ns on (interrupts may be off). */
static void spin_ns(u64 ns)
{
	u64 start = mm_time_ns();

	while (mm_time_ns() - start < ns)
		;
}

static void lock_stat_counts_holds(struct ktest *test)
{
	struct mm_lock lock;
	struct lock_stat_info info;
	unsigned long flags;

	mm_lock_init(&lock, "lock_stat_test");
	mm_lock_stat_read(&lock, &info);
	KTEST_EXPECT_EQ(test, info.acquired, 0);
	KTEST_EXPECT_EQ(test, info.hold_ns, 0);

	flags = mm_lock_irqsave(&lock);
	spin_ns(HOLD_NS);
	mm_unlock_irqrestore(&lock, flags);
	mm_lock_stat_read(&lock, &info);
	KTEST_EXPECT_EQ(test, info.acquired, 1);
	KTEST_EXPECT_EQ(test, info.contended, 0);
	KTEST_EXPECT_EQ(test, info.wait_ns, 0);
	KTEST_EXPECT_GE(test, info.hold_ns, HOLD_NS);
	KTEST_EXPECT_EQ(test, info.max_hold_ns, info.hold_ns);

	/* A short second hold: summed, the maximum stays the long one. */
	flags = mm_lock_irqsave(&lock);
	mm_unlock_irqrestore(&lock, flags);
	mm_lock_stat_read(&lock, &info);
	KTEST_EXPECT_EQ(test, info.acquired, 2);
	KTEST_EXPECT_GE(test, info.hold_ns, info.max_hold_ns);
	KTEST_EXPECT_GE(test, info.max_hold_ns, HOLD_NS);
}

static u64 acquired(const struct mm_lock *lock)
{
	struct lock_stat_info info;

	mm_lock_stat_read(lock, &info);
	return info.acquired;
}

static void lock_stat_zone_and_pcp(struct ktest *test)
{
	struct mm_test_env env;
	struct mm_lock *pcp_lock;
	struct page *page;
	u64 zone, pcp;

	KTEST_ASSERT_EQ(test, mm_test_env_simple(&env, 2048), 0);
	pcp_lock = &env.mm.pcp[mm_cpu_id()].lock;
	/* The first order-0 allocation refills the cache under the zone lock. */
	page = mm_alloc_pages(&env.mm, 0, GFP_KERNEL);
	KTEST_ASSERT_NOT_NULL(test, page);
	mm_free_pages(&env.mm, page, 0);
	KTEST_EXPECT_GE(test, acquired(&env.mm.lock), 1);
	KTEST_EXPECT_GE(test, acquired(pcp_lock), 2);

	/* Now cached: one pcp lock hold each way, the zone lock untouched. */
	zone = acquired(&env.mm.lock);
	pcp = acquired(pcp_lock);
	page = mm_alloc_pages(&env.mm, 0, GFP_KERNEL);
	KTEST_ASSERT_NOT_NULL(test, page);
	mm_free_pages(&env.mm, page, 0);
	KTEST_EXPECT_EQ(test, acquired(pcp_lock), pcp + 2);
	KTEST_EXPECT_EQ(test, acquired(&env.mm.lock), zone);

	/* Order 9 goes to the buddy: the zone lock, each way. */
	page = mm_alloc_pages(&env.mm, 9, GFP_KERNEL);
	KTEST_ASSERT_NOT_NULL(test, page);
	mm_free_pages(&env.mm, page, 9);
	KTEST_EXPECT_GE(test, acquired(&env.mm.lock), zone + 2);
	KTEST_EXPECT_EQ(test, acquired(pcp_lock), pcp + 2);
	mm_test_env_finish(test, &env, 2048);
}

static const struct ktest_case lock_stat_cases[] = {
	KTEST_CASE(lock_stat_counts_holds),
	KTEST_CASE(lock_stat_zone_and_pcp),
	KTEST_END,
};
KTEST_SUITE(lock_stat, lock_stat_cases);
