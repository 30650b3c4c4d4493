/*
 * The fragmentation scenarios and their figures on a small machine (a
 * 16 MiB test environment with page data, in the kernel and on the host):
 * for every scenario one frag_compact() never passes T (T is an upper
 * bound), gets within one block of it, moves at least min_moves pages when
 * it reaches T, keeps every page's contents, and after frag_scenario_destroy
 * every page is free again, exactly. The same checks run on the kernel's
 * own 512 MiB and 1 GiB machines (kernel/mm/compaction_kernel_test.c) and on a
 * 64 GiB simulation (tests/host/compaction_host_test.c).
 */
#include "lib/ktest.h"
#include "lib/string.h"
#include "mm/scenario.h"
#include "mm/testing.h"

#define SCEN_PAGES 4096 /* 16 MiB */

static struct mm_test_env env;
static struct frag_scenario scen;

/* Check one measured compaction against its own figures. */
void frag_run_expect_bounds(struct ktest *test, const char *name, const struct frag_run *run)
{
	const struct frag_figures *figures = &run->before, *a = &run->after;

	ktest_diag(test, "%s: T %lu (free %lu, candidates %lu), recovered %lu -> %lu, moved %lu "
		   "(min %lu) in %lu ms, packing moved %lu objects (%lu bytes), freed %lu pages",
		   name, figures->T, figures->free_pages, figures->candidates, figures->recovered, a->recovered,
		   run->res.migrated, figures->min_moves, (unsigned long)(run->res.time_ns / 1000000),
		   run->pack.objects_moved, run->pack.bytes_copied, run->pack.pages_freed);
	KTEST_EXPECT_GT(test, figures->T, 0);
	KTEST_EXPECT_FALSE(test, run->over_bound);
	KTEST_EXPECT_LE(test, a->recovered, figures->T);
	/* One block short at most: the block where the scanners meet holds
	 * targets when T's slack (free pages beyond 512 T) is small. */
	KTEST_EXPECT_GE(test, a->recovered + 1, figures->T);
	KTEST_EXPECT_LE(test, figures->gainable, figures->T);
	if (a->recovered == figures->T)
		KTEST_EXPECT_GE(test, run->res.migrated, figures->min_moves);
	KTEST_EXPECT_EQ(test, run->res.failed, 0);
}

static void run_small(struct ktest *test, const char *name)
{
	struct frag_verify verify;
	struct frag_run run;

	KTEST_ASSERT_EQ(test, mm_test_env_simple(&env, SCEN_PAGES), 0);
	KTEST_ASSERT_EQ(test, frag_scenario_build(&scen, &env.mm, name), 0);
	frag_compact(&env.mm, COMPACT_ALL, MIGRATE_SYNC, &run);
	frag_run_expect_bounds(test, name, &run);
	frag_scenario_verify(&scen, &verify);
	KTEST_EXPECT_GT(test, verify.mapped_pages, 0);
	KTEST_EXPECT_EQ(test, verify.mapped_bad, 0);
	KTEST_EXPECT_EQ(test, verify.mslab_bad, 0);
	if (!strcmp(name, "mixed"))
		KTEST_EXPECT_GT(test, run.pack.objects_moved, 0);
	KTEST_EXPECT_EQ(test, mm_check(&env.mm), 0);
	frag_scenario_destroy(&scen);
	mm_drain_pcp(&env.mm);
	KTEST_EXPECT_EQ(test, mm_nr_free_pages(&env.mm), env.mm.nr_managed);
	mm_test_env_destroy(&env);
}

/* sparse at 16 MiB: recovered <= T, within a block of it. */
static void scenario_sparse_16m_within_T(struct ktest *test) { run_small(test, "sparse"); }

/* standard at 16 MiB: the salted blocks are not candidates. */
static void scenario_standard_16m_within_T(struct ktest *test) { run_small(test, "standard"); }

/* mixed at 16 MiB: T is taken after the mslab packing phase. */
static void scenario_mixed_16m_within_T(struct ktest *test) { run_small(test, "mixed"); }

/* T is min(candidates, free / 512) with no reserve, and gainable leaves out
 * the candidates free already. */
static void scenario_T_definition(struct ktest *test)
{
	struct frag_figures figures;

	KTEST_ASSERT_EQ(test, mm_test_env_simple(&env, SCEN_PAGES), 0);
	frag_figures(&env.mm, &figures);
	KTEST_EXPECT_EQ(test, figures.free_pages, env.mm.nr_managed);
	KTEST_EXPECT_EQ(test, figures.T, MIN(figures.candidates, figures.free_pages / PAGEBLOCK_PAGES));
	KTEST_EXPECT_EQ(test, figures.recovered, figures.T); /* everything free: nothing to gain */
	KTEST_EXPECT_EQ(test, figures.gainable, 0);
	KTEST_EXPECT_EQ(test, figures.min_moves, 0);
	mm_test_env_destroy(&env);
}

static const struct ktest_case scenario_cases[] = {
	KTEST_CASE(scenario_T_definition),
	KTEST_CASE(scenario_sparse_16m_within_T),
	KTEST_CASE(scenario_standard_16m_within_T),
	KTEST_CASE(scenario_mixed_16m_within_T),
	KTEST_END,
};
KTEST_SUITE(scenario, scenario_cases);
