/*
 * Figures of compaction (mm/compaction.c) on simulated machines without
 * page data (struct mm_config.no_data: a tag in each descriptor stands for
 * a page's contents, as in `make sim`), fragmented by the `standard`
 * scenario (mm/scenario.h):
 *
 *   contig_2m_alloc_us_p50  _p90  _p99
 *                     latency of one mm_alloc_pages(order 9, GFP_MAY_COMPACT)
 *                     on a CONTIG_ENV_GIB GiB machine: CONTIG_ALLOCS blocks
 *                     taken one after another and kept, so nearly every one
 *                     needs direct compaction to make a new free 2 MiB
 *                     block; percentiles over the allocations
 *   compact_ms_sim_1g  _4g  _16g  _64g
 *                     one explicit full compaction (compact_zone COMPACT_ALL,
 *                     MIGRATE_SYNC) of a freshly built machine of that size,
 *                     its own time_ns; median over SIM_ROUNDS rounds, each
 *                     building one fresh machine of every size in turn
 *   compact_ms_per_gib_ratio_64g_vs_1g
 *                     per-GiB time at 64 GiB over per-GiB time at 1 GiB,
 *                     median of the per-round ratios (goal <= 1.2: compaction
 *                     is linear in memory size)
 *
 * With BENCH_DATA_DIR set (tools/bench.py sets it to the directory of
 * results.json), every latency of contig_2m goes to
 * $BENCH_DATA_DIR/contig_2m_latencies.json ({"machine": ..., "us": [...]})
 * for the histogram tools/plots.py draws.
 *
 * --quick: 50 allocations on a 1 GiB machine, the 1 and 4 GiB machines once
 * (16 and 64 GiB skipped) and the ratio of those two.
 *
 * Verification, outside the timing: after the allocations or the
 * compaction, every kept page of the scenario must carry its tag where its
 * slot says (frag_scenario_verify) and mm_check() must find nothing wrong;
 * a compaction must leave no page unmoved that it tried; once the scenario
 * is given back every page must be free again. Otherwise the figures of
 * that machine (and a ratio using them) are reported failed.
 * --inject-corruption changes one kept page's tag first.
 */
#define _GNU_SOURCE
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench/bench.h"
#include "mm/compaction.h"
#include "mm/scenario.h"
#include "mm/testing.h"

#define GIB_PAGES (1UL << (30 - PAGE_SHIFT))
#define CONTIG_ENV_GIB 8
#define CONTIG_ALLOCS 1000
#define CONTIG_QUICK_ENV_GIB 1
#define CONTIG_QUICK_ALLOCS 50
#define SCENARIO "standard"

/* A simulated machine fragmented by SCENARIO. */
struct sim_machine {
	struct mm_test_env env;
	struct frag_scenario scen; /* large: the machine lives on the heap */
	unsigned long free_before; /* pages free before the scenario */
};

static struct sim_machine *machine_create(unsigned long gib)
{
	struct sim_machine *machine = calloc(1, sizeof(*machine));
	struct pfn_range all = { 0, gib * GIB_PAGES };
	int err;

	if (!machine)
		bench_fail("out of memory");
	err = mm_test_env_init_ex(&machine->env, all.end, &all, 1, NULL, 0, true);
	if (err)
		bench_fail("a %lu GiB machine without data: %d", gib, err);
	machine->free_before = mm_nr_free_pages(&machine->env.mm);
	err = frag_scenario_build(&machine->scen, &machine->env.mm, SCENARIO);
	if (err)
		bench_fail("scenario " SCENARIO " on %lu GiB: %d", gib, err);
	return machine;
}

/* --inject-corruption: change the tag (a no-data page's contents) of the
 * first kept page of the scenario. */
static void corrupt_one_page(struct sim_machine *machine)
{
	struct mapped_region *region = &machine->scen.regions[0];
	unsigned long i, pfn;

	for (i = 0; i < region->nr_pages; i++)
		if (mm_lookup_page(mapped_va(region, i), &pfn)) {
			mm_pfn_to_page(region->mm, pfn)->private ^= 1;
			return;
		}
}

/* After a workload: every kept page of the scenario carries its tag and
 * the mm is consistent; problems go to @chk. */
static void machine_verify(struct sim_machine *machine, const char *what, struct bench_check *chk)
{
	struct frag_verify verify;
	unsigned int bad, bugs;

	frag_scenario_verify(&machine->scen, &verify);
	mm_drain_pcp(&machine->env.mm);
	bad = mm_check(&machine->env.mm);
	bugs = mm_test_take_bugs();
	if (verify.mapped_bad || verify.mapped_pages != machine->scen.mapped_pages || bad || bugs)
		bench_check_fail(chk, "%s: %lu of %lu kept pages lost their tag or slot (%lu "
				 "kept by the scenario), mm_check found %u problems, %u mm_bug "
				 "reports", what, verify.mapped_bad, verify.mapped_pages,
				 machine->scen.mapped_pages, bad, bugs);
}

/* Give the scenario back; the mm must be consistent, with every page that
 * was free before the scenario free again (the host's page tables are not
 * in the mm); problems go to @chk. */
static void machine_verify_destroy(struct sim_machine *machine, const char *what,
				   struct bench_check *chk)
{
	struct mm *mm = &machine->env.mm;
	unsigned long nr_free;
	unsigned int bad, bugs;

	frag_scenario_destroy(&machine->scen);
	mm_drain_pcp(mm);
	nr_free = mm_nr_free_pages(mm);
	bad = mm_check(mm);
	bugs = mm_test_take_bugs();
	if (bad || bugs || nr_free != machine->free_before)
		bench_check_fail(chk, "%s: after the scenario, mm_check found %u problems, %u "
				 "mm_bug reports, %lu pages free (%lu before it)", what, bad, bugs,
				 nr_free, machine->free_before);
	mm_test_env_destroy(&machine->env);
	free(machine);
}

/* Save the @n latencies @us (microseconds) for the histogram; a failure
 * only loses the picture, so it is reported and ignored. */
static void save_latencies(const double *us, unsigned int n, unsigned long gib)
{
	const char *dir = getenv("BENCH_DATA_DIR");
	char path[4096];
	unsigned int i;
	FILE *f;

	if (!dir)
		return;
	snprintf(path, sizeof(path), "%s/contig_2m_latencies.json", dir);
	f = fopen(path, "w");
	if (!f) {
		fprintf(stderr, "contig_2m: cannot write %s\n", path);
		return;
	}
	fprintf(f, "{\"machine\": \"%lu GiB " SCENARIO " (no data)\", \"us\": [", gib);
	for (i = 0; i < n; i++)
		fprintf(f, "%s%.3f", i ? ", " : "", us[i]);
	fprintf(f, "]}\n");
	if (fclose(f))
		fprintf(stderr, "contig_2m: cannot write %s\n", path);
}

static void bench_contig_2m(struct bench_ctx *ctx)
{
	unsigned long gib = ctx->quick ? CONTIG_QUICK_ENV_GIB : CONTIG_ENV_GIB;
	unsigned int n = ctx->quick ? CONTIG_QUICK_ALLOCS : CONTIG_ALLOCS, i;
	static const struct { const char *name; double pct; } pcts[] = {
		{ "contig_2m_alloc_us_p50", 50 },
		{ "contig_2m_alloc_us_p90", 90 },
		{ "contig_2m_alloc_us_p99", 99 },
	};
	struct sim_machine *machine;
	struct frag_figures fig;
	struct bench_check chk = { 0 };
	const char *failed;
	struct page **blocks = calloc(n, sizeof(*blocks));
	double *us = calloc(n, sizeof(*us));
	static char note[240];
	u64 direct;

	if (!blocks || !us)
		bench_fail("out of memory");
	if (gib * GIB_PAGES > ctx->max_pages) {
		for (i = 0; i < ARRAY_SIZE(pcts); i++)
			bench_emit(ctx, &(struct bench_figure){
				.name = pcts[i].name, .value = NAN, .unit = "us",
				.skipped = "arena too small (--arena-mib)" });
		free(blocks);
		free(us);
		return;
	}
	machine = machine_create(gib);
	frag_figures(&machine->env.mm, &fig);
	if (fig.T < n)
		bench_fail("contig_2m: %lu GiB " SCENARIO " allows only %lu blocks, not %u", gib,
			   fig.T, n);
	direct = machine->env.mm.stats.compact_direct;
	for (i = 0; i < n; i++) {
		u64 t0 = bench_now_ns();

		blocks[i] = mm_alloc_pages(&machine->env.mm, PAGEBLOCK_ORDER,
					   GFP_MAY_COMPACT | GFP_NOWARN);
		us[i] = (double)(bench_now_ns() - t0) / 1e3;
		if (!blocks[i])
			bench_fail("contig_2m: order-9 allocation %u of %u failed (T %lu at the "
				   "start)", i + 1, n, fig.T);
	}
	direct = machine->env.mm.stats.compact_direct - direct;
	if (ctx->inject_corruption)
		corrupt_one_page(machine);
	machine_verify(machine, "contig_2m", &chk);
	for (i = 0; i < n; i++)
		mm_free_pages(&machine->env.mm, blocks[i], PAGEBLOCK_ORDER);
	machine_verify_destroy(machine, "contig_2m", &chk);
	failed = bench_check_done(&chk, "contig_2m: every kept scenario page's tag, mm_check, "
				  "every page back");
	save_latencies(us, n, gib);
	snprintf(note, sizeof(note), "mm_alloc_pages(order 9, GFP_MAY_COMPACT), %u blocks kept, "
		 "on a %lu GiB " SCENARIO " machine without data (T %lu); %lu of them compacted "
		 "directly", n, gib, fig.T, (unsigned long)direct);
	for (i = 0; i < ARRAY_SIZE(pcts); i++)
		bench_emit(ctx, &(struct bench_figure){
			.name = pcts[i].name, .value = bench_percentile(us, n, pcts[i].pct),
			.unit = "us", .runs = n, .failed = failed, .note = note });
	free(blocks);
	free(us);
}
BENCH_REGISTER(contig_2m, bench_contig_2m);

#define SIM_ROUNDS 5
#define SIM_QUICK_ROUNDS 1

static const struct {
	const char *name;
	unsigned long gib;
	bool quick;          /* measured with --quick too */
} sims[] = {
	{ "compact_ms_sim_1g", 1, true },
	{ "compact_ms_sim_4g", 4, true },
	{ "compact_ms_sim_16g", 16, false },
	{ "compact_ms_sim_64g", 64, false },
};

/* Full compaction of a fresh machine of @gib GiB, verified into @chk.
 * Return: its time in ms. */
static double compact_once(const struct bench_ctx *ctx, unsigned long gib,
			   struct bench_check *chk)
{
	struct sim_machine *machine = machine_create(gib);
	struct compact_result res;
	char what[32];

	compact_zone(&machine->env.mm, COMPACT_ALL, MIGRATE_SYNC, false, &res);
	snprintf(what, sizeof(what), "compact %lu GiB", gib);
	if (res.failed || !res.migrated)
		bench_check_fail(chk, "%s: %lu pages moved, %lu failed", what, res.migrated,
				 res.failed);
	if (ctx->inject_corruption)
		corrupt_one_page(machine);
	machine_verify(machine, what, chk);
	machine_verify_destroy(machine, what, chk);
	return (double)res.time_ns / 1e6;
}

/* The sizes run interleaved, one machine of each per round (machines are
 * noisy), and the ratio is the median of the per-round ratios. */
static void bench_compact_sim(struct bench_ctx *ctx)
{
	unsigned int rounds = ctx->quick ? SIM_QUICK_ROUNDS : SIM_ROUNDS, s, r, largest = 0;
	double ms[ARRAY_SIZE(sims)][SIM_ROUNDS], ratios[SIM_ROUNDS], sorted[SIM_ROUNDS], ratio;
	const char *skipped[ARRAY_SIZE(sims)] = { 0 };
	struct bench_check chk[ARRAY_SIZE(sims)] = { 0 };
	const char *ratio_failed;
	static char note[ARRAY_SIZE(sims)][160], ratio_note[200];

	for (s = 0; s < ARRAY_SIZE(sims); s++) {
		if (ctx->quick && !sims[s].quick)
			skipped[s] = "--quick: the 1 and 4 GiB machines only";
		else if (sims[s].gib * GIB_PAGES > ctx->max_pages)
			skipped[s] = "arena too small (--arena-mib)";
		else
			largest = s;
	}
	for (r = 0; r < rounds; r++)
		for (s = 0; s < ARRAY_SIZE(sims); s++)
			if (!skipped[s])
				ms[s][r] = compact_once(ctx, sims[s].gib, &chk[s]);
	for (s = 0; s < ARRAY_SIZE(sims); s++) {
		if (skipped[s]) {
			bench_emit(ctx, &(struct bench_figure){
				.name = sims[s].name, .value = NAN, .unit = "ms",
				.skipped = skipped[s] });
			continue;
		}
		memcpy(sorted, ms[s], rounds * sizeof(sorted[0]));
		snprintf(note[s], sizeof(note[s]), "compact_zone(COMPACT_ALL, MIGRATE_SYNC) of "
			 "a fresh %lu GiB " SCENARIO " machine without data; median of %u machines",
			 sims[s].gib, rounds);
		bench_emit(ctx, &(struct bench_figure){
			.name = sims[s].name, .value = bench_median(sorted, rounds), .unit = "ms",
			.runs = rounds, .note = note[s],
			.failed = bench_check_done(&chk[s], "%s (%u machine%s): no page failed to "
						   "move, every kept page's tag, mm_check, every "
						   "page back", sims[s].name, rounds,
						   rounds > 1 ? "s" : "") });
	}
	if (skipped[0] || !largest) {
		bench_emit(ctx, &(struct bench_figure){
			.name = "compact_ms_per_gib_ratio_64g_vs_1g", .value = NAN, .unit = "x",
			.skipped = "needs the 1 GiB machine and a larger one" });
		return;
	}
	for (r = 0; r < rounds; r++)
		ratios[r] = ms[largest][r] / (double)sims[largest].gib / ms[0][r];
	ratio = bench_median(ratios, rounds);
	ratio_failed = bench_check_failed(&chk[0]);
	if (!ratio_failed)
		ratio_failed = bench_check_failed(&chk[largest]);
	memcpy(sorted, ms[0], rounds * sizeof(sorted[0]));
	snprintf(ratio_note, sizeof(ratio_note), "(%s / %lu) / %s: per-GiB compaction time, "
		 "median of per-round ratios; goal <= 1.2 (linear)%s", sims[largest].name,
		 sims[largest].gib, sims[0].name, ctx->quick ? " (quick: 4 GiB against 1 GiB)" : "");
	bench_emit(ctx, &(struct bench_figure){
		.name = "compact_ms_per_gib_ratio_64g_vs_1g", .value = ratio, .unit = "x",
		.has_baseline = true, .baseline = bench_median(sorted, rounds),
		.baseline_unit = "ms/GiB", .ratio = ratio, .runs = rounds, .failed = ratio_failed,
		.note = ratio_note });
}
BENCH_REGISTER(compact_sim, bench_compact_sim);
