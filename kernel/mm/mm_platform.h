/*
 * The kernel's inline half of mm/platform.h: spinlocks with IRQ save, the
 * CPU number, and direct-map translation. Included only through
 * mm/platform.h.
 *
 * Every CPU has its own per-CPU cache (mm_cpu_id() is its cpus[] index),
 * each under its own lock (mm/pcp.c); mm_irq_save() guards what is this
 * CPU's alone (interrupts off; threads never change CPU).
 *
 * Each mm_lock counts its acquisitions, waits and holds (mm/lock_stat.h) in
 * TSC cycles: one RDTSC when taken, one when released, two more when it
 * had to wait.
 */
#ifndef KERNEL_MM_PLATFORM_H
#define KERNEL_MM_PLATFORM_H

#include "arch/x86_64/cpu.h"
#include "arch/x86_64/layout.h"
#include "arch/x86_64/smp.h"
#include "arch/x86_64/trap.h"
#include "kernel/spinlock.h"
#include "kernel/workqueue.h"
#include "mm/lock_stat.h"

#define MM_MAX_CPUS SMP_MAX_CPUS

struct mm_lock {
	struct spinlock lock;
	struct lock_stat stat; /* written by the holder */
};

struct mm_work {
	struct work work;
	void (*fn)(struct mm_work *w);
};

static inline void mm_lock_init(struct mm_lock *lock, const char *name)
{
	spin_lock_init(&lock->lock, name);
	lock->stat = (struct lock_stat){};
}
static inline unsigned long mm_lock_irqsave(struct mm_lock *lock)
{
	unsigned long flags = irq_save();
#if MM_LOCK_STAT
	u64 waited = 0;
	bool contended = spin_lock_contended_at(&lock->lock, THIS_IP, &waited);

	lock_stat_acquired(&lock->stat, rdtsc(), contended, waited);
#else
	spin_lock_at(&lock->lock, THIS_IP);
#endif
	return flags;
}
static inline void mm_unlock_irqrestore(struct mm_lock *lock, unsigned long flags)
{
#if MM_LOCK_STAT
	lock_stat_released(&lock->stat, rdtsc());
#endif
	spin_unlock_irqrestore(&lock->lock, flags);
}
static inline bool mm_lock_held(const struct mm_lock *lock) { return spin_held(&lock->lock); }
static inline unsigned long mm_irq_save(void) { return irq_save(); }
static inline void mm_irq_restore(unsigned long flags) { irq_restore(flags); }
static inline bool mm_irqs_disabled(void) { return !irqs_enabled(); }
static inline unsigned int mm_cpu_id(void) { return this_cpu()->index; }
static inline bool mm_in_interrupt(void) { return in_interrupt(); }
/* Raw TSC: the same count on every CPU (invariant TSC; TCG's is the host's
 * clock), so records of different CPUs merge by it. */
static inline u64 mm_tsc(void) { return rdtsc(); }
/* APs come up at boot, before anything uses the mm from them. */
static inline unsigned int mm_nr_cpus(void) { return smp_nr_online(); }

static inline void *mm_pfn_to_virt(unsigned long pfn)
{
	return (void *)(PHYS_OFFSET + (pfn << PAGE_SHIFT));
}
static inline unsigned long mm_virt_to_pfn(const void *va)
{
	return ((unsigned long)va - PHYS_OFFSET) >> PAGE_SHIFT;
}

#endif
