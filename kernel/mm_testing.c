/*
 * Kernel half of mm/testing.h: an environment's region is one order-10
 * block taken from kernel_mm (so a test mm never touches memory anyone else
 * owns), and its descriptor storage another block. Both go back on destroy.
 */
#include "include/errno.h"
#include "kernel/mm_boot.h"
#include "lib/string.h"
#include "mm/testing.h"

struct region {
	struct page *block;
	struct page *storage;
	unsigned int storage_order;
};

static struct region regions[4];

unsigned long mm_test_max_span(void) { return 1UL << MAX_ORDER; }

int mm_test_env_init_ex(struct mm_test_env *env, unsigned long span,
			const struct pfn_range *usable, size_t nr_usable,
			const struct pfn_range *reserved, size_t nr_reserved, bool no_data)
{
	struct region *r = NULL;
	size_t i;
	int err;

	env->no_data = no_data;
	if (span > mm_test_max_span())
		return -E2BIG;
	for (i = 0; i < ARRAY_SIZE(regions) && !r; i++)
		if (!regions[i].block)
			r = &regions[i];
	if (!r)
		return -EBUSY;
	env->storage_bytes = mm_storage_bytes(0, span);
	r->storage_order = mm_order_for_bytes(env->storage_bytes);
	r->block = mm_alloc_pages(&kernel_mm, MAX_ORDER, GFP_NOWARN);
	r->storage = mm_alloc_pages(&kernel_mm, r->storage_order, GFP_ZERO | GFP_NOWARN);
	if (!r->block || !r->storage) {
		env->priv = r;
		mm_test_env_destroy(env);
		return -ENOMEM;
	}
	page_set_memdesc(r->block, MEMDESC_TEST, NULL);
	env->base_pfn = mm_page_to_pfn(&kernel_mm, r->block);
	env->span = span;
	env->storage = mm_page_address(&kernel_mm, r->storage);
	env->priv = r;
	err = mm_test_env_setup(env, usable, nr_usable, reserved, nr_reserved);
	if (err)
		mm_test_env_destroy(env);
	return err;
}

void mm_test_env_destroy(struct mm_test_env *env)
{
	struct region *r = env->priv;

	if (!r)
		return;
	if (r->block)
		mm_free_pages(&kernel_mm, r->block, MAX_ORDER);
	if (r->storage)
		mm_free_pages(&kernel_mm, r->storage, r->storage_order);
	memset(r, 0, sizeof(*r));
	env->priv = NULL;
	env->storage = NULL;
}

bool mm_test_bugs_survivable(void) { return false; }
unsigned int mm_test_take_bugs(void) { return 0; }
