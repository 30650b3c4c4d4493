/*
 * Monitor commands about the machine and the kernel itself: `version`,
 * `uptime`, `threads`, `locks`, `poweroff`. Hold no state.
 */
#include "drivers/qemu_exit.h"
#include "kernel/lockdep.h"
#include "kernel/printk.h"
#include "kernel/sched.h"
#include "kernel/time.h"
#include "kernel/version.h"
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

static int cmd_threads(int argc, char **argv)
{
	sched_dump();
	return 0;
}
MONITOR_CMD("threads", 0, 0, "", "list kernel threads", cmd_threads);

static int cmd_locks(int argc, char **argv)
{
	lockdep_dump();
	return 0;
}
MONITOR_CMD("locks", 0, 0, "", "the lock checker's classes and the orders seen between them",
	    cmd_locks);

static int cmd_poweroff(int argc, char **argv)
{
	kprintf("powering off\n");
	machine_poweroff(QEMU_EXIT_SUCCESS);
}
MONITOR_CMD("poweroff", 0, 0, "", "power the machine off (exits QEMU)", cmd_poweroff);
