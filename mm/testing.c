/*
 * The platform-independent half of mm/testing.h: relative ranges become real
 * PFNs and mm_init runs over the environment's storage; xarray nodes come
 * from a test mm; mapped regions get and keep the test pattern. The
 * platform half (tests/host/mm_testing.c, kernel/mm/mm_testing.c) provides
 * the region.
 */
#include "mm/testing.h"
#include "include/errno.h"
#include "mm/mapped.h"
#include "mm/page.h"
#include "mm/poison.h"
#include "mm/test_pattern.h"

#define TEST_MAX_RANGES 16

void mm_test_poison_free(struct mm *mm)
{
	unsigned long pfn = mm->base_pfn;

	mm_drain_pcp(mm);
	while (pfn < mm->end_pfn) {
		struct page *page = mm_pfn_to_page(mm, pfn);
		unsigned int order = page_is_buddy(page) ? page_order(page) : 0;

		if (page_is_buddy(page))
			mm_poison_fill(mm, pfn, order);
		pfn += 1UL << order;
	}
	mm->poison = true;
}

void *mm_test_node_alloc(struct mm *mm, size_t size, gfp_t gfp, unsigned long *nr_pages)
{
	struct page *page = size <= PAGE_SIZE ? mm_alloc_pages(mm, 0, gfp) : NULL;

	if (!page)
		return NULL;
	(*nr_pages)++;
	return mm_page_address(mm, page);
}

void mm_test_node_free(struct mm *mm, void *node, unsigned long *nr_pages)
{
	(*nr_pages)--;
	mm_free_pages(mm, mm_pfn_to_page(mm, mm_virt_to_pfn(node)), 0);
}

void mm_test_region_fill(struct mapped_region *region)
{
	unsigned long index;

	for (index = 0; index < region->nr_pages; index++)
		test_pattern_fill(mapped_access(region, index), PAGE_SIZE, index);
}

unsigned long mm_test_region_bad_pages(struct mapped_region *region)
{
	unsigned long index, bad = 0;

	for (index = 0; index < region->nr_pages; index++)
		bad += !test_pattern_ok(mapped_access(region, index), PAGE_SIZE, index);
	return bad;
}

int mm_test_env_simple(struct mm_test_env *env, unsigned long span)
{
	struct pfn_range all = { 0, span };

	return mm_test_env_init(env, span, &all, 1, NULL, 0);
}

static int shift_ranges(struct pfn_range *out, const struct pfn_range *in, size_t n,
			unsigned long base, unsigned long span)
{
	size_t i;

	if (n > TEST_MAX_RANGES)
		return -E2BIG;
	for (i = 0; i < n; i++) {
		if (in[i].end > span)
			return -EINVAL;
		out[i].start = in[i].start + base;
		out[i].end = in[i].end + base;
	}
	return 0;
}

int mm_test_env_setup(struct mm_test_env *env, const struct pfn_range *usable, size_t nr_usable,
		      const struct pfn_range *reserved, size_t nr_reserved)
{
	struct pfn_range range[TEST_MAX_RANGES], r[TEST_MAX_RANGES];
	struct mm_config cfg = { .name = "test", .usable = range, .nr_usable = nr_usable,
				 .reserved = r, .nr_reserved = nr_reserved,
				 .storage = env->storage, .no_data = env->no_data };
	int err = shift_ranges(range, usable, nr_usable, env->base_pfn, env->span);

	if (!err)
		err = shift_ranges(r, reserved, nr_reserved, env->base_pfn, env->span);
	return err ? err : mm_init(&env->mm, &cfg);
}
