/*
 * Monitor command `test all|SUITE[,SUITE]`: the KTAP suites linked into the
 * kernel, run by kernel/ktest_kernel.c. Holds no state.
 */
#include "kernel/ktest_kernel.h"
#include "monitor/monitor.h"

static int cmd_test(int argc, char **argv) { return ktest_kernel_run(argv[1]); }
MONITOR_CMD("test", 1, 1, "all|SUITE[,SUITE]", "run KTAP test suites", cmd_test);
