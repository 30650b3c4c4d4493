/* Running KTAP suites in the kernel (see ktest_kernel.c). */
#ifndef KERNEL_KTEST_KERNEL_H
#define KERNEL_KTEST_KERNEL_H

#include "include/types.h"

/* Did the command line ask for tests (test=...)? */
bool ktest_requested(void);

/* Run the requested suites and power off with the result. */
__attribute__((noreturn)) void ktest_run_requested(void);

#endif
