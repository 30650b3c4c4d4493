/*
 * Monitor commands about the machine and the kernel itself: `version`,
 * `uptime`, `cpus`, `threads`, `locks`, `poweroff`. Hold no state.
 */
#include "arch/x86_64/smp.h"
#include "arch/x86_64/smp_call.h"
#include "drivers/qemu_exit.h"
#include "include/errno.h"
#include "kernel/lockdep.h"
#include "kernel/printk.h"
#include "kernel/sched.h"
#include "kernel/time.h"
#include "kernel/version.h"
#include "lib/string.h"
#include "monitor/monitor.h"

static int cmd_version(int argc, char **argv)
{
	kprintf("%s\n", kernel_version_string);
	return 0;
}
MONITOR_CMD("version", 0, 0, "", "kernel version and build", cmd_version);

static int cmd_uptime(int argc, char **argv)
{
	u64 us = time_us();

	kprintf("up %lu.%06lu s, %lu ticks, %lu context switches\n", us / 1000000, us % 1000000,
		ticks, sched_switches());
	return 0;
}
MONITOR_CMD("uptime", 0, 0, "", "time since boot, timer ticks, context switches", cmd_uptime);

/* Idle share of @cpu's time since it came up, in tenths of a percent. */
static unsigned long idle_permille(u64 idle_ns, u64 nr_ticks)
{
	u64 up_ns = nr_ticks * (1000000000ULL / HZ);

	return up_ns ? (unsigned long)MIN(1000, idle_ns * 1000 / up_ns) : 0;
}

static int cmd_cpus(int argc, char **argv)
{
	unsigned int cpu;

	kprintf("%u CPUs online\n", smp_nr_online());
	kprintf("cpu apic    ticks  ipis-sent  ipis-recv resched-ipis switches idle   threads current\n");
	for (cpu = 0; cpu < smp_nr_online(); cpu++) {
		struct sched_cpu_stats stats;
		unsigned long idle;

		sched_cpu_stats(cpu, &stats);
		idle = idle_permille(stats.idle_ns, stats.ticks);
		kprintf("%3u %4u %8lu %10lu %10lu %12lu %8lu %3lu.%lu%% %7u %s\n", cpu, cpus[cpu].apic_id,
			stats.ticks, smp_ipis_sent(cpu), smp_ipis_received(cpu), stats.resched_ipis,
			stats.switches, idle / 10, idle % 10, stats.nr_threads, stats.current);
	}
	return 0;
}
MONITOR_CMD("cpus", 0, 0, "", "online CPUs: APIC ids, ticks, IPIs, switches, idle share, current thread",
	    cmd_cpus);

static int cmd_threads(int argc, char **argv)
{
	sched_dump();
	return 0;
}
MONITOR_CMD("threads", 0, 0, "", "list kernel threads", cmd_threads);

static int cmd_locks(int argc, char **argv)
{
	if (argc == 2 && strcmp(argv[1], "sites")) {
		kprintf("usage: locks [sites]\n");
		return -EINVAL;
	}
	if (argc == 2)
		lockdep_dump_sites();
	else
		lockdep_dump();
	return 0;
}
MONITOR_CMD("locks", 0, 1, "[sites]",
	    "the lock checker's classes and the orders seen between them (sites: where each was first seen)",
	    cmd_locks);

static int cmd_poweroff(int argc, char **argv)
{
	kprintf("powering off\n");
	machine_poweroff(QEMU_EXIT_SUCCESS);
}
MONITOR_CMD("poweroff", 0, 0, "", "power the machine off (exits QEMU)", cmd_poweroff);
