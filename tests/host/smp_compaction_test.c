/*
 * The race workload (tests/workload/race_workload.h) on the host's thread
 * CPUs, and so under ThreadSanitizer too (`make tsan`, the tsan stage):
 * compaction on every CPU at once while the owners give pages up, and the
 * allocation storm against compaction and alloc_contig. What it proves is
 * the workload's list of checks; under TSan also that no access of the
 * shared page, pageblock and compaction state is a data race. Host only
 * (real threads); the kernel runs the same workload as compaction_smp.
 */
#include "lib/ktest.h"
#include "mm/testing.h"
#include "tests/workload/race_workload.h"

#define BUDGET_NS 1000000000ULL /* per case */

static void run(struct ktest *test, enum race_kind kind)
{
	struct race_config cfg = { .kind = kind, .nr_cpus = mm_test_nr_cpus(),
				   .budget_ns = BUDGET_NS, .seed = 19 };
	struct race_figures fig;

	KTEST_ASSERT_EQ(test, race_workload_run(test, &cfg, &fig), 0);
	race_workload_expect_clean(test, &fig);
}

/* Compaction on 4 CPUs at once over one mm while each frees and takes
 * stack pages, mslab objects and mapped pages: nothing lost, moved or
 * freed twice, contents intact. */
static void smp_compaction_everywhere_with_owner_frees(struct ktest *test)
{
	run(test, RACE_COMPACTION);
}

/* CPUs 1-3 allocate and free random orders while CPU 0 compacts and takes
 * alloc_contig ranges: the counts and mm_check stay exact. */
static void smp_compaction_allocation_storm(struct ktest *test)
{
	run(test, RACE_STORM);
}

static const struct ktest_case smp_compaction_cases[] = {
	KTEST_CASE(smp_compaction_everywhere_with_owner_frees),
	KTEST_CASE(smp_compaction_allocation_storm),
	KTEST_END,
};
KTEST_SUITE(smp_compaction, smp_compaction_cases);
