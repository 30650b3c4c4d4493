/*
 * The host benchmark binary: runs every benchmark registered with
 * BENCH_REGISTER (bench/bench.h) and prints its figures as JSON lines on
 * stdout; anything else (logs, errors) goes to stderr. tools/bench.py runs
 * it for `make bench`; tests/qemu/test_bench.py runs it with --quick so the
 * harness cannot rot.
 *
 * Usage: host_bench [--quick] [--list] [--arena-mib N] [--inject-corruption] [GROUP...]
 *   --quick       3 short runs per figure: checks that everything runs, nothing more
 *   --list        print the registered group names
 *   --arena-mib N simulate only N MiB of physical memory instead of 1 TiB of
 *                 address space (for valgrind, which cannot map 1 TiB);
 *                 figures that need more are reported skipped
 *   --inject-corruption
 *                 for tests of the verification: every benchmark that
 *                 verifies its result damages it once first, so its figures
 *                 must come out failed
 *   GROUP         run only the groups whose name starts with one of these
 * Exit status: 0, 1 when a benchmark failed (bench_fail) or a figure failed
 * its verification, 2 on bad usage.
 */
#define _GNU_SOURCE
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bench/bench.h"
#include "include/assert.h"
#include "mm/testing.h"

extern const struct bench __start_bench_list[];
extern const struct bench __stop_bench_list[];

static bool any_failed; /* a figure was emitted failed: exit 1 */

void bench_fail(const char *fmt, ...)
{
	va_list ap;

	fflush(stdout);
	fputs("host_bench: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

void bench_check_fail(struct bench_check *check, const char *fmt, ...)
{
	va_list ap;

	if (check->problems++)
		return;
	va_start(ap, fmt);
	vsnprintf(check->first, sizeof(check->first), fmt, ap);
	va_end(ap);
}

const char *bench_check_failed(struct bench_check *check)
{
	if (!check->problems)
		return NULL;
	if (check->problems == 1)
		snprintf(check->why, sizeof(check->why), "%s", check->first);
	else
		snprintf(check->why, sizeof(check->why), "%s (and %u more problems)", check->first,
			 check->problems - 1);
	return check->why;
}

const char *bench_check_done(struct bench_check *check, const char *fmt, ...)
{
	const char *failed = bench_check_failed(check);
	va_list ap;

	fputs("host_bench: verified ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, ": %s%s\n", failed ? "FAILED: " : "ok", failed ? failed : "");
	return failed;
}

u64 bench_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (u64)ts.tv_sec * 1000000000ULL + (u64)ts.tv_nsec;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

double bench_median(double *v, unsigned int n)
{
	if (!n)
		return NAN;
	qsort(v, n, sizeof(*v), cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

double bench_percentile(double *v, unsigned int n, double pct)
{
	double rank = ceil(pct / 100 * n);

	if (!n || !(pct > 0 && pct <= 100))
		return NAN;
	qsort(v, n, sizeof(*v), cmp_double);
	return v[(unsigned int)rank - 1];
}

unsigned long bench_rss_kib(void)
{
	FILE *f = fopen("/proc/self/status", "r");
	char line[256];
	unsigned long kib = 0;

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "VmRSS: %lu kB", &kib) == 1)
			break;
	fclose(f);
	return kib;
}

/* One call of @loop's fn between its prepare and cleanup; Return: the ns
 * the call alone took. */
static u64 run_loop(const struct bench_loop *loop, unsigned long iters)
{
	u64 t0, t1;

	if (loop->prepare)
		loop->prepare(loop->arg, iters);
	t0 = bench_now_ns();
	loop->fn(loop->arg, iters);
	t1 = bench_now_ns();
	if (loop->cleanup)
		loop->cleanup(loop->arg, iters);
	return t1 - t0;
}

double bench_ratio(const struct bench_result *res, unsigned int a, unsigned int b)
{
	double ratios[BENCH_RUNS];
	unsigned int r;

	if (a >= BENCH_MAX_LOOPS || b >= BENCH_MAX_LOOPS || res->runs > BENCH_RUNS)
		bench_fail("bench_ratio: loops %u and %u of %u runs", a, b, res->runs);
	for (r = 0; r < res->runs; r++)
		ratios[r] = res->samples[a][r] / res->samples[b][r];
	return bench_median(ratios, res->runs);
}

void bench_measure(const struct bench_ctx *ctx, const struct bench_loop *loops, unsigned int n,
		   unsigned long iters, struct bench_result *res)
{
	double sorted[BENCH_RUNS];
	unsigned int i, r;

	if (!n || n > BENCH_MAX_LOOPS || ctx->runs > BENCH_RUNS || !iters)
		bench_fail("bench_measure: %u loops, %u runs, %lu iterations", n, ctx->runs, iters);
	for (r = 0; r < BENCH_WARMUP; r++)
		for (i = 0; i < n; i++)
			run_loop(&loops[i], iters);
	res->runs = ctx->runs;
	for (r = 0; r < ctx->runs; r++)
		for (i = 0; i < n; i++)
			res->samples[i][r] = (double)run_loop(&loops[i], iters) / (double)iters;
	for (i = 0; i < n; i++) {
		memcpy(sorted, res->samples[i], ctx->runs * sizeof(sorted[0]));
		res->ns_per_op[i] = bench_median(sorted, ctx->runs);
	}
	res->ratio = n > 1 ? bench_ratio(res, 0, 1) : NAN;
}

/* JSON string: the names and notes are ours, but escape anyway. */
static void put_string(const char *s)
{
	putchar('"');
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			printf("\\%c", *s);
		else if ((unsigned char)*s < 0x20)
			printf("\\u%04x", *s);
		else
			putchar(*s);
	}
	putchar('"');
}

/* JSON has no NaN or infinity. */
static void put_number(double v)
{
	if (isfinite(v))
		printf("%.6g", v);
	else
		fputs("null", stdout);
}

void bench_emit(const struct bench_ctx *ctx, const struct bench_figure *figure)
{
	fputs("{\"name\": ", stdout);
	put_string(figure->name);
	fputs(", \"value\": ", stdout);
	put_number(figure->skipped || figure->failed ? NAN : figure->value);
	fputs(", \"unit\": ", stdout);
	put_string(figure->unit);
	if (figure->has_baseline && !figure->failed) { /* no ratio from a broken run either */
		fputs(", \"baseline\": ", stdout);
		put_number(figure->baseline);
		if (figure->baseline_unit) {
			fputs(", \"baseline_unit\": ", stdout);
			put_string(figure->baseline_unit);
		}
		fputs(", \"ratio\": ", stdout);
		put_number(figure->ratio);
	}
	if (figure->runs)
		printf(", \"runs\": %u", figure->runs);
	if (figure->note) {
		fputs(", \"note\": ", stdout);
		put_string(figure->note);
	}
	if (figure->failed) {
		fputs(", \"failed\": ", stdout);
		put_string(figure->failed);
		fprintf(stderr, "host_bench: %s failed its verification: %s\n", figure->name, figure->failed);
		any_failed = true;
	} else if (figure->skipped) {
		fputs(", \"skipped\": ", stdout);
		put_string(figure->skipped);
	}
	if (ctx->quick)
		fputs(", \"quick\": true", stdout);
	fputs("}\n", stdout);
	fflush(stdout);
}

static bool selected(const struct bench *bench, int argc, char **argv, int first)
{
	int i;

	if (first >= argc)
		return true;
	for (i = first; i < argc; i++)
		if (!strncmp(bench->name, argv[i], strlen(argv[i])))
			return true;
	return false;
}

static int cmp_bench(const void *a, const void *b)
{
	const struct bench *x = *(const struct bench *const *)a;
	const struct bench *y = *(const struct bench *const *)b;
	int c = strcmp(x->file, y->file);

	return c ? c : x->line - y->line;
}

/* The registered benchmarks in source order (the linker's order is not). */
static const struct bench **sorted_benches(size_t *n)
{
	const struct bench **bench;
	size_t i;

	*n = (size_t)(__stop_bench_list - __start_bench_list);
	bench = calloc(*n ? *n : 1, sizeof(*bench));
	if (!bench)
		bench_fail("out of memory");
	for (i = 0; i < *n; i++)
		bench[i] = &__start_bench_list[i];
	qsort(bench, *n, sizeof(*bench), cmp_bench);
	return bench;
}

int main(int argc, char **argv)
{
	struct bench_ctx ctx = { .quick = false, .runs = BENCH_RUNS,
				 .max_pages = mm_test_max_span() };
	unsigned long mib;
	size_t n, i;
	const struct bench **benches = sorted_benches(&n);
	int first = 1;

	for (; first < argc && argv[first][0] == '-'; first++) {
		if (!strcmp(argv[first], "--quick")) {
			ctx.quick = true;
			ctx.runs = BENCH_QUICK_RUNS;
		} else if (!strcmp(argv[first], "--list")) {
			for (i = 0; i < n; i++)
				printf("%s\n", benches[i]->name);
			return 0;
		} else if (!strcmp(argv[first], "--arena-mib") && first + 1 < argc &&
			   sscanf(argv[first + 1], "%lu", &mib) == 1 && mib) {
			/* mm_test_env_init keeps an arena that already exists. */
			if (mm_host_arena_init(mib << 20))
				bench_fail("cannot map a %lu MiB arena", mib);
			ctx.max_pages = mib << (20 - PAGE_SHIFT);
			first++;
		} else if (!strcmp(argv[first], "--inject-corruption")) {
			ctx.inject_corruption = true;
		} else {
			fprintf(stderr, "usage: %s [--quick] [--list] [--arena-mib N] "
				"[--inject-corruption] [GROUP...]\n", argv[0]);
			return 2;
		}
	}
	for (i = 0; i < n; i++) {
		if (!selected(benches[i], argc, argv, first))
			continue;
		fprintf(stderr, "host_bench: %s\n", benches[i]->name);
		benches[i]->run(&ctx);
	}
	free(benches);
	return any_failed ? 1 : 0;
}
