/*
 * Host stress of fault injection (host only: too long for TCG): the
 * standard frag scenario on a 16 MiB private mm (built without injection:
 * the build is all or nothing), compacted twice with the migrate site failing at 300 per mille and page allocation at 20, for
 * several seeds. After injection goes off and the scenario is torn down:
 * mm_check clean, no page lost, every kept page's stamp intact.
 */
#include "lib/ktest.h"
#include "mm/compaction.h"
#include "mm/fault_inject.h"
#include "mm/scenario.h"
#include "mm/testing.h"

#define SPAN 4096
#define SEEDS 6

static struct mm_test_env env;
static struct frag_scenario scen;
static struct fault_inject fi;

/* Return: faults injected in one seeded run. */
static unsigned long one_run(struct ktest *test, u64 seed)
{
	struct compact_result res;
	struct frag_verify verify = { 0 };
	unsigned long lost;
	bool built;

	if (mm_test_env_simple(&env, SPAN)) {
		ktest_fail(test, __FILE__, __LINE__, "no private mm");
		return 0;
	}
	fault_inject_init(&fi, seed);
	fault_inject_set(&fi, FAULT_MIGRATE, 300, 0);
	fault_inject_set(&fi, FAULT_PAGE_ALLOC, 20, 0);
	built = frag_scenario_build(&scen, &env.mm, "standard") == 0; /* all or nothing */
	KTEST_EXPECT_TRUE(test, built);
	env.mm.fault = &fi;
	compact_zone(&env.mm, COMPACT_ALL, MIGRATE_SYNC, false, &res);
	compact_zone(&env.mm, COMPACT_ALL, MIGRATE_ASYNC, false, &res);
	env.mm.fault = NULL;
	if (built) {
		frag_scenario_verify(&scen, &verify);
		KTEST_EXPECT_EQ(test, verify.mapped_bad, 0);
		frag_scenario_destroy(&scen);
	}
	mm_drain_pcp(&env.mm);
	lost = env.mm.nr_managed - mm_nr_free_pages(&env.mm);
	ktest_diag(test, "seed %lu: scenario %s, %lu mapped pages checked, %lu faults injected, "
		   "pages lost: %lu", (unsigned long)seed, built ? "built" : "failed",
		   verify.mapped_pages, fault_inject_total(&fi), lost);
	KTEST_EXPECT_EQ(test, lost, 0);
	KTEST_EXPECT_EQ(test, mm_check(&env.mm), 0);
	mm_test_env_destroy(&env);
	return fault_inject_total(&fi);
}

/* Seeded runs: every injected failure unwinds; totals as a diagnostic. */
static void fault_model_compaction_survives(struct ktest *test)
{
	unsigned long injected = 0;
	u64 seed;

	for (seed = 1; seed <= SEEDS; seed++)
		injected += one_run(test, seed);
	ktest_diag(test, "faults injected %lu, survived %lu", injected, test->failures ? 0 : injected);
	KTEST_EXPECT_GT(test, injected, 0);
}

static const struct ktest_case fault_model_cases[] = {
	KTEST_CASE(fault_model_compaction_survives),
	KTEST_END,
};
KTEST_SUITE(fault_model, fault_model_cases);
