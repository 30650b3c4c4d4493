/*
 * The lock checker (a small lockdep), built in with LOCK_CHECKS=1: on in
 * every build but `make bench`'s kernel (the Makefile's LOCK_CHECKS).
 *
 * Each CPU keeps the stack of spinlocks it holds (struct cpu's `held`).
 * Each lock belongs to a class, its name. On every acquisition the
 * checker records "class B taken while class A held" for each lock A this
 * CPU holds, and reports, the first time it is recorded, an order that
 * closes a cycle (B was already, directly or through other classes, taken
 * before A): a lock-order inversion, with the call sites of both orders.
 * It also reports taking a lock this CPU already holds (recursion, which
 * would spin forever), a class taken both in interrupt context and with
 * interrupts enabled (an interrupt on the holder's CPU would spin
 * forever), two locks of one class at once, releasing a lock
 * this CPU does not hold (another CPU's, or a free one), and switching
 * threads with a lock held (lockdep_assert_none_held, from the scheduler)
 * and waiting for a cross-call with one held (smp_call).
 * A report panics: a checked kernel is a test kernel.
 *
 * Checks run before the lock is spun on, so a deadlock the checker can
 * see is reported instead of hung. Interrupt handlers take locks on the
 * interrupted thread's stack of held locks, which is exactly the order a
 * CPU can deadlock in.
 */
#ifndef KERNEL_LOCKDEP_H
#define KERNEL_LOCKDEP_H

#include "include/types.h"

#ifndef LOCK_CHECKS
#define LOCK_CHECKS 1
#endif

#define LOCKDEP_MAX_HELD 24     /* locks one CPU holds at once (mm_check: every pcp + zone) */
#define LOCKDEP_MAX_CLASSES 256 /* distinct lock names */
#define LOCKDEP_MAX_ORDERS 2048 /* orders recorded between classes */
#define LOCKDEP_NAME_LEN 24     /* a class keeps its name's first 23 bytes */

struct spinlock;

/* One entry of a CPU's stack of held locks. */
struct held_lock {
	const struct spinlock *lock;
	unsigned long site; /* where it was taken */
	u16 class_id;
};

/* A CPU's checker state (in struct cpu). */
struct lockdep_cpu {
	unsigned int nr_held;
	struct held_lock held[LOCKDEP_MAX_HELD];
};

#if LOCK_CHECKS
void lockdep_acquire(struct spinlock *lock, unsigned long site);
void lockdep_release(const struct spinlock *lock);
/* Report (and panic) when this CPU holds a spinlock: @what is about to
 * sleep or switch. */
void lockdep_assert_none_held(const char *what);
/* Report (and panic) when this CPU holds a spinlock while it waits for
 * other CPUs to run its cross-call: one of them spinning on that lock with
 * interrupts off would never answer (smp_call with wait). */
void lockdep_assert_can_wait_for_cpus(void);
#else
static inline void lockdep_acquire(struct spinlock *lock, unsigned long site) {}
static inline void lockdep_release(const struct spinlock *lock) {}
static inline void lockdep_assert_none_held(const char *what) {}
static inline void lockdep_assert_can_wait_for_cpus(void) {}
#endif

/* Spinlocks this CPU holds (0 without LOCK_CHECKS). */
unsigned int lockdep_nr_held(void);

/* Classes seen and orders recorded between them (for `locks`). */
unsigned int lockdep_nr_classes(void);
unsigned int lockdep_nr_orders(void);
/* Print every class and the classes taken while it is held; the same per
 * order with the call sites of its first time. */
void lockdep_dump(void);
void lockdep_dump_sites(void);

/*
 * Test interface (kernel/lockdep_test.c): with a hook set, a report calls
 * @hook(kind) instead of panicking, and the operation is not performed
 * (nothing is pushed or popped). Kinds: "recursion", "same-class",
 * "inversion", "irq-unsafe", "not-held", "held-while-sleeping", "too-deep".
 */
typedef void (*lockdep_hook_t)(const char *kind);
lockdep_hook_t lockdep_set_report_hook(lockdep_hook_t hook);

#endif
