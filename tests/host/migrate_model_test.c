/*
 * Model-based random test of migrate_pages (host only): a mix of TEST pages
 * with random callback scripts (isolate 0/-EAGAIN/-EBUSY, migrate
 * 0/-EAGAIN/-ENOMEM, releases at each stage) and MAPPED pages, migrated
 * together in random batches with a target allocator that fails at random,
 * interleaved with allocations and frees. Checked after every round: no
 * protocol error, all surviving data intact (TEST pages and the mapped
 * region), free + owned == total; mm_check every 100 rounds.
 */
#include "include/errno.h"
#include "lib/bitmap.h"
#include "lib/ktest.h"
#include "lib/prng.h"
#include "mm/mapped.h"
#include "mm/migrate.h"
#include "mm/test_owner.h"
#include "mm/testing.h"

#define ROUNDS 3000
#define MAPPED_PAGES 256

static struct test_owner owner;
static struct mapped_region region;

/* Targets fail one time in eight. */
static struct page *flaky_alloc(struct mm *mm, struct page *src, void *priv)
{
	if (prng_below(priv, 8) == 0)
		return NULL;
	return mm_alloc_pages(mm, page_order(src), GFP_MOVABLE | GFP_NOWARN);
}

static int random_rc(struct prng *rng, const int *choices, unsigned int n)
{
	return choices[prng_below(rng, n)];
}

static void script_randomly(struct prng *rng, struct test_page *tp)
{
	static const int iso[] = { 0, 0, 0, -EAGAIN, -EBUSY };
	static const int mig[] = { 0, 0, 0, -EAGAIN, -ENOMEM };
	unsigned int i;

	for (i = 0; i < TEST_SCRIPT_LEN; i++) {
		tp->isolate_rc[i] = random_rc(rng, iso, 5);
		tp->migrate_rc[i] = random_rc(rng, mig, 5);
	}
	tp->isolates = tp->migrates = 0;
	tp->release = prng_below(rng, 20) == 0 ? TEST_RELEASE_AFTER_ISOLATE :
		      prng_below(rng, 20) == 0 ? TEST_RELEASE_IN_MIGRATE : TEST_RELEASE_NEVER;
}

static unsigned long owned_pages(void)
{
	unsigned long n = 0;
	unsigned int i;

	for (i = 0; i < owner.nr; i++)
		if (owner.pages[i].page)
			n += 1UL << page_order(owner.pages[i].page);
	return n;
}

/* Random migrations with random owner behaviour never lose a page or data. */
static void migrate_model_random(struct ktest *test)
{
	struct mm_test_env env;
	struct migrate_result result, total = { 0 };
	unsigned long start, pfns[64];
	struct prng rng;
	unsigned int round, i;

	KTEST_ASSERT_EQ(test, mm_test_env_simple(&env, 8192), 0);
	KTEST_ASSERT_EQ(test, test_owner_init(&owner, &env.mm), 0);
	KTEST_ASSERT_EQ(test, mapped_init(&env.mm), 0);
	start = mm_nr_free_pages(&env.mm);
	KTEST_ASSERT_EQ(test, mapped_region_create(&region, &env.mm, MAPPED_PAGES, 0), 0);
	start -= MAPPED_PAGES + (1UL << region.slots_order); /* the region stays */
	mm_test_region_fill(&region);
	prng_seed(&rng, 7);
	for (round = 0; round < ROUNDS; round++) {
		size_t n = 0, want = 1 + prng_below(&rng, 63), tries;

		for (i = 0; i < 3; i++)
			test_owner_alloc(&owner, prng_below(&rng, 8) ? 0 : 2, 0);
		for (i = 0; i < 2 && owner.nr; i++)
			test_owner_free(&owner, &owner.pages[prng_below(&rng, owner.nr)]);
		for (tries = 0; n < want && tries < 4 * want && owner.nr; tries++) {
			struct test_page *tp = &owner.pages[prng_below(&rng, owner.nr)];

			if (!tp->page)
				continue; /* freed earlier: pick another */
			script_randomly(&rng, tp);
			pfns[n++] = test_owner_pfn(&owner, tp);
			if (n < want && prng_below(&rng, 3) == 0)
				pfns[n++] = mapped_pfn(&region, prng_below(&rng, MAPPED_PAGES));
		}
		migrate_pages(&env.mm, pfns, n, flaky_alloc, NULL, &rng,
			      prng_below(&rng, 2) ? MIGRATE_SYNC : MIGRATE_ASYNC, &result);
		migrate_result_add(&total, &result);
		if (owner.protocol_errors || owner.bad_content ||
		    mm_nr_free_pages(&env.mm) + owned_pages() != start) {
			ktest_fail(test, __FILE__, __LINE__, "round %u: protocol %u content %u free %lu owned %lu start %lu",
				   round, owner.protocol_errors, owner.bad_content,
				   mm_nr_free_pages(&env.mm), owned_pages(), start);
			break;
		}
		if (round % 100 == 0 && (mm_check(&env.mm) || mm_test_region_bad_pages(&region))) {
			ktest_fail(test, __FILE__, __LINE__, "mm_check or mapped data bad after round %u",
				   round);
			break;
		}
	}
	ktest_diag(test, "%u rounds: %lu moved (%lu mapped), %lu failed (%lu no target), %lu retried, "
		   "%lu released, %lu skipped", round, total.succeeded, region.migrations,
		   total.failed, total.no_target, total.retried, total.released, total.skipped);
	KTEST_EXPECT_GT(test, total.succeeded, 1000);
	KTEST_EXPECT_GT(test, region.migrations, 1000);
	KTEST_EXPECT_EQ(test, mm_test_region_bad_pages(&region), 0);
	mapped_region_destroy(&region);
	KTEST_EXPECT_GT(test, total.released, 10);
	for (i = 0; i < owner.nr; i++) {
		KTEST_EXPECT_TRUE(test, test_owner_content_ok(&owner, &owner.pages[i]));
		test_owner_free(&owner, &owner.pages[i]);
	}
	mm_test_env_finish(test, &env, env.mm.nr_managed);
}

static const struct ktest_case migrate_model_cases[] = {
	KTEST_CASE(migrate_model_random),
	KTEST_END,
};
KTEST_SUITE(migrate_model, migrate_model_cases);
