/*
 * KTAP tests of the kernel's kmalloc (kernel/mm/kmalloc.c) on the real slab set
 * over kernel_mm: the wrappers round-trip, kzalloc zeroes, a kmem cache
 * lives and dies, and slab_check stays clean. The allocator itself is
 * tested on private instances in mm/slab_test.c.
 */
#include "include/errno.h"
#include "kernel/mm/kmalloc.h"
#include "lib/ktest.h"
#include "lib/string.h"

/* kmalloc/kfree of every class and a large block keep contents and give
 * back what they took. */
static void kmalloc_kernel_roundtrip(struct ktest *test)
{
	static const size_t sizes[] = { 1, 24, 100, 200, 1000, 4096, 5000, 70000 };
	static void *p[ARRAY_SIZE(sizes)];
	struct slab_set *set = kmalloc_set();
	unsigned int i;
	size_t j;

	if (!set)
		KTEST_SKIP(test, "kmalloc_init has not run");
	for (i = 0; i < ARRAY_SIZE(sizes); i++) {
		p[i] = kmalloc(sizes[i], GFP_KERNEL);
		KTEST_ASSERT_NOT_NULL(test, p[i]);
		KTEST_EXPECT_EQ(test, (uintptr_t)p[i] % 16, 0);
		KTEST_EXPECT_GE(test, ksize(p[i]), sizes[i]);
		memset(p[i], (int)i + 1, sizes[i]);
	}
	KTEST_EXPECT_EQ(test, slab_check(set), 0);
	for (i = 0; i < ARRAY_SIZE(sizes); i++) {
		for (j = 0; j < sizes[i]; j++)
			if (((u8 *)p[i])[j] != i + 1)
				break;
		KTEST_EXPECT_EQ(test, j, sizes[i]);
		kfree(p[i]);
	}
	kfree(NULL);
	KTEST_EXPECT_EQ(test, slab_check(set), 0);
}

/* kzalloc hands out zeroes even where a freed object left a pattern. */
static void kmalloc_kernel_kzalloc_zeroes(struct ktest *test)
{
	u8 *a, *b;
	size_t j;

	if (!kmalloc_set())
		KTEST_SKIP(test, "kmalloc_init has not run");
	a = kmalloc(96, GFP_KERNEL);
	KTEST_ASSERT_NOT_NULL(test, a);
	memset(a, 0xff, 96);
	kfree(a);
	b = kzalloc(96, GFP_KERNEL);
	KTEST_ASSERT_NOT_NULL(test, b);
	for (j = 0; j < 96; j++)
		if (b[j])
			break;
	KTEST_EXPECT_EQ(test, j, 96);
	kfree(b);
}

/* A kmem cache: create, fill a few slabs, destroy refused while busy,
 * then accepted. */
static void kmalloc_kernel_cache_lifecycle(struct ktest *test)
{
	static void *objs[100];
	struct kmem_cache *cache;
	unsigned int i;

	if (!kmalloc_set())
		KTEST_SKIP(test, "kmalloc_init has not run");
	cache = kmem_cache_create("ktest-obj", 120, 64);
	KTEST_ASSERT_NOT_NULL(test, cache);
	for (i = 0; i < ARRAY_SIZE(objs); i++) {
		objs[i] = kmem_cache_alloc(cache, GFP_KERNEL);
		KTEST_ASSERT_NOT_NULL(test, objs[i]);
		KTEST_EXPECT_EQ(test, (uintptr_t)objs[i] % 64, 0);
	}
	KTEST_EXPECT_EQ(test, cache->active, ARRAY_SIZE(objs));
	KTEST_EXPECT_EQ(test, kmem_cache_destroy(cache), -EBUSY);
	for (i = 0; i < ARRAY_SIZE(objs); i++)
		kmem_cache_free(cache, objs[i]);
	KTEST_EXPECT_EQ(test, kmem_cache_destroy(cache), 0);
	KTEST_EXPECT_EQ(test, slab_check(kmalloc_set()), 0);
}

static const struct ktest_case kmalloc_cases[] = {
	KTEST_CASE(kmalloc_kernel_roundtrip),
	KTEST_CASE(kmalloc_kernel_kzalloc_zeroes),
	KTEST_CASE(kmalloc_kernel_cache_lifecycle),
	KTEST_END,
};
KTEST_SUITE(kmalloc, kmalloc_cases);
