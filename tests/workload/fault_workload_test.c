/*
 * The whole workload on a private mm under fault injection, at a few rates,
 * at Nth-call points and per site: the mixed frag scenario, an mslab pool
 * with patterned objects (alloc/free/compact), compaction, a contig
 * allocation and balloon inflate/deflate against the simulated device (the
 * test drives the balloon; mm code itself never calls drivers). Then
 * injection goes off, everything is torn down and checked: mm_check() == 0,
 * no page lost, every surviving object intact. Totals are printed as KTAP
 * diagnostics. It drives mm/, lib/ and drivers/virtio/ together, so it
 * lives with neither: the kernel and the host runner both link tests/workload/.
 */
#include "drivers/virtio/balloon.h"
#include "drivers/virtio/balloon_sim.h"
#include "include/errno.h"
#include "lib/ktest.h"
#include "lib/string.h"
#include "mm/compaction.h"
#include "mm/contig.h"
#include "mm/fault_inject.h"
#include "mm/mslab.h"
#include "mm/scenario.h"
#include "mm/testing.h"

#define SPAN 1024
#define OBJS 96
#define BALLOON_TARGET 96

/* What one injected run built, kept or found. */
struct fault_run {
	struct mm_test_env env;
	struct fault_inject fi;
	struct frag_scenario scen;
	bool scen_built;
	struct mslab_pool pool;
	bool pool_ok;
	unsigned long handles[OBJS];
	unsigned long contig_pfn;
	bool contig_ok;
	struct balloon_sim sim;
	struct balloon balloon;
	bool balloon_ok;
	struct fault_xa_ops xa_faulty;
	unsigned long node_pages;
	unsigned long objects_bad;
};

static struct fault_run shared_run;

static void *node_alloc(size_t size, void *priv)
{
	struct fault_run *run = priv;

	return mm_test_node_alloc(&run->env.mm, size, GFP_NOWARN, &run->node_pages);
}

static void node_free(void *p, size_t size, void *priv)
{
	struct fault_run *run = priv;

	mm_test_node_free(&run->env.mm, p, &run->node_pages);
}

static const struct xa_alloc_ops node_ops = { .alloc = node_alloc, .free = node_free,
					       .priv = &shared_run };

static u8 object_byte(unsigned int i, size_t off) { return (u8)(i * 37 + off * 11 + 5); }
static size_t object_size(unsigned int i) { return 16 + (i * 97) % 900; }

/* Fill every empty handle with a patterned object, then free every third
 * again (holes for compaction); a later round refills what failed. */
static void objects_alloc(struct fault_run *run)
{
	unsigned int i;
	size_t off;

	for (i = 0; i < OBJS; i++) {
		u8 *p;

		if (run->handles[i])
			continue;
		run->handles[i] = mslab_alloc(&run->pool, object_size(i), GFP_NOWARN);
		if (!run->handles[i])
			continue;
		p = mslab_map(&run->pool, run->handles[i]);
		for (off = 0; off < object_size(i); off++)
			p[off] = object_byte(i, off);
		mslab_unmap(&run->pool, run->handles[i]);
	}
	for (i = 0; i < OBJS; i += 3)
		if (run->handles[i]) {
			mslab_free(&run->pool, run->handles[i]);
			run->handles[i] = 0;
		}
}

static unsigned long objects_verify_and_free(struct fault_run *run)
{
	unsigned long bad = 0;
	unsigned int i;
	size_t off;

	for (i = 0; i < OBJS; i++) {
		const u8 *p;

		if (!run->handles[i])
			continue;
		p = mslab_map(&run->pool, run->handles[i]);
		for (off = 0; off < object_size(i); off++)
			if (p[off] != object_byte(i, off)) {
				bad++;
				break;
			}
		mslab_unmap(&run->pool, run->handles[i]);
		mslab_free(&run->pool, run->handles[i]);
	}
	return bad;
}

static bool balloon_settle(struct fault_run *run, u32 num_pages)
{
	unsigned int round;

	run->sim.num_pages = num_pages;
	run->balloon.config_pending = true;
	for (round = 0; round < 200; round++) {
		if (run->balloon.config_pending)
			balloon_read_target(&run->balloon);
		if (balloon_adjust(&run->balloon) && !run->balloon.config_pending)
			return true;
		if (run->balloon.info.broken)
			return false;
	}
	return false;
}

static void set_config_pending(void *arg) { ((struct balloon *)arg)->config_pending = true; }

/* Start the balloon unless it runs, then inflate and partly deflate. */
static void balloon_part(struct fault_run *run)
{
	struct balloon_config cfg;

	if (!run->balloon_ok) {
		if (balloon_sim_init(&run->sim, &run->env.mm))
			return;
		run->sim.config_changed = set_config_pending;
		run->sim.arg = &run->balloon;
		fault_xa_ops_init(&run->xa_faulty, &run->env.mm, &node_ops);
		cfg = (struct balloon_config){ .mm = &run->env.mm, .vdev = &run->sim.vdev,
					       .xa_ops = &run->xa_faulty.ops, .batch = 32,
					       .keep_pages = 16, .timeout_us = 2000,
					       .wait = balloon_sim_wait, .priv = &run->sim };
		if (balloon_start(&run->balloon, &cfg))
			return;
		run->balloon_ok = true;
	}
	balloon_settle(run, BALLOON_TARGET); /* may stop short: pages or nodes fail */
	balloon_settle(run, BALLOON_TARGET / 3);
}

#define ROUNDS 16

/*
 * Everything, with @run->fi attached to the mm, in ROUNDS rounds: a step that
 * failed is tried again in the next round, as a caller would, so one early
 * fault does not end the run.
 */
static void workload(struct fault_run *run)
{
	struct compact_result res;
	unsigned int round;

	for (round = 0; round < ROUNDS; round++) {
		if (!run->scen_built)
			run->scen_built = frag_scenario_build(&run->scen, &run->env.mm, "mixed") == 0;
		if (!run->pool_ok)
			run->pool_ok = mslab_pool_create(&run->pool, &run->env.mm, "fault") == 0;
		if (run->pool_ok) {
			objects_alloc(run);
			mslab_compact(&run->pool, NULL);
		}
		compact_zone(&run->env.mm, COMPACT_ALL, MIGRATE_SYNC, false, &res);
		if (!run->contig_ok) {
			run->contig_ok = alloc_contig_pages(&run->env.mm, PAGEBLOCK_PAGES / 4,
							  &run->contig_pfn) == 0;
		}
		balloon_part(run);
	}
	compact_zone(&run->env.mm, COMPACT_ALL, MIGRATE_SYNC, false, &res);
}

/* Injection off: verify what survived, then take everything down. */
static void teardown_and_check(struct ktest *test, struct fault_run *run, unsigned long *lost)
{
	struct frag_verify verify = { 0 };
	unsigned long free_now;

	run->env.mm.fault = NULL;
	if (run->balloon_ok) {
		KTEST_EXPECT_TRUE(test, balloon_settle(run, 0));
		KTEST_EXPECT_EQ(test, balloon_stop(&run->balloon), 0);
		KTEST_EXPECT_EQ(test, run->sim.violations, 0);
	}
	if (run->scen_built) {
		frag_scenario_verify(&run->scen, &verify);
		KTEST_EXPECT_EQ(test, verify.mapped_bad, 0);
		KTEST_EXPECT_EQ(test, verify.mslab_bad, 0);
		frag_scenario_destroy(&run->scen);
	}
	if (run->pool_ok) {
		KTEST_EXPECT_EQ(test, mslab_check(&run->pool), 0);
		run->objects_bad = objects_verify_and_free(run);
		KTEST_EXPECT_EQ(test, run->objects_bad, 0);
		mslab_pool_destroy(&run->pool);
	}
	if (run->contig_ok)
		free_contig_range(&run->env.mm, run->contig_pfn, PAGEBLOCK_PAGES / 4);
	mm_drain_pcp(&run->env.mm);
	KTEST_EXPECT_EQ(test, mm_check(&run->env.mm), 0);
	KTEST_EXPECT_EQ(test, run->node_pages, 0);
	free_now = mm_nr_free_pages(&run->env.mm);
	*lost = run->env.mm.nr_managed - free_now - run->node_pages;
}

#define ALL_SITES ((1U << NR_FAULT_SITES) - 1)

/* One run at @rate per mille, or failing the @nth call, on the sites in
 * @sites (a bit per enum fault_site). Return: faults injected. */
static unsigned long run_injected(struct ktest *test, unsigned int sites, unsigned int rate,
				  unsigned long nth, u64 seed)
{
	unsigned long lost, injected;
	unsigned int s;

	memset(&shared_run, 0, sizeof(shared_run));
	if (mm_test_env_simple(&shared_run.env, SPAN)) {
		ktest_fail(test, __FILE__, __LINE__, "no private mm");
		return 0;
	}
	fault_inject_init(&shared_run.fi, seed);
	for (s = 0; s < NR_FAULT_SITES; s++)
		if (sites & (1U << s))
			fault_inject_set(&shared_run.fi, (enum fault_site)s, rate, nth);
	shared_run.env.mm.fault = &shared_run.fi;
	workload(&shared_run);
	teardown_and_check(test, &shared_run, &lost);
	injected = fault_inject_total(&shared_run.fi);
	ktest_diag(test, "sites %#x rate %u/1000 nth %lu: %lu calls page/slab/xa/migrate %lu/%lu/%lu/%lu, "
		   "%lu injected; pages lost: %lu", sites, rate, nth,
		   shared_run.fi.site[FAULT_PAGE_ALLOC].calls + shared_run.fi.site[FAULT_SLAB].calls +
		   shared_run.fi.site[FAULT_XA_NODE].calls + shared_run.fi.site[FAULT_MIGRATE].calls,
		   shared_run.fi.site[FAULT_PAGE_ALLOC].injected, shared_run.fi.site[FAULT_SLAB].injected,
		   shared_run.fi.site[FAULT_XA_NODE].injected, shared_run.fi.site[FAULT_MIGRATE].injected,
		   injected, lost);
	KTEST_EXPECT_EQ(test, lost, 0);
	KTEST_EXPECT_EQ(test, mm_nr_free_pages(&shared_run.env.mm), shared_run.env.mm.nr_managed);
	KTEST_EXPECT_EQ(test, shared_run.env.mm.nr_free + shared_run.env.mm.nr_reserved,
			shared_run.env.mm.end_pfn - shared_run.env.mm.base_pfn);
	mm_test_env_destroy(&shared_run.env);
	return injected;
}

/* The workload at 0, 5, 50 and 200 per mille on every site: nothing lost,
 * nothing corrupted, mm_check clean. */
static void fault_workload_at_rates(struct ktest *test)
{
	static const unsigned int rates[] = { 0, 5, 50, 200 };
	unsigned long injected = 0;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(rates); i++)
		injected += run_injected(test, ALL_SITES, rates[i], 0, 0x5eed + i);
	ktest_diag(test, "faults injected %lu, survived %lu", injected,
		   test->failures ? 0 : injected);
	KTEST_EXPECT_GT(test, injected, 0);
}

/* The workload failing exactly the Nth call of every site, for a spread of
 * N: each early, one-off failure is unwound completely. */
static void fault_workload_at_nth_call(struct ktest *test)
{
	static const unsigned long nths[] = { 1, 2, 3, 5, 8, 13, 40, 100, 300 };
	unsigned long injected = 0;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(nths); i++)
		injected += run_injected(test, ALL_SITES, 0, nths[i], 1);
	ktest_diag(test, "faults injected %lu, survived %lu", injected,
		   test->failures ? 0 : injected);
	KTEST_EXPECT_GT(test, injected, 0);
}

/* One site at a time, at a moderate and a high rate: with the others
 * quiet the workload gets further, so each site fails many times over. */
static void fault_workload_per_site(struct ktest *test)
{
	static const unsigned int rates[] = { 100, 500 };
	unsigned long injected = 0;
	unsigned int s, i;

	for (s = 0; s < NR_FAULT_SITES; s++)
		for (i = 0; i < ARRAY_SIZE(rates); i++)
			injected += run_injected(test, 1U << s, rates[i], 0, 0xfa17 + s * 7 + i);
	ktest_diag(test, "faults injected %lu, survived %lu", injected,
		   test->failures ? 0 : injected);
	KTEST_EXPECT_GT(test, injected, 0);
}

static const struct ktest_case fault_workload_cases[] = {
	KTEST_CASE(fault_workload_at_rates),
	KTEST_CASE(fault_workload_at_nth_call),
	KTEST_CASE(fault_workload_per_site),
	KTEST_END,
};
KTEST_SUITE(fault_workload, fault_workload_cases);
