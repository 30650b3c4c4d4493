/*
 * The host's inline half of mm/platform.h. Physical memory is one mmap'ed
 * arena (tests/host/mm_platform.c) whose PFN 0 is at mm_host_arena; there are
 * no interrupts, so IRQ save/restore only track a nesting flag, and a lock
 * is a flag that catches recursive locking.
 */
#ifndef TESTS_HOST_MM_PLATFORM_H
#define TESTS_HOST_MM_PLATFORM_H

#include "include/assert.h"
#include "include/types.h"

#define MM_MAX_CPUS 1

extern unsigned char *mm_host_arena;
extern int mm_host_irq_depth;
extern int mm_host_locks_held;

struct mm_lock {
	int locked;
	const char *name;
};

struct mm_work {
	struct mm_work *next;
	void (*fn)(struct mm_work *w);
	bool pending;
};

static inline void mm_lock_init(struct mm_lock *lock, const char *name)
{
	lock->locked = 0;
	lock->name = name;
}
static inline unsigned long mm_lock_irqsave(struct mm_lock *lock)
{
	ASSERT_MSG(!lock->locked, "recursive locking of %s", lock->name);
	lock->locked = 1;
	mm_host_locks_held++;
	return 0;
}
static inline void mm_unlock_irqrestore(struct mm_lock *lock, unsigned long flags)
{
	ASSERT_MSG(lock->locked, "unlocking %s, which is not locked", lock->name);
	lock->locked = 0;
	mm_host_locks_held--;
}
static inline bool mm_lock_held(const struct mm_lock *lock) { return lock->locked; }
static inline unsigned long mm_irq_save(void) { return (unsigned long)mm_host_irq_depth++; }
static inline void mm_irq_restore(unsigned long flags) { mm_host_irq_depth = (int)flags; }
/* No interrupts here: "off" means inside mm_irq_save() or holding a lock
 * (which the kernel takes with interrupts off). */
static inline bool mm_irqs_disabled(void) { return mm_host_irq_depth > 0 || mm_host_locks_held > 0; }
static inline unsigned int mm_cpu_id(void) { return 0; }
static inline bool mm_in_interrupt(void) { return false; }

static inline void *mm_pfn_to_virt(unsigned long pfn)
{
	return mm_host_arena + (pfn << 12);
}
static inline unsigned long mm_virt_to_pfn(const void *va)
{
	return (unsigned long)((const unsigned char *)va - mm_host_arena) >> 12;
}

/* Host-only helpers for tests and benchmarks. */

/* Reserve an arena of @bytes (address space only: MAP_NORESERVE) as
 * physical memory, replacing any previous one. Return: 0 or -ENOMEM. */
int mm_host_arena_init(unsigned long bytes);
void mm_host_arena_free(void);

/* Zeroed, page-aligned memory for mm_init's storage (mmap; untouched pages
 * cost nothing). */
void *mm_host_alloc_zeroed(size_t bytes);
void mm_host_free(void *p, size_t bytes);

/* mm_bug() reports since the last call (tests assert misuse was caught). */
unsigned int mm_host_take_bugs(void);

/* Run deferred work queued with mm_work_queue(). Return: items run. */
unsigned int mm_host_run_work(void);

#endif
