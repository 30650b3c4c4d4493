/*
 * Tests of fault injection's own rules (mm/fault_inject.h): the decision
 * (the Nth call, a rate per mille, the counters) and the spec syntax. The
 * whole workload under injection is tests/workload/fault_workload_test.c.
 */
#include "include/errno.h"
#include "lib/ktest.h"
#include "lib/string.h"
#include "mm/fault_inject.h"

/* @N fails exactly the Nth call once; a rate of 1000 fails every call and
 * 0 none; counters follow. */
static void fault_inject_nth_and_rate(struct ktest *test)
{
	struct fault_inject fi;
	unsigned int i, fails = 0;

	fault_inject_init(&fi, 1);
	KTEST_EXPECT_FALSE(test, fault_inject_armed(&fi));
	KTEST_ASSERT_EQ(test, fault_inject_set(&fi, FAULT_SLAB, 0, 3), 0);
	for (i = 1; i <= 10; i++)
		if (fault_inject_should_fail(&fi, FAULT_SLAB)) {
			KTEST_EXPECT_EQ(test, i, 3);
			fails++;
		}
	KTEST_EXPECT_EQ(test, fails, 1);
	KTEST_EXPECT_EQ(test, fi.site[FAULT_SLAB].calls, 10);
	KTEST_EXPECT_EQ(test, fi.site[FAULT_SLAB].injected, 1);
	KTEST_EXPECT_FALSE(test, fault_inject_armed(&fi));
	KTEST_ASSERT_EQ(test, fault_inject_set(&fi, FAULT_PAGE_ALLOC, 1000, 0), 0);
	for (i = 0; i < 50; i++)
		KTEST_EXPECT_TRUE(test, fault_inject_should_fail(&fi, FAULT_PAGE_ALLOC));
	KTEST_ASSERT_EQ(test, fault_inject_set(&fi, FAULT_MIGRATE, 100, 0), 0);
	for (i = 0, fails = 0; i < 10000; i++)
		fails += fault_inject_should_fail(&fi, FAULT_MIGRATE);
	KTEST_EXPECT_GT(test, fails, 800);
	KTEST_EXPECT_LT(test, fails, 1200);
	KTEST_EXPECT_EQ(test, fault_inject_set(&fi, FAULT_MIGRATE, 1001, 0), -EINVAL);
	KTEST_EXPECT_EQ(test, fault_inject_total(&fi), 1 + 50 + fails);
}

/* fail= / `fail` specs: sites, all, rates, @N and off; junk is -EINVAL. */
static void fault_inject_parse_specs(struct ktest *test)
{
	static const char *const bad[] = { "page", "page:", "nope:5", "page:1001", "page:@0",
					   "page:@x", "page:5x", ":5" };
	struct fault_inject fi;
	unsigned int i;

	fault_inject_init(&fi, 1);
	KTEST_EXPECT_EQ(test, fault_inject_parse_spec(&fi, "xa:25", 5), 0);
	KTEST_EXPECT_EQ(test, fi.site[FAULT_XA_NODE].rate, 25);
	KTEST_EXPECT_EQ(test, fault_inject_parse_spec(&fi, "migrate:@7", 10), 0);
	KTEST_EXPECT_EQ(test, fi.site[FAULT_MIGRATE].nth, 7);
	KTEST_EXPECT_EQ(test, fault_inject_parse_spec(&fi, "all:off", 7), 0);
	KTEST_EXPECT_FALSE(test, fault_inject_armed(&fi));
	KTEST_EXPECT_EQ(test, fault_inject_parse_spec(&fi, "slab:3,page:4", 6), 0); /* first only */
	KTEST_EXPECT_EQ(test, fi.site[FAULT_SLAB].rate, 3);
	KTEST_EXPECT_EQ(test, fi.site[FAULT_PAGE_ALLOC].rate, 0);
	for (i = 0; i < ARRAY_SIZE(bad); i++)
		KTEST_EXPECT_EQ(test, fault_inject_parse_spec(&fi, bad[i], strlen(bad[i])), -EINVAL);
}

static const struct ktest_case fault_inject_cases[] = {
	KTEST_CASE(fault_inject_nth_and_rate),
	KTEST_CASE(fault_inject_parse_specs),
	KTEST_END,
};
KTEST_SUITE(fault_inject, fault_inject_cases);
