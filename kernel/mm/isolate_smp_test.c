/*
 * The isolation claim on several CPUs at once (mm/movable.h): every CPU
 * tries to claim the same movable pages in the same instant, round after
 * round, and each page is claimed by exactly one; one CPU gives pages up
 * (movable_page_clear) while the others claim them, and each page ends
 * either claimed and released or cleared for its owner, never both, never
 * neither. Bounded by rounds and by time (SMP=4 on two host cores), on a
 * private mm. Kernel only; skips at SMP=1.
 */
#include "arch/x86_64/smp.h"
#include "kernel/sched.h"
#include "kernel/time.h"
#include "lib/ktest.h"
#include "mm/movable.h"
#include "mm/testing.h"

#define SPAN 512
#define RACE_PAGES 128
#define RACE_ROUNDS 200
#define RACE_NS 300000000ULL /* 300 ms at most */
#define WAIT_US 30000000

static struct mm_test_env env;
static struct page *pages[RACE_PAGES];
static u8 won[SMP_MAX_CPUS][RACE_PAGES];
static bool cleared[RACE_PAGES];
static unsigned int nr_cpus, rounds_done;
static bool clear_mode, stop;
static unsigned int arrived, generation;
static u64 deadline;

static struct completion done = COMPLETION_INIT(done);

/* Every racer waits here until all nr_cpus have arrived (spinning: the
 * race needs them all running at once). */
static void race_barrier(void)
{
	unsigned int gen = __atomic_load_n(&generation, __ATOMIC_ACQUIRE);

	if (__atomic_add_fetch(&arrived, 1, __ATOMIC_ACQ_REL) == nr_cpus) {
		__atomic_store_n(&arrived, 0, __ATOMIC_RELAXED);
		__atomic_store_n(&generation, gen + 1, __ATOMIC_RELEASE);
		return;
	}
	while (__atomic_load_n(&generation, __ATOMIC_ACQUIRE) == gen)
		cpu_relax();
}

/* One round on this CPU: claim every page (CPU 1 clears instead in
 * clear mode). */
static void race_round(unsigned int cpu)
{
	unsigned int i;

	for (i = 0; i < RACE_PAGES; i++) {
		if (clear_mode && cpu == 1)
			cleared[i] = movable_page_clear(&env.mm, pages[i]);
		else
			won[cpu][i] = page_isolate_claim(pages[i]);
	}
}

static void racer(unsigned int cpu)
{
	for (;;) {
		race_barrier(); /* round start */
		if (__atomic_load_n(&stop, __ATOMIC_ACQUIRE))
			break;
		race_round(cpu);
		race_barrier(); /* round end: CPU 0 checks and resets */
		race_barrier(); /* reset done */
	}
}

/* Interrupts stay on while a racer spins: a CPU waiting for the others
 * with them off would never answer a cross-call one of them sends (a
 * shootdown when CPU 1 frees the previous case's racer stack), and the
 * scheduler is cooperative, so nothing switches a racer away mid-round. */
static void racer_thread(void *arg)
{
	racer(this_cpu()->index);
	complete(&done);
}

/* CPU 0's side: run rounds, check each, reset the pages. Return: bad pages. */
static unsigned int run_rounds(void)
{
	unsigned int bad = 0, i, c;

	for (rounds_done = 0;; rounds_done++) {
		bool last = rounds_done == RACE_ROUNDS || time_ns() > deadline;

		__atomic_store_n(&stop, last, __ATOMIC_RELEASE);
		race_barrier();
		if (last)
			return bad;
		race_round(0);
		race_barrier();
		for (i = 0; i < RACE_PAGES; i++) {
			unsigned int wins = 0;

			for (c = 0; c < nr_cpus; c++)
				wins += won[c][i];
			if (clear_mode)
				bad += (wins == 1) == cleared[i] || wins > 1;
			else
				bad += wins != 1;
			if (wins && page_isolate_unclaim(pages[i]))
				page_flags_clear(pages[i], PG_released);
			if (clear_mode && (cleared[i] || wins)) /* movable again for the next round */
				page_flags_or(pages[i], PG_movable);
			for (c = 0; c < nr_cpus; c++)
				won[c][i] = 0;
		}
		race_barrier();
	}
}

static void race(struct ktest *test, bool with_clear)
{
	unsigned int cpu, i, bad;

	nr_cpus = smp_nr_online();
	if (nr_cpus < 2)
		KTEST_SKIP(test, "needs 2 CPUs (run at -smp 2)");
	KTEST_ASSERT_EQ(test, mm_test_env_simple(&env, SPAN), 0);
	for (i = 0; i < RACE_PAGES; i++) {
		pages[i] = mm_alloc_pages(&env.mm, 0, GFP_MOVABLE);
		KTEST_ASSERT_NOT_NULL(test, pages[i]);
		movable_page_init(pages[i], MEMDESC_TEST, NULL);
	}
	clear_mode = with_clear;
	arrived = 0;
	completion_reset(&done);
	deadline = time_ns() + RACE_NS;
	for (cpu = 1; cpu < nr_cpus; cpu++)
		KTEST_ASSERT_NOT_NULL(test, thread_create_on("racer", racer_thread, NULL, (int)cpu));
	bad = run_rounds();
	KTEST_EXPECT_TRUE(test, completion_wait(&done, nr_cpus - 1, WAIT_US));
	ktest_diag(test, "%u rounds of %u pages on %u CPUs%s", rounds_done, RACE_PAGES, nr_cpus,
		   with_clear ? ", CPU 1 clearing" : "");
	KTEST_EXPECT_GT(test, rounds_done, 0);
	KTEST_EXPECT_EQ(test, bad, 0);
	for (i = 0; i < RACE_PAGES; i++) {
		KTEST_EXPECT_FALSE(test, page_is_isolated(pages[i]));
		page_flags_clear(pages[i], PG_movable);
		mm_free_pages(&env.mm, pages[i], 0);
	}
	mm_test_env_finish(test, &env, SPAN);
}

static void isolate_smp_one_claim_per_page(struct ktest *test) { race(test, false); }
static void isolate_smp_claim_against_owner_clear(struct ktest *test) { race(test, true); }

static const struct ktest_case isolate_smp_cases[] = {
	KTEST_CASE(isolate_smp_one_claim_per_page),
	KTEST_CASE(isolate_smp_claim_against_owner_clear),
	KTEST_END,
};
KTEST_SUITE(isolate_smp, isolate_smp_cases);
