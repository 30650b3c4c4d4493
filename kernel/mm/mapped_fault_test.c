/*
 * The mapped-page fault path with real threads and real page faults (new
 * accesses wait while a page moves: the "memory defragmentation to satisfy
 * high order allocations" thread, docs/references.md): migration stops in
 * the middle of a move (the region's test hook yields after installing the
 * migration entry), a second thread touches the page, faults, and sleeps
 * on the PFN's wait channel; the move completes,
 * wakes it, and its access is retried against the new frame. Kernel only.
 */
#include "kernel/mm/mm_boot.h"
#include "kernel/sched.h"
#include "lib/ktest.h"
#include "mm/mapped.h"
#include "mm/migrate.h"

#define MAGIC 0x5eed5eed12345678UL

static struct mapped_region test_region;
static volatile int reader_started, reader_done;
static volatile u64 reader_value;
static volatile int done_during_move;
static unsigned int hook_runs;

static void reader(void *arg)
{
	volatile u64 *p = (volatile u64 *)mapped_va(&test_region, 0);

	reader_started = 1;
	reader_value = p[7]; /* faults on the migration entry and waits */
	reader_done = 1;
}

/* Runs inside migrate with the migration entry installed. */
static void stall_move(struct mapped_region *region, unsigned long index)
{
	int i;

	hook_runs++;
	if (!thread_create("mapped-reader", reader, NULL))
		return;
	for (i = 0; i < 20 && !reader_started; i++)
		thread_yield();
	for (i = 0; i < 20; i++) /* give the reader every chance to get past */
		thread_yield();
	done_during_move = reader_done;
}

/* A thread touching a page mid-move waits for the move and sees the data. */
static void mapped_fault_waits_for_move(struct ktest *test)
{
	struct migrate_result res;
	unsigned long old_pfn;
	u64 *w;
	int i;

	KTEST_ASSERT_EQ(test, mapped_region_create(&test_region, &kernel_mm, 2, GFP_ZERO), 0);
	w = (u64 *)mapped_va(&test_region, 0);
	w[7] = MAGIC;
	old_pfn = mapped_pfn(&test_region, 0);
	reader_started = reader_done = 0;
	reader_value = 0;
	hook_runs = 0;
	test_region.migrate_hook = stall_move;
	KTEST_EXPECT_EQ(test, migrate_pages(&kernel_mm, &old_pfn, 1, NULL, NULL, NULL, MIGRATE_SYNC,
					 &res), 0);
	test_region.migrate_hook = NULL;
	for (i = 0; i < 100 && !reader_done; i++)
		thread_yield();
	KTEST_EXPECT_EQ(test, hook_runs, 1);
	KTEST_EXPECT_EQ(test, reader_started, 1);
	KTEST_EXPECT_EQ(test, done_during_move, 0); /* it really waited */
	KTEST_EXPECT_EQ(test, reader_done, 1);
	KTEST_EXPECT_EQ(test, reader_value, MAGIC);
	KTEST_EXPECT_NE(test, mapped_pfn(&test_region, 0), old_pfn);
	KTEST_EXPECT_EQ(test, w[7], MAGIC);
	mapped_region_destroy(&test_region);
}

static const struct ktest_case mapped_fault_cases[] = {
	KTEST_CASE(mapped_fault_waits_for_move),
	KTEST_END,
};
KTEST_SUITE(mapped_fault, mapped_fault_cases);
