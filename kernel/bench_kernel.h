/* In-kernel benchmarks for `make bench` (see bench_kernel.c). */
#ifndef KERNEL_BENCH_KERNEL_H
#define KERNEL_BENCH_KERNEL_H

#include "include/types.h"

/*
 * bench_kernel_run - run the kernel benchmarks once (fewer rounds if
 * @quick), printing their BENCH lines; for the `bench` monitor command.
 * Return: 0, or the first error (a failed workload or mm_check).
 */
int bench_kernel_run(bool quick);

/* Did the command line ask for the benchmarks (bench, bench=quick)? */
bool bench_kernel_requested(void);

/* Run them, print their BENCH lines, and power off: success when every
 * benchmark ran and kernel_mm is consistent afterwards. Thread context. */
__attribute__((noreturn)) void bench_kernel_run_requested(void);

#endif
