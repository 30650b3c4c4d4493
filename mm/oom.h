/*
 * OOM notifiers: how other subsystems give memory back when an allocation is
 * about to fail (the balloon's deflate-on-OOM), by registration - mm never
 * calls a driver by name. The allocator's slow path, after compaction, walks
 * the registered notifiers and retries if they released anything.
 *
 * Invariants: one walk at a time per mm (mm->oom.notifying); an allocation
 * that fails while a walk runs - one made from inside release(), or one on
 * another cpu - does not walk again, it fails (counted in stats.oom_busy).
 * The list changes only while no walk runs.
 * Locking: the list and the flag under the zone lock; release() is called
 * with no mm lock held.
 */
#ifndef MM_OOM_H
#define MM_OOM_H

#include "mm/mm.h"

struct mm_oom_notifier {
	struct list_head link; /* (Z) on mm->oom.notifiers */
	/*
	 * release - free memory for a failing allocation of 2^@order pages.
	 * Called by the allocator's slow path with no mm lock held and
	 * interrupts as the allocating caller had them. When @gfp has
	 * GFP_ATOMIC, mm_in_interrupt() is true or interrupts are off (the
	 * caller holds a spinlock: mslab allocates its pages under its pool's
	 * lock), mm_oom_may_sleep() says false and the context is atomic: do
	 * not sleep, do not wait for a device; release only what can be
	 * freed at once (or nothing). In
	 * thread context it may sleep. It may allocate (GFP_ATOMIC|GFP_NOWARN
	 * is wise): such allocations never re-enter the notifiers. It must not
	 * register or unregister notifiers.
	 * Return: pages freed back to @mm (0 when it could not help).
	 */
	unsigned long (*release)(struct mm *mm, unsigned int order, gfp_t gfp, void *arg);
	void *arg; /* (C) passed to release() */
};

/*
 * mm_oom_notifier_register - add @notifier (release set) to @mm's notifiers; it is
 * called from the next failing allocation on.
 * Context: thread context, not from a release(); may sleep until a running
 * walk ends.
 */
void mm_oom_notifier_register(struct mm *mm, struct mm_oom_notifier *notifier);

/*
 * mm_oom_notifier_unregister - remove @notifier. When it returns, no walk is
 * calling or will call @notifier->release, so its owner may go away.
 * Context: as for register.
 */
void mm_oom_notifier_unregister(struct mm *mm, struct mm_oom_notifier *notifier);

/* May a release() for an allocation with @gfp sleep? Not in interrupt
 * context, nor with interrupts off, whatever @gfp says: a caller holding a
 * spinlock passes GFP_KERNEL on (the lock checker's orders showed mslab
 * pools taking the zone lock under their own). */
static inline bool mm_oom_may_sleep(gfp_t gfp)
{
	return !(gfp & GFP_ATOMIC) && !mm_in_interrupt() && !mm_irqs_disabled();
}

#endif
