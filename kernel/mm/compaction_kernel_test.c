/*
 * Compaction on the real machine (kernel_mm): with the `standard` scenario
 * in place, a GFP_MAY_COMPACT order-9 allocation succeeds through direct
 * compaction; the proactive thread starts above its high threshold and stops
 * at its low one; every scenario's measured compaction stays within T on
 * the whole machine (512 MiB under `make test`, 1 GiB in the e2e run of
 * this suite). Everything is given back and checked afterwards.
 */
#include "include/errno.h"
#include "kernel/mm/kcompactd.h"
#include "kernel/mm/kmalloc.h"
#include "kernel/mm/mm_boot.h"
#include "kernel/mm/pgtable.h"
#include "kernel/sched.h"
#include "lib/ktest.h"
#include "mm/compaction.h"
#include "mm/contig.h"
#include "mm/scenario.h"
#include "mm/stats.h"
#include "mm/testing.h"

static struct frag_scenario scen;

static unsigned int score(void)
{
	struct mm_free_info fi;

	mm_free_info(&kernel_mm, &fi);
	return mm_fragmentation_score(&fi, PAGEBLOCK_ORDER);
}

/* What a workload that frees all it took gives back exactly: free pages,
 * plus the pages the slab caches hold (a scenario's xarray nodes and slot
 * tables come from there, and an emptied cache may keep a slab), plus the
 * page-table pages in use (as tools/guest.py's accounted_pages). */
static unsigned long accounted_pages(void)
{
	mm_drain_pcp(&kernel_mm);
	return mm_nr_free_pages(&kernel_mm) + slab_set_pages(kmalloc_set()) + pgtable_pages();
}

#define THREADS_WAIT_US 1000000

/* A ledger taken at the start of a case: the accounted pages and the
 * threads holding a slot (each holds a 16 KiB stack from kernel_mm). */
struct ledger {
	unsigned long pages;
	unsigned int threads;
};

static struct ledger ledger_open(void)
{
	return (struct ledger){ accounted_pages(), sched_nr_threads() };
}

/* Every page is back: once the threads are back to the count of the start
 * (a thread of an earlier suite reaped late, or one still exiting, moves
 * its stack in or out of the count), the accounted pages equal the
 * start's. A difference says which, in the case's diagnostics. */
static void ledger_close(struct ktest *test, const struct ledger *start)
{
	unsigned long pages;

	sched_wait_nr_threads(start->threads, THREADS_WAIT_US);
	pages = accounted_pages();
	if (pages != start->pages)
		ktest_diag(test, "accounted pages %lu, at the start %lu; threads %u, at the start %u",
			   pages, start->pages, sched_nr_threads(), start->threads);
	KTEST_EXPECT_EQ(test, pages, start->pages);
}

/* Direct compaction makes an order-9 allocation succeed in `standard`. */
static void compaction_direct_order9_standard(struct ktest *test)
{
	struct ledger start = ledger_open();
	struct page *held[8], *p;
	unsigned int n = 0;
	u64 direct;

	KTEST_ASSERT_EQ(test, frag_scenario_build(&scen, &kernel_mm, "standard"), 0);
	/* Take the 2 MiB blocks the scenario left, so only compaction can help. */
	while (n < 8 && (held[n] = mm_alloc_pages(&kernel_mm, 9, GFP_NOWARN)))
		n++;
	KTEST_EXPECT_LT(test, n, 8);
	KTEST_EXPECT_EQ(test, frag_free_2m_blocks(&kernel_mm), 0);
	direct = kernel_mm.stats.compact_direct;
	p = mm_alloc_pages(&kernel_mm, 9, GFP_MAY_COMPACT | GFP_NOWARN);
	KTEST_EXPECT_NOT_NULL(test, p);
	KTEST_EXPECT_EQ(test, kernel_mm.stats.compact_direct, direct + 1);
	if (p)
		mm_free_pages(&kernel_mm, p, 9);
	while (n)
		mm_free_pages(&kernel_mm, held[--n], 9);
	KTEST_EXPECT_EQ(test, mm_check(&kernel_mm), 0);
	frag_scenario_destroy(&scen);
	ledger_close(test, &start);
}

/* The proactive thread compacts when the score passes HIGH and stops at LOW. */
static void compaction_proactive_thresholds(struct ktest *test)
{
	struct kcompactd_stats before, after;
	unsigned int s0, i;

	KTEST_ASSERT_EQ(test, frag_scenario_build(&scen, &kernel_mm, "sparse"), 0);
	s0 = score();
	KTEST_EXPECT_GT(test, s0, 90);
	kcompactd_get_stats(&before);
	KTEST_ASSERT_EQ(test, kcompactd_configure(true, 80, 40), 0);
	for (i = 0; i < 100; i++) {
		thread_sleep_us(50000);
		kcompactd_get_stats(&after);
		/* kcompactd runs on another CPU: the score falls before its
		 * run is counted, so wait for the count too. */
		if (after.episodes > before.episodes && after.runs > before.runs && score() <= 40)
			break;
	}
	KTEST_EXPECT_GT(test, after.episodes, before.episodes);
	KTEST_EXPECT_GT(test, after.runs, before.runs);
	KTEST_EXPECT_LE(test, score(), 40);
	/* Below HIGH now: further wake-ups start nothing. */
	kcompactd_get_stats(&before);
	thread_sleep_us(5 * KCOMPACTD_PERIOD_MS * 1000);
	kcompactd_get_stats(&after);
	KTEST_EXPECT_GT(test, after.wakeups, before.wakeups);
	KTEST_EXPECT_EQ(test, after.runs, before.runs);
	kcompactd_configure(false, KCOMPACTD_DEFAULT_HIGH, KCOMPACTD_DEFAULT_LOW);
	KTEST_EXPECT_EQ(test, mm_check(&kernel_mm), 0);
	frag_scenario_destroy(&scen);
}

/* contig on the real machine: a range around movable pages succeeds; one
 * with an unmovable page inside fails with -EBUSY and changes nothing. */
static void compaction_contig_kernel(struct ktest *test)
{
	unsigned long pfn, block, free_before;
	struct page *page;

	KTEST_ASSERT_EQ(test, alloc_contig_pages(&kernel_mm, 1024 + 77, &pfn), 0);
	KTEST_EXPECT_EQ(test, pfn % PAGEBLOCK_PAGES, 0);
	free_contig_range(&kernel_mm, pfn, 1024 + 77);
	page = mm_alloc_pages(&kernel_mm, 0, GFP_KERNEL);
	KTEST_ASSERT_NOT_NULL(test, page);
	block = mm_page_to_pfn(&kernel_mm, page) & ~(PAGEBLOCK_PAGES - 1);
	mm_drain_pcp(&kernel_mm);
	free_before = mm_nr_free_pages(&kernel_mm);
	KTEST_EXPECT_EQ(test, alloc_contig_range(&kernel_mm, block, PAGEBLOCK_PAGES), -EBUSY);
	mm_drain_pcp(&kernel_mm);
	KTEST_EXPECT_EQ(test, mm_nr_free_pages(&kernel_mm), free_before);
	KTEST_EXPECT_EQ(test, mm_check(&kernel_mm), 0);
	mm_free_pages(&kernel_mm, page, 0);
}

/* One scenario over all of kernel_mm: frag_compact stays within T, the
 * contents survive, and every page comes back. */
static void run_whole_machine(struct ktest *test, const char *name)
{
	struct ledger start = ledger_open();
	struct frag_verify verify;
	struct frag_run run;

	KTEST_ASSERT_EQ(test, frag_scenario_build(&scen, &kernel_mm, name), 0);
	frag_compact(&kernel_mm, COMPACT_ALL, MIGRATE_SYNC, &run);
	frag_run_expect_bounds(test, name, &run);
	frag_scenario_verify(&scen, &verify);
	KTEST_EXPECT_EQ(test, verify.mapped_bad + verify.mslab_bad, 0);
	KTEST_EXPECT_EQ(test, mm_check(&kernel_mm), 0);
	frag_scenario_destroy(&scen);
	ledger_close(test, &start);
}

/* sparse over the whole machine: recovered <= T. */
static void compaction_sparse_machine_within_T(struct ktest *test) { run_whole_machine(test, "sparse"); }

/* standard over the whole machine: recovered <= T. */
static void compaction_standard_machine_within_T(struct ktest *test)
{
	run_whole_machine(test, "standard");
}

/* mixed over the whole machine: T after packing, recovered <= T. */
static void compaction_mixed_machine_within_T(struct ktest *test) { run_whole_machine(test, "mixed"); }

static const struct ktest_case compaction_kernel_cases[] = {
	KTEST_CASE(compaction_sparse_machine_within_T),
	KTEST_CASE(compaction_standard_machine_within_T),
	KTEST_CASE(compaction_mixed_machine_within_T),
	KTEST_CASE(compaction_direct_order9_standard),
	KTEST_CASE(compaction_proactive_thresholds),
	KTEST_CASE(compaction_contig_kernel),
	KTEST_END,
};
KTEST_SUITE(compaction_kernel, compaction_kernel_cases);
