/*
 * Mapped pages moving while other CPUs use them (seed 004: new accesses from
 * other threads blocked while a page moves). Before the copy the old
 * translation is shot down on every CPU, so no write can reach the old
 * frame once the copy starts; a thread on another CPU that touches the page
 * then faults, sleeps on the PFN's wait channel and resumes on the new frame.
 *
 * - remote_access_waits_for_move: the move stalls (the region's hook)
 *   until a writer on CPU 1 has faulted on the migration entry; after the
 *   move its write is in the new frame, and it waited exactly once.
 * - woken_waiter_follows_the_next_move: a toucher woken by one move's end
 *   that runs only once the next move began waits for that one (on one
 *   CPU too: the toucher shares the mover's, cooperative).
 * - writer_torture: a writer (kernel/mm/mapped_writer.h) on every other
 *   CPU writes pass after pass into its own word of every page, checking
 *   each time that the word kept the previous pass's value, while CPU 0
 *   migrates all of them, round after round; afterwards every word holds
 *   the last value its writer wrote (a write that went to the old frame
 *   after the copy is lost here), faults-and-waits happened, and every page
 *   is back to the allocator.
 *
 * - owner_free_races_migration: the owner on CPU 1 frees every page of its
 *   region while CPU 0 keeps migrating them; nothing freed twice or lost.
 *
 * With remote shootdown switched off (paging_test_remote_shootdown) the
 * torture loses every page's last writes: that is how it was shown to fail.
 * It found a bug: a writer's not-present fault whose move ended before the
 * handler read the entry was reported as unhandled (kernel/mm/mm_fault.c
 * now retries it), and a lost wake-up: a writer woken by one move's end
 * that ran only after the next move began slept on the first move's
 * channel (move_done now also ends the wait for a later move's entry).
 * Kernel only; skips at SMP=1 but for woken_waiter_follows_the_next_move. Bounded by time (SMP=4 on two host cores).
 */
#include "arch/x86_64/smp.h"
#include "kernel/mm/mapped_writer.h"
#include "kernel/mm/mm_boot.h"
#include "kernel/sched.h"
#include "kernel/time.h"
#include "lib/ktest.h"
#include "lib/string.h"
#include "mm/mapped.h"
#include "mm/migrate.h"

#define WAIT_US 30000000 /* against hangs only */
#define TORTURE_PAGES 64
#define TORTURE_NS 300000000ULL /* CPU 0 migrates for 300 ms */
#define STALL_SPIN_NS 2000000000ULL

#define NEEDS_CPUS(test, n)                                                      \
	do {                                                                     \
		if (smp_nr_online() < (n))                                       \
			KTEST_SKIP(test, "needs " #n " CPUs (run at -smp " #n ")"); \
	} while (0)

static struct mapped_region region;
static struct completion done = COMPLETION_INIT(done);

/* --- one access waits for one move ------------------------------------ */

#define STAMP 0x5eed0000cafe0001UL

static unsigned long waits_at_stall;
static bool writer_faulted_in_time;

static void stamp_page0(void *arg)
{
	volatile u64 *word = (volatile u64 *)mapped_va(&region, 0) + 5;

	*word = STAMP; /* faults on the migration entry, sleeps, retries */
	complete(&done);
}

/* In the move, the migration entry installed and shot down: start the
 * writer on CPU 1 and hold the move until it has faulted and gone to
 * sleep on the entry (its fault-and-wait counted). */
static void stall_until_remote_fault(struct mapped_region *r, unsigned long index)
{
	u64 deadline = time_ns() + STALL_SPIN_NS;

	if (!thread_create_on("stamp", stamp_page0, NULL, 1))
		return;
	while (mapped_fault_waits() == waits_at_stall && time_ns() < deadline)
		cpu_relax();
	writer_faulted_in_time = mapped_fault_waits() > waits_at_stall;
}

static void mapped_smp_remote_access_waits_for_move(struct ktest *test)
{
	unsigned int threads = sched_nr_threads();
	unsigned long old_pfn, free_before = mm_nr_free_pages(&kernel_mm);
	struct migrate_result res;
	u64 *word;

	NEEDS_CPUS(test, 2);
	completion_reset(&done);
	KTEST_ASSERT_EQ(test, mapped_region_create(&region, &kernel_mm, 1, GFP_ZERO), 0);
	old_pfn = mapped_pfn(&region, 0);
	waits_at_stall = mapped_fault_waits();
	writer_faulted_in_time = false;
	region.migrate_hook = stall_until_remote_fault;
	KTEST_EXPECT_EQ(test, migrate_pages(&kernel_mm, &old_pfn, 1, NULL, NULL, NULL, MIGRATE_SYNC,
					 &res), 0);
	region.migrate_hook = NULL;
	KTEST_EXPECT_TRUE(test, writer_faulted_in_time);
	KTEST_ASSERT_TRUE(test, completion_wait(&done, 1, WAIT_US));
	KTEST_EXPECT_EQ(test, mapped_fault_waits() - waits_at_stall, 1);
	KTEST_EXPECT_NE(test, mapped_pfn(&region, 0), old_pfn);
	word = (u64 *)mapped_access(&region, 0) + 5; /* the new frame, by the direct map */
	KTEST_EXPECT_EQ(test, *word, STAMP);
	KTEST_EXPECT_EQ(test, region.migrations, 1);
	mapped_region_destroy(&region);
	KTEST_EXPECT_TRUE(test, sched_wait_nr_threads(threads, WAIT_US));
	KTEST_EXPECT_EQ(test, mm_nr_free_pages(&kernel_mm), free_before);
}

/* --- a waiter that runs only after the page moved on -------------------- */

#define YIELD_NS 2000000000ULL

/* Yield (the toucher is on this CPU: cooperative, it runs only now) until
 * the fault-and-wait count reached @want or YIELD_NS passed. */
static bool yield_until_waits(unsigned long want)
{
	u64 deadline = time_ns() + YIELD_NS;

	while (mapped_fault_waits() < want && time_ns() < deadline)
		thread_yield();
	return mapped_fault_waits() >= want;
}

static bool first_wait_seen, second_wait_seen;

/* Move 1: the toucher, on this CPU, faults on the entry and sleeps. */
static void start_toucher_and_let_it_wait(struct mapped_region *r, unsigned long index)
{
	if (!thread_create_on("stamp", stamp_page0, NULL, (int)this_cpu()->index))
		return;
	first_wait_seen = yield_until_waits(waits_at_stall + 1);
}

/* Move 2, right after move 1 woke the toucher but before it ran: it finds
 * a migration entry again, of another source (the page moved on), whose
 * end wakes another channel; it must wait for this move, not sleep on. */
static void let_the_woken_toucher_run(struct mapped_region *r, unsigned long index)
{
	second_wait_seen = yield_until_waits(waits_at_stall + 2);
}

/* A thread woken by the end of one move that runs only once the page's
 * next move began waits for that move (the fault is retried on the new
 * migration entry) instead of sleeping on the first move's channel, which
 * nobody wakes again (the lost wake-up the writer torture hit at SMP=4: a
 * writer stuck for 30 s). On one CPU too: the toucher shares the mover's. */
static void mapped_smp_woken_waiter_follows_the_next_move(struct ktest *test)
{
	unsigned int threads = sched_nr_threads();
	unsigned long pfn, second_src, free_before = mm_nr_free_pages(&kernel_mm);
	struct migrate_result res;

	completion_reset(&done);
	KTEST_ASSERT_EQ(test, mapped_region_create(&region, &kernel_mm, 1, GFP_ZERO), 0);
	pfn = mapped_pfn(&region, 0);
	waits_at_stall = mapped_fault_waits();
	first_wait_seen = second_wait_seen = false;
	region.migrate_hook = start_toucher_and_let_it_wait;
	KTEST_EXPECT_EQ(test, migrate_pages(&kernel_mm, &pfn, 1, NULL, NULL, NULL, MIGRATE_SYNC,
					 &res), 0);
	second_src = pfn = mapped_pfn(&region, 0); /* no yield since move 1 ended */
	region.migrate_hook = let_the_woken_toucher_run;
	KTEST_EXPECT_EQ(test, migrate_pages(&kernel_mm, &pfn, 1, NULL, NULL, NULL, MIGRATE_SYNC,
					 &res), 0);
	region.migrate_hook = NULL;
	KTEST_EXPECT_TRUE(test, first_wait_seen);
	KTEST_EXPECT_TRUE(test, second_wait_seen);
	KTEST_ASSERT_TRUE(test, completion_wait(&done, 1, WAIT_US));
	KTEST_EXPECT_EQ(test, mapped_fault_waits() - waits_at_stall, 2);
	KTEST_EXPECT_NE(test, mapped_pfn(&region, 0), second_src); /* (move 2 may go back to move 1's source) */
	KTEST_EXPECT_EQ(test, *((u64 *)mapped_access(&region, 0) + 5), STAMP);
	KTEST_EXPECT_EQ(test, region.migrations, 2);
	mapped_region_destroy(&region);
	KTEST_EXPECT_TRUE(test, sched_wait_nr_threads(threads, WAIT_US));
	KTEST_EXPECT_EQ(test, mm_nr_free_pages(&kernel_mm), free_before);
}

/* --- writers on every other CPU, CPU 0 migrating ------------------------ */

static struct mapped_writer writers[SMP_MAX_CPUS]; /* writer w: on CPU w, word w */

/* Migrate every page of the region once. Return: pages moved. */
static unsigned long migrate_all(struct ktest *test)
{
	unsigned long pfns[TORTURE_PAGES], i;
	struct migrate_result res;

	for (i = 0; i < TORTURE_PAGES; i++)
		pfns[i] = mapped_pfn(&region, i);
	if (migrate_pages(&kernel_mm, pfns, TORTURE_PAGES, NULL, NULL, NULL, MIGRATE_SYNC, &res))
		ktest_diag(test, "migrate_pages: %lu of %u not moved", res.failed,
			   TORTURE_PAGES);
	return res.succeeded;
}

/* Return: words of the region that do not hold their writer's last value
 * (checked here, not only by the writers' own last pass). */
static unsigned long torture_lost_writes(struct ktest *test, unsigned int n)
{
	unsigned long lost = 0, i;
	unsigned int w;

	for (i = 0; i < TORTURE_PAGES; i++) {
		const u64 *page = mapped_access(&region, i);

		for (w = 1; w < n; w++) {
			u64 want = mapped_writer_value(writers[w].passes, 0, i);

			if (page[w] == want)
				continue;
			if (!lost)
				ktest_diag(test, "page %lu word %u: %#lx, its writer last wrote %#lx", i,
					   w, (unsigned long)page[w], (unsigned long)want);
			lost++;
		}
	}
	return lost;
}

static void mapped_smp_writer_torture(struct ktest *test)
{
	unsigned int threads = sched_nr_threads();
	unsigned int cpu, n = smp_nr_online();
	unsigned long free_before = mm_nr_free_pages(&kernel_mm), waits, moved = 0, rounds = 0;
	u64 deadline, writes = 0, lost = 0, passes = 0;

	NEEDS_CPUS(test, 2);
	KTEST_ASSERT_EQ(test, mapped_region_create(&region, &kernel_mm, TORTURE_PAGES, GFP_ZERO), 0);
	waits = mapped_fault_waits();
	for (cpu = 1; cpu < n; cpu++)
		KTEST_ASSERT_EQ(test, mapped_writer_start(&writers[cpu], &region, 1, cpu, cpu), 0);
	deadline = time_ns() + TORTURE_NS;
	while (time_ns() < deadline) {
		moved += migrate_all(test);
		rounds++;
	}
	for (cpu = 1; cpu < n; cpu++) {
		KTEST_EXPECT_EQ(test, mapped_writer_stop(&writers[cpu]), 0);
		writes += writers[cpu].writes;
		passes += writers[cpu].passes;
		lost += writers[cpu].lost;
	}
	waits = mapped_fault_waits() - waits;
	ktest_diag(test, "%lu rounds, %lu pages moved; %u writers: %lu passes, %lu writes; "
		   "%lu faults-and-waits (%lu per 1000 moves)", rounds, moved, n - 1,
		   (unsigned long)passes, (unsigned long)writes, waits,
		   moved ? waits * 1000 / moved : 0);
	KTEST_EXPECT_EQ(test, moved, rounds * TORTURE_PAGES);
	KTEST_EXPECT_EQ(test, region.migrations, moved);
	KTEST_EXPECT_GT(test, passes, n - 1);
	KTEST_EXPECT_GT(test, waits, 0);
	KTEST_EXPECT_EQ(test, lost, 0);
	KTEST_EXPECT_EQ(test, torture_lost_writes(test, n), 0);
	mapped_region_destroy(&region);
	KTEST_EXPECT_TRUE(test, sched_wait_nr_threads(threads, WAIT_US));
	KTEST_EXPECT_EQ(test, mm_nr_free_pages(&kernel_mm), free_before);
}

/* --- the owner frees pages while CPU 0 migrates them --------------------- */

#define FREE_RACE_PAGES 256
#define FREE_RACE_ROUNDS 12

static unsigned long freed_by_owner;

/* On CPU 1: free every page of the region in a scrambled order (a stride
 * coprime to the size), yielding now and then so the frees interleave with
 * CPU 0's moves at every point. */
static void owner_frees(void *arg)
{
	unsigned long i, k;

	for (k = 0, i = 0; k < FREE_RACE_PAGES; k++, i = (i + 97) % FREE_RACE_PAGES) {
		mapped_region_free_page(&region, i);
		__atomic_fetch_add(&freed_by_owner, 1, __ATOMIC_RELEASE);
		if (k % 8 == 7)
			thread_yield();
	}
	complete(&done);
}

/* Migrate every page of the region still backed. Return: pages moved. */
static unsigned long migrate_backed(void)
{
	static unsigned long pfns[FREE_RACE_PAGES];
	struct migrate_result res;
	unsigned long i, n = 0, pfn;

	for (i = 0; i < FREE_RACE_PAGES; i++)
		if (mapped_backed(&region, i) && mm_lookup_page(mapped_va(&region, i), &pfn))
			pfns[n++] = pfn;
	if (!n)
		return 0;
	migrate_pages(&kernel_mm, pfns, n, NULL, NULL, NULL, MIGRATE_SYNC, &res);
	return res.succeeded;
}

/*
 * The owner on CPU 1 frees its region's pages while CPU 0 keeps migrating
 * them: no page freed twice (the allocator's bug counter), none lost (every
 * page back), mm_check clean. Before the region lock, a free that raced a
 * move let the move map its new page into a slot the owner had just given
 * up: a page leaked per lost race.
 */
static void mapped_smp_owner_free_races_migration(struct ktest *test)
{
	unsigned int threads = sched_nr_threads(), round;
	unsigned long free_before = mm_nr_free_pages(&kernel_mm), moved = 0;
	u64 bugs = kernel_mm.stats.bugs;

	NEEDS_CPUS(test, 2);
	for (round = 0; round < FREE_RACE_ROUNDS; round++) {
		completion_reset(&done);
		freed_by_owner = 0;
		KTEST_ASSERT_EQ(test, mapped_region_create(&region, &kernel_mm, FREE_RACE_PAGES,
							   GFP_ZERO), 0);
		KTEST_ASSERT_NOT_NULL(test, thread_create_on("owner-free", owner_frees, NULL, 1));
		while (__atomic_load_n(&freed_by_owner, __ATOMIC_ACQUIRE) < FREE_RACE_PAGES)
			moved += migrate_backed();
		KTEST_ASSERT_TRUE(test, completion_wait(&done, 1, WAIT_US));
		mapped_region_destroy(&region);
		KTEST_ASSERT_TRUE(test, sched_wait_nr_threads(threads, WAIT_US));
		KTEST_ASSERT_EQ(test, mm_nr_free_pages(&kernel_mm), free_before);
	}
	ktest_diag(test, "%u rounds of %u frees, %lu pages moved meanwhile", FREE_RACE_ROUNDS,
		   FREE_RACE_PAGES, moved);
	KTEST_EXPECT_EQ(test, kernel_mm.stats.bugs, bugs);
	KTEST_EXPECT_EQ(test, mm_check(&kernel_mm), 0);
}

static const struct ktest_case mapped_smp_cases[] = {
	KTEST_CASE(mapped_smp_remote_access_waits_for_move),
	KTEST_CASE(mapped_smp_woken_waiter_follows_the_next_move),
	KTEST_CASE(mapped_smp_writer_torture),
	KTEST_CASE(mapped_smp_owner_free_races_migration),
	KTEST_END,
};
KTEST_SUITE(mapped_smp, mapped_smp_cases);
