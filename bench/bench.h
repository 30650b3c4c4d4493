/*
 * Host benchmark harness: figures are registered in the "bench_list" linker
 * section (BENCH_REGISTER), run one after another by bench/host_bench.c, and
 * reported as JSON lines on stdout, one object per figure:
 *
 *   {"name": "order0_pair_ns", "value": 12.3, "unit": "ns", "runs": 31}
 *
 * with "baseline" (and "baseline_unit" when it differs from "unit") and
 * "ratio" when the figure is compared against a baseline measured in the
 * same run, "note" for context, "skipped" (value null) when a figure cannot
 * be measured in this build, "failed" (value null) when the workload behind
 * it failed its verification afterwards (host_bench then exits 1), and
 * "quick": true in --quick mode (numbers from a quick run only prove that
 * the harness works).
 *
 * Verification: a benchmark that moves memory checks the result outside
 * the timing (mm_check, contents) into a struct bench_check and reports its
 * figures failed when it found anything. With --inject-corruption each such
 * benchmark damages its result once before checking it, so tests can see
 * the check fail.
 *
 * Timing: every loop runs untimed first (BENCH_WARMUP times) to warm caches,
 * branch predictors and the allocator's own caches, then ctx->runs times;
 * the figure is the median. Runs are short (about a millisecond): on a
 * shared machine a run longer than a scheduler time slice is nearly always
 * preempted, and then even the median is off. Loops compared with each other
 * run interleaved (A B A B ...), and their ratio is the median of the
 * per-round ratios, so noise hits both sides alike. Clock: CLOCK_MONOTONIC.
 *
 * The code under test is the mm/ code built at -O2 without sanitizers, over
 * the host platform (tests/host/mm_platform.c), so the figures describe the
 * allocator's algorithms, not the kernel's locks or interrupts.
 */
#ifndef BENCH_BENCH_H
#define BENCH_BENCH_H

#include "include/compiler.h"
#include "include/types.h"

#define BENCH_RUNS 31       /* timed repetitions of each loop */
#define BENCH_QUICK_RUNS 3  /* with --quick */
#define BENCH_WARMUP 3      /* untimed repetitions before them */
#define BENCH_MAX_LOOPS 4   /* loops timed side by side */

/* What a benchmark gets. */
struct bench_ctx {
	bool quick;          /* --quick: few, short runs; the numbers mean nothing */
	unsigned int runs;   /* timed repetitions (BENCH_RUNS or BENCH_QUICK_RUNS) */
	unsigned long max_pages; /* largest mm_test_env span available (--arena-mib) */
	bool inject_corruption; /* --inject-corruption: damage each verified result once */
};

/* A registered benchmark: one function that emits one or more figures.
 * They run in source order: by file name, then line. */
struct bench {
	const char *name;   /* group name, matched by the command-line filter */
	void (*run)(struct bench_ctx *ctx);
	const char *file;
	int line;
};

#define BENCH_REGISTER(gname, fn)                                             \
	static const struct bench __bench_##gname                               \
		__used __section("bench_list") __aligned(8) = {                 \
			#gname, fn, __FILE__, __LINE__                         \
		}

/* A timed loop: @fn does @iters operations on @arg. @prepare and @cleanup
 * (optional) run untimed right before and after every call of @fn: for
 * loops that consume what they work on (a batch of pages to migrate). */
struct bench_loop {
	void (*fn)(void *arg, unsigned long iters);
	void *arg;
	void (*prepare)(void *arg, unsigned long iters);
	void (*cleanup)(void *arg, unsigned long iters);
};

struct bench_result {
	double ns_per_op[BENCH_MAX_LOOPS]; /* per loop: median over the rounds */
	double ratio; /* 2+ loops: median over the rounds of loop 0's time / loop 1's */
	unsigned int runs;                 /* rounds */
	double samples[BENCH_MAX_LOOPS][BENCH_RUNS]; /* ns per op, per loop and round */
};

/*
 * bench_measure - time @n (<= BENCH_MAX_LOOPS) loops of @iters operations
 * each: BENCH_WARMUP untimed calls per loop, then ctx->runs rounds in which
 * every loop runs once, in order (each call between its loop's prepare and
 * cleanup, outside the timing). Put the baseline second.
 */
void bench_measure(const struct bench_ctx *ctx, const struct bench_loop *loops, unsigned int n,
		   unsigned long iters, struct bench_result *res);

/* Median over the rounds of loop @a's time / loop @b's (bench_ratio(res, 0,
 * 1) is res->ratio). */
double bench_ratio(const struct bench_result *res, unsigned int a, unsigned int b);

/* A figure as printed. Unset optional fields are omitted. */
struct bench_figure {
	const char *name;
	double value;            /* NAN: printed as null (see skipped) */
	const char *unit;        /* "ns", "us", "ms", "MiB", "bytes", "pages", "%", "x" (a ratio) */
	bool has_baseline;
	double baseline;         /* same-run baseline ... */
	const char *baseline_unit; /* ... in this unit when not @unit */
	double ratio;            /* value / baseline (printed with has_baseline) */
	unsigned int runs;       /* repetitions behind the median (0: omitted) */
	const char *note;        /* context for a reader (may be NULL) */
	const char *skipped;     /* why there is no value (may be NULL) */
	const char *failed;      /* why there is no value: the workload failed its
				  * verification (may be NULL; see bench_check) */
};

void bench_emit(const struct bench_ctx *ctx, const struct bench_figure *figure);

/* What one verification found: zero-initialise, report problems with
 * bench_check_fail, give bench_check_failed() to the figures' .failed. */
struct bench_check {
	unsigned int problems;
	char first[200];  /* the first problem */
	char why[240];    /* first, and how many more */
};

__printf(2, 3) void bench_check_fail(struct bench_check *check, const char *fmt, ...);
/* Return: why the verification failed, or NULL when it found nothing. */
const char *bench_check_failed(struct bench_check *check);
/* The same, and log "host_bench: verified WHAT: ok" (or FAILED and why) on
 * stderr, so the run shows what was checked; WHAT comes from @fmt. */
__printf(2, 3) const char *bench_check_done(struct bench_check *check, const char *fmt, ...);

u64 bench_now_ns(void);
/* Median of @v[0..n) (sorts @v). */
double bench_median(double *v, unsigned int n);
/* The @pct-th percentile (0 < pct <= 100, nearest rank) of @v[0..n) (sorts @v). */
double bench_percentile(double *v, unsigned int n, double pct);
/* Resident set size of this process in KiB (VmRSS), or 0 if unknown. */
unsigned long bench_rss_kib(void);

/* Report a benchmark that went wrong and exit non-zero. */
__noreturn __printf(1, 2) void bench_fail(const char *fmt, ...);

#endif
