/*
 * Tests of the mslab pool on private mm instances (host and kernel):
 * handles survive page migration and pool compaction with their contents,
 * a mapped object pins its page, a page emptied while isolated is released,
 * misuse is reported without damage, and a long random sequence agrees
 * with a reference model. mslab_check and mm_check end every case.
 */
#include "include/errno.h"
#include "lib/ktest.h"
#include "lib/prng.h"
#include "lib/string.h"
#include "mm/migrate.h"
#include "mm/mslab.h"
#include "mm/testing.h"

#define SPAN 1024
#define MODEL_MAX 300

static struct mm_test_env env;
static struct mslab_pool pool;

/* A live object as the model knows it. */
struct model_obj {
	unsigned long handle;
	size_t size;
	u64 seed;   /* its contents are pattern(seed, i) */
	void *map;  /* held mapping, or NULL */
};

static struct model_obj model[MODEL_MAX];
static unsigned int nr_model;

static u8 pattern(u64 seed, size_t i) { return (u8)((seed * 0x9e3779b97f4a7c15ULL + i * 131) >> 29); }

static void fill(void *p, size_t size, u64 seed)
{
	size_t i;

	for (i = 0; i < size; i++)
		((u8 *)p)[i] = pattern(seed, i);
}

static bool same(const void *p, size_t size, u64 seed)
{
	size_t i;

	for (i = 0; i < size; i++)
		if (((const u8 *)p)[i] != pattern(seed, i))
			return false;
	return true;
}

/* Allocate an object of @size filled with pattern(@seed). Return: handle. */
static unsigned long alloc_filled(size_t size, u64 seed)
{
	unsigned long h = mslab_alloc(&pool, size, 0);
	void *p;

	if (!h)
		return 0;
	p = mslab_map(&pool, h);
	fill(p, size, seed);
	mslab_unmap(&pool, h);
	return h;
}

static bool content_ok(unsigned long h, size_t size, u64 seed)
{
	void *p = mslab_map(&pool, h);
	bool ok = p && same(p, size, seed);

	if (p)
		mslab_unmap(&pool, h);
	return ok;
}

static int setup(struct ktest *test, unsigned long *free_start)
{
	int err = mm_test_env_simple(&env, SPAN);

	if (err)
		return err;
	*free_start = mm_nr_free_pages(&env.mm);
	return mslab_pool_create(&pool, &env.mm, "test");
}

static void teardown(struct ktest *test, unsigned long free_start)
{
	KTEST_EXPECT_EQ(test, mslab_check(&pool), 0);
	mslab_pool_destroy(&pool);
	mm_test_env_finish(test, &env, free_start);
}

/* Sizes 1..PAGE_SIZE get a 16-aligned object in a class that holds them;
 * 0 and PAGE_SIZE + 1 fail with -EINVAL; MSLAB pages are movable. */
static void mslab_alloc_sizes_and_errors(struct ktest *test)
{
	unsigned long free_start, h;
	size_t size;

	KTEST_ASSERT_EQ(test, setup(test, &free_start), 0);
	KTEST_EXPECT_EQ(test, mslab_alloc(&pool, 0, 0), 0);
	KTEST_EXPECT_EQ(test, mslab_last_error(&pool), -EINVAL);
	KTEST_EXPECT_EQ(test, mslab_alloc(&pool, PAGE_SIZE + 1, 0), 0);
	KTEST_EXPECT_EQ(test, mslab_last_error(&pool), -EINVAL);
	for (size = 1; size <= PAGE_SIZE; size += size < 64 ? 1 : 61) {
		void *p;
		struct page *pg;

		h = alloc_filled(size, size);
		KTEST_ASSERT_NE(test, h, 0);
		KTEST_EXPECT_EQ(test, mslab_last_error(&pool), 0);
		KTEST_EXPECT_EQ(test, mslab_size(&pool, h), size);
		p = mslab_map(&pool, h);
		KTEST_EXPECT_EQ(test, (unsigned long)p % MSLAB_ALIGN, 0);
		KTEST_EXPECT_EQ(test, mm_virt_to_pfn(p), mslab_pfn(&pool, h));
		KTEST_EXPECT_EQ(test, mm_virt_to_pfn((char *)p + size - 1), mslab_pfn(&pool, h));
		mslab_unmap(&pool, h);
		pg = mm_pfn_to_page(&env.mm, mslab_pfn(&pool, h));
		KTEST_EXPECT_EQ(test, page_type(pg), MEMDESC_MSLAB);
		KTEST_EXPECT_NOT_NULL(test, page_movable_ops(&env.mm, pg));
		KTEST_EXPECT_TRUE(test, content_ok(h, size, size));
	}
	KTEST_EXPECT_EQ(test, mslab_check(&pool), 0);
	teardown(test, free_start);
}

/* Objects of one class share pages; the stats count pages, objects and
 * bytes; freeing the last object of a page frees the page. */
static void mslab_stats_count_pages_and_bytes(struct ktest *test)
{
	struct mslab_class_info ci;
	struct mslab_pool_info pi;
	unsigned long free_start, h[40];
	unsigned int i;

	KTEST_ASSERT_EQ(test, setup(test, &free_start), 0);
	for (i = 0; i < 40; i++)
		KTEST_ASSERT_NE(test, h[i] = mslab_alloc(&pool, 1000, GFP_ZERO), 0);
	mslab_pool_info(&pool, &pi);
	KTEST_EXPECT_EQ(test, pi.objects, 40);
	KTEST_EXPECT_EQ(test, pi.bytes_used, 40000);
	KTEST_EXPECT_EQ(test, pi.pages, 10); /* class 1024: 4 per page */
	KTEST_EXPECT_EQ(test, pi.bytes_held, 10 * PAGE_SIZE);
	KTEST_EXPECT_EQ(test, pi.handles, 40);
	for (i = 0; i < pool.nr_classes; i++) {
		mslab_class_info(&pool, i, &ci);
		if (ci.size == 1024)
			KTEST_EXPECT_EQ(test, ci.pages, 10);
	}
	for (i = 0; i < 4; i++)
		mslab_free(&pool, h[i]);
	mslab_pool_info(&pool, &pi);
	KTEST_EXPECT_EQ(test, pi.pages, 9);
	KTEST_EXPECT_EQ(test, pi.objects, 36);
	teardown(test, free_start);
}

static void migrate_pfn(unsigned long pfn, struct migrate_result *result, migrate_alloc_t alloc,
			void *priv)
{
	migrate_pages(&env.mm, &pfn, 1, alloc, NULL, priv, MIGRATE_SYNC, result);
}

/* Migrating every MSLAB page keeps each handle's contents and moves it. */
static void mslab_migration_keeps_handles(struct ktest *test)
{
	unsigned long free_start, h[64], old[64];
	struct migrate_result result;
	unsigned int i;

	KTEST_ASSERT_EQ(test, setup(test, &free_start), 0);
	for (i = 0; i < 64; i++) {
		KTEST_ASSERT_NE(test, h[i] = alloc_filled(16 + i * 40, i), 0);
		old[i] = mslab_pfn(&pool, h[i]);
	}
	for (i = 0; i < 64; i++)
		if (mslab_pfn(&pool, h[i]) == old[i])
			migrate_pfn(old[i], &result, NULL, NULL);
	for (i = 0; i < 64; i++) {
		KTEST_EXPECT_NE(test, mslab_pfn(&pool, h[i]), old[i]);
		KTEST_EXPECT_TRUE(test, content_ok(h[i], 16 + i * 40, i));
	}
	KTEST_EXPECT_GT(test, env.mm.stats.migrate_by_type[MEMDESC_MSLAB], 0);
	teardown(test, free_start);
}

/* A mapped object pins its page: isolate says -EAGAIN, the page stays, and
 * pool compaction leaves its objects alone; after unmap it moves. */
static void mslab_mapped_object_pins_page(struct ktest *test)
{
	unsigned long free_start, a, b, pfn;
	struct migrate_result result;
	void *p;

	KTEST_ASSERT_EQ(test, setup(test, &free_start), 0);
	KTEST_ASSERT_NE(test, a = alloc_filled(100, 1), 0);
	KTEST_ASSERT_NE(test, b = alloc_filled(3000, 2), 0); /* another class */
	pfn = mslab_pfn(&pool, a);
	p = mslab_map(&pool, a);
	migrate_pfn(pfn, &result, NULL, NULL);
	KTEST_EXPECT_EQ(test, result.succeeded, 0);
	KTEST_EXPECT_EQ(test, result.failed, 1);
	KTEST_EXPECT_GT(test, result.retried, 0);
	KTEST_EXPECT_EQ(test, mslab_pfn(&pool, a), pfn);
	KTEST_EXPECT_TRUE(test, same(p, 100, 1));
	KTEST_EXPECT_EQ(test, mslab_check(&pool), 0);
	mslab_unmap(&pool, a);
	migrate_pfn(pfn, &result, NULL, NULL);
	KTEST_EXPECT_EQ(test, result.succeeded, 1);
	KTEST_EXPECT_NE(test, mslab_pfn(&pool, a), pfn);
	KTEST_EXPECT_TRUE(test, content_ok(a, 100, 1));
	KTEST_EXPECT_TRUE(test, content_ok(b, 3000, 2));
	teardown(test, free_start);
}

/* What the target allocator does to the isolated source (the window
 * between isolate and migrate). */
struct window {
	unsigned long handles[8];
	unsigned int n;
	bool map;   /* map handles[0] (else free them all) */
};

static struct page *window_alloc(struct mm *mm, struct page *src, void *priv)
{
	struct window *window = priv;
	unsigned int i;

	if (window->map && window->n) {
		mslab_map(&pool, window->handles[0]);
		window->n = 0; /* once */
	} else if (!window->map) {
		for (i = 0; i < window->n; i++)
			mslab_free(&pool, window->handles[i]);
		window->n = 0;
	}
	return mm_alloc_pages(mm, 0, GFP_MOVABLE | GFP_NOWARN);
}

/* Mapping an object of an isolated page pins it where it is: migrate
 * backs off with -EAGAIN, the page is put back with its data. */
static void mslab_map_while_isolated_backs_off(struct ktest *test)
{
	struct window window = { .n = 1, .map = true };
	unsigned long free_start, h, pfn;
	struct migrate_result result;

	KTEST_ASSERT_EQ(test, setup(test, &free_start), 0);
	KTEST_ASSERT_NE(test, h = alloc_filled(200, 7), 0);
	window.handles[0] = h;
	pfn = mslab_pfn(&pool, h);
	migrate_pfn(pfn, &result, window_alloc, &window);
	KTEST_EXPECT_EQ(test, result.succeeded, 0);
	KTEST_EXPECT_EQ(test, result.failed, 1);
	KTEST_EXPECT_EQ(test, mslab_pfn(&pool, h), pfn);
	KTEST_EXPECT_FALSE(test, page_is_isolated(mm_pfn_to_page(&env.mm, pfn)));
	KTEST_EXPECT_EQ(test, mslab_check(&pool), 0);
	mslab_unmap(&pool, h); /* the map made inside the window */
	KTEST_EXPECT_TRUE(test, content_ok(h, 200, 7));
	teardown(test, free_start);
}

/* A page whose objects are all freed while it is isolated is released to
 * the core and freed, not copied. */
static void mslab_free_while_isolated_releases(struct ktest *test)
{
	struct window window = { .n = 3, .map = false };
	unsigned long free_start, pfn, keep;
	struct migrate_result result;
	unsigned int i;

	KTEST_ASSERT_EQ(test, setup(test, &free_start), 0);
	KTEST_ASSERT_NE(test, keep = alloc_filled(2000, 9), 0); /* another class */
	for (i = 0; i < 3; i++)
		KTEST_ASSERT_NE(test, window.handles[i] = alloc_filled(500, i), 0);
	pfn = mslab_pfn(&pool, window.handles[0]);
	KTEST_EXPECT_EQ(test, mslab_pfn(&pool, window.handles[2]), pfn);
	migrate_pfn(pfn, &result, window_alloc, &window);
	KTEST_EXPECT_EQ(test, result.released, 1);
	KTEST_EXPECT_EQ(test, result.succeeded, 0);
	KTEST_EXPECT_EQ(test, result.bytes_copied, 0);
	KTEST_EXPECT_TRUE(test, page_is_buddy(mm_pfn_to_page(&env.mm, pfn)) ||
			     page_is_pcp(mm_pfn_to_page(&env.mm, pfn)) ||
			     !page_is_head(mm_pfn_to_page(&env.mm, pfn)));
	KTEST_EXPECT_EQ(test, mslab_check(&pool), 0);
	KTEST_EXPECT_TRUE(test, content_ok(keep, 2000, 9));
	teardown(test, free_start);
}

/* The object freed by free_in_isolate: the owner's free lands between the
 * core's claim and its isolate() call, as a free on another CPU can. */
static unsigned long claimed_handle;
static const struct movable_operations *real_mslab_ops;

static int free_in_isolate(struct mm *mm, struct page *page, enum migrate_mode mode)
{
	mslab_free(&pool, claimed_handle);
	return real_mslab_ops->isolate(mm, page, mode);
}

/* A page emptied between the core's claim and isolate() is not freed by
 * the pool (the core holds it) but released: isolate() answers -EBUSY, the
 * core frees it, and the pool's lists, the mm's free count and mm_check
 * agree. With the old free path the pool freed a claimed page. */
static void mslab_free_between_claim_and_isolate(struct ktest *test)
{
	struct movable_operations racing;
	unsigned long free_start, pfn, keep;
	struct migrate_result result;

	KTEST_ASSERT_EQ(test, setup(test, &free_start), 0);
	KTEST_ASSERT_NE(test, keep = alloc_filled(2000, 9), 0); /* another class */
	KTEST_ASSERT_NE(test, claimed_handle = alloc_filled(500, 3), 0);
	pfn = mslab_pfn(&pool, claimed_handle);
	real_mslab_ops = env.mm.movable_ops[MEMDESC_MSLAB]; /* a private mm: swap for one call */
	racing = *real_mslab_ops;
	racing.isolate = free_in_isolate;
	env.mm.movable_ops[MEMDESC_MSLAB] = &racing;
	migrate_pfn(pfn, &result, NULL, NULL);
	env.mm.movable_ops[MEMDESC_MSLAB] = real_mslab_ops;
	KTEST_EXPECT_EQ(test, result.released, 1);
	KTEST_EXPECT_EQ(test, result.succeeded, 0);
	KTEST_EXPECT_EQ(test, pool.released, 1);
	KTEST_EXPECT_EQ(test, env.mm.stats.bugs, 0);
	KTEST_EXPECT_FALSE(test, page_is_head(mm_pfn_to_page(&env.mm, pfn)));
	KTEST_EXPECT_EQ(test, mslab_check(&pool), 0);
	KTEST_EXPECT_TRUE(test, content_ok(keep, 2000, 9));
	teardown(test, free_start);
}

/* Freeing 3/4 of a class at random leaves sparse pages; compaction packs
 * the survivors into the minimum number of pages (+1 with a mapped page
 * left alone) and rewrites their handles. */
static void mslab_compact_packs_class(struct ktest *test)
{
	static unsigned long h[512];
	unsigned long free_start, pages_before, freed, live = 0, pinned = 0;
	struct mslab_pool_info pi;
	struct prng rng;
	unsigned int i;

	KTEST_ASSERT_EQ(test, setup(test, &free_start), 0);
	prng_seed(&rng, 11);
	for (i = 0; i < 512; i++)
		KTEST_ASSERT_NE(test, h[i] = alloc_filled(64, i), 0);
	for (i = 0; i < 512; i++)
		if (prng_chance(&rng, 3, 4)) {
			mslab_free(&pool, h[i]);
			h[i] = 0;
		}
	for (i = 0; i < 512; i++)
		if (h[i] && !pinned)
			pinned = h[i];
	mslab_map(&pool, pinned);
	mslab_pool_info(&pool, &pi);
	pages_before = pi.pages;
	live = pi.objects;
	freed = mslab_compact(&pool, NULL);
	mslab_pool_info(&pool, &pi);
	KTEST_EXPECT_EQ(test, pi.pages, pages_before - freed);
	KTEST_EXPECT_LE(test, pi.pages, (live + 63) / 64 + 1);
	KTEST_EXPECT_EQ(test, pi.compact_pages_freed, freed);
	KTEST_EXPECT_EQ(test, mslab_check(&pool), 0);
	mslab_unmap(&pool, pinned);
	for (i = 0; i < 512; i++)
		if (h[i])
			KTEST_EXPECT_TRUE(test, content_ok(h[i], 64, i));
	mslab_compact(&pool, NULL); /* now that nothing is pinned: the minimum */
	mslab_pool_info(&pool, &pi);
	KTEST_EXPECT_EQ(test, pi.pages, (live + 63) / 64);
	teardown(test, free_start);
}

/* Mixed sizes over every class: 3/4 freed, compaction keeps every
 * survivor's contents. */
static void mslab_compact_mixed_sizes_keeps_contents(struct ktest *test)
{
	static unsigned long h[1200];
	static size_t size[1200];
	unsigned long free_start, bad = 0;
	struct prng rng;
	unsigned int i;

	KTEST_ASSERT_EQ(test, setup(test, &free_start), 0);
	prng_seed(&rng, 0xd3e0);
	for (i = 0; i < ARRAY_SIZE(h); i++) {
		unsigned long lo = 16UL << prng_below(&rng, 7);

		size[i] = (size_t)prng_range(&rng, lo, lo * 2);
		KTEST_ASSERT_NE(test, h[i] = alloc_filled(size[i], i), 0);
	}
	for (i = 0; i < ARRAY_SIZE(h); i++)
		if (prng_chance(&rng, 3, 4)) {
			mslab_free(&pool, h[i]);
			h[i] = 0;
		}
	KTEST_EXPECT_GT(test, mslab_compact(&pool, NULL), 0);
	for (i = 0; i < ARRAY_SIZE(h); i++)
		if (h[i])
			bad += !content_ok(h[i], size[i], i);
	KTEST_EXPECT_EQ(test, bad, 0);
	teardown(test, free_start);
}

/* Misuse is reported through mm_bug and changes nothing. */
static void mslab_handle_misuse_reported(struct ktest *test)
{
	unsigned long free_start, h, dead;

	if (!mm_test_bugs_survivable())
		KTEST_SKIP(test, "mm_bug panics here");
	KTEST_ASSERT_EQ(test, setup(test, &free_start), 0);
	mm_test_take_bugs();
	KTEST_ASSERT_NE(test, h = alloc_filled(48, 5), 0);
	KTEST_ASSERT_NE(test, dead = alloc_filled(48, 6), 0);
	mslab_free(&pool, dead);
	mslab_free(&pool, dead);                         /* double free */
	mslab_free(&pool, 0x7fff0000UL);                 /* unknown handle */
	mslab_free(&pool, h | (1UL << 50));              /* not a handle */
	KTEST_EXPECT_NULL(test, mslab_map(&pool, dead));    /* map of a freed handle */
	mslab_unmap(&pool, h);                           /* unmap without map */
	mslab_map(&pool, h);
	mslab_free(&pool, h);                            /* free while mapped */
	KTEST_EXPECT_EQ(test, mm_test_take_bugs(), 6);
	KTEST_EXPECT_EQ(test, pool.bugs, 6);
	mslab_unmap(&pool, h);
	KTEST_EXPECT_TRUE(test, content_ok(h, 48, 5));
	KTEST_EXPECT_EQ(test, mslab_check(&pool), 0);
	/* A reused slot gets a new generation: the old handle stays dead. */
	KTEST_ASSERT_NE(test, h = alloc_filled(48, 8), 0);
	KTEST_EXPECT_NE(test, h, dead);
	KTEST_EXPECT_NULL(test, mslab_map(&pool, dead));
	KTEST_EXPECT_EQ(test, mm_test_take_bugs(), 1);
	teardown(test, free_start);
}

/* Model step helpers for the random sequence. */
static void model_drop(unsigned int i)
{
	if (model[i].map)
		mslab_unmap(&pool, model[i].handle);
	mslab_free(&pool, model[i].handle);
	model[i] = model[--nr_model];
}

static void migrate_random(struct prng *rng)
{
	unsigned long pfns[8];
	struct migrate_result result;
	unsigned int n = 0, k, j;

	for (k = 0; k < 8 && nr_model; k++) {
		unsigned long pfn = mslab_pfn(&pool, model[prng_below(rng, nr_model)].handle);

		for (j = 0; j < n && pfns[j] != pfn; j++)
			;
		if (j == n)
			pfns[n++] = pfn;
	}
	migrate_pages(&env.mm, pfns, n, NULL, NULL, NULL,
		      prng_chance(rng, 1, 2) ? MIGRATE_SYNC : MIGRATE_ASYNC, &result);
}

static unsigned int verify_model(struct ktest *test)
{
	unsigned int i, bad = 0;

	for (i = 0; i < nr_model; i++) {
		struct model_obj *m = &model[i];

		if (m->map) { /* pinned: the held address is still the object */
			bad += !same(m->map, m->size, m->seed);
			bad += mm_virt_to_pfn(m->map) != mslab_pfn(&pool, m->handle);
		} else {
			bad += !content_ok(m->handle, m->size, m->seed);
		}
	}
	return bad;
}

/* Random alloc/free/map/unmap/rewrite with page migrations and pool
 * compactions interleaved, against a model of every object's contents. */
static void mslab_random_ops_match_model(struct ktest *test)
{
	struct mslab_pool_info pi;
	unsigned long free_start;
	struct prng rng;
	unsigned int step, bad = 0;

	KTEST_ASSERT_EQ(test, setup(test, &free_start), 0);
	prng_seed(&rng, 0x3514b);
	nr_model = 0;
	for (step = 0; step < 6000; step++) {
		unsigned int op = (unsigned int)prng_below(&rng, 100);
		struct model_obj *m = nr_model ? &model[prng_below(&rng, nr_model)] : NULL;

		if (op < 40 && nr_model < MODEL_MAX) {
			size_t size = (size_t)prng_range(&rng, 1, 64UL << prng_below(&rng, 7));
			u64 seed = prng_next(&rng);
			unsigned long h = alloc_filled(size, seed);

			KTEST_ASSERT_NE(test, h, 0);
			model[nr_model++] = (struct model_obj){ h, size, seed, NULL };
		} else if (op < 70 && m) {
			model_drop((unsigned int)(m - model));
		} else if (op < 80 && m) { /* map and hold, or release the map */
			if (m->map) {
				mslab_unmap(&pool, m->handle);
				m->map = NULL;
			} else {
				m->map = mslab_map(&pool, m->handle);
			}
		} else if (op < 88 && m) { /* rewrite through a fresh map */
			void *p = mslab_map(&pool, m->handle);

			m->seed = prng_next(&rng);
			fill(p, m->size, m->seed);
			mslab_unmap(&pool, m->handle);
		} else if (op < 97) {
			migrate_random(&rng);
		} else {
			mslab_compact(&pool, NULL);
		}
		if (step % 500 == 0) {
			bad += verify_model(test);
			KTEST_EXPECT_EQ(test, mslab_check(&pool), 0);
		}
	}
	bad += verify_model(test);
	KTEST_EXPECT_EQ(test, bad, 0);
	mslab_pool_info(&pool, &pi);
	ktest_diag(test, "%lu pages migrated, %lu pages freed by %lu compactions, %lu live objects",
		   (unsigned long)env.mm.stats.migrate_by_type[MEMDESC_MSLAB],
		   (unsigned long)pi.compact_pages_freed, (unsigned long)pi.compactions, pi.objects);
	KTEST_EXPECT_GT(test, env.mm.stats.migrate_by_type[MEMDESC_MSLAB], 0);
	KTEST_EXPECT_GT(test, pi.compact_pages_freed, 0);
	while (nr_model)
		model_drop(0);
	teardown(test, free_start);
}

/* The `mixed` filler on a no-data mm: 3/4 of the objects freed, the rest
 * still there; compaction and migration keep the pool consistent. */
static void mslab_scenario_fill_no_data(struct ktest *test)
{
	struct mslab_pool_info before, after;
	unsigned long free_start, pfns[32], pfn, n = 0;
	struct pack_result packed = { 0 };
	struct migrate_result result;

	KTEST_ASSERT_EQ(test, mm_test_env_init_ex(&env, SPAN, &(struct pfn_range){ 0, SPAN }, 1,
					       NULL, 0, true), 0);
	free_start = mm_nr_free_pages(&env.mm);
	KTEST_ASSERT_EQ(test, mslab_pool_create(&pool, &env.mm, "mixed"), 0);
	KTEST_ASSERT_EQ(test, mslab_scenario_fill(&pool, 128 * PAGE_SIZE, 42), 0);
	KTEST_EXPECT_EQ(test, mslab_scenario_fill(&pool, PAGE_SIZE, 42), -EBUSY);
	mslab_pool_info(&pool, &before);
	KTEST_EXPECT_GT(test, before.objects, 0);
	KTEST_EXPECT_LE(test, before.bytes_used, before.objects * 2048);
	KTEST_EXPECT_GE(test, before.bytes_used, before.objects * 16);
	for (pfn = env.mm.base_pfn; pfn < env.mm.end_pfn && n < 32; pfn++) {
		struct page *page = mm_pfn_to_page(&env.mm, pfn);

		if (page_is_head(page) && page_type(page) == MEMDESC_MSLAB)
			pfns[n++] = pfn;
	}
	migrate_pages(&env.mm, pfns, n, NULL, NULL, NULL, MIGRATE_SYNC, &result);
	KTEST_EXPECT_EQ(test, result.succeeded, n);
	KTEST_EXPECT_EQ(test, result.bytes_copied, 0);
	movable_pack(&env.mm, &packed); /* the pool packs as a registered owner */
	KTEST_EXPECT_GT(test, packed.pages_freed, 0);
	mslab_pool_info(&pool, &after);
	KTEST_EXPECT_EQ(test, after.objects, before.objects);
	KTEST_EXPECT_LT(test, after.pages, before.pages);
	teardown(test, free_start);
}

/* The handle table grows past one page of slots and shrinks to nothing
 * on destroy. */
static void mslab_handle_table_grows(struct ktest *test)
{
	static unsigned long h[MSLAB_SLOTS_PER_PAGE * 3];
	struct mslab_pool_info pi;
	unsigned long free_start;
	unsigned int i;

	KTEST_ASSERT_EQ(test, setup(test, &free_start), 0);
	for (i = 0; i < ARRAY_SIZE(h); i++)
		KTEST_ASSERT_NE(test, h[i] = mslab_alloc(&pool, 16, 0), 0);
	mslab_pool_info(&pool, &pi);
	KTEST_EXPECT_EQ(test, pi.handles, ARRAY_SIZE(h));
	KTEST_EXPECT_EQ(test, pi.table_pages, 4 + 1); /* 768 + slot 0 need 4 pages, + dir */
	for (i = 0; i < ARRAY_SIZE(h); i += 2)
		mslab_free(&pool, h[i]);
	KTEST_EXPECT_EQ(test, mslab_check(&pool), 0);
	teardown(test, free_start);
}

static const struct ktest_case mslab_cases[] = {
	KTEST_CASE(mslab_alloc_sizes_and_errors),
	KTEST_CASE(mslab_stats_count_pages_and_bytes),
	KTEST_CASE(mslab_migration_keeps_handles),
	KTEST_CASE(mslab_mapped_object_pins_page),
	KTEST_CASE(mslab_map_while_isolated_backs_off),
	KTEST_CASE(mslab_free_while_isolated_releases),
	KTEST_CASE(mslab_free_between_claim_and_isolate),
	KTEST_CASE(mslab_compact_packs_class),
	KTEST_CASE(mslab_compact_mixed_sizes_keeps_contents),
	KTEST_CASE(mslab_handle_misuse_reported),
	KTEST_CASE(mslab_random_ops_match_model),
	KTEST_CASE(mslab_scenario_fill_no_data),
	KTEST_CASE(mslab_handle_table_grows),
	KTEST_END,
};
KTEST_SUITE(mslab, mslab_cases);
