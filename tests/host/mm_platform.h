/*
 * The host's inline half of mm/platform.h. Physical memory is one mmap'ed
 * arena (tests/host/mm_platform.c) whose PFN 0 is at mm_host_arena. CPUs are
 * pthreads: each thread names its CPU with mm_host_cpu_set() (the main
 * thread and any other is CPU 0 until it does), so several threads run the
 * same mm code at once (tests/host/smp_stress_test.c, `make tsan`).
 *
 * MM_HOST_SMP (default 1): a lock is a real ticket spinlock (__atomic
 * builtins, which ThreadSanitizer understands; first come, first served, as
 * the kernel's, so a drain is not starved by a CPU that relocks at once)
 * recording its owner thread: mm_lock_held() means "this thread holds it",
 * and recursion is caught.
 * The benchmarks and the simulation, single-threaded, build with
 * MM_HOST_SMP=0 (Makefile BENCHCFLAGS): one CPU and a lock that is a flag,
 * so they time the allocator, not an atomic exchange per lock.
 * There are no interrupts: IRQ save/restore track a per-thread depth.
 * Each mm_lock counts its acquisitions, waits and holds (mm/lock_stat.h) in
 * ns of mm_time_ns() (the lock clock here).
 */
#ifndef TESTS_HOST_MM_PLATFORM_H
#define TESTS_HOST_MM_PLATFORM_H

#include "include/assert.h"
#include "include/types.h"
#include "mm/lock_stat.h"

#ifndef MM_HOST_SMP
#define MM_HOST_SMP 1
#endif

#if MM_HOST_SMP
#define MM_MAX_CPUS 8
#else
#define MM_MAX_CPUS 1
#endif

extern unsigned char *mm_host_arena;
/* This thread's: mm_irq_save() nesting, mm_locks held, CPU index, and its
 * identity as a lock owner (its address). Every host program is one
 * executable: local-exec TLS is one %fs-relative access. With one CPU,
 * plain globals (the compiler may then keep the depth in a register
 * across a lock and its unlock, as before there were threads). */
#if MM_HOST_SMP
#define MM_HOST_TLS __thread __attribute__((tls_model("local-exec")))
#else
#define MM_HOST_TLS
#endif
extern MM_HOST_TLS int mm_host_irq_depth;
extern MM_HOST_TLS int mm_host_locks_held;
extern MM_HOST_TLS unsigned int mm_host_cpu;
extern MM_HOST_TLS char mm_host_self;

struct mm_lock {
#if MM_HOST_SMP
	unsigned int next;    /* the next ticket to hand out (atomic) */
	unsigned int serving; /* the ticket that holds the lock (atomic) */
	const char *owner;    /* &mm_host_self of the holder, or NULL (atomic) */
#else
	int locked;           /* 1 while held */
#endif
	const char *name;
	struct lock_stat stat; /* written by the holder */
};

struct mm_work {
	struct mm_work *next;
	void (*fn)(struct mm_work *w);
	bool pending;
};

static inline void mm_lock_init(struct mm_lock *lock, const char *name)
{
#if MM_HOST_SMP
	lock->next = 0;
	lock->serving = 0;
	lock->owner = NULL;
#else
	lock->locked = 0;
#endif
	lock->name = name;
	lock->stat = (struct lock_stat){};
}

u64 mm_time_ns(void); /* as mm/platform.h: the lock clock */

/* The uncontended acquisition and the release, for the lock statistics. */
static inline void mm_host_lock_stat_acquired(struct mm_lock *lock)
{
#if MM_LOCK_STAT
	lock_stat_acquired(&lock->stat, mm_time_ns(), false, 0);
#endif
}
static inline void mm_host_lock_stat_released(struct mm_lock *lock)
{
#if MM_LOCK_STAT
	lock_stat_released(&lock->stat, mm_time_ns());
#endif
}

#if MM_HOST_SMP
/* Out of line: spin (then yield) until @ticket is served. */
void mm_host_lock_contended(struct mm_lock *lock, unsigned int ticket);

static inline unsigned long mm_lock_irqsave(struct mm_lock *lock)
{
	unsigned int ticket;

	ASSERT_MSG(__atomic_load_n(&lock->owner, __ATOMIC_RELAXED) != &mm_host_self,
		   "recursive locking of %s", lock->name);
	ticket = __atomic_fetch_add(&lock->next, 1, __ATOMIC_RELAXED);
	if (unlikely(__atomic_load_n(&lock->serving, __ATOMIC_ACQUIRE) != ticket)) {
#if MM_LOCK_STAT
		u64 start = mm_time_ns(), now;

		mm_host_lock_contended(lock, ticket);
		now = mm_time_ns();
		lock_stat_acquired(&lock->stat, now, true, now - start);
#else
		mm_host_lock_contended(lock, ticket);
#endif
	} else if (MM_LOCK_STAT) {
		mm_host_lock_stat_acquired(lock);
	}
	__atomic_store_n(&lock->owner, &mm_host_self, __ATOMIC_RELAXED);
	mm_host_locks_held++;
	return 0;
}
static inline void mm_unlock_irqrestore(struct mm_lock *lock, unsigned long flags)
{
	ASSERT_MSG(__atomic_load_n(&lock->owner, __ATOMIC_RELAXED) == &mm_host_self,
		   "unlocking %s, which this thread does not hold", lock->name);
	mm_host_lock_stat_released(lock);
	__atomic_store_n(&lock->owner, NULL, __ATOMIC_RELAXED);
	/* Only the holder writes serving: a plain read of it is its own. */
	__atomic_store_n(&lock->serving, lock->serving + 1, __ATOMIC_RELEASE);
	mm_host_locks_held--;
}
static inline bool mm_lock_held(const struct mm_lock *lock)
{
	return __atomic_load_n(&lock->owner, __ATOMIC_RELAXED) == &mm_host_self;
}
static inline unsigned int mm_cpu_id(void) { return mm_host_cpu; }
#else
/* One CPU: a flag. Its recursion checks are lock assertions (mm/platform.h):
 * off in the benchmarks with the rest (MM_LOCK_CHECKS=0). */
#ifndef MM_LOCK_CHECKS
#define MM_LOCK_CHECKS 1 /* as mm/platform.h, which includes this first */
#endif
static inline unsigned long mm_lock_irqsave(struct mm_lock *lock)
{
	if (MM_LOCK_CHECKS)
		ASSERT_MSG(!lock->locked, "recursive locking of %s", lock->name);
	lock->locked = 1;
	mm_host_lock_stat_acquired(lock);
	mm_host_locks_held++;
	return 0;
}
static inline void mm_unlock_irqrestore(struct mm_lock *lock, unsigned long flags)
{
	if (MM_LOCK_CHECKS)
		ASSERT_MSG(lock->locked, "unlocking %s, which is not locked", lock->name);
	mm_host_lock_stat_released(lock);
	lock->locked = 0;
	mm_host_locks_held--;
}
static inline bool mm_lock_held(const struct mm_lock *lock) { return lock->locked; }
static inline unsigned int mm_cpu_id(void) { return 0; }
#endif

static inline unsigned long mm_irq_save(void) { return (unsigned long)mm_host_irq_depth++; }
static inline void mm_irq_restore(unsigned long flags) { mm_host_irq_depth = (int)flags; }
/* No interrupts here: "off" means inside mm_irq_save() or holding a lock
 * (which the kernel takes with interrupts off), on this thread. */
static inline bool mm_irqs_disabled(void) { return mm_host_irq_depth > 0 || mm_host_locks_held > 0; }
static inline bool mm_in_interrupt(void) { return false; }
/* The timestamp is the monotonic clock's nanoseconds: one clock for every
 * thread-CPU, and mm_tsc_to_ns() is the identity. */
u64 mm_time_ns(void);
static inline u64 mm_tsc(void) { return mm_time_ns(); }
static inline unsigned int mm_nr_cpus(void) { return MM_MAX_CPUS; }

static inline void *mm_pfn_to_virt(unsigned long pfn)
{
	return mm_host_arena + (pfn << 12);
}
static inline unsigned long mm_virt_to_pfn(const void *va)
{
	return (unsigned long)((const unsigned char *)va - mm_host_arena) >> 12;
}

/* Host-only helpers for tests and benchmarks. */

/**
 * mm_host_cpu_set - make the calling thread CPU @cpu (< MM_MAX_CPUS).
 * @cpu: its index: mm_cpu_id() from now on, on this thread only.
 *
 * Two threads on one CPU would share its per-CPU data as two CPUs never do:
 * each thread of a concurrent test takes its own index.
 */
void mm_host_cpu_set(unsigned int cpu);

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
