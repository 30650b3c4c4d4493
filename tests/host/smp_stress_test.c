/*
 * Concurrent stress of the page allocator on the host's pthread CPUs
 * (tests/host/mm_platform.h): STRESS_THREADS threads, each its own CPU and
 * so its own per-CPU cache, allocate and free random orders (mostly order 0)
 * on one private mm for STRESS_MS milliseconds while the main thread (CPU 0)
 * drains every cache over and over, concurrently. Every STRESS_CHECK_US
 * microseconds it parks the threads between two operations (their caches full)
 * and runs mm_check() and an exact count: free pages plus the pages the
 * threads hold is every page. Each block carries its owner's stamp in its
 * first word, checked when it is freed: two owners of one page would show.
 * At the end every page is back, exactly, and mm_check() finds nothing.
 * A second case does the same with mslab objects on one pool (mslab_check
 * too). Host only (real threads); `make tsan` runs it under ThreadSanitizer.
 *
 * mm_check() runs only on parked threads: free_slow() (mm/buddy.c) clears
 * a block's flags before it takes the lock that frees it, so a concurrent
 * walk sees that block as an orphan (a race left to the page-state work;
 * main's 7b587fa keeps the state until the lock is held: once merged, the
 * checker can run mm_check() between its drains, unparked).
 */
#include <pthread.h>
#include <sched.h>

#include "lib/ktest.h"
#include "lib/prng.h"
#include "mm/mslab.h"
#include "mm/testing.h"

#define SPAN 8192            /* pages: 32 MiB */
#define STRESS_THREADS 4     /* CPUs 1..4; the checker is CPU 0 */
#define STRESS_MS 200
#define STRESS_HELD 256      /* blocks a thread holds at most */
#define STRESS_MAX_ORDER 3
#define STRESS_CHECK_US 1000 /* between parked checks at least: the threads run */
#define STRESS_MIN_CHECKS 4  /* however slow the machine */

static_assert(STRESS_THREADS < MM_MAX_CPUS, "a CPU per thread and one for the checker");

struct stress_block {
	struct page *page;
	unsigned int order;
	u64 stamp;
};

/* The checker's controls; every field atomic. */
struct stress_ctl {
	bool stop;            /* the threads give everything back and end */
	unsigned long park;   /* odd: the threads wait between two operations */
	unsigned int parked;  /* threads that saw this park */
};

struct stress_thread {
	pthread_t thread;
	struct mm *mm;
	unsigned int cpu;
	struct stress_ctl *ctl;
	unsigned long parked_at;     /* the last park this thread joined */
	struct stress_block held[STRESS_HELD];
	unsigned int nr_held;
	unsigned long allocs, frees, failures, bad_stamps;
};

static u64 *block_word(struct mm *mm, struct page *page)
{
	return mm_page_address(mm, page);
}

/* Mostly order 0 (the per-CPU cache), now and then up to STRESS_MAX_ORDER. */
static unsigned int stress_order(struct prng *rng)
{
	return prng_chance(rng, 9, 10) ? 0 : (unsigned int)prng_range(rng, 1, STRESS_MAX_ORDER);
}

static void stress_alloc(struct stress_thread *t, struct prng *rng)
{
	unsigned int order = stress_order(rng);
	gfp_t gfp = prng_chance(rng, 1, 2) ? GFP_MOVABLE : GFP_KERNEL;
	struct page *page = mm_alloc_pages(t->mm, order, gfp);
	struct stress_block *b;

	if (!page) {
		t->failures++;
		return;
	}
	b = &t->held[t->nr_held++];
	b->page = page;
	b->order = order;
	b->stamp = ((u64)t->cpu << 56) | t->allocs++;
	*block_word(t->mm, page) = b->stamp;
}

static void stress_free(struct stress_thread *t, unsigned int i)
{
	struct stress_block *b = &t->held[i];

	if (*block_word(t->mm, b->page) != b->stamp)
		t->bad_stamps++;
	mm_free_pages(t->mm, b->page, b->order);
	t->frees++;
	*b = t->held[--t->nr_held];
}

/* Join a park the checker announced, once, and wait for its end; what
 * this thread holds is the checker's to read meanwhile. */
static void stress_park(struct stress_ctl *ctl, unsigned long *parked_at)
{
	unsigned long park = __atomic_load_n(&ctl->park, __ATOMIC_ACQUIRE);

	if (!(park & 1) || park == *parked_at)
		return;
	*parked_at = park;
	__atomic_fetch_add(&ctl->parked, 1, __ATOMIC_ACQ_REL);
	while (__atomic_load_n(&ctl->park, __ATOMIC_ACQUIRE) == park)
		sched_yield();
}

/* Announce a park and wait until all @n threads are in it. */
static void stress_park_all(struct stress_ctl *ctl, unsigned int n)
{
	/* Counted afresh: a thread still leaving the last park joins anew. */
	__atomic_store_n(&ctl->parked, 0, __ATOMIC_RELAXED);
	__atomic_store_n(&ctl->park, ctl->park + 1, __ATOMIC_RELEASE);
	while (__atomic_load_n(&ctl->parked, __ATOMIC_ACQUIRE) < n)
		sched_yield();
}

static void stress_unpark(struct stress_ctl *ctl)
{
	__atomic_store_n(&ctl->park, ctl->park + 1, __ATOMIC_RELEASE);
}

/* When the next parked check is due, after one that began at @start: the
 * threads run at least as long as they were parked (a check is
 * slow under TSan and on a loaded machine). */
static u64 stress_next_check(u64 start)
{
	u64 now = mm_time_ns();

	return now + MAX(now - start, STRESS_CHECK_US * 1000ULL);
}

static void *stress_thread_fn(void *arg)
{
	struct stress_thread *t = arg;
	struct prng rng;

	mm_host_cpu_set(t->cpu);
	prng_seed(&rng, t->cpu);
	while (!__atomic_load_n(&t->ctl->stop, __ATOMIC_ACQUIRE)) {
		stress_park(t->ctl, &t->parked_at);
		bool alloc = t->nr_held < STRESS_HELD &&
			     (!t->nr_held || prng_chance(&rng, 1, 2));

		if (alloc)
			stress_alloc(t, &rng);
		else
			stress_free(t, (unsigned int)prng_below(&rng, t->nr_held));
	}
	while (t->nr_held)
		stress_free(t, t->nr_held - 1);
	return NULL;
}

static struct stress_thread threads[STRESS_THREADS];

/* Park every thread, check @mm and that @total pages are free or held. */
/*
 * CPU 0's side of a run: drain every per-CPU cache of @mm over and over for
 * STRESS_MS (and for at least STRESS_MIN_CHECKS checks), and every
 * STRESS_CHECK_US run @check(@arg) with the threads parked; then tell the
 * threads to stop. Return: the violations found; the drains and checks
 * made are added to *@drains and *@checks.
 */
static unsigned long stress_drain_and_check(struct stress_ctl *ctl, struct mm *mm,
					    unsigned int (*check)(void *arg), void *arg,
					    unsigned long *drains, unsigned long *checks)
{
	u64 now = mm_time_ns(), end = now + STRESS_MS * 1000000ULL;
	u64 next_check = now + STRESS_CHECK_US * 1000ULL;
	unsigned long violations = 0;

	while ((now = mm_time_ns()) < end || *checks < STRESS_MIN_CHECKS) {
		mm_drain_pcp(mm);
		(*drains)++;
		if (now < next_check)
			continue;
		stress_park_all(ctl, STRESS_THREADS);
		violations += check(arg);
		stress_unpark(ctl);
		(*checks)++;
		next_check = stress_next_check(now);
	}
	__atomic_store_n(&ctl->stop, true, __ATOMIC_RELEASE);
	return violations;
}

/* What the page stress checks while the threads are parked. */
struct pages_check {
	struct mm *mm;
	unsigned long total; /* free + held, always */
};

static unsigned int check_pages(void *arg)
{
	const struct pages_check *pc = arg;
	unsigned long held = 0;
	unsigned int i, j, violations = mm_check(pc->mm);

	for (i = 0; i < STRESS_THREADS; i++)
		for (j = 0; j < threads[i].nr_held; j++)
			held += 1UL << threads[i].held[j].order;
	if (mm_nr_free_pages(pc->mm) + held != pc->total)
		violations++;
	return violations;
}

/* Threads on their own CPUs against a draining, checking CPU 0. */
static void smp_stress_pages(struct ktest *test)
{
	struct mm_test_env env;
	unsigned long before, allocs = 0, failures = 0, bad = 0, drains = 0, checks = 0;
	unsigned long violations;
	struct stress_ctl ctl = { 0 };
	struct pages_check pc;
	unsigned int i;

	KTEST_ASSERT_EQ(test, mm_test_env_simple(&env, SPAN), 0);
	before = mm_nr_free_pages(&env.mm);
	for (i = 0; i < STRESS_THREADS; i++) {
		threads[i] = (struct stress_thread){ .mm = &env.mm, .cpu = i + 1, .ctl = &ctl };
		KTEST_ASSERT_EQ(test, pthread_create(&threads[i].thread, NULL, stress_thread_fn,
						     &threads[i]), 0);
	}
	pc = (struct pages_check){ &env.mm, before };
	violations = stress_drain_and_check(&ctl, &env.mm, check_pages, &pc, &drains, &checks);
	for (i = 0; i < STRESS_THREADS; i++) {
		pthread_join(threads[i].thread, NULL);
		allocs += threads[i].allocs;
		failures += threads[i].failures;
		bad += threads[i].bad_stamps;
		KTEST_EXPECT_EQ(test, threads[i].allocs, threads[i].frees);
	}
	ktest_diag(test, "%u threads, %lu allocations (%lu failed), %lu drains, %lu parked checks",
		   STRESS_THREADS, allocs, failures, drains, checks);
	KTEST_EXPECT_GT(test, allocs, 0);
	KTEST_EXPECT_GT(test, checks, 0);
	KTEST_EXPECT_EQ(test, violations, 0);
	KTEST_EXPECT_EQ(test, bad, 0);
	mm_test_env_finish(test, &env, before);
}

/*
 * The same on one mslab pool: every thread allocates and frees objects of
 * 16..512 bytes, stamping each through mslab_map (checked at free), while
 * CPU 0 drains and, with the threads parked, runs mslab_check and mm_check.
 * No compaction or migration: those are the page-state work's.
 */
#define MSLAB_HELD 512

struct mslab_thread {
	pthread_t thread;
	struct mslab_pool *pool;
	struct stress_ctl *ctl;
	unsigned int cpu;
	unsigned long parked_at;
	unsigned long held[MSLAB_HELD];
	u64 stamp[MSLAB_HELD];
	unsigned int nr_held;
	unsigned long allocs, failures, bad_stamps;
};

static void mslab_stress_alloc(struct mslab_thread *t, struct prng *rng)
{
	unsigned long h = mslab_alloc(t->pool, (size_t)prng_range(rng, 16, 512), GFP_KERNEL);
	u64 *obj;

	if (!h) {
		t->failures++;
		return;
	}
	t->stamp[t->nr_held] = ((u64)t->cpu << 56) | t->allocs++;
	obj = mslab_map(t->pool, h);
	*obj = t->stamp[t->nr_held];
	mslab_unmap(t->pool, h);
	t->held[t->nr_held++] = h;
}

static void mslab_stress_free(struct mslab_thread *t, unsigned int i)
{
	u64 *obj = mslab_map(t->pool, t->held[i]);

	if (*obj != t->stamp[i])
		t->bad_stamps++;
	mslab_unmap(t->pool, t->held[i]);
	mslab_free(t->pool, t->held[i]);
	t->nr_held--;
	t->held[i] = t->held[t->nr_held];
	t->stamp[i] = t->stamp[t->nr_held];
}

static void *mslab_thread_fn(void *arg)
{
	struct mslab_thread *t = arg;
	struct prng rng;

	mm_host_cpu_set(t->cpu);
	prng_seed(&rng, 100 + t->cpu);
	while (!__atomic_load_n(&t->ctl->stop, __ATOMIC_ACQUIRE)) {
		stress_park(t->ctl, &t->parked_at);
		if (t->nr_held < MSLAB_HELD && (!t->nr_held || prng_chance(&rng, 1, 2)))
			mslab_stress_alloc(t, &rng);
		else
			mslab_stress_free(t, (unsigned int)prng_below(&rng, t->nr_held));
	}
	while (t->nr_held)
		mslab_stress_free(t, t->nr_held - 1);
	return NULL;
}

/* What the mslab stress checks while the threads are parked. */
static unsigned int check_mslab(void *arg)
{
	struct mslab_pool *pool = arg;

	return mslab_check(pool) + mm_check(pool->mm);
}

static void smp_stress_mslab(struct ktest *test)
{
	static struct mslab_thread mthreads[STRESS_THREADS];
	static struct mslab_pool pool;
	struct mm_test_env env;
	struct stress_ctl ctl = { 0 };
	unsigned long before, allocs = 0, failures = 0, bad = 0, drains = 0, checks = 0;
	unsigned long violations;
	unsigned int i;

	KTEST_ASSERT_EQ(test, mm_test_env_simple(&env, SPAN), 0);
	before = mm_nr_free_pages(&env.mm);
	KTEST_ASSERT_EQ(test, mslab_pool_create(&pool, &env.mm, "smp"), 0);
	for (i = 0; i < STRESS_THREADS; i++) {
		mthreads[i] = (struct mslab_thread){ .pool = &pool, .cpu = i + 1, .ctl = &ctl };
		KTEST_ASSERT_EQ(test, pthread_create(&mthreads[i].thread, NULL, mslab_thread_fn,
						     &mthreads[i]), 0);
	}
	violations = stress_drain_and_check(&ctl, &env.mm, check_mslab, &pool, &drains, &checks);
	for (i = 0; i < STRESS_THREADS; i++) {
		pthread_join(mthreads[i].thread, NULL);
		allocs += mthreads[i].allocs;
		failures += mthreads[i].failures;
		bad += mthreads[i].bad_stamps;
	}
	ktest_diag(test, "%u threads, %lu objects allocated (%lu failed), %lu parked checks",
		   STRESS_THREADS, allocs, failures, checks);
	KTEST_EXPECT_GT(test, allocs, 0);
	KTEST_EXPECT_EQ(test, failures, 0);
	KTEST_EXPECT_EQ(test, violations, 0);
	KTEST_EXPECT_EQ(test, bad, 0);
	KTEST_EXPECT_EQ(test, mslab_check(&pool), 0);
	mslab_pool_destroy(&pool);
	mm_test_env_finish(test, &env, before);
}

static const struct ktest_case smp_stress_cases[] = {
	KTEST_CASE(smp_stress_pages),
	KTEST_CASE(smp_stress_mslab),
	KTEST_END,
};
KTEST_SUITE(smp_stress, smp_stress_cases);
