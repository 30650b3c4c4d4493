/*
 * Figures of mslab pool compaction (mm/mslab_compact.c), with page data:
 *
 *   mslab_compact_pages_freed  pages mslab_compact() frees in a pool that
 *                     held MSLAB_COMPACT_OBJS objects of log-uniform sizes
 *                     16..2048 B (allocated in random size order), 75% of
 *                     them then freed at random
 *   mslab_compact_ms  that mslab_compact() call's time
 *
 * Each round builds the pool afresh with the same seed (so the pages freed
 * are the same every round) on one private mm, prefaulted once, so the
 * objects moved are never the host's first touch; the figures are medians
 * over the rounds. Every object is filled in full with the pattern of its
 * number (mm/test_pattern.h). After every round, outside the timing, the
 * pool must pass mslab_check() and every survivor must hold every byte of
 * its pattern, and at the end the mm must pass mm_check() with every page
 * back; otherwise both figures are reported failed (the first failed round
 * ends the run). --inject-corruption flips one byte of one survivor first.
 * --quick: one round of MSLAB_COMPACT_QUICK_OBJS objects.
 */
#define _GNU_SOURCE
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench/bench.h"
#include "lib/prng.h"
#include "mm/mslab.h"
#include "mm/test_pattern.h"
#include "mm/testing.h"

#define MSLAB_COMPACT_OBJS 200000UL
#define MSLAB_COMPACT_QUICK_OBJS 20000UL
#define MSLAB_COMPACT_ROUNDS 5
#define MSLAB_COMPACT_SEED 7
/* Objects average ~420 B (log-uniform 16..2048) plus class rounding: 200k
 * of them fit ~100 MiB of pages; twice that and more for the handle table
 * and descriptors. */
#define MSLAB_COMPACT_ENV_PAGES (256UL << (20 - PAGE_SHIFT))
#define MSLAB_COMPACT_QUICK_ENV_PAGES (32UL << (20 - PAGE_SHIFT))

/* Log-uniform in [MSLAB_MIN_SIZE, 2048]. */
static size_t log_uniform(struct prng *rng)
{
	double u = (double)(prng_next(rng) >> 11) * 0x1p-53;
	double size = exp(log(16.0) + u * (log(2048.0) - log(16.0)));

	return size < 16 ? 16 : size > 2048 ? 2048 : (size_t)size;
}

/* Allocate @nobj objects of log-uniform sizes, each filled in full with the
 * pattern of its number (mm/test_pattern.h). */
static void pool_fill(struct mslab_pool *pool, struct prng *rng, unsigned long nobj,
		      unsigned long *handles, unsigned long *idx)
{
	unsigned long i;

	for (i = 0; i < nobj; i++) {
		size_t size = log_uniform(rng);

		idx[i] = i;
		handles[i] = mslab_alloc(pool, size, GFP_KERNEL);
		if (!handles[i])
			bench_fail("mslab_compact: object %lu of %lu (%zu B): %d", i, nobj, size,
				   mslab_last_error(pool));
		test_pattern_fill(mslab_map(pool, handles[i]), size, i);
		mslab_unmap(pool, handles[i]);
	}
}

/* Free a random 75%: a partial Fisher-Yates shuffle; the survivors end up
 * in handles[0 .. nobj / 4), idx[] saying which object each was. */
static void free_most(struct mslab_pool *pool, struct prng *rng, unsigned long nobj,
		      unsigned long *handles, unsigned long *idx)
{
	unsigned long left;

	for (left = nobj; left > nobj / 4; left--) {
		unsigned long j = prng_below(rng, left);

		mslab_free(pool, handles[j]);
		handles[j] = handles[left - 1];
		idx[j] = idx[left - 1];
	}
}

/* --inject-corruption: flip the last byte of the first survivor larger than
 * 16 bytes, which a check of the first 16 bytes alone would miss. */
static void corrupt_one(struct mslab_pool *pool, const unsigned long *handles,
			unsigned long survivors)
{
	unsigned long i;

	for (i = 0; i < survivors; i++) {
		size_t n = mslab_size(pool, handles[i]);
		u8 *p;

		if (n <= 16)
			continue;
		p = mslab_map(pool, handles[i]);
		p[n - 1] ^= 0xff;
		mslab_unmap(pool, handles[i]);
		return;
	}
}

/* Every survivor keeps every byte of its pattern. Return: how many did not. */
static unsigned long survivors_bad(struct mslab_pool *pool, const unsigned long *handles,
				   const unsigned long *idx, unsigned long survivors,
				   unsigned long *first_bad)
{
	unsigned long i, bad = 0;

	for (i = 0; i < survivors; i++) {
		const void *p = mslab_map(pool, handles[i]);
		size_t n = mslab_size(pool, handles[i]);

		if (!p || !test_pattern_ok(p, n, idx[i])) {
			if (!bad++)
				*first_bad = idx[i];
		}
		if (p)
			mslab_unmap(pool, handles[i]);
	}
	return bad;
}

/* One round: fill, free 75%, compact (timed), verify into @chk, destroy. */
static void compact_round(const struct bench_ctx *ctx, struct mm *mm, unsigned long nobj,
			  unsigned long *handles, unsigned long *idx, double *ms, double *freed,
			  struct mslab_pool_info *before, struct bench_check *chk)
{
	struct mslab_pool *pool = calloc(1, sizeof(*pool));
	struct mslab_pool_info after;
	unsigned long got, bad, first = 0;
	struct prng rng;
	u64 t0;
	int err;

	if (!pool)
		bench_fail("out of memory");
	err = mslab_pool_create(pool, mm, "bench-compact");
	if (err)
		bench_fail("mslab_pool_create: %d", err);
	prng_seed(&rng, MSLAB_COMPACT_SEED);
	pool_fill(pool, &rng, nobj, handles, idx);
	free_most(pool, &rng, nobj, handles, idx);
	mslab_pool_info(pool, before);
	t0 = bench_now_ns();
	got = mslab_compact(pool, NULL);
	*ms = (double)(bench_now_ns() - t0) / 1e6;
	*freed = (double)got;

	if (ctx->inject_corruption)
		corrupt_one(pool, handles, nobj / 4);
	mslab_pool_info(pool, &after);
	if (!got || got != before->pages - after.pages || after.objects != before->objects ||
	    after.objects != nobj / 4 || mslab_check(pool))
		bench_check_fail(chk, "mslab_compact: %lu pages freed, %lu -> %lu pages, %lu -> "
				 "%lu objects (%lu expected), or mslab_check failed", got,
				 before->pages, after.pages, before->objects, after.objects, nobj / 4);
	bad = survivors_bad(pool, handles, idx, nobj / 4, &first);
	if (bad)
		bench_check_fail(chk, "mslab_compact: %lu of %lu survivors lost content (first: "
				 "object %lu)", bad, nobj / 4, first);
	mslab_pool_destroy(pool);
	free(pool);
}

static void bench_mslab_compact(struct bench_ctx *ctx)
{
	unsigned long nobj = ctx->quick ? MSLAB_COMPACT_QUICK_OBJS : MSLAB_COMPACT_OBJS;
	unsigned long pages = ctx->quick ? MSLAB_COMPACT_QUICK_ENV_PAGES : MSLAB_COMPACT_ENV_PAGES;
	unsigned int rounds = ctx->quick ? 1 : MSLAB_COMPACT_ROUNDS, r, bad, bugs;
	struct bench_check chk = { 0 };
	const char *failed;
	double ms[MSLAB_COMPACT_ROUNDS], freed[MSLAB_COMPACT_ROUNDS];
	struct mslab_pool_info before;
	struct mm_test_env env;
	unsigned long *handles, *idx;
	static char note[2][240];
	int err;

	if (pages > ctx->max_pages) {
		bench_emit(ctx, &(struct bench_figure){
			.name = "mslab_compact_pages_freed", .value = NAN, .unit = "pages",
			.skipped = "arena too small (--arena-mib)" });
		bench_emit(ctx, &(struct bench_figure){
			.name = "mslab_compact_ms", .value = NAN, .unit = "ms",
			.skipped = "arena too small (--arena-mib)" });
		return;
	}
	handles = calloc(nobj, sizeof(*handles));
	idx = calloc(nobj, sizeof(*idx));
	if (!handles || !idx)
		bench_fail("out of memory");
	err = mm_test_env_simple(&env, pages);
	if (err)
		bench_fail("mm_test_env_simple(%lu pages): %d", pages, err);
	memset(mm_pfn_to_virt(env.base_pfn), 0x5a, env.span << PAGE_SHIFT); /* prefault */
	/* A round that fails its check ends the run: its pool may be broken. */
	for (r = 0; r < rounds && !chk.problems; r++)
		compact_round(ctx, &env.mm, nobj, handles, idx, &ms[r], &freed[r], &before, &chk);
	rounds = r;
	mm_drain_pcp(&env.mm);
	bad = mm_check(&env.mm);
	bugs = mm_test_take_bugs();
	if (bad || bugs || mm_nr_free_pages(&env.mm) != env.mm.nr_managed)
		bench_check_fail(&chk, "mslab_compact: mm_check found %u problems, %u mm_bug "
				 "reports, %lu of %lu pages free", bad, bugs,
				 mm_nr_free_pages(&env.mm), env.mm.nr_managed);
	failed = bench_check_done(&chk, "mslab_compact (%u round%s): counts, mslab_check, every "
				  "byte of the %lu survivors; mm_check, every page back", rounds,
				  rounds > 1 ? "s" : "", nobj / 4);
	mm_test_env_destroy(&env);
	free(handles);
	free(idx);
	snprintf(note[0], sizeof(note[0]), "mslab_compact of a pool of %lu objects of "
		 "log-uniform 16..2048 B with 75%% freed at random: %lu pages, %lu objects, "
		 "%lu of %lu bytes used before; median of %u round%s", nobj, before.pages,
		 before.objects, before.bytes_used, before.bytes_held, rounds, rounds > 1 ? "s" : "");
	snprintf(note[1], sizeof(note[1]), "the mslab_compact call of mslab_compact_pages_freed "
		 "(%lu objects, 75%% freed), page data on, mm prefaulted; median of %u round%s",
		 nobj, rounds, rounds > 1 ? "s" : "");
	bench_emit(ctx, &(struct bench_figure){
		.name = "mslab_compact_pages_freed", .value = bench_median(freed, rounds),
		.unit = "pages", .runs = rounds, .failed = failed, .note = note[0] });
	bench_emit(ctx, &(struct bench_figure){
		.name = "mslab_compact_ms", .value = bench_median(ms, rounds), .unit = "ms",
		.runs = rounds, .failed = failed, .note = note[1] });
}
BENCH_REGISTER(mslab_compact, bench_mslab_compact);
