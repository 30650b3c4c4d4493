/*
 * Tests of cross-CPU calls (arch/x86_64/smp_call.c) on the CPUs QEMU gave
 * us: every online CPU runs a call, alone and all together, and answers
 * with its own index in interrupt context; calls that do not wait complete
 * too; CPUs calling each other at the same time, and a call that calls
 * back into its caller, do not deadlock; bad targets are refused; the IPI
 * counters move. Cases that need a second CPU skip at SMP=1. Nothing here
 * prints on an AP: the APs only write results that the boot CPU checks.
 */
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/smp.h"
#include "arch/x86_64/smp_call.h"
#include "arch/x86_64/trap.h"
#include "include/errno.h"
#include "kernel/time.h"
#include "lib/ktest.h"
#include "lib/string.h"

#define POLL_US 5000000    /* bound on waiting for calls that do not wait */
#define STORM_CALLS 200    /* calls per CPU pair in the crossing cases */

/* What a CPU saw while it ran a call. */
struct answer {
	unsigned int index_plus_1; /* 0: did not run */
	bool irqs_off, in_irq;
};

static struct answer answers[SMP_MAX_CPUS];

static void answer(void *arg)
{
	struct answer *a = &answers[this_cpu()->index];

	a->irqs_off = !irqs_enabled();
	a->in_irq = in_interrupt();
	__atomic_store_n(&a->index_plus_1, this_cpu()->index + 1, __ATOMIC_RELEASE);
}

static void expect_answer(struct ktest *test, unsigned int cpu)
{
	KTEST_EXPECT_EQ(test, __atomic_load_n(&answers[cpu].index_plus_1, __ATOMIC_ACQUIRE), cpu + 1);
	KTEST_EXPECT_TRUE(test, answers[cpu].irqs_off);
	KTEST_EXPECT_TRUE(test, answers[cpu].in_irq);
}

/* SMP_CALL_ALL runs on every online CPU, the caller included, each in
 * interrupt context with interrupts off, and returns after all ran. */
static void smp_call_all_cpus_answer(struct ktest *test)
{
	unsigned int i, n = smp_nr_online();

	memset(answers, 0, sizeof(answers));
	KTEST_ASSERT_EQ(test, smp_call(SMP_CALL_ALL, answer, NULL, true), 0);
	for (i = 0; i < n; i++)
		expect_answer(test, i);
	KTEST_EXPECT_TRUE(test, irqs_enabled()); /* the caller's state is back */
	ktest_diag(test, "%u CPUs answered", n);
}

/* Each online CPU, called alone (the APs from their sti; hlt park), runs
 * the call and nobody else does. */
static void smp_call_each_cpu_singly(struct ktest *test)
{
	unsigned int i, j, n = smp_nr_online();

	for (i = 0; i < n; i++) {
		memset(answers, 0, sizeof(answers));
		KTEST_ASSERT_EQ(test, smp_call((int)i, answer, NULL, true), 0);
		expect_answer(test, i);
		for (j = 0; j < n; j++)
			if (j != i)
				KTEST_EXPECT_EQ(test, answers[j].index_plus_1, 0);
	}
}

static unsigned int counters[SMP_MAX_CPUS];

static void count_here(void *arg)
{
	__atomic_fetch_add(&counters[this_cpu()->index], 1, __ATOMIC_RELAXED);
}

/* Poll until counters[@cpu] reaches @want (interrupts on: our own calls
 * are served by the IPI). Return: reached within POLL_US. */
static bool poll_counter(unsigned int cpu, unsigned int want)
{
	u64 start = time_us();

	while (__atomic_load_n(&counters[cpu], __ATOMIC_RELAXED) < want) {
		if (time_us() - start > POLL_US)
			return false;
		cpu_relax();
	}
	return true;
}

/* Calls that do not wait run too, back to back (each waits for the
 * previous one's slot), on every other CPU, singly and as OTHERS. */
static void smp_call_nowait_calls_complete(struct ktest *test)
{
	unsigned int i, k, n = smp_nr_online();

	if (n < 2)
		KTEST_SKIP(test, "needs 2 CPUs, 1 online");
	memset(counters, 0, sizeof(counters));
	for (k = 0; k < STORM_CALLS; k++)
		for (i = 1; i < n; i++)
			KTEST_ASSERT_EQ(test, smp_call((int)i, count_here, NULL, false), 0);
	for (k = 0; k < STORM_CALLS; k++)
		KTEST_ASSERT_EQ(test, smp_call(SMP_CALL_OTHERS, count_here, NULL, false), 0);
	for (i = 1; i < n; i++)
		KTEST_EXPECT_TRUE(test, poll_counter(i, 2 * STORM_CALLS));
	for (i = 1; i < n; i++)
		KTEST_EXPECT_EQ(test, __atomic_load_n(&counters[i], __ATOMIC_RELAXED), 2 * STORM_CALLS);
	KTEST_EXPECT_EQ(test, counters[0], 0);
}

/* A call that calls its caller back and waits: the caller, waiting for
 * the first call, serves the second. */
struct call_back {
	unsigned int caller;
	int err;
	unsigned int ran_on_plus_1;
};

static void mark_caller(void *arg)
{
	struct call_back *cb = arg;

	__atomic_store_n(&cb->ran_on_plus_1, this_cpu()->index + 1, __ATOMIC_RELEASE);
}

static void call_back(void *arg)
{
	struct call_back *cb = arg;

	cb->err = smp_call((int)cb->caller, mark_caller, cb, true);
}

static void smp_call_nested_call_back_to_caller(struct ktest *test)
{
	struct call_back cb = { 0, -1, 0 };
	unsigned int i, n = smp_nr_online();

	if (n < 2)
		KTEST_SKIP(test, "needs 2 CPUs, 1 online");
	for (i = 1; i < n; i++) {
		cb.caller = this_cpu()->index;
		cb.err = -1;
		cb.ran_on_plus_1 = 0;
		KTEST_ASSERT_EQ(test, smp_call((int)i, call_back, &cb, true), 0);
		KTEST_EXPECT_EQ(test, cb.err, 0);
		KTEST_EXPECT_EQ(test, cb.ran_on_plus_1, cb.caller + 1);
	}
}

/*
 * Every CPU calls every other one STORM_CALLS times with wait, all at the
 * same time: the APs from inside a call of CPU 0 (interrupts off), CPU 0
 * from thread context. Each CPU waits on others that wait on it.
 */
static unsigned int storms_done;
static int storm_err;

static void storm(void *arg)
{
	unsigned int me = this_cpu()->index, n = smp_nr_online(), i, k;

	for (k = 0; k < STORM_CALLS; k++)
		for (i = 0; i < n; i++) {
			int err = i == me ? 0 : smp_call((int)i, count_here, NULL, true);

			if (err)
				__atomic_store_n(&storm_err, err, __ATOMIC_RELAXED);
		}
	__atomic_fetch_add(&storms_done, 1, __ATOMIC_RELEASE);
}

static void smp_call_crossing_calls_do_not_deadlock(struct ktest *test)
{
	unsigned int i, n = smp_nr_online();
	u64 start;

	if (n < 2)
		KTEST_SKIP(test, "needs 2 CPUs, 1 online");
	memset(counters, 0, sizeof(counters));
	storms_done = 0;
	storm_err = 0;
	KTEST_ASSERT_EQ(test, smp_call(SMP_CALL_OTHERS, storm, NULL, false), 0);
	storm(NULL);
	start = time_us();
	while (__atomic_load_n(&storms_done, __ATOMIC_ACQUIRE) < n && time_us() - start < POLL_US * 4)
		cpu_relax();
	KTEST_ASSERT_EQ(test, __atomic_load_n(&storms_done, __ATOMIC_ACQUIRE), n);
	KTEST_EXPECT_EQ(test, storm_err, 0);
	for (i = 0; i < n; i++)
		KTEST_EXPECT_EQ(test, counters[i], (n - 1) * STORM_CALLS);
	ktest_diag(test, "%u CPUs, %u calls each way per pair", n, STORM_CALLS);
}

/* A CPU index that is no CPU, a CPU that is not online and a NULL function
 * are refused; SMP_CALL_OTHERS alone is no error and runs nothing. */
static void smp_call_refuses_bad_targets(struct ktest *test)
{
	unsigned int n = smp_nr_online();

	KTEST_EXPECT_EQ(test, smp_call(SMP_MAX_CPUS, count_here, NULL, true), -EINVAL);
	KTEST_EXPECT_EQ(test, smp_call(-3, count_here, NULL, true), -EINVAL);
	KTEST_EXPECT_EQ(test, smp_call(0, NULL, NULL, true), -EINVAL);
	if (n < SMP_MAX_CPUS)
		KTEST_EXPECT_EQ(test, smp_call((int)n, count_here, NULL, true), -ENODEV);
	memset(counters, 0, sizeof(counters));
	KTEST_EXPECT_EQ(test, smp_call(SMP_CALL_OTHERS, count_here, NULL, true), 0);
	KTEST_EXPECT_EQ(test, counters[0], 0);
	if (n == 1)
		ktest_diag(test, "one CPU: SMP_CALL_OTHERS ran nowhere");
}

/* A waiting call to another CPU sends it one IPI, counted on both ends. */
static void smp_call_counts_ipis(struct ktest *test)
{
	u64 sent, received;

	if (smp_nr_online() < 2)
		KTEST_SKIP(test, "needs 2 CPUs, 1 online");
	/* An IPI still pending from an earlier case (its call was served by
	 * polling) merges with this one's and is gone after it. */
	KTEST_ASSERT_EQ(test, smp_call(1, count_here, NULL, true), 0);
	sent = smp_ipis_sent(0);
	received = smp_ipis_received(1);
	KTEST_ASSERT_EQ(test, smp_call(1, count_here, NULL, true), 0);
	KTEST_EXPECT_EQ(test, smp_ipis_sent(0), sent + 1);
	KTEST_EXPECT_EQ(test, smp_ipis_received(1), received + 1);
	KTEST_EXPECT_EQ(test, smp_ipis_sent(SMP_MAX_CPUS), 0);
}

static const struct ktest_case smp_call_cases[] = {
	KTEST_CASE(smp_call_all_cpus_answer),
	KTEST_CASE(smp_call_each_cpu_singly),
	KTEST_CASE(smp_call_nowait_calls_complete),
	KTEST_CASE(smp_call_nested_call_back_to_caller),
	KTEST_CASE(smp_call_crossing_calls_do_not_deadlock),
	KTEST_CASE(smp_call_refuses_bad_targets),
	KTEST_CASE(smp_call_counts_ipis),
	KTEST_END,
};
KTEST_SUITE(smp_call, smp_call_cases);
