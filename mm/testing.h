/*
 * Private mm instances for tests. A test describes a small machine (usable
 * and reserved ranges, in PFNs relative to the start of a private region of
 * @span pages) and gets a struct mm over it, isolated from everything else.
 * On the host the region lives in the mmap'ed arena; in the kernel it is one
 * order-MAX_ORDER block taken from the kernel's own mm, so span is limited
 * there (mm_test_max_span()).
 */
#ifndef MM_TESTING_H
#define MM_TESTING_H

#include "lib/ktest.h"
#include "mm/mm.h"

struct mm_test_env {
	struct mm mm;
	unsigned long base_pfn;  /* real PFN of relative PFN 0 */
	unsigned long span;      /* pages in the private region */
	void *storage;           /* mm_init's descriptor storage */
	size_t storage_bytes;
	void *priv;              /* platform bookkeeping */
	bool no_data;            /* simulation without page data */
};

struct frag_run;

/* The checks every measured compaction passes (mm/scenario_test.c): never
 * above T, within one block of it, no failed move, min_moves a floor. */
void frag_run_expect_bounds(struct ktest *test, const char *name, const struct frag_run *run);

/* Largest @span this platform can provide. */
unsigned long mm_test_max_span(void);

/*
 * mm_test_env_init_ex - build env->mm over relative ranges inside [0, @span);
 * @no_data: a simulation without page contents (struct mm_config.no_data).
 * Return: 0, -E2BIG when @span is too large here, -ENOMEM, or mm_init's error.
 */
int mm_test_env_init_ex(struct mm_test_env *env, unsigned long span,
			const struct pfn_range *usable, size_t nr_usable,
			const struct pfn_range *reserved, size_t nr_reserved, bool no_data);

static inline int mm_test_env_init(struct mm_test_env *env, unsigned long span,
				   const struct pfn_range *usable, size_t nr_usable,
				   const struct pfn_range *reserved, size_t nr_reserved)
{
	return mm_test_env_init_ex(env, span, usable, nr_usable, reserved, nr_reserved, false);
}

/* Simplest form: one usable range [0, @span). */
int mm_test_env_simple(struct mm_test_env *env, unsigned long span);

void mm_test_env_destroy(struct mm_test_env *env);

/*
 * mm_test_env_finish - how a case gives its mm back once it has freed all it
 * took: per-cpu caches drained, @expect_free pages free (nothing leaked),
 * mm_check() clean, @env destroyed. Inline so that the benchmarks, which link
 * mm/testing.c but not the test framework, still link.
 */
static inline void mm_test_env_finish(struct ktest *test, struct mm_test_env *env,
				      unsigned long expect_free)
{
	mm_drain_pcp(&env->mm);
	KTEST_EXPECT_EQ(test, mm_nr_free_pages(&env->mm), expect_free);
	KTEST_EXPECT_EQ(test, mm_check(&env->mm), 0);
	mm_test_env_destroy(env);
}

/*
 * mm_test_node_alloc - an xarray node for a test's xa_alloc_ops: one page of
 * @mm (@gfp), counted in *@nr_pages so that the test can prove none leaked.
 * NULL when @size is above a page or @mm has none left.
 */
void *mm_test_node_alloc(struct mm *mm, size_t size, gfp_t gfp, unsigned long *nr_pages);
/* Give back a node from mm_test_node_alloc() (or any page of @mm counted in
 * *@nr_pages). */
void mm_test_node_free(struct mm *mm, void *node, unsigned long *nr_pages);

struct mapped_region;

/* Fill every page of @region with the test pattern (mm/test_pattern.h) of
 * its index; mm_test_region_bad_pages() counts the pages that lost it. */
void mm_test_region_fill(struct mapped_region *region);
unsigned long mm_test_region_bad_pages(struct mapped_region *region);

/* Does mm_bug() return here (host: recorded) rather than panic (kernel)?
 * Misuse tests run only where it does. */
bool mm_test_bugs_survivable(void);
/* mm_bug() reports since the last call. */
unsigned int mm_test_take_bugs(void);

/* Turn poisoning on for a test mm as mm_config.poison would have at init:
 * every free page (per-cpu caches drained first) gets the poison. */
void mm_test_poison_free(struct mm *mm);

/*
 * Workers on several CPUs at once, for the concurrent suites that run on
 * both platforms (tests/workload/race_workload.c): the kernel's online
 * CPUs, the host's thread-CPUs (tests/host/mm_platform.h).
 * mm_test_nr_cpus - how many a test may use (at most MM_MAX_CPUS).
 */
unsigned int mm_test_nr_cpus(void);

/*
 * mm_test_run_on_cpus - run @fn(@arg, cpu) on CPUs 1 .. @nr - 1 (a thread
 * each) and on the caller as CPU 0, and wait for all of them (and, in the
 * kernel, for their stacks to be reaped). A worker that waits for another
 * must spin with interrupts on (a CPU freeing a stack sends a shootdown
 * that must be answered). Return: 0; -EINVAL for @nr out of range;
 * -ETIMEDOUT when a worker did not end within a minute (the caller's
 * state is then still in use: it must not go on).
 * Context: thread context, on CPU 0.
 */
int mm_test_run_on_cpus(unsigned int nr, void (*fn)(void *arg, unsigned int cpu), void *arg);

/* Shared by both platforms: translate relative ranges and call mm_init. */
int mm_test_env_setup(struct mm_test_env *env, const struct pfn_range *usable, size_t nr_usable,
		      const struct pfn_range *reserved, size_t nr_reserved);

#endif
