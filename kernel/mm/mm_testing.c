/*
 * Kernel half of mm/testing.h: an environment's region is taken from
 * kernel_mm (so a test mm never touches memory anyone else owns): one
 * order-10 block up to 4 MiB, a contiguous range from alloc_contig_pages()
 * above that (up to TEST_MAX_SPAN, for the scenario suites); its descriptor
 * storage is another block. Both go back on destroy.
 */
#include "include/errno.h"
#include "arch/x86_64/smp.h"
#include "kernel/mm/mm_boot.h"
#include "kernel/sched.h"
#include "lib/string.h"
#include "mm/contig.h"
#include "mm/testing.h"

#define TEST_MAX_SPAN 8192UL /* 32 MiB */

struct region {
	unsigned long pfn;        /* first page of the region in kernel_mm */
	unsigned long nr_pages;   /* 0: the slot is free */
	bool contig;              /* from alloc_contig_pages, else one block */
	struct page *storage;
	unsigned int storage_order;
};

static struct region regions[4];

unsigned long mm_test_max_span(void) { return TEST_MAX_SPAN; }

/* Take the region's pages from kernel_mm. Return: 0 or -ENOMEM. */
static int region_take(struct region *region, unsigned long span)
{
	struct page *block;

	if (span > (1UL << MAX_ORDER)) {
		if (alloc_contig_pages(&kernel_mm, span, &region->pfn))
			return -ENOMEM;
		region->contig = true;
		region->nr_pages = span;
		return 0;
	}
	block = mm_alloc_pages(&kernel_mm, MAX_ORDER, GFP_NOWARN);
	if (!block)
		return -ENOMEM;
	page_set_memdesc(block, MEMDESC_TEST, NULL);
	region->pfn = mm_page_to_pfn(&kernel_mm, block);
	region->nr_pages = 1UL << MAX_ORDER;
	return 0;
}

static void region_give_back(struct region *region)
{
	if (region->contig)
		free_contig_range(&kernel_mm, region->pfn, region->nr_pages);
	else
		mm_free_pages(&kernel_mm, mm_pfn_to_page(&kernel_mm, region->pfn), MAX_ORDER);
}

int mm_test_env_init_ex(struct mm_test_env *env, unsigned long span,
			const struct pfn_range *usable, size_t nr_usable,
			const struct pfn_range *reserved, size_t nr_reserved, bool no_data)
{
	struct region *region = NULL;
	size_t i;
	int err;

	env->no_data = no_data;
	if (span > mm_test_max_span())
		return -E2BIG;
	for (i = 0; i < ARRAY_SIZE(regions) && !region; i++)
		if (!regions[i].nr_pages && !regions[i].storage)
			region = &regions[i];
	if (!region)
		return -EBUSY;
	env->storage_bytes = mm_storage_bytes(0, span);
	region->storage_order = mm_order_for_bytes(env->storage_bytes);
	region->storage = mm_alloc_pages(&kernel_mm, region->storage_order, GFP_ZERO | GFP_NOWARN);
	env->priv = region;
	if (!region->storage || region_take(region, span)) {
		mm_test_env_destroy(env);
		return -ENOMEM;
	}
	env->base_pfn = region->pfn;
	env->span = span;
	env->storage = mm_page_address(&kernel_mm, region->storage);
	env->priv = region;
	err = mm_test_env_setup(env, usable, nr_usable, reserved, nr_reserved);
	if (err)
		mm_test_env_destroy(env);
	return err;
}

void mm_test_env_destroy(struct mm_test_env *env)
{
	struct region *region = env->priv;

	if (!region)
		return;
	if (region->nr_pages)
		region_give_back(region);
	if (region->storage)
		mm_free_pages(&kernel_mm, region->storage, region->storage_order);
	memset(region, 0, sizeof(*region));
	env->priv = NULL;
	env->storage = NULL;
}

bool mm_test_bugs_survivable(void) { return false; }
unsigned int mm_test_take_bugs(void) { return 0; }

/* mm_test_run_on_cpus: one job per CPU; the caller is CPU 0 (the KTAP
 * runner's). Not reentrant: one concurrent suite runs at a time. */
struct cpu_job {
	void (*fn)(void *arg, unsigned int cpu);
	void *arg;
	unsigned int cpu;
};

static struct cpu_job jobs[MM_MAX_CPUS];
static struct completion jobs_done = COMPLETION_INIT(jobs_done);

#define JOBS_WAIT_US 60000000ULL

static void job_thread(void *p)
{
	struct cpu_job *job = p;

	job->fn(job->arg, job->cpu);
	complete(&jobs_done);
}

unsigned int mm_test_nr_cpus(void) { return MIN(smp_nr_online(), (unsigned int)MM_MAX_CPUS); }

int mm_test_run_on_cpus(unsigned int nr, void (*fn)(void *arg, unsigned int cpu), void *arg)
{
	unsigned int threads = sched_nr_threads(), cpu, started = 0;

	if (!nr || nr > mm_test_nr_cpus() || mm_cpu_id() != 0)
		return -EINVAL;
	completion_reset(&jobs_done);
	for (cpu = 1; cpu < nr; cpu++) {
		jobs[cpu] = (struct cpu_job){ fn, arg, cpu };
		started += thread_create_on("mm-test-cpu", job_thread, &jobs[cpu], (int)cpu) != NULL;
	}
	BUG_ON(started != nr - 1); /* the workers share the caller's state */
	fn(arg, 0);
	if (!completion_wait(&jobs_done, started, JOBS_WAIT_US) ||
	    !sched_wait_nr_threads(threads, JOBS_WAIT_US))
		return -ETIMEDOUT;
	return 0;
}
