/*
 * KTAP tests of the per-CPU caches on several CPUs (mm/pcp.c): each CPU
 * frees into and allocates from its own cache; one CPU drains every CPU's
 * cache (each has its own lock: no cross-call), and every page is back;
 * an allocation storm on every CPU at once, with CPU 0 draining and
 * checking meanwhile, ends with the free count exact and mm_check clean.
 * The threads stay alive until the counts are taken (a dead thread's
 * stack goes back only when its CPU reaps it). Kernel only (threads on
 * CPUs); cases that need two CPUs skip at SMP=1.
 */
#include "arch/x86_64/smp.h"
#include "kernel/mm/mm_boot.h"
#include "kernel/sched.h"
#include "kernel/time.h"
#include "lib/ktest.h"
#include "lib/prng.h"
#include "mm/internal.h"

#define WAIT_US 30000000 /* against hangs only */
#define STORM_MS 100
#define STORM_HELD 48

static struct completion done = COMPLETION_INIT(done);


static struct waitq gate_wq = WAITQ_INIT(gate_wq);
static unsigned int gate; /* bumped to let the threads of a case go on */

/* Count this thread done (or ready), then wait for the gate to move past
 * @seen: a case's threads wait at the gate before they work and after. */
static void done_one_and_wait(unsigned int seen)
{
	complete(&done);
	wait_event(&gate_wq, __atomic_load_n(&gate, __ATOMIC_ACQUIRE) != seen);
}

/* Start @n threads of @fn on CPUs @first.. and wait until each is at the
 * gate. Return: the gate value they wait on; the count of done is 0 again. */
static unsigned int start_at_gate(void (*fn)(void *), unsigned int first, unsigned int n, bool *ok)
{
	unsigned int seen = __atomic_load_n(&gate, __ATOMIC_ACQUIRE), cpu;

	completion_reset(&done);
	for (cpu = first; cpu < first + n; cpu++)
		if (!thread_create_on("pcptest", fn, (void *)(unsigned long)seen, (int)cpu))
			break;
	*ok = cpu == first + n && completion_wait(&done, n, WAIT_US);
	completion_reset(&done);
	return seen;
}

static void open_gate(void)
{
	__atomic_fetch_add(&gate, 1, __ATOMIC_RELEASE);
	wake_up(&gate_wq);
}


static unsigned int cached_on[SMP_MAX_CPUS];

/* Free a few pages on this CPU: they land in its own cache. */
static void fill_own_cache(void *arg)
{
	unsigned int cpu = this_cpu()->index, i, seen = (unsigned int)(unsigned long)arg;
	struct page *pages[4];

	done_one_and_wait(seen); /* ready */
	for (i = 0; i < 4; i++)
		pages[i] = alloc_pages(0, GFP_KERNEL);
	for (i = 0; i < 4; i++)
		if (pages[i])
			free_pages(pages[i], 0);
	cached_on[cpu] = READ_ONCE(kernel_mm.pcp[cpu].count);
	done_one_and_wait(seen + 1);
}

static void pcp_smp_drain_reaches_every_cpu(struct ktest *test)
{
	unsigned int cpu, n = smp_nr_online(), threads = sched_nr_threads();
	unsigned long free_before;
	bool ok;

	for (cpu = 0; cpu < n; cpu++)
		cached_on[cpu] = 0;
	start_at_gate(fill_own_cache, 0, n, &ok);
	KTEST_ASSERT_TRUE(test, ok);
	free_before = mm_nr_free_pages(&kernel_mm); /* their stacks taken already */
	open_gate();
	KTEST_EXPECT_TRUE(test, completion_wait(&done, n, WAIT_US));
	for (cpu = 0; cpu < n; cpu++)
		KTEST_EXPECT_GT(test, cached_on[cpu], 0); /* its own cache, not CPU 0's */
	mm_drain_pcp(&kernel_mm);
	for (cpu = 0; cpu < MM_MAX_CPUS; cpu++)
		KTEST_EXPECT_EQ(test, kernel_mm.pcp[cpu].count, 0);
	KTEST_EXPECT_EQ(test, mm_nr_free_pages(&kernel_mm), free_before);
	KTEST_EXPECT_EQ(test, mm_check(&kernel_mm), 0);
	open_gate();
	KTEST_EXPECT_TRUE(test, sched_wait_nr_threads(threads, WAIT_US)); /* stacks back */
}

static u64 storm_deadline;
static unsigned long storm_allocs[SMP_MAX_CPUS];

/* Allocate and free random small orders until the deadline, holding up to
 * STORM_HELD blocks; give everything back at the end. */
static void storm(void *arg)
{
	unsigned int cpu = this_cpu()->index, n = 0, seen = (unsigned int)(unsigned long)arg;
	struct page *held[STORM_HELD];
	unsigned int order[STORM_HELD];
	unsigned long allocs = 0;
	struct prng rng;

	done_one_and_wait(seen); /* ready */
	prng_seed(&rng, 0x5eed0000ULL + cpu);
	while (time_ns() < storm_deadline) {
		if (n < STORM_HELD && (n == 0 || prng_below(&rng, 3))) {
			unsigned int o = prng_below(&rng, 8) ? 0 : (unsigned int)prng_below(&rng, 4);
			struct page *page = alloc_pages(o, GFP_KERNEL | GFP_NOWARN);

			if (page) {
				held[n] = page;
				order[n++] = o;
				allocs++;
			}
		} else {
			unsigned int i = (unsigned int)prng_below(&rng, n);

			free_pages(held[i], order[i]);
			held[i] = held[--n];
			order[i] = order[n];
		}
	}
	while (n--)
		free_pages(held[n], order[n]);
	storm_allocs[cpu] = allocs;
	done_one_and_wait(seen + 1);
}

static void pcp_smp_allocation_storm(struct ktest *test)
{
	unsigned int cpu, n = smp_nr_online(), drains = 0, bad = 0, threads = sched_nr_threads();
	unsigned long free_before, total = 0;
	bool ok;

	if (n < 2)
		KTEST_SKIP(test, "needs 2 CPUs (run at -smp 2)");
	start_at_gate(storm, 1, n - 1, &ok);
	KTEST_ASSERT_TRUE(test, ok);
	free_before = mm_nr_free_pages(&kernel_mm);
	storm_deadline = time_ns() + STORM_MS * 1000000ULL;
	open_gate();
	while (time_ns() < storm_deadline) { /* CPU 0 drains and checks meanwhile */
		mm_drain_pcp(&kernel_mm);
		bad += mm_check(&kernel_mm); /* holds every lock: the others wait */
		drains++;
		thread_sleep_us(5000);
	}
	KTEST_EXPECT_TRUE(test, completion_wait(&done, n - 1, WAIT_US));
	for (cpu = 1; cpu < n; cpu++)
		total += storm_allocs[cpu];
	ktest_diag(test, "%lu allocations on %u CPUs, %u drains and checks on CPU 0", total, n - 1,
		   drains);
	KTEST_EXPECT_GT(test, total, 0);
	KTEST_EXPECT_EQ(test, bad, 0);
	mm_drain_pcp(&kernel_mm);
	KTEST_EXPECT_EQ(test, mm_nr_free_pages(&kernel_mm), free_before);
	KTEST_EXPECT_EQ(test, mm_check(&kernel_mm), 0);
	open_gate();
	KTEST_EXPECT_TRUE(test, sched_wait_nr_threads(threads, WAIT_US));
}

static const struct ktest_case pcp_smp_cases[] = {
	KTEST_CASE(pcp_smp_drain_reaches_every_cpu),
	KTEST_CASE(pcp_smp_allocation_storm),
	KTEST_END,
};
KTEST_SUITE(pcp_smp, pcp_smp_cases);
