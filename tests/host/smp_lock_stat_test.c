/*
 * The lock statistics (mm/lock_stat.h) under real concurrency, on the host's
 * pthread CPUs (tests/host/mm_platform.h): a waiter that asks for a held
 * lock is counted contended, with its wait, and the holder's long hold is
 * the maximum; LOCKERS threads taking one lock ROUNDS times each leave
 * exactly LOCKERS * ROUNDS acquisitions (no count lost to a race: every
 * field is written by the holder alone). Host only; `make tsan` runs it
 * under ThreadSanitizer, which would see a field written outside the lock.
 */
#include <pthread.h>
#include <sched.h>

#include "lib/ktest.h"
#include "mm/testing.h"

#define HOLD_NS 1000000 /* the holder's hold while the waiter waits */
#define LOCKERS 4
#define ROUNDS 20000

struct contend {
	struct mm_lock lock;
	bool held;         /* the holder has the lock (atomic) */
	bool waiter_done;  /* (atomic) */
};

static void *waiter_fn(void *arg)
{
	struct contend *c = arg;
	unsigned long flags;

	mm_host_cpu_set(2);
	while (!__atomic_load_n(&c->held, __ATOMIC_ACQUIRE))
		sched_yield();
	flags = mm_lock_irqsave(&c->lock);
	mm_unlock_irqrestore(&c->lock, flags);
	__atomic_store_n(&c->waiter_done, true, __ATOMIC_RELEASE);
	return NULL;
}

/* Holder: CPU 1 (this thread) keeps the lock until the waiter has taken its
 * ticket (next moved on), then HOLD_NS more. */
static void smp_lock_stat_contended(struct ktest *test)
{
	struct contend c = { .held = false };
	struct lock_stat_info info;
	unsigned long flags;
	pthread_t waiter;
	u64 start;

	mm_lock_init(&c.lock, "smp_lock_stat");
	KTEST_ASSERT_EQ(test, pthread_create(&waiter, NULL, waiter_fn, &c), 0);
	mm_host_cpu_set(1);
	flags = mm_lock_irqsave(&c.lock);
	__atomic_store_n(&c.held, true, __ATOMIC_RELEASE);
	while (__atomic_load_n(&c.lock.next, __ATOMIC_RELAXED) < 2)
		sched_yield();
	start = mm_time_ns();
	while (mm_time_ns() - start < HOLD_NS)
		;
	mm_unlock_irqrestore(&c.lock, flags);
	pthread_join(waiter, NULL);
	mm_host_cpu_set(0);

	KTEST_EXPECT_TRUE(test, __atomic_load_n(&c.waiter_done, __ATOMIC_ACQUIRE));
	mm_lock_stat_read(&c.lock, &info);
	KTEST_EXPECT_EQ(test, info.acquired, 2);
	KTEST_EXPECT_EQ(test, info.contended, 1);
	KTEST_EXPECT_GT(test, info.wait_ns, 0);
	KTEST_EXPECT_GE(test, info.max_hold_ns, HOLD_NS);
	KTEST_EXPECT_GE(test, info.hold_ns, info.max_hold_ns);
}

struct locker {
	pthread_t thread;
	unsigned int cpu;
	struct mm_lock *lock;
	unsigned long *shared; /* incremented under the lock */
};

static void *locker_fn(void *arg)
{
	struct locker *l = arg;
	unsigned int i;

	mm_host_cpu_set(l->cpu);
	for (i = 0; i < ROUNDS; i++) {
		unsigned long flags = mm_lock_irqsave(l->lock);

		(*l->shared)++;
		mm_unlock_irqrestore(l->lock, flags);
	}
	return NULL;
}

static void smp_lock_stat_exact(struct ktest *test)
{
	struct locker lockers[LOCKERS];
	struct lock_stat_info info;
	unsigned long shared = 0;
	struct mm_lock lock;
	unsigned int i;

	mm_lock_init(&lock, "smp_lock_stat");
	for (i = 0; i < LOCKERS; i++) {
		lockers[i] = (struct locker){ .cpu = i + 1, .lock = &lock, .shared = &shared };
		KTEST_ASSERT_EQ(test, pthread_create(&lockers[i].thread, NULL, locker_fn,
						     &lockers[i]), 0);
	}
	for (i = 0; i < LOCKERS; i++)
		pthread_join(lockers[i].thread, NULL);
	mm_lock_stat_read(&lock, &info);
	KTEST_EXPECT_EQ(test, shared, LOCKERS * ROUNDS);
	KTEST_EXPECT_EQ(test, info.acquired, LOCKERS * ROUNDS);
	KTEST_EXPECT_LE(test, info.contended, info.acquired);
	KTEST_EXPECT_EQ(test, info.contended ? info.wait_ns > 0 : info.wait_ns == 0, 1);
	KTEST_EXPECT_GE(test, info.hold_ns, info.max_hold_ns);
}

static const struct ktest_case smp_lock_stat_cases[] = {
	KTEST_CASE(smp_lock_stat_contended),
	KTEST_CASE(smp_lock_stat_exact),
	KTEST_END,
};
KTEST_SUITE(smp_lock_stat, smp_lock_stat_cases);
