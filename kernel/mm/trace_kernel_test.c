/*
 * The mm event trace (mm/trace.h) on the real machine: with it on, a
 * migration of mapped pages (one of them touched mid-move by a second
 * thread) and an explicit compaction of kernel_mm leave their events in
 * this CPU's ring, in order, with this CPU and their results: isolate and
 * migrate per page, the batch's shootdown, the fault-and-wait, compaction
 * begin and end, an allocation's slow path. Other CPUs may record too
 * meanwhile: only this CPU's records are looked at. Kernel only.
 */
#include "include/errno.h"
#include "kernel/mm/mm_boot.h"
#include "kernel/sched.h"
#include "lib/ktest.h"
#include "mm/compaction.h"
#include "mm/mapped.h"
#include "mm/migrate.h"
#include "mm/trace.h"

#define NR_PAGES 4
#define MAX_MINE 512 /* this CPU's records a case looks at */

static struct mapped_region region;
static struct trace_reader reader;
static struct trace_record mine[MAX_MINE];
static volatile int toucher_started, toucher_done;

#define ALL_KINDS ((1U << TRACE_KINDS) - 1)

/* This CPU's records since the last clear of the kinds in the @kinds mask,
 * in order. Return: how many. */
static unsigned int read_mine(unsigned int kinds)
{
	struct trace_record r;
	unsigned int n = 0;

	trace_reader_init(&reader);
	while (trace_reader_next(&reader, &r))
		if (r.cpu == mm_cpu_id() && (kinds & (1U << r.kind)) && n < MAX_MINE)
			mine[n++] = r;
	return n;
}

/* The index of the first record at or after @from of @kind with @a (any
 * @a when @any_a), or @n when there is none. */
static unsigned int find(unsigned int n, unsigned int from, enum trace_kind kind, u64 a,
			 bool any_a)
{
	for (; from < n; from++)
		if (mine[from].kind == kind && (any_a || mine[from].a == a))
			return from;
	return n;
}

static void toucher(void *arg)
{
	toucher_started = 1;
	(void)*(volatile u64 *)mapped_va(&region, 0); /* faults on the migration entry */
	toucher_done = 1;
}

/* Inside the move of page 0, its migration entry installed: let a thread
 * of this CPU touch it (and sleep on it). */
static void stall_move(struct mapped_region *r, unsigned long index)
{
	int i;

	if (index || !thread_create("trace-toucher", toucher, NULL))
		return;
	for (i = 0; i < 40 && !toucher_started; i++)
		thread_yield();
}

/* Each page: isolated, then migrated, both 0; the batch shot down; the
 * toucher's wait on page 0 begins and ends; everything on this CPU. */
static void trace_kernel_migration_events(struct ktest *test)
{
	unsigned long pfns[NR_PAGES];
	struct migrate_result res;
	unsigned int i, n, at, wait;
	int k;

	if (trace_set_enabled(false) == -EOPNOTSUPP)
		KTEST_SKIP(test, "built with TRACE=0");
	KTEST_ASSERT_EQ(test, mapped_region_create(&region, &kernel_mm, NR_PAGES, GFP_ZERO), 0);
	for (i = 0; i < NR_PAGES; i++)
		pfns[i] = mapped_pfn(&region, i);
	toucher_started = toucher_done = 0;
	region.migrate_hook = stall_move;
	trace_clear();
	trace_set_enabled(true);
	KTEST_EXPECT_EQ(test, migrate_pages(&kernel_mm, pfns, NR_PAGES, NULL, NULL, NULL,
					 MIGRATE_SYNC, &res), 0);
	for (k = 0; k < 100 && !toucher_done; k++)
		thread_yield();
	trace_set_enabled(false);
	region.migrate_hook = NULL;
	KTEST_EXPECT_EQ(test, res.succeeded, NR_PAGES);
	KTEST_EXPECT_EQ(test, toucher_done, 1);
	n = read_mine(ALL_KINDS);
	ktest_diag(test, "%u records on cpu %u", n, mm_cpu_id());
	for (i = 0; i < NR_PAGES; i++) {
		at = find(n, 0, TRACE_ISOLATE, pfns[i], false);
		KTEST_ASSERT_LT(test, at, n);
		KTEST_EXPECT_EQ(test, mine[at].b, 0);
		at = find(n, at, TRACE_MIGRATE, pfns[i], false);
		KTEST_ASSERT_LT(test, at, n);
		KTEST_EXPECT_EQ(test, mine[at].b, 0);
	}
	at = find(n, 0, TRACE_SHOOTDOWN, 0, true);
	KTEST_ASSERT_LT(test, at, n);
	KTEST_EXPECT_EQ(test, mine[at].a, mapped_va(&region, 0));
	KTEST_EXPECT_EQ(test, mine[at].b, NR_PAGES);
	KTEST_EXPECT_LT(test, at, find(n, 0, TRACE_MIGRATE, 0, true)); /* before any copy */
	wait = find(n, 0, TRACE_FAULT_WAIT, pfns[0], false);
	KTEST_ASSERT_LT(test, wait, n);
	KTEST_EXPECT_GT(test, wait, find(n, 0, TRACE_ISOLATE, pfns[0], false));
	KTEST_EXPECT_LT(test, find(n, wait, TRACE_FAULT_DONE, pfns[0], false), n);
	for (i = 0; i < n; i++)
		KTEST_EXPECT_EQ(test, mine[i].cpu, mm_cpu_id());
	mapped_region_destroy(&region);
	trace_clear();
}

/* Compaction begin (explicit, the order asked) and end (its result and
 * pages moved), in that order; an order-1 allocation's slow path. */
static void trace_kernel_compaction_events(struct ktest *test)
{
	struct compact_result res;
	enum compact_status status;
	struct page *page;
	unsigned int n, begin, end, slow;

	if (trace_set_enabled(false) == -EOPNOTSUPP)
		KTEST_SKIP(test, "built with TRACE=0");
	trace_clear();
	trace_set_enabled(true);
	status = compact_zone(&kernel_mm, COMPACT_ALL, MIGRATE_SYNC, false, &res);
	page = mm_alloc_pages(&kernel_mm, 1, GFP_KERNEL);
	trace_set_enabled(false);
	KTEST_ASSERT_NOT_NULL(test, page);
	mm_free_pages(&kernel_mm, page, 1);
	n = read_mine(1U << TRACE_COMPACT_BEGIN | 1U << TRACE_COMPACT_END | 1U << TRACE_ALLOC_SLOW);
	begin = find(n, 0, TRACE_COMPACT_BEGIN, COMPACT_ALL, false);
	KTEST_ASSERT_LT(test, begin, n);
	KTEST_EXPECT_EQ(test, mine[begin].b, 0);
	end = find(n, begin, TRACE_COMPACT_END, 0, true);
	KTEST_ASSERT_LT(test, end, n);
	KTEST_EXPECT_EQ(test, mine[end].b, (s32)status);
	KTEST_EXPECT_EQ(test, mine[end].a, res.migrated);
	KTEST_EXPECT_GE(test, mine[end].tsc, mine[begin].tsc);
	KTEST_EXPECT_EQ(test, find(n, begin + 1, TRACE_COMPACT_BEGIN, 0, true) < end, false);
	slow = find(n, end, TRACE_ALLOC_SLOW, 1, false);
	KTEST_ASSERT_LT(test, slow, n);
	KTEST_EXPECT_EQ(test, mine[slow].b, 0);
	trace_clear();
}

static const struct ktest_case trace_kernel_cases[] = {
	KTEST_CASE(trace_kernel_migration_events),
	KTEST_CASE(trace_kernel_compaction_events),
	KTEST_END,
};
KTEST_SUITE(trace_kernel, trace_kernel_cases);
