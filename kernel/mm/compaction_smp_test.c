/*
 * The race workload (tests/workload/race_workload.h) on the kernel's CPUs:
 * compaction on every CPU at once while the owners give pages up, and the
 * allocation storm against compaction and alloc_contig, on a private mm.
 * What it proves is the workload's list of checks, on real CPUs (TCG
 * threads), the host's smp_compaction proves the same under TSan. Each
 * case runs for CASE_NS, so SMP=4 on two host cores stays within a few
 * seconds a case. And kcompactd, on the last CPU, compacting kernel_mm
 * while the other CPUs allocate. Kernel only; skips at SMP=1.
 */
#include "arch/x86_64/smp.h"
#include "kernel/mm/kcompactd.h"
#include "kernel/mm/mm_boot.h"
#include "kernel/sched.h"
#include "kernel/time.h"
#include "lib/ktest.h"
#include "lib/prng.h"
#include "lib/string.h"
#include "mm/example_movable.h"
#include "mm/test_pattern.h"
#include "mm/testing.h"
#include "tests/workload/race_workload.h"

#define CASE_NS 1500000000ULL
#define KCOMPACTD_WAIT_NS 5000000000ULL /* for its first run, at most */
#define STACKS 6 /* 3072 pages and as many holes: a score above 1% */
#define HELD 32

static void run(struct ktest *test, enum race_kind kind)
{
	struct race_config cfg = { .kind = kind, .nr_cpus = mm_test_nr_cpus(),
				   .budget_ns = CASE_NS, .seed = 19 };
	struct race_figures fig;

	if (cfg.nr_cpus < 2) {
		KTEST_SKIP(test, "needs 2 CPUs (run at -smp 2)");
		return;
	}
	KTEST_ASSERT_EQ(test, race_workload_run(test, &cfg, &fig), 0);
	race_workload_expect_clean(test, &fig);
}

/* Compaction on every CPU at once over one mm while each frees and takes
 * stack pages, mslab objects and mapped pages: nothing lost, moved or
 * freed twice, contents intact. */
static void compaction_smp_everywhere_with_owner_frees(struct ktest *test)
{
	run(test, RACE_COMPACTION);
}

/* CPUs 1.. allocate and free random orders while CPU 0 compacts and takes
 * alloc_contig ranges: the counts and mm_check stay exact. */
static void compaction_smp_allocation_storm(struct ktest *test)
{
	run(test, RACE_STORM);
}

/* ---- kcompactd on the last CPU against allocations on the others ---- */

static struct example_stack stacks[STACKS];
static struct page *fillers[STACKS * EXAMPLE_STACK_SIZE];
static u64 storm_deadline;
static unsigned long storm_allocs[MM_MAX_CPUS];

/* Scatter movable pages over kernel_mm: each stack page is followed by a
 * filler freed afterwards, leaving order-0 holes for kcompactd to close.
 * Return: pages pushed. */
static unsigned int scatter_stacks(void)
{
	unsigned int s, i, n = 0, f = 0;

	for (s = 0; s < STACKS; s++) {
		if (example_stack_init(&stacks[s], &kernel_mm))
			return 0;
		for (i = 0; i < EXAMPLE_STACK_SIZE; i++) {
			struct example_slot *slot = example_stack_push(&stacks[s], n);

			if (!slot)
				break;
			test_pattern_fill(mm_page_address(&kernel_mm, slot->page), PAGE_SIZE, n++);
			fillers[f] = mm_alloc_pages(&kernel_mm, 0, GFP_MOVABLE | GFP_NOWARN);
			f += fillers[f] != NULL;
		}
	}
	while (f)
		mm_free_pages(&kernel_mm, fillers[--f], 0);
	return n;
}

/* Pages whose pattern is gone, then every stack popped. */
static unsigned int check_and_pop_stacks(void)
{
	unsigned int s, i, bad = 0;

	for (s = 0; s < STACKS; s++) {
		for (i = 0; i < stacks[s].count; i++) {
			struct example_slot *slot = &stacks[s].slots[i];

			bad += !test_pattern_ok(mm_page_address(&kernel_mm, slot->page), PAGE_SIZE,
						slot->tag) || page_is_isolated(slot->page);
		}
		while (stacks[s].count)
			example_stack_pop(&stacks[s]);
	}
	return bad;
}

/* Allocate and free random orders on kernel_mm until the deadline. */
static void storm_worker(void *arg, unsigned int cpu)
{
	struct page *held[HELD] = { NULL };
	unsigned int order[HELD] = { 0 }, k;
	struct prng rng;

	prng_seed(&rng, cpu + 1);
	while (time_ns() < __atomic_load_n(&storm_deadline, __ATOMIC_RELAXED)) {
		k = (unsigned int)prng_below(&rng, HELD);
		if (held[k]) {
			mm_free_pages(&kernel_mm, held[k], order[k]);
			held[k] = NULL;
			continue;
		}
		order[k] = (unsigned int)prng_below(&rng, 5);
		held[k] = mm_alloc_pages(&kernel_mm, order[k], GFP_MOVABLE | GFP_NOWARN);
		storm_allocs[cpu] += held[k] != NULL;
	}
	for (k = 0; k < HELD; k++)
		if (held[k])
			mm_free_pages(&kernel_mm, held[k], order[k]);
}

/* kcompactd (on the last CPU) compacts kernel_mm, scattered with movable
 * stack pages, while every other CPU allocates and frees random orders:
 * it runs, every stack page keeps its pattern, kernel_mm's free count is
 * back exactly and mm_check is clean once it is stopped. */
static void compaction_smp_kcompactd_races_allocations(struct ktest *test)
{
	unsigned int nr = smp_nr_online(), pushed, cpu;
	unsigned long before = mm_nr_free_pages(&kernel_mm), allocs = 0;
	struct kcompactd_stats st0, st;
	u64 give_up;

	if (nr < 2)
		KTEST_SKIP(test, "needs 2 CPUs (run at -smp 2)");
	kcompactd_get_stats(&st0);
	pushed = scatter_stacks();
	KTEST_ASSERT_GT(test, pushed, 0);
	memset(storm_allocs, 0, sizeof(storm_allocs));
	KTEST_ASSERT_EQ(test, kcompactd_configure(true, 1, 0), 0);
	give_up = time_ns() + KCOMPACTD_WAIT_NS;
	do { /* rounds of CASE_NS until kcompactd has run during one */
		__atomic_store_n(&storm_deadline, time_ns() + CASE_NS / 3, __ATOMIC_RELAXED);
		KTEST_ASSERT_EQ(test, mm_test_run_on_cpus(nr - 1, storm_worker, NULL), 0);
		kcompactd_get_stats(&st);
	} while (st.runs == st0.runs && time_ns() < give_up);
	KTEST_EXPECT_EQ(test, kcompactd_configure(st0.enabled, st0.high, st0.low), 0);
	thread_sleep_us(3 * KCOMPACTD_PERIOD_MS * 1000); /* its last run is over */
	for (cpu = 0; cpu < nr; cpu++)
		allocs += storm_allocs[cpu];
	ktest_diag(test, "kcompactd: %lu runs on cpu %u (score %u%%) while %u cpus allocated %lu "
		   "blocks", (unsigned long)(st.runs - st0.runs), nr - 1, st.last_score, nr - 1, allocs);
	KTEST_EXPECT_GT(test, st.runs, st0.runs);
	KTEST_EXPECT_GT(test, allocs, 0);
	KTEST_EXPECT_EQ(test, check_and_pop_stacks(), 0);
	mm_drain_pcp(&kernel_mm);
	KTEST_EXPECT_EQ(test, mm_nr_free_pages(&kernel_mm), before);
	KTEST_EXPECT_EQ(test, mm_check(&kernel_mm), 0);
}

static const struct ktest_case compaction_smp_cases[] = {
	KTEST_CASE(compaction_smp_everywhere_with_owner_frees),
	KTEST_CASE(compaction_smp_allocation_storm),
	KTEST_CASE(compaction_smp_kcompactd_races_allocations),
	KTEST_END,
};
KTEST_SUITE(compaction_smp, compaction_smp_cases);
