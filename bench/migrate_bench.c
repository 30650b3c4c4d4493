/*
 * Figures of the migration engine (mm/migrate.c) and of the page copy at
 * its heart:
 *
 *   copy4k_movsb_ns  copy4k_movsq_ns  copy4k_loop_ns  copy4k_libc_ns
 *                     one 4 KiB copy between the same two warm arena pages
 *                     by each lib/pagecopy.h variant, and by libc's memcpy
 *                     (which may use SSE/AVX: the kernel cannot), timed
 *                     interleaved; ratios against rep movsq
 *   memcpy_4k_ns      libc memcpy of 4 KiB between two warm arena pages,
 *                     interleaved with ...
 *   migrate_page_ns   migrate_pages() of a batch of MIGRATE_PAGES order-0
 *                     TEST pages (mm/test_owner.h) on a private mm, per page:
 *                     isolate, target allocation, copy, the owner's update
 *                     and freeing the source. The batch is allocated and
 *                     filled before each timed call and checked and freed
 *                     after it, outside the timing; the owner's own content
 *                     check is off (TEST_VERIFY_NONE) while timed.
 *   migrate_page_ratio_vs_memcpy  the two, as the median of per-round
 *                     ratios (goal <= 1.5)
 *   migrate_copy_batch_ns  ... and, in the same rounds, the copies alone:
 *                     migrate_copy_page() over a batch shaped like the
 *                     migration's (MIGRATE_PAGES fresh sources, as many
 *                     fresh targets), so that
 *   migrate_page_ratio_vs_copy_batch  says what the engine adds to them
 *   mslab_migrate_page_ns  ... and, in the same rounds, migrate_pages() of
 *                     MIGRATE_PAGES full MSLAB pages (64 B objects) of a
 *                     pool on the same mm, per page: the registry's MSLAB
 *                     callbacks (isolate, copy + re-point under the pool
 *                     lock) instead of the TEST owner's
 *   mslab_migrate_page_ratio_vs_memcpy, mslab_migrate_page_ratio_vs_copy_batch
 *                     the same against memcpy_4k_ns (one hot page) and
 *                     against migrate_copy_batch_ns (the batch's copies
 *                     alone), medians of per-round ratios
 *
 * The private mm is pre-faulted (every page written once), so no timed loop
 * pays for the host's first touch of arena memory. Outside the timing,
 * every migrated page must have moved and kept its content, every copy
 * must equal its source, and at the end every mslab object must hold its
 * pattern and the mm must pass mm_check() with every page free; otherwise
 * the group's figures are reported failed.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench/bench.h"
#include "lib/pagecopy.h"
#include "mm/migrate.h"
#include "mm/mslab.h"
#include "mm/testing.h"
#include "mm/test_owner.h"

#define MIGRATE_ENV_PAGES (16UL << (20 - PAGE_SHIFT))  /* 16 MiB */
#define MIGRATE_PAGES 512UL                            /* one batch */

static_assert(MIGRATE_PAGES <= TEST_OWNER_MAX, "the batch must fit one owner");

/* A private mm with every page written once; two of its pages for copies. */
struct copy_env {
	struct mm_test_env env;
	void *src, *dst;
	struct bench_check chk; /* what the group's checks found */
};

/* Write every page of @env once. Free pages hold no allocator data (the
 * descriptors live apart), and the host arena is contiguous. */
static void prefault(struct mm_test_env *env)
{
	memset(mm_pfn_to_virt(env->base_pfn), 0x5a, env->span << PAGE_SHIFT);
}

static void copy_env_create(struct copy_env *ce)
{
	struct page *page, *d;
	int err = mm_test_env_simple(&ce->env, MIGRATE_ENV_PAGES);

	if (err)
		bench_fail("mm_test_env_simple(%lu pages): %d", MIGRATE_ENV_PAGES, err);
	prefault(&ce->env);
	page = mm_alloc_pages(&ce->env.mm, 0, GFP_KERNEL);
	d = mm_alloc_pages(&ce->env.mm, 0, GFP_KERNEL);
	if (!page || !d)
		bench_fail("no pages to copy between");
	ce->src = mm_page_address(&ce->env.mm, page);
	ce->dst = mm_page_address(&ce->env.mm, d);
	memset(ce->src, 0xa5, PAGE_SIZE);
}

static void copy_env_destroy(struct copy_env *ce, const char *what)
{
	struct mm *mm = &ce->env.mm;
	unsigned int bad, bugs;

	if (memcmp(ce->src, ce->dst, PAGE_SIZE))
		bench_check_fail(&ce->chk, "%s: the copy differs from its source", what);
	mm_free_pages(mm, mm_pfn_to_page(mm, mm_virt_to_pfn(ce->src)), 0);
	mm_free_pages(mm, mm_pfn_to_page(mm, mm_virt_to_pfn(ce->dst)), 0);
	mm_drain_pcp(mm);
	bad = mm_check(mm);
	bugs = mm_test_take_bugs();
	if (bad || bugs || mm_nr_free_pages(mm) != mm->nr_managed)
		bench_check_fail(&ce->chk, "%s: mm_check found %u problems, %u mm_bug reports, "
				 "%lu of %lu pages free", what, bad, bugs, mm_nr_free_pages(mm),
				 mm->nr_managed);
	mm_test_env_destroy(&ce->env);
}

#define COPY_LOOP(name, copy)                                                       \
	static void name(void *arg, unsigned long n)                                 \
	{                                                                             \
		struct copy_env *ce = arg;                                           \
                                                                                      \
		while (n--) {                                                        \
			copy(ce->dst, ce->src, PAGE_SIZE);                           \
			barrier(); /* every copy happens */                          \
		}                                                                     \
	}

COPY_LOOP(copy_movsb, pagecopy_movsb)
COPY_LOOP(copy_movsq, pagecopy_movsq)
COPY_LOOP(copy_loop, pagecopy_loop)
COPY_LOOP(copy_libc, memcpy)

static const struct {
	const char *name;
	void (*loop)(void *arg, unsigned long n);
	const char *note;
} copy_variants[] = {
	{ "copy4k_movsb_ns", copy_movsb,
	  "rep movsb (lib/pagecopy.c), 4 KiB between two warm pages; baseline: rep movsq" },
	{ "copy4k_movsq_ns", copy_movsq,
	  "rep movsq (lib/pagecopy.c), 4 KiB between two warm pages" },
	{ "copy4k_loop_ns", copy_loop,
	  "unrolled loop, 8 u64 in general-purpose registers per 64 bytes (lib/pagecopy.c); "
	  "baseline: rep movsq" },
	{ "copy4k_libc_ns", copy_libc,
	  "libc memcpy (may use SSE/AVX, which the kernel cannot); baseline: rep movsq" },
};
#define MOVSQ 1 /* the baseline's index in copy_variants: second, as bench_measure likes */
static_assert(ARRAY_SIZE(copy_variants) <= BENCH_MAX_LOOPS, "one bench_measure");

static void bench_copy4k(struct bench_ctx *ctx)
{
	struct bench_loop loops[ARRAY_SIZE(copy_variants)] = { 0 };
	struct bench_result res;
	struct copy_env ce = { 0 };
	const char *failed;
	unsigned int i;

	copy_env_create(&ce);
	for (i = 0; i < ARRAY_SIZE(copy_variants); i++)
		loops[i] = (struct bench_loop){ .fn = copy_variants[i].loop, .arg = &ce };
	bench_measure(ctx, loops, ARRAY_SIZE(copy_variants), ctx->quick ? 100 : 10000, &res);
	copy_env_destroy(&ce, "copy4k");
	failed = bench_check_done(&ce.chk, "copy4k: the copy equals its source; mm_check, every "
				  "page free");
	for (i = 0; i < ARRAY_SIZE(copy_variants); i++) {
		struct bench_figure figure = { .name = copy_variants[i].name, .value = res.ns_per_op[i],
					  .unit = "ns", .runs = ctx->runs, .failed = failed,
					  .note = copy_variants[i].note };

		if (i != MOVSQ) {
			figure.has_baseline = true;
			figure.baseline = res.ns_per_op[MOVSQ];
			figure.ratio = bench_ratio(&res, i, MOVSQ);
		}
		bench_emit(ctx, &figure);
	}
}
BENCH_REGISTER(copy4k, bench_copy4k);

/* The migration loop's state: one batch of TEST pages at a time. */
struct migrate_batch {
	struct copy_env ce;             /* the mm, and the memcpy baseline's pages */
	struct test_owner *owner;
	struct test_page *tps[MIGRATE_PAGES];
	unsigned long pfns[MIGRATE_PAGES];
	unsigned long old_pfns[MIGRATE_PAGES];
};

static void batch_prepare(void *arg, unsigned long n)
{
	struct migrate_batch *batch = arg;
	unsigned long i;

	for (i = 0; i < n; i++) {
		batch->tps[i] = test_owner_alloc(batch->owner, 0, 0);
		if (!batch->tps[i])
			bench_fail("migrate: cannot allocate TEST page %lu of %lu", i, n);
		batch->pfns[i] = test_owner_pfn(batch->owner, batch->tps[i]);
	}
	memcpy(batch->old_pfns, batch->pfns, n * sizeof(batch->pfns[0]));
}

static void batch_migrate(void *arg, unsigned long n)
{
	struct migrate_batch *batch = arg;
	struct migrate_result res;
	int err = migrate_pages(&batch->ce.env.mm, batch->pfns, n, NULL, NULL, NULL, MIGRATE_SYNC, &res);

	if (unlikely(err || res.succeeded != n))
		bench_fail("migrate_pages: %d, %lu of %lu moved (%lu failed, %lu no target)", err,
			   res.succeeded, n, res.failed, res.no_target);
}

/* Every page moved and kept its content; then the batch is freed. */
static void batch_cleanup(void *arg, unsigned long n)
{
	struct migrate_batch *batch = arg;
	unsigned long i;

	for (i = 0; i < n; i++) {
		struct test_page *tp = batch->tps[i];

		if (test_owner_pfn(batch->owner, tp) == batch->old_pfns[i] ||
		    !test_owner_content_ok(batch->owner, tp))
			bench_check_fail(&batch->ce.chk, "migrate: page %lu did not move or lost its "
					 "content", i);
		test_owner_free(batch->owner, tp);
	}
	if (batch->owner->protocol_errors || batch->owner->bad_content)
		bench_check_fail(&batch->ce.chk, "migrate: the TEST owner saw %u protocol errors, %u "
				 "bad pages", batch->owner->protocol_errors, batch->owner->bad_content);
}

/*
 * The data movement of a migration without the rest of the engine: each of
 * a batch of freshly written pages copied by migrate_copy_page() to its own
 * freshly allocated page, the pattern migrate_pages() produces (2 MiB of
 * sources and 2 MiB of targets, beyond the L1 and L2 caches), where
 * memcpy_4k_ns copies one hot page over and over.
 */
struct copy_batch {
	struct mm *mm;
	struct bench_check *chk;
	struct page *src[MIGRATE_PAGES], *dst[MIGRATE_PAGES];
};

/* Movable, like the TEST pages and migration's targets. */
static struct page *alloc_page_or_die(struct mm *mm)
{
	struct page *page = mm_alloc_pages(mm, 0, GFP_MOVABLE);

	if (!page)
		bench_fail("migrate: out of pages");
	return page;
}

static void copies_prepare(void *arg, unsigned long n)
{
	struct copy_batch *batch = arg;
	unsigned long i;

	for (i = 0; i < n; i++) {
		batch->src[i] = alloc_page_or_die(batch->mm);
		memset(mm_page_address(batch->mm, batch->src[i]), (int)i, PAGE_SIZE);
	}
	for (i = 0; i < n; i++)
		batch->dst[i] = alloc_page_or_die(batch->mm);
}

static void copies_run(void *arg, unsigned long n)
{
	struct copy_batch *batch = arg;
	unsigned long i;

	for (i = 0; i < n; i++)
		migrate_copy_page(batch->mm, batch->dst[i], batch->src[i]);
}

static void copies_cleanup(void *arg, unsigned long n)
{
	struct copy_batch *batch = arg;
	unsigned long i;

	for (i = 0; i < n; i++) {
		if (memcmp(mm_page_address(batch->mm, batch->src[i]), mm_page_address(batch->mm, batch->dst[i]),
			   PAGE_SIZE))
			bench_check_fail(batch->chk, "migrate: batch copy %lu differs from its source", i);
		mm_free_pages(batch->mm, batch->src[i], 0);
		mm_free_pages(batch->mm, batch->dst[i], 0);
	}
}

/*
 * MSLAB pages to migrate: a pool on the migration mm filled with
 * MIGRATE_PAGES pages of 64 B objects, each object written with its own
 * pattern. The pages stay in the pool from round to round (migration moves
 * them, it does not free them); one handle per page names it.
 */
#define MSLAB_OBJ_SIZE 64
#define MSLAB_OBJS (MIGRATE_PAGES * (PAGE_SIZE / MSLAB_OBJ_SIZE))

struct mslab_batch {
	struct mm *mm;
	struct bench_check *chk;
	struct mslab_pool pool;
	unsigned long *handles;             /* MSLAB_OBJS */
	unsigned long rep[MIGRATE_PAGES];   /* one handle per page */
	unsigned long pfns[MIGRATE_PAGES];
	unsigned long old_pfns[MIGRATE_PAGES];
};

static u8 mslab_pattern(unsigned long i)
{
	return (u8)(i * 31 + 7);
}

static bool mslab_obj_ok(struct mslab_batch *batch, unsigned long i)
{
	const u8 *p = mslab_map(&batch->pool, batch->handles[i]);
	unsigned int j;
	bool ok = p != NULL;

	for (j = 0; ok && j < MSLAB_OBJ_SIZE; j++)
		ok = p[j] == mslab_pattern(i);
	if (p)
		mslab_unmap(&batch->pool, batch->handles[i]);
	return ok;
}

static void mslab_batch_create(struct mslab_batch *batch, struct mm *mm, struct bench_check *chk)
{
	unsigned long i, pages = 0, last = 0;
	int err;

	batch->mm = mm;
	batch->chk = chk;
	batch->handles = calloc(MSLAB_OBJS, sizeof(*batch->handles));
	if (!batch->handles)
		bench_fail("out of memory");
	err = mslab_pool_create(&batch->pool, mm, "bench-migrate");
	if (err)
		bench_fail("mslab_pool_create: %d", err);
	for (i = 0; i < MSLAB_OBJS; i++) {
		unsigned long h = mslab_alloc(&batch->pool, MSLAB_OBJ_SIZE, GFP_KERNEL);
		unsigned long pfn;
		void *p;

		if (!h)
			bench_fail("mslab_alloc %lu of %lu: %d", i, MSLAB_OBJS,
				   mslab_last_error(&batch->pool));
		batch->handles[i] = h;
		p = mslab_map(&batch->pool, h);
		memset(p, mslab_pattern(i), MSLAB_OBJ_SIZE);
		mslab_unmap(&batch->pool, h);
		pfn = mslab_pfn(&batch->pool, h);
		if (pfn != last) {
			if (pages == MIGRATE_PAGES)
				bench_fail("mslab: %lu objects of %d B need more than %lu pages",
					   MSLAB_OBJS, MSLAB_OBJ_SIZE, MIGRATE_PAGES);
			batch->rep[pages++] = h;
			last = pfn;
		}
	}
	if (pages != MIGRATE_PAGES)
		bench_fail("mslab: %lu objects on %lu pages, not %lu", MSLAB_OBJS, pages,
			   MIGRATE_PAGES);
}

static void mslab_batch_destroy(struct mslab_batch *batch)
{
	unsigned long i;

	for (i = 0; i < MSLAB_OBJS; i++)
		if (!mslab_obj_ok(batch, i))
			bench_check_fail(batch->chk, "mslab migrate: object %lu lost its content", i);
	if (mslab_check(&batch->pool))
		bench_check_fail(batch->chk, "mslab migrate: the pool is inconsistent");
	mslab_pool_destroy(&batch->pool);
	free(batch->handles);
}

static void mslab_prepare(void *arg, unsigned long n)
{
	struct mslab_batch *batch = arg;
	unsigned long i;

	for (i = 0; i < n; i++)
		batch->pfns[i] = batch->old_pfns[i] = mslab_pfn(&batch->pool, batch->rep[i]);
}

static void mslab_migrate(void *arg, unsigned long n)
{
	struct mslab_batch *batch = arg;
	struct migrate_result res;
	int err = migrate_pages(batch->mm, batch->pfns, n, NULL, NULL, NULL, MIGRATE_SYNC, &res);

	if (unlikely(err || res.succeeded != n))
		bench_fail("migrate_pages of MSLAB pages: %d, %lu of %lu moved (%lu failed, "
			   "%lu no target)", err, res.succeeded, n, res.failed, res.no_target);
}

/* Every page moved, and its first object kept its content (all of them are
 * checked at the end). */
static void mslab_cleanup(void *arg, unsigned long n)
{
	struct mslab_batch *batch = arg;
	unsigned long i, per_page = PAGE_SIZE / MSLAB_OBJ_SIZE;

	for (i = 0; i < n; i++)
		if (mslab_pfn(&batch->pool, batch->rep[i]) == batch->old_pfns[i] ||
		    !mslab_obj_ok(batch, i * per_page))
			bench_check_fail(batch->chk, "mslab migrate: page %lu did not move or lost its "
					 "content", i);
}

static void bench_migrate(struct bench_ctx *ctx)
{
	struct migrate_batch *batch = calloc(1, sizeof(*batch));
	struct copy_batch *cb = calloc(1, sizeof(*cb));
	struct mslab_batch *mb = calloc(1, sizeof(*mb));
	struct bench_result res;
	static char note[200];
	const char *failed;
	double ratio;

	if (!batch || !cb || !mb || !(batch->owner = calloc(1, sizeof(*batch->owner))))
		bench_fail("out of memory");
	copy_env_create(&batch->ce);
	if (test_owner_init(batch->owner, &batch->ce.env.mm))
		bench_fail("test_owner_init failed");
	batch->owner->verify = TEST_VERIFY_NONE;
	cb->mm = &batch->ce.env.mm;
	cb->chk = &batch->ce.chk;
	mslab_batch_create(mb, &batch->ce.env.mm, &batch->ce.chk);

	const struct bench_loop loops[] = {
		{ .fn = batch_migrate, .arg = batch, .prepare = batch_prepare, .cleanup = batch_cleanup },
		{ .fn = copy_libc, .arg = &batch->ce },
		{ .fn = copies_run, .arg = cb, .prepare = copies_prepare, .cleanup = copies_cleanup },
		{ .fn = mslab_migrate, .arg = mb, .prepare = mslab_prepare,
		  .cleanup = mslab_cleanup },
	};
	static_assert(ARRAY_SIZE(loops) <= BENCH_MAX_LOOPS, "one bench_measure");
	bench_measure(ctx, loops, ARRAY_SIZE(loops), MIGRATE_PAGES, &res);
	mslab_batch_destroy(mb);
	free(mb);
	copy_env_destroy(&batch->ce, "migrate");
	failed = bench_check_done(&batch->ce.chk, "migrate (%u rounds): every TEST page moved with its "
				  "pattern, every copy equal, every mslab object whole; mm_check, "
				  "every page free", ctx->runs + BENCH_WARMUP);
	bench_emit(ctx, &(struct bench_figure){
		.name = "memcpy_4k_ns", .value = res.ns_per_op[1], .unit = "ns", .runs = ctx->runs,
		.failed = failed,
		.note = "libc memcpy of 4 KiB between two warm arena pages, timed interleaved "
			"with migrate_page_ns" });
	snprintf(note, sizeof(note), "migrate_pages of %lu order-0 TEST pages on a private "
		 "16 MiB mm, per page; isolate + target alloc + copy + free of source "
		 "(the owner's content check off)", MIGRATE_PAGES);
	bench_emit(ctx, &(struct bench_figure){
		.name = "migrate_page_ns", .value = res.ns_per_op[0], .unit = "ns", .runs = ctx->runs,
		.failed = failed,
		.note = note });
	bench_emit(ctx, &(struct bench_figure){
		.name = "migrate_page_ratio_vs_memcpy", .value = res.ratio, .unit = "x",
		.has_baseline = true, .baseline = res.ns_per_op[1], .baseline_unit = "ns",
		.ratio = res.ratio, .runs = ctx->runs, .failed = failed,
		.note = "migrate_page_ns / memcpy_4k_ns, median of per-round ratios; goal <= 1.5" });
	snprintf(note, sizeof(note), "migrate_copy_page of each of %lu freshly written pages to "
		 "its own freshly allocated page, per page: migrate_page_ns's copies alone",
		 MIGRATE_PAGES);
	bench_emit(ctx, &(struct bench_figure){
		.name = "migrate_copy_batch_ns", .value = res.ns_per_op[2], .unit = "ns",
		.runs = ctx->runs, .failed = failed, .note = note });
	ratio = bench_ratio(&res, 0, 2);
	bench_emit(ctx, &(struct bench_figure){
		.name = "migrate_page_ratio_vs_copy_batch", .value = ratio, .unit = "x",
		.has_baseline = true, .baseline = res.ns_per_op[2], .baseline_unit = "ns",
		.ratio = ratio, .runs = ctx->runs, .failed = failed,
		.note = "migrate_page_ns / migrate_copy_batch_ns: the engine's cost over its copies" });
	snprintf(note, sizeof(note), "migrate_pages of %lu full MSLAB pages (%d B objects) of a "
		 "pool on the same mm, per page; timed interleaved with migrate_page_ns",
		 MIGRATE_PAGES, MSLAB_OBJ_SIZE);
	bench_emit(ctx, &(struct bench_figure){
		.name = "mslab_migrate_page_ns", .value = res.ns_per_op[3], .unit = "ns",
		.runs = ctx->runs, .failed = failed, .note = note });
	ratio = bench_ratio(&res, 3, 1);
	bench_emit(ctx, &(struct bench_figure){
		.name = "mslab_migrate_page_ratio_vs_memcpy", .value = ratio, .unit = "x",
		.has_baseline = true, .baseline = res.ns_per_op[1], .baseline_unit = "ns",
		.ratio = ratio, .runs = ctx->runs, .failed = failed,
		.note = "mslab_migrate_page_ns / memcpy_4k_ns (one hot page copied over and over), "
			"median of per-round ratios; see also _vs_copy_batch" });
	ratio = bench_ratio(&res, 3, 2);
	bench_emit(ctx, &(struct bench_figure){
		.name = "mslab_migrate_page_ratio_vs_copy_batch", .value = ratio, .unit = "x",
		.has_baseline = true, .baseline = res.ns_per_op[2], .baseline_unit = "ns",
		.ratio = ratio, .runs = ctx->runs, .failed = failed,
		.note = "mslab_migrate_page_ns / migrate_copy_batch_ns: the batch's copies (cold "
			"sources, fresh targets) are the fair floor, memcpy_4k_ns's hot page is not" });
	free(batch->owner);
	free(batch);
	free(cb);
}
BENCH_REGISTER(migrate, bench_migrate);
