/*
 * Compaction, contig and scenario tests on simulated machines (host only:
 * they need more pageblocks than a kernel test environment has). Every case
 * checks mm_check and that every mapped page still holds its data.
 */
#include "include/errno.h"
#include "lib/string.h"
#include "lib/ktest.h"
#include "mm/compaction.h"
#include "mm/contig.h"
#include "mm/internal.h"
#include "mm/scenario.h"
#include "mm/testing.h"

static struct mm_test_env env;
static struct frag_scenario scen;

/* Stamp every kept mapped page with its identity, to verify after moves. */
static void stamp(void)
{
	unsigned int r;
	unsigned long i;

	for (r = 0; r < scen.nr_regions; r++)
		for (i = 0; i < scen.regions[r].nr_pages; i++) {
			unsigned long pfn;

			if (!mm_lookup_page(mapped_va(&scen.regions[r], i), &pfn))
				continue; /* freed by the scenario */
			*(unsigned long *)mapped_access(&scen.regions[r], i) = r * 1000003UL + i;
		}
}

static unsigned long stamps_bad(void)
{
	unsigned int r;
	unsigned long i, bad = 0;

	for (r = 0; r < scen.nr_regions; r++)
		for (i = 0; i < scen.regions[r].nr_pages; i++) {
			unsigned long pfn;

			if (!mm_lookup_page(mapped_va(&scen.regions[r], i), &pfn))
				continue;
			bad += *(unsigned long *)mapped_access(&scen.regions[r], i) != r * 1000003UL + i;
		}
	return bad;
}

static void run_scenario(struct ktest *test, const char *name, unsigned long span,
			 const struct pfn_range *usable, size_t nr)
{
	struct frag_run run;
	const struct compact_result *res = &run.res;

	KTEST_ASSERT_EQ(test, mm_test_env_init(&env, span, usable, nr, NULL, 0), 0);
	KTEST_ASSERT_EQ(test, frag_scenario_build(&scen, &env.mm, name), 0);
	stamp();
	frag_compact(&env.mm, COMPACT_ALL, MIGRATE_SYNC, &run);
	frag_run_expect_bounds(test, name, &run);
	KTEST_EXPECT_GT(test, run.gained, 0);
	if (run.gained)
		KTEST_EXPECT_LE(test, res->migrated * 100,
				run.before.min_moves * 105 + run.gained * 100);
	KTEST_EXPECT_EQ(test, stamps_bad(), 0);
	if (!strcmp(name, "mixed")) {
		KTEST_EXPECT_GT(test, res->migrated_by_type[MEMDESC_MSLAB], 0);
		KTEST_EXPECT_GT(test, res->migrated_by_type[MEMDESC_MAPPED], 0);
		KTEST_EXPECT_EQ(test, mslab_check(&scen.pool), 0);
	}
	KTEST_EXPECT_EQ(test, mm_check(&env.mm), 0);
	frag_scenario_destroy(&scen);
	mm_drain_pcp(&env.mm);
	KTEST_EXPECT_EQ(test, mm_nr_free_pages(&env.mm), env.mm.nr_managed);
	KTEST_EXPECT_EQ(test, mm_check(&env.mm), 0);
	mm_test_env_destroy(&env);
}

/* sparse on 256 MiB: compaction recovers what T says is possible. */
static void compaction_sparse_recovers_T(struct ktest *test)
{
	struct pfn_range all = { 0, 65536 };

	run_scenario(test, "sparse", 65536, &all, 1);
}

/* standard on 256 MiB: blocks with unmovable pages are left alone. */
static void compaction_standard_recovers_T(struct ktest *test)
{
	struct pfn_range all = { 0, 65536 };

	run_scenario(test, "standard", 65536, &all, 1);
}

/* mixed: mapped and mslab pages move in the same compaction (after pool
 * compaction packed the mslab objects). */
static void compaction_mixed_moves_both_kinds(struct ktest *test)
{
	struct pfn_range all = { 0, 65536 };

	run_scenario(test, "mixed", 65536, &all, 1);
}

/* An odd memory map (unaligned start, gaps, a short last block): the
 * scanners still meet cleanly. */
static void compaction_odd_memory_map(struct ktest *test)
{
	static const struct pfn_range odd[] = { { 77, 9000 }, { 9300, 30001 }, { 30500, 40961 } };

	run_scenario(test, "sparse", 40961, odd, 3);
}

/* Direct compaction: a MAY_COMPACT order-9 allocation succeeds in standard
 * where a plain one fails. */
static void compaction_direct_makes_order9(struct ktest *test)
{
	struct pfn_range all = { 0, 65536 };
	struct page *page;

	KTEST_ASSERT_EQ(test, mm_test_env_init(&env, 65536, &all, 1, NULL, 0), 0);
	KTEST_ASSERT_EQ(test, frag_scenario_build(&scen, &env.mm, "standard"), 0);
	KTEST_EXPECT_NULL(test, mm_alloc_pages(&env.mm, 9, GFP_NOWARN));
	page = mm_alloc_pages(&env.mm, 9, GFP_MAY_COMPACT | GFP_NOWARN);
	KTEST_ASSERT_NOT_NULL(test, page);
	KTEST_EXPECT_EQ(test, env.mm.stats.compact_direct, 1);
	KTEST_EXPECT_GT(test, env.mm.compact.migrated, 0);
	mm_free_pages(&env.mm, page, 9);
	KTEST_EXPECT_EQ(test, mm_check(&env.mm), 0);
	frag_scenario_destroy(&scen);
	mm_test_env_destroy(&env);
}

/* After failures, direct compaction is deferred, then tried again. */
static void compaction_deferral(struct ktest *test)
{
	struct pfn_range all = { 0, 4096 };
	struct compact_result res;
	unsigned int i, deferred = 0;
	unsigned long n = 0;
	struct page *page;

	KTEST_ASSERT_EQ(test, mm_test_env_init(&env, 4096, &all, 1, NULL, 0), 0);
	/* Unmovable pages in every block: no order-9 block can ever appear. */
	while ((page = mm_alloc_pages(&env.mm, 0, GFP_NOWARN)))
		n++;
	KTEST_EXPECT_EQ(test, compact_zone(&env.mm, 9, MIGRATE_SYNC, true, &res), COMPACT_COMPLETE);
	/* Failures double the number of attempts skipped: D T D D D T D D D D. */
	for (i = 0; i < 10; i++)
		deferred += compact_zone(&env.mm, 9, MIGRATE_SYNC, true, &res) == COMPACT_DEFERRED;
	KTEST_EXPECT_EQ(test, deferred, 8);
	KTEST_EXPECT_EQ(test, env.mm.compact.deferred, deferred);
	/* Lower orders are not deferred, and explicit compaction never is. */
	KTEST_EXPECT_NE(test, compact_zone(&env.mm, 3, MIGRATE_SYNC, true, &res), COMPACT_DEFERRED);
	KTEST_EXPECT_NE(test, compact_zone(&env.mm, 9, MIGRATE_SYNC, false, &res), COMPACT_DEFERRED);
	KTEST_EXPECT_GT(test, n, 0);
	mm_test_env_destroy(&env);
}

/* Skip bits mark exactly the blocks holding unmovable pages. */
static void compaction_skip_bits(struct ktest *test)
{
	struct pfn_range all = { 0, 4096 };
	struct compact_result res;
	struct page *page;
	unsigned long b, skipped = 0;

	KTEST_ASSERT_EQ(test, mm_test_env_init(&env, 4096, &all, 1, NULL, 0), 0);
	page = mm_alloc_pfn(&env.mm, 1024 + 17); /* block 2 */
	KTEST_ASSERT_NOT_NULL(test, page);
	compact_zone(&env.mm, COMPACT_ALL, MIGRATE_SYNC, false, &res);
	for (b = 0; b < 4096; b += PAGEBLOCK_PAGES)
		skipped += pageblock_skip(&env.mm, b);
	KTEST_EXPECT_EQ(test, skipped, 1);
	KTEST_EXPECT_TRUE(test, pageblock_skip(&env.mm, 1024));
	mm_free_pages(&env.mm, page, 0);
	mm_test_env_destroy(&env);
}

/* contig: a movable-only range is evacuated and claimed; a range with an
 * unmovable page fails with -EBUSY and nothing changes. */
static void contig_range_success_and_busy(struct ktest *test)
{
	struct pfn_range all = { 0, 16384 };
	unsigned long free_before, pfn;
	struct page *page;
	int err;

	KTEST_ASSERT_EQ(test, mm_test_env_init(&env, 16384, &all, 1, NULL, 0), 0);
	KTEST_ASSERT_EQ(test, frag_scenario_build(&scen, &env.mm, "sparse"), 0);
	stamp();
	free_before = mm_nr_free_pages(&env.mm);
	KTEST_ASSERT_EQ(test, alloc_contig_range(&env.mm, 2048, 1500), 0);
	KTEST_EXPECT_EQ(test, mm_nr_free_pages(&env.mm), free_before - 1500);
	KTEST_EXPECT_EQ(test, stamps_bad(), 0);
	KTEST_EXPECT_EQ(test, mm_check(&env.mm), 0);
	free_contig_range(&env.mm, 2048, 1500);
	mm_drain_pcp(&env.mm);
	KTEST_EXPECT_EQ(test, mm_nr_free_pages(&env.mm), free_before);

	page = mm_alloc_pfn(&env.mm, 5000);
	if (!page) { /* 5000 held a kept mapped page: move it first */
		unsigned long x = 5000;
		struct migrate_result result;

		migrate_pages(&env.mm, &x, 1, NULL, NULL, NULL, MIGRATE_SYNC, &result);
		page = mm_alloc_pfn(&env.mm, 5000);
	}
	KTEST_ASSERT_NOT_NULL(test, page);
	free_before = mm_nr_free_pages(&env.mm);
	KTEST_EXPECT_EQ(test, alloc_contig_range(&env.mm, 4608, 1024), -EBUSY);
	KTEST_EXPECT_EQ(test, mm_nr_free_pages(&env.mm), free_before);
	KTEST_EXPECT_EQ(test, pageblock_mt(&env.mm, 4608), MIGRATE_MOVABLE);
	KTEST_EXPECT_EQ(test, alloc_contig_range(&env.mm, 16000, 1000), -EINVAL);
	KTEST_EXPECT_EQ(test, stamps_bad(), 0);
	KTEST_EXPECT_EQ(test, mm_check(&env.mm), 0);

	err = alloc_contig_pages(&env.mm, 2048, &pfn);
	KTEST_EXPECT_EQ(test, err, 0);
	KTEST_EXPECT_TRUE(test, pfn + 2048 <= 4608 || pfn > 5000);
	if (!err)
		free_contig_range(&env.mm, pfn, 2048);
	mm_free_pages(&env.mm, page, 0);
	frag_scenario_destroy(&scen);
	KTEST_EXPECT_EQ(test, mm_nr_free_pages(&env.mm), env.mm.nr_managed);
	KTEST_EXPECT_EQ(test, mm_check(&env.mm), 0);
	mm_test_env_destroy(&env);
}

static unsigned int guard_calls;

/* A target allocator that itself asks for a compacting high-order page. */
static struct page *compacting_alloc(struct mm *mm, struct page *src, void *priv)
{
	struct page *big = mm_alloc_pages(mm, 9, GFP_MAY_COMPACT | GFP_NOWARN);

	guard_calls++;
	if (big)
		mm_free_pages(mm, big, 9);
	return mm_alloc_pages(mm, page_order(src), GFP_MOVABLE | GFP_NOWARN);
}

/* Target allocation inside migration never recurses into compaction. */
static void compaction_not_entered_from_migration(struct ktest *test)
{
	struct pfn_range all = { 0, 16384 };
	unsigned long pfns[8], i, n = 0;
	struct migrate_result result;

	KTEST_ASSERT_EQ(test, mm_test_env_init(&env, 16384, &all, 1, NULL, 0), 0);
	KTEST_ASSERT_EQ(test, frag_scenario_build(&scen, &env.mm, "sparse"), 0);
	while (mm_alloc_pages(&env.mm, 9, GFP_NOWARN)) /* no free 2 MiB block left */
		;
	for (i = 0; n < 8 && i < scen.regions[0].nr_pages; i++) /* kept pages only */
		if (mm_lookup_page(mapped_va(&scen.regions[0], i), &pfns[n]))
			n++;
	guard_calls = 0;
	migrate_pages(&env.mm, pfns, n, compacting_alloc, NULL, NULL, MIGRATE_SYNC, &result);
	KTEST_EXPECT_EQ(test, n, 8);
	KTEST_EXPECT_EQ(test, guard_calls, 8);
	KTEST_EXPECT_EQ(test, result.succeeded, 8);
	KTEST_EXPECT_EQ(test, env.mm.stats.compact_direct, 0);
	KTEST_EXPECT_EQ(test, env.mm.compact.runs, 0);
	KTEST_EXPECT_EQ(test, mm_check(&env.mm), 0);
	frag_scenario_destroy(&scen);
	mm_test_env_destroy(&env);
}

static const struct ktest_case compaction_cases[] = {
	KTEST_CASE(compaction_sparse_recovers_T),
	KTEST_CASE(compaction_standard_recovers_T),
	KTEST_CASE(compaction_mixed_moves_both_kinds),
	KTEST_CASE(compaction_odd_memory_map),
	KTEST_CASE(compaction_direct_makes_order9),
	KTEST_CASE(compaction_deferral),
	KTEST_CASE(compaction_skip_bits),
	KTEST_CASE(contig_range_success_and_busy),
	KTEST_CASE(compaction_not_entered_from_migration),
	KTEST_END,
};
KTEST_SUITE(compaction, compaction_cases);
