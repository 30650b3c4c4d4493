/*
 * Tests of mapped pages on private mm instances (host and kernel): a region
 * is backed and mapped, its pages migrate with their data and their mapping
 * follows, and during a move the page is behind a migration entry (any
 * access would fault). The fault-and-wait path with real threads is in
 * kernel/mm/mapped_fault_test.c.
 */
#include "include/errno.h"
#include "lib/ktest.h"
#include "mm/mapped.h"
#include "mm/migrate.h"
#include "mm/testing.h"

#define NPAGES 64

static struct mm_test_env env;
static struct mapped_region test_region;

static void teardown(struct ktest *test, unsigned long free_before_region)
{
	mapped_region_destroy(&test_region);
	mm_test_env_finish(test, &env, free_before_region);
}

/* A region's pages are movable MAPPED pages mapped at consecutive addresses. */
static void mapped_region_maps_movable_pages(struct ktest *test)
{
	struct mapped_region empty;
	unsigned long p, pfn;
	unsigned long free_start;

	KTEST_ASSERT_EQ(test, mm_test_env_simple(&env, 1024), 0);
	KTEST_ASSERT_EQ(test, mapped_init(&env.mm), 0);
	free_start = mm_nr_free_pages(&env.mm);
	KTEST_EXPECT_EQ(test, mapped_region_create(&empty, &env.mm, 0, 0), -EINVAL);
	KTEST_ASSERT_EQ(test, mapped_region_create(&test_region, &env.mm, NPAGES, GFP_ZERO), 0);
	for (p = 0; p < NPAGES; p++) {
		struct page *pg;

		KTEST_ASSERT_TRUE(test, mm_lookup_page(mapped_va(&test_region, p), &pfn));
		pg = mm_pfn_to_page(&env.mm, pfn);
		KTEST_EXPECT_EQ(test, page_type(pg), MEMDESC_MAPPED);
		KTEST_EXPECT_TRUE(test, page_is_movable(pg));
		KTEST_EXPECT_NOT_NULL(test, page_movable_ops(&env.mm, pg));
	}
	teardown(test, free_start);
}

/* Migrating every page keeps the data, moves the mapping to the new frames
 * and frees the old ones. */
static void mapped_migration_keeps_data_and_remaps(struct ktest *test)
{
	unsigned long pfns[NPAGES], old[NPAGES], p, free_start;
	struct migrate_result result;

	KTEST_ASSERT_EQ(test, mm_test_env_simple(&env, 1024), 0);
	KTEST_ASSERT_EQ(test, mapped_init(&env.mm), 0);
	free_start = mm_nr_free_pages(&env.mm);
	KTEST_ASSERT_EQ(test, mapped_region_create(&test_region, &env.mm, NPAGES, 0), 0);
	mm_test_region_fill(&test_region);
	for (p = 0; p < NPAGES; p++)
		pfns[p] = old[p] = mapped_pfn(&test_region, p);
	KTEST_EXPECT_EQ(test, migrate_pages(&env.mm, pfns, NPAGES, NULL, NULL, NULL, MIGRATE_SYNC, &result), 0);
	KTEST_EXPECT_EQ(test, result.succeeded, NPAGES);
	KTEST_EXPECT_EQ(test, result.bytes_copied, NPAGES * PAGE_SIZE);
	KTEST_EXPECT_EQ(test, test_region.migrations, NPAGES);
	for (p = 0; p < NPAGES; p++)
		KTEST_EXPECT_NE(test, mapped_pfn(&test_region, p), old[p]);
	KTEST_EXPECT_EQ(test, mm_test_region_bad_pages(&test_region), 0);
	KTEST_EXPECT_EQ(test, env.mm.stats.migrate_by_type[MEMDESC_MAPPED], NPAGES);
	teardown(test, free_start);
}

static int hook_checks;
static int hook_failures;

/* While a page moves, its PTE is a migration entry naming the source and
 * the page is not mapped (an access faults). */
static void check_entry(struct mapped_region *region, unsigned long index)
{
	unsigned long pfn, mapped;

	hook_checks++;
	if (!mm_migration_entry(mapped_va(region, index), &pfn) ||
	    mm_lookup_page(mapped_va(region, index), &mapped))
		hook_failures++;
}

static void mapped_migration_entry_during_move(struct ktest *test)
{
	unsigned long pfn, free_start;
	struct migrate_result result;

	KTEST_ASSERT_EQ(test, mm_test_env_simple(&env, 1024), 0);
	KTEST_ASSERT_EQ(test, mapped_init(&env.mm), 0);
	free_start = mm_nr_free_pages(&env.mm);
	KTEST_ASSERT_EQ(test, mapped_region_create(&test_region, &env.mm, 4, 0), 0);
	mm_test_region_fill(&test_region);
	hook_checks = hook_failures = 0;
	test_region.migrate_hook = check_entry;
	pfn = mapped_pfn(&test_region, 2);
	KTEST_EXPECT_EQ(test, migrate_pages(&env.mm, &pfn, 1, NULL, NULL, NULL, MIGRATE_SYNC, &result), 0);
	KTEST_EXPECT_EQ(test, hook_checks, 1);
	KTEST_EXPECT_EQ(test, hook_failures, 0);
	KTEST_EXPECT_FALSE(test, mm_migration_entry(mapped_va(&test_region, 2), &pfn));
	KTEST_EXPECT_FALSE(test, mapped_fault(mapped_va(&test_region, 2), false));
	KTEST_EXPECT_EQ(test, mm_test_region_bad_pages(&test_region), 0);
	test_region.migrate_hook = NULL;
	teardown(test, free_start);
}

/* Running out of memory half-way through a region undoes everything. */
static void mapped_region_setup_failure_undoes(struct ktest *test)
{
	unsigned long free_start, n = 0;
	struct page *page;

	KTEST_ASSERT_EQ(test, mm_test_env_simple(&env, 1024), 0);
	KTEST_ASSERT_EQ(test, mapped_init(&env.mm), 0);
	/* Leave room for fewer pages than asked for. */
	while (mm_nr_free_pages(&env.mm) > env.mm.wmark[WMARK_MIN] + 40 &&
	       (page = mm_alloc_pages(&env.mm, 0, GFP_NOWARN)))
		n++;
	free_start = mm_nr_free_pages(&env.mm);
	KTEST_EXPECT_EQ(test, mapped_region_create(&test_region, &env.mm, 200, 0), -ENOMEM);
	mm_drain_pcp(&env.mm);
	KTEST_EXPECT_EQ(test, mm_nr_free_pages(&env.mm), free_start);
	KTEST_EXPECT_EQ(test, mm_check(&env.mm), 0);
	KTEST_EXPECT_GT(test, n, 0);
	mm_test_env_destroy(&env);
}

static const struct ktest_case mapped_cases[] = {
	KTEST_CASE(mapped_region_maps_movable_pages),
	KTEST_CASE(mapped_migration_keeps_data_and_remaps),
	KTEST_CASE(mapped_migration_entry_during_move),
	KTEST_CASE(mapped_region_setup_failure_undoes),
	KTEST_END,
};
KTEST_SUITE(mapped, mapped_cases);
