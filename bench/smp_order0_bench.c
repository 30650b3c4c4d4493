/*
 * Order-0 allocation on several CPUs at once (the binary
 * build/bench/smp_order0_bench: this file and the harness bench/host_bench.c
 * over mm/ built with MM_HOST_SMP=1, so CPUs are pthreads and locks real
 * ticket locks; tools/bench.py runs it beside host_bench):
 *
 *   order0_pair_ns_threads1  mm_alloc_pages(0) + mm_free_pages, tight, on one
 *                            thread-CPU of a shared warm mm: ns per pair
 *   order0_pair_ns_threads2  the same loop on two thread-CPUs at once, each
 *                            through its own per-cpu cache: wall ns per pair
 *                            of one thread, from both starting together to
 *                            the last one done
 *   order0_scaling_2t        throughput at 2 threads / throughput at 1
 *                            (2 * pair_ns_threads1 / pair_ns_threads2), the
 *                            median of per-round ratios: rounds of 1 and 2
 *                            threads alternate in one run, so noise hits both
 *                            (ideal 2: the caches share no lock and, aligned
 *                            to a cache line, no line)
 *
 * Verification: after the rounds every cache is drained and the free pages
 * must be exactly what they were before, mm_check() clean, no mm_bug; a
 * failed run reports all three figures failed (null).
 *
 * The helper thread (CPU 1) sleeps on a condition variable between rounds,
 * so the 1-thread rounds run alone; in a 2-thread round both threads first
 * meet at a spin barrier; the main thread (CPU 0) takes the time after it
 * and after both are done. Each thread also times its own loop: the note
 * of threads2 gives the slower one's (median), which is what the allocator
 * costs with another CPU on it; the wall time adds whatever kept a thread
 * off a host core (on a loaded 2-core host, nice'd, the two loops mostly
 * run one after the other: threads2 = 2 * threads1, scaling 1, while each
 * loop alone costs what threads1 does).
 */
#define _GNU_SOURCE
#include <math.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>

#include "bench/bench.h"
#include "mm/mm.h"
#include "mm/testing.h"

#define SMP_MM_PAGES (64UL << (20 - PAGE_SHIFT)) /* 64 MiB */
#define SMP_ITERS 20000UL                        /* pairs per thread per round */
#define SMP_THREADS 2

static_assert(SMP_THREADS <= MM_MAX_CPUS, "a CPU per thread");

/* The helper's orders, under @mutex; @arrived, @done: atomics. */
struct smp_round {
	pthread_mutex_t mutex;
	pthread_cond_t cond;
	unsigned long generation; /* a new round (or the end) was posted */
	unsigned long iters;      /* pairs per thread this round */
	bool stop;
	unsigned int arrived;     /* threads at this round's start barrier */
	unsigned int done;        /* threads finished with this round */
	double helper_ns;         /* the helper's own loop this round, per pair (after done) */
	unsigned long failures;   /* allocations that failed (atomic) */
	struct mm *mm;
};

static void pairs(struct smp_round *r, unsigned long n)
{
	struct mm *mm = r->mm;

	while (n--) {
		struct page *page = mm_alloc_pages(mm, 0, GFP_KERNEL);

		if (unlikely(!page)) {
			__atomic_fetch_add(&r->failures, 1, __ATOMIC_RELAXED);
			continue;
		}
		mm_free_pages(mm, page, 0);
	}
}

/* Wait until @n threads arrived (spin, yielding now and then: two host
 * cores are shared with other work). */
static void barrier_wait(struct smp_round *r, unsigned int n)
{
	unsigned int spins = 0;

	__atomic_fetch_add(&r->arrived, 1, __ATOMIC_ACQ_REL);
	while (__atomic_load_n(&r->arrived, __ATOMIC_ACQUIRE) < n)
		if (++spins % 64 == 0)
			sched_yield();
}

static void *helper_fn(void *arg)
{
	struct smp_round *r = arg;
	unsigned long seen = 0;

	mm_host_cpu_set(1);
	for (;;) {
		unsigned long iters;
		u64 start;

		pthread_mutex_lock(&r->mutex);
		while (r->generation == seen)
			pthread_cond_wait(&r->cond, &r->mutex);
		seen = r->generation;
		iters = r->iters;
		pthread_mutex_unlock(&r->mutex);
		if (r->stop)
			return NULL;
		barrier_wait(r, SMP_THREADS);
		start = bench_now_ns();
		pairs(r, iters);
		r->helper_ns = (double)(bench_now_ns() - start) / (double)iters;
		__atomic_fetch_add(&r->done, 1, __ATOMIC_RELEASE);
	}
}

static void post(struct smp_round *r, unsigned long iters, bool stop)
{
	pthread_mutex_lock(&r->mutex);
	r->iters = iters;
	r->stop = stop;
	__atomic_store_n(&r->arrived, 0, __ATOMIC_RELAXED);
	__atomic_store_n(&r->done, 0, __ATOMIC_RELAXED);
	r->generation++;
	pthread_cond_signal(&r->cond);
	pthread_mutex_unlock(&r->mutex);
}

/* One round on @threads (1 or 2) thread-CPUs; Return: wall ns per pair of
 * one thread. *@own: the slower thread's own loop, per pair (from its own
 * start to its own end: no wait for a host core to run it). */
static double round_ns(struct smp_round *r, unsigned int threads, unsigned long iters,
		       double *own)
{
	u64 t0, t1, mine;

	if (threads > 1) {
		post(r, iters, false);
		barrier_wait(r, threads);
	}
	t0 = bench_now_ns();
	pairs(r, iters);
	mine = bench_now_ns();
	while (threads > 1 && __atomic_load_n(&r->done, __ATOMIC_ACQUIRE) < threads - 1)
		sched_yield();
	t1 = bench_now_ns();
	*own = (double)(mine - t0) / (double)iters;
	if (threads > 1 && r->helper_ns > *own)
		*own = r->helper_ns;
	return (double)(t1 - t0) / (double)iters;
}

/* Drain, then compare with @free_before; what is wrong goes to @chk. */
static void verify(struct mm_test_env *env, unsigned long free_before, struct smp_round *r,
		   struct bench_check *chk)
{
	unsigned long free, failures = __atomic_load_n(&r->failures, __ATOMIC_RELAXED);
	unsigned int bad, bugs;

	mm_drain_pcp(&env->mm);
	free = mm_nr_free_pages(&env->mm);
	bad = mm_check(&env->mm);
	bugs = mm_test_take_bugs();
	if (free != free_before || bad || bugs || failures)
		bench_check_fail(chk, "%lu free pages after the rounds, %lu before; mm_check found "
				 "%u problems, %u mm_bug reports, %lu failed allocations", free,
				 free_before, bad, bugs, failures);
}

static void emit3(const struct bench_ctx *ctx, double ns1, double ns2, double scaling,
		  double own2, unsigned int runs, const char *failed)
{
	static char note2[240];
	const struct bench_figure figs[] = {
		{ .name = "order0_pair_ns_threads1", .value = ns1, .unit = "ns", .runs = runs,
		  .failed = failed,
		  .note = "alloc+free order 0, tight, one thread-CPU on a shared warm 64 MiB mm "
			  "(MM_HOST_SMP=1: ticket locks), per pair" },
		{ .name = "order0_pair_ns_threads2", .value = ns2, .unit = "ns", .runs = runs,
		  .failed = failed,
		  .note = note2 },
		{ .name = "order0_scaling_2t", .value = scaling, .unit = "x", .runs = runs,
		  .has_baseline = true, .baseline = ns1, .baseline_unit = "ns", .ratio = scaling,
		  .failed = failed,
		  .note = "throughput at 2 threads / at 1 (2 * threads1 / threads2), median of "
			  "per-round ratios of interleaved rounds; ideal 2" },
	};
	unsigned int i;

	snprintf(note2, sizeof(note2), "the same on 2 thread-CPUs at once, each through its own "
		 "per-cpu cache: wall ns per pair of one thread; the slower thread's own loop "
		 "took %.1f ns per pair (the rest is waiting for a host core)", own2);
	for (i = 0; i < ARRAY_SIZE(figs); i++)
		bench_emit(ctx, &figs[i]);
}

static void bench_smp_order0(struct bench_ctx *ctx)
{
	struct smp_round r = { .mutex = PTHREAD_MUTEX_INITIALIZER,
			       .cond = PTHREAD_COND_INITIALIZER };
	double one[BENCH_RUNS], two[BENCH_RUNS], ratio[BENCH_RUNS], own[BENCH_RUNS], unused;
	unsigned long iters = ctx->quick ? SMP_ITERS / 100 : SMP_ITERS, free_before;
	struct bench_check chk = { 0 };
	struct mm_test_env env;
	struct page *kept;
	pthread_t helper;
	unsigned int i;
	double ns1, ns2;

	if (mm_test_env_simple(&env, SMP_MM_PAGES))
		bench_fail("mm_test_env_simple(%lu pages)", SMP_MM_PAGES);
	r.mm = &env.mm;
	mm_drain_pcp(&env.mm);
	free_before = mm_nr_free_pages(&env.mm);
	mm_host_cpu_set(0);
	if (pthread_create(&helper, NULL, helper_fn, &r))
		bench_fail("pthread_create");
	for (i = 0; i < BENCH_WARMUP; i++) {
		round_ns(&r, 1, iters, &unused);
		round_ns(&r, 2, iters, &unused);
	}
	for (i = 0; i < ctx->runs; i++) {
		one[i] = round_ns(&r, 1, iters, &unused);
		two[i] = round_ns(&r, 2, iters, &own[i]);
		ratio[i] = 2 * one[i] / two[i];
	}
	post(&r, 0, true);
	pthread_join(helper, NULL);
	/* --inject-corruption: one page kept through the check, as if lost. */
	kept = ctx->inject_corruption ? mm_alloc_pages(&env.mm, 0, GFP_KERNEL) : NULL;
	verify(&env, free_before, &r, &chk);
	if (kept)
		mm_free_pages(&env.mm, kept, 0);
	ns1 = bench_median(one, ctx->runs);
	ns2 = bench_median(two, ctx->runs);
	emit3(ctx, ns1, ns2, bench_median(ratio, ctx->runs), bench_median(own, ctx->runs), ctx->runs,
	      bench_check_done(&chk, "smp_order0 (%lu free pages before and after, 2 CPUs)",
			       free_before));
	mm_test_env_destroy(&env);
}
BENCH_REGISTER(smp_order0, bench_smp_order0);
