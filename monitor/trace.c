/*
 * Monitor command for the mm event trace (mm/trace.h, docs/trace.md):
 * `trace` (state and counts), `trace on|off|clear`, and `trace dump`: every
 * CPU's records since the last clear as JSON lines merged by time, then one
 * summary line (events, dropped and lost per CPU). Tracing may stay on
 * during a dump: what writers overwrite meanwhile is counted lost, never
 * printed torn. tools/plots.py trace draws a dump.
 */
#include "arch/x86_64/smp.h"
#include "include/errno.h"
#include "kernel/printk.h"
#include "lib/string.h"
#include "mm/trace.h"
#include "monitor/monitor.h"

static void print_record(const struct trace_record *r)
{
	const struct trace_kind_info *info = trace_kind_info((enum trace_kind)r->kind);

	kprintf("{\"cpu\":%u,\"tsc\":%lu,\"ns\":%lu,\"ev\":\"%s\",", r->cpu, (unsigned long)r->tsc,
		(unsigned long)mm_tsc_to_ns(r->tsc), info->name);
	if (r->kind == TRACE_SHOOTDOWN) /* a kernel address: past what JSON numbers keep exact */
		kprintf("\"%s\":\"%#lx\",", info->a_name, (unsigned long)r->a);
	else
		kprintf("\"%s\":%lu,", info->a_name, (unsigned long)r->a);
	kprintf("\"%s\":%d}\n", info->b_name, r->b);
}

static void print_summary(const struct trace_reader *reader, unsigned long dumped)
{
	unsigned int cpu, n = smp_nr_online();
	u64 events, dropped, total = 0;

	for (cpu = 0; cpu < n; cpu++) {
		trace_cpu_counts(cpu, &events, &dropped);
		total += events;
	}
	kprintf("{\"ev\":\"summary\",\"enabled\":%s,\"events\":%lu,\"dumped\":%lu,\"cpus\":[",
		trace_enabled() ? "true" : "false", (unsigned long)total, dumped);
	for (cpu = 0; cpu < n; cpu++) {
		trace_cpu_counts(cpu, &events, &dropped);
		kprintf("%s{\"cpu\":%u,\"events\":%lu,\"dropped\":%lu,\"lost\":%lu}", cpu ? "," : "",
			cpu, (unsigned long)events, (unsigned long)dropped,
			(unsigned long)reader->lost[cpu]);
	}
	kprintf("]}\n");
}

static void dump(void)
{
	struct trace_reader reader; /* 1 KiB at 16 CPUs */
	struct trace_record r;
	unsigned long dumped = 0;

	trace_reader_init(&reader);
	while (trace_reader_next(&reader, &r)) {
		print_record(&r);
		dumped++;
	}
	print_summary(&reader, dumped);
}

static void print_state(void)
{
	unsigned int cpu, n = smp_nr_online();
	u64 events, dropped, total = 0, total_dropped = 0;

	for (cpu = 0; cpu < n; cpu++) {
		trace_cpu_counts(cpu, &events, &dropped);
		total += events;
		total_dropped += dropped;
	}
	kprintf("trace: %s, %lu events, %lu dropped, %u records per cpu\n",
		!MM_TRACE ? "compiled out (TRACE=0)" : trace_enabled() ? "on" : "off",
		(unsigned long)total, (unsigned long)total_dropped, TRACE_RING_RECORDS);
}

static int cmd_trace(int argc, char **argv)
{
	bool on;
	int err;

	if (argc == 1) {
		print_state();
		return 0;
	}
	if (!strcmp(argv[1], "dump")) {
		dump();
		return 0;
	}
	if (!strcmp(argv[1], "clear")) {
		trace_clear();
		kprintf("trace: cleared\n");
		return 0;
	}
	if (strcmp(argv[1], "on") && strcmp(argv[1], "off"))
		return -EINVAL;
	on = !strcmp(argv[1], "on");
	err = trace_set_enabled(on);
	if (err) {
		kprintf("error: trace: %s\n", err == -EOPNOTSUPP ? "compiled out (TRACE=0)" :
			"no memory for the rings");
		return err;
	}
	kprintf("trace: %s\n", on ? "on" : "off");
	return 0;
}
MONITOR_CMD("trace", 0, 1, "[on|off|clear|dump]",
	    "mm event trace: per-CPU rings; dump prints JSON lines merged by time", cmd_trace);
