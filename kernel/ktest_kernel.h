/* Running KTAP suites in the kernel (see ktest_kernel.c). */
#ifndef KERNEL_KTEST_KERNEL_H
#define KERNEL_KTEST_KERNEL_H

#include "include/types.h"

/*
 * ktest_kernel_run - run the suites @filter names ("all" or a comma list),
 * KTAP on the console, each case followed by kernel_mm's checks; for the
 * `test` monitor command. Return: 0, or -ENOENT for an unknown suite
 * (reported, nothing run).
 */
int ktest_kernel_run(const char *filter);

/* Did the command line ask for tests (test=...)? */
bool ktest_requested(void);

/* Run the requested suites and power off with the result. */
__attribute__((noreturn)) void ktest_run_requested(void);

#endif
