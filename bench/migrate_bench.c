/*
 * Figures of the migration engine (mm/migrate.c) and of the page copy at
 * its heart:
 *
 *   copy4k_movsb_ns   copy4k_movsq_ns   copy4k_loop_ns   copy4k_libc_ns
 *                     one 4 KiB copy between the same two warm arena pages
 *                     by each lib/pagecopy.h variant, and by libc's memcpy
 *                     (which may use SSE/AVX: the kernel cannot). Timed
 *                     interleaved; ratios are against rep movsq.
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
 *
 * The private mm is pre-faulted (every page written once), so no timed loop
 * pays for the host's first touch of arena memory.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench/bench.h"
#include "lib/pagecopy.h"
#include "mm/migrate.h"
#include "mm/testing.h"
#include "mm/test_owner.h"

#define MIGRATE_ENV_PAGES (16UL << (20 - PAGE_SHIFT))  /* 16 MiB */
#define MIGRATE_PAGES 512UL                            /* one batch */

static_assert(MIGRATE_PAGES <= TEST_OWNER_MAX, "the batch must fit one owner");

/* A private mm with every page written once; two of its pages for copies. */
struct copy_env {
	struct mm_test_env env;
	void *src, *dst;
};

static void prefault(struct mm *mm)
{
	struct page **pages = calloc(mm->nr_managed, sizeof(*pages));
	unsigned long n = 0;

	if (!pages)
		bench_fail("out of memory");
	while (n < mm->nr_managed && (pages[n] = mm_alloc_pages(mm, 0, GFP_NOWARN)))
		memset(mm_page_address(mm, pages[n++]), 0x5a, PAGE_SIZE);
	while (n)
		mm_free_pages(mm, pages[--n], 0);
	free(pages);
}

static void copy_env_create(struct copy_env *ce)
{
	struct page *s, *d;
	int err = mm_test_env_simple(&ce->env, MIGRATE_ENV_PAGES);

	if (err)
		bench_fail("mm_test_env_simple(%lu pages): %d", MIGRATE_ENV_PAGES, err);
	prefault(&ce->env.mm);
	s = mm_alloc_pages(&ce->env.mm, 0, GFP_KERNEL);
	d = mm_alloc_pages(&ce->env.mm, 0, GFP_KERNEL);
	if (!s || !d)
		bench_fail("no pages to copy between");
	ce->src = mm_page_address(&ce->env.mm, s);
	ce->dst = mm_page_address(&ce->env.mm, d);
	memset(ce->src, 0xa5, PAGE_SIZE);
}

static void copy_env_destroy(struct copy_env *ce, const char *what)
{
	struct mm *mm = &ce->env.mm;
	unsigned int bad, bugs;

	if (memcmp(ce->src, ce->dst, PAGE_SIZE))
		bench_fail("%s: the copy differs from its source", what);
	mm_free_pages(mm, mm_pfn_to_page(mm, mm_virt_to_pfn(ce->src)), 0);
	mm_free_pages(mm, mm_pfn_to_page(mm, mm_virt_to_pfn(ce->dst)), 0);
	mm_drain_pcp(mm);
	bad = mm_check(mm);
	bugs = mm_test_take_bugs();
	if (bad || bugs || mm_nr_free_pages(mm) != mm->nr_managed)
		bench_fail("%s: mm_check found %u problems, %u mm_bug reports, %lu of %lu pages "
			   "free", what, bad, bugs, mm_nr_free_pages(mm), mm->nr_managed);
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

static void bench_copy4k(struct bench_ctx *ctx)
{
	struct copy_env ce;
	struct bench_result res;
	const char *names[] = { "copy4k_movsb_ns", "copy4k_movsq_ns", "copy4k_loop_ns",
				"copy4k_libc_ns" };
	const char *notes[] = {
		"rep movsb (lib/pagecopy.c), 4 KiB between two warm pages; baseline: rep movsq",
		"rep movsq (lib/pagecopy.c), 4 KiB between two warm pages",
		"unrolled loop, 8 u64 in general-purpose registers per 64 bytes (lib/pagecopy.c); "
		"baseline: rep movsq",
		"libc memcpy (may use SSE/AVX, which the kernel cannot); baseline: rep movsq",
	};
	unsigned int i;

	copy_env_create(&ce);
	/* movsq second: bench_measure's ratio is loop 0 over loop 1. The other
	 * ratios against it come from medians, less exact but enough here. */
	const struct bench_loop loops[] = {
		{ .fn = copy_movsb, .arg = &ce }, { .fn = copy_movsq, .arg = &ce },
		{ .fn = copy_loop, .arg = &ce }, { .fn = copy_libc, .arg = &ce },
	};
	bench_measure(ctx, loops, 4, ctx->quick ? 100 : 10000, &res);
	for (i = 0; i < 4; i++) {
		struct bench_figure f = { .name = names[i], .value = res.ns_per_op[i], .unit = "ns",
					  .runs = ctx->runs, .note = notes[i] };

		if (i != 1) {
			f.has_baseline = true;
			f.baseline = res.ns_per_op[1];
			f.ratio = i == 0 ? res.ratio : res.ns_per_op[i] / res.ns_per_op[1];
		}
		bench_emit(ctx, &f);
	}
	copy_env_destroy(&ce, "copy4k");
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
	struct migrate_batch *b = arg;
	unsigned long i;

	for (i = 0; i < n; i++) {
		b->tps[i] = test_owner_alloc(b->owner, 0, 0);
		if (!b->tps[i])
			bench_fail("migrate: cannot allocate TEST page %lu of %lu", i, n);
		b->pfns[i] = test_owner_pfn(b->owner, b->tps[i]);
	}
	memcpy(b->old_pfns, b->pfns, n * sizeof(b->pfns[0]));
}

static void batch_migrate(void *arg, unsigned long n)
{
	struct migrate_batch *b = arg;
	struct migrate_result res;
	int err = migrate_pages(&b->ce.env.mm, b->pfns, n, NULL, NULL, NULL, MIGRATE_SYNC, &res);

	if (unlikely(err || res.succeeded != n))
		bench_fail("migrate_pages: %d, %lu of %lu moved (%lu failed, %lu no target)", err,
			   res.succeeded, n, res.failed, res.no_target);
}

/* Every page moved and kept its content; then the batch is freed. */
static void batch_cleanup(void *arg, unsigned long n)
{
	struct migrate_batch *b = arg;
	unsigned long i;

	for (i = 0; i < n; i++) {
		struct test_page *tp = b->tps[i];

		if (test_owner_pfn(b->owner, tp) == b->old_pfns[i] ||
		    !test_owner_content_ok(b->owner, tp))
			bench_fail("migrate: page %lu did not move or lost its content", i);
		test_owner_free(b->owner, tp);
	}
	if (b->owner->protocol_errors || b->owner->bad_content)
		bench_fail("migrate: the TEST owner saw %u protocol errors, %u bad pages",
			   b->owner->protocol_errors, b->owner->bad_content);
}

struct copy_batch {
	struct mm *mm;
	struct page *s[MIGRATE_PAGES], *d[MIGRATE_PAGES];
};
static void cb_prepare(void *arg, unsigned long n)
{
	struct copy_batch *b = arg;
	unsigned long i;
	for (i = 0; i < n; i++) {
		b->s[i] = mm_alloc_pages(b->mm, 0, GFP_KERNEL);
		memset(mm_page_address(b->mm, b->s[i]), (int)i, PAGE_SIZE);
	}
	for (i = 0; i < n; i++)
		b->d[i] = mm_alloc_pages(b->mm, 0, GFP_KERNEL);
}
static void cb_copy(void *arg, unsigned long n)
{
	struct copy_batch *b = arg;
	unsigned long i;
	for (i = 0; i < n; i++)
		memcpy(mm_page_address(b->mm, b->d[i]), mm_page_address(b->mm, b->s[i]), PAGE_SIZE);
}
static void cb_cleanup(void *arg, unsigned long n)
{
	struct copy_batch *b = arg;
	unsigned long i;
	for (i = 0; i < n; i++) {
		mm_free_pages(b->mm, b->s[i], 0);
		mm_free_pages(b->mm, b->d[i], 0);
	}
}

static void bench_migrate(struct bench_ctx *ctx)
{
	struct migrate_batch *b = calloc(1, sizeof(*b));
	struct bench_result res;
	static struct copy_batch cb;
	static char note[160];

	if (!b || !(b->owner = calloc(1, sizeof(*b->owner))))
		bench_fail("out of memory");
	copy_env_create(&b->ce);
	if (test_owner_init(b->owner, &b->ce.env.mm))
		bench_fail("test_owner_init failed");
	b->owner->verify = TEST_VERIFY_NONE;

	const struct bench_loop loops[] = {
		{ .fn = batch_migrate, .arg = b, .prepare = batch_prepare, .cleanup = batch_cleanup },
		{ .fn = copy_libc, .arg = &b->ce },
		{ .fn = cb_copy, .arg = &cb, .prepare = cb_prepare, .cleanup = cb_cleanup },
	};
	cb.mm = &b->ce.env.mm;
	bench_measure(ctx, loops, 3, MIGRATE_PAGES, &res);
	fprintf(stderr, "batch copy %.1f ns/page\n", res.ns_per_op[2]);
	bench_emit(ctx, &(struct bench_figure){
		.name = "memcpy_4k_ns", .value = res.ns_per_op[1], .unit = "ns", .runs = ctx->runs,
		.note = "libc memcpy of 4 KiB between two warm arena pages, timed interleaved "
			"with migrate_page_ns" });
	snprintf(note, sizeof(note), "migrate_pages of %lu order-0 TEST pages on a private "
		 "16 MiB mm, per page; isolate + target alloc + copy + free of source",
		 MIGRATE_PAGES);
	bench_emit(ctx, &(struct bench_figure){
		.name = "migrate_page_ns", .value = res.ns_per_op[0], .unit = "ns", .runs = ctx->runs,
		.note = note });
	bench_emit(ctx, &(struct bench_figure){
		.name = "migrate_page_ratio_vs_memcpy", .value = res.ratio, .unit = "x",
		.has_baseline = true, .baseline = res.ns_per_op[1], .baseline_unit = "ns",
		.ratio = res.ratio, .runs = ctx->runs,
		.note = "migrate_page_ns / memcpy_4k_ns, median of per-round ratios; goal <= 1.5" });
	copy_env_destroy(&b->ce, "migrate");
	free(b->owner);
	free(b);
}
BENCH_REGISTER(migrate, bench_migrate);
