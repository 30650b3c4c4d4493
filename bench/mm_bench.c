/*
 * Figures of the mm core (buddy allocator, per-cpu cache, mm_init):
 *
 *   order0_pair_ns                 mm_alloc_pages(0) + mm_free_pages, tight:
 *                                  each page is freed before the next is taken,
 *                                  so the pair stays in the per-cpu cache — the
 *                                  common case of a short-lived page
 *   order0_pair_ratio_vs_freelist  that, divided by the same loop over a
 *                                  trivial free list (bench/freelist.c)
 *   order0_batch64_pair_ns         64 allocations, then 64 frees: overflows the
 *                                  per-cpu cache, so refill and drain (zone
 *                                  lock, buddy split and merge) are included;
 *                                  baseline: the free list, same pattern
 *   order9_pair_ns                 a 2 MiB block: split from order 10 and
 *                                  merged back every time
 *   kmalloc64_pair_ns              slab_kmalloc(64) + slab_kfree, tight
 *   mslab_pair_ns                  mslab_alloc(64) + mslab_free on a private
 *                                  pool, tight and warm (one 64 B object stays
 *                                  allocated so its page is kept), timed
 *                                  interleaved with kmalloc64_pair_ns, its
 *                                  baseline: what the handle indirection costs
 *   page_desc_bytes                sizeof(struct page)
 *   mm_init_prezeroed_ms_1tib      mm_test_env_simple over 1 TiB of pages:
 *                                  mm_init on storage the host zeroes lazily,
 *                                  so without the kernel's memset of it
 *   mm_init_prezeroed_touched_mib_1tib
 *                                  the resident memory that bring-up touched
 *   mm_init_ms_64gib               bring-up as the kernel does it: memset of
 *                                  the whole storage, then mm_init, over
 *                                  64 GiB of pages; baseline: the memset alone
 *
 * The allocation loops run on a private, warm mm of BENCH_MM_PAGES (64 MiB)
 * with GFP_KERNEL; after them mm_check() must find nothing wrong and no page
 * may be missing, or their figures are reported failed.
 */
#define _GNU_SOURCE
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>

#include "bench/bench.h"
#include "bench/freelist.h"
#include "mm/mm.h"
#include "mm/testing.h"
#include "mm/mslab.h"
#include "mm/slab.h"

#define BENCH_MM_PAGES (64UL << (20 - PAGE_SHIFT))   /* 64 MiB */
#define BENCH_1TIB_PAGES (1UL << (40 - PAGE_SHIFT))
#define BATCH 64
#define FREELIST_PAGES 256

static unsigned long iters(const struct bench_ctx *ctx, unsigned long full)
{
	return ctx->quick ? full / 100 : full;
}

static void env_create(struct mm_test_env *env, unsigned long pages)
{
	int err = mm_test_env_simple(env, pages);

	if (err)
		bench_fail("mm_test_env_simple(%lu pages): %d", pages, err);
}

/* The loops must leave the mm as they found it: what they broke goes to @chk. */
static void env_verify_destroy(struct mm_test_env *env, const char *what,
			       struct bench_check *chk)
{
	unsigned long free;
	unsigned int bad, bugs;

	mm_drain_pcp(&env->mm);
	free = mm_nr_free_pages(&env->mm);
	bad = mm_check(&env->mm);
	bugs = mm_test_take_bugs();
	if (bad || bugs || free != env->mm.nr_managed)
		bench_check_fail(chk, "%s: mm_check found %u problems, %u mm_bug reports, "
				 "%lu of %lu pages free", what, bad, bugs, free, env->mm.nr_managed);
	mm_test_env_destroy(env);
}

static struct page *alloc_or_die(struct mm *mm, unsigned int order)
{
	struct page *page = mm_alloc_pages(mm, order, GFP_KERNEL);

	if (unlikely(!page))
		bench_fail("order-%u allocation failed", order);
	return page;
}

static void *pop_or_die(struct freelist *fl)
{
	void *p = freelist_pop(fl);

	if (unlikely(!p))
		bench_fail("free list empty");
	return p;
}

static void order0_tight(void *arg, unsigned long n)
{
	struct mm *mm = arg;

	while (n--)
		mm_free_pages(mm, alloc_or_die(mm, 0), 0);
}

static void freelist_tight(void *arg, unsigned long n)
{
	struct freelist *fl = arg;

	while (n--)
		freelist_push(fl, pop_or_die(fl));
}

/* @n is a multiple of BATCH. */
static void order0_batch(void *arg, unsigned long n)
{
	struct mm *mm = arg;
	struct page *pages[BATCH];
	unsigned int i;

	for (; n >= BATCH; n -= BATCH) {
		for (i = 0; i < BATCH; i++)
			pages[i] = alloc_or_die(mm, 0);
		for (i = 0; i < BATCH; i++)
			mm_free_pages(mm, pages[i], 0);
	}
}

static void freelist_batch(void *arg, unsigned long n)
{
	struct freelist *fl = arg;
	void *pages[BATCH];
	unsigned int i;

	for (; n >= BATCH; n -= BATCH) {
		for (i = 0; i < BATCH; i++)
			pages[i] = pop_or_die(fl);
		for (i = 0; i < BATCH; i++)
			freelist_push(fl, pages[i]);
	}
}

static void order9_tight(void *arg, unsigned long n)
{
	struct mm *mm = arg;

	while (n--)
		mm_free_pages(mm, alloc_or_die(mm, PAGEBLOCK_ORDER), PAGEBLOCK_ORDER);
}

static void bench_order0(struct bench_ctx *ctx)
{
	struct mm_test_env env;
	struct freelist fl;
	void *fl_pages = mmap(NULL, FREELIST_PAGES * PAGE_SIZE, PROT_READ | PROT_WRITE,
			      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	unsigned long n = iters(ctx, 100000);
	struct bench_result tight_res, batch_res;
	struct bench_check chk = { 0 };
	const char *failed;

	if (fl_pages == MAP_FAILED)
		bench_fail("mmap of the free-list pages failed");
	freelist_init(&fl, fl_pages, FREELIST_PAGES);
	env_create(&env, BENCH_MM_PAGES);

	const struct bench_loop tight[] = { { .fn = order0_tight, .arg = &env.mm },
					    { .fn = freelist_tight, .arg = &fl } };
	bench_measure(ctx, tight, 2, n, &tight_res);
	const struct bench_loop batch[] = { { .fn = order0_batch, .arg = &env.mm },
					    { .fn = freelist_batch, .arg = &fl } };
	bench_measure(ctx, batch, 2, n / BATCH * BATCH, &batch_res);
	env_verify_destroy(&env, "order0", &chk);
	munmap(fl_pages, FREELIST_PAGES * PAGE_SIZE);

	failed = bench_check_done(&chk, "order0: mm_check, every page free");
	bench_emit(ctx, &(struct bench_figure){
		.name = "order0_pair_ns", .value = tight_res.ns_per_op[0], .unit = "ns",
		.runs = ctx->runs, .failed = failed,
		.note = "tight alloc+free on a warm 64 MiB mm (per-cpu cache hits)" });
	bench_emit(ctx, &(struct bench_figure){
		.name = "order0_pair_ratio_vs_freelist", .value = tight_res.ratio, .unit = "x",
		.has_baseline = true, .baseline = tight_res.ns_per_op[1], .baseline_unit = "ns",
		.ratio = tight_res.ratio, .runs = ctx->runs, .failed = failed,
		.note = "baseline: pop+push on a singly linked list of 4 KiB pages; goal <= 3" });
	bench_emit(ctx, &(struct bench_figure){
		.name = "order0_batch64_pair_ns", .value = batch_res.ns_per_op[0], .unit = "ns",
		.has_baseline = true, .baseline = batch_res.ns_per_op[1], .ratio = batch_res.ratio,
		.runs = ctx->runs, .failed = failed,
		.note = "64 allocs then 64 frees: per-cpu refill/drain and buddy split/merge; "
			"baseline: the free list, same pattern" });
}
BENCH_REGISTER(order0, bench_order0);

static void bench_order9(struct bench_ctx *ctx)
{
	struct mm_test_env env;
	struct bench_result res;
	struct bench_check chk = { 0 };

	env_create(&env, BENCH_MM_PAGES);
	const struct bench_loop loop = { .fn = order9_tight, .arg = &env.mm };
	bench_measure(ctx, &loop, 1, iters(ctx, 50000), &res);
	env_verify_destroy(&env, "order9", &chk);
	bench_emit(ctx, &(struct bench_figure){
		.name = "order9_pair_ns", .value = res.ns_per_op[0], .unit = "ns", .runs = ctx->runs,
		.failed = bench_check_done(&chk, "order9: mm_check, every page free"),
		.note = "tight alloc+free of 2 MiB: split from order 10, merged back" });
}
BENCH_REGISTER(order9, bench_order9);

static void kmalloc64_tight(void *arg, unsigned long n)
{
	struct slab_set *set = arg;

	while (n--) {
		void *p = slab_kmalloc(set, 64, GFP_KERNEL);

		if (unlikely(!p))
			bench_fail("slab_kmalloc(64) failed");
		slab_kfree(set, p);
	}
}

static void mslab64_tight(void *arg, unsigned long n)
{
	struct mslab_pool *pool = arg;

	while (n--) {
		unsigned long h = mslab_alloc(pool, 64, GFP_KERNEL);

		if (unlikely(!h))
			bench_fail("mslab_alloc(64) failed: %d", mslab_last_error(pool));
		mslab_free(pool, h);
	}
}

/* kmalloc64 and mslab64 on the same warm mm, interleaved (baseline second). */
static void bench_kmalloc(struct bench_ctx *ctx)
{
	struct mm_test_env env;
	struct slab_set set;
	struct mslab_pool *pool = calloc(1, sizeof(*pool));
	struct bench_result res;
	struct bench_check chk = { 0 };
	const char *failed;
	unsigned long pin;
	int err;

	if (!pool)
		bench_fail("out of memory");
	env_create(&env, BENCH_MM_PAGES);
	slab_set_init(&set, &env.mm, "bench");
	err = mslab_pool_create(pool, &env.mm, "bench");
	if (err)
		bench_fail("mslab_pool_create: %d", err);
	/* An empty mslab page is freed at once: keep one object so the pair
	 * stays on a warm page, as slab's cached slab does for kmalloc. */
	pin = mslab_alloc(pool, 64, GFP_KERNEL);
	if (!pin)
		bench_fail("mslab_alloc(64) failed: %d", mslab_last_error(pool));
	const struct bench_loop loops[] = {
		{ .fn = mslab64_tight, .arg = pool },
		{ .fn = kmalloc64_tight, .arg = &set },
	};
	bench_measure(ctx, loops, 2, iters(ctx, 50000), &res);
	mslab_free(pool, pin);
	if (mslab_check(pool))
		bench_check_fail(&chk, "mslab64: the pool is inconsistent after the loop");
	mslab_pool_destroy(pool);
	free(pool);
	if (slab_check(&set) || slab_set_destroy(&set))
		bench_check_fail(&chk, "kmalloc64: the slab set is inconsistent after the loop");
	env_verify_destroy(&env, "kmalloc64", &chk);

	failed = bench_check_done(&chk, "kmalloc64, mslab64: mslab_check, slab_check, mm_check, "
				  "every page free");
	bench_emit(ctx, &(struct bench_figure){
		.name = "kmalloc64_pair_ns", .value = res.ns_per_op[1], .unit = "ns",
		.runs = ctx->runs, .failed = failed,
		.note = "tight slab_kmalloc(64)+slab_kfree on a warm slab set (timed interleaved "
			"with mslab_pair_ns)" });
	bench_emit(ctx, &(struct bench_figure){
		.name = "mslab_pair_ns", .value = res.ns_per_op[0], .unit = "ns",
		.has_baseline = true, .baseline = res.ns_per_op[1], .ratio = res.ratio,
		.runs = ctx->runs, .failed = failed,
		.note = "tight mslab_alloc(64)+mslab_free on a private warm pool (one 64 B object "
			"kept so its page stays); baseline: kmalloc64_pair_ns, ratio the median of "
			"per-round ratios" });
}
BENCH_REGISTER(kmalloc64, bench_kmalloc);

static void bench_page_desc(struct bench_ctx *ctx)
{
	bench_emit(ctx, &(struct bench_figure){
		.name = "page_desc_bytes", .value = sizeof(struct page), .unit = "bytes" });
}
BENCH_REGISTER(page_desc, bench_page_desc);

/*
 * Bring-up of a 1 TiB machine over storage the host zeroes lazily
 * (mm_test_env_simple): the mem_map is 8 GiB of address space, but mm_init
 * writes only the heads of the initial free blocks (one descriptor per
 * 4 MiB, so one 4 KiB page of mem_map in eight), and the resident growth is
 * what those writes fault in. The kernel zeroes all of its storage first
 * (kernel/mm/mm_boot.c, alloc_storage): that is not in these figures, hence
 * "prezeroed"; mm_init_ms_64gib below measures it. On the host the time is
 * mostly page faults, so the same run measures them alone as the baseline:
 * a fresh mapping of the same size with the same descriptors touched.
 */
static double touch_heads_ms(size_t bytes, unsigned long pages)
{
	u64 t0 = bench_now_ns();
	struct page *map = mmap(NULL, bytes, PROT_READ | PROT_WRITE,
				MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	unsigned long pfn;
	double ms;

	if (map == MAP_FAILED)
		bench_fail("mmap of %zu bytes failed", bytes);
	for (pfn = 0; pfn < pages; pfn += 1UL << MAX_ORDER)
		WRITE_ONCE(map[pfn].flags, PG_buddy | MAX_ORDER);
	ms = (double)(bench_now_ns() - t0) / 1e6;
	munmap(map, bytes);
	return ms;
}

static void bench_mm_init(struct bench_ctx *ctx)
{
	unsigned int runs = ctx->quick ? 1 : 3, r;
	/* --quick brings up 16 GiB: it proves the code runs, in milliseconds. */
	unsigned long pages = ctx->quick ? BENCH_1TIB_PAGES / 64 : BENCH_1TIB_PAGES;
	size_t bytes = mm_storage_bytes(0, pages);
	double ms[BENCH_RUNS], faults[BENCH_RUNS], rss[BENCH_RUNS], init, base;
	struct bench_check chk = { 0 };
	static char note[200];

	if (ctx->max_pages < BENCH_1TIB_PAGES) {
		const char *why = "arena smaller than 1 TiB (--arena-mib)";

		bench_emit(ctx, &(struct bench_figure){
			.name = "mm_init_prezeroed_ms_1tib", .value = NAN, .unit = "ms",
			.skipped = why });
		bench_emit(ctx, &(struct bench_figure){
			.name = "mm_init_prezeroed_touched_mib_1tib", .value = NAN, .unit = "MiB",
			.skipped = why });
		return;
	}

	for (r = 0; r < runs; r++) {
		struct mm_test_env env;
		unsigned long before;
		u64 t0;

		faults[r] = touch_heads_ms(bytes, pages);
		before = bench_rss_kib();
		t0 = bench_now_ns();
		env_create(&env, pages);
		ms[r] = (double)(bench_now_ns() - t0) / 1e6;
		rss[r] = (double)(bench_rss_kib() - before) / 1024;
		if (mm_nr_free_pages(&env.mm) != pages)
			bench_check_fail(&chk, "mm over %lu pages: %lu pages free", pages,
					 mm_nr_free_pages(&env.mm));
		mm_test_env_destroy(&env);
	}
	init = bench_median(ms, runs);
	base = bench_median(faults, runs);
	bench_check_done(&chk, "mm_init (%u run%s): every page of the span free", runs,
			 runs > 1 ? "s" : "");
	bench_emit(ctx, &(struct bench_figure){
		.name = "mm_init_prezeroed_ms_1tib", .value = init, .unit = "ms",
		.has_baseline = true, .baseline = base, .ratio = init / base, .runs = runs,
		.failed = bench_check_failed(&chk),
		.note = "mm_test_env_simple over 1 TiB of pages (storage mmap, zeroed lazily by "
			"the host, + mm_init; not the kernel's memset of the storage); baseline: "
			"the page faults of the same descriptor writes alone" });
	snprintf(note, sizeof(note), "resident growth; mem_map + pageblock table: %zu MiB of "
		 "address space, zeroed by the kernel, here lazily by the host%s",
		 bytes >> 20, ctx->quick ? " (quick: a 16 GiB machine)" : "");
	bench_emit(ctx, &(struct bench_figure){
		.name = "mm_init_prezeroed_touched_mib_1tib", .value = bench_median(rss, runs),
		.unit = "MiB", .runs = runs, .failed = bench_check_failed(&chk), .note = note });
}
BENCH_REGISTER(mm_init, bench_mm_init);

/*
 * Bring-up as the kernel does it (kernel/mm/mm_boot.c: alloc_storage, then
 * mm_init): zero the whole storage, mem_map and pageblock table, with the
 * kernel's memset (lib/string.c: rep stosq), then mm_init. 64 GiB, not
 * 1 TiB: the kernel's RAM is present and direct-mapped with huge pages, so
 * the host's page faults are no cost of its and the storage is faulted in
 * beforehand, untimed, but on a shared virtual host faulting in 8 GiB takes
 * 10-40 s and 8 GiB of its memory. Every round reuses the storage.
 * Baseline, in the same rounds: the memset alone.
 */
#define BENCH_64GIB_PAGES (1UL << (36 - PAGE_SHIFT))

void *lib_memset(void *dst, int c, size_t n); /* lib/string.c's, renamed by bench/lib_shim.c */

/* Fresh storage of @bytes, written once. Return: it; @ms: how long that took. */
static void *storage_prefault(size_t bytes, double *ms)
{
	u64 t0 = bench_now_ns();
	void *p = mmap(NULL, bytes, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);

	if (p == MAP_FAILED)
		bench_fail("mmap of %zu bytes failed", bytes);
	madvise(p, bytes, MADV_HUGEPAGE); /* as the kernel's direct map */
	lib_memset(p, 0x5a, bytes);
	*ms = (double)(bench_now_ns() - t0) / 1e6;
	return p;
}

static double zero_ms(void *storage, size_t bytes)
{
	u64 t0 = bench_now_ns();

	lib_memset(storage, 0, bytes);
	return (double)(bench_now_ns() - t0) / 1e6;
}

/* Zero @storage and bring up @mm over @pages PFNs on it. Return: the ms. */
static double bring_up_ms(struct mm *mm, void *storage, size_t bytes, unsigned long pages)
{
	struct pfn_range all = { 0, pages };
	struct mm_config cfg = { .name = "bench-init", .usable = &all, .nr_usable = 1,
				 .storage = storage };
	u64 t0 = bench_now_ns();
	int err;

	lib_memset(storage, 0, bytes);
	err = mm_init(mm, &cfg);
	if (err)
		bench_fail("mm_init over %lu pages: %d", pages, err);
	return (double)(bench_now_ns() - t0) / 1e6;
}

static void bench_mm_init_kernel(struct bench_ctx *ctx)
{
	unsigned int runs = ctx->quick ? 1 : 3, r;
	/* --quick brings up 1 GiB. */
	unsigned long pages = ctx->quick ? BENCH_64GIB_PAGES / 64 : BENCH_64GIB_PAGES;
	size_t bytes = mm_storage_bytes(0, pages);
	double ms[BENCH_RUNS], zero[BENCH_RUNS], init, base, prefault;
	struct bench_check chk = { 0 };
	static char note[240];
	struct mm mm;
	void *storage = storage_prefault(bytes, &prefault);

	for (r = 0; r < runs; r++) {
		ms[r] = bring_up_ms(&mm, storage, bytes, pages);
		if (mm_nr_free_pages(&mm) != pages)
			bench_check_fail(&chk, "mm over %lu pages: %lu pages free", pages,
					 mm_nr_free_pages(&mm));
		zero[r] = zero_ms(storage, bytes);
	}
	munmap(storage, bytes);
	bench_check_done(&chk, "mm_init_kernel (%u run%s): every page of the span free", runs,
			 runs > 1 ? "s" : "");
	init = bench_median(ms, runs);
	base = bench_median(zero, runs);
	snprintf(note, sizeof(note), "as kernel/mm/mm_boot.c: memset of the whole storage (%zu MiB, "
		 "lib/string.c) + mm_init over 64 GiB of pages, storage faulted in beforehand "
		 "(%.0f ms, untimed); baseline: the memset alone%s", bytes >> 20, prefault,
		 ctx->quick ? " (quick: a 1 GiB machine)" : "");
	bench_emit(ctx, &(struct bench_figure){
		.name = "mm_init_ms_64gib", .value = init, .unit = "ms",
		.has_baseline = true, .baseline = base, .ratio = init / base, .runs = runs,
		.failed = bench_check_failed(&chk), .note = note });
}
BENCH_REGISTER(mm_init_kernel, bench_mm_init_kernel);
