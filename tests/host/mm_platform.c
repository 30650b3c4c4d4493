/*
 * The host implementation of mm/platform.h: an mmap'ed arena plays physical
 * memory, a small table plays the page tables, logging goes to stderr (only
 * errors, unless MM_HOST_LOG=debug), and mm_bug() is recorded rather than
 * fatal so tests can check that misuse is detected and harmless.
 *
 * Threads (the host's CPUs, mm_platform.h): the bug count is atomic; the
 * work queue and the simulated address space are under a mutex each;
 * mm_wait() polls its condition, running deferred work and yielding, and
 * panics after MM_HOST_WAIT_S seconds (a lost wake-up or a deadlock).
 */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <pthread.h>
#include <sched.h>
#include <sys/mman.h>
#include <time.h>

#include "include/errno.h"
#include "mm/platform.h"

unsigned char *mm_host_arena;
MM_HOST_TLS int mm_host_irq_depth;
MM_HOST_TLS int mm_host_locks_held; /* mm_locks held: interrupts count as off */
MM_HOST_TLS unsigned int mm_host_cpu;
MM_HOST_TLS char mm_host_self;
static unsigned long arena_bytes;
static unsigned int bugs; /* atomic */
static struct mm_work *work_head; /* under work_lock */
static pthread_mutex_t work_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t vrange_lock = PTHREAD_MUTEX_INITIALIZER;

#define MM_HOST_WAIT_S 10

#define SIM_PAGES (1UL << 26) /* simulated virtual pages (256 GiB) for mm_map_page */
#define SIM_BASE 0x7e0000000000UL
/* Simulated PTEs (relaxed-or-stronger atomics: any thread-CPU reads them):
 * 0 unmapped, pfn + 1 mapped, (pfn + 1) | SIM_MIGRATION a
 * migration entry. */
#define SIM_MIGRATION (1UL << 63)
static unsigned long *sim_pte; /* address space only until touched */
static unsigned long sim_next;
static unsigned long sim_live; /* pages of ranges not given back yet */

void mm_host_cpu_set(unsigned int cpu)
{
	ASSERT_MSG(cpu < MM_MAX_CPUS, "cpu %u of %u", cpu, MM_MAX_CPUS);
	mm_host_cpu = cpu;
}

#if MM_HOST_SMP
void mm_host_lock_contended(struct mm_lock *lock, unsigned int ticket)
{
	unsigned int spins = 0;

	while (__atomic_load_n(&lock->serving, __ATOMIC_ACQUIRE) != ticket) {
		/* Two host cores run more threads: let the holder run. */
		if (++spins % 64 == 0)
			sched_yield();
		else
			__builtin_ia32_pause();
	}
}
#endif

int mm_host_arena_init(unsigned long bytes)
{
	void *p;

	mm_host_arena_free();
	p = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
		 -1, 0);
	if (p == MAP_FAILED)
		return -ENOMEM;
	mm_host_arena = p;
	arena_bytes = bytes;
	return 0;
}

void mm_host_arena_free(void)
{
	if (mm_host_arena)
		munmap(mm_host_arena, arena_bytes);
	mm_host_arena = NULL;
	arena_bytes = 0;
}

void *mm_host_alloc_zeroed(size_t bytes)
{
	void *p = mmap(NULL, bytes, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);

	if (p == MAP_FAILED)
		return NULL;
	/* Sparse by design (untouched descriptors cost nothing): keep
	 * transparent huge pages from filling it in 2 MiB at a time. */
	madvise(p, bytes, MADV_NOHUGEPAGE);
	return p;
}

void mm_host_free(void *p, size_t bytes)
{
	if (p)
		munmap(p, bytes);
}

static int log_threshold(void)
{
	const char *v = getenv("MM_HOST_LOG");

	if (v && !strcmp(v, "off"))
		return 0; /* the fuzzers: hostile input makes errors routine */
	return v && !strcmp(v, "debug") ? 7 : v && !strcmp(v, "info") ? 6 : 3;
}

void mm_log(int level, const char *fmt, ...)
{
	va_list ap;

	if (level > log_threshold())
		return;
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
}

void mm_bug(const char *fmt, ...)
{
	va_list ap;

	__atomic_fetch_add(&bugs, 1, __ATOMIC_RELAXED);
	if (log_threshold() < 6)
		return; /* expected in tests; shown with MM_HOST_LOG=info */
	fputs("mm_bug: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
}

unsigned int mm_host_take_bugs(void)
{
	return __atomic_exchange_n(&bugs, 0, __ATOMIC_RELAXED);
}

u64 mm_time_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (u64)ts.tv_sec * 1000000000ULL + (u64)ts.tv_nsec;
}

u64 mm_tsc_to_ns(u64 tsc) { return tsc; }

/* mmap'ed, so untouched pages cost nothing; never unmapped. */
void *mm_alloc_forever(size_t bytes) { return mm_host_alloc_zeroed(bytes); }

static pthread_once_t sim_once = PTHREAD_ONCE_INIT;

static void sim_pte_init(void)
{
	sim_pte = mm_host_alloc_zeroed(SIM_PAGES * sizeof(*sim_pte));
	if (!sim_pte)
		panic("mm_platform: no address space for the simulated page table");
}

static long sim_index(unsigned long va)
{
	pthread_once(&sim_once, sim_pte_init);
	if (va < SIM_BASE || va >= SIM_BASE + SIM_PAGES * 4096UL || (va & 4095))
		return -1;
	return (long)((va - SIM_BASE) >> 12);
}

int mm_map_page(unsigned long va, unsigned long pfn, unsigned int prot)
{
	long i = sim_index(va);

	assert(i >= 0);
	__atomic_store_n(&sim_pte[i], pfn + 1, __ATOMIC_RELEASE);
	return 0;
}

void mm_unmap_page(unsigned long va)
{
	long i = sim_index(va);

	assert(i >= 0);
	__atomic_store_n(&sim_pte[i], 0, __ATOMIC_RELEASE);
}

void mm_unmap_range(unsigned long va, unsigned long nr_pages)
{
	unsigned long i;

	for (i = 0; i < nr_pages; i++)
		mm_unmap_page(va + i * 4096UL);
}

void mm_set_migration_entry(unsigned long va, unsigned long pfn)
{
	long i = sim_index(va);

	assert(i >= 0);
	__atomic_store_n(&sim_pte[i], (pfn + 1) | SIM_MIGRATION, __ATOMIC_RELEASE);
}

bool mm_migration_entry(unsigned long va, unsigned long *pfn)
{
	long i = sim_index(va & ~4095UL);
	unsigned long pte = i < 0 ? 0 : __atomic_load_n(&sim_pte[i], __ATOMIC_ACQUIRE);

	if (!(pte & SIM_MIGRATION))
		return false;
	*pfn = (pte & ~SIM_MIGRATION) - 1;
	return true;
}

bool mm_lookup_page(unsigned long va, unsigned long *pfn)
{
	long i = sim_index(va & ~4095UL);
	unsigned long pte = i < 0 ? 0 : __atomic_load_n(&sim_pte[i], __ATOMIC_ACQUIRE);

	if (!pte || (pte & SIM_MIGRATION))
		return false;
	*pfn = pte - 1;
	return true;
}

void mm_flush_tlb_page(unsigned long va) { }
void mm_flush_tlb_range(unsigned long va, unsigned long nr_pages) { }

unsigned long mm_vrange_alloc(unsigned long nr_pages)
{
	unsigned long va = 0;

	pthread_mutex_lock(&vrange_lock);
	if (sim_next + nr_pages <= SIM_PAGES) {
		va = SIM_BASE + sim_next * 4096UL;
		sim_next += nr_pages;
		sim_live += nr_pages;
	}
	pthread_mutex_unlock(&vrange_lock);
	return va;
}

void mm_vrange_free(unsigned long va, unsigned long nr_pages)
{
	/* A bump allocator: the space is reused once every range is back, so
	 * a process can build and destroy many large machines (host_bench). */
	assert(sim_index(va) >= 0);
	pthread_mutex_lock(&vrange_lock);
	assert(nr_pages && nr_pages <= sim_live);
	sim_live -= nr_pages;
	if (!sim_live)
		sim_next = 0;
	pthread_mutex_unlock(&vrange_lock);
}

void mm_wait(unsigned long channel, bool (*cond)(void *arg), void *arg)
{
	u64 deadline = mm_time_ns() + MM_HOST_WAIT_S * 1000000000ULL;

	/* Alone, only deferred work can make @cond true; with other threads
	 * they may: run what is queued, else yield to them, until it holds. */
	while (!cond(arg)) {
		if (!mm_host_run_work())
			sched_yield();
		if (mm_time_ns() > deadline)
			panic("mm_wait: no wake-up on channel %#lx in %d s", channel,
			      MM_HOST_WAIT_S);
	}
}

/* mm_wait() polls: nothing to wake. */
void mm_wake(unsigned long channel) { }

void mm_yield(void)
{
	if (!mm_host_run_work())
		sched_yield();
}

void mm_work_init(struct mm_work *work, mm_work_fn fn)
{
	work->next = NULL;
	work->fn = fn;
	work->pending = false;
}

bool mm_work_queue(struct mm_work *work)
{
	struct mm_work **pp = &work_head;
	bool queued = false;

	pthread_mutex_lock(&work_lock);
	if (!work->pending) {
		while (*pp)
			pp = &(*pp)->next;
		work->next = NULL;
		work->pending = true;
		*pp = work;
		queued = true;
	}
	pthread_mutex_unlock(&work_lock);
	return queued;
}

/* The next item, off the queue and no longer pending, or NULL. */
static struct mm_work *work_take(void)
{
	struct mm_work *work;

	pthread_mutex_lock(&work_lock);
	work = work_head;
	if (work) {
		work_head = work->next;
		work->pending = false;
	}
	pthread_mutex_unlock(&work_lock);
	return work;
}

unsigned int mm_host_run_work(void)
{
	struct mm_work *work;
	unsigned int n = 0;

	while ((work = work_take())) {
		work->fn(work);
		n++;
	}
	return n;
}
