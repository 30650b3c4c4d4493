/*
 * KTAP tests of the scheduler across CPUs (kernel/sched.c): a thread runs on
 * the CPU it was placed on, and only there; a counter incremented under one
 * spinlock by a thread on every CPU ends exact; two threads on two CPUs
 * hand a token back and forth 10 000 times through wait queues with no
 * wake-up lost (a lost one would stall the exchange: the wait is bounded);
 * a timer fires on the CPU that armed it; threads on APs run on guarded
 * stacks; threads created on every CPU at once get distinct slots. Cases that need a second CPU skip at SMP=1. Work is bounded by
 * time, not by count: at SMP=4 on two host cores a vCPU holding the lock
 * may be descheduled by the host for milliseconds.
 */
#include "arch/x86_64/paging.h"
#include "arch/x86_64/smp.h"
#include "arch/x86_64/trap.h"
#include "kernel/sched.h"
#include "kernel/spinlock.h"
#include "kernel/time.h"
#include "lib/ktest.h"
#include "lib/string.h"

#define WAIT_US 30000000 /* against hangs only */

#define NEEDS_CPUS(test, n)                                              \
	do {                                                             \
		if (smp_nr_online() < (n))                               \
			KTEST_SKIP(test, "needs " #n " CPUs (run at -smp " #n ")"); \
	} while (0)

static struct completion done = COMPLETION_INIT(done);


/* Each thread records the CPU it finds itself on, before and after a
 * sleep and a yield. */
static unsigned int seen_cpu[SMP_MAX_CPUS][3];

static void where_am_i(void *arg)
{
	unsigned int slot = (unsigned int)(unsigned long)arg;

	seen_cpu[slot][0] = this_cpu()->index;
	thread_sleep_us(1000);
	seen_cpu[slot][1] = this_cpu()->index;
	thread_yield();
	seen_cpu[slot][2] = this_cpu()->index;
	complete(&done);
}

static void sched_smp_thread_runs_on_its_cpu(struct ktest *test)
{
	unsigned int threads = sched_nr_threads();
	unsigned int cpu, n = smp_nr_online();
	struct thread *thread;

	completion_reset(&done);
	for (cpu = 0; cpu < n; cpu++) {
		seen_cpu[cpu][0] = seen_cpu[cpu][1] = seen_cpu[cpu][2] = ~0U;
		thread = thread_create_on("where", where_am_i, (void *)(unsigned long)cpu, (int)cpu);
		KTEST_ASSERT_NOT_NULL(test, thread);
		KTEST_EXPECT_EQ(test, thread_cpu(thread), cpu);
	}
	KTEST_ASSERT_TRUE(test, completion_wait(&done, n, WAIT_US));
	for (cpu = 0; cpu < n; cpu++) {
		KTEST_EXPECT_EQ(test, seen_cpu[cpu][0], cpu);
		KTEST_EXPECT_EQ(test, seen_cpu[cpu][1], cpu);
		KTEST_EXPECT_EQ(test, seen_cpu[cpu][2], cpu);
	}
	KTEST_EXPECT_TRUE(test, sched_wait_nr_threads(threads, WAIT_US)); /* all exited */
}

/* A CPU that is not online is refused, and nothing is kept. */
static void sched_smp_offline_cpu_refused(struct ktest *test)
{
	KTEST_EXPECT_NULL(test, thread_create_on("nowhere", where_am_i, NULL,
						 (int)smp_nr_online()));
	KTEST_EXPECT_NULL(test, thread_create_on("nowhere", where_am_i, NULL, -2));
}

/* THREAD_CPU_ANY places a thread on a CPU with the fewest threads. */
static void sched_smp_any_cpu_is_least_loaded(struct ktest *test)
{
	unsigned int threads = sched_nr_threads();
	unsigned int cpu, fewest = ~0U, before[SMP_MAX_CPUS];
	struct sched_cpu_stats stats;
	struct thread *thread;

	for (cpu = 0; cpu < smp_nr_online(); cpu++) {
		sched_cpu_stats(cpu, &stats);
		before[cpu] = stats.nr_threads;
		if (stats.nr_threads < fewest)
			fewest = stats.nr_threads;
	}
	completion_reset(&done);
	thread = thread_create_on("any", where_am_i, (void *)0UL, THREAD_CPU_ANY);
	KTEST_ASSERT_NOT_NULL(test, thread);
	KTEST_EXPECT_EQ(test, before[thread_cpu(thread)], fewest);
	KTEST_ASSERT_TRUE(test, completion_wait(&done, 1, WAIT_US));
	KTEST_EXPECT_EQ(test, seen_cpu[0][0], thread_cpu(thread));
	KTEST_EXPECT_TRUE(test, sched_wait_nr_threads(threads, WAIT_US)); /* all exited */
}

static struct spinlock counter_lock = SPINLOCK_INIT("ktest-counter");
static unsigned long shared_counter;
static unsigned long own_counts[SMP_MAX_CPUS];
static u64 counter_deadline_ns;

static void count_under_lock(void *arg)
{
	unsigned int slot = (unsigned int)(unsigned long)arg;
	unsigned long mine = 0;

	while (time_ns() < counter_deadline_ns) {
		unsigned long flags = spin_lock_irqsave(&counter_lock);

		shared_counter++; /* a plain read-modify-write: only the lock keeps it exact */
		spin_unlock_irqrestore(&counter_lock, flags);
		mine++;
	}
	own_counts[slot] = mine;
	complete(&done);
}

static void sched_smp_counter_under_spinlock_exact(struct ktest *test)
{
	unsigned int threads = sched_nr_threads();
	unsigned int cpu, n = smp_nr_online(), busy = 0;
	unsigned long sum = 0;

	NEEDS_CPUS(test, 2);
	completion_reset(&done);
	shared_counter = 0;
	counter_deadline_ns = time_ns() + 50000000; /* 50 ms of contention */
	for (cpu = 1; cpu < n; cpu++)
		KTEST_ASSERT_NOT_NULL(test, thread_create_on("count", count_under_lock,
							     (void *)(unsigned long)cpu, (int)cpu));
	count_under_lock((void *)0UL);
	KTEST_ASSERT_TRUE(test, completion_wait(&done, n, WAIT_US));
	for (cpu = 0; cpu < n; cpu++) {
		sum += own_counts[cpu];
		busy += own_counts[cpu] > 0;
	}
	ktest_diag(test, "%lu increments from %u CPUs", sum, busy);
	KTEST_EXPECT_EQ(test, shared_counter, sum);
	KTEST_EXPECT_EQ(test, busy, n);
	KTEST_EXPECT_TRUE(test, sched_wait_nr_threads(threads, WAIT_US)); /* all exited */
}

#define PINGPONG_ROUNDS 10000

static struct waitq ping_wq[2] = { WAITQ_INIT(ping_wq[0]), WAITQ_INIT(ping_wq[1]) };
static unsigned int turn;     /* whose move: 0 or 1 */
static unsigned int moves[2];

static void ping_pong(void *arg)
{
	unsigned int me = (unsigned int)(unsigned long)arg, i;

	for (i = 0; i < PINGPONG_ROUNDS; i++) {
		wait_event(&ping_wq[me], __atomic_load_n(&turn, __ATOMIC_ACQUIRE) == me);
		moves[me]++;
		__atomic_store_n(&turn, 1 - me, __ATOMIC_RELEASE);
		wake_up(&ping_wq[1 - me]);
	}
	complete(&done);
}

static void sched_smp_waitq_ping_pong(struct ktest *test)
{
	unsigned int threads = sched_nr_threads();
	struct sched_cpu_stats before, after;
	u64 start;

	NEEDS_CPUS(test, 2);
	completion_reset(&done);
	turn = 0;
	moves[0] = moves[1] = 0;
	sched_cpu_stats(1, &before);
	start = time_ns();
	KTEST_ASSERT_NOT_NULL(test, thread_create_on("ping", ping_pong, (void *)0UL, 0));
	KTEST_ASSERT_NOT_NULL(test, thread_create_on("pong", ping_pong, (void *)1UL, 1));
	KTEST_ASSERT_TRUE(test, completion_wait(&done, 2, WAIT_US));
	sched_cpu_stats(1, &after);
	ktest_diag(test, "%u round trips in %lu ms, cpu 1 got %lu reschedule IPIs",
		   PINGPONG_ROUNDS, (time_ns() - start) / 1000000,
		   after.resched_ipis - before.resched_ipis);
	KTEST_EXPECT_EQ(test, moves[0], PINGPONG_ROUNDS);
	KTEST_EXPECT_EQ(test, moves[1], PINGPONG_ROUNDS);
	KTEST_EXPECT_GT(test, after.resched_ipis, before.resched_ipis);
	KTEST_EXPECT_TRUE(test, sched_wait_nr_threads(threads, WAIT_US)); /* all exited */
}

static struct timer cpu_timer[SMP_MAX_CPUS];
static unsigned int fired_on[SMP_MAX_CPUS];
static bool fired_in_irq[SMP_MAX_CPUS];
static struct waitq timer_wq[SMP_MAX_CPUS];
static bool timer_wq_ready;

static void timer_fired(struct timer *timer)
{
	unsigned int slot = (unsigned int)(timer - cpu_timer);

	fired_in_irq[slot] = in_interrupt();
	__atomic_store_n(&fired_on[slot], this_cpu()->index, __ATOMIC_RELEASE);
	wake_up(&timer_wq[slot]);
}

static void arm_and_wait(void *arg)
{
	unsigned int slot = (unsigned int)(unsigned long)arg;

	timer_arm(&cpu_timer[slot], time_ns() + 2000000);
	wait_event_timeout(&timer_wq[slot], __atomic_load_n(&fired_on[slot], __ATOMIC_ACQUIRE) != ~0U,
			   WAIT_US);
	complete(&done);
}

static void sched_smp_timers_fire_on_every_cpu(struct ktest *test)
{
	unsigned int threads = sched_nr_threads();
	unsigned int cpu, n = smp_nr_online();

	completion_reset(&done);
	for (cpu = 0; !timer_wq_ready && cpu < SMP_MAX_CPUS; cpu++)
		waitq_init(&timer_wq[cpu]);
	timer_wq_ready = true;
	for (cpu = 0; cpu < n; cpu++) {
		cpu_timer[cpu] = (struct timer){ .fn = timer_fired };
		fired_on[cpu] = ~0U;
		KTEST_ASSERT_NOT_NULL(test, thread_create_on("timer", arm_and_wait,
							     (void *)(unsigned long)cpu, (int)cpu));
	}
	KTEST_ASSERT_TRUE(test, completion_wait(&done, n, WAIT_US));
	for (cpu = 0; cpu < n; cpu++) {
		struct sched_cpu_stats stats;

		KTEST_EXPECT_EQ(test, fired_on[cpu], cpu);
		KTEST_EXPECT_TRUE(test, fired_in_irq[cpu]);
		sched_cpu_stats(cpu, &stats);
		KTEST_EXPECT_GT(test, stats.ticks, 0);
	}
	KTEST_EXPECT_TRUE(test, sched_wait_nr_threads(threads, WAIT_US)); /* all exited */
}

/* A thread on an AP runs on a vmap stack with an unmapped guard page
 * below it, as on the boot CPU. */
static unsigned long ap_stack_bottom, ap_rsp;
static struct waitq release_wq = WAITQ_INIT(release_wq);
static bool released;

/* Note the stack, then stay alive (the stack mapped) until released. */
static void note_ap_stack(void *arg)
{
	unsigned long top;
	unsigned long here = (unsigned long)&top;

	thread_stack_range(thread_current(), &ap_stack_bottom, &top);
	ap_rsp = here;
	complete(&done);
	wait_event(&release_wq, __atomic_load_n(&released, __ATOMIC_ACQUIRE));
	complete(&done);
}

static void sched_smp_ap_threads_have_guard_pages(struct ktest *test)
{
	unsigned int threads = sched_nr_threads();
	unsigned long guard;

	NEEDS_CPUS(test, 2);
	completion_reset(&done);
	released = false;
	KTEST_ASSERT_NOT_NULL(test, thread_create_on("apstack", note_ap_stack, NULL, 1));
	KTEST_ASSERT_TRUE(test, completion_wait(&done, 1, WAIT_US));
	KTEST_EXPECT_GE(test, ap_rsp, ap_stack_bottom);
	KTEST_EXPECT_TRUE(test, paging_is_mapped(ap_stack_bottom));
	KTEST_EXPECT_FALSE(test, paging_is_mapped(ap_stack_bottom - PAGE_SIZE));
	KTEST_EXPECT_NOT_NULL(test, sched_stack_guard_owner(ap_stack_bottom - 8, &guard));
	__atomic_store_n(&released, true, __ATOMIC_RELEASE);
	wake_up(&release_wq);
	KTEST_EXPECT_TRUE(test, completion_wait(&done, 2, WAIT_US));
	KTEST_EXPECT_TRUE(test, sched_wait_nr_threads(threads, WAIT_US)); /* all exited */
}

/*
 * Threads created on every CPU at once get distinct slots. Each round a
 * creator on every CPU, released together, creates CREATES_PER_CPU threads
 * on its own CPU; those note which thread they run as and park until the
 * round ends. A slot handed to two creators shows as a thread that never
 * runs, or runs as another's, or as the same struct returned twice (found
 * in CI: thread_setup() cleared `in_use` outside threads_lock, and a
 * creator on the other CPU took the slot in that window).
 */
#define CREATES_PER_CPU 6
#define CREATE_ROUNDS 40
#define CREATE_WAIT_US 5000000

static struct thread *created[SMP_MAX_CPUS * CREATES_PER_CPU];
static struct thread *ran_as[SMP_MAX_CPUS * CREATES_PER_CPU];
static struct completion ran = COMPLETION_INIT(ran);
static struct waitq gate_wq = WAITQ_INIT(gate_wq);
static unsigned int start_round, end_round; /* atomics */

static void parked_child(void *arg)
{
	unsigned int idx = (unsigned int)(unsigned long)arg;
	unsigned int round = __atomic_load_n(&start_round, __ATOMIC_ACQUIRE);

	ran_as[idx] = thread_current();
	complete(&ran);
	wait_event(&gate_wq, __atomic_load_n(&end_round, __ATOMIC_ACQUIRE) == round);
}

static void creator(void *arg)
{
	unsigned int cpu = this_cpu()->index, round = (unsigned int)(unsigned long)arg, i;

	while (__atomic_load_n(&start_round, __ATOMIC_ACQUIRE) != round)
		cpu_relax();
	for (i = 0; i < CREATES_PER_CPU; i++) {
		unsigned int idx = cpu * CREATES_PER_CPU + i;

		created[idx] = thread_create_on("child", parked_child, (void *)(unsigned long)idx,
						(int)cpu);
	}
	complete(&done);
}

/* Return: true if round @round's children are n * CREATES_PER_CPU distinct
 * threads, each of which ran as the thread its creator was given. */
static bool round_children_distinct(struct ktest *test, unsigned int n, unsigned int round)
{
	unsigned int i, j, total = n * CREATES_PER_CPU;

	for (i = 0; i < total; i++) {
		if (!created[i] || ran_as[i] != created[i]) {
			ktest_diag(test, "round %u: child %u created as %p ran as %p", round, i,
				   created[i], ran_as[i]);
			return false;
		}
		for (j = 0; j < i; j++) {
			if (created[j] == created[i]) {
				ktest_diag(test, "round %u: children %u and %u share thread %p",
					   round, j, i, created[i]);
				return false;
			}
		}
	}
	return true;
}

static void sched_smp_concurrent_creates_get_distinct_slots(struct ktest *test)
{
	unsigned int threads = sched_nr_threads();
	unsigned int cpu, n = smp_nr_online(), round;
	bool ok = true;

	NEEDS_CPUS(test, 2);
	__atomic_store_n(&end_round, 0, __ATOMIC_RELEASE);
	for (round = 1; ok && round <= CREATE_ROUNDS; round++) {
		completion_reset(&done);
		completion_reset(&ran);
		memset(created, 0, sizeof(created));
		memset(ran_as, 0, sizeof(ran_as));
		for (cpu = 0; cpu < n; cpu++)
			KTEST_ASSERT_NOT_NULL(test, thread_create_on("creator", creator,
								     (void *)(unsigned long)round,
								     (int)cpu));
		__atomic_store_n(&start_round, round, __ATOMIC_RELEASE);
		KTEST_ASSERT_TRUE(test, completion_wait(&done, n, WAIT_US));
		ok = completion_wait(&ran, n * CREATES_PER_CPU, CREATE_WAIT_US) &&
		     round_children_distinct(test, n, round);
		__atomic_store_n(&end_round, round, __ATOMIC_RELEASE);
		wake_up(&gate_wq);
		KTEST_ASSERT_TRUE(test, sched_wait_nr_threads(threads, WAIT_US)); /* all exited */
	}
	KTEST_EXPECT_TRUE(test, ok);
}

static const struct ktest_case sched_smp_cases[] = {
	KTEST_CASE(sched_smp_thread_runs_on_its_cpu),
	KTEST_CASE(sched_smp_offline_cpu_refused),
	KTEST_CASE(sched_smp_any_cpu_is_least_loaded),
	KTEST_CASE(sched_smp_counter_under_spinlock_exact),
	KTEST_CASE(sched_smp_waitq_ping_pong),
	KTEST_CASE(sched_smp_timers_fire_on_every_cpu),
	KTEST_CASE(sched_smp_ap_threads_have_guard_pages),
	KTEST_CASE(sched_smp_concurrent_creates_get_distinct_slots),
	KTEST_END,
};
KTEST_SUITE(sched_smp, sched_smp_cases);
