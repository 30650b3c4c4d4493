/*
 * Slab allocator tests, run on the host (ASan + UBSan) and in the kernel.
 * Each case builds its own struct mm over a private 1024-page region
 * (mm/testing.h: an arena on the host, an order-10 block of kernel_mm in the
 * kernel) and its own slab set over that, so nothing is shared with the
 * kernel's allocators. Every case ends with slab_check() and mm_check()
 * clean, the set destroyed, and the mm's free page count back where it was.
 * Misuse cases run only where mm_bug() returns (the host).
 */
#include "include/errno.h"
#include "lib/ktest.h"
#include "lib/prng.h"
#include "lib/string.h"
#include "mm/slab.h"
#include "mm/testing.h"

#define SPAN 1024
#define MAX_PTRS 2048

static struct mm_test_env env;
static struct slab_set set;
static unsigned long free_at_start;
static void *ptrs[MAX_PTRS];

#define SETUP(t)                                                              \
	do {                                                                  \
		KTEST_ASSERT_EQ(t, mm_test_env_simple(&env, SPAN), 0);       \
		KTEST_ASSERT_EQ(t, slab_set_init(&set, &env.mm, "test"), 0); \
		free_at_start = mm_nr_free_pages(&env.mm);                    \
	} while (0)

static void finish(struct ktest *test)
{
	KTEST_EXPECT_EQ(test, slab_check(&set), 0);
	KTEST_EXPECT_EQ(test, slab_set_destroy(&set), 0);
	KTEST_EXPECT_EQ(test, mm_nr_free_pages(&env.mm), free_at_start);
	KTEST_EXPECT_EQ(test, mm_check(&env.mm), 0);
	mm_test_env_destroy(&env);
}

static u8 pattern(unsigned long seed, size_t i) { return (u8)(seed * 0x9d + i * 131 + (i >> 8)); }

static void fill(void *p, size_t n, unsigned long seed)
{
	size_t i;

	for (i = 0; i < n; i++)
		((u8 *)p)[i] = pattern(seed, i);
}

static bool intact(const void *p, size_t n, unsigned long seed)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (((const u8 *)p)[i] != pattern(seed, i))
			return false;
	return true;
}

static struct page *head_of(const void *p)
{
	return mm_pfn_to_page(&env.mm, mm_virt_to_pfn(p));
}

/* Every size lands in the smallest class that holds it; many objects of
 * each keep their contents, are 16-byte (power-of-two classes: naturally)
 * aligned, and free back to nothing. */
static void slab_kmalloc_every_class(struct ktest *test)
{
	static const size_t sizes[] = { 0,   1,   16,  17,  32,   33,   48,   49,   64,
					65,  96,  97,  128, 129,  192,  193,  256,  257,
					511, 512, 513, 1024, 1025, 2048, 2049, 4095, 4096 };
	unsigned int i, n, misplaced = 0;
	size_t s, size;

	SETUP(test);
	/* Every size from 0 to a page: its class holds it, the one below does not. */
	for (size = 0; size <= PAGE_SIZE; size++) {
		struct kmem_cache *cache = slab_kmalloc_cache(&set, size);

		if (!cache || cache->size < size || (cache != set.kmalloc && cache[-1].size >= size))
			misplaced++;
	}
	KTEST_EXPECT_EQ(test, misplaced, 0);
	KTEST_EXPECT_NULL(test, slab_kmalloc_cache(&set, PAGE_SIZE + 1));
	for (s = 0; s < ARRAY_SIZE(sizes); s++) {
		struct kmem_cache *cache = slab_kmalloc_cache(&set, sizes[s]);

		size = sizes[s];
		n = MIN(3 * cache->nr_objects + 1, MAX_PTRS);
		for (i = 0; i < n; i++) {
			ptrs[i] = slab_kmalloc(&set, size, GFP_KERNEL);
			KTEST_ASSERT_NOT_NULL(test, ptrs[i]);
			KTEST_EXPECT_EQ(test, (uintptr_t)ptrs[i] % 16, 0);
			if (!(cache->size & (cache->size - 1)))
				KTEST_EXPECT_EQ(test, (uintptr_t)ptrs[i] % cache->size, 0);
			KTEST_EXPECT_EQ(test, slab_ksize(&set, ptrs[i]), cache->size);
			fill(ptrs[i], cache->size, i + size);
		}
		KTEST_EXPECT_EQ(test, cache->active, n);
		KTEST_EXPECT_EQ(test, slab_check(&set), 0);
		for (i = 0; i < n; i++) {
			KTEST_EXPECT_TRUE(test, intact(ptrs[i], cache->size, i + size));
			slab_kfree(&set, ptrs[i]);
		}
		KTEST_EXPECT_EQ(test, cache->active, 0);
		KTEST_EXPECT_LE(test, cache->nr_empty, SLAB_KEEP_EMPTY);
	}
	finish(test);
}

/* Above a page, kmalloc takes a buddy block of the smallest order, tagged
 * with its order; kfree gives exactly those pages back. */
static void slab_kmalloc_large_uses_buddy(struct ktest *test)
{
	static const size_t sizes[] = { PAGE_SIZE + 1, 2 * PAGE_SIZE, 2 * PAGE_SIZE + 16,
					64 * 1024, 1024 * 1024 };
	static const unsigned int orders[] = { 1, 1, 2, 4, 8 };
	unsigned int i;

	SETUP(test);
	for (i = 0; i < ARRAY_SIZE(sizes); i++) {
		unsigned long before = mm_nr_free_pages(&env.mm);
		void *p = slab_kmalloc(&set, sizes[i], GFP_KERNEL);
		struct page *head;

		KTEST_ASSERT_NOT_NULL(test, p);
		head = head_of(p);
		KTEST_EXPECT_EQ(test, (uintptr_t)p % PAGE_SIZE, 0);
		KTEST_EXPECT_EQ(test, page_order(head), orders[i]);
		KTEST_EXPECT_EQ(test, page_type(head), MEMDESC_KERNEL);
		KTEST_EXPECT_EQ(test, head->private, SLAB_LARGE_MAGIC | orders[i]);
		KTEST_EXPECT_EQ(test, slab_ksize(&set, p), PAGE_SIZE << orders[i]);
		KTEST_EXPECT_EQ(test, before - mm_nr_free_pages(&env.mm), 1UL << orders[i]);
		KTEST_EXPECT_EQ(test, set.large_allocs, 1);
		fill(p, sizes[i], i);
		KTEST_EXPECT_EQ(test, slab_check(&set), 0);
		KTEST_EXPECT_TRUE(test, intact(p, sizes[i], i));
		slab_kfree(&set, p);
		KTEST_EXPECT_EQ(test, mm_nr_free_pages(&env.mm), before);
		KTEST_EXPECT_EQ(test, set.large_allocs, 0);
	}
	/* Zeroing reaches the whole block; sizes beyond MAX_ORDER fail. */
	ptrs[0] = slab_kmalloc(&set, 3 * PAGE_SIZE, GFP_KERNEL);
	KTEST_ASSERT_NOT_NULL(test, ptrs[0]);
	memset(ptrs[0], 0xa5, 4 * PAGE_SIZE);
	slab_kfree(&set, ptrs[0]);
	ptrs[0] = slab_kmalloc(&set, 3 * PAGE_SIZE, GFP_KERNEL | GFP_ZERO);
	KTEST_ASSERT_NOT_NULL(test, ptrs[0]);
	for (i = 0; i < 4 * PAGE_SIZE; i++)
		if (((u8 *)ptrs[0])[i])
			break;
	KTEST_EXPECT_EQ(test, i, 4 * PAGE_SIZE);
	slab_kfree(&set, ptrs[0]);
	KTEST_EXPECT_NULL(test, slab_kmalloc(&set, KMALLOC_MAX_SIZE + 1, GFP_NOWARN));
	KTEST_EXPECT_NULL(test, slab_kmalloc(&set, (size_t)-1, GFP_NOWARN));
	KTEST_EXPECT_EQ(test, set.large_fails, 2);
	finish(test);
}

/* A created cache: objects come and go, the statistics follow, empty slabs
 * beyond the one kept go back, destroy refuses while objects live. */
static void slab_cache_create_alloc_free_destroy(struct ktest *test)
{
	struct slab_cache_info info;
	struct kmem_cache *cache;
	unsigned int i, n;

	SETUP(test);
	cache = slab_cache_create(&set, "test-200", 200, 0);
	KTEST_ASSERT_NOT_NULL(test, cache);
	KTEST_EXPECT_STREQ(test, cache->name, "test-200");
	KTEST_EXPECT_EQ(test, cache->size, 208);
	KTEST_EXPECT_EQ(test, cache->order, 0);
	KTEST_EXPECT_EQ(test, cache->nr_objects, PAGE_SIZE / 208);
	n = 3 * cache->nr_objects;
	for (i = 0; i < n; i++) {
		ptrs[i] = slab_cache_alloc(cache, GFP_KERNEL);
		KTEST_ASSERT_NOT_NULL(test, ptrs[i]);
		fill(ptrs[i], 200, i);
	}
	slab_cache_info(cache, &info);
	KTEST_EXPECT_EQ(test, info.active_objects, n);
	KTEST_EXPECT_EQ(test, info.total_objects, n);
	KTEST_EXPECT_EQ(test, info.slabs, 3);
	KTEST_EXPECT_EQ(test, info.pages, 3);
	KTEST_EXPECT_EQ(test, info.bytes_used, n * 200UL);
	KTEST_EXPECT_EQ(test, info.bytes_held, 3 * PAGE_SIZE);
	KTEST_EXPECT_EQ(test, cache->nr_full, 3);
	KTEST_EXPECT_EQ(test, slab_cache_destroy(cache), -EBUSY);
	KTEST_EXPECT_EQ(test, slab_check(&set), 0);
	for (i = 0; i < n; i++) {
		KTEST_EXPECT_TRUE(test, intact(ptrs[i], 200, i));
		slab_cache_free(cache, ptrs[i]);
	}
	slab_cache_info(cache, &info);
	KTEST_EXPECT_EQ(test, info.active_objects, 0);
	KTEST_EXPECT_EQ(test, info.slabs, SLAB_KEEP_EMPTY);
	KTEST_EXPECT_EQ(test, info.allocs, n);
	KTEST_EXPECT_EQ(test, info.frees, n);
	/* Objects zeroed on request even after reuse. */
	ptrs[0] = slab_cache_alloc(cache, GFP_KERNEL | GFP_ZERO);
	KTEST_ASSERT_NOT_NULL(test, ptrs[0]);
	for (i = 0; i < 200; i++)
		if (((u8 *)ptrs[0])[i])
			break;
	KTEST_EXPECT_EQ(test, i, 200);
	slab_cache_free(cache, ptrs[0]);
	KTEST_EXPECT_EQ(test, slab_cache_destroy(cache), 0);
	finish(test);
}

/* Requested alignments hold for every object, sizes up to SLAB_MAX_SIZE
 * use higher-order slabs; invalid arguments are refused. */
static void slab_cache_alignment(struct ktest *test)
{
	static const struct { size_t size, align; } cfg[] = {
		{ 1, 0 },     { 24, 8 },     { 100, 32 },  { 64, 64 },     { 72, 128 },
		{ 300, 256 }, { 3000, 0 },   { 5000, 16 }, { 24, 4096 },   { SLAB_MAX_SIZE, 0 },
	};
	unsigned int k, i;

	SETUP(test);
	for (k = 0; k < ARRAY_SIZE(cfg); k++) {
		struct kmem_cache *cache = slab_cache_create(&set, "align", cfg[k].size, cfg[k].align);
		size_t align = MAX(cfg[k].align, (size_t)SLAB_MIN_ALIGN);
		unsigned int n;

		KTEST_ASSERT_NOT_NULL(test, cache);
		n = MIN(2 * cache->nr_objects + 1, 64U);
		for (i = 0; i < n; i++) {
			ptrs[i] = slab_cache_alloc(cache, GFP_KERNEL);
			KTEST_ASSERT_NOT_NULL(test, ptrs[i]);
			KTEST_EXPECT_EQ(test, (uintptr_t)ptrs[i] % align, 0);
			KTEST_EXPECT_GE(test, slab_ksize(&set, ptrs[i]), cfg[k].size);
			fill(ptrs[i], cfg[k].size, i);
		}
		for (i = 0; i < n; i++) {
			KTEST_EXPECT_TRUE(test, intact(ptrs[i], cfg[k].size, i));
			slab_cache_free(cache, ptrs[i]);
		}
		if (cfg[k].size > PAGE_SIZE)
			KTEST_EXPECT_GT(test, cache->order, 0);
		KTEST_EXPECT_EQ(test, slab_cache_destroy(cache), 0);
	}
	KTEST_EXPECT_NULL(test, slab_cache_create(&set, "zero", 0, 0));
	KTEST_EXPECT_NULL(test, slab_cache_create(&set, "big", SLAB_MAX_SIZE + 1, 0));
	KTEST_EXPECT_NULL(test, slab_cache_create(&set, "odd", 64, 24));
	KTEST_EXPECT_NULL(test, slab_cache_create(&set, "huge-align", 64, 2 * PAGE_SIZE));
	finish(test);
}

/* Descriptor slabs describe themselves (their descriptor is their first
 * bytes); every other slab's descriptor is an object in one of them; when
 * many slabs need descriptors, more descriptor slabs appear, and all of
 * them go back to the buddy at the end. */
static void slab_descriptor_bootstrap(struct ktest *test)
{
	struct kmem_cache *big, *dc = &set.desc_cache;
	struct page *page, *dpage;
	struct slab *slab;
	unsigned int i, n;

	SETUP(test);
	KTEST_EXPECT_EQ(test, dc->offset, sizeof(struct slab));
	KTEST_EXPECT_EQ(test, (uintptr_t)sizeof(struct slab) % 16, 0);
	big = slab_kmalloc_cache(&set, PAGE_SIZE);
	n = 2 * dc->nr_objects + 3; /* one page per object: needs 3 descriptor slabs */
	for (i = 0; i < n; i++) {
		ptrs[i] = slab_kmalloc(&set, PAGE_SIZE, GFP_KERNEL);
		KTEST_ASSERT_NOT_NULL(test, ptrs[i]);
		page = head_of(ptrs[i]);
		KTEST_ASSERT_EQ(test, page_type(page), MEMDESC_SLAB);
		slab = page_memdesc(page);
		KTEST_EXPECT_EQ(test, (uintptr_t)slab % 16, 0);
		KTEST_EXPECT_PTR_EQ(test, slab->cache, big);
		dpage = head_of(slab);
		KTEST_ASSERT_EQ(test, page_type(dpage), MEMDESC_SLAB);
		KTEST_EXPECT_PTR_EQ(test, page_memdesc(dpage), mm_page_address(&env.mm, dpage));
		KTEST_EXPECT_PTR_EQ(test, ((struct slab *)page_memdesc(dpage))->cache, dc);
	}
	KTEST_EXPECT_EQ(test, big->nr_full, n);
	KTEST_EXPECT_EQ(test, dc->active, n);
	KTEST_EXPECT_EQ(test, dc->nr_full + dc->nr_partial, 3);
	KTEST_EXPECT_EQ(test, slab_check(&set), 0);
	for (i = 0; i < n; i++)
		slab_kfree(&set, ptrs[i]);
	KTEST_EXPECT_EQ(test, dc->active, SLAB_KEEP_EMPTY);
	slab_shrink(&set);
	KTEST_EXPECT_EQ(test, dc->active, 0);
	KTEST_EXPECT_EQ(test, dc->nr_partial + dc->nr_full + dc->nr_empty, 0);
	KTEST_EXPECT_EQ(test, mm_nr_free_pages(&env.mm), free_at_start);
	finish(test);
}

/* Frees of pointers the set never handed out, double frees, frees into the
 * wrong cache and writes over a free object's link are reported and leave
 * every structure intact. */
static void slab_misuse_detected(struct ktest *test)
{
	struct kmem_cache *cache, *b;
	struct page *raw;
	void *p, *q, *big, *stack_ptr = &cache;
	unsigned long active;

	if (!mm_test_bugs_survivable())
		KTEST_SKIP(test, "mm_bug() panics here");
	SETUP(test);
	mm_test_take_bugs();
	cache = slab_cache_create(&set, "a", 64, 0);
	b = slab_cache_create(&set, "b", 64, 0);
	KTEST_ASSERT_NOT_NULL(test, cache);
	KTEST_ASSERT_NOT_NULL(test, b);
	p = slab_kmalloc(&set, 100, GFP_KERNEL);
	q = slab_cache_alloc(cache, GFP_KERNEL);
	big = slab_kmalloc(&set, 3 * PAGE_SIZE, GFP_KERNEL);
	raw = mm_alloc_pages(&env.mm, 0, GFP_KERNEL);
	KTEST_ASSERT_NOT_NULL(test, p);
	KTEST_ASSERT_NOT_NULL(test, q);
	KTEST_ASSERT_NOT_NULL(test, big);
	KTEST_ASSERT_NOT_NULL(test, raw);
	active = slab_kmalloc_cache(&set, 100)->active;

	slab_kfree(&set, (char *)p + 16);           /* inside an object */
	slab_kfree(&set, (char *)p + 8);            /* misaligned */
	slab_kfree(&set, stack_ptr);                /* not this mm's memory */
	slab_kfree(&set, mm_page_address(&env.mm, raw)); /* a page not from kmalloc */
	slab_kfree(&set, (char *)big + PAGE_SIZE);  /* tail of a large block */
	slab_kfree(&set, (char *)big + 64);         /* inside a large block */
	slab_cache_free(b, q);                      /* wrong cache */
	slab_kfree(&set, page_memdesc(head_of(p))); /* the allocator's descriptor */
	KTEST_EXPECT_EQ(test, mm_test_take_bugs(), 8);
	KTEST_EXPECT_EQ(test, set.bugs, 8);
	KTEST_EXPECT_EQ(test, slab_kmalloc_cache(&set, 100)->active, active);
	KTEST_EXPECT_EQ(test, slab_check(&set), 0);

	slab_kfree(&set, p);
	slab_kfree(&set, p);                        /* double free */
	KTEST_EXPECT_EQ(test, slab_ksize(&set, p), 0); /* a free object */
	slab_cache_free(cache, q);
	slab_cache_free(cache, q);                      /* double free */
	slab_kfree(&set, big);
	slab_kfree(&set, big);                      /* double free of a block */
	KTEST_EXPECT_EQ(test, mm_test_take_bugs(), 4);
	KTEST_EXPECT_EQ(test, slab_check(&set), 0);

	/* A write over a free object's link: caught at the allocation that
	 * would follow it; the freelist is rebuilt from the bitmap. */
	p = slab_cache_alloc(cache, GFP_KERNEL);
	q = slab_cache_alloc(cache, GFP_KERNEL);
	slab_cache_free(cache, q);
	slab_cache_free(cache, p);
	*(void **)p = stack_ptr;
	KTEST_EXPECT_EQ(test, slab_check(&set), 1);
	KTEST_EXPECT_PTR_EQ(test, slab_cache_alloc(cache, GFP_KERNEL), p);
	KTEST_EXPECT_EQ(test, mm_test_take_bugs(), 0);
	q = slab_cache_alloc(cache, GFP_KERNEL); /* pops the bad link */
	KTEST_EXPECT_EQ(test, mm_test_take_bugs(), 1);
	KTEST_EXPECT_NOT_NULL(test, q);
	KTEST_EXPECT_NE(test, (uintptr_t)q, (uintptr_t)p);
	KTEST_EXPECT_EQ(test, slab_check(&set), 0);

	KTEST_EXPECT_EQ(test, slab_cache_destroy(&set.kmalloc[0]), -EINVAL);
	KTEST_EXPECT_EQ(test, mm_test_take_bugs(), 1);
	KTEST_EXPECT_EQ(test, slab_cache_destroy(cache), -EBUSY);
	slab_cache_free(cache, p);
	slab_cache_free(cache, q);
	mm_free_pages(&env.mm, raw, 0);
	KTEST_EXPECT_EQ(test, mm_test_take_bugs(), 0);
	finish(test);
}

/* slab_check notices broken counters, bitmaps and lists (the test puts
 * each back). */
static void slab_check_detects_corruption(struct ktest *test)
{
	struct kmem_cache *cache;
	struct slab *slab;
	void *p;

	SETUP(test);
	p = slab_kmalloc(&set, 64, GFP_KERNEL);
	KTEST_ASSERT_NOT_NULL(test, p);
	cache = slab_kmalloc_cache(&set, 64);
	slab = page_memdesc(head_of(p));
	cache->nr_partial++;
	KTEST_EXPECT_GT(test, slab_check(&set), 0);
	cache->nr_partial--;
	cache->active++;
	KTEST_EXPECT_GT(test, slab_check(&set), 0);
	cache->active--;
	slab->free_map[0] ^= 1; /* object 0 (p) marked free */
	KTEST_EXPECT_GT(test, slab_check(&set), 0);
	slab->free_map[0] ^= 1;
	set.large_allocs++;
	KTEST_EXPECT_GT(test, slab_check(&set), 0);
	set.large_allocs--;
	KTEST_EXPECT_EQ(test, slab_check(&set), 0);
	slab_kfree(&set, p);
	finish(test);
}

/* Allocating until memory runs out fails cleanly (NULL, counted), and
 * freeing everything gives every page back: small objects chained through
 * themselves, then large blocks. */
static void slab_exhaustion_and_recovery(struct ktest *test)
{
	struct kmem_cache *cache;
	void **chain = NULL, **p;
	unsigned long n = 0, m = 0, pages_before, usable;

	SETUP(test);
	cache = slab_kmalloc_cache(&set, 64);
	while ((p = slab_kmalloc(&set, 64, GFP_NOWARN))) {
		*p = chain;
		chain = p;
		n++;
	}
	/* All but the reserve below the watermark, less one descriptor page
	 * per 50 slabs. */
	usable = env.mm.nr_managed - env.mm.wmark[WMARK_MIN];
	KTEST_EXPECT_GE(test, n, 64 * (usable * 50 / 51 - 2));
	KTEST_EXPECT_EQ(test, cache->active, n);
	KTEST_EXPECT_GE(test, cache->fails, 1);
	KTEST_EXPECT_EQ(test, slab_check(&set), 0);
	KTEST_EXPECT_EQ(test, mm_check(&env.mm), 0);
	/* Out of pages: a large allocation fails too. */
	KTEST_EXPECT_NULL(test, slab_kmalloc(&set, 2 * PAGE_SIZE, GFP_NOWARN));
	while (chain) {
		p = *chain;
		slab_kfree(&set, chain);
		chain = p;
	}
	KTEST_EXPECT_EQ(test, cache->active, 0);
	slab_shrink(&set);
	KTEST_EXPECT_EQ(test, mm_nr_free_pages(&env.mm), free_at_start);

	/* Again with 8 KiB blocks from the buddy. */
	pages_before = mm_nr_free_pages(&env.mm);
	while (m < MAX_PTRS && (ptrs[m] = slab_kmalloc(&set, 2 * PAGE_SIZE, GFP_NOWARN)))
		m++;
	/* Order-0 pages parked in the per-cpu cache cannot pair up. */
	KTEST_EXPECT_GE(test, m, (usable - env.mm.pcp[0].high) / 2 - 1);
	KTEST_EXPECT_EQ(test, set.large_pages, 2 * m);
	KTEST_EXPECT_EQ(test, slab_check(&set), 0);
	while (m)
		slab_kfree(&set, ptrs[--m]);
	KTEST_EXPECT_EQ(test, mm_nr_free_pages(&env.mm), pages_before);
	finish(test);
}

struct model_entry {
	void *p;
	size_t size;
	unsigned long seed;
};
static struct model_entry model[512];

/* A random mix of kmalloc/kfree over all sizes against a model of what is
 * live: every byte of every live allocation keeps its pattern; slab_check
 * stays clean along the way. */
static void slab_random_against_model(struct ktest *test)
{
	struct prng rng;
	unsigned int live = 0, step, bad = 0;

	SETUP(test);
	prng_seed(&rng, 0x51ab);
	for (step = 0; step < 4000; step++) {
		u64 r = prng_next(&rng);
		bool do_alloc = live < ARRAY_SIZE(model) && (live < 64 || (r & 1));

		if (do_alloc) {
			size_t size = (r >> 16) % ((r >> 40) % 4 == 0 ? 3 * PAGE_SIZE : 300);
			void *p = slab_kmalloc(&set, size, GFP_NOWARN);

			if (!p)
				continue;
			fill(p, size, step);
			model[live++] = (struct model_entry){ p, size, step };
		} else if (live) {
			unsigned int i = (unsigned int)((r >> 8) % live);

			if (!intact(model[i].p, model[i].size, model[i].seed))
				bad++;
			if (slab_ksize(&set, model[i].p) < model[i].size)
				bad++;
			slab_kfree(&set, model[i].p);
			model[i] = model[--live];
		}
		if (step % 500 == 0)
			KTEST_EXPECT_EQ(test, slab_check(&set), 0);
	}
	KTEST_EXPECT_EQ(test, bad, 0);
	while (live) {
		live--;
		KTEST_EXPECT_TRUE(test, intact(model[live].p, model[live].size, model[live].seed));
		slab_kfree(&set, model[live].p);
	}
	finish(test);
}

struct walk {
	unsigned int caches;
	unsigned long active_64;
	bool saw_desc;
};

static void count_cache(const struct slab_cache_info *info, void *arg)
{
	struct walk *walk = arg;

	walk->caches++;
	if (!strcmp(info->name, "kmalloc-64"))
		walk->active_64 = info->active_objects;
	if (!strcmp(info->name, "slab-desc"))
		walk->saw_desc = info->active_objects > 0;
}

/* slab_for_each_cache visits the built-in and created caches with
 * consistent numbers. */
static void slab_for_each_cache_reports_all(struct ktest *test)
{
	struct walk walk = { 0, 0, false };
	struct kmem_cache *cache;
	unsigned int i;

	SETUP(test);
	cache = slab_cache_create(&set, "extra", 40, 0);
	KTEST_ASSERT_NOT_NULL(test, cache);
	for (i = 0; i < 10; i++)
		ptrs[i] = slab_kmalloc(&set, 64, GFP_KERNEL);
	slab_for_each_cache(&set, count_cache, &walk);
	KTEST_EXPECT_EQ(test, walk.caches, 2 + KMALLOC_NR_CLASSES + 1);
	KTEST_EXPECT_EQ(test, walk.active_64, 10);
	KTEST_EXPECT_TRUE(test, walk.saw_desc);
	for (i = 0; i < 10; i++)
		slab_kfree(&set, ptrs[i]);
	KTEST_EXPECT_EQ(test, slab_cache_destroy(cache), 0);
	finish(test);
}

static const struct ktest_case slab_cases[] = {
	KTEST_CASE(slab_kmalloc_every_class),
	KTEST_CASE(slab_kmalloc_large_uses_buddy),
	KTEST_CASE(slab_cache_create_alloc_free_destroy),
	KTEST_CASE(slab_cache_alignment),
	KTEST_CASE(slab_descriptor_bootstrap),
	KTEST_CASE(slab_misuse_detected),
	KTEST_CASE(slab_check_detects_corruption),
	KTEST_CASE(slab_exhaustion_and_recovery),
	KTEST_CASE(slab_random_against_model),
	KTEST_CASE(slab_for_each_cache_reports_all),
	KTEST_END,
};
KTEST_SUITE(slab, slab_cases);
