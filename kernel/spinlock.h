/*
 * Spinlocks: ticket locks that exclude across CPUs, FIFO among waiters.
 * `next` is the next ticket handed out, `serving` the ticket that holds the
 * lock; a CPU takes a ticket with one atomic add and spins until it is
 * served. `cpu` records the holder (its cpus[] index, -1 while free), so
 * spin_held() means "this CPU holds it".
 *
 * Locks an interrupt handler may take must be taken with
 * spin_lock_irqsave() everywhere. Holding a spinlock across a sleep or a
 * yield is a bug. With LOCK_CHECKS (on in every build but `make bench`'s)
 * each acquisition and release goes through kernel/lockdep.c, which
 * reports recursion, a release by a CPU that does not hold the lock,
 * sleeping with a lock held, and lock-order inversions between classes
 * (a class is the lock's name: locks initialised with one name are one
 * class).
 */
#ifndef KERNEL_SPINLOCK_H
#define KERNEL_SPINLOCK_H

#include "arch/x86_64/cpu.h"
#include "arch/x86_64/smp.h"
#include "include/compiler.h"
#include "kernel/lockdep.h"

struct spinlock {
	u16 serving;       /* the ticket that holds the lock */
	u16 next;          /* the next ticket to hand out */
	int cpu;           /* the holder's cpus[] index; -1 while free */
	const char *name;  /* and the lock class (lockdep) */
	u16 class_id;      /* lockdep's class, 0 until first taken */
};

#define SPINLOCK_INIT(n) { 0, 0, -1, n, 0 }

/* The address of this statement: a call site lockdep can print. */
#define THIS_IP                    \
	({                         \
		__label__ __here;  \
	__here:                    \
		(unsigned long)&&__here; \
	})

static inline void spin_lock_init(struct spinlock *lock, const char *name)
{
	*lock = (struct spinlock)SPINLOCK_INIT(name);
}

/* Take @lock. Return: true when it was held and this CPU waited for it,
 * then *@waited is how long (TSC cycles; mm/lock_stat.h counts it). */
static __always_inline bool spin_lock_contended_at(struct spinlock *lock, unsigned long site,
						   u64 *waited)
{
	u16 ticket;
	u64 start;

	lockdep_acquire(lock, site);
	ticket = __atomic_fetch_add(&lock->next, 1, __ATOMIC_RELAXED);
	if (likely(__atomic_load_n(&lock->serving, __ATOMIC_ACQUIRE) == ticket)) {
		WRITE_ONCE(lock->cpu, (int)this_cpu()->index);
		return false;
	}
	start = rdtsc();
	while (__atomic_load_n(&lock->serving, __ATOMIC_ACQUIRE) != ticket)
		cpu_relax();
	*waited = rdtsc() - start;
	WRITE_ONCE(lock->cpu, (int)this_cpu()->index);
	return true;
}

static __always_inline void spin_lock_at(struct spinlock *lock, unsigned long site)
{
	u16 ticket;

	lockdep_acquire(lock, site);
	ticket = __atomic_fetch_add(&lock->next, 1, __ATOMIC_RELAXED);
	while (__atomic_load_n(&lock->serving, __ATOMIC_ACQUIRE) != ticket)
		cpu_relax();
	WRITE_ONCE(lock->cpu, (int)this_cpu()->index);
}

static __always_inline void spin_unlock_at(struct spinlock *lock)
{
	lockdep_release(lock);
	WRITE_ONCE(lock->cpu, -1);
	__atomic_store_n(&lock->serving, (u16)(lock->serving + 1), __ATOMIC_RELEASE);
}

#define spin_lock(lock) spin_lock_at((lock), THIS_IP)
#define spin_unlock(lock) spin_unlock_at(lock)

/* Someone (any CPU) holds @lock. */
static inline bool spin_is_locked(const struct spinlock *lock)
{
	return __atomic_load_n(&lock->serving, __ATOMIC_RELAXED) !=
	       __atomic_load_n(&lock->next, __ATOMIC_RELAXED);
}

/* This CPU holds @lock (what a *_locked function asserts). */
static inline bool spin_held(const struct spinlock *lock)
{
	return READ_ONCE(lock->cpu) == (int)this_cpu()->index;
}

static __always_inline unsigned long spin_lock_irqsave_at(struct spinlock *lock, unsigned long site)
{
	unsigned long flags = irq_save();

	spin_lock_at(lock, site);
	return flags;
}

#define spin_lock_irqsave(lock) spin_lock_irqsave_at((lock), THIS_IP)

static inline void spin_unlock_irqrestore(struct spinlock *lock, unsigned long flags)
{
	spin_unlock_at(lock);
	irq_restore(flags);
}

#endif
