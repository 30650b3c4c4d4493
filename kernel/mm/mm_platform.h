/*
 * The kernel's inline half of mm/platform.h: spinlocks with IRQ save, the
 * CPU number, and direct-map translation. Included only through
 * mm/platform.h.
 *
 * MM_MAX_CPUS is 1 until the mm keeps a per-CPU cache per CPU: every CPU
 * uses cache 0, so the "per-CPU" sections (mm_irq_save) take one lock,
 * mm_percpu_lock, not only interrupts off. With the threads that use the
 * mm on the boot CPU it is never contended; it makes the sections correct
 * from any CPU all the same.
 */
#ifndef KERNEL_MM_PLATFORM_H
#define KERNEL_MM_PLATFORM_H

#include "arch/x86_64/cpu.h"
#include "arch/x86_64/layout.h"
#include "arch/x86_64/trap.h"
#include "kernel/spinlock.h"
#include "kernel/workqueue.h"

#define MM_MAX_CPUS 1

struct mm_lock {
	struct spinlock lock;
};

struct mm_work {
	struct work work;
	void (*fn)(struct mm_work *w);
};

static inline void mm_lock_init(struct mm_lock *lock, const char *name)
{
	spin_lock_init(&lock->lock, name);
}
static inline unsigned long mm_lock_irqsave(struct mm_lock *lock)
{
	return spin_lock_irqsave(&lock->lock);
}
static inline void mm_unlock_irqrestore(struct mm_lock *lock, unsigned long flags)
{
	spin_unlock_irqrestore(&lock->lock, flags);
}
static inline bool mm_lock_held(const struct mm_lock *lock) { return spin_held(&lock->lock); }
extern struct spinlock mm_percpu_lock;
static inline unsigned long mm_irq_save(void) { return spin_lock_irqsave(&mm_percpu_lock); }
static inline void mm_irq_restore(unsigned long flags)
{
	spin_unlock_irqrestore(&mm_percpu_lock, flags);
}
static inline bool mm_irqs_disabled(void) { return !irqs_enabled(); }
static inline unsigned int mm_cpu_id(void) { return 0; }
static inline bool mm_in_interrupt(void) { return in_interrupt(); }

static inline void *mm_pfn_to_virt(unsigned long pfn)
{
	return (void *)(PHYS_OFFSET + (pfn << PAGE_SHIFT));
}
static inline unsigned long mm_virt_to_pfn(const void *va)
{
	return ((unsigned long)va - PHYS_OFFSET) >> PAGE_SHIFT;
}

#endif
