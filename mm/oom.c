/*
 * The OOM-notifier list (see oom.h) and its walk from the allocator's slow
 * path (buddy.c: alloc_after_oom_notify). The walk runs with the zone lock
 * dropped, so mm->oom.notifying stands in for it: while set, the list does
 * not change (register/unregister wait) and no second walk starts, which is
 * also what stops an allocation made inside release() from recursing.
 */
#include "mm/internal.h"
#include "mm/oom.h"

static bool no_walk(void *arg)
{
	const struct mm *mm = arg;

	return !READ_ONCE(mm->oom.notifying);
}

/* Take the zone lock at a moment when no walk runs. Return: saved flags. */
static unsigned long lock_without_walk(struct mm *mm)
{
	unsigned long flags = mm_lock_irqsave(&mm->lock);

	while (mm->oom.notifying) {
		mm->oom.waiters++;
		mm_unlock_irqrestore(&mm->lock, flags);
		mm_wait((unsigned long)&mm->oom, no_walk, mm);
		flags = mm_lock_irqsave(&mm->lock);
		mm->oom.waiters--;
	}
	return flags;
}

void mm_oom_notifier_register(struct mm *mm, struct mm_oom_notifier *notifier)
{
	unsigned long flags;

	BUG_ON(!notifier->release);
	flags = lock_without_walk(mm);
	list_add_tail(&notifier->link, &mm->oom.notifiers);
	mm_unlock_irqrestore(&mm->lock, flags);
}

void mm_oom_notifier_unregister(struct mm *mm, struct mm_oom_notifier *notifier)
{
	unsigned long flags = lock_without_walk(mm);

	list_del(&notifier->link);
	mm_unlock_irqrestore(&mm->lock, flags);
}

unsigned long oom_notify(struct mm *mm, unsigned int order, gfp_t gfp)
{
	struct mm_oom_notifier *notifier;
	unsigned long flags, released = 0;
	bool wake;

	flags = mm_lock_irqsave(&mm->lock);
	if (mm->oom.notifying || list_empty(&mm->oom.notifiers)) {
		if (mm->oom.notifying)
			mm->stats.oom_busy++;
		mm_unlock_irqrestore(&mm->lock, flags);
		return 0;
	}
	mm->oom.notifying = true;
	mm->stats.oom_notify++;
	mm_unlock_irqrestore(&mm->lock, flags);

	list_for_each_entry(notifier, &mm->oom.notifiers, link)
		released += notifier->release(mm, order, gfp, notifier->arg);

	flags = mm_lock_irqsave(&mm->lock);
	mm->oom.notifying = false;
	mm->stats.oom_released += released;
	wake = mm->oom.waiters;
	mm_unlock_irqrestore(&mm->lock, flags);
	if (wake)
		mm_wake((unsigned long)&mm->oom);
	return released;
}
