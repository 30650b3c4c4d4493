/* Tests of the free-memory snapshot and the fragmentation measures. */
#include "lib/ktest.h"
#include "lib/string.h"
#include "mm/stats.h"
#include "mm/testing.h"

/* Crafted snapshots: all free memory in small blocks is fragmentation; a
 * free block of the order means the index says "would succeed". */
static void stats_fragmentation_measures(struct ktest *test)
{
	struct mm_free_info fi;

	memset(&fi, 0, sizeof(fi));
	KTEST_EXPECT_EQ(test, mm_fragmentation_score(&fi, 9), 0);
	KTEST_EXPECT_EQ(test, mm_fragmentation_index(&fi, 9), 0);
	fi.blocks[0][MIGRATE_MOVABLE] = 1024; /* 1024 single pages */
	fi.free_pages = 1024;
	KTEST_EXPECT_EQ(test, mm_fragmentation_score(&fi, 9), 100);
	/* 1000 - (1000 + 1024*1000/512) / 1024 = 1000 - 2 */
	KTEST_EXPECT_EQ(test, mm_fragmentation_index(&fi, 9), 998);
	fi.blocks[9][MIGRATE_MOVABLE] = 1;
	fi.free_pages += 512;
	KTEST_EXPECT_EQ(test, mm_fragmentation_index(&fi, 9), -1000);
	KTEST_EXPECT_EQ(test, mm_fragmentation_score(&fi, 9), 66);
	memset(&fi, 0, sizeof(fi));
	fi.blocks[3][MIGRATE_UNMOVABLE] = 1; /* little memory: low index */
	fi.free_pages = 8;
	KTEST_EXPECT_LT(test, mm_fragmentation_index(&fi, 9), 100);
}

/* The snapshot of a real zone matches its lists and pageblock types. */
static void stats_snapshot_matches_zone(struct ktest *test)
{
	struct mm_test_env env;
	struct mm_free_info fi;
	struct page *page;

	KTEST_ASSERT_EQ(test, mm_test_env_simple(&env, 1024), 0);
	page = mm_alloc_pages(&env.mm, 0, GFP_KERNEL);
	KTEST_ASSERT_NOT_NULL(test, page);
	mm_free_info(&env.mm, &fi);
	KTEST_EXPECT_EQ(test, fi.free_pages, 1023);
	KTEST_EXPECT_EQ(test, fi.pcp_pages, env.mm.pcp[0].count);
	KTEST_EXPECT_EQ(test, fi.pageblocks[MIGRATE_UNMOVABLE], 1);
	KTEST_EXPECT_EQ(test, fi.pageblocks[MIGRATE_MOVABLE], 1);
	KTEST_EXPECT_EQ(test, fi.blocks[9][MIGRATE_MOVABLE], 1);
	mm_free_pages(&env.mm, page, 0);
	mm_test_env_finish(test, &env, 1024);
}

static const struct ktest_case stats_cases[] = {
	KTEST_CASE(stats_fragmentation_measures),
	KTEST_CASE(stats_snapshot_matches_zone),
	KTEST_END,
};
KTEST_SUITE(mm_stats, stats_cases);
