/*
 * What the kernel benchmarks in their own files (kernel/bench_order0.c)
 * share with kernel/bench_kernel.c, which runs them all: the figure as
 * printed on a BENCH line, and the helpers to print and compute it. No
 * floating point: values are in thousandths of their unit.
 */
#ifndef KERNEL_BENCH_KERNEL_INTERNAL_H
#define KERNEL_BENCH_KERNEL_INTERNAL_H

#include "include/types.h"

#define KBENCH_ROUNDS 15 /* timed rounds at most (bench=quick: fewer) */

/* A figure; value and baseline in thousandths of their unit. */
struct kbench_figure {
	const char *name;
	u64 milli;
	const char *unit;
	bool has_baseline;    /* then "ratio" is printed too: value / baseline */
	u64 baseline_milli;
	const char *baseline_unit; /* NULL: @unit */
	u64 ratio_milli;
	unsigned int runs;
	const char *note;     /* no quotes or backslashes: printed as is */
	const char *skipped;  /* non-NULL: the value is null, and this says why */
};

/* Print @figure as one BENCH line. */
void kbench_emit(const struct kbench_figure *figure);
/* Median of @v[0..n) (sorts @v; n is small). */
u64 kbench_median(u64 *v, unsigned int n);
/* Picoseconds per operation of @ops taking @cycles TSC cycles. */
u64 kbench_ps_per_op(u64 cycles, unsigned long ops);
/* @a / @b in thousandths (0 when @b is 0). */
u64 kbench_milli_ratio(u64 a, u64 b);

/* kernel/bench_order0.c: kernel_order0_pair_ns_smp1 and _smp2 over @rounds
 * interleaved rounds. Return: 0, or -EIO when a check failed. */
int bench_order0(unsigned int rounds);

#endif
