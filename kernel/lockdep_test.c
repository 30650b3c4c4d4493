/*
 * Tests of the lock checker (kernel/lockdep.c) through its report hook: a
 * planted order inversion (direct and through a third class), recursion,
 * two locks of one class, a release of a lock this CPU does not hold and a
 * switch with a lock held and a waiting cross-call with one are each
 * reported, and the reported operation
 * is not performed. Every case uses classes of its own (ktest-lockdep-*),
 * so the orders it plants cannot meet the kernel's; the orders stay
 * recorded, so each case holds on a second run in the same boot too.
 * The same misuse without the hook panics: crash=lockorder, lockrecursion,
 * locksleep (tests/qemu/test_locks.py).
 */
#include "arch/x86_64/smp.h"
#include "arch/x86_64/smp_call.h"
#include "arch/x86_64/trap.h"
#include "kernel/lockdep.h"
#include "kernel/spinlock.h"
#include "lib/ktest.h"
#include "lib/printf.h"
#include "lib/string.h"

static const char *last_report;
static unsigned int nr_reports;

static void record_report(const char *kind)
{
	last_report = kind;
	nr_reports++;
}

/* Run the calls between begin/end with reports going to record_report. */
static lockdep_hook_t hook_begin(void)
{
	last_report = NULL;
	nr_reports = 0;
	return lockdep_set_report_hook(record_report);
}

#define EXPECT_REPORT(test, kind)                                              \
	do {                                                                   \
		KTEST_EXPECT_EQ(test, nr_reports, 1);                          \
		KTEST_EXPECT_STREQ(test, last_report ? last_report : "none", kind); \
	} while (0)

#define SKIP_WITHOUT_CHECKS(test)                                    \
	do {                                                         \
		if (!LOCK_CHECKS)                                    \
			KTEST_SKIP(test, "built with LOCK_CHECKS=0"); \
	} while (0)

/* a then b, then (holding b) a: the inversion is reported before a is
 * spun on, and a is not pushed. */
static void lockdep_reports_inversion(struct ktest *test)
{
	static struct spinlock a = SPINLOCK_INIT("ktest-lockdep-a");
	static struct spinlock b = SPINLOCK_INIT("ktest-lockdep-b");
	lockdep_hook_t old;
	unsigned int held;

	SKIP_WITHOUT_CHECKS(test);
	held = lockdep_nr_held();
	spin_lock(&a);
	spin_lock(&b);
	spin_unlock(&b);
	spin_unlock(&a);
	old = hook_begin();
	spin_lock(&b);
	lockdep_acquire(&a, THIS_IP);
	KTEST_EXPECT_EQ(test, lockdep_nr_held(), held + 1);
	spin_unlock(&b);
	lockdep_set_report_hook(old);
	EXPECT_REPORT(test, "inversion");
}

/* x > y and y > z recorded; z then x closes the cycle x > y > z > x. */
static void lockdep_reports_transitive_inversion(struct ktest *test)
{
	static struct spinlock x = SPINLOCK_INIT("ktest-lockdep-x");
	static struct spinlock y = SPINLOCK_INIT("ktest-lockdep-y");
	static struct spinlock z = SPINLOCK_INIT("ktest-lockdep-z");
	lockdep_hook_t old;

	SKIP_WITHOUT_CHECKS(test);
	spin_lock(&x);
	spin_lock(&y);
	spin_unlock(&y);
	spin_unlock(&x);
	spin_lock(&y);
	spin_lock(&z);
	spin_unlock(&z);
	spin_unlock(&y);
	old = hook_begin();
	spin_lock(&z);
	lockdep_acquire(&x, THIS_IP);
	spin_unlock(&z);
	lockdep_set_report_hook(old);
	EXPECT_REPORT(test, "inversion");
}

/* The same order twice is not an inversion, and a consistent order of
 * three classes reports nothing. */
static void lockdep_consistent_order_is_quiet(struct ktest *test)
{
	static struct spinlock p = SPINLOCK_INIT("ktest-lockdep-p");
	static struct spinlock q = SPINLOCK_INIT("ktest-lockdep-q");
	static struct spinlock r = SPINLOCK_INIT("ktest-lockdep-r");
	lockdep_hook_t old;
	unsigned int i;

	SKIP_WITHOUT_CHECKS(test);
	old = hook_begin();
	for (i = 0; i < 2; i++) {
		spin_lock(&p);
		spin_lock(&q);
		spin_lock(&r);
		spin_unlock(&r);
		spin_unlock(&q);
		spin_lock(&r); /* p > r again, directly */
		spin_unlock(&r);
		spin_unlock(&p);
	}
	lockdep_set_report_hook(old);
	KTEST_EXPECT_EQ(test, nr_reports, 0);
	KTEST_EXPECT_GE(test, lockdep_nr_orders(), 3);
}

/* Taking a lock this CPU holds would spin forever: reported instead. */
static void lockdep_reports_recursion(struct ktest *test)
{
	static struct spinlock lock = SPINLOCK_INIT("ktest-lockdep-rec");
	lockdep_hook_t old;

	SKIP_WITHOUT_CHECKS(test);
	spin_lock(&lock);
	old = hook_begin();
	lockdep_acquire(&lock, THIS_IP);
	lockdep_set_report_hook(old);
	spin_unlock(&lock);
	EXPECT_REPORT(test, "recursion");
}

/* A class taken with interrupts on, then in (what counts as) interrupt
 * context: the handler would spin on its own CPU's holder. */
static void lockdep_reports_irq_unsafe_class(struct ktest *test)
{
	static char name[LOCKDEP_NAME_LEN];
	static unsigned int run;
	static struct spinlock lock;
	lockdep_hook_t old;
	unsigned long flags;

	SKIP_WITHOUT_CHECKS(test);
	/* A class of its own each run: a class's usage is recorded for good. */
	snprintf(name, sizeof(name), "ktest-lockdep-irq%u", run++);
	spin_lock_init(&lock, name);
	KTEST_ASSERT_TRUE(test, irqs_enabled());
	spin_lock(&lock); /* interrupts on: the unsafe half */
	spin_unlock(&lock);
	old = hook_begin();
	flags = irq_save();
	irq_enter();
	lockdep_acquire(&lock, THIS_IP);
	irq_exit();
	irq_restore(flags);
	lockdep_set_report_hook(old);
	EXPECT_REPORT(test, "irq-unsafe");
}

/* Taken irq-saving everywhere, in and out of interrupt context: fine. */
static void lockdep_irqsave_class_is_quiet(struct ktest *test)
{
	static struct spinlock lock = SPINLOCK_INIT("ktest-lockdep-irqsave");
	lockdep_hook_t old;
	unsigned long flags;

	SKIP_WITHOUT_CHECKS(test);
	old = hook_begin();
	flags = spin_lock_irqsave(&lock);
	spin_unlock_irqrestore(&lock, flags);
	flags = irq_save();
	irq_enter();
	spin_lock(&lock);
	spin_unlock(&lock);
	irq_exit();
	irq_restore(flags);
	lockdep_set_report_hook(old);
	KTEST_EXPECT_EQ(test, nr_reports, 0);
}

/* Two locks of one class (one name) at once. */
static void lockdep_reports_same_class(struct ktest *test)
{
	static struct spinlock one = SPINLOCK_INIT("ktest-lockdep-twin");
	static struct spinlock two = SPINLOCK_INIT("ktest-lockdep-twin");
	lockdep_hook_t old;

	SKIP_WITHOUT_CHECKS(test);
	spin_lock(&one);
	old = hook_begin();
	lockdep_acquire(&two, THIS_IP);
	lockdep_set_report_hook(old);
	spin_unlock(&one);
	EXPECT_REPORT(test, "same-class");
}

/* Releasing a lock nobody holds, and one this CPU did not take. */
static void lockdep_reports_release_not_held(struct ktest *test)
{
	static struct spinlock lock = SPINLOCK_INIT("ktest-lockdep-free");
	lockdep_hook_t old;

	SKIP_WITHOUT_CHECKS(test);
	old = hook_begin();
	lockdep_release(&lock);
	lockdep_set_report_hook(old);
	EXPECT_REPORT(test, "not-held");
	KTEST_EXPECT_FALSE(test, spin_is_locked(&lock));
}

/* The scheduler's check: a switch with a lock held. */
static void lockdep_reports_sleep_with_lock(struct ktest *test)
{
	static struct spinlock lock = SPINLOCK_INIT("ktest-lockdep-sleep");
	lockdep_hook_t old;

	SKIP_WITHOUT_CHECKS(test);
	spin_lock(&lock);
	old = hook_begin();
	lockdep_assert_none_held("ktest");
	lockdep_set_report_hook(old);
	spin_unlock(&lock);
	EXPECT_REPORT(test, "held-while-sleeping");
	lockdep_assert_none_held("ktest, after the unlock"); /* quiet now */
}

/* A waiting cross-call to another CPU with a lock held is reported (a CPU
 * spinning on the lock with interrupts off would never answer); without
 * a lock, or with nobody else to wait for, it is not. */
static void count_call(void *arg) { __atomic_fetch_add((unsigned int *)arg, 1, __ATOMIC_RELAXED); }

static void lockdep_reports_cross_call_wait_with_lock(struct ktest *test)
{
	static struct spinlock lock = SPINLOCK_INIT("ktest-lockdep-xcall");
	static unsigned int ran;
	lockdep_hook_t old;

	SKIP_WITHOUT_CHECKS(test);
	old = hook_begin();
	spin_lock(&lock);
	lockdep_assert_can_wait_for_cpus();
	spin_unlock(&lock);
	lockdep_set_report_hook(old);
	EXPECT_REPORT(test, "held-while-waiting");
	if (smp_nr_online() < 2)
		KTEST_SKIP(test, "the smp_call half needs 2 CPUs");
	old = hook_begin();
	ran = 0;
	spin_lock(&lock);
	KTEST_EXPECT_EQ(test, smp_call(1, count_call, &ran, true), 0); /* CPU 1 answers */
	spin_unlock(&lock);
	lockdep_set_report_hook(old);
	KTEST_EXPECT_EQ(test, __atomic_load_n(&ran, __ATOMIC_RELAXED), 1);
	EXPECT_REPORT(test, "held-while-waiting");
	old = hook_begin();
	KTEST_EXPECT_EQ(test, smp_call(1, count_call, &ran, true), 0);
	lockdep_set_report_hook(old);
	KTEST_EXPECT_EQ(test, nr_reports, 0);
}

/* The stack of held locks follows out-of-order releases. */
static void lockdep_out_of_order_release(struct ktest *test)
{
	static struct spinlock first = SPINLOCK_INIT("ktest-lockdep-first");
	static struct spinlock second = SPINLOCK_INIT("ktest-lockdep-second");
	unsigned int held;

	SKIP_WITHOUT_CHECKS(test);
	held = lockdep_nr_held();
	spin_lock(&first);
	spin_lock(&second);
	KTEST_EXPECT_EQ(test, lockdep_nr_held(), held + 2);
	spin_unlock(&first);
	KTEST_EXPECT_TRUE(test, spin_held(&second));
	KTEST_EXPECT_FALSE(test, spin_held(&first));
	spin_unlock(&second);
	KTEST_EXPECT_EQ(test, lockdep_nr_held(), held);
}

static const struct ktest_case lockdep_cases[] = {
	KTEST_CASE(lockdep_reports_inversion),
	KTEST_CASE(lockdep_reports_transitive_inversion),
	KTEST_CASE(lockdep_consistent_order_is_quiet),
	KTEST_CASE(lockdep_reports_recursion),
	KTEST_CASE(lockdep_reports_irq_unsafe_class),
	KTEST_CASE(lockdep_irqsave_class_is_quiet),
	KTEST_CASE(lockdep_reports_same_class),
	KTEST_CASE(lockdep_reports_release_not_held),
	KTEST_CASE(lockdep_reports_sleep_with_lock),
	KTEST_CASE(lockdep_reports_cross_call_wait_with_lock),
	KTEST_CASE(lockdep_out_of_order_release),
	KTEST_END,
};
KTEST_SUITE(lockdep, lockdep_cases);
