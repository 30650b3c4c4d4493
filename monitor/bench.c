/*
 * Monitor command `bench [quick]`: the kernel benchmarks of
 * kernel/bench_kernel.c, as `make bench` runs them at boot. Holds no state.
 */
#include "include/errno.h"
#include "kernel/bench_kernel.h"
#include "lib/string.h"
#include "monitor/monitor.h"

static int cmd_bench(int argc, char **argv)
{
	if (argc == 2 && strcmp(argv[1], "quick"))
		return -EINVAL;
	return bench_kernel_run(argc == 2);
}
MONITOR_CMD("bench", 0, 1, "[quick]", "run the kernel benchmarks (BENCH lines, as make bench)",
	    cmd_bench);
