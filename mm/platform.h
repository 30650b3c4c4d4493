/*
 * The whole interface between the memory manager and what it runs on. mm/
 * calls nothing outside mm/, lib/ and include/ except what is declared here.
 * Two implementations: the kernel's (kernel/mm/mm_platform.h inline part,
 * kernel/mm/mm_platform.c) and the host's (tests/host/mm_platform.{h,c}: physical
 * memory is one mmap'ed arena, page tables a simulated table).
 *
 * The inline part (locks with IRQ save, cpu id, direct-map translation) sits
 * on every allocation's fast path, so each platform provides it as a header
 * selected below; everything else is out of line.
 */
#ifndef MM_PLATFORM_H
#define MM_PLATFORM_H

#include "include/assert.h"
#include "include/compiler.h"
#include "include/types.h"

#ifdef MM_PLATFORM_HOST
#include "tests/host/mm_platform.h"
#else
#include "kernel/mm/mm_platform.h"
#endif

/*
 * Provided inline by the platform header:
 *
 *   struct mm_lock;                         a spinlock (IRQ-saving in the kernel)
 *   void mm_lock_init(struct mm_lock *l, const char *name);
 *   unsigned long mm_lock_irqsave(struct mm_lock *l);
 *   void mm_unlock_irqrestore(struct mm_lock *l, unsigned long flags);
 *   bool mm_lock_held(const struct mm_lock *l);  held (with SMP: by this cpu)
 *   struct lock_stat stat;                  a member of struct mm_lock: its
 *                                           statistics (mm/lock_stat.h)
 *   unsigned long mm_irq_save(void);        this CPU's own data: interrupts off
 *   void mm_irq_restore(unsigned long flags);
 *   bool mm_irqs_disabled(void);            interrupts are off here
 *   unsigned int mm_cpu_id(void);           0 .. MM_MAX_CPUS - 1
 *   void *mm_pfn_to_virt(unsigned long pfn);     direct map
 *   unsigned long mm_virt_to_pfn(const void *va);
 *   bool mm_in_interrupt(void);             true in an interrupt handler
 *   u64 mm_tsc(void);                       a cheap timestamp for event records
 *                                           (the kernel: the TSC; the host: ns)
 *   unsigned int mm_nr_cpus(void);          CPUs that run mm code: their ids are
 *                                           0 .. mm_nr_cpus() - 1
 *   MM_MAX_CPUS
 */

/*
 * The locking rules' assertions. A function named *_locked asserts, first
 * thing, the lock it needs (mm_assert_held), as the per-cpu cache's refill
 * and release assert its lock; code that needs only this CPU's own data
 * asserts that interrupts are off (mm_assert_irqs_off).
 * They are checks, like the lock checks to come: on in every build but the
 * host benchmarks' and the simulation's (the Makefile's BENCHCFLAGS pass
 * MM_LOCK_CHECKS=0), which time the allocator without them (they cost
 * mslab_pair_ns 2 ns of 20, docs/benchmarks.md).
 */
#ifndef MM_LOCK_CHECKS
#define MM_LOCK_CHECKS 1
#endif
#if MM_LOCK_CHECKS
#define mm_assert_held(l) ASSERT_MSG(mm_lock_held(l), "lock not held")
#define mm_assert_irqs_off() ASSERT_MSG(mm_irqs_disabled(), "interrupts are on")
#else
#define mm_assert_held(l) ((void)(l))
#define mm_assert_irqs_off() ((void)0)
#endif

/* @lock's statistics since mm_lock_init(), in ns; zeros with MM_LOCK_STAT=0. */
void lock_stat_read(const struct lock_stat *s, struct lock_stat_info *out);
static inline void mm_lock_stat_read(const struct mm_lock *lock, struct lock_stat_info *out)
{
	lock_stat_read(&lock->stat, out);
}

/* Log at a printk level (0 emerg .. 7 debug). */
__printf(2, 3) void mm_log(int level, const char *fmt, ...);
#define mm_err(...) mm_log(3, __VA_ARGS__)
#define mm_warn(...) mm_log(4, __VA_ARGS__)
#define mm_info(...) mm_log(6, __VA_ARGS__)
#define mm_debug(...) mm_log(7, __VA_ARGS__)

/*
 * Report a detected corruption or misuse (double free, wrong order, ...).
 * The kernel panics; the host build records it (tests assert it happened)
 * and returns, so the caller must leave state untouched after calling it.
 */
__printf(1, 2) void mm_bug(const char *fmt, ...);

/* Nanoseconds from a monotonic clock. */
u64 mm_time_ns(void);
/* The mm_time_ns() clock's reading at timestamp @tsc (from mm_tsc()). */
u64 mm_tsc_to_ns(u64 tsc);

/* Map one page of @pfn at kernel virtual address @va (which the mm owns: it
 * comes from mm_vrange_alloc). Return: 0 or -ENOMEM for a page-table page. */
#define MM_PROT_WRITE 0x1
int mm_map_page(unsigned long va, unsigned long pfn, unsigned int prot);
/* Remove the mapping (or migration entry) of @va; the TLB is flushed for
 * it. A page-table page left without entries is freed. */
void mm_unmap_page(unsigned long va);
/* The same for @nr_pages pages from @va, with one TLB flush on every CPU. */
void mm_unmap_range(unsigned long va, unsigned long nr_pages);
/* Translate @va through the page tables; false when unmapped. */
bool mm_lookup_page(unsigned long va, unsigned long *pfn);
void mm_flush_tlb_page(unsigned long va);
/* Flush [@va, @va + @nr_pages pages) on every CPU (one cross-call; a
 * large range flushes whole TLBs). No lock held that another CPU may spin
 * on with interrupts off. */
void mm_flush_tlb_range(unsigned long va, unsigned long nr_pages);

/*
 * Migration entries: mm_set_migration_entry() replaces @va's mapping with a
 * not-present entry naming @pfn (so every access faults) and flushes this
 * CPU's TLB entry only: other CPUs may still write the old page through
 * their stale one until mm_flush_tlb_page(@va) or mm_flush_tlb_range(),
 * which shoot it down on every CPU (call one with no lock held, before the
 * copy: mm/mapped.c batches them). The split lets
 * the caller write the entry under a lock another CPU may spin on with
 * interrupts off. mm_migration_entry() says whether @va holds one, and its
 * PFN. A fault on one must call mapped_fault() (mm/mapped.h), which waits
 * for the move to finish.
 */
void mm_set_migration_entry(unsigned long va, unsigned long pfn);
bool mm_migration_entry(unsigned long va, unsigned long *pfn);

/* @bytes of zeroed memory that is never given back (the event trace's
 * rings, mm/trace.c: taken at the first `trace on`, not at boot, so a
 * kernel that never traces never pays for them). Thread context.
 * Return: the memory, or NULL. */
void *mm_alloc_forever(size_t bytes);

/* Reserve @nr_pages of kernel virtual address space (unmapped). Return: the
 * base, or 0 when the range is exhausted. */
unsigned long mm_vrange_alloc(unsigned long nr_pages);
/* Give back a range from mm_vrange_alloc, whole (its mappings already
 * removed). Nothing is lost: the space is reused; page tables went with
 * their last mapping. */
void mm_vrange_free(unsigned long va, unsigned long nr_pages);

/*
 * Sleeping on a wait channel (any number, e.g. a PFN): mm_wait() blocks
 * until @cond(@arg) is true, rechecking after every mm_wake() of @channel.
 * Thread context only.
 */
void mm_wait(unsigned long channel, bool (*cond)(void *arg), void *arg);
void mm_wake(unsigned long channel);
/* Let other threads run before coming back (a short wait for something
 * nobody signals). Thread context only. */
void mm_yield(void);

/* Deferred work, run later in a context that may sleep. */
struct mm_work;
typedef void (*mm_work_fn)(struct mm_work *w);
void mm_work_init(struct mm_work *work, mm_work_fn fn);
bool mm_work_queue(struct mm_work *work);

#endif
