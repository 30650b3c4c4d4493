/*
 * Host half of mm/testing.h: every environment's region starts at PFN 0 of
 * one lazily created 1 TiB (ARENA_BYTES) address-space-only arena (tests run one at a
 * time); the descriptor storage is a fresh zeroed mapping. Destroying an
 * environment drops the region's touched pages.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <sys/mman.h>

#include "include/errno.h"
#include "mm/testing.h"

/* The ThreadSanitizer build (Makefile TSANCFLAGS) asks for less: its shadow
 * memory leaves no 1 TiB hole in some address-space layouts. */
#ifdef MM_HOST_ARENA_BYTES
#define ARENA_BYTES MM_HOST_ARENA_BYTES
#else
#define ARENA_BYTES (1UL << 40)
#endif

unsigned long mm_test_max_span(void) { return ARENA_BYTES >> PAGE_SHIFT; }

int mm_test_env_init_ex(struct mm_test_env *env, unsigned long span,
			const struct pfn_range *usable, size_t nr_usable,
			const struct pfn_range *reserved, size_t nr_reserved, bool no_data)
{
	int err;

	if (span > mm_test_max_span())
		return -E2BIG;
	if (!mm_host_arena && mm_host_arena_init(ARENA_BYTES))
		return -ENOMEM;
	env->no_data = no_data;
	env->base_pfn = 0;
	env->span = span;
	env->storage_bytes = mm_storage_bytes(0, span);
	env->storage = mm_host_alloc_zeroed(env->storage_bytes);
	env->priv = NULL;
	if (!env->storage)
		return -ENOMEM;
	err = mm_test_env_setup(env, usable, nr_usable, reserved, nr_reserved);
	if (err)
		mm_test_env_destroy(env);
	return err;
}

void mm_test_env_destroy(struct mm_test_env *env)
{
	mm_host_free(env->storage, env->storage_bytes);
	env->storage = NULL;
	madvise(mm_host_arena, env->span << PAGE_SHIFT, MADV_DONTNEED);
}

bool mm_test_bugs_survivable(void) { return true; }
unsigned int mm_test_take_bugs(void) { return mm_host_take_bugs(); }

/* mm_test_run_on_cpus: a pthread per CPU but 0, which is the caller's. */
struct cpu_job {
	void (*fn)(void *arg, unsigned int cpu);
	void *arg;
	unsigned int cpu;
};

static void *job_thread(void *p)
{
	struct cpu_job *job = p;

	mm_host_cpu_set(job->cpu);
	job->fn(job->arg, job->cpu);
	return NULL;
}

unsigned int mm_test_nr_cpus(void) { return MM_MAX_CPUS < 4 ? MM_MAX_CPUS : 4; }

int mm_test_run_on_cpus(unsigned int nr, void (*fn)(void *arg, unsigned int cpu), void *arg)
{
	struct cpu_job jobs[MM_MAX_CPUS];
	pthread_t threads[MM_MAX_CPUS];
	unsigned int cpu;

	if (!nr || nr > mm_test_nr_cpus() || mm_cpu_id() != 0)
		return -EINVAL;
	for (cpu = 1; cpu < nr; cpu++) {
		jobs[cpu] = (struct cpu_job){ fn, arg, cpu };
		if (pthread_create(&threads[cpu], NULL, job_thread, &jobs[cpu]))
			BUG_ON(1); /* the workers share the caller's state */
	}
	fn(arg, 0);
	for (cpu = 1; cpu < nr; cpu++)
		pthread_join(threads[cpu], NULL);
	return 0;
}
