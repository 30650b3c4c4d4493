/*
 * Mapped pages freed by their owner while another CPU migrates them, on the
 * host's pthread CPUs (tests/host/mm_platform.h) and so under ThreadSanitizer
 * too (`make tsan`): the owner (CPU 1) frees every page of its region in a
 * scrambled order while a mover (CPU 2) migrates the pages still backed,
 * pass after pass, round after round, on one private mm. The owner's free
 * and the move exclude each other through the page's claim and the region's
 * lock (mm/mapped.c); here that shows as: nothing freed twice (no mm_bug),
 * nothing lost (every page free at the end, exactly), mm_check() clean, and
 * TSan silent. (Contents under concurrent moves are the kernel's mapped_smp
 * writer torture: only the kernel has real mappings to write through.)
 * Host only (real threads).
 */
#include <pthread.h>

#include "lib/ktest.h"
#include "mm/mapped.h"
#include "mm/migrate.h"
#include "mm/testing.h"

#define SPAN 4096          /* pages */
#define REGION_PAGES 512
#define ROUNDS 8
#define STRIDE 193         /* coprime to REGION_PAGES: a scrambled order */

struct race {
	struct mm *mm;
	struct mapped_region region;
	bool owner_done;       /* atomic */
	unsigned long moved;   /* mover: pages moved */
	unsigned long passes;  /* mover: migrate_pages calls */
};

static void *owner_fn(void *arg)
{
	struct race *r = arg;
	unsigned long i, k;

	mm_host_cpu_set(1);
	for (k = 0, i = 0; k < REGION_PAGES; k++, i = (i + STRIDE) % REGION_PAGES) {
		mapped_region_free_page(&r->region, i);
	}
	__atomic_store_n(&r->owner_done, true, __ATOMIC_RELEASE);
	return NULL;
}

/* Migrate every page still backed. */
static void move_backed(struct race *r)
{
	static unsigned long pfns[REGION_PAGES];
	struct migrate_result res;
	unsigned long i, n = 0, pfn;

	for (i = 0; i < REGION_PAGES; i++)
		if (mapped_backed(&r->region, i) && mm_lookup_page(mapped_va(&r->region, i), &pfn))
			pfns[n++] = pfn;
	if (!n)
		return;
	migrate_pages(r->mm, pfns, n, NULL, NULL, NULL, MIGRATE_SYNC, &res);
	r->moved += res.succeeded;
	r->passes++;
}

static void *mover_fn(void *arg)
{
	struct race *r = arg;

	mm_host_cpu_set(2);
	while (!__atomic_load_n(&r->owner_done, __ATOMIC_ACQUIRE))
		move_backed(r);
	return NULL;
}

static void smp_mapped_owner_free_races_migration(struct ktest *test)
{
	struct mm_test_env env;
	unsigned long before, moved = 0, passes = 0;
	unsigned int round;
	struct race r;

	KTEST_ASSERT_EQ(test, mm_test_env_simple(&env, SPAN), 0);
	KTEST_ASSERT_EQ(test, mapped_init(&env.mm), 0);
	mm_test_take_bugs(); /* from here on */
	before = mm_nr_free_pages(&env.mm);
	for (round = 0; round < ROUNDS; round++) {
		pthread_t owner, mover;

		r = (struct race){ .mm = &env.mm };
		KTEST_ASSERT_EQ(test, mapped_region_create(&r.region, &env.mm, REGION_PAGES, 0), 0);
		KTEST_ASSERT_EQ(test, pthread_create(&mover, NULL, mover_fn, &r), 0);
		KTEST_ASSERT_EQ(test, pthread_create(&owner, NULL, owner_fn, &r), 0);
		pthread_join(owner, NULL);
		pthread_join(mover, NULL);
		moved += r.moved;
		passes += r.passes;
		mapped_region_destroy(&r.region);
		mm_drain_pcp(&env.mm);
		KTEST_ASSERT_EQ(test, mm_nr_free_pages(&env.mm), before);
	}
	ktest_diag(test, "%u rounds of %u frees; %lu pages moved meanwhile in %lu passes", ROUNDS,
		   REGION_PAGES, moved, passes);
	KTEST_EXPECT_EQ(test, mm_test_take_bugs(), 0);
	KTEST_EXPECT_EQ(test, env.mm.stats.bugs, 0);
	mm_test_env_finish(test, &env, before);
}

static const struct ktest_case smp_mapped_cases[] = {
	KTEST_CASE(smp_mapped_owner_free_races_migration),
	KTEST_END,
};
KTEST_SUITE(smp_mapped, smp_mapped_cases);
