/*
 * Spinlocks. The kernel runs on one CPU today, but every lock is a real
 * test-and-set lock so that SMP needs no redesign. Locks that an interrupt
 * handler may take must be taken with spin_lock_irqsave(); holding a spinlock
 * across a sleep or a yield is a bug (checked by sched via preempt_count-like
 * accounting of held locks).
 */
#ifndef KERNEL_SPINLOCK_H
#define KERNEL_SPINLOCK_H

#include "arch/x86_64/cpu.h"
#include "include/compiler.h"

struct spinlock {
	volatile int locked;
	const char *name;
};

#define SPINLOCK_INIT(n) { 0, n }

/* Number of spinlocks held on this CPU; sched refuses to switch while > 0. */
extern int spinlocks_held;

static inline void spin_lock_init(struct spinlock *lock, const char *name)
{
	lock->locked = 0;
	lock->name = name;
}

static inline void spin_lock(struct spinlock *lock)
{
	while (__atomic_exchange_n(&lock->locked, 1, __ATOMIC_ACQUIRE))
		while (READ_ONCE(lock->locked))
			cpu_relax();
	spinlocks_held++;
}

static inline void spin_unlock(struct spinlock *lock)
{
	spinlocks_held--;
	__atomic_store_n(&lock->locked, 0, __ATOMIC_RELEASE);
}

static inline bool spin_is_locked(const struct spinlock *lock) { return READ_ONCE(lock->locked); }

static inline unsigned long spin_lock_irqsave(struct spinlock *lock)
{
	unsigned long flags = irq_save();

	spin_lock(lock);
	return flags;
}

static inline void spin_unlock_irqrestore(struct spinlock *lock, unsigned long flags)
{
	spin_unlock(lock);
	irq_restore(flags);
}

#endif
